import type { PaymentSummary } from "../payments/fields.ts"
import type { Compensation } from "./fields.ts"
import type { OrderCommand, OrderEvent } from "./order-schema.ts"
import type { OrderStatus } from "./order-status.ts"

/** Shared by the order tables and properties: one order of two lines, total 11,400 INR, at time 0. */

export const orderId = "ord_AAAAAAAAAAAAAAAAAAAAAA"
export const checkoutId = "co_AAAAAAAAAAAAAAAAAAAAAA"
export const userId = "u_AAAAAAAAAAAAAAAAAAAA"
export const paymentId = "pay_AAAAAAAAAAAAAAAAAAAAAA"
export const at = new Date(0).toISOString()
export const total = 11_400

export const placedItems = [
  { sku_id: "sku_1", product_id: "p_1", seller_id: "s_1", title: "Headphones", quantity: 2, unit_price: 5_000, reservation_id: "res_1" },
  { sku_id: "sku_2", product_id: "p_2", title: "Case", quantity: 1, unit_price: 1_000 }
]
export const orderItems = placedItems.map((i) => ({ ...i, line_total: i.unit_price * i.quantity }))
export const totals = { subtotal: 11_000, discount: 1_000, shipping: 500, tax: 900, total }
export const address = {
  address_id: "addr_AAAAAAAAAAAAAAAAAAAA",
  name: "Ada Lovelace",
  line1: "12 Marine Drive",
  city: "Mumbai",
  region: "MH",
  postal_code: "400002",
  country: "IN"
}

export const payment = (status: PaymentSummary["status"], captured = 0, refunded = 0): PaymentSummary => ({
  payment_id: paymentId as PaymentSummary["payment_id"],
  method: "card",
  status,
  authorized_amount: status === "pending" || status === "failed" ? 0 : total,
  captured_amount: captured,
  refunded_amount: refunded
})

export const place = (paymentStatus: PaymentSummary["status"] = "authorized", review: { reasons: Array<string> } | null = null): OrderCommand => ({
  _tag: "Place",
  checkout_id: checkoutId,
  user_id: userId,
  currency: "INR",
  items: placedItems,
  shipping_address: address,
  totals,
  tax_inclusive: false,
  payment: payment(paymentStatus),
  review
})

export const placed = (status: "placed" | "pending_payment" = "placed", review: { reasons: Array<string> } | null = null): OrderEvent => ({
  _tag: "Placed",
  checkout_id: checkoutId,
  user_id: userId,
  currency: "INR",
  items: orderItems,
  shipping_address: address,
  totals,
  tax_inclusive: false,
  payment: payment(status === "placed" ? "authorized" : "pending"),
  review,
  status,
  at,
  note: status === "placed" ? "order placed" : "order placed; waiting for the payment"
})

export const releaseStock = [
  { sku_id: "sku_1", quantity: 2, reservation_id: "res_1" },
  { sku_id: "sku_2", quantity: 1, reservation_id: null }
]
export const compensation = (paymentAction: Compensation["payment"] = "void", refundAmount = 0): Compensation => ({
  payment: paymentAction,
  refund_amount: refundAmount,
  release_stock: releaseStock
})

export const shipment = {
  shipment_id: "shp_1",
  status: "shipped" as const,
  carrier: "BlueDart",
  tracking_number: "BD123456789IN",
  events: [{ at, status: "shipped" as const, note: "handed to the carrier" }]
}

export const ev = {
  paymentAuthorized: { _tag: "PaymentAuthorized", payment: payment("authorized"), at, note: "payment authorized" },
  paymentFailed: { _tag: "PaymentFailed", code: "card_declined", at, note: "payment failed: card_declined" },
  paymentRecorded: (p: PaymentSummary): OrderEvent => ({ _tag: "PaymentRecorded", payment: p, at }),
  cancelled: (c: Compensation = compensation()): OrderEvent => ({
    _tag: "Cancelled",
    cancellation: { by: "customer", reason: "changed my mind", at, compensation: c },
    at,
    note: "cancelled by customer: changed my mind"
  }),
  fulfilmentStarted: { _tag: "FulfilmentStarted", at, note: "fulfilment started" },
  shipped: { _tag: "Shipped", shipment, at, note: "shipped with BlueDart, tracking BD123456789IN" },
  delivered: { _tag: "Delivered", at_ms: 0, at, note: "delivered" },
  closed: { _tag: "Closed", at, note: "closed" },
  returnRequested: { _tag: "ReturnRequested", return_id: "ret_1", items: [{ sku_id: "sku_1", quantity: 1, reason: "too loud" }], at, note: "return ret_1 requested" },
  returnReceived: { _tag: "ReturnReceived", return_id: "ret_1", at, note: "return ret_1 received" },
  refunded: (id: string, amount: number, returnId: string | null): OrderEvent => ({
    _tag: "Refunded",
    refund: { refund_id: id, amount, status: "succeeded", created_at: at, return_id: returnId },
    at,
    note: `refunded ${amount} INR`
  }),
  held: (from: OrderStatus, reason = "operator", note = "check address"): OrderEvent => ({
    _tag: "Held",
    hold: { held_from: from, reason, note: reason === "fraud_review" ? `held for review: ${note}` : note },
    at,
    note: reason === "fraud_review" ? `held for review: ${note}` : `held (${reason}): ${note}`
  }),
  released: (to: OrderStatus, note = "ok"): OrderEvent => ({ _tag: "HoldReleased", to, at, note: `hold released: ${note}` })
} satisfies Record<string, OrderEvent | ((...args: never[]) => OrderEvent)>

const delivered = [placed(), ev.fulfilmentStarted, ev.shipped, ev.delivered]

/** Given-events of one order in each status. */
export const states: Record<OrderStatus, ReadonlyArray<OrderEvent>> = {
  pending_payment: [placed("pending_payment")],
  placed: [placed()],
  fulfilling: [placed(), ev.fulfilmentStarted],
  shipped: [placed(), ev.fulfilmentStarted, ev.shipped],
  delivered,
  closed: [...delivered, ev.closed],
  cancelled: [placed(), ev.cancelled()],
  payment_failed: [placed("pending_payment"), ev.paymentFailed],
  return_requested: [...delivered, ev.returnRequested],
  returned: [...delivered, ev.returnRequested, ev.returnReceived],
  refunded: [...delivered, ev.returnRequested, ev.returnReceived, ev.refunded("rf_1", 5_000, "ret_1")],
  exception: [placed(), ev.held("placed", "fraud_review", "velocity_user")]
}
