import { Schema } from "effect"
import { Amount, CouponCode, Instant, Int, Text, windowIsOrdered } from "./fields.ts"
import { Reward } from "./promotion-schema.ts"

export const couponLimits = {
  /** Largest global usage limit (a coupon's actor remembers every redemption, so this bounds its state). */
  maxUsageLimit: 100_000,
  maxPerCustomerLimit: 1_000
} as const

/**
 * A coupon as an operator defines it. The coupon actor (`coupon.ts`, id = `code`) enforces the
 * window and the limits; the quote applies `benefit` like a promotion, after the automatic
 * promotions of its level. One coupon per order.
 */
export const CouponDefinition = Schema.Struct({
  code: CouponCode,
  description: Schema.optional(Text(200)),
  benefit: Reward,
  starts_at: Schema.optional(Instant),
  ends_at: Schema.optional(Instant),
  /** Redemptions over all customers (a reverted redemption gives its use back). */
  usage_limit: Int.pipe(Schema.between(1, couponLimits.maxUsageLimit)),
  /** Redemptions by one customer. */
  per_customer_limit: Schema.optionalWith(Int.pipe(Schema.between(1, couponLimits.maxPerCustomerLimit)), { default: () => 1 }),
  /** The order's subtotal (before discounts) must reach this. */
  min_order_amount: Schema.optionalWith(Amount, { default: () => 0 }),
  /** Not combined with automatic promotions: applies alone, or not at all when an exclusive promotion wins. */
  exclusive: Schema.optionalWith(Schema.Boolean, { default: () => false })
}).pipe(Schema.filter((c) => windowIsOrdered(c), { message: () => "ends_at must be after starts_at" }))
export type CouponDefinition = typeof CouponDefinition.Type
