import { describe, expect, it } from "vitest"
import { coupon, hourMs, iso, line, now, promotion, quoted } from "./pricing-fixtures.ts"

const tenPercent = (id: string, fields: Record<string, unknown> = {}) => promotion({ promotion_id: id, kind: "item_percentage", percent_bps: 1000, ...fields })
const appliedIds = (q: ReturnType<typeof quoted>) => q.applied.map((a) => [a.id, a.amount])

describe("stacking", () => {
  it("rewards of one level apply one after the other on what is left (10 % then 10 % = 19 %)", () => {
    const q = quoted({ promotions: [tenPercent("promo_a"), tenPercent("promo_b")] })
    expect(appliedIds(q)).toEqual([
      ["promo_a", 1000],
      ["promo_b", 900]
    ])
    expect(q.discount).toBe(1900)
  })

  it("levels apply in order: item, order, then shipping; within a level by priority then id", () => {
    const q = quoted({
      promotions: [
        promotion({ promotion_id: "promo_ship", kind: "shipping_fixed", amount: 1000 }),
        promotion({ promotion_id: "promo_order", kind: "order_fixed", amount: 1000 }),
        tenPercent("promo_b"),
        tenPercent("promo_c", { priority: 5 })
      ]
    })
    expect(appliedIds(q)).toEqual([
      ["promo_c", 1000],
      ["promo_b", 900],
      ["promo_order", 1000],
      ["promo_ship", 1000]
    ])
    expect(q).toMatchObject({ discount: 2900, shipping: 4000, shipping_discount: 1000 })
  })

  it("the order promotions are listed in does not matter", () => {
    const ps = [tenPercent("promo_a"), promotion({ promotion_id: "promo_b", kind: "order_fixed", amount: 333 }), tenPercent("promo_c", { priority: 3 })]
    expect(quoted({ promotions: ps })).toEqual(quoted({ promotions: [...ps].reverse() }))
  })

  it("the discount never exceeds the subtotal, however many promotions stack", () => {
    const ps = Array.from({ length: 5 }, (_, i) => promotion({ promotion_id: `promo_${i}`, kind: "order_fixed", amount: 4000 }))
    const q = quoted({ lines: [line(1, { quantity: 1 })], promotions: ps })
    expect(q).toMatchObject({ subtotal: 10_000, discount: 10_000, tax: 900, total: 5000 + 900 })
    expect(q.applied.map((a) => a.amount)).toEqual([4000, 4000, 2000])
  })

  it("promotions out of their window do not take part", () => {
    const later = tenPercent("promo_later", { starts_at: iso(now + hourMs) })
    const over = tenPercent("promo_over", { starts_at: iso(now - 2 * hourMs), ends_at: iso(now - hourMs) })
    expect(quoted({ promotions: [later, over] }).applied).toEqual([])
  })
})

describe("exclusive promotions", () => {
  it("beat stacking: an exclusive promotion that applies applies alone", () => {
    const q = quoted({ promotions: [tenPercent("promo_a"), tenPercent("promo_b"), tenPercent("promo_x", { exclusive: true, percent_bps: 500 })] })
    expect(appliedIds(q)).toEqual([["promo_x", 500]])
  })

  it("the best exclusive one wins (lowest total), ties by priority then id", () => {
    const five = tenPercent("promo_five", { exclusive: true, percent_bps: 500 })
    const fifteen = tenPercent("promo_fifteen", { exclusive: true, percent_bps: 1500 })
    expect(appliedIds(quoted({ promotions: [five, fifteen] }))).toEqual([["promo_fifteen", 1500]])
    const a = tenPercent("promo_b1", { exclusive: true })
    const b = tenPercent("promo_a1", { exclusive: true })
    expect(appliedIds(quoted({ promotions: [a, b] }))).toEqual([["promo_a1", 1000]])
    expect(appliedIds(quoted({ promotions: [a, b, tenPercent("promo_c1", { exclusive: true, priority: 1 })] }))).toEqual([["promo_c1", 1000]])
  })

  it("an exclusive promotion that does not apply suppresses nothing", () => {
    const books = tenPercent("promo_books", { exclusive: true, target: { category_ids: ["cat_books"] } })
    expect(appliedIds(quoted({ promotions: [books, tenPercent("promo_a")] }))).toEqual([["promo_a", 1000]])
  })

  it("an exclusive shipping promotion counts by what it saves on the chosen option", () => {
    const freeShipping = promotion({ promotion_id: "promo_ship", kind: "shipping_percentage", percent_bps: 10_000, exclusive: true })
    const q = quoted({ promotions: [freeShipping, tenPercent("promo_a")], shipping_option_id: "standard" })
    expect(appliedIds(q)).toEqual([["promo_ship", 5000]])
    expect(q).toMatchObject({ discount: 0, shipping: 0 })
  })
})

