import { Effect, Schema } from "effect"
import { OrderId } from "../../actors/orders/fields.ts"
import { Cursor, orderIndexLimits } from "../../actors/orders/order-index.ts"
import { orderView } from "../../actors/orders/order-view.ts"
import { PaymentProvider, type ProviderClient } from "../../provider/client.ts"
import type { Actors } from "../../runtime/service.ts"
import { notFound } from "../api-error.ts"
import { cancelOrder, type CancelDeps } from "../orders/cancel-order.ts"
import { listOrders, readOwnOrder } from "../orders/order-calls.ts"
import { type AnyRoute, commonErrors, route } from "../route.ts"

/**
 * The shopper's orders (API.md, "Checkout, orders, payments"): the list (newest first, stable
 * cursor pages), one order in the seed 7.6 shape, and cancellation until shipment. Another
 * user's order is 404 exactly like one that does not exist; an operator (`admin`) may read and
 * cancel any order.
 */

export interface OrderRoutesDeps extends CancelDeps {
  readonly provider: ProviderClient
}

const isOrderId = Schema.is(OrderId)

const OrderParams = Schema.Struct({ order_id: Schema.String.pipe(Schema.maxLength(200)) })

const Limit = Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, orderIndexLimits.maxPageSize))
const ListQuery = Schema.Struct({
  cursor: Schema.optional(Cursor).annotations({ description: "next_cursor of the previous page" }),
  limit: Schema.optional(Limit).annotations({ description: `orders per page, 1..${orderIndexLimits.maxPageSize}, default 20` })
})

const OrderRow = Schema.Struct({
  order_id: Schema.String,
  status: Schema.String,
  total: Schema.Number,
  currency: Schema.String,
  created_at: Schema.String,
  item_count: Schema.Number
})
const OrderList = Schema.Struct({ orders: Schema.Array(OrderRow), next_cursor: Schema.NullOr(Schema.String) })

const Timeline = Schema.Array(Schema.Struct({ at: Schema.String, status: Schema.String, note: Schema.String }))
const OrderBody = Schema.Struct({
  order_id: Schema.String,
  status: Schema.String,
  currency: Schema.String,
  items: Schema.Array(Schema.Unknown),
  shipping_address: Schema.Unknown,
  totals: Schema.Struct({ subtotal: Schema.Number, discount: Schema.Number, shipping: Schema.Number, tax: Schema.Number, total: Schema.Number }),
  payment: Schema.Struct({
    status: Schema.String,
    method: Schema.String,
    authorized_amount: Schema.Number,
    captured_amount: Schema.Number,
    refunded_amount: Schema.Number
  }),
  shipments: Schema.Array(Schema.Unknown),
  refunds: Schema.Array(Schema.Unknown),
  returns: Schema.Array(Schema.Unknown),
  timeline: Timeline,
  hold: Schema.NullOr(Schema.Unknown),
  created_at: Schema.String,
  updated_at: Schema.String
})

const orderOf = (caller: Parameters<typeof readOwnOrder>[0], orderId: string) =>
  isOrderId(orderId) ? readOwnOrder(caller, orderId) : Effect.fail(notFound("order not found"))

export const orderRoutes = (deps: OrderRoutesDeps): ReadonlyArray<AnyRoute<Actors>> => [
  route({
    operationId: "listOrders",
    method: "get",
    path: "/v1/orders",
    summary: "The signed-in shopper's orders, newest first. Pages stay stable while new orders arrive: pass next_cursor back as cursor; it is null on the last page.",
    tags: ["orders"],
    access: "user",
    rateClass: "read",
    idempotency: "none",
    query: ListQuery,
    success: { status: 200, schema: OrderList, description: "one page of orders" },
    errors: [...commonErrors, [401, "unauthenticated"]],
    handler: (r) =>
      listOrders(r.caller!.userId, r.query.cursor ?? null, r.query.limit ?? 20).pipe(
        Effect.map((page) => ({ body: { orders: page.orders, next_cursor: page.next_cursor } }))
      )
  }),
  route({
    operationId: "getOrder",
    method: "get",
    path: "/v1/orders/{order_id}",
    summary: "One order: items, shipping address, totals, payment, shipments, refunds and the timeline of every transition. Another user's order is 404; an admin may read any.",
    tags: ["orders"],
    access: "user",
    rateClass: "read",
    idempotency: "none",
    params: OrderParams,
    success: { status: 200, schema: OrderBody, description: "the order" },
    errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"]],
    handler: (r) => orderOf(r.caller!, r.params.order_id).pipe(Effect.map((found) => ({ body: orderView(found) })))
  }),
  route({
    operationId: "cancelOrder",
    method: "post",
    path: "/v1/orders/{order_id}/cancel",
    summary:
      "Cancel an order until it ships (pending_payment, placed, fulfilling): the authorization is voided or the capture refunded, the stock returned and the coupon's use given back. Idempotent: cancelling a cancelled order answers it again (and finishes any compensation left). After shipment: 422 invalid_transition. If the payment provider does not answer, the order is cancelled and the answer is 503: retry to finish giving the money back.",
    tags: ["orders"],
    access: "user",
    rateClass: "write",
    idempotency: "optional",
    params: OrderParams,
    success: { status: 200, schema: OrderBody, description: "the cancelled order" },
    errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"], [422, "invalid_transition"], [422, "payment_refused"], [422, "idempotency_key_reused"]],
    handler: (r) =>
      orderOf(r.caller!, r.params.order_id).pipe(
        Effect.flatMap((found) => cancelOrder(deps, r.caller!, found)),
        Effect.map((cancelled) => ({ body: orderView(cancelled) })),
        Effect.provideService(PaymentProvider, deps.provider)
      )
  })
]
