import { Either, Schema } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { defaultStoreTables } from "./default-store-tables.ts"
import { coupon, flatTables, hourMs, iso, line, now, promotion } from "./pricing-fixtures.ts"
import type { Promotion } from "./promotion-schema.ts"
import { Quote, type QuoteInput } from "./quote-schema.ts"
import { quote } from "./quote.ts"
import type { StoreTables } from "./store-tables.ts"

/** Properties of `quote` over random carts, promotions, coupons, tables and addresses. */

const skuPool = 12
const categories = [
  ["cat_phones", "cat_electronics"],
  ["cat_fiction", "cat_books"],
  ["cat_snacks", "cat_grocery"],
  ["cat_shirts", "cat_fashion"]
] as const
const places = [
  { country: "IN", region: "Karnataka" },
  { country: "IN", region: "Maharashtra" },
  { country: "IN", region: "Ladakh" },
  { country: "IN", region: "Kerala" },
  { country: "GB", region: "Greater London" },
  { country: "US", region: "California" },
  { country: "FR", region: "Paris" }
]
const inclusive = (tables: StoreTables): StoreTables => ({ ...tables, tax: { ...tables.tax, prices_include_tax: true } })
const tableChoices = [flatTables(), flatTables({ inclusive: true, freeOver: 50_000 }), defaultStoreTables, inclusive(defaultStoreTables)]

const price = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 100_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 10_000_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 100_000_000_000 }) }
)
const quantity = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 100 }) })

const lineArb = (sku: number) =>
  fc
    .record({
      category: fc.constantFrom(...categories),
      seller: fc.constantFrom("s_a", "s_b", "s_c"),
      quantity,
      unit_base_price: price,
      seller_price: fc.option(price, { nil: null }),
      unit_weight_grams: fc.option(fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 1_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 50_000 }) }), { nil: undefined }),
      origin: fc.option(fc.constantFrom(places[0]!, places[1]!), { nil: undefined })
    })
    .map((l) =>
      line(sku, {
        category_id: l.category[0],
        category_ancestor_ids: [l.category[1]],
        seller_id: l.seller,
        quantity: l.quantity,
        unit_base_price: l.unit_base_price,
        seller_price: l.seller_price,
        ...(l.unit_weight_grams === undefined ? {} : { unit_weight_grams: l.unit_weight_grams }),
        ...(l.origin === undefined ? {} : { origin: l.origin })
      })
    )

const linesArb = (maxLines: number, pool: number) =>
  fc.uniqueArray(fc.integer({ min: 0, max: pool - 1 }), { minLength: 1, maxLength: maxLines }).chain((skus) => fc.tuple(...skus.map(lineArb)))

const ids = (prefix: string, n: number) => fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: 3 }).map((xs) => xs.map((x) => `${prefix}${x}`))
const target = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: ids("sku_", skuPool).map((sku_ids) => ({ sku_ids })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...categories), fc.integer({ min: 0, max: 1 })).map(([c, level]) => ({ category_ids: [c[level]] })) },
  { weight: 1, arbitrary: fc.constantFrom("s_a", "s_b").map((s) => ({ seller_ids: [s] })) }
)
const bps = fc.oneof(fc.constantFrom(1, 5000, 9999, 10_000), fc.integer({ min: 1, max: 10_000 }))
const amount = fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 1_000_000_000_000 }))
const small = fc.integer({ min: 1, max: 4 })

const reward: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ kind: fc.constant("item_percentage"), target, percent_bps: bps, max_discount: amount }, { requiredKeys: ["kind", "target", "percent_bps"] }),
  fc.record({ kind: fc.constant("item_fixed"), target, amount_per_unit: amount }),
  fc.record({ kind: fc.constant("order_percentage"), target, percent_bps: bps, max_discount: amount }, { requiredKeys: ["kind", "target", "percent_bps"] }),
  fc.record({ kind: fc.constant("order_fixed"), target, amount }),
  fc.record({ kind: fc.constant("shipping_percentage"), percent_bps: bps }),
  fc.record({ kind: fc.constant("shipping_fixed"), amount }),
  fc.record({
    kind: fc.constant("buy_x_get_y"),
    buy: fc.record({ target, quantity: small }),
    get: fc.record({ target, quantity: small, percent_bps: bps }),
    max_applications: fc.integer({ min: 1, max: 100 })
  }),
  fc.record({
    kind: fc.constant("bundle"),
    components: fc.array(fc.record({ target, quantity: small }), { minLength: 2, maxLength: 3 }),
    reward: fc.oneof(
      fc.record({ type: fc.constant("bundle_price"), amount }),
      fc.record({ type: fc.constant("percentage"), percent_bps: bps }),
      fc.record({ type: fc.constant("fixed"), amount })
    ),
    max_applications: fc.integer({ min: 1, max: 100 })
  })
)

