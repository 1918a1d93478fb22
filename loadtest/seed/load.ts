import { emailIndex } from "../../actors/accounts/email-index.ts"
import { sameJson } from "../../actors/accounts/fields.ts"
import { user, type User } from "../../actors/accounts/user.ts"
import type { AttributeSchema } from "../../actors/catalog/attributes.ts"
import { category, type Category } from "../../actors/catalog/category.ts"
import { categoryTree, categoryTreeActorId, type CategoryNode } from "../../actors/catalog/category-tree.ts"
import { product, type Product } from "../../actors/catalog/product.ts"
import { seller, type SellerView } from "../../actors/catalog/seller.ts"
import type { SkuView } from "../../actors/inventory/sku-schema.ts"
import { sku } from "../../actors/inventory/sku.ts"
import { type Warehouse, warehouses, warehousesActorId } from "../../actors/warehouses/warehouses.ts"
import type { AnyActorDefinition } from "../../runtime/actor.ts"
import { MailboxFull, StorageUnavailable, Unavailable } from "../../runtime/errors.ts"
import type { ActorHost } from "../../runtime/host.ts"
import { productAt, type SeedOptions, type SeedProduct, type SeedSeller, seedCategories, seedSellers, seedWarehouses } from "./generate.ts"

/**
 * Writes a generated catalog into a running store through its actors (no SQL), the same commands
 * the seller and admin routes send: warehouses, the category tree and categories, seller user
 * accounts with the seller role, seller registrations approved, then per product every SKU's
 * `Register` and `Receive` per warehouse, and the product's `Create`.
 *
 * Idempotent: every step is idempotent by id in its actor, and the steps that would not be
 * (a warehouse `Create`, a stock `Receive` once its ref has been forgotten) are skipped when the
 * actor shows them done. A second run with the same seed appends no event.
 */

export interface CatalogLoadSettings {
  /** Products written at once (each with all its SKUs in parallel). */
  readonly concurrency: number
  /**
   * Password hash stored on seller accounts created by the load. A hash that does not parse (the
   * default, `lockedPasswordHash`) never verifies: those accounts cannot sign in.
   */
  readonly sellerPasswordHash: string
  /** Progress lines (products done, rate); `undefined` for none. */
  readonly log: ((line: string) => void) | undefined
  readonly progressEveryMs: number
  /** Checked before each product: true stops the load after the products in flight (a signal). */
  readonly stopRequested?: () => boolean
}

/** A stored password hash that never verifies (gateway/auth/password.ts treats it as malformed). */
export const lockedPasswordHash = "locked:catalog-seed-account"

/** Who approves the sellers the seed registers (an operator id in the seller's history, not an account). */
export const seedOperatorId = "u_catalog-seed-operator"

export interface CatalogLoadReport {
  readonly products: number
  readonly skus: number
  /** Products that existed with another listing (changed through the API since): left as they are. */
  readonly productsKept: number
  readonly receives: number
  readonly commands: number
  /** Events the store's journal received during the load (0 on a repeated run). */
  readonly events: number
  readonly elapsedMs: number
  readonly productsPerSecond: number
  readonly commandsPerSecond: number
}

const transient = (e: unknown) => e instanceof MailboxFull || e instanceof StorageUnavailable || (e instanceof Unavailable && e.reason !== "stopping")
const maxAttempts = 20
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const reasonOf = (e: unknown) => (e as { reason?: unknown })?.reason

export class SeedError extends Error {}

/** Sends commands to the host, retrying what the runtime calls retryable (full mailbox, storage hiccup). */
class Sender {
  commands = 0
  constructor(private readonly host: ActorHost) {}

  async ask<Reply>(definition: AnyActorDefinition, id: string, command: unknown): Promise<Reply> {
    for (let attempt = 1; ; attempt++) {
      this.commands++
      try {
        return await this.host.ask<Reply>(definition, id, command, Date.now())
      } catch (e) {
        if (!transient(e) || attempt >= maxAttempts) throw e
        await sleep(Math.min(1_000, 10 * 2 ** attempt))
      }
    }
  }
}

const nowIso = () => new Date().toISOString()

// The setup steps send their commands to the one tree / registry actor all at once: the actor
// decides them in order (a parent before its children) and group commit makes them one append,
// which matters on embedded storage, where every append is a round trip to a single PGlite.

