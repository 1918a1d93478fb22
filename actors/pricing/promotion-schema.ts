import { Schema } from "effect"
import {
  Amount,
  CategoryId,
  DistinctList,
  Instant,
  Int,
  MemberTier,
  PercentBps,
  pricingLimits,
  ProductId,
  PromotionId,
  SellerId,
  ShippingOptionId,
  SkuId,
  Text,
  UnitPrice,
  windowIsOrdered
} from "./fields.ts"

/**
 * Promotions (automatic offers an operator runs) and their rewards, as Effect Schemas so admin
 * routes decode them with the same bounds. The quote engine (`quote.ts`) applies them; the rules
 * are in README.md next to this file.
 */

/**
 * Which cart lines a promotion concerns. A line matches when it matches every list given (and
 * one value of each list: any of its categories, the category's ancestors included); `{}`
 * matches every line.
 */
export const Target = Schema.Struct({
  sku_ids: Schema.optional(DistinctList(SkuId, pricingLimits.maxTargetIds)),
  product_ids: Schema.optional(DistinctList(ProductId, pricingLimits.maxTargetIds)),
  category_ids: Schema.optional(DistinctList(CategoryId, pricingLimits.maxTargetIds)),
  seller_ids: Schema.optional(DistinctList(SellerId, pricingLimits.maxTargetIds))
})
export type Target = typeof Target.Type

const everyLine = (): Target => ({})
const TargetOrAll = Schema.optionalWith(Target, { default: everyLine })
const PromotionQuantity = Int.pipe(Schema.between(1, pricingLimits.maxPromotionQuantity))
const MaxApplications = Schema.optionalWith(Int.pipe(Schema.between(1, pricingLimits.maxApplications)), { default: () => pricingLimits.maxApplications })
const ShippingOptionIds = Schema.optional(DistinctList(ShippingOptionId, 20))

/** What a promotion or a coupon gives. */
const rewards = {
  /** `percent_bps` off every matching line, at most `max_discount` over the order. */
  item_percentage: { target: TargetOrAll, percent_bps: PercentBps, max_discount: Schema.optional(Amount) },
  /** `amount_per_unit` off each matching unit (never below 0). */
  item_fixed: { target: TargetOrAll, amount_per_unit: Amount },
  /** `percent_bps` off the matching lines together (after item discounts), at most `max_discount`. */
  order_percentage: { target: TargetOrAll, percent_bps: PercentBps, max_discount: Schema.optional(Amount) },
  /** `amount` off the matching lines together (after item discounts). */
  order_fixed: { target: TargetOrAll, amount: Amount },
  /** `percent_bps` off the shipping price (10,000 = free shipping), for the options listed or all. */
  shipping_percentage: { percent_bps: PercentBps, max_discount: Schema.optional(Amount), shipping_option_ids: ShippingOptionIds },
  /** `amount` off the shipping price, for the options listed or all. */
  shipping_fixed: { amount: Amount, shipping_option_ids: ShippingOptionIds },
  /**
   * For every `buy.quantity` units bought of `buy.target`, `get.quantity` units of `get.target`
   * get `get.percent_bps` off (10,000 = free); the cheapest eligible units are the ones discounted.
   */
  buy_x_get_y: {
    buy: Schema.Struct({ target: TargetOrAll, quantity: PromotionQuantity }),
    get: Schema.Struct({ target: TargetOrAll, quantity: PromotionQuantity, percent_bps: PercentBps }),
    max_applications: MaxApplications
  },
  /** `quantity` units of each component together earn `reward`, up to `max_applications` times. */
  bundle: {
    components: Schema.Array(Schema.Struct({ target: Target, quantity: PromotionQuantity })).pipe(
      Schema.minItems(2),
      Schema.maxItems(pricingLimits.maxBundleComponents)
    ),
    reward: Schema.Union(
      /** The bundled units cost `amount` together (never more than they did). */
      Schema.Struct({ type: Schema.Literal("bundle_price"), amount: Amount }),
      Schema.Struct({ type: Schema.Literal("percentage"), percent_bps: PercentBps }),
      /** `amount` off each bundle. */
      Schema.Struct({ type: Schema.Literal("fixed"), amount: Amount })
    ),
    max_applications: MaxApplications
  }
} as const

export const RewardKind = Schema.Literal(...(Object.keys(rewards) as Array<keyof typeof rewards>))

export const ItemPercentage = Schema.Struct({ kind: Schema.Literal("item_percentage"), ...rewards.item_percentage })
export const ItemFixed = Schema.Struct({ kind: Schema.Literal("item_fixed"), ...rewards.item_fixed })
export const OrderPercentage = Schema.Struct({ kind: Schema.Literal("order_percentage"), ...rewards.order_percentage })
export const OrderFixed = Schema.Struct({ kind: Schema.Literal("order_fixed"), ...rewards.order_fixed })
export const ShippingPercentage = Schema.Struct({ kind: Schema.Literal("shipping_percentage"), ...rewards.shipping_percentage })
export const ShippingFixed = Schema.Struct({ kind: Schema.Literal("shipping_fixed"), ...rewards.shipping_fixed })
export const BuyXGetY = Schema.Struct({ kind: Schema.Literal("buy_x_get_y"), ...rewards.buy_x_get_y })
export const Bundle = Schema.Struct({ kind: Schema.Literal("bundle"), ...rewards.bundle })

