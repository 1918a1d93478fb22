import { Effect, Either, Exit } from "effect"
import { StorageUnavailable } from "../../runtime/errors.ts"
import type { Counter } from "../../runtime/metrics.ts"
import type { MetricsRegistry } from "../../runtime/metrics.ts"
import type { StoredProduct } from "../../storage/postgres/catalog-reads.ts"
import type { CatalogReader, SkuListing } from "./catalog-reader.ts"
import { type CachedProduct, cachedProductOf, type DeliveryEstimate } from "./product-view.ts"

/**
 * Products in memory, so a product page or a cart line costs no database round trip once read.
 *
 * A bounded LRU of product pages (serialized once) and their SKU listings, plus bounded LRUs of
 * ids known to be absent. The catalog projection calls `changed` after each flush it wrote:
 * cached products it touched are re-read (the old page is served until the new one is in), and
 * absent ids it touched are forgotten. A read that was in flight while its product changed
 * answers its caller but is not cached, so the cache never keeps a page older than the last
 * change it was told of.
 *
 * `fill` loads the whole catalog at start (up to `maxProducts`), so product pages and cart lines
 * are map lookups from the first request on. A cache that holds the whole catalog ("complete")
 * also reads the products a change names that it does not hold yet (new products), so it stays
 * complete.
 */

export interface ProductSource {
  readonly load: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<StoredProduct>, StorageUnavailable>
  readonly productsOfSkus: (skuIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, string>, StorageUnavailable>
  /** Up to `limit` products with ids after `after`, in id order (filling the cache at start). */
  readonly scan?: (after: string, limit: number) => Effect.Effect<ReadonlyArray<StoredProduct>, StorageUnavailable>
}

export interface ProductCacheConfig {
  /** Products kept (LRU). */
  readonly maxProducts: number
  /** Product ids and SKU ids known to be absent, kept each (LRU). */
  readonly maxAbsent: number
  readonly delivery: DeliveryEstimate
}

interface Load {
  /** "all": a scan, whose rows are not known before they arrive. */
  readonly products: ReadonlySet<string> | "all"
  /** Products changed while this load ran: its result for them must not be cached. */
  readonly stale: Set<string>
  /** A SKU-to-product lookup: any listing change makes it stale. */
  readonly skuLookup: boolean
  skusStale: boolean
}

const run = <A>(effect: Effect.Effect<A, StorageUnavailable>): Promise<Either.Either<A, StorageUnavailable>> =>
  Effect.runPromiseExit(effect).then((exit) => {
    if (Exit.isSuccess(exit)) return Either.right(exit.value)
    const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    if (failure instanceof StorageUnavailable) return Either.left(failure)
    throw new Error(`product cache: unexpected failure: ${String(exit.cause)}`)
  })

/**
 * An LRU set/map on a Map's insertion order. Recency is tracked only once the map is 90 % full:
 * below that nothing is evicted soon, and a hit is a plain lookup (no reordering of a map that may
 * hold the whole catalog).
 */
class Lru<V> {
  readonly map = new Map<string, V>()
  private readonly touchFrom: number
  constructor(
    private readonly max: number,
    private readonly onEvict: (key: string, value: V) => void = () => {}
  ) {
    this.touchFrom = Math.floor(max * 0.9)
  }
  get(key: string): V | undefined {
    const v = this.map.get(key)
    if (v === undefined || this.map.size < this.touchFrom) return v
    this.map.delete(key)
    this.map.set(key, v)
    return v
  }
  has(key: string): boolean {
    return this.map.has(key)
  }
  set(key: string, value: V): void {
    const before = this.map.get(key)
    if (before !== undefined) {
      this.map.delete(key)
      this.onEvict(key, before)
    }
    this.map.set(key, value)
    while (this.map.size > this.max) {
      const [oldest, v] = this.map.entries().next().value as [string, V]
      this.map.delete(oldest)
      this.onEvict(oldest, v)
    }
  }
  delete(key: string): void {
    const v = this.map.get(key)
    if (v === undefined) return
    this.map.delete(key)
    this.onEvict(key, v)
  }
}

export class ProductCache implements CatalogReader {
  private readonly products: Lru<CachedProduct>
  private readonly absentProducts: Lru<true>
  private readonly absentSkus: Lru<true>
  /** SKU → product, for the products in the cache. */
  private readonly skuOwner = new Map<string, string>()
  private readonly loads = new Set<Load>()
  private readonly pending = new Map<string, Promise<Either.Either<CachedProduct | null, StorageUnavailable>>>()
  private readonly hits: Counter
  private readonly misses: Counter
  /** Every product of the read model is held (a fill reached the end of the catalog within `maxProducts`). */
  private complete = false

