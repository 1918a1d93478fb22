import { describe, expect, it } from "vitest"
import { hourMs, iso, line, now, promotion, quoted } from "./pricing-fixtures.ts"

/** Every promotion kind on its own, with exact amounts (lines: ₹100.00 each unless said). */

const lineDiscounts = (q: ReturnType<typeof quoted>) => q.lines.map((l) => l.discount)
const phone = (n: number, fields: Record<string, unknown> = {}) => line(n, fields)
const book = (n: number, fields: Record<string, unknown> = {}) => line(n, { category_id: "cat_fiction", category_ancestor_ids: ["cat_books"], seller_id: "s_pages", ...fields })

describe("item percentage", () => {
  it("takes the percentage off matching lines only (categories match through ancestors)", () => {
    const p = promotion({ kind: "item_percentage", percent_bps: 1500, target: { category_ids: ["cat_books"] } })
    const q = quoted({ lines: [phone(1), book(2, { unit_base_price: 333, quantity: 3 })], promotions: [p] })
    expect(lineDiscounts(q)).toEqual([0, 150]) // 999 × 15 % = 149.85 → 150
    expect(q.applied).toEqual([{ source: "promotion", id: "promo_x", name: "A promotion", kind: "item_percentage", level: "item", amount: 150 }])
  })

  it("targets combine: every list given must match", () => {
    const p = promotion({ kind: "item_percentage", percent_bps: 1000, target: { seller_ids: ["s_pages"], product_ids: ["p_2", "p_3"] } })
    const q = quoted({ lines: [book(1), book(2), phone(3)], promotions: [p] })
    expect(lineDiscounts(q)).toEqual([0, 1000, 0])
  })

  it("max_discount caps the total, shared in proportion", () => {
    const p = promotion({ kind: "item_percentage", percent_bps: 5000, max_discount: 3000 })
    const q = quoted({ lines: [phone(1), phone(2, { unit_base_price: 20_000 })], promotions: [p] })
    expect(lineDiscounts(q)).toEqual([1000, 2000])
  })

  it("member discounts: a promotion with member tiers applies to those tiers only", () => {
    const p = promotion({ kind: "item_percentage", percent_bps: 500, member_tiers: ["gold", "platinum"] })
    expect(quoted({ promotions: [p], shopper: { user_id: null, member_tier: "gold" } }).discount).toBe(500)
    expect(quoted({ promotions: [p], shopper: { user_id: null, member_tier: "silver" } }).discount).toBe(0)
    expect(quoted({ promotions: [p], shopper: { user_id: null, member_tier: null } }).discount).toBe(0)
  })
})

describe("item fixed", () => {
  it("takes an amount off each unit, never below zero", () => {
    const p = promotion({ kind: "item_fixed", amount_per_unit: 2500 })
    const q = quoted({ lines: [phone(1, { quantity: 3 }), phone(2, { unit_base_price: 1000, quantity: 2 })], promotions: [p] })
    expect(lineDiscounts(q)).toEqual([7500, 2000])
    expect(q.lines[1]).toMatchObject({ line_total: 0, tax: 0 })
  })
})

describe("order percentage and fixed", () => {
  it("percentage of the matching lines together, split over them by the largest remainder", () => {
    const p = promotion({ kind: "order_percentage", percent_bps: 1000 })
    const q = quoted({ lines: [phone(1, { unit_base_price: 333 }), phone(2, { unit_base_price: 333 }), phone(3, { unit_base_price: 334 })], promotions: [p] })
    // 1000 × 10 % = 100, split 33.3 / 33.3 / 33.4 → 33 / 33 / 34
    expect(q.discount).toBe(100)
    expect(lineDiscounts(q)).toEqual([33, 33, 34])
    expect(q.applied[0]).toMatchObject({ kind: "order_percentage", level: "order", amount: 100 })
  })

  it("percentage with a cap (10 % up to ₹50)", () => {
    const p = promotion({ kind: "order_percentage", percent_bps: 1000, max_discount: 5000 })
    expect(quoted({ lines: [phone(1, { unit_base_price: 100_000 })], promotions: [p] }).discount).toBe(5000)
  })

  it("fixed amount, at most what the matching lines cost", () => {
    const p = promotion({ kind: "order_fixed", amount: 15_000, target: { category_ids: ["cat_books"] } })
    const q = quoted({ lines: [phone(1), book(2)], promotions: [p] })
    expect(lineDiscounts(q)).toEqual([0, 10_000])
    expect(q.total).toBe(10_000 + 1800 + 5000 + 900) // the phone, its tax, shipping and its tax
  })

  it("min_subtotal: applies only from that subtotal", () => {
    const p = promotion({ kind: "order_fixed", amount: 1000, min_subtotal: 20_000 })
    expect(quoted({ lines: [phone(1)], promotions: [p] }).discount).toBe(0)
    expect(quoted({ lines: [phone(1), phone(2)], promotions: [p] }).discount).toBe(1000)
  })
})