const ensureWarehouses = async (send: Sender, options: SeedOptions) => {
  const { warehouses: existing } = await send.ask<{ warehouses: ReadonlyArray<Warehouse> }>(warehouses, warehousesActorId, { _tag: "List" })
  const missing = seedWarehouses(options.warehouses).filter((w) => !existing.some((e) => e.warehouse_id === w.warehouse_id))
  await Promise.all(
    missing.map((w) =>
      send.ask(warehouses, warehousesActorId, { _tag: "Create", warehouse: { ...w, created_at: nowIso() } }).catch((e: unknown) => {
        if (reasonOf(e) !== "warehouse_exists") throw e
      })
    )
  )
}

/** The tree first (it checks parents and sibling names), then each category; returns each category's stored schema. */
const ensureCategories = async (send: Sender): Promise<ReadonlyMap<string, AttributeSchema | undefined>> => {
  await Promise.all(
    seedCategories.map((c) =>
      send.ask(categoryTree, categoryTreeActorId, { _tag: "Add", category_id: c.category_id, name: c.name, ...(c.parent_id === null ? {} : { parent_id: c.parent_id }) }).catch(
        (e: unknown) => {
          const reason = reasonOf(e)
          if (reason === "category_name_taken" || reason === "category_exists") {
            throw new SeedError(
              `the store already has a category named "${c.name}"${c.parent_id === null ? " at the top level" : ` under ${c.parent_id}`} with another id or parent than the seed's ${c.category_id}; seed an empty store`
            )
          }
          throw e
        }
      )
    )
  )
  const stored = await Promise.all(
    seedCategories.map((c) =>
      send
        .ask<Category>(category, c.category_id, {
          _tag: "Create",
          name: c.name,
          ...(c.parent_id === null ? {} : { parent_id: c.parent_id }),
          ...(c.attribute_schema === undefined ? {} : { attribute_schema: c.attribute_schema }),
          created_at: nowIso()
        })
        .catch((e: unknown) => {
          if (reasonOf(e) === "category_exists") throw new SeedError(`category ${c.category_id} exists with another name, parent or attribute schema than the seed's`)
          throw e
        })
    )
  )
  return new Map(stored.map((c) => [c.category_id, c.attribute_schema]))
}

/** The seller's user account (email claimed, user registered with the seller role), then the seller, approved. */
const ensureSeller = async (send: Sender, s: SeedSeller, passwordHash: string) => {
  const claim = await send.ask<{ user_id: string | null }>(emailIndex, s.email, { _tag: "Claim", user_id: s.user_id }).catch((e: unknown) => {
    if (reasonOf(e) === "email_taken") throw new SeedError(`the email ${s.email} belongs to another account; the seed's seller accounts need it`)
    throw e
  })
  if (claim.user_id !== s.user_id) throw new SeedError(`the email ${s.email} belongs to another account`)
  const account = await send.ask<User>(user, s.user_id, { _tag: "Get" }).catch((e: unknown) => {
    if (reasonOf(e) === "not_found") return undefined
    throw e
  })
  if (account === undefined) {
    await send.ask(user, s.user_id, {
      _tag: "Register",
      email: s.email,
      name: s.display_name,
      password_hash: passwordHash,
      roles: ["customer", "seller"],
      created_at: nowIso()
    })
  } else if (!account.roles.includes("seller")) {
    await send.ask(user, s.user_id, { _tag: "GrantRole", role: "seller" })
  }
  const registered = await send.ask<SellerView>(seller, s.seller_id, {
    _tag: "Register",
    user_id: s.user_id,
    display_name: s.display_name,
    legal_name: s.legal_name,
    country: s.country,
    registered_at: nowIso()
  })
  // Approve a new registration; a seller an operator suspended since stays suspended.
  if (registered.status === "pending_review") await send.ask(seller, s.seller_id, { _tag: "Approve", by_admin: seedOperatorId, at: nowIso() })
}

interface ProductOutcome {
  readonly skus: number
  readonly receives: number
  readonly kept: boolean
}

const listingOf = (p: SeedProduct | Product) => ({
  seller_id: p.seller_id,
  title: p.title,
  description: p.description,
  brand: p.brand,
  category_id: p.category_id,
  attributes: p.attributes,
  images: p.images,
  skus: p.skus.map((s) => ({ sku_id: s.sku_id, attributes: s.attributes, price: s.price, currency: s.currency }))
})

/**
 * Register each SKU with the seller and receive its stock where the SKU has none yet, then list the
 * product. The product is listed last, so a product that exists had its SKUs done before: a
 * repeated run only reads it (one command per product instead of six).
 */