  constructor(
    private readonly source: ProductSource,
    private readonly config: ProductCacheConfig,
    registry: MetricsRegistry
  ) {
    this.products = new Lru(config.maxProducts, (_, cached) => {
      for (const l of cached.listings) if (this.skuOwner.get(l.sku_id) === cached.productId) this.skuOwner.delete(l.sku_id)
    })
    this.absentProducts = new Lru(config.maxAbsent)
    this.absentSkus = new Lru(config.maxAbsent)
    const lookups = registry.counter("product_cache_lookups_total", "Product reads by the product cache, by outcome")
    this.hits = lookups.with({ outcome: "hit" })
    this.misses = lookups.with({ outcome: "miss" })
    registry.gauge("product_cache_entries", "Products held by the product cache", () => this.products.map.size).with()
  }

  /** The cached page, or undefined (not cached, or known absent: see `isKnownAbsent`). Never waits. */
  peek(productId: string): CachedProduct | undefined {
    const hit = this.products.get(productId)
    if (hit !== undefined) this.hits.inc()
    return hit
  }

  isKnownAbsent(productId: string): boolean {
    return this.absentProducts.get(productId) !== undefined
  }

  /** The product (null when the read model has none), from the cache or read once however many ask at once. */
  get(productId: string): Effect.Effect<CachedProduct | null, StorageUnavailable> {
    const hit = this.peek(productId)
    if (hit !== undefined) return Effect.succeed(hit)
    if (this.isKnownAbsent(productId)) return Effect.succeed(null)
    return this.fromPromise(() => this.fetchOne(productId))
  }

  skus(skuIds: ReadonlyArray<string>): Effect.Effect<ReadonlyMap<string, SkuListing>, StorageUnavailable> {
    const out = new Map<string, SkuListing>()
    const unknown: Array<string> = []
    for (const skuId of new Set(skuIds)) {
      const owner = this.skuOwner.get(skuId)
      const listing = owner === undefined ? undefined : this.products.get(owner)?.listings.find((l) => l.sku_id === skuId)
      if (listing !== undefined) {
        this.hits.inc()
        out.set(skuId, listing)
      } else if (!this.absentSkus.has(skuId)) unknown.push(skuId)
    }
    if (unknown.length === 0) return Effect.succeed(out)
    return this.fromPromise(async () => {
      const looked = await this.lookupSkus(unknown)
      if (Either.isLeft(looked)) return Either.left(looked.left)
      const wanted = new Set(unknown)
      const owners = [...new Set(looked.right.values())]
      const fetched = await Promise.all(owners.map((id) => this.fetchOne(id)))
      for (const f of fetched) {
        if (Either.isLeft(f)) return Either.left(f.left)
        for (const l of f.right?.listings ?? []) if (wanted.has(l.sku_id)) out.set(l.sku_id, l)
      }
      return Either.right(out as ReadonlyMap<string, SkuListing>)
    })
  }

  /**
   * The projection wrote changes to these products (listing or stock). Forget what is known absent,
   * mark reads in flight stale, and re-read the cached ones. `listingChanged`: some listing (not
   * only stock) changed, so SKU lookups in flight are stale too.
   */
  changed(productIds: ReadonlyArray<string>, skuIds: ReadonlyArray<string>, listingChanged: boolean): void {
    for (const load of this.loads) {
      for (const id of productIds) if (load.products === "all" || load.products.has(id)) load.stale.add(id)
      if (listingChanged && load.skuLookup) load.skusStale = true
    }
    for (const sku of skuIds) this.absentSkus.delete(sku)
    const refresh: Array<string> = []
    for (const id of productIds) {
      this.absentProducts.delete(id)
      if (this.complete || this.products.has(id)) refresh.push(id)
    }
    if (refresh.length === 0) return
    void this.fetch(refresh).then((result) => {
      // A failed re-read must not leave old pages in place for good.
      if (Either.isLeft(result)) for (const id of refresh) this.products.delete(id)
    })
  }