describe("buy X get Y", () => {
  const b2g1 = promotion({ kind: "buy_x_get_y", buy: { quantity: 2 }, get: { quantity: 1, percent_bps: 10_000 } })

  it("buy 2 get 1 free: the cheapest unit is free", () => {
    const q = quoted({ lines: [phone(1, { unit_base_price: 30_000 }), phone(2, { unit_base_price: 10_000 }), phone(3, { unit_base_price: 20_000 })], promotions: [b2g1] })
    expect(lineDiscounts(q)).toEqual([0, 10_000, 0])
  })

  it("applies once per full group: 7 units → 2 free, the 2 cheapest", () => {
    const q = quoted({ lines: [phone(1, { unit_base_price: 5000, quantity: 4 }), phone(2, { unit_base_price: 4000, quantity: 3 })], promotions: [b2g1] })
    expect(lineDiscounts(q)).toEqual([0, 8000])
  })

  it("two units are not enough", () => {
    expect(quoted({ lines: [phone(1, { quantity: 2 })], promotions: [b2g1] }).discount).toBe(0)
  })

  it("max_applications bounds the free units", () => {
    const once = promotion({ kind: "buy_x_get_y", buy: { quantity: 1 }, get: { quantity: 1, percent_bps: 10_000 }, max_applications: 1 })
    expect(quoted({ lines: [phone(1, { quantity: 6 })], promotions: [once] }).discount).toBe(10_000)
  })

  it("different targets: buy a phone, get a book at half price", () => {
    const p = promotion({ kind: "buy_x_get_y", buy: { target: { category_ids: ["cat_phones"] }, quantity: 1 }, get: { target: { category_ids: ["cat_books"] }, quantity: 1, percent_bps: 5000 } })
    const q = quoted({ lines: [phone(1), book(2, { unit_base_price: 999, quantity: 3 })], promotions: [p] })
    expect(lineDiscounts(q)).toEqual([0, 500]) // one book of 9.99 at 50 % = 4.995 → 5.00
  })

  it("a unit in both targets is rewarded only while enough units remain to be bought", () => {
    // Buy 2 of anything, get 1 book free: 2 books and 1 phone → the phone and a book are bought, one book is free.
    const p = promotion({ kind: "buy_x_get_y", buy: { quantity: 2 }, get: { target: { category_ids: ["cat_books"] }, quantity: 1, percent_bps: 10_000 } })
    const q = quoted({ lines: [phone(1, { unit_base_price: 50_000 }), book(2, { unit_base_price: 800, quantity: 2 })], promotions: [p] })
    expect(lineDiscounts(q)).toEqual([0, 800])
    // 2 books only: one must be bought with… nothing else: no application.
    expect(quoted({ lines: [book(2, { unit_base_price: 800, quantity: 2 })], promotions: [p] }).discount).toBe(0)
  })

  it("discounts the current value of a unit (after earlier item discounts), rounded once per line", () => {
    const tenOff = promotion({ promotion_id: "promo_a", priority: 10, kind: "item_percentage", percent_bps: 1000 })
    const free = promotion({ promotion_id: "promo_b", kind: "buy_x_get_y", buy: { quantity: 1 }, get: { quantity: 1, percent_bps: 10_000 } })
    const q = quoted({ lines: [phone(1, { unit_base_price: 333, quantity: 2 })], promotions: [free, tenOff] })
    // 666 − 67 = 599 left for 2 units; one unit free: 299.5 → 300
    expect(q.applied.map((a) => [a.id, a.amount])).toEqual([
      ["promo_a", 67],
      ["promo_b", 300]
    ])
  })
})

