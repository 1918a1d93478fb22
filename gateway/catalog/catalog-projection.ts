import type { SqlClient } from "@effect/sql"
import { Cause, Effect, Exit } from "effect"
import { skuLimits } from "../../actors/inventory/sku-schema.ts"
import { StorageUnavailable } from "../../runtime/errors.ts"
import { latencyBucketsMs, type MetricsRegistry } from "../../runtime/metrics.ts"
import type { PositionStoreService } from "../../runtime/ports.ts"
import { type Projection, projectionOwner } from "../../runtime/projection.ts"
import { type CatalogFlush, writeCatalogFlush } from "../../storage/postgres/catalog-writes.ts"
import { CatalogChanges } from "./catalog-changes.ts"
import type { ProductCache } from "./product-cache.ts"
import { searchRowOf, skuRowsOf, termsOf } from "./search-document.ts"
import type { SearchIndexes } from "./search-indexes.ts"

/**
 * The catalog projection: journal events of the `product`, `sku` and `category` actors into the
 * Postgres read model, the product cache and the in-memory search indexes.
 *
 * `apply` only folds a batch into the shard's pending changes (no I/O). The runner stores a
 * shard's position after each page of batches it applied; the position store handed to the
 * runner (`positions`) first writes the shard's pending changes, so a page costs one
 * transaction however many batches it holds, and a position is never stored before the
 * changes below it are. Shards waiting at the same time are written together, one transaction
 * at a time (no two flushes of this process contend for the same rows). A failed write fails the
 * position store call; the runner then reads the page again from the stored position.
 */

export const catalogProjectionName = "catalog"

interface Waiter {
  readonly changes: CatalogChanges
  readonly resolve: () => void
  readonly reject: (error: StorageUnavailable) => void
}

export class CatalogProjection {
  private readonly pending = new Map<number, CatalogChanges>()
  private queue: Array<Waiter> = []
  private writing = false
  private readonly lagMs
  private lastLag = 0
  private writes = 0

  readonly projection: Projection = {
    name: catalogProjectionName,
    apply: (shard, batch) =>
      Effect.sync(() => {
        let changes = this.pending.get(shard)
        if (changes === undefined) this.pending.set(shard, (changes = new CatalogChanges(this.log)))
        changes.applyBatch(batch)
      })
  }

  constructor(
    private readonly sql: SqlClient.SqlClient,
    private readonly indexes: SearchIndexes,
    private readonly cache: ProductCache,
    registry: MetricsRegistry,
    private readonly log: (message: string, detail?: unknown) => void
  ) {
    this.lagMs = registry.histogram("search_index_lag_ms", "Time from a catalog event's append to its write into the read model", latencyBucketsMs).with()
    registry.gauge("search_index_last_lag_ms", "search_index_lag_ms of the last write", () => this.lastLag).with()
  }

  /** Grows with every write that may change a search answer (answers computed at one version are exact while it stays). */
  get version(): number {
    return this.writes
  }

  /** The position store for the runner: stores a shard's position only once its pending changes are written. */
  positions(inner: PositionStoreService): PositionStoreService {
    const owner = projectionOwner(catalogProjectionName)
    return {
      store: inner.store,
      get: inner.get,
      all: inner.all,
      set: (o, shard, position) => (o === owner ? Effect.zipRight(this.flush(shard), inner.set(o, shard, position)) : inner.set(o, shard, position))
    }
  }

  private flush(shard: number): Effect.Effect<void, StorageUnavailable> {
    const changes = this.pending.get(shard)
    this.pending.delete(shard)
    if (changes === undefined || changes.isEmpty) return Effect.void
    return Effect.async<void, StorageUnavailable>((resume) => {
      this.queue.push({ changes, resolve: () => resume(Effect.void), reject: (e) => resume(Effect.fail(e)) })
      void this.drain()
    })
  }

  private async drain(): Promise<void> {
    if (this.writing) return
    this.writing = true
    try {
      while (this.queue.length > 0) {
        const waiters = this.queue
        this.queue = []
        const merged = new CatalogChanges(this.log)
        for (const w of waiters) merged.merge(w.changes)
        const exit = await Effect.runPromiseExit(this.write(merged))
        if (Exit.isSuccess(exit)) for (const w of waiters) w.resolve()
        else {
          const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
          if (failure === undefined) this.log("catalog projection: writing the read model crashed; retrying", Cause.pretty(exit.cause))
          const error = failure ?? new StorageUnavailable({ store: "catalog-read-model", message: "the write crashed (logged)" })
          for (const w of waiters) w.reject(error)
        }
      }
    } finally {
      this.writing = false
    }
  }

  private write(changes: CatalogChanges): Effect.Effect<void, StorageUnavailable> {
    return Effect.suspend(() => {
      // Categories first: the search text of products filed under them uses their names.
      for (const c of changes.categories.values()) this.indexes.addCategory(c)
      const categoryTexts = [...changes.categories.keys()].flatMap((id) =>
        this.indexes.categories.subtree(id).map((sub) => ({ category_id: sub, text: this.indexes.categories.text(sub) }))
      )
      const products = [...changes.products.values()].map((c) => {
        const search = searchRowOf(c.product, c.seq, this.indexes.categories.text(c.product.category_id))
        return { change: c, search, write: { product_id: c.product.product_id, seq: c.seq, doc: c.product, skus: skuRowsOf(c.product), search } }
      })
      const counted = new Map<string, number>()
      const known = new Set<string>()
      for (const c of changes.products.values()) {
        for (const w of termsOf(c.product)) {
          if (c.created) counted.set(w, (counted.get(w) ?? 0) + 1)
          else known.add(w)
        }
      }
      const flush: CatalogFlush = {
        categories: [...changes.categories.values()],
        categoryTexts,
        products: products.map((p) => p.write),
        terms: { counted, known },
        stock: [...changes.stock.values()],
        defaultLowStockThreshold: skuLimits.defaultLowStockThreshold
      }
      return writeCatalogFlush(this.sql, flush).pipe(
        Effect.map(({ touched, searchChanged }) => {
          if (searchChanged) this.writes++
          this.indexes.addTerms(counted, known)
          for (const { change, search } of products) {
            this.indexes.addProduct(
              {
                product_id: search.product_id,
                title: search.title,
                brand: search.brand,
                category_id: search.category_id,
                attr_names: Object.keys(search.attrs),
                rating: 0,
                review_count: 0
              },
              change.created
            )
          }
          const listedSkus = products.flatMap((p) => p.change.product.skus.map((s) => s.sku_id))
          this.cache.changed(touched, listedSkus, products.length > 0)
          if (Number.isFinite(changes.oldestAtMs)) {
            this.lastLag = Math.max(0, Date.now() - changes.oldestAtMs)
            this.lagMs.observe(this.lastLag)
          }
        })
      )
    })
  }
}
