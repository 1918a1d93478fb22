import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { catalogLimits } from "../../actors/catalog/fields.ts"
import type { StorageUnavailable } from "../../runtime/errors.ts"
import { latencyBucketsMs, type MetricsRegistry } from "../../runtime/metrics.ts"
import { runSearch, type SearchAnswer, type SearchMatch, type SearchSort } from "../../storage/postgres/catalog-search-sql.ts"
import { type ApiError, invalidRequest } from "../api-error.ts"
import type { CatalogReadConfig } from "./config.ts"
import { ResultCache } from "./result-cache.ts"
import { parseFilters } from "./search-filters.ts"
import type { SearchIndexes } from "./search-indexes.ts"
import { allWordsQuery, anyWordQuery, exactWordsQuery, priceBounds, resolveConditions, searchLimits, textPlan } from "./search-plan.ts"

/**
 * `GET /v1/search` and `GET /v1/search/autocomplete` (API.md, "Search").
 *
 * A query first asks for products matching every word (each word or one of its typo
 * corrections); when none does and there are several words, products matching any word, ranked
 * by how well; when still none, titles similar to the query by trigrams. An empty `q` lists by
 * the filters alone.
 *
 * One query answers the total, the facets and the first `reusedResults` results in the requested
 * order; its answer is reused (result-cache.ts) for every page within them and for the same
 * request from any client: as long as the read model has not changed since, and otherwise for
 * `searchCacheTtlMs`; it is never served more than 2 × `searchCacheTtlMs` behind the read model.
 * Autocomplete answers from memory (its index memoizes answers until it changes).
 */

export interface SearchParams {
  readonly q: string
  readonly filters: string | undefined
  readonly sort: SearchSort
  readonly page: number
  readonly pageSize: number
}

export class SearchService {
  private readonly answers: ResultCache<SearchAnswer>
  /** Whole responses by the request as sent, valid while the data version they were made from is current. */
  private readonly responses = new Map<string, { readonly version: number; readonly json: string }>()
  private readonly queryMs

  constructor(
    private readonly sql: SqlClient.SqlClient,
    private readonly indexes: SearchIndexes,
    private readonly config: CatalogReadConfig,
    registry: MetricsRegistry,
    /** Changes whenever the read model changes (catalog-projection.ts): answers of the current version are exact. */
    private readonly catalogVersion: () => number
  ) {
    const served = registry.counter("search_requests_total", "Search requests, by how they were answered")
    const outcomes = {
      fresh: served.with({ answer: "reused" }),
      stale: served.with({ answer: "reused_while_refreshing" }),
      joined: served.with({ answer: "joined_running_query" }),
      computed: served.with({ answer: "queried" })
    }
    this.answers = new ResultCache(config.searchCacheTtlMs, config.searchCacheMaxEntries, catalogVersion, (o) => outcomes[o].inc())
    this.queryMs = registry.histogram("search_query_ms", "Time of one search's database queries", latencyBucketsMs).with()
  }

  /** The answer as JSON text. */
  search(params: SearchParams): Effect.Effect<string, ApiError | StorageUnavailable> {
    // The same request again on unchanged data: its response as it was (no parsing, planning or slicing).
    const requestKey = `${params.q}\u0000${params.filters ?? ""}\u0000${params.sort}\u0000${params.page}\u0000${params.pageSize}`
    const known = this.responses.get(requestKey)
    if (known !== undefined && known.version === this.catalogVersion()) return Effect.succeed(known.json)
    return this.answer(params, requestKey)
  }

  private answer(params: SearchParams, requestKey: string): Effect.Effect<string, ApiError | StorageUnavailable> {
    if (params.page * params.pageSize > searchLimits.maxResultWindow) {
      return Effect.fail(
        invalidRequest(`page × page_size may not exceed ${searchLimits.maxResultWindow}; narrow the search instead`, [
          { path: "query.page", message: `at most ${Math.floor(searchLimits.maxResultWindow / params.pageSize)} with page_size ${params.pageSize}` }
        ])
      )
    }
    const parsed = parseFilters(params.filters, (name) => this.indexes.hasAttribute(name))
    if (!parsed.ok) return Effect.fail(invalidRequest("invalid filters", parsed.issues))
    const plan = textPlan(params.q, this.indexes.vocabulary)
    const offset = (params.page - 1) * params.pageSize
    // The first results of a query are fetched (and reused) at once for every page within them.
    const inPrefix = this.config.searchCacheTtlMs > 0 && offset + params.pageSize <= searchLimits.reusedResults
    const window = inPrefix ? { limit: searchLimits.reusedResults, offset: 0 } : { limit: params.pageSize, offset }
    const key = JSON.stringify([plan.words, parsed.conditions, params.sort, inPrefix ? "prefix" : [params.page, params.pageSize]])
    const conditions = resolveConditions(parsed.conditions, this.indexes.categories)
    const query = (match: SearchMatch) =>
      runSearch(this.sql, {
        match,
        conditions,
        sort: params.sort,
        ...window,
        facetValues: this.config.searchFacetValues,
        priceBounds,
        maxPrice: catalogLimits.maxPriceMinor
      })
    const compute = Effect.suspend(() => {
      const started = performance.now()
      const run: Effect.Effect<SearchAnswer, StorageUnavailable> =
        plan.words.length === 0
          ? query({ kind: "all" })
          : query({ kind: "fts", tsquery: allWordsQuery(plan), exact: exactWordsQuery(plan) }).pipe(
              Effect.flatMap((a) =>
                a.total > 0 || plan.words.length < 2 ? Effect.succeed(a) : query({ kind: "fts", tsquery: anyWordQuery(plan), exact: exactWordsQuery(plan) })
              ),
              Effect.flatMap((a) => (a.total > 0 || params.q.trim().length < 3 ? Effect.succeed(a) : query({ kind: "trigram", text: plan.words.join(" ") })))
            )
      return Effect.tap(run, () => this.queryMs.observe(performance.now() - started))
    })
    return this.answers.get(key, compute).pipe(
      Effect.map(({ value: answer, version }) => {
        const results = inPrefix ? answer.results.slice(offset, offset + params.pageSize) : answer.results
        const json = JSON.stringify({ results, total: answer.total, facets: answer.facets, page: params.page, page_size: params.pageSize })
        if (this.config.searchCacheTtlMs > 0) {
          this.responses.delete(requestKey)
          this.responses.set(requestKey, { version, json })
          while (this.responses.size > this.config.searchCacheMaxEntries) this.responses.delete(this.responses.keys().next().value as string)
        }
        return json
      })
    )
  }

  /** `{suggestions: [{text, product_id?}]}` as JSON text. */
  autocomplete(q: string): string {
    return JSON.stringify({ suggestions: this.indexes.autocomplete.suggest(q) })
  }
}