const window = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom({}, { starts_at: iso(now - hourMs) }, { ends_at: iso(now + hourMs) }, { starts_at: iso(now - hourMs), ends_at: iso(now + hourMs) }) },
  { weight: 1, arbitrary: fc.constantFrom({ starts_at: iso(now + hourMs) }, { ends_at: iso(now) }) }
)
const audience = fc.oneof(
  { weight: 3, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.record({ member_tiers: fc.constantFrom(["gold"], ["silver", "gold"]), min_subtotal: fc.oneof(fc.constant(0), amount) }, { requiredKeys: [] }) }
)

const stackingPromotion = (id: number) =>
  fc
    .tuple(reward, window, audience, fc.boolean(), fc.integer({ min: 0, max: 3 }))
    .map(([r, w, a, exclusive, priority]) => promotion({ promotion_id: `promo_${id}`, ...r, ...w, ...a, exclusive: exclusive && id % 3 === 0, priority }))
const flashPrice = (id: number) =>
  fc
    .tuple(ids("sku_", skuPool), price, fc.constantFrom({ starts_at: iso(now - hourMs), ends_at: iso(now + hourMs) }, { starts_at: iso(now + 1), ends_at: iso(now + hourMs) }))
    .map(([sku_ids, unit_price, w]) => promotion({ promotion_id: `promo_${id}`, kind: "flash_price", sku_ids, unit_price, ...w }))
const promotionsArb = fc
  .array(fc.boolean(), { maxLength: 6 })
  .chain((flags) => (flags.length === 0 ? fc.constant([] as Array<Promotion>) : fc.tuple(...flags.map((isFlash, i) => (isFlash && i % 4 === 0 ? flashPrice(i) : stackingPromotion(i))))))

const couponArb = fc.option(
  fc.tuple(reward, window, fc.oneof(fc.constant(0), amount), fc.boolean()).map(([benefit, w, min, exclusive]) => coupon({ code: "PROP10", benefit, ...w, min_order_amount: min, exclusive })),
  { nil: null, freq: 2 }
)

const inputArb = (maxLines: number, pool: number): fc.Arbitrary<QuoteInput> =>
  fc.record({
    lines: linesArb(maxLines, pool),
    shopper: fc.record({ user_id: fc.constant(null), member_tier: fc.constantFrom(null, "gold", "silver") }),
    destination: fc.constantFrom(...places),
    shipping_option_id: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: fc.constantFrom("standard", "express") }, { weight: 1, arbitrary: fc.constant("drone") }),
    coupon: couponArb,
    promotions: promotionsArb,
    tables: fc.constantFrom(...tableChoices),
    now_ms: fc.constant(now)
  })

const isQuote = Schema.is(Quote)
const safe = (n: number) => Number.isSafeInteger(n) && n >= 0

