import { Clock, Effect } from "effect"
import { type Order, order, type OrderCommand, type OrderRejection } from "../../actors/orders/order.ts"
import { indexEntryOf, orderIndex, type OrderIndexReply } from "../../actors/orders/order-index.ts"
import type { Caller } from "../route.ts"
import { callActor } from "../actor-call.ts"
import { type ApiError, conflict, invalidRequest, notFound, unprocessable } from "../api-error.ts"
import type { Actors } from "../../runtime/service.ts"

/** The order and order-index actors as the order routes and the checkout saga use them: rejections already in API.md's terms. */

export const orderApiError = (rejection: OrderRejection): ApiError => {
  switch (rejection._tag) {
    case "OrderNotFound":
      return notFound("order not found")
    case "InvalidTransition":
      return unprocessable("invalid_transition", rejection.message, { status: rejection.status })
    case "OrderExists":
      return conflict("conflict", "this order exists with other data")
    case "OrderIdConflict":
      return conflict("conflict", `${rejection.reason}: ${rejection.id}`, { reason: rejection.reason })
    case "InvalidCommand":
      return unprocessable("invalid_order", rejection.message)
    case "InvalidReturn":
    case "ReturnWindowClosed":
    case "OrderRefundRefused":
    case "HoldLimit":
      return unprocessable(rejection.reason, `the order refused: ${rejection.reason}`)
  }
}

export const askOrder = (orderId: string, command: OrderCommand): Effect.Effect<Order, ApiError, Actors> =>
  Effect.flatMap(Clock.currentTimeMillis, (nowMs) => callActor(order, orderId, command, nowMs, orderApiError))

/** The order if the caller owns it (or is an operator); 404 otherwise, exactly as for an order that does not exist. */
export const readOwnOrder = (caller: Caller, orderId: string): Effect.Effect<Order, ApiError, Actors> =>
  Effect.flatMap(askOrder(orderId, { _tag: "Get" }), (found) =>
    found.user_id === caller.userId || caller.roles.includes("admin") ? Effect.succeed(found) : Effect.fail(notFound("order not found"))
  )

/** Puts the order's current summary in its owner's list (a newer version wins, so calling it late or twice is harmless). */
export const indexOrder = (placed: Order): Effect.Effect<void, ApiError, Actors> =>
  Effect.flatMap(Clock.currentTimeMillis, (nowMs) =>
    callActor(orderIndex, placed.user_id, { _tag: "Record", entry: indexEntryOf(placed) }, nowMs, (r) => unprocessable("invalid_order", r._tag))
  ).pipe(Effect.asVoid)

export const listOrders = (userId: string, cursor: string | null, limit: number) =>
  Effect.flatMap(Clock.currentTimeMillis, (nowMs) =>
    callActor(orderIndex, userId, { _tag: "List", cursor, limit }, nowMs, (r) =>
      r._tag === "InvalidCursor" ? invalidRequest("the cursor is not one this list gave out", [{ path: "query.cursor", message: "unknown cursor" }]) : unprocessable("invalid_request", r.message)
    )
  ).pipe(Effect.map((reply) => reply as Extract<OrderIndexReply, { _tag: "Page" }>))
