import { Schema } from "effect"
import { EpochMs, Rfc3339Utc, UserId } from "../accounts/fields.ts"
import { InvalidCommand, Text } from "../cart/fields.ts"
import { Code, Currency, PaymentSummary } from "../payments/fields.ts"
import {
  Cancellation,
  CheckoutId,
  Hold,
  Items,
  Note,
  OrderItem,
  orderLimits,
  OrderRefund,
  OrderReturn,
  PlacedItem,
  PositiveMoney,
  RefundId,
  ReturnId,
  ReturnItem,
  Review,
  Shipment,
  ShipmentId,
  ShippingAddress,
  TimelineEntry,
  Totals
} from "./fields.ts"
import { OrderStatus } from "./order-status.ts"

/** State, commands, events and rejections of the order actor (see order.ts for the rules). */

export const Order = Schema.Struct({
  status: OrderStatus,
  order_id: Schema.String,
  user_id: UserId,
  checkout_id: CheckoutId,
  currency: Currency,
  items: Items(OrderItem),
  shipping_address: ShippingAddress,
  totals: Totals,
  /** Prices include tax: `tax` is the included part, not added to the total. */
  tax_inclusive: Schema.Boolean,
  payment: PaymentSummary,
  /** Fraud rules asked for review; applied when the payment is authorized (then null). */
  review: Schema.NullOr(Review),
  hold: Schema.NullOr(Hold),
  holds_total: Schema.Number.pipe(Schema.int(), Schema.between(0, orderLimits.maxHolds)),
  cancellation: Schema.NullOr(Cancellation),
  shipments: Schema.Array(Shipment).pipe(Schema.maxItems(1)),
  refunds: Schema.Array(OrderRefund).pipe(Schema.maxItems(orderLimits.maxRefunds)),
  returns: Schema.Array(OrderReturn).pipe(Schema.maxItems(1)),
  timeline: Schema.Array(TimelineEntry).pipe(Schema.maxItems(orderLimits.maxTimeline)),
  delivered_at_ms: Schema.NullOr(EpochMs),
  created_at: Rfc3339Utc,
  updated_at: Rfc3339Utc
})
export type Order = typeof Order.Type

/** Before `Place`: the id exists only as an address. */
export const NewOrder = Schema.Struct({ status: Schema.Literal("new"), order_id: Schema.String })
export type NewOrder = typeof NewOrder.Type

export const OrderState = Schema.Union(NewOrder, Order)
export type OrderState = typeof OrderState.Type

export const Place = Schema.TaggedStruct("Place", {
  checkout_id: CheckoutId,
  user_id: UserId,
  currency: Currency,
  items: Items(PlacedItem),
  shipping_address: ShippingAddress,
  totals: Totals,
  tax_inclusive: Schema.Boolean,
  /** `pending`: the order waits in `pending_payment`; `authorized`/`captured`: it is placed. */
  payment: PaymentSummary,
  review: Schema.NullOr(Review)
})
export type Place = typeof Place.Type

export const OrderCommand = Schema.Union(
  Place,
  /** A `pending_payment` order's payment was authorized. */
  Schema.TaggedStruct("MarkPaymentAuthorized", { payment: PaymentSummary }),
  Schema.TaggedStruct("MarkPaymentFailed", { code: Code }),
  /** The payment moved (captured, refunded…): refresh what the order shows. */
  Schema.TaggedStruct("RecordPayment", { payment: PaymentSummary }),
  Schema.TaggedStruct("Cancel", { by: Schema.Literal("customer", "operator", "system"), reason: Note }),
  Schema.TaggedStruct("StartFulfilment", {}),
  Schema.TaggedStruct("Ship", { shipment_id: ShipmentId, carrier: Text(64), tracking_number: Text(128) }),
  Schema.TaggedStruct("Deliver", {}),
  Schema.TaggedStruct("Close", {}),
  Schema.TaggedStruct("RequestReturn", { return_id: ReturnId, items: Items(ReturnItem) }),
  Schema.TaggedStruct("MarkReturned", { return_id: ReturnId }),
  /** Money given back: after a return is received, or after a cancellation of a captured payment. */
  Schema.TaggedStruct("MarkRefunded", { refund_id: RefundId, amount: PositiveMoney, return_id: Schema.optional(ReturnId) }),
  Schema.TaggedStruct("Hold", { reason: Code, note: Note }),
  Schema.TaggedStruct("ReleaseHold", { note: Note }),
  Schema.TaggedStruct("Get", {})
)
export type OrderCommand = typeof OrderCommand.Type

