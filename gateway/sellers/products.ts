import { Effect } from "effect"
import type { Attributes } from "../../actors/catalog/attributes.ts"
import { listingAttributeIssues, product, type Product, type ProductCommand, type ProductSku } from "../../actors/catalog/product.ts"
import { sku } from "../../actors/inventory/sku.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { type ApiError, conflict, unprocessable } from "../api-error.ts"
import { mayManage } from "../inventory/sellers.ts"
import { skuRejection } from "../inventory/sku-errors.ts"
import type { Caller } from "../route.ts"
import { listingCategory } from "./categories.ts"
import type { CatalogWriteConfig } from "./config.ts"
import { invalidAttributes, noProduct, productRejection } from "./errors.ts"
import { skuIdFor } from "./ids.ts"

/**
 * Writing a listing: check currency, category and attributes, register every SKU with the seller
 * in its SKU actor (so stock routes work for the seller at once), then create or replace the
 * product. Every step is idempotent by id, so a retry after a failure half-way completes the work.
 */

/** A listing as decoded from a request body (defaults applied). */
export interface ListingInput {
  readonly title: string
  readonly description: string
  readonly brand: string
  readonly category_id: string
  readonly attributes: Attributes
  readonly images: ReadonlyArray<string>
  readonly skus: ReadonlyArray<{
    readonly sku_id?: string | undefined
    readonly attributes: Attributes
    readonly price: number
    readonly currency?: string | undefined
  }>
}

/** Registrations of one listing's SKUs run this many at a time. */
const registerConcurrency = 8

const askProduct = (productId: string, command: ProductCommand, nowMs: number): Effect.Effect<Product, ApiError, Actors> =>
  callActor(product, productId, command, nowMs, productRejection)

/** The product, when the caller may manage it; 404 otherwise (another seller's product looks like no product). */
export const managedProduct = (caller: Caller, productId: string, nowMs: number): Effect.Effect<Product, ApiError, Actors> =>
  askProduct(productId, { _tag: "Get" }, nowMs).pipe(Effect.filterOrFail((p) => mayManage(caller, p.seller_id), noProduct))

const currencyIssues = (input: ListingInput, storeCurrency: string) =>
  input.skus.flatMap((s, i) =>
    s.currency === undefined || s.currency === storeCurrency
      ? []
      : [{ path: `body.skus.${i}.currency`, message: `the store sells in ${storeCurrency}; got ${s.currency}` }]
  )

const registerSku = (sellerId: string, skuId: string, index: number, nowMs: number) =>
  callActor(sku, skuId, { _tag: "Register", seller_id: sellerId }, nowMs, (r) =>
    r.reason === "already_registered"
      ? conflict("conflict", `${skuId} is registered to another seller`, { sku_id: skuId, path: `body.skus.${index}.sku_id` })
      : skuRejection(skuId)(r)
  )

export interface SaveListing {
  readonly mode: "create" | "update"
  readonly productId: string
  readonly sellerId: string
  readonly input: ListingInput
  /** Who sends it and with which Idempotency-Key: SKU ids not given are minted from them. */
  readonly userId: string
  readonly idempotencyKey: string | undefined
  readonly nowMs: number
}

export const saveListing = (s: SaveListing, config: CatalogWriteConfig): Effect.Effect<Product, ApiError, Actors> =>
  Effect.gen(function* () {
    const { input, nowMs } = s
    const wrongCurrency = currencyIssues(input, config.storeCurrency)
    if (wrongCurrency.length > 0) {
      return yield* Effect.fail(
        unprocessable("currency_not_supported", `prices must be in the store currency, ${config.storeCurrency}`, {
          currency: config.storeCurrency,
          issues: wrongCurrency
        })
      )
    }
    const category = yield* listingCategory(input.category_id, nowMs)
    const skus: Array<ProductSku> = input.skus.map((x, i) => ({
      sku_id: x.sku_id ?? skuIdFor(s.userId, s.idempotencyKey, s.productId, i),
      attributes: x.attributes,
      price: x.price,
      currency: config.storeCurrency
    }))
    // Checked here as well as in the product actor: a listing that will be refused registers no SKU.
    const issues = listingAttributeIssues(category.attribute_schema, { attributes: input.attributes, skus })
    if (issues.length > 0) return yield* Effect.fail(invalidAttributes(issues))
    yield* Effect.forEach(skus, (x, i) => registerSku(s.sellerId, x.sku_id, i, nowMs), { concurrency: registerConcurrency, discard: true })
    const listing = {
      seller_id: s.sellerId,
      title: input.title,
      description: input.description,
      brand: input.brand,
      category_id: input.category_id,
      attributes: input.attributes,
      images: input.images,
      skus,
      ...(category.attribute_schema === undefined ? {} : { attribute_schema: category.attribute_schema })
    }
    const at = new Date(nowMs).toISOString()
    const command: ProductCommand = s.mode === "create" ? { _tag: "Create", ...listing, created_at: at } : { _tag: "Update", ...listing, updated_at: at }
    return yield* askProduct(s.productId, command, nowMs)
  })