/** Every reward a stacking promotion or a coupon can carry. */
export const Reward = Schema.Union(ItemPercentage, ItemFixed, OrderPercentage, OrderFixed, ShippingPercentage, ShippingFixed, BuyXGetY, Bundle)
export type Reward = typeof Reward.Type
export type RewardOf<K extends Reward["kind"]> = Extract<Reward, { readonly kind: K }>

/** Where a reward's amount goes: item and order rewards make up `discount`, shipping rewards lower `shipping`. */
export const levelOf = (kind: Reward["kind"]): "item" | "order" | "shipping" =>
  kind === "order_percentage" || kind === "order_fixed" ? "order" : kind === "shipping_percentage" || kind === "shipping_fixed" ? "shipping" : "item"

const common = {
  promotion_id: PromotionId,
  name: Text(100),
  starts_at: Schema.optional(Instant),
  ends_at: Schema.optional(Instant),
  /** Only shoppers with one of these tiers get it (member discounts); absent: everyone. */
  member_tiers: Schema.optional(DistinctList(MemberTier, pricingLimits.maxMemberTiers)),
  /** Applies only when the order's subtotal (before discounts) is at least this. */
  min_subtotal: Schema.optional(Amount),
  /** Never combined: when an exclusive promotion applies, it applies alone (the best one wins). */
  exclusive: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Higher first when promotions of one level stack (ties: by id). */
  priority: Schema.optionalWith(Int.pipe(Schema.between(0, 1000)), { default: () => 0 })
}

const orderedWindow = { message: () => "ends_at must be after starts_at" }
/** A stacking promotion of one kind: the common fields plus the reward's. */
export const ItemPercentagePromotion = Schema.Struct({ ...common, ...ItemPercentage.fields }).pipe(Schema.filter((p) => windowIsOrdered(p), orderedWindow))
export const ItemFixedPromotion = Schema.Struct({ ...common, ...ItemFixed.fields }).pipe(Schema.filter((p) => windowIsOrdered(p), orderedWindow))
export const OrderPercentagePromotion = Schema.Struct({ ...common, ...OrderPercentage.fields }).pipe(Schema.filter((p) => windowIsOrdered(p), orderedWindow))
export const OrderFixedPromotion = Schema.Struct({ ...common, ...OrderFixed.fields }).pipe(Schema.filter((p) => windowIsOrdered(p), orderedWindow))
export const ShippingPercentagePromotion = Schema.Struct({ ...common, ...ShippingPercentage.fields }).pipe(Schema.filter((p) => windowIsOrdered(p), orderedWindow))
export const ShippingFixedPromotion = Schema.Struct({ ...common, ...ShippingFixed.fields }).pipe(Schema.filter((p) => windowIsOrdered(p), orderedWindow))
export const BuyXGetYPromotion = Schema.Struct({ ...common, ...BuyXGetY.fields }).pipe(Schema.filter((p) => windowIsOrdered(p), orderedWindow))
export const BundlePromotion = Schema.Struct({ ...common, ...Bundle.fields }).pipe(Schema.filter((p) => windowIsOrdered(p), orderedWindow))

/**
 * A flash-sale price: during its window (required), the listed SKUs sell at `unit_price` when it
 * is lower than their regular price. It sets the price rather than discounting it, so it is not
 * subject to stacking rules, and the lowest active flash price of a SKU wins.
 */
export const FlashPrice = Schema.Struct({
  promotion_id: PromotionId,
  name: Text(100),
  kind: Schema.Literal("flash_price"),
  sku_ids: DistinctList(SkuId, pricingLimits.maxTargetIds),
  unit_price: UnitPrice,
  starts_at: Instant,
  ends_at: Instant,
  member_tiers: Schema.optional(DistinctList(MemberTier, pricingLimits.maxMemberTiers))
}).pipe(Schema.filter((p) => windowIsOrdered(p), orderedWindow))
export type FlashPrice = typeof FlashPrice.Type

export const StackingPromotion = Schema.Union(
  ItemPercentagePromotion,
  ItemFixedPromotion,
  OrderPercentagePromotion,
  OrderFixedPromotion,
  ShippingPercentagePromotion,
  ShippingFixedPromotion,
  BuyXGetYPromotion,
  BundlePromotion
)
export type StackingPromotion = typeof StackingPromotion.Type

/** A promotion as an operator defines it. */
export const Promotion = Schema.Union(StackingPromotion, FlashPrice)
export type Promotion = typeof Promotion.Type

export const Promotions = Schema.Array(Promotion).pipe(
  Schema.maxItems(pricingLimits.maxPromotions),
  Schema.filter((ps) => new Set(ps.map((p) => p.promotion_id)).size === ps.length, { message: () => "promotion_id must be distinct" })
)
