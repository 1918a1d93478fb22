import { Schema } from "effect"
import { CurrencyCode } from "../catalog/fields.ts"
import { CouponDefinition } from "./coupon-definition.ts"
import {
  CategoryId,
  CouponCode,
  EpochMs,
  Int,
  MemberTier,
  Place,
  pricingLimits,
  ProductId,
  PromotionId,
  Quantity,
  SellerId,
  ShippingOptionId,
  SkuId,
  TaxRateBps,
  Text,
  UnitPrice,
  UserId,
  WeightGrams
} from "./fields.ts"
import { Promotions, RewardKind } from "./promotion-schema.ts"
import { StoreTables } from "./store-tables.ts"

/** What a quote is computed from: everything is given, nothing is looked up. */
export const QuoteLineInput = Schema.Struct({
  sku_id: SkuId,
  product_id: ProductId,
  category_id: CategoryId,
  /** The category's ancestors, nearest first (promotion targets and tax rates match them too). */
  category_ancestor_ids: Schema.optionalWith(Schema.Array(CategoryId).pipe(Schema.maxItems(pricingLimits.maxCategoryDepth - 1)), { default: () => [] }),
  seller_id: SellerId,
  quantity: Quantity,
  /** The catalog's price of one unit. */
  unit_base_price: UnitPrice,
  /** The seller's own price of one unit, when it has one: it replaces the base price. */
  seller_price: Schema.optionalWith(Schema.NullOr(UnitPrice), { default: () => null }),
  /** Absent: the tables' default unit weight. */
  unit_weight_grams: Schema.optional(WeightGrams),
  /** The warehouse region the line ships from; absent: the tables' default origin. */
  origin: Schema.optional(Place)
})
export type QuoteLineInput = typeof QuoteLineInput.Type

export const Shopper = Schema.Struct({
  /** null for an anonymous shopper. */
  user_id: Schema.NullOr(UserId),
  member_tier: Schema.NullOr(MemberTier)
})
export type Shopper = typeof Shopper.Type

export const QuoteInput = Schema.Struct({
  /** Empty → `cart_empty`. */
  lines: Schema.Array(QuoteLineInput).pipe(Schema.maxItems(pricingLimits.maxLines)),
  shopper: Shopper,
  destination: Place,
  /** null: the cheapest option offered (ties: the fastest, then the first listed). */
  shipping_option_id: Schema.NullOr(ShippingOptionId),
  /** A coupon the coupon actor has validated for this shopper, or null. */
  coupon: Schema.NullOr(CouponDefinition),
  /** The store's promotions; those out of their window or audience are ignored. */
  promotions: Promotions,
  tables: StoreTables,
  now_ms: EpochMs
})
export type QuoteInput = typeof QuoteInput.Type

/** A non-negative safe integer amount in minor units. */
export const Money = Int.pipe(Schema.between(0, Number.MAX_SAFE_INTEGER))

export const QuotedLine = Schema.Struct({
  sku_id: SkuId,
  product_id: ProductId,
  quantity: Quantity,
  unit_base_price: UnitPrice,
  /** What one unit sells for before discounts: the seller's price, or a lower flash-sale price. */
  unit_price: UnitPrice,
  /** The flash sale that set `unit_price`, if one did. */
  flash_sale_id: Schema.NullOr(PromotionId),
  /** unit_price × quantity. */
  line_subtotal: Money,
  /** This line's item discounts plus its share of order discounts. */
  discount: Money,
  tax_rate_bps: TaxRateBps,
  /** Tax on line_subtotal − discount (the included part when prices include tax). */
  tax: Money,
  /** line_subtotal − discount, plus tax when tax is added on top. */
  line_total: Money
})
export type QuotedLine = typeof QuotedLine.Type

export const AppliedPromotion = Schema.Struct({
  source: Schema.Literal("promotion", "coupon"),
  /** The promotion_id, or the coupon code. */
  id: Schema.String,
  name: Text(200),
  kind: RewardKind,
  level: Schema.Literal("item", "order", "shipping"),
  /** What it took off: from `discount` (item and order levels) or from the shipping price. */
  amount: Money
})
export type AppliedPromotion = typeof AppliedPromotion.Type

export const ShippingQuote = Schema.Struct({
  shipping_option_id: ShippingOptionId,
  name: Text(100),
  /** What the shopper pays for it on this order (free thresholds and shipping promotions applied). */
  price: Money,
  eta_days: Int
})
export type ShippingQuote = typeof ShippingQuote.Type

export const CouponNotAppliedReason = Schema.Literal("not_started", "expired", "min_order_not_met", "not_combinable", "nothing_to_discount")
export type CouponNotAppliedReason = typeof CouponNotAppliedReason.Type

export const CouponOutcome = Schema.Struct({
  code: CouponCode,
  applied: Schema.Boolean,
  amount: Money,
  reason: Schema.NullOr(CouponNotAppliedReason)
})
export type CouponOutcome = typeof CouponOutcome.Type

/**
 * A priced order. `total = subtotal − discount + shipping + tax` when tax is added on top;
 * `total = subtotal − discount + shipping` when prices include tax (`tax` is then the part
 * included). Every amount is a non-negative integer in minor units; `discount ≤ subtotal`.
 */
export const Quote = Schema.Struct({
  currency: CurrencyCode,
  prices_include_tax: Schema.Boolean,
  lines: Schema.Array(QuotedLine),
  subtotal: Money,
  discount: Money,
  /** The chosen option's price (after free thresholds and shipping promotions). */
  shipping: Money,
  /** What free thresholds and shipping promotions took off the chosen option's price. */
  shipping_discount: Money,
  /** Σ line tax + shipping_tax. */
  tax: Money,
  shipping_tax: Money,
  total: Money,
  shipping_option_id: ShippingOptionId,
  eta_days: Int,
  shipping_options: Schema.Array(ShippingQuote),
  /** In the order they were applied. */
  applied: Schema.Array(AppliedPromotion),
  coupon: Schema.NullOr(CouponOutcome)
})
export type Quote = typeof Quote.Type

/** The cart has no lines. 422 `cart_empty`. */
export class CartEmpty extends Schema.TaggedError<CartEmpty>()("CartEmpty", {
  reason: Schema.Literal("cart_empty")
}) {}
/** The chosen option does not ship this order there. 422 `shipping_option_unavailable`, with the options that do. */
export class ShippingOptionUnavailable extends Schema.TaggedError<ShippingOptionUnavailable>()("ShippingOptionUnavailable", {
  reason: Schema.Literal("shipping_option_unavailable"),
  shipping_option_id: ShippingOptionId,
  available: Schema.Array(ShippingOptionId)
}) {}
/** No option ships this order to the address (a restricted place, or parcels too heavy). 422 `not_shippable`. */
export class NotShippable extends Schema.TaggedError<NotShippable>()("NotShippable", {
  reason: Schema.Literal("not_shippable"),
  country: Schema.String,
  region: Schema.String
}) {}

export const QuoteRejection = Schema.Union(CartEmpty, ShippingOptionUnavailable, NotShippable)
export type QuoteRejection = typeof QuoteRejection.Type