describe("the coupon", () => {
  it("applies after the automatic promotions of its level", () => {
    const q = quoted({ promotions: [promotion({ promotion_id: "promo_order", kind: "order_fixed", amount: 1000 })], coupon: coupon({}) })
    expect(q.applied.map((a) => [a.source, a.id, a.amount])).toEqual([
      ["promotion", "promo_order", 1000],
      ["coupon", "SAVE10", 900]
    ])
    expect(q.coupon).toEqual({ code: "SAVE10", applied: true, amount: 900, reason: null })
    expect(q.applied[1]).toMatchObject({ name: "SAVE10", kind: "order_percentage", level: "order" })
  })

  it("any reward works as a coupon's benefit (free shipping here)", () => {
    const q = quoted({ coupon: coupon({ code: "FREESHIP", description: "Free standard shipping", benefit: { kind: "shipping_percentage", percent_bps: 10_000, shipping_option_ids: ["standard"] } }) })
    expect(q).toMatchObject({ shipping: 0, shipping_option_id: "standard", coupon: { code: "FREESHIP", applied: true, amount: 5000 } })
    expect(q.applied[0]).toMatchObject({ source: "coupon", name: "Free standard shipping" })
  })

  it("not applied when an exclusive promotion wins → not_combinable", () => {
    const q = quoted({ promotions: [tenPercent("promo_x", { exclusive: true })], coupon: coupon({}) })
    expect(appliedIds(q)).toEqual([["promo_x", 1000]])
    expect(q.coupon).toEqual({ code: "SAVE10", applied: false, amount: 0, reason: "not_combinable" })
  })

  it("an exclusive coupon applies alone, beating the stack", () => {
    const q = quoted({ promotions: [tenPercent("promo_a"), tenPercent("promo_b")], coupon: coupon({ exclusive: true, benefit: { kind: "order_fixed", amount: 500 } }) })
    expect(appliedIds(q)).toEqual([["SAVE10", 500]])
    expect(q.coupon).toMatchObject({ applied: true, amount: 500 })
  })

  it("the better of an exclusive coupon and an exclusive promotion wins; on a tie the promotion (the coupon stays unused)", () => {
    const coupon20 = coupon({ exclusive: true, benefit: { kind: "order_percentage", percent_bps: 2000 } })
    expect(quoted({ promotions: [tenPercent("promo_x", { exclusive: true })], coupon: coupon20 }).coupon).toMatchObject({ applied: true, amount: 2000 })
    const coupon10 = coupon({ exclusive: true })
    expect(quoted({ promotions: [tenPercent("promo_x", { exclusive: true })], coupon: coupon10 }).coupon).toMatchObject({ applied: false, reason: "not_combinable" })
  })

  it.each([
    ["not_started", { starts_at: iso(now + 1) }],
    ["expired", { ends_at: iso(now) }],
    ["min_order_not_met", { min_order_amount: 10_001 }],
    ["nothing_to_discount", { benefit: { kind: "item_fixed", amount_per_unit: 100, target: { category_ids: ["cat_books"] } } }]
  ])("not applied: %s", (reason, fields) => {
    const q = quoted({ coupon: coupon(fields) })
    expect(q.coupon).toEqual({ code: "SAVE10", applied: false, amount: 0, reason })
    expect(q.discount).toBe(0)
  })

  it("min_order_amount compares the subtotal before discounts", () => {
    const q = quoted({ coupon: coupon({ min_order_amount: 10_000 }), promotions: [tenPercent("promo_a")] })
    expect(q.coupon).toMatchObject({ applied: true, amount: 900 })
  })
})