const loadProduct = async (send: Sender, p: SeedProduct, schemas: ReadonlyMap<string, AttributeSchema | undefined>): Promise<ProductOutcome> => {
  const listed = await send.ask<Product>(product, p.product_id, { _tag: "Get" }).catch((e: unknown) => {
    if (reasonOf(e) === "not_found") return undefined
    throw e
  })
  if (listed !== undefined) return { skus: p.skus.length, receives: 0, kept: !sameJson(listingOf(listed), listingOf(p)) }
  let receives = 0
  await Promise.all(
    p.skus.map(async (s) => {
      const view = await send.ask<SkuView>(sku, s.sku_id, { _tag: "Register", seller_id: p.seller_id }).catch((e: unknown) => {
        if (reasonOf(e) === "already_registered") throw new SeedError(`SKU ${s.sku_id} of ${p.product_id} is registered to another seller than ${p.seller_id}`)
        throw e
      })
      const stocked = new Set(view.warehouses.map((w) => w.warehouse_id))
      for (const line of s.stock) {
        if (stocked.has(line.warehouse_id)) continue
        await send.ask(sku, s.sku_id, { _tag: "Receive", warehouse_id: line.warehouse_id, quantity: line.quantity, ref: `catalog-seed:${line.warehouse_id}` })
        receives++
      }
    })
  )
  const attribute_schema = schemas.get(p.category_id)
  const kept = await send
    .ask(product, p.product_id, {
      _tag: "Create",
      ...listingOf(p),
      ...(attribute_schema === undefined ? {} : { attribute_schema }),
      created_at: p.created_at
    })
    .then(
      () => false,
      (e: unknown) => {
        if (reasonOf(e) === "product_exists") return true
        if (reasonOf(e) === "invalid_attributes") throw new SeedError(`product ${p.product_id}: attributes refused: ${JSON.stringify((e as { issues?: unknown }).issues)}`)
        throw e
      }
    )
  return { skus: p.skus.length, receives, kept }
}

const rate = (n: number, ms: number) => (ms <= 0 ? 0 : Math.round((n * 1000) / ms))
const thousands = (n: number) => n.toLocaleString("en-US")

/** Load the catalog of `options` into the store `host` runs. */
export const loadCatalog = async (host: ActorHost, options: SeedOptions, settings: CatalogLoadSettings): Promise<CatalogLoadReport> => {
  const send = new Sender(host)
  const started = performance.now()
  const events0 = host.metrics.batchEvents.sum
  await ensureWarehouses(send, options)
  const schemas = await ensureCategories(send)
  await Promise.all(seedSellers.map((s) => ensureSeller(send, s, settings.sellerPasswordHash)))
  settings.log?.(`catalog seed ${options.seed}: ${seedCategories.length} categories, ${seedSellers.length} sellers, ${options.warehouses} warehouses ready; loading ${thousands(options.products)} products`)

  let next = 0
  let done = 0
  let skus = 0
  let receives = 0
  let kept = 0
  let lastLog = performance.now()
  let lastDone = 0
  const report = () => {
    const now = performance.now()
    settings.log?.(
      `  ${thousands(done)}/${thousands(options.products)} products (${Math.floor((100 * done) / Math.max(1, options.products))}%), ` +
        `${thousands(rate(done - lastDone, now - lastLog))} products/s now, ${thousands(rate(done, now - started))} products/s overall, ${thousands(send.commands)} commands`
    )
    lastLog = now
    lastDone = done
  }
  const worker = async () => {
    while (next < options.products && settings.stopRequested?.() !== true) {
      const outcome = await loadProduct(send, productAt(options, next++), schemas)
      done++
      skus += outcome.skus
      receives += outcome.receives
      if (outcome.kept) kept++
      if (settings.log !== undefined && performance.now() - lastLog >= settings.progressEveryMs) report()
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(settings.concurrency, options.products)) }, worker))
  const elapsedMs = performance.now() - started
  return {
    products: done,
    skus,
    productsKept: kept,
    receives,
    commands: send.commands,
    events: host.metrics.batchEvents.sum - events0,
    elapsedMs,
    productsPerSecond: rate(done, elapsedMs),
    commandsPerSecond: rate(send.commands, elapsedMs)
  }
}

/** True when the store has no category at all (the demo catalog goes only into such a store). */
export const storeHasNoCatalog = async (host: ActorHost): Promise<boolean> => {
  const tree = await new Sender(host).ask<{ categories: ReadonlyArray<CategoryNode> }>(categoryTree, categoryTreeActorId, { _tag: "Get" })
  return tree.categories.length === 0
}
