/**
 * Shared by the catalog read-side suites: the read model (test/catalog-read.model.test.ts,
 * test/catalog-read.relevance.test.ts) started on real storage next to an actor host with the
 * catalog and SKU actors, and helpers that write through those actors, as the seller routes do.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { category } from "../actors/catalog/category.ts"
import { product, type ProductSku } from "../actors/catalog/product.ts"
import { sku } from "../actors/inventory/sku.ts"
import { type CatalogReadConfig, defaultCatalogReadConfig } from "../gateway/catalog/config.ts"
import { type CatalogReadModel, startCatalogReadModel } from "../gateway/catalog/read-model.ts"
import type { ActorHost } from "../runtime/host.ts"
import type { MetricsRegistry } from "../runtime/metrics.ts"
import { Actors, ActorsLive, Metrics, MetricsLive } from "../runtime/service.ts"
import { EmbeddedStorageLive } from "../storage/embedded.ts"
import { PostgresStorageLive } from "../storage/postgres/storage.ts"
import { postgresStorage, type TestStorage } from "./support/store.ts"

export type StorageKind = "postgres" | "embedded"

export interface ReadSide {
  readonly host: ActorHost
  readonly model: CatalogReadModel
  readonly registry: MetricsRegistry
  readonly sql: <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) => Promise<A>
  /** Stop the runner and the host; the storage stays (open again on it to test a restart). */
  readonly close: () => Promise<void>
}

export interface ReadSideStorage {
  readonly kind: StorageKind
  readonly layer: () => Layer.Layer<never, unknown, never> | ReturnType<typeof PostgresStorageLive> | ReturnType<typeof EmbeddedStorageLive>
  readonly cleanup: () => Promise<void>
}

export const readSideStorage = async (kind: StorageKind): Promise<ReadSideStorage> => {
  if (kind === "postgres") {
    const storage: TestStorage = await postgresStorage()
    return { kind, layer: () => PostgresStorageLive({ url: storage.env["DATABASE_URL"]!, maxConnections: 4 }), cleanup: storage.cleanup }
  }
  const dir = mkdtempSync(join(tmpdir(), "catalog-read-"))
  return {
    kind,
    layer: () => EmbeddedStorageLive({ dataDir: dir }),
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true })
      return Promise.resolve()
    }
  }
}

/** The actor host (catalog, category and SKU actors, 4 shards) and the catalog read model on `storage`. */
export const openReadSide = async (storage: ReadSideStorage, config: Partial<CatalogReadConfig> = {}): Promise<ReadSide> => {
  const live = ActorsLive([product, category, sku], { shardCount: 4, retainForProjections: ["catalog"] }).pipe(
    Layer.provideMerge(Layer.merge(storage.layer() as ReturnType<typeof PostgresStorageLive>, MetricsLive))
  )
  const scope = Effect.runSync(Scope.make())
  const context = await Effect.runPromise(Layer.buildWithScope(live, scope))
  const model = await Effect.runPromise(startCatalogReadModel({ ...defaultCatalogReadConfig, pollEveryMs: 200, ...config }).pipe(Effect.provide(context), Scope.extend(scope)))
  return {
    host: Context.get(context, Actors),
    model,
    registry: Context.get(context, Metrics),
    sql: (f) => Effect.runPromise(Effect.flatMap(SqlClient.SqlClient, f).pipe(Effect.provide(context))),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, ".000Z")

export interface CategorySpec {
  readonly category_id: string
  readonly name: string
  readonly parent_id?: string
}

export const createCategory = (host: ActorHost, c: CategorySpec) =>
  host.ask(category, c.category_id, { _tag: "Create", name: c.name, ...(c.parent_id === undefined ? {} : { parent_id: c.parent_id }), created_at: now() })

export interface ProductSpec {
  readonly product_id: string
  readonly seller_id: string
  readonly title: string
  readonly description: string
  readonly brand: string
  readonly category_id: string
  readonly attributes: Record<string, string | number | boolean>
  readonly images: ReadonlyArray<string>
  readonly skus: ReadonlyArray<ProductSku & { readonly stock?: number }>
  readonly created_at?: string
}

const listing = (p: ProductSpec) => ({
  seller_id: p.seller_id,
  title: p.title,
  description: p.description,
  brand: p.brand,
  category_id: p.category_id,
  attributes: p.attributes,
  images: p.images,
  skus: p.skus.map((s) => ({ sku_id: s.sku_id, attributes: s.attributes, price: s.price, currency: s.currency }))
})

/** List a product (its SKUs registered to the seller first, then stocked in wh_main when `stock` is given). */
export const createProduct = async (host: ActorHost, p: ProductSpec) => {
  for (const s of p.skus) {
    await host.ask(sku, s.sku_id, { _tag: "Register", seller_id: p.seller_id })
    if (s.stock !== undefined && s.stock > 0) await host.ask(sku, s.sku_id, { _tag: "Receive", warehouse_id: "wh_main", quantity: s.stock, ref: `initial-${s.sku_id}` })
  }
  return host.ask(product, p.product_id, { _tag: "Create", ...listing(p), created_at: p.created_at ?? now() })
}

export const updateProduct = (host: ActorHost, p: ProductSpec) => host.ask(product, p.product_id, { _tag: "Update", ...listing(p), updated_at: now() })

let refs = 0
export const setStock = (host: ActorHost, skuId: string, onHand: number) =>
  host.ask(sku, skuId, { _tag: "SetOnHand", warehouse_id: "wh_main", on_hand: onHand, ref: `set-${Date.now()}-${++refs}` })

export const reserve = (host: ActorHost, skuId: string, quantity: number, reservationId: string) =>
  host.ask(sku, skuId, { _tag: "Reserve", reservation_id: reservationId, quantity, expires_at_ms: Date.now() + 600_000, owner: "u_test" })

/** A simple product with one SKU per price given. */
export const simpleProduct = (id: string, overrides: Partial<ProductSpec> = {}, prices: ReadonlyArray<number> = [1000], stock = 10): ProductSpec => ({
  product_id: id,
  seller_id: "s_test",
  title: `Product ${id}`,
  description: "",
  brand: "Acme",
  category_id: "cat_misc",
  attributes: {},
  images: [],
  skus: prices.map((price, i) => ({ sku_id: `sku_${id.slice(2)}_${i}`, attributes: {}, price, currency: "INR", stock })),
  ...overrides
})
