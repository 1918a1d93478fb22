/** Catalog read-side settings (README, "Configuration"). Units are last in the names. */
export interface CatalogReadConfig {
  /**
   * Products the in-process product cache keeps (LRU), loaded at start. Env `PRODUCT_CACHE_MAX_PRODUCTS`,
   * default 200000: a catalog of that size is served from memory alone (about 2 KB per product).
   */
  readonly productCacheMaxProducts: number
  /** Unknown product ids and unlisted SKU ids remembered, each (LRU). Env `PRODUCT_CACHE_MAX_ABSENT`, default 20000. */
  readonly productCacheMaxAbsent: number
  /**
   * How long a search answer is reused for the same query, filters and sort, in ms (0: never); an
   * answer is served at most twice this old (refreshed in the background after this long). Env
   * `SEARCH_CACHE_TTL_MS`, default 300: with the projection's own lag (tens of ms under normal
   * load) a change is searchable within the 1 s API.md allows.
   */
  readonly searchCacheTtlMs: number
  /** Search answers kept for reuse (LRU). Env `SEARCH_CACHE_MAX_ENTRIES`, default 2000. */
  readonly searchCacheMaxEntries: number
  /** Values listed per brand and category facet, most frequent first. Env `SEARCH_FACET_VALUES`, default 20. */
  readonly searchFacetValues: number
  /** The `delivery_estimate` of product pages, days. Env `DELIVERY_ESTIMATE_MIN_DAYS` (default 2) and `DELIVERY_ESTIMATE_MAX_DAYS` (default 5). */
  readonly deliveryMinDays: number
  readonly deliveryMaxDays: number
  /** Every journal shard is re-read at least this often by the catalog projection (appends of other processes). Env `CATALOG_POLL_EVERY_MS`, default 1000. */
  readonly pollEveryMs: number
}

export const defaultCatalogReadConfig: CatalogReadConfig = {
  productCacheMaxProducts: 200_000,
  productCacheMaxAbsent: 20_000,
  searchCacheTtlMs: 300,
  searchCacheMaxEntries: 2_000,
  searchFacetValues: 20,
  deliveryMinDays: 2,
  deliveryMaxDays: 5,
  pollEveryMs: 1_000
}

const int = (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number => {
  const raw = env[name]
  if (raw === undefined || raw === "") return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in ${min}..${max}, got "${raw}"`)
  return n
}

export const catalogReadConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): CatalogReadConfig => {
  const d = defaultCatalogReadConfig
  const config: CatalogReadConfig = {
    productCacheMaxProducts: int(env, "PRODUCT_CACHE_MAX_PRODUCTS", d.productCacheMaxProducts, 1, 10_000_000),
    productCacheMaxAbsent: int(env, "PRODUCT_CACHE_MAX_ABSENT", d.productCacheMaxAbsent, 1, 10_000_000),
    searchCacheTtlMs: int(env, "SEARCH_CACHE_TTL_MS", d.searchCacheTtlMs, 0, 450),
    searchCacheMaxEntries: int(env, "SEARCH_CACHE_MAX_ENTRIES", d.searchCacheMaxEntries, 1, 1_000_000),
    searchFacetValues: int(env, "SEARCH_FACET_VALUES", d.searchFacetValues, 1, 1_000),
    deliveryMinDays: int(env, "DELIVERY_ESTIMATE_MIN_DAYS", d.deliveryMinDays, 0, 365),
    deliveryMaxDays: int(env, "DELIVERY_ESTIMATE_MAX_DAYS", d.deliveryMaxDays, 0, 365),
    pollEveryMs: int(env, "CATALOG_POLL_EVERY_MS", d.pollEveryMs, 50, 60_000)
  }
  if (config.deliveryMaxDays < config.deliveryMinDays) throw new Error("DELIVERY_ESTIMATE_MAX_DAYS must be at least DELIVERY_ESTIMATE_MIN_DAYS")
  return config
}