describe("bundles", () => {
  const camera = (fields: Record<string, unknown> = {}) => line(1, { sku_id: "sku_cam", product_id: "p_cam", unit_base_price: 50_000, ...fields })
  const card = (fields: Record<string, unknown> = {}) => line(2, { sku_id: "sku_card", product_id: "p_card", unit_base_price: 2_000, ...fields })
  const components = [
    { target: { product_ids: ["p_cam"] }, quantity: 1 },
    { target: { product_ids: ["p_card"] }, quantity: 2 }
  ]

  it("a bundle price: camera + 2 cards for ₹500, the saving split by value", () => {
    const p = promotion({ kind: "bundle", components, reward: { type: "bundle_price", amount: 50_000 } })
    const q = quoted({ lines: [camera(), card({ quantity: 3 })], promotions: [p] })
    // bundled value 50000 + 2 × 2000 = 54000 → 4000 off, split 50000 : 4000
    expect(q.discount).toBe(4000)
    expect(lineDiscounts(q)).toEqual([3704, 296])
  })

  it("a bundle price above the bundled value gives nothing (never a negative discount)", () => {
    const p = promotion({ kind: "bundle", components, reward: { type: "bundle_price", amount: 60_000 } })
    expect(quoted({ lines: [camera(), card({ quantity: 2 })], promotions: [p] }).discount).toBe(0)
  })

  it("percentage and fixed rewards, per complete bundle", () => {
    const pct = promotion({ kind: "bundle", components, reward: { type: "percentage", percent_bps: 1000 } })
    expect(quoted({ lines: [camera({ quantity: 2 }), card({ quantity: 4 })], promotions: [pct] }).discount).toBe(10_800)
    const fixed = promotion({ kind: "bundle", components, reward: { type: "fixed", amount: 1000 }, max_applications: 1 })
    expect(quoted({ lines: [camera({ quantity: 2 }), card({ quantity: 4 })], promotions: [fixed] }).discount).toBe(1000)
  })

  it("an incomplete bundle gives nothing", () => {
    const p = promotion({ kind: "bundle", components, reward: { type: "fixed", amount: 1000 } })
    expect(quoted({ lines: [camera(), card()], promotions: [p] }).discount).toBe(0)
  })

  it("a unit counts for one component only", () => {
    const twoPhones = promotion({
      kind: "bundle",
      components: [
        { target: { category_ids: ["cat_phones"] }, quantity: 1 },
        { target: { category_ids: ["cat_phones"] }, quantity: 1 }
      ],
      reward: { type: "fixed", amount: 1000 }
    })
    expect(quoted({ lines: [phone(1)], promotions: [twoPhones] }).discount).toBe(0)
    expect(quoted({ lines: [phone(1, { quantity: 5 })], promotions: [twoPhones] }).discount).toBe(2000)
  })
})

