/**
 * Search relevance against the real read model: the catalog of test/fixtures/search-catalog.json
 * (a few hundred products across categories and brands, with variants and stock) listed through
 * the actors, then every query of test/fixtures/search-relevance.json (misspellings included)
 * must rank the products a shopper expects where it says. Runs on Postgres, or on embedded
 * PGlite with STORE_TEST_STORAGE=embedded.
 */
import { readFileSync } from "node:fs"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createCategory, type CategorySpec, createProduct, openReadSide, type ProductSpec, type ReadSide, readSideStorage, type ReadSideStorage } from "./catalog-read.support.ts"
import { pool } from "./support/inventory.ts"

interface Expectation {
  readonly q: string
  readonly filters?: string
  readonly sort?: "relevance" | "price_asc" | "price_desc" | "rating" | "newest"
  readonly first?: string
  readonly top?: ReadonlyArray<string>
  readonly within?: number
  readonly none?: boolean
  readonly typo?: string
}

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"))
const catalog = fixture("search-catalog.json") as { categories: ReadonlyArray<CategorySpec>; products: ReadonlyArray<ProductSpec> }
const queries = (fixture("search-relevance.json") as { queries: ReadonlyArray<Expectation> }).queries

describe("search relevance", () => {
  let storage: ReadSideStorage
  let side: ReadSide

  beforeAll(async () => {
    storage = await readSideStorage(process.env["STORE_TEST_STORAGE"] === "embedded" ? "embedded" : "postgres")
    side = await openReadSide(storage, { searchCacheTtlMs: 0 })
    for (const c of catalog.categories) await createCategory(side.host, c)
    await pool(catalog.products, 16, (p) => createProduct(side.host, p))
    expect(await side.model.caughtUp(30_000)).toBe(true)
  }, 180_000)
  afterAll(async () => {
    await side?.close()
    await storage?.cleanup()
  })

  it("has the whole fixture catalog and at least 30 queries, misspellings among them", async () => {
    const all = JSON.parse(await Effect.runPromise(side.model.search.search({ q: "", filters: undefined, sort: "newest", page: 1, pageSize: 1 })))
    expect(all.total).toBe(catalog.products.length)
    expect(catalog.products.length).toBeGreaterThanOrEqual(200)
    expect(queries.length).toBeGreaterThanOrEqual(30)
    expect(queries.filter((q) => q.typo !== undefined).length).toBeGreaterThanOrEqual(10)
    const ids = new Set(catalog.products.map((p) => p.product_id))
    for (const q of queries) for (const id of [...(q.top ?? []), ...(q.first === undefined ? [] : [q.first])]) expect(ids.has(id), `${q.q}: ${id}`).toBe(true)
  })

  it.each(queries.map((q) => [`${q.q}${q.filters === undefined ? "" : ` [${q.filters}]`}`, q] as const))("%s", async (_, q) => {
    const within = q.within ?? 5
    const answer = JSON.parse(
      await Effect.runPromise(side.model.search.search({ q: q.q, filters: q.filters, sort: q.sort ?? "relevance", page: 1, pageSize: Math.max(within, 5) }))
    ) as { total: number; results: Array<{ product_id: string }> }
    const got = answer.results.map((r) => r.product_id)
    if (q.none === true) expect(got).toEqual([])
    if (q.first !== undefined) expect(got[0], JSON.stringify(got)).toBe(q.first)
    for (const id of q.top ?? []) expect(got.slice(0, within), id).toContain(id)
  })
})
