import { Schema } from "effect"
import { Address, Rfc3339Utc } from "../accounts/fields.ts"
import { OpaqueId, ProductId, ProductTitle, Quantity, SkuId, Text, UnitPrice } from "../cart/fields.ts"
import { Code, EntryId } from "../payments/fields.ts"
import { OrderStatus } from "./order-status.ts"

/** Field schemas of the order and order-index actors. Money is an integer count of minor units. */

export const orderLimits = {
  /** Lines per order (a cart's limit). */
  maxItems: 100,
  /** Refunds recorded per order; the 21st is refused with `refund_limit`. */
  maxRefunds: 20,
  /** Holds per order over its life; the 11th is refused with `hold_limit`. */
  maxHolds: 10,
  /** Timeline entries: every transition, refund and hold adds one; the limits above keep it below this. */
  maxTimeline: 64,
  /** How long after delivery a return may be requested (30 days). */
  returnWindowMs: 30 * 24 * 60 * 60 * 1000,
  /** Largest amount of money an order holds anywhere (100 lines × 100 units × 10^11). */
  maxMoney: 1_000_000_000_000_000
} as const

/** `ord_` + base64url of ≥ 96 random bits (16..64 characters); minted by the checkout saga. */
export const OrderId = Schema.String.pipe(Schema.pattern(/^ord_[A-Za-z0-9_-]{16,64}$/))
/** `co_` + base64url of ≥ 96 random bits. */
export const CheckoutId = Schema.String.pipe(Schema.pattern(/^co_[A-Za-z0-9_-]{16,64}$/))
/** `ret_` + an id chosen by the caller. */
export const ReturnId = Schema.String.pipe(Schema.pattern(/^ret_[A-Za-z0-9_-]{1,64}$/))
export const ShipmentId = OpaqueId
export const RefundId = EntryId
export const ReservationId = OpaqueId
/** Sellers are `s_…` (catalog); kept loose so a seller id format change does not break old orders. */
export const SellerId = OpaqueId
export const Note = Text(500)

export const Money = Schema.Number.pipe(Schema.int(), Schema.between(0, orderLimits.maxMoney))
export const PositiveMoney = Schema.Number.pipe(Schema.int(), Schema.between(1, orderLimits.maxMoney))

/** A line as the checkout priced it. `reservation_id`: the stock hold confirmed for it (to return the stock on cancel). */
export const PlacedItem = Schema.Struct({
  sku_id: SkuId,
  product_id: ProductId,
  seller_id: Schema.optional(SellerId),
  title: ProductTitle,
  quantity: Quantity,
  unit_price: UnitPrice,
  reservation_id: Schema.optional(ReservationId)
})
export type PlacedItem = typeof PlacedItem.Type

export const OrderItem = Schema.Struct({ ...PlacedItem.fields, line_total: Money })
export type OrderItem = typeof OrderItem.Type

export const Items = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.Array(item).pipe(
    Schema.minItems(1),
    Schema.maxItems(orderLimits.maxItems),
    Schema.filter((items) => new Set(items.map((i) => (i as { sku_id: string }).sku_id)).size === items.length, { message: () => "items must have distinct sku_id" })
  )

/** API.md: `total = subtotal − discount + shipping + tax` (tax not added when prices include it). */
export const Totals = Schema.Struct({ subtotal: Money, discount: Money, shipping: Money, tax: Money, total: Money })
export type Totals = typeof Totals.Type

/** The shipping address as it was when the order was placed (a later edit of the address book does not move a parcel). */
export const ShippingAddress = Address
export type ShippingAddress = typeof ShippingAddress.Type

export const ShipmentEvent = Schema.Struct({ at: Rfc3339Utc, status: Schema.Literal("shipped", "delivered"), note: Note })
export const Shipment = Schema.Struct({
  shipment_id: ShipmentId,
  status: Schema.Literal("shipped", "delivered"),
  carrier: Text(64),
  tracking_number: Text(128),
  events: Schema.Array(ShipmentEvent).pipe(Schema.maxItems(2))
})
export type Shipment = typeof Shipment.Type

export const OrderRefund = Schema.Struct({
  refund_id: RefundId,
  amount: PositiveMoney,
  status: Schema.Literal("succeeded"),
  created_at: Rfc3339Utc,
  return_id: Schema.NullOr(ReturnId)
})
export type OrderRefund = typeof OrderRefund.Type

export const ReturnItem = Schema.Struct({ sku_id: SkuId, quantity: Quantity, reason: Text(500) })
export type ReturnItem = typeof ReturnItem.Type

export const OrderReturn = Schema.Struct({
  return_id: ReturnId,
  status: Schema.Literal("requested", "received", "refunded"),
  items: Items(ReturnItem),
  requested_at: Rfc3339Utc,
  refund_id: Schema.NullOr(RefundId)
})
export type OrderReturn = typeof OrderReturn.Type

export const TimelineEntry = Schema.Struct({ at: Rfc3339Utc, status: OrderStatus, note: Note })
export type TimelineEntry = typeof TimelineEntry.Type

/** Why an order waits in `exception`, and where a release returns it. */
export const Hold = Schema.Struct({ held_from: OrderStatus, reason: Code, note: Note })
export type Hold = typeof Hold.Type

/** Fraud rules asked for an operator's review (applied when the payment is authorized). */
export const Review = Schema.Struct({ reasons: Schema.Array(Code).pipe(Schema.minItems(1), Schema.maxItems(10)) })
export type Review = typeof Review.Type

/** What a cancellation leaves the saga to do: give the money back and return the stock. */
export const Compensation = Schema.Struct({
  /** `void`: release an authorization (or drop a pending one); `refund`: give back `refund_amount`. */
  payment: Schema.Literal("none", "void", "refund"),
  refund_amount: Money,
  release_stock: Schema.Array(Schema.Struct({ sku_id: SkuId, quantity: Quantity, reservation_id: Schema.NullOr(ReservationId) })).pipe(
    Schema.maxItems(orderLimits.maxItems)
  )
})
export type Compensation = typeof Compensation.Type

export const Cancellation = Schema.Struct({
  by: Schema.Literal("customer", "operator", "system"),
  reason: Note,
  at: Rfc3339Utc,
  compensation: Compensation
})
export type Cancellation = typeof Cancellation.Type
