import type { Order } from "./order-schema.ts"

/**
 * What clients see of an order: `GET /v1/orders/{order_id}` (API.md, seed 7.6) and the summary
 * the order list shows. Internal bookkeeping (reservation ids, the fraud review, hold counts,
 * cancellation compensation) stays inside.
 */

export const orderView = (order: Order) => ({
  order_id: order.order_id,
  status: order.status,
  currency: order.currency,
  items: order.items.map((i) => ({
    sku_id: i.sku_id,
    product_id: i.product_id,
    ...(i.seller_id === undefined ? {} : { seller_id: i.seller_id }),
    title: i.title,
    quantity: i.quantity,
    unit_price: i.unit_price,
    line_total: i.line_total
  })),
  shipping_address: order.shipping_address,
  totals: order.totals,
  payment: {
    status: order.payment.status,
    method: order.payment.method,
    authorized_amount: order.payment.authorized_amount,
    captured_amount: order.payment.captured_amount,
    refunded_amount: order.payment.refunded_amount
  },
  shipments: order.shipments,
  refunds: order.refunds,
  returns: order.returns.map((r) => ({ return_id: r.return_id, status: r.status, items: r.items, requested_at: r.requested_at, refund_id: r.refund_id })),
  timeline: order.timeline,
  hold: order.hold === null ? null : { reason: order.hold.reason, note: order.hold.note },
  created_at: order.created_at,
  updated_at: order.updated_at
})
export type OrderView = ReturnType<typeof orderView>

/** One row of `GET /v1/orders`; `item_count` counts units. */
export const orderSummaryOf = (order: Order) => ({
  order_id: order.order_id,
  status: order.status,
  total: order.totals.total,
  currency: order.currency,
  created_at: order.created_at,
  item_count: order.items.reduce((sum, i) => sum + i.quantity, 0)
})
export type OrderSummaryView = ReturnType<typeof orderSummaryOf>