  /**
   * Load the catalog's products, `pageSize` at a time in id order, until the cache is full or the
   * catalog ends (then the cache is complete). A product that changes while its page is read is
   * left out (read on demand later). Answers how many products were loaded.
   */
  async fill(pageSize = 2_000): Promise<Either.Either<number, StorageUnavailable>> {
    const scan = this.source.scan
    if (scan === undefined) return Either.right(0)
    let loaded = 0
    for (let after = ""; ; ) {
      const room = this.config.maxProducts - this.products.map.size
      if (room <= 0) return Either.right(loaded)
      const load: Load = { products: "all", stale: new Set(), skuLookup: false, skusStale: false }
      this.loads.add(load)
      try {
        const page = await run(scan(after, Math.min(pageSize, room)))
        if (Either.isLeft(page)) return Either.left(page.left)
        for (const row of page.right) {
          if (load.stale.has(row.product_id) || this.products.has(row.product_id)) continue
          this.insert(cachedProductOf(row, this.config.delivery))
          loaded++
        }
        if (page.right.length < Math.min(pageSize, room)) {
          this.complete = this.products.map.size < this.config.maxProducts
          return Either.right(loaded)
        }
        after = page.right[page.right.length - 1]!.product_id
      } finally {
        this.loads.delete(load)
      }
    }
  }

  private fromPromise<A>(start: () => Promise<Either.Either<A, StorageUnavailable>>): Effect.Effect<A, StorageUnavailable> {
    return Effect.async<A, StorageUnavailable>((resume) => {
      start().then(
        (result) => resume(Either.isRight(result) ? Effect.succeed(result.right) : Effect.fail(result.left)),
        (defect: unknown) => resume(Effect.die(defect))
      )
    })
  }

  private fetchOne(productId: string): Promise<Either.Either<CachedProduct | null, StorageUnavailable>> {
    const inFlight = this.pending.get(productId)
    if (inFlight !== undefined) return inFlight
    this.misses.inc()
    const promise = this.fetch([productId])
      .then((r) => Either.map(r, (found) => found.get(productId) ?? null))
      .finally(() => this.pending.delete(productId))
    this.pending.set(productId, promise)
    return promise
  }

  private async fetch(ids: ReadonlyArray<string>): Promise<Either.Either<ReadonlyMap<string, CachedProduct | null>, StorageUnavailable>> {
    const load: Load = { products: new Set(ids), stale: new Set(), skuLookup: false, skusStale: false }
    this.loads.add(load)
    try {
      const rows = await run(this.source.load(ids))
      if (Either.isLeft(rows)) return Either.left(rows.left)
      const found = new Map<string, CachedProduct | null>()
      for (const row of rows.right) {
        const cached = cachedProductOf(row, this.config.delivery)
        found.set(cached.productId, cached)
        if (!load.stale.has(cached.productId)) this.insert(cached)
      }
      for (const id of ids) {
        if (found.has(id)) continue
        found.set(id, null)
        if (!load.stale.has(id)) {
          this.products.delete(id)
          this.absentProducts.set(id, true)
        }
      }
      return Either.right(found)
    } finally {
      this.loads.delete(load)
    }
  }

  private async lookupSkus(skuIds: ReadonlyArray<string>): Promise<Either.Either<ReadonlyMap<string, string>, StorageUnavailable>> {
    const load: Load = { products: new Set(), stale: new Set(), skuLookup: true, skusStale: false }
    this.loads.add(load)
    try {
      const owners = await run(this.source.productsOfSkus(skuIds))
      if (Either.isRight(owners) && !load.skusStale) for (const sku of skuIds) if (!owners.right.has(sku)) this.absentSkus.set(sku, true)
      return owners
    } finally {
      this.loads.delete(load)
    }
  }

  private insert(cached: CachedProduct) {
    this.products.set(cached.productId, cached)
    // Full: the next product in evicts one, so the cache no longer holds the whole catalog.
    if (this.products.map.size >= this.config.maxProducts) this.complete = false
    this.absentProducts.delete(cached.productId)
    for (const l of cached.listings) {
      this.skuOwner.set(l.sku_id, cached.productId)
      this.absentSkus.delete(l.sku_id)
    }
  }
}