const stamp = { at: Rfc3339Utc, note: Note }

export const OrderEvent = Schema.Union(
  Schema.TaggedStruct("Placed", {
    checkout_id: CheckoutId,
    user_id: UserId,
    currency: Currency,
    items: Items(OrderItem),
    shipping_address: ShippingAddress,
    totals: Totals,
    tax_inclusive: Schema.Boolean,
    payment: PaymentSummary,
    review: Schema.NullOr(Review),
    status: Schema.Literal("placed", "pending_payment"),
    ...stamp
  }),
  Schema.TaggedStruct("PaymentAuthorized", { payment: PaymentSummary, ...stamp }),
  Schema.TaggedStruct("PaymentFailed", { code: Code, ...stamp }),
  Schema.TaggedStruct("PaymentRecorded", { payment: PaymentSummary, at: Rfc3339Utc }),
  Schema.TaggedStruct("Cancelled", { cancellation: Cancellation, ...stamp }),
  Schema.TaggedStruct("FulfilmentStarted", { ...stamp }),
  Schema.TaggedStruct("Shipped", { shipment: Shipment, ...stamp }),
  Schema.TaggedStruct("Delivered", { at_ms: EpochMs, ...stamp }),
  Schema.TaggedStruct("Closed", { ...stamp }),
  Schema.TaggedStruct("ReturnRequested", { return_id: ReturnId, items: Items(ReturnItem), ...stamp }),
  Schema.TaggedStruct("ReturnReceived", { return_id: ReturnId, ...stamp }),
  Schema.TaggedStruct("Refunded", { refund: OrderRefund, ...stamp }),
  Schema.TaggedStruct("Held", { hold: Hold, ...stamp }),
  Schema.TaggedStruct("HoldReleased", { to: OrderStatus, ...stamp })
)
export type OrderEvent = typeof OrderEvent.Type

/** Any command but `Place` on an order never placed. Map to 404. */
export class OrderNotFound extends Schema.TaggedError<OrderNotFound>()("OrderNotFound", {
  reason: Schema.Literal("not_found")
}) {}
/** `Place` again with other data (another checkout, other items…). Map to 409 `conflict`. */
export class OrderExists extends Schema.TaggedError<OrderExists>()("OrderExists", {
  reason: Schema.Literal("order_exists")
}) {}
/** The command is not allowed in the order's current status. Map to 422 `invalid_transition` with `details.status`. */
export class InvalidTransition extends Schema.TaggedError<InvalidTransition>()("InvalidTransition", {
  reason: Schema.Literal("invalid_transition"),
  status: OrderStatus,
  command: Schema.String,
  message: Schema.String
}) {}
/** A return of a SKU not in the order or of more units than ordered. Map to 422 `invalid_return`. */
export class InvalidReturn extends Schema.TaggedError<InvalidReturn>()("InvalidReturn", {
  reason: Schema.Literal("invalid_return"),
  sku_id: Schema.String,
  ordered: Schema.Number
}) {}
/** A return requested after `orderLimits.returnWindowMs`. 422. */
export class ReturnWindowClosed extends Schema.TaggedError<ReturnWindowClosed>()("ReturnWindowClosed", {
  reason: Schema.Literal("return_window_closed"),
  closed_at: Rfc3339Utc
}) {}
/** Refunds above the order total, or past `orderLimits.maxRefunds`. 422. */
export class OrderRefundRefused extends Schema.TaggedError<OrderRefundRefused>()("OrderRefundRefused", {
  reason: Schema.Literal("refund_exceeds_total", "refund_limit"),
  refundable: Schema.Number
}) {}
/** An id sent again with other data, or about something else than this order's. 409. */
export class OrderIdConflict extends Schema.TaggedError<OrderIdConflict>()("OrderIdConflict", {
  reason: Schema.Literal("refund_id_reused", "return_not_found", "payment_mismatch"),
  id: Schema.String
}) {}
/** An order held `orderLimits.maxHolds` times already. 422. */
export class HoldLimit extends Schema.TaggedError<HoldLimit>()("HoldLimit", {
  reason: Schema.Literal("hold_limit"),
  limit: Schema.Number
}) {}

export const OrderRejection = Schema.Union(
  InvalidCommand,
  OrderNotFound,
  OrderExists,
  InvalidTransition,
  InvalidReturn,
  ReturnWindowClosed,
  OrderRefundRefused,
  OrderIdConflict,
  HoldLimit
)
export type OrderRejection = typeof OrderRejection.Type