const checkInvariants = (input: QuoteInput) => {
  const result = quote(input)
  if (Either.isLeft(result)) {
    expect(["shipping_option_unavailable", "not_shippable"]).toContain(result.left.reason)
    return
  }
  const q = result.right
  expect(isQuote(q)).toBe(true)
  for (const n of [q.subtotal, q.discount, q.shipping, q.tax, q.total, q.shipping_discount, q.shipping_tax]) expect(safe(n)).toBe(true)
  expect(q.total).toBe(q.subtotal - q.discount + q.shipping + (q.prices_include_tax ? 0 : q.tax))
  expect(q.discount).toBeLessThanOrEqual(q.subtotal)
  expect(q.subtotal).toBe(q.lines.reduce((s, l) => s + l.line_subtotal, 0))
  expect(q.discount).toBe(q.lines.reduce((s, l) => s + l.discount, 0))
  for (const l of q.lines) {
    expect(l.line_subtotal).toBe(l.unit_price * l.quantity)
    expect(l.unit_price).toBeLessThanOrEqual(input.lines.find((i) => i.sku_id === l.sku_id)!.seller_price ?? l.unit_base_price)
    expect(l.discount).toBeLessThanOrEqual(l.line_subtotal)
    expect(safe(l.line_total) && safe(l.tax)).toBe(true)
  }
  const chosen = q.shipping_options.find((o) => o.shipping_option_id === q.shipping_option_id)
  expect(chosen?.price).toBe(q.shipping)
  if (input.shipping_option_id === null) for (const o of q.shipping_options) expect(q.shipping).toBeLessThanOrEqual(o.price)
  for (const a of q.applied) expect(a.amount).toBeGreaterThan(0)
  if (q.coupon !== null) {
    const couponAmount = q.applied.filter((a) => a.source === "coupon").reduce((s, a) => s + a.amount, 0)
    expect(q.coupon.applied ? couponAmount : 0).toBe(q.coupon.amount)
    expect(q.coupon.applied).toBe(couponAmount > 0)
  }
  const exclusives = q.applied.filter((a) => a.source === "promotion" && input.promotions.some((p) => p.promotion_id === a.id && p.kind !== "flash_price" && p.exclusive))
  if (exclusives.length > 0) expect(q.applied).toHaveLength(1)
}

/** A promotion that cannot apply to this input, whatever its kind. */
const inertPromotion = (input: QuoteInput) =>
  fc.tuple(reward, fc.boolean(), fc.integer({ min: 0, max: 4 })).map(([r, exclusive, how]): Promotion => {
    const base = { promotion_id: "promo_inert", exclusive }
    switch (how) {
      case 0:
        return promotion({ ...base, ...r, ends_at: iso(input.now_ms) })
      case 1:
        return promotion({ ...base, ...r, starts_at: iso(input.now_ms + 1) })
      case 2:
        return promotion({ ...base, ...r, member_tiers: ["diamond"] })
      case 3:
        return promotion({ ...base, ...r, min_subtotal: 1_000_000_000_000 })
      default:
        return promotion({ promotion_id: "promo_inert", kind: "flash_price", sku_ids: ["sku_nowhere"], unit_price: 0, starts_at: iso(input.now_ms - 1), ends_at: iso(input.now_ms + 1) })
    }
  })

describe("quote properties", () => {
  it("every quote keeps its invariants: total = subtotal − discount + shipping (+ tax), non-negative safe integers, discount ≤ subtotal", () => {
    fc.assert(fc.property(inputArb(8, skuPool), checkInvariants), { numRuns: 1500 })
  })

  it("…also for large carts (up to 100 lines of up to 100 units)", () => {
    fc.assert(fc.property(inputArb(100, 120), checkInvariants), { numRuns: 60 })
  })

  it("is deterministic: the same input (a fresh copy, promotions in any order) gives the same quote", () => {
    fc.assert(
      fc.property(inputArb(8, skuPool), (input) => {
        const first = quote(input)
        const copy: QuoteInput = { ...structuredClone(input), promotions: [...structuredClone(input.promotions)].reverse() }
        expect(quote(copy)).toEqual(first)
        expect(quote(input)).toEqual(first)
      }),
      { numRuns: 500 }
    )
  })

  it("adding a promotion that does not apply changes nothing", () => {
    fc.assert(
      fc.property(
        inputArb(8, skuPool).chain((input) => fc.tuple(fc.constant(input), inertPromotion(input), fc.nat())),
        ([input, inert, at]) => {
          const subtotalBound = input.lines.reduce((s, l) => s + (l.seller_price ?? l.unit_base_price) * l.quantity, 0)
          fc.pre(subtotalBound < 1_000_000_000_000)
          const promotions = [...input.promotions]
          promotions.splice(at % (promotions.length + 1), 0, inert)
          expect(quote({ ...input, promotions })).toEqual(quote(input))
        }
      ),
      { numRuns: 700 }
    )
  })
})
