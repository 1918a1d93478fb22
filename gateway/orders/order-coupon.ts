import { Clock, Effect } from "effect"
import { checkout } from "../../actors/checkout/checkout.ts"
import type { Order } from "../../actors/orders/order.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { type ApiError, unprocessable } from "../api-error.ts"

/**
 * The coupon code an order was placed with, from the checkout that placed it (the order itself
 * does not keep it): what a cancellation gives back. null when the order has no checkout record
 * (placed by other means) or no code.
 */
export const couponCodeOfCheckout = (placed: Order): Effect.Effect<string | null, ApiError, Actors> =>
  Effect.flatMap(Clock.currentTimeMillis, (nowMs) =>
    callActor(checkout, placed.checkout_id, { _tag: "Get" }, nowMs, (r) => unprocessable("checkout_unreadable", r._tag)).pipe(
      Effect.map((found) => (found.plan.user_id === placed.user_id ? found.plan.coupon_code : null)),
      Effect.catchIf(
        (error) => error.status === 422,
        () => Effect.succeed(null)
      )
    )
  )
