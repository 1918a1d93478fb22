import { describe, expect, it } from "vitest"
import { defaultStoreTables } from "./default-store-tables.ts"
import { flatTables, line, quoted } from "./pricing-fixtures.ts"
import { jurisdictionFor, lineRateBps, taxOn } from "./tax.ts"

const tax = defaultStoreTables.tax

describe("tax rates by place", () => {
  it.each([
    ["IN", "Karnataka", ["KA", "Karnataka"]],
    ["IN", "  karnataka ", ["KA", "Karnataka"]],
    ["IN", "KA", ["KA", "Karnataka"]],
    ["IN", "tamil   nadu", ["TN", "Tamil Nadu"]],
    ["US", "california", ["CA", "California"]]
  ])("%s / %j → the region's entry (case and spaces do not matter)", (country, region, regions) => {
    expect(jurisdictionFor(tax, { country, region })?.regions).toEqual(regions)
  })

  it("a region without an entry gets its country's; a country without one is not taxed", () => {
    expect(jurisdictionFor(tax, { country: "IN", region: "Goa" })).toMatchObject({ country: "IN", default_rate_bps: 1800 })
    expect(jurisdictionFor(tax, { country: "IN", region: "Goa" })?.regions).toBeUndefined()
    expect(jurisdictionFor(tax, { country: "FR", region: "Paris" })).toBeUndefined()
    expect(lineRateBps(undefined, ["cat_phones"])).toBe(0)
  })

  it("a region's own rate beats its country's (Kerala's illustrative cess)", () => {
    expect(jurisdictionFor(tax, { country: "IN", region: "Kerala" })?.default_rate_bps).toBe(1900)
  })

  it("the nearest category with a rate wins, else the default", () => {
    const india = jurisdictionFor(tax, { country: "IN", region: "Goa" })
    expect(lineRateBps(india, ["cat_fiction", "cat_books"])).toBe(0)
    expect(lineRateBps(india, ["cat_snacks", "cat_grocery"])).toBe(500)
    expect(lineRateBps(india, ["cat_phones", "cat_electronics"])).toBe(1800)
    const withChildRate = { ...india!, category_rates: [{ category_id: "cat_fiction", rate_bps: 1200 }, { category_id: "cat_books", rate_bps: 0 }] }
    expect(lineRateBps(withChildRate, ["cat_fiction", "cat_books"])).toBe(1200)
    expect(lineRateBps(withChildRate, ["cat_childrens_books", "cat_books"])).toBe(0)
  })
})

describe("tax on an amount", () => {
  it.each([
    [10_000, 1800, false, 1800],
    [999, 1800, false, 180], // 179.82 → 180
    [25, 200, false, 1], // 0.5 → 1 (half up)
    [24, 200, false, 0], // 0.48 → 0
    [11_800, 1800, true, 1800], // the part of 118.00 that is 18 % tax
    [100, 1800, true, 15], // 15.25 → 15
    [0, 1800, true, 0],
    [12_345, 0, false, 0]
  ])("taxOn(%i, %i bps, inclusive %s) = %i", (amount, rate, inclusive, expected) => {
    expect(taxOn(amount, rate, inclusive)).toBe(expected)
  })
})

describe("tax in a quote", () => {
  it("exclusive prices: tax per line after discounts, plus tax on shipping, added to the total", () => {
    const q = quoted({ lines: [line(1, { unit_base_price: 999, quantity: 3 }), line(2, { category_id: "cat_books", category_ancestor_ids: [], unit_base_price: 50_000 })] })
    // line 1: 2997 × 18 % = 539.46 → 539; line 2: books, 0 %; shipping 5000 × 18 % = 900
    expect(q.lines.map((l) => [l.tax_rate_bps, l.tax])).toEqual([
      [1800, 539],
      [0, 0]
    ])
    expect(q).toMatchObject({ subtotal: 52_997, discount: 0, shipping: 5000, shipping_tax: 900, tax: 1439, total: 52_997 + 5000 + 1439, prices_include_tax: false })
  })

  it("inclusive prices: tax is the included part and is not added", () => {
    const q = quoted({ lines: [line(1, { unit_base_price: 11_800 })], tables: flatTables({ inclusive: true }) })
    expect(q).toMatchObject({ subtotal: 11_800, shipping: 5000, tax: 1800 + 763, shipping_tax: 763, total: 16_800, prices_include_tax: true })
    expect(q.lines[0]).toMatchObject({ tax: 1800, line_total: 11_800 })
  })

  it("an untaxed destination has no tax at all", () => {
    const q = quoted({ destination: { country: "FR", region: "Île-de-France" } })
    expect(q).toMatchObject({ tax: 0, shipping_tax: 0, shipping_option_id: "standard", shipping: 50_000 })
  })
})
