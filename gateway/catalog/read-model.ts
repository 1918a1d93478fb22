import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { StorageUnavailable } from "../../runtime/errors.ts"
import { Journal, type JournalService, PositionStore, type PositionStoreService } from "../../runtime/ports.ts"
import { defaultProjectionRunnerConfig, ProjectionRunner, projectionOwner } from "../../runtime/projection.ts"
import { Actors, Metrics } from "../../runtime/service.ts"
import { catalogMigrations } from "../../storage/postgres/catalog-migrations.ts"
import { loadCategories, loadProducts, productsOfSkus, scanIndexedProducts, scanProducts, scanTerms } from "../../storage/postgres/catalog-reads.ts"
import { migrate } from "../../storage/postgres/migrations.ts"
import { CatalogProjection, catalogProjectionName } from "./catalog-projection.ts"
import type { CatalogReadConfig } from "./config.ts"
import { ProductCache } from "./product-cache.ts"
import { SearchIndexes } from "./search-indexes.ts"
import { SearchService } from "./search-service.ts"

/**
 * The catalog's read side, assembled: the Postgres read model (migrated here, in whatever
 * Postgres the store uses, also when the journal is Redis), the in-memory search indexes
 * rebuilt from it, the product cache, search, and the projection runner that keeps them all
 * current. Started after the host recovered; the runner stops when the scope closes.
 */
export interface CatalogReadModel {
  readonly products: ProductCache
  readonly search: SearchService
  /**
   * For tests and tools: resolves true once the read model holds every batch appended before the
   * call (the projection's stored position of every shard has reached the journal's head then),
   * false after `timeoutMs`.
   */
  readonly caughtUp: (timeoutMs?: number) => Promise<boolean>
}

const log = (message: string, detail?: unknown) => console.error(message, detail ?? "")

/** Products read per round trip when rebuilding the in-memory indexes at start. */
const scanPageSize = 5_000

const rebuildIndexes = (sql: SqlClient.SqlClient) =>
  Effect.gen(function* () {
    const indexes = new SearchIndexes()
    for (const c of yield* loadCategories(sql)) indexes.addCategory(c)
    for (let after = ""; ; ) {
      const page = yield* scanTerms(sql, after, scanPageSize)
      indexes.addTerms(page.map((t) => [t.term, t.docs] as const))
      if (page.length < scanPageSize) break
      after = page[page.length - 1]!.term
    }
    indexes.beginBulk()
    for (let after = ""; ; ) {
      const page = yield* scanIndexedProducts(sql, after, scanPageSize)
      for (const p of page) indexes.addProduct(p, true)
      if (page.length < scanPageSize) break
      after = page[page.length - 1]!.product_id
    }
    indexes.endBulk()
    return indexes
  })

/** The actor types whose events the catalog projection applies (see CatalogChanges.applyBatch). */
const catalogActorTypes = new Set(["sku", "product", "category"])
const holdsCatalogEvents = (e: { readonly actor: string }) => catalogActorTypes.has(e.actor.slice(0, e.actor.indexOf("/")))

/** Stored positions, not the runner's own view: a position is stored only after its changes are written. */
const appliedUpToHeads = async (
  journal: JournalService,
  positions: PositionStoreService,
  runner: ProjectionRunner,
  shards: ReadonlyArray<number>,
  timeoutMs: number
): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs
  const owner = projectionOwner(catalogProjectionName)
  const heads = await Effect.runPromise(Effect.forEach(shards, (s) => journal.head(s)))
  shards.forEach((s, i) => runner.notify(s, heads[i]!))
  for (;;) {
    const stored = await Effect.runPromise(Effect.forEach(shards, (s) => positions.get(owner, s)))
    if (stored.every((p, i) => p >= heads[i]!)) return true
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 10))
  }
}

export const startCatalogReadModel = (config: CatalogReadConfig) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const journal = yield* Journal
    const positions = yield* PositionStore
    const host = yield* Actors
    const registry = yield* Metrics
    yield* migrate(catalogMigrations)
    const indexes = yield* rebuildIndexes(sql)
    const products = new ProductCache(
      { load: (ids) => loadProducts(sql, ids), productsOfSkus: (skus) => productsOfSkus(sql, skus), scan: (after, limit) => scanProducts(sql, after, limit) },
      {
        maxProducts: config.productCacheMaxProducts,
        maxAbsent: config.productCacheMaxAbsent,
        delivery: { min_days: config.deliveryMinDays, max_days: config.deliveryMaxDays }
      },
      registry
    )
    // The catalog in memory before the first request (a failed fill leaves the rest to be read on demand).
    const fillStarted = Date.now()
    const filled = yield* Effect.promise(() => products.fill())
    if (filled._tag === "Left") log("catalog: the product cache could not be filled at start; products are read on demand", filled.left.message)
    else if (filled.right >= 10_000) log(`catalog: ${filled.right} products loaded into the product cache in ${((Date.now() - fillStarted) / 1000).toFixed(1)} s`)
    const projection = new CatalogProjection(sql, indexes, products, registry, log)
    const shards = Array.from({ length: host.config.shardCount }, (_, i) => i)
    const runner = new ProjectionRunner(
      journal,
      projection.positions(positions),
      projection.projection,
      { ...defaultProjectionRunnerConfig, shards, pollEveryMs: config.pollEveryMs },
      registry,
      log
    )
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          await runner.start()
          // Woken at once only by batches that hold catalog events; the others (checkouts, payments,
          // orders, carts …) are read past by the poll, without a journal read and a position write each.
          return host.onAppend((shard, position, events) => {
            if (events.some(holdsCatalogEvents)) runner.notify(shard, position)
          })
        },
        catch: (e) => new StorageUnavailable({ store: "catalog-read-model", message: `cannot read the projection's positions: ${String(e)}` })
      }),
      (off) =>
        Effect.promise(async () => {
          off()
          await runner.stop()
        })
    )
    const model: CatalogReadModel = {
      products,
      search: new SearchService(sql, indexes, config, registry, () => projection.version),
      caughtUp: (timeoutMs = 10_000) => appliedUpToHeads(journal, positions, runner, shards, timeoutMs)
    }
    return model
  })
