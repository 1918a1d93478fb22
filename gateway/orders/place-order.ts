import { Effect } from "effect"
import type { Order, Place } from "../../actors/orders/order.ts"
import { paymentSummaryOf } from "../../actors/payments/payment.ts"
import type { Actors } from "../../runtime/service.ts"
import type { PaymentProvider } from "../../provider/client.ts"
import type { ApiError } from "../api-error.ts"
import { paymentApiError } from "../payments/errors.ts"
import type { PaymentSteps } from "../payments/payment-steps.ts"
import { askOrder, indexOrder } from "./order-calls.ts"

/**
 * For the checkout saga: place the order (idempotent: the same placement replies the same
 * order), list it in its owner's orders, then apply the capture policy. With
 * `capture_mode: "immediate"` (PAYMENT_CAPTURE=immediate) an authorized payment of a placed order
 * is captured at once; `on_shipment` leaves it for `captureOrderPayment` when the order ships.
 * An order held for review (`exception`) or waiting for its payment is not captured. A capture
 * the provider did not answer leaves the payment authorized with the capture recorded as
 * requested: the next `captureOrderPayment` asks again with the same key.
 */
export const placeOrder = (steps: PaymentSteps, orderId: string, placement: Place): Effect.Effect<Order, ApiError, Actors | PaymentProvider> =>
  Effect.gen(function* () {
    const placed = yield* askOrder(orderId, placement)
    yield* indexOrder(placed)
    const payment = yield* steps.get(placed.payment.payment_id).pipe(Effect.mapError(paymentApiError))
    if (placed.status !== "placed" || payment.capture_mode !== "immediate" || payment.status !== "authorized") return placed
    return yield* captureOrderPayment(steps, placed)
  })

/** Captures the order's payment (immediately after placing, or at shipment) and shows the result on the order and in the list. */
export const captureOrderPayment = (steps: PaymentSteps, current: Order): Effect.Effect<Order, ApiError, Actors | PaymentProvider> =>
  Effect.gen(function* () {
    const outcome = yield* steps.capture(current.payment.payment_id).pipe(Effect.mapError(paymentApiError))
    return yield* recordPaymentOnOrder(current, outcome.payment)
  })

/** Shows the payment's current amounts on the order (a no-op when nothing changed) and refreshes the list entry. */
export const recordPaymentOnOrder = (current: Order, payment: Parameters<typeof paymentSummaryOf>[0]): Effect.Effect<Order, ApiError, Actors> =>
  Effect.gen(function* () {
    const updated = yield* askOrder(current.order_id, { _tag: "RecordPayment", payment: paymentSummaryOf(payment) })
    if (updated.timeline.length !== current.timeline.length || updated.status !== current.status) yield* indexOrder(updated)
    return updated
  })
