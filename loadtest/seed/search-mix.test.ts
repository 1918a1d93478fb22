import { describe, expect, it } from "vitest"
import { parseFilters } from "../../gateway/catalog/search-filters.ts"
import { searchLimits } from "../../gateway/catalog/search-plan.ts"
import { productsOf, seedCategories } from "./generate.ts"
import { autocompletePaths, searchPaths } from "./search-mix.ts"

const attributeNames = new Set(seedCategories.flatMap((c) => Object.keys(c.attribute_schema ?? {})))
const catalog = [...productsOf({ seed: 42, products: 2_000, warehouses: 3, currency: "INR" })]
const words = new Set(catalog.flatMap((p) => `${p.title} ${p.brand}`.toLowerCase().split(/[^a-z0-9']+/)))

describe("the benchmark's search mix", () => {
  it("is deterministic and every request is one the search route accepts", () => {
    const paths = searchPaths(42, 500, "INR")
    expect(searchPaths(42, 500, "INR")).toEqual(paths)
    for (const p of paths) {
      const url = new URL(p, "http://x")
      expect(url.pathname).toBe("/v1/search")
      expect([...url.searchParams.keys()].every((k) => ["q", "filters", "sort", "page"].includes(k))).toBe(true)
      expect((url.searchParams.get("q") ?? "").length).toBeLessThanOrEqual(searchLimits.maxQueryLength)
      const parsed = parseFilters(url.searchParams.get("filters") ?? undefined, (name) => attributeNames.has(name))
      expect(parsed.ok, p).toBe(true)
      const sort = url.searchParams.get("sort")
      if (sort !== null) expect(["relevance", "price_asc", "price_desc", "rating", "newest"]).toContain(sort)
    }
    const queries = paths.map((p) => new URL(p, "http://x").searchParams.get("q")).filter((q): q is string => q !== null)
    expect(queries.length).toBeGreaterThan(400)
    expect(paths.filter((p) => p.includes("filters=")).length).toBeGreaterThan(50)
  })

  it("mostly asks for words the catalog has (typos aside)", () => {
    const queries = searchPaths(42, 500, "INR").map((p) => new URL(p, "http://x").searchParams.get("q") ?? "")
    const known = queries.filter((q) => q !== "" && q.split(" ").some((w) => words.has(w)))
    expect(known.length / queries.filter((q) => q !== "").length).toBeGreaterThan(0.7)
  })

  it("types autocomplete prefixes of 1..8 letters", () => {
    const paths = autocompletePaths(42, 300)
    for (const p of paths) {
      const q = new URL(p, "http://x").searchParams.get("q")!
      expect(q.length).toBeGreaterThanOrEqual(1)
      expect(q.length).toBeLessThanOrEqual(8)
    }
    expect(new Set(paths).size).toBeGreaterThan(50)
  })
})
