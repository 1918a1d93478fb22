import { describe, expect, it } from "vitest"
import type { Cart } from "./cart.ts"
import { revalidate } from "./revalidate.ts"

const line = (n: number, quantity: number, unit_price: number) => ({ sku_id: `sku_${n}`, product_id: `p_${n}`, title: `Product ${n}`, quantity, unit_price })
const cartOf = (lines: Cart["lines"]): Cart => ({ status: "open", cart_id: "cart_AAAAAAAAAAAAAAAAAAAAAA", owner: "u_ada", currency: "EUR", lines, cleared_order_ids: [], merges: [] })

describe("revalidate", () => {
  it("an empty cart has the cart's (store) currency and a zero subtotal", () => {
    expect(revalidate(cartOf([]), new Map())).toEqual({ cart_id: "cart_AAAAAAAAAAAAAAAAAAAAAA", items: [], subtotal: 0, currency: "EUR", warnings: [] })
  })

  it("nothing changed: current prices, line totals, no warnings", () => {
    const view = revalidate(cartOf([line(1, 2, 1000), line(2, 1, 250)]), new Map([
      ["sku_1", { unit_price: 1000, available: 50, stock_status: "in_stock" }],
      ["sku_2", { unit_price: 250, available: 3, stock_status: "low_stock" }]
    ]))
    expect(view.items).toEqual([
      { ...line(1, 2, 1000), line_total: 2000, stock_status: "in_stock" },
      { ...line(2, 1, 250), line_total: 250, stock_status: "low_stock" }
    ])
    expect(view.subtotal).toBe(2250)
    expect(view.warnings).toEqual([])
  })

  it("price drift: the current price is shown and the change reported", () => {
    const view = revalidate(cartOf([line(1, 3, 1000)]), new Map([["sku_1", { unit_price: 1200, available: 10, stock_status: "in_stock" }]]))
    expect(view.items[0]).toMatchObject({ unit_price: 1200, line_total: 3600 })
    expect(view.subtotal).toBe(3600)
    expect(view.warnings).toEqual([{ code: "price_changed", sku_id: "sku_1", previous_unit_price: 1000, unit_price: 1200 }])
  })

  it("now out of stock", () => {
    const view = revalidate(cartOf([line(1, 1, 1000)]), new Map([["sku_1", { unit_price: 1000, available: 0, stock_status: "out_of_stock" }]]))
    expect(view.items[0]?.stock_status).toBe("out_of_stock")
    expect(view.warnings).toEqual([{ code: "out_of_stock", sku_id: "sku_1" }])
  })

  it("fewer available than in the line: low_stock with the numbers", () => {
    const view = revalidate(cartOf([line(1, 5, 1000)]), new Map([["sku_1", { unit_price: 900, available: 2, stock_status: "low_stock" }]]))
    expect(view.warnings).toEqual([
      { code: "price_changed", sku_id: "sku_1", previous_unit_price: 1000, unit_price: 900 },
      { code: "low_stock", sku_id: "sku_1", available: 2, quantity: 5 }
    ])
  })

  it("a SKU the catalog no longer knows: unavailable, shown at its snapshot price", () => {
    const view = revalidate(cartOf([line(1, 2, 1000)]), new Map())
    expect(view.items[0]).toMatchObject({ unit_price: 1000, line_total: 2000, stock_status: "out_of_stock" })
    expect(view.warnings).toEqual([{ code: "unavailable", sku_id: "sku_1" }])
  })

  it("the largest cart still adds up exactly", () => {
    const lines = Array.from({ length: 100 }, (_, i) => line(i, 100, 100_000_000_000))
    const view = revalidate(cartOf(lines), new Map(lines.map((l) => [l.sku_id, { unit_price: l.unit_price, available: 1000, stock_status: "in_stock" as const }])))
    expect(view.subtotal).toBe(100 * 100 * 100_000_000_000)
    expect(Number.isSafeInteger(view.subtotal)).toBe(true)
  })
})
