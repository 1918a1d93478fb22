import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { defaultStoreTables } from "./default-store-tables.ts"
import { coupon, line, promotion, quoted, rejected } from "./pricing-fixtures.ts"
import { Quote } from "./quote-schema.ts"

describe("a quote, worked by hand", () => {
  it("default tables: Bengaluru → Pune, a phone and two books, a member discount, a coupon", () => {
    const q = quoted({
      tables: defaultStoreTables,
      destination: { country: "IN", region: "Maharashtra" },
      shopper: { user_id: "u_AAAAAAAAAAAAAAAAAAAAAA", member_tier: "gold" },
      lines: [
        line(1, { unit_base_price: 1_499_900, unit_weight_grams: 400 }),
        line(2, { category_id: "cat_fiction", category_ancestor_ids: ["cat_books"], seller_id: "s_pages", unit_base_price: 39_900, seller_price: 34_900, quantity: 2, unit_weight_grams: 350 })
      ],
      promotions: [promotion({ promotion_id: "promo_gold", name: "Gold members: 5 % off", kind: "item_percentage", percent_bps: 500, member_tiers: ["gold"] })],
      coupon: coupon({ code: "BOOKS100", benefit: { kind: "order_fixed", amount: 10_000, target: { category_ids: ["cat_books"] } } })
    })
    // subtotal: 1,499,900 + 2 × 34,900 = 1,569,700
    // gold 5 %: phone 74,995; books 3,490 → 78,485
    // coupon ₹100 on books: 66,310 − 10,000 = 56,310 left on the books
    // merchandise 1,569,700 − 88,485 = 1,481,215 ≥ ₹499: standard national shipping is free; express 1.1 kg = ₹149 + 2 × ₹50
    // tax: phone 1,424,905 × 18 % = 256,482.9 → 256,483; books 0 %; shipping 0
    expect(q).toMatchObject({
      currency: "INR",
      subtotal: 1_569_700,
      discount: 88_485,
      shipping: 0,
      shipping_discount: 6000 + 2 * 3000,
      shipping_option_id: "standard",
      eta_days: 4,
      tax: 256_483,
      shipping_tax: 0,
      total: 1_569_700 - 88_485 + 256_483,
      coupon: { code: "BOOKS100", applied: true, amount: 10_000, reason: null }
    })
    expect(q.shipping_options).toEqual([
      { shipping_option_id: "standard", name: "Standard delivery", price: 0, eta_days: 4 },
      { shipping_option_id: "express", name: "Express delivery", price: 14_900 + 2 * 5_000, eta_days: 2 }
    ])
    expect(q.lines).toEqual([
      { sku_id: "sku_1", product_id: "p_1", quantity: 1, unit_base_price: 1_499_900, unit_price: 1_499_900, flash_sale_id: null, line_subtotal: 1_499_900, discount: 74_995, tax_rate_bps: 1800, tax: 256_483, line_total: 1_424_905 + 256_483 },
      { sku_id: "sku_2", product_id: "p_2", quantity: 2, unit_base_price: 39_900, unit_price: 34_900, flash_sale_id: null, line_subtotal: 69_800, discount: 13_490, tax_rate_bps: 0, tax: 0, line_total: 56_310 }
    ])
    expect(q.applied).toEqual([
      { source: "promotion", id: "promo_gold", name: "Gold members: 5 % off", kind: "item_percentage", level: "item", amount: 78_485 },
      { source: "coupon", id: "BOOKS100", name: "BOOKS100", kind: "order_fixed", level: "order", amount: 10_000 }
    ])
  })

  it("express chosen: its price and tax on it", () => {
    const q = quoted({ tables: defaultStoreTables, destination: { country: "IN", region: "Maharashtra" }, shipping_option_id: "express", lines: [line(1, { unit_base_price: 20_000 })] })
    expect(q).toMatchObject({ subtotal: 20_000, shipping: 14_900, shipping_tax: 2682, tax: 3600 + 2682, total: 20_000 + 14_900 + 6282, eta_days: 2 })
  })

  it("rounding: half up once per line; an order discount split so the parts add up exactly", () => {
    const q = quoted({
      lines: [line(1, { unit_base_price: 1 }), line(2, { unit_base_price: 1 }), line(3, { unit_base_price: 1 })],
      promotions: [promotion({ kind: "order_fixed", amount: 2 })]
    })
    expect(q.lines.map((l) => l.discount)).toEqual([1, 1, 0])
    // 1 × 18 % = 0.18 → 0 per line: tax is rounded per line, not on the sum
    expect(q.lines.map((l) => l.tax)).toEqual([0, 0, 0])
    expect(q).toMatchObject({ subtotal: 3, discount: 2, tax: 900 })
  })
})

describe("rejections", () => {
  it("an empty cart → cart_empty", () => {
    expect(rejected({ lines: [] })).toMatchObject({ _tag: "CartEmpty", reason: "cart_empty" })
  })
})

describe("the quote's shape", () => {
  it("encodes with its schema (what a route answers) and decodes back", () => {
    const q = quoted({ promotions: [promotion({ kind: "item_percentage", percent_bps: 1000 })], coupon: coupon({}) })
    const encoded = JSON.parse(JSON.stringify(Schema.encodeSync(Quote)(q)))
    expect(Schema.decodeUnknownSync(Quote, { onExcessProperty: "error" })(encoded)).toEqual(q)
  })

  it("holds the API's quote fields", () => {
    const q = quoted()
    for (const field of ["subtotal", "discount", "shipping", "tax", "total", "currency", "shipping_options"]) expect(q).toHaveProperty(field)
    expect(Object.keys(q.shipping_options[0]!).sort()).toEqual(["eta_days", "name", "price", "shipping_option_id"])
  })
})
