import { describe, expect, it } from "vitest"
import { AutocompleteIndex, autocompleteLimits } from "./autocomplete-index.ts"

const index = () => {
  const ix = new AutocompleteIndex()
  ix.put("category:cat_hp", "category", "Headphones", 3)
  ix.put("category:cat_home", "category", "Home & Kitchen", 1)
  ix.put("brand:sony", "brand", "Sony", 2)
  ix.put("brand:sonos", "brand", "Sonos", 1)
  ix.put("product:p_1", "product", "Sony WH-1000XM5 Wireless Headphones", 100, "p_1")
  ix.put("product:p_2", "product", "Bose QuietComfort Headphones", 500, "p_2")
  ix.put("product:p_3", "product", "Sony WF-1000XM5 Earbuds", 10, "p_3")
  return ix
}

describe("autocomplete index", () => {
  it("suggests categories, then brands, then products, each by weight, matching any word's prefix", () => {
    expect(index().suggest("head")).toEqual([
      { text: "Headphones" },
      { text: "Bose QuietComfort Headphones", product_id: "p_2" },
      { text: "Sony WH-1000XM5 Wireless Headphones", product_id: "p_1" }
    ])
    expect(index().suggest("so")).toEqual([
      { text: "Sony" },
      { text: "Sonos" },
      { text: "Sony WH-1000XM5 Wireless Headphones", product_id: "p_1" },
      { text: "Sony WF-1000XM5 Earbuds", product_id: "p_3" }
    ])
  })

  it("needs every word typed to start some word of the text, case-insensitively", () => {
    expect(index().suggest("SONY wh")).toEqual([{ text: "Sony WH-1000XM5 Wireless Headphones", product_id: "p_1" }])
    expect(index().suggest("1000 ear")).toEqual([{ text: "Sony WF-1000XM5 Earbuds", product_id: "p_3" }])
    expect(index().suggest("kitchen h")).toEqual([{ text: "Home & Kitchen" }])
    expect(index().suggest("ony")).toEqual([])
    expect(index().suggest("  ")).toEqual([])
  })

  it("follows replacements and removals, and forgets memoized answers when it changes", () => {
    const ix = index()
    expect(ix.suggest("bose")).toHaveLength(1)
    ix.put("product:p_2", "product", "Bose Ultra Open Earbuds", 500, "p_2")
    expect(ix.suggest("head")).toEqual([{ text: "Headphones" }, { text: "Sony WH-1000XM5 Wireless Headphones", product_id: "p_1" }])
    expect(ix.suggest("ultra")).toEqual([{ text: "Bose Ultra Open Earbuds", product_id: "p_2" }])
    ix.remove("product:p_2")
    expect(ix.suggest("ultra")).toEqual([])
    ix.bump("brand:sonos", "brand", "Sonos", 5)
    expect(ix.suggest("son").slice(0, 2)).toEqual([{ text: "Sonos" }, { text: "Sony" }])
    expect(ix.size).toBe(6)
  })

  it(`answers at most ${autocompleteLimits.maxSuggestions}, each text once`, () => {
    const ix = new AutocompleteIndex()
    for (let i = 0; i < 50; i++) ix.put(`product:p_${i}`, "product", `Cable ${i % 20}`, i, `p_${i}`)
    const answer = ix.suggest("cab")
    expect(answer).toHaveLength(autocompleteLimits.maxSuggestions)
    expect(new Set(answer.map((s) => s.text)).size).toBe(answer.length)
    expect(answer[0]).toEqual({ text: "Cable 9", product_id: "p_49" })
  })

  it("a bulk load (appended, sorted once at the end) answers as one-by-one puts do", () => {
    const bulk = new AutocompleteIndex()
    bulk.beginBulk()
    bulk.put("category:cat_hp", "category", "Headphones", 3)
    bulk.put("category:cat_home", "category", "Home & Kitchen", 1)
    bulk.put("brand:sony", "brand", "Sony", 2)
    bulk.put("brand:sonos", "brand", "Sonos", 1)
    bulk.put("product:p_3", "product", "Sony WF-1000XM5 Earbuds", 10, "p_3")
    bulk.put("product:p_1", "product", "Sony WH-1000XM5 Wireless Headphones", 100, "p_1")
    bulk.put("product:p_9", "product", "Gone", 1, "p_9")
    bulk.put("product:p_2", "product", "Bose QuietComfort Headphones", 500, "p_2")
    bulk.remove("product:p_9")
    bulk.endBulk()
    for (const q of ["head", "so", "s", "sony head", "bo", "gone"]) expect(bulk.suggest(q)).toEqual(index().suggest(q))
  })
})
