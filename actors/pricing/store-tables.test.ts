import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { CouponDefinition } from "./coupon-definition.ts"
import { defaultStoreTables } from "./default-store-tables.ts"
import { Promotion } from "./promotion-schema.ts"
import { decodeStoreTables, encodeStoreTables, parseStoreTablesJson } from "./store-tables.ts"

const json = (value: unknown) => JSON.parse(JSON.stringify(value))
const defaultsJson = () => json(encodeStoreTables(defaultStoreTables))
const problem = (result: Either.Either<unknown, string>) => (Either.isLeft(result) ? result.left : "decoded")

describe("store tables", () => {
  it("the defaults decode from their own JSON form (what an operator's file looks like)", () => {
    const decoded = parseStoreTablesJson(JSON.stringify(defaultsJson()))
    expect(Either.getOrThrow(decoded)).toEqual(defaultStoreTables)
  })

  it("rejects JSON that is not JSON", () => {
    expect(problem(parseStoreTablesJson("{ nope"))).toMatch(/not valid JSON/)
  })

  it("rejects unknown fields", () => {
    const t = defaultsJson()
    t.tax.jurisdictions[0].vat_number = "x"
    expect(problem(decodeStoreTables(t))).toMatch(/vat_number/)
  })

  it("rejects a rate for an unknown zone, duplicate ids, and a place taxed twice", () => {
    const unknownZone = defaultsJson()
    unknownZone.shipping.options[0].rates[0].zone_id = "moon"
    expect(problem(decodeStoreTables(unknownZone))).toMatch(/unknown zone moon/)
    const twoOptions = defaultsJson()
    twoOptions.shipping.options[1].shipping_option_id = "standard"
    expect(problem(decodeStoreTables(twoOptions))).toMatch(/shipping_option_id must be distinct/)
    const twice = defaultsJson()
    twice.tax.jurisdictions.push({ country: "IN", regions: ["karnataka"], default_rate_bps: 0 })
    expect(problem(decodeStoreTables(twice))).toMatch(/IN karnataka appears twice/)
  })

  it("bounds every number: no rate above 100 %, no negative price, no fraction", () => {
    for (const patch of [
      (t: ReturnType<typeof defaultsJson>) => (t.tax.jurisdictions[0].default_rate_bps = 10_001),
      (t: ReturnType<typeof defaultsJson>) => (t.shipping.options[0].rates[0].base_price = -1),
      (t: ReturnType<typeof defaultsJson>) => (t.shipping.options[0].rates[0].base_price = 1.5),
      (t: ReturnType<typeof defaultsJson>) => (t.shipping.options[0].rates[0].step_grams = 0),
      (t: ReturnType<typeof defaultsJson>) => (t.currency = "inr")
    ]) {
      const t = defaultsJson()
      patch(t)
      expect(Either.isLeft(decodeStoreTables(t))).toBe(true)
    }
  })
})

const decodePromotion = Schema.decodeUnknownEither(Promotion, { onExcessProperty: "error" })
const decodeCoupon = Schema.decodeUnknownEither(CouponDefinition, { onExcessProperty: "error" })
const base = { promotion_id: "promo_1", name: "Ten off" }