describe("flash-sale prices", () => {
  const sale = (fields: Record<string, unknown> = {}) =>
    promotion({ promotion_id: "promo_flash", kind: "flash_price", sku_ids: ["sku_1"], unit_price: 7_000, starts_at: iso(now - hourMs), ends_at: iso(now + hourMs), ...fields })

  it("set the unit price during the window (not a discount)", () => {
    const q = quoted({ lines: [phone(1, { quantity: 2 }), phone(2)], promotions: [sale()] })
    expect(q.lines.map((l) => [l.unit_base_price, l.unit_price, l.flash_sale_id])).toEqual([
      [10_000, 7_000, "promo_flash"],
      [10_000, 10_000, null]
    ])
    expect(q).toMatchObject({ subtotal: 24_000, discount: 0, applied: [] })
  })

  it("the window is [starts_at, ends_at)", () => {
    expect(quoted({ promotions: [sale({ starts_at: iso(now + 1) })] }).subtotal).toBe(10_000)
    expect(quoted({ promotions: [sale({ starts_at: iso(now) })] }).subtotal).toBe(7_000)
    expect(quoted({ promotions: [sale({ ends_at: iso(now) })] }).subtotal).toBe(10_000)
    expect(quoted({ promotions: [sale({ starts_at: iso(now - 2 * hourMs), ends_at: iso(now + 1) })] }).subtotal).toBe(7_000)
  })

  it("never raises a price; the lowest running sale wins", () => {
    expect(quoted({ promotions: [sale({ unit_price: 12_000 })] }).lines[0]).toMatchObject({ unit_price: 10_000, flash_sale_id: null })
    const q = quoted({ promotions: [sale(), sale({ promotion_id: "promo_flash2", unit_price: 6_500 })] })
    expect(q.lines[0]).toMatchObject({ unit_price: 6_500, flash_sale_id: "promo_flash2" })
  })

  it("applies to the seller's price when there is one; a member-only sale needs the tier", () => {
    expect(quoted({ lines: [phone(1, { seller_price: 6_000 })], promotions: [sale()] }).lines[0]).toMatchObject({ unit_price: 6_000, flash_sale_id: null })
    expect(quoted({ lines: [phone(1, { seller_price: 9_000 })], promotions: [sale()] }).lines[0]).toMatchObject({ unit_price: 7_000 })
    const members = sale({ member_tiers: ["prime"] })
    expect(quoted({ promotions: [members] }).subtotal).toBe(10_000)
    expect(quoted({ promotions: [members], shopper: { user_id: null, member_tier: "prime" } }).subtotal).toBe(7_000)
  })

  it("discounts then apply to the flash price", () => {
    const q = quoted({ promotions: [sale(), promotion({ kind: "item_percentage", percent_bps: 1000 })] })
    expect(q).toMatchObject({ subtotal: 7_000, discount: 700 })
  })
})

describe("seller prices", () => {
  it("a seller's price replaces the base price", () => {
    const q = quoted({ lines: [phone(1, { seller_price: 8_999, quantity: 2 })] })
    expect(q.lines[0]).toMatchObject({ unit_base_price: 10_000, unit_price: 8_999, line_subtotal: 17_998 })
  })
})

describe("shipping promotions", () => {
  it("a percentage off shipping (100 % = free), lowering every option's price", () => {
    const free = promotion({ kind: "shipping_percentage", percent_bps: 10_000 })
    const q = quoted({ promotions: [free] })
    expect(q.shipping_options.map((o) => o.price)).toEqual([0, 0])
    // Both free: the faster one is chosen.
    expect(q).toMatchObject({ shipping_option_id: "express", shipping: 0, shipping_discount: 10_000, discount: 0, shipping_tax: 0 })
    expect(q.applied).toEqual([{ source: "promotion", id: "promo_x", name: "A promotion", kind: "shipping_percentage", level: "shipping", amount: 10_000 }])
    expect(quoted({ promotions: [free], shipping_option_id: "standard" })).toMatchObject({ shipping: 0, shipping_discount: 5000 })
  })

  it("a fixed amount off, for the options listed only", () => {
    const p = promotion({ kind: "shipping_fixed", amount: 7_000, shipping_option_ids: ["express"] })
    const q = quoted({ promotions: [p] })
    expect(q.shipping_options.map((o) => [o.shipping_option_id, o.price])).toEqual([
      ["standard", 5000],
      ["express", 3000]
    ])
    expect(q).toMatchObject({ shipping_option_id: "express", shipping: 3000, shipping_discount: 7000 })
    expect(quoted({ promotions: [p], shipping_option_id: "standard" }).applied).toEqual([])
  })

  it("never below zero", () => {
    const p = promotion({ kind: "shipping_fixed", amount: 1_000_000 })
    expect(quoted({ promotions: [p], shipping_option_id: "standard" })).toMatchObject({ shipping: 0, shipping_discount: 5000 })
  })
})
