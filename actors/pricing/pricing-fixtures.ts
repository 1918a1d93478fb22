import { Either, Schema } from "effect"
import { CouponDefinition } from "./coupon-definition.ts"
import { Promotion } from "./promotion-schema.ts"
import { type Quote, type QuoteInput, QuoteLineInput, type QuoteRejection } from "./quote-schema.ts"
import { quote } from "./quote.ts"
import { decodeStoreTables, type StoreTables } from "./store-tables.ts"

/** Builders for pricing tests: promotions and coupons are decoded from their JSON form, as an admin route would. */

export const now = Date.parse("2025-06-01T12:00:00.000Z")
export const hourMs = 3_600_000
export const iso = (ms: number) => new Date(ms).toISOString()

const decodePromotion = Schema.decodeUnknownSync(Promotion, { onExcessProperty: "error" })
const decodeCoupon = Schema.decodeUnknownSync(CouponDefinition, { onExcessProperty: "error" })
const decodeLine = Schema.decodeUnknownSync(QuoteLineInput, { onExcessProperty: "error" })

export const promotion = (fields: Record<string, unknown>): Promotion => decodePromotion({ promotion_id: "promo_x", name: "A promotion", ...fields })
export const coupon = (fields: Record<string, unknown>): CouponDefinition =>
  decodeCoupon({ code: "SAVE10", benefit: { kind: "order_percentage", percent_bps: 1000 }, usage_limit: 100, ...fields })

export const line = (n: number, fields: Record<string, unknown> = {}) =>
  decodeLine({
    sku_id: `sku_${n}`,
    product_id: `p_${n}`,
    category_id: "cat_phones",
    category_ancestor_ids: ["cat_electronics"],
    seller_id: "s_apex",
    quantity: 1,
    unit_base_price: 10_000,
    ...fields
  })

/**
 * Small tables for exact arithmetic: 18 % tax in India (books 0 %, shipping 18 %), nothing
 * elsewhere; one zone for India (standard ₹50 flat, 3 days; express ₹100 flat, 1 day) and one
 * for the rest of the world (standard only, ₹500, 10 days). Weight does not matter.
 */
export const flatTables = (overrides: { readonly inclusive?: boolean; readonly freeOver?: number } = {}): StoreTables =>
  Either.getOrThrow(
    decodeStoreTables({
      currency: "INR",
      tax: {
        prices_include_tax: overrides.inclusive ?? false,
        jurisdictions: [{ country: "IN", default_rate_bps: 1800, category_rates: [{ category_id: "cat_books", rate_bps: 0 }], shipping_rate_bps: 1800 }]
      },
      shipping: {
        default_origin: { country: "IN", region: "Karnataka" },
        default_unit_weight_grams: 500,
        zones: [
          { zone_id: "india", name: "India", relation: "same_country" },
          { zone_id: "world", name: "World", relation: "any" }
        ],
        options: [
          {
            shipping_option_id: "standard",
            name: "Standard",
            rates: [
              { zone_id: "india", base_price: 5000, included_grams: 1_000_000_000, step_grams: 1, step_price: 0, eta_days: 3, ...(overrides.freeOver === undefined ? {} : { free_over: overrides.freeOver }) },
              { zone_id: "world", base_price: 50000, included_grams: 1_000_000_000, step_grams: 1, step_price: 0, eta_days: 10 }
            ]
          },
          {
            shipping_option_id: "express",
            name: "Express",
            rates: [{ zone_id: "india", base_price: 10000, included_grams: 1_000_000_000, step_grams: 1, step_price: 0, eta_days: 1 }]
          }
        ]
      }
    })
  )

export const karnataka = { country: "IN", region: "Karnataka" }

export const quoteInput = (fields: Partial<QuoteInput> = {}): QuoteInput => ({
  lines: [line(1)],
  shopper: { user_id: "u_AAAAAAAAAAAAAAAAAAAAAA", member_tier: null },
  destination: karnataka,
  shipping_option_id: null,
  coupon: null,
  promotions: [],
  tables: flatTables(),
  now_ms: now,
  ...fields
})

/** The quote, or the test fails with the rejection. */
export const quoted = (fields: Partial<QuoteInput> = {}): Quote => {
  const result = quote(quoteInput(fields))
  if (Either.isLeft(result)) throw new Error(`expected a quote, got ${JSON.stringify(result.left)}`)
  return result.right
}

export const rejected = (fields: Partial<QuoteInput> = {}): QuoteRejection => {
  const result = quote(quoteInput(fields))
  if (Either.isRight(result)) throw new Error(`expected a rejection, got ${JSON.stringify(result.right)}`)
  return result.left
}
