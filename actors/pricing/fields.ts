import { ParseResult, Schema } from "effect"
import { CountryCode, EpochMs, Rfc3339Utc, Text, UserId } from "../accounts/fields.ts"
import { cartLimits, SkuId } from "../cart/fields.ts"
import { CategoryId, ProductId, SellerId } from "../catalog/fields.ts"

/**
 * Field schemas and limits of the pricing service (quotes, promotions, coupons, store tables).
 * Every list and string is bounded; money is an integer count of minor units; rates and
 * percentages are integer basis points (1 bp = 0.01 %).
 */

export { CategoryId, CountryCode, EpochMs, ProductId, SellerId, SkuId, Text, UserId }

export const pricingLimits = {
  /** Lines of one quote (a cart's limit). */
  maxLines: cartLimits.maxLines,
  /** Units of one line (a cart's limit). */
  maxQuantity: cartLimits.maxQuantity,
  /** Largest unit price: 100 lines × 100 units × this stays far below 2^53 (see cart fields). */
  maxUnitPrice: cartLimits.maxUnitPrice,
  /** Largest amount in a table or a promotion (a fixed discount, a threshold, a shipping rate). */
  maxAmount: 1_000_000_000_000,
  /** Active promotions one quote considers. */
  maxPromotions: 500,
  /** Ids in one promotion target list (SKUs, products, categories, sellers). */
  maxTargetIds: 200,
  /** Categories of a line: its own and its ancestors, nearest first. */
  maxCategoryDepth: 10,
  /** Components of one bundle. */
  maxBundleComponents: 10,
  /** Times one buy-X-get-Y or bundle promotion may apply to one order. */
  maxApplications: 100,
  /** Largest X or Y of buy-X-get-Y, and units of one bundle component. */
  maxPromotionQuantity: 100,
  /** Member tiers one promotion names. */
  maxMemberTiers: 20,
  /** Heaviest unit: 100 kg. */
  maxUnitWeightGrams: 100_000,
  /** Largest tax rate: 100 %. */
  maxTaxRateBps: 10_000
} as const

export const Int = Schema.Number.pipe(Schema.int())
/** Money in minor units, 0..10^12. */
export const Amount = Int.pipe(Schema.between(0, pricingLimits.maxAmount))
/** A unit price in minor units (the cart's bound). */
export const UnitPrice = Int.pipe(Schema.between(0, pricingLimits.maxUnitPrice))
export const Quantity = Int.pipe(Schema.between(1, pricingLimits.maxQuantity))
/** A percentage in basis points, 1..10,000 (10,000 = 100 %, e.g. "free"). */
export const PercentBps = Int.pipe(Schema.between(1, 10_000)).annotations({ description: "basis points: 1000 = 10 %, 10000 = 100 %" })
/** A tax rate in basis points, 0..10,000 (1800 = 18 %). */
export const TaxRateBps = Int.pipe(Schema.between(0, pricingLimits.maxTaxRateBps)).annotations({ description: "basis points: 1800 = 18 %" })
export const WeightGrams = Int.pipe(Schema.between(0, pricingLimits.maxUnitWeightGrams))

/** A region (state, province) as written in addresses; compared trimmed and case-insensitively. */
export const Region = Text(100)
/** The comparable form of a region name: trimmed, lower case, inner spaces collapsed. */
export const normalizeRegion = (region: string): string => region.trim().replace(/\s+/g, " ").toLowerCase()

/** A place stock ships from or to: a country and a region in it. */
export const Place = Schema.Struct({ country: CountryCode, region: Region })
export type Place = typeof Place.Type

/** A member tier name chosen by the operator, e.g. `gold`. */
export const MemberTier = Schema.String.pipe(Schema.pattern(/^[a-z][a-z0-9_-]{0,31}$/))

/** `promo_` + 1..64 url-safe characters. */
export const PromotionId = Schema.String.pipe(Schema.pattern(/^promo_[A-Za-z0-9_-]{1,64}$/))

/** A coupon code in canonical form: upper case, 3..32 letters, digits, `_` or `-`. */
export const CouponCode = Schema.String.pipe(Schema.pattern(/^[A-Z0-9][A-Z0-9_-]{2,31}$/)).annotations({
  description: "3..32 upper-case letters, digits, `_` or `-` (codes are matched case-insensitively)"
})
/** What a shopper typed, in canonical form (the coupon actor's id). */
export const normalizeCouponCode = (typed: string): string => typed.trim().toUpperCase()

/** `ord_` + 1..64 url-safe characters (minted by the checkout). */
export const OrderId = Schema.String.pipe(Schema.pattern(/^ord_[A-Za-z0-9_-]{1,64}$/))

/** An instant: RFC 3339 UTC on the wire and in the journal, epoch milliseconds in memory. */
export const Instant = Schema.transformOrFail(Rfc3339Utc, EpochMs, {
  strict: true,
  decode: (text, _, ast) => {
    const ms = Date.parse(text)
    // Date.parse rolls 2025-02-30 over to March: a date that does not print back as written is not one.
    const real = Number.isFinite(ms) && ms >= 0 && new Date(ms).toISOString().slice(0, 19) === text.slice(0, 19)
    return real ? ParseResult.succeed(ms) : ParseResult.fail(new ParseResult.Type(ast, text, "not a valid date"))
  },
  encode: (ms) => ParseResult.succeed(new Date(ms).toISOString())
})

/** A time window [starts_at, ends_at): either end may be open. */
export const isWithinWindow = (window: { readonly starts_at?: number | undefined; readonly ends_at?: number | undefined }, nowMs: number): boolean =>
  (window.starts_at === undefined || nowMs >= window.starts_at) && (window.ends_at === undefined || nowMs < window.ends_at)

/** Check a window's order: `ends_at` after `starts_at` when both are set. */
export const windowIsOrdered = (window: { readonly starts_at?: number | undefined; readonly ends_at?: number | undefined }): boolean =>
  window.starts_at === undefined || window.ends_at === undefined || window.ends_at > window.starts_at

/** A non-empty bounded list of distinct strings. */
export const DistinctList = (item: Schema.Schema<string>, max: number) =>
  Schema.Array(item).pipe(
    Schema.minItems(1),
    Schema.maxItems(max),
    Schema.filter((xs) => new Set(xs).size === xs.length, { message: () => "values must be distinct" })
  )

/** A shipping option's id chosen by the operator, e.g. `standard`, `express`. */
export const ShippingOptionId = Schema.String.pipe(Schema.pattern(/^[a-z][a-z0-9_-]{0,63}$/))
/** A shipping zone's id chosen by the operator, e.g. `local`, `national`. */
export const ZoneId = Schema.String.pipe(Schema.pattern(/^[a-z][a-z0-9_-]{0,63}$/))
