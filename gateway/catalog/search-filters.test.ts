import { describe, expect, it } from "vitest"
import { filterLimits, parseFilters } from "./search-filters.ts"

const attributes = new Set(["colour", "ram_gb", "screen size", "wireless"])
const parse = (raw: string | undefined) => parseFilters(raw, (name) => attributes.has(name))
const ok = (raw: string) => {
  const r = parse(raw)
  if (!r.ok) throw new Error(`expected ${raw} to parse: ${JSON.stringify(r.issues)}`)
  return r.conditions
}
const messages = (raw: string) => {
  const r = parse(raw)
  if (r.ok) throw new Error(`expected ${raw} to be refused`)
  expect(r.issues.every((i) => i.path === "query.filters")).toBe(true)
  return r.issues.map((i) => i.message)
}

describe("search filters", () => {
  it("parses the seed's syntax: equality, strict and inclusive ranges, several values, case-insensitively", () => {
    expect(ok("brand:sony,price:<15000")).toEqual([
      { field: "brand", values: ["sony"] },
      { field: "price", op: "<", value: 15000 }
    ])
    expect(ok(" Brand : Sony | BOSE , price:>=100,price:<=2000, rating:>4.5 ")).toEqual([
      { field: "brand", values: ["sony", "bose"] },
      { field: "price", op: ">=", value: 100 },
      { field: "price", op: "<=", value: 2000 },
      { field: "rating", op: ">", value: 4.5 }
    ])
    expect(ok("price:100|200")).toEqual([{ field: "price", op: "=", values: [100, 200] }])
    expect(ok("category:cat_Phones|Audio,seller:S_1")).toEqual([
      { field: "category", values: ["cat_phones", "audio"] },
      { field: "seller", values: ["s_1"] }
    ])
    expect(ok("in_stock:TRUE")).toEqual([{ field: "in_stock", value: true }])
    expect(ok("in_stock:false,stock_status:low_stock|in_stock")).toEqual([
      { field: "in_stock", value: false },
      { field: "stock_status", values: ["low_stock", "in_stock"] }
    ])
  })

  it("takes attribute names of listed products, with equality (numbers canonical) and numeric ranges", () => {
    expect(ok("colour:Black|NAVY blue")).toEqual([{ field: "attribute", name: "colour", op: "=", values: ["black", "navy blue"] }])
    expect(ok("ram_gb:8.0")).toEqual([{ field: "attribute", name: "ram_gb", op: "=", values: ["8.0", "8"] }])
    expect(ok("Screen Size:>=6.1")).toEqual([{ field: "attribute", name: "screen size", op: ">=", value: 6.1 }])
    expect(ok("wireless:true")).toEqual([{ field: "attribute", name: "wireless", op: "=", values: ["true"] }])
    expect(ok("brand:a:b")).toEqual([{ field: "brand", values: ["a:b"] }])
  })

  it("treats an absent or blank parameter, and empty entries between commas, as no condition", () => {
    expect(ok("")).toEqual([])
    expect(parse(undefined)).toEqual({ ok: true, conditions: [] })
    expect(ok(" , brand:sony ,, ")).toEqual([{ field: "brand", values: ["sony"] }])
  })

  it("refuses what it cannot mean, one issue per bad entry, naming the entry", () => {
    expect(messages("brand")[0]).toContain('"brand": expected name:value')
    expect(messages("brand:")[0]).toContain("empty")
    expect(messages("brand:sony|")[0]).toContain("empty")
    expect(messages("brand:<sony")[0]).toContain("takes values, not ranges")
    expect(messages("price:<cheap")[0]).toContain("whole number of minor units")
    expect(messages("price:-5")[0]).toContain("whole number")
    expect(messages("price:1.5")[0]).toContain("whole number")
    expect(messages("price:<1|2")[0]).toContain("takes one value")
    expect(messages("rating:>9")[0]).toContain("0 to 5")
    expect(messages("in_stock:maybe")[0]).toContain("true or false")
    expect(messages("in_stock:<1")[0]).toContain("true or false")
    expect(messages("stock_status:sold")[0]).toContain("in_stock, low_stock, out_of_stock")
    expect(messages("brnad:sony")[0]).toContain('unknown field "brnad"')
    expect(messages("ram_gb:>lots")[0]).toContain("needs a number")
    expect(messages("{bad}:1")[0]).toContain("not a field name")
    expect(messages("price:<x,brnad:y,brand:sony")).toHaveLength(2)
  })

  it("bounds the parameter", () => {
    expect(messages("brand:" + "x".repeat(filterLimits.maxLength))[0]).toContain(`at most ${filterLimits.maxLength} characters`)
    expect(messages(Array.from({ length: filterLimits.maxConditions + 1 }, () => "brand:x").join(","))[0]).toContain("conditions")
    expect(messages("brand:" + Array.from({ length: filterLimits.maxValuesPerCondition + 1 }, (_, i) => `b${i}`).join("|"))[0]).toContain("values")
    expect(messages("brand:" + "x".repeat(filterLimits.maxValueLength + 1))[0]).toContain("longer than")
  })
})