describe("promotion definitions", () => {
  it.each([
    { kind: "item_percentage", percent_bps: 1000 },
    { kind: "item_fixed", amount_per_unit: 500, target: { sku_ids: ["sku_1"] } },
    { kind: "order_percentage", percent_bps: 1000, max_discount: 50_000 },
    { kind: "order_fixed", amount: 5000, min_subtotal: 100_000 },
    { kind: "shipping_percentage", percent_bps: 10_000, shipping_option_ids: ["standard"] },
    { kind: "shipping_fixed", amount: 2000 },
    { kind: "buy_x_get_y", buy: { quantity: 2 }, get: { quantity: 1, percent_bps: 10_000 } },
    { kind: "bundle", components: [{ target: { product_ids: ["p_1"] }, quantity: 1 }, { target: { product_ids: ["p_2"] }, quantity: 1 }], reward: { type: "bundle_price", amount: 9900 } },
    { kind: "flash_price", sku_ids: ["sku_1"], unit_price: 4999, starts_at: "2025-06-01T10:00:00Z", ends_at: "2025-06-01T11:00:00Z" },
    { kind: "item_percentage", percent_bps: 500, member_tiers: ["gold"], exclusive: true, priority: 10, starts_at: "2025-06-01T00:00:00.000Z" }
  ])("decodes %j", (fields) => {
    expect(Either.isRight(decodePromotion({ ...base, ...fields }))).toBe(true)
  })

  it("fills defaults: not exclusive, priority 0, every line, 100 applications", () => {
    const p = Either.getOrThrow(decodePromotion({ ...base, kind: "buy_x_get_y", buy: { quantity: 1 }, get: { quantity: 1, percent_bps: 5000 } }))
    expect(p).toMatchObject({ exclusive: false, priority: 0, max_applications: 100, buy: { target: {} }, get: { target: {} } })
  })

  it.each([
    ["an unknown field", { kind: "item_percentage", percent_bps: 1000, stackable: true }],
    ["an unknown kind", { kind: "free_lunch" }],
    ["a percentage over 100 %", { kind: "item_percentage", percent_bps: 10_001 }],
    ["a zero percentage", { kind: "order_percentage", percent_bps: 0 }],
    ["a fractional amount", { kind: "order_fixed", amount: 1.5 }],
    ["an empty target list", { kind: "item_fixed", amount_per_unit: 1, target: { sku_ids: [] } }],
    ["a duplicate id in a target", { kind: "item_fixed", amount_per_unit: 1, target: { sku_ids: ["sku_1", "sku_1"] } }],
    ["too many ids in a target", { kind: "item_fixed", amount_per_unit: 1, target: { sku_ids: Array.from({ length: 201 }, (_, i) => `sku_${i}`) } }],
    ["a one-component bundle", { kind: "bundle", components: [{ target: {}, quantity: 1 }], reward: { type: "fixed", amount: 1 } }],
    ["buy 0", { kind: "buy_x_get_y", buy: { quantity: 0 }, get: { quantity: 1, percent_bps: 10_000 } }],
    ["a flash sale without a window", { kind: "flash_price", sku_ids: ["sku_1"], unit_price: 1 }],
    ["a window that ends before it starts", { kind: "item_percentage", percent_bps: 1, starts_at: "2025-06-02T00:00:00Z", ends_at: "2025-06-01T00:00:00Z" }],
    ["an impossible date", { kind: "item_percentage", percent_bps: 1, starts_at: "2025-13-45T00:00:00Z" }],
    ["a day the month does not have", { kind: "item_percentage", percent_bps: 1, starts_at: "2025-02-30T00:00:00Z" }],
    ["a priority out of range", { kind: "item_percentage", percent_bps: 1, priority: 1001 }]
  ])("rejects %s", (_, fields) => {
    expect(Either.isLeft(decodePromotion({ ...base, ...fields }))).toBe(true)
  })

  it("encodes instants back to RFC 3339", () => {
    const p = Either.getOrThrow(decodePromotion({ ...base, kind: "flash_price", sku_ids: ["sku_1"], unit_price: 1, starts_at: "2025-06-01T10:00:00Z", ends_at: "2025-06-01T11:00:00Z" }))
    expect(Schema.encodeSync(Promotion)(p)).toMatchObject({ starts_at: "2025-06-01T10:00:00.000Z", ends_at: "2025-06-01T11:00:00.000Z" })
  })
})

describe("coupon definitions", () => {
  const couponBase = { code: "WELCOME50", benefit: { kind: "order_fixed", amount: 5000 }, usage_limit: 1000 }

  it("decodes with defaults: one use per customer, no minimum, not exclusive", () => {
    expect(Either.getOrThrow(decodeCoupon(couponBase))).toMatchObject({ per_customer_limit: 1, min_order_amount: 0, exclusive: false })
  })

  it.each([
    ["a lower-case code", { code: "welcome50" }],
    ["a two-letter code", { code: "AB" }],
    ["a usage limit of 0", { usage_limit: 0 }],
    ["a usage limit above 100,000", { usage_limit: 100_001 }],
    ["a flash price as benefit", { benefit: { kind: "flash_price", sku_ids: ["sku_1"], unit_price: 1 } }],
    ["an unknown field", { stackable: true }]
  ])("rejects %s", (_, fields) => {
    expect(Either.isLeft(decodeCoupon({ ...couponBase, ...fields }))).toBe(true)
  })
})
