import { Clock, Effect } from "effect"
import { checkout } from "../../actors/checkout/checkout.ts"
import type { Payment } from "../../actors/payments/payment.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { unprocessable } from "../api-error.ts"
import { askOrder } from "./order-calls.ts"
import { recordPaymentOnOrder } from "./place-order.ts"

/**
 * After a provider webhook moved a payment (a capture, a refund, a void made at the provider),
 * the order it paid for shows the new amounts. The payment's reference is its checkout, whose
 * plan names the order. An order still waiting for its payment is left to the checkout saga (it
 * moves the order on); anything that cannot be read now is skipped, the next event or the next
 * step of the saga brings the order up to date. Never fails: the webhook is answered either way.
 */
export const showPaymentOnOrder = (payment: Payment): Effect.Effect<void, never, Actors> =>
  Effect.gen(function* () {
    const nowMs = yield* Clock.currentTimeMillis
    const found = yield* callActor(checkout, payment.reference, { _tag: "Get" }, nowMs, (r) => unprocessable("checkout_unreadable", r._tag))
    if (found.plan.payment_id !== payment.payment_id) return
    const current = yield* askOrder(found.plan.order_id, { _tag: "Get" })
    if (current.status === "pending_payment" || current.payment.payment_id !== payment.payment_id) return
    yield* recordPaymentOnOrder(current, payment)
  }).pipe(Effect.catchAll(() => Effect.void))
