import { Clock, Effect } from "effect"
import { sku } from "../../actors/inventory/sku.ts"
import type { ReservationView, SkuRejection } from "../../actors/inventory/sku-schema.ts"
import type { Order } from "../../actors/orders/order.ts"
import { isCaptured, type Payment, refundableOf } from "../../actors/payments/payment.ts"
import { coupon } from "../../actors/pricing/coupon.ts"
import type { PaymentProvider } from "../../provider/client.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { type ApiError, unavailable, unprocessable } from "../api-error.ts"
import { paymentApiError } from "../payments/errors.ts"
import type { PaymentSteps, StepOutcome } from "../payments/payment-steps.ts"
import type { Caller } from "../route.ts"
import { askOrder, indexOrder } from "./order-calls.ts"
import { recordPaymentOnOrder } from "./place-order.ts"

/**
 * `POST /v1/orders/{id}/cancel`, allowed until the order ships. The order actor records the
 * cancellation first (durable: from then on the order is `cancelled`), then every compensation
 * runs through its actor, each idempotent, so a retry of the request (or of any step after a
 * crash) finishes what is left and repeats nothing:
 *
 * - payment: decided by the payment actor's own state, not the order's copy of it. Not yet
 *   captured → void (an authorization, a pending one, or one never answered: see
 *   `voidAuthorization`); captured → refund what is still refundable under the refund id
 *   `<order_id>:cancel`, then `MarkRefunded` on the order. A capture that won a race with the
 *   void is refunded instead.
 * - stock: each line's reservation is released; a reservation already confirmed (sold) has its
 *   units put back with `ReturnToStock` per warehouse line (ref `<order_id>:cancel:<n>`). The
 *   SKU's `sold` counter and the shopper's purchase-limit usage are not reverted by that
 *   command (the SKU actor has no "unsell").
 * - coupon: its use is given back (`Revert`, idempotent by order id) when `couponCodeOf` knows
 *   the order's code.
 *
 * When the provider does not answer, the order stays cancelled and the request answers 503: a
 * retry carries on from there.
 */

export interface CancelDeps {
  readonly steps: PaymentSteps
  /** The canonical coupon code the order was placed with (the checkout knows it), or null. */
  readonly couponCodeOf?: (placed: Order) => Effect.Effect<string | null, ApiError, Actors>
}

const cancelRefundId = (orderId: string) => `${orderId}:cancel`

const stepFailed = (outcome: StepOutcome): ApiError | undefined => {
  if (outcome._tag === "Done") return undefined
  if (outcome._tag === "ProviderUnavailable") return unavailable(`the order is cancelled; giving the money back waits for the payment provider (${outcome.message}): retry`, 5)
  return unprocessable("payment_refused", `the order is cancelled but the provider refused to give the money back (${outcome.code}); an operator will follow up`, { code: outcome.code })
}

const compensatePayment = (deps: CancelDeps, cancelled: Order): Effect.Effect<Order, ApiError, Actors | PaymentProvider> =>
  Effect.gen(function* () {
    const paymentId = cancelled.payment.payment_id
    const refundId = cancelRefundId(cancelled.order_id)
    const steps = deps.steps
    let payment: Payment = yield* steps.get(paymentId).pipe(Effect.mapError(paymentApiError))
    if (!isCaptured(payment.status) && payment.status !== "voided" && payment.status !== "failed") {
      const outcome = yield* steps.voidAuthorization(paymentId).pipe(
        // Captured in the meantime: the void is refused and the refund below takes over.
        Effect.catchTag("PaymentInvalidTransition", () => Effect.map(steps.get(paymentId), (p): StepOutcome => ({ _tag: "Done", payment: p }))),
        // A capture still in flight: finish it (same provider key), then refund.
        Effect.catchTag("OperationInProgress", () => steps.capture(paymentId)),
        Effect.mapError(paymentApiError)
      )
      payment = outcome.payment
      if (!isCaptured(payment.status)) {
        const failed = stepFailed(outcome)
        const updated = yield* recordPaymentOnOrder(cancelled, payment)
        if (failed !== undefined) return yield* Effect.fail(failed)
        return updated
      }
    }
    if (isCaptured(payment.status)) {
      const earlier = payment.refunds.find((r) => r.refund_id === refundId)
      const amount = earlier?.amount ?? refundableOf(payment)
      if (amount > 0) {
        const outcome = yield* steps.refund(paymentId, refundId, amount).pipe(Effect.mapError(paymentApiError))
        payment = outcome.payment
        const failed = stepFailed(outcome)
        if (failed !== undefined) {
          yield* recordPaymentOnOrder(cancelled, payment)
          return yield* Effect.fail(failed)
        }
        yield* askOrder(cancelled.order_id, { _tag: "MarkRefunded", refund_id: refundId, amount })
      }
    }
    return yield* recordPaymentOnOrder(yield* askOrder(cancelled.order_id, { _tag: "Get" }), payment)
  })

const ignoreSku = (skuId: string) => (r: SkuRejection): ApiError => unprocessable("stock_not_returned", `${skuId}: ${r.reason}`, { sku_id: skuId, reason: r.reason })

const returnStock = (cancelled: Order): Effect.Effect<void, ApiError, Actors> =>
  Effect.forEach(
    cancelled.items,
    (item) =>
      Effect.gen(function* () {
        if (item.reservation_id === undefined) return
        const reservationId = item.reservation_id
        const nowMs = yield* Clock.currentTimeMillis
        const released = yield* Effect.either(callActor(sku, item.sku_id, { _tag: "Release", reservation_id: reservationId }, nowMs, ignoreSku(item.sku_id)))
        if (released._tag === "Right") return
        if (released.left.details["reason"] !== "reservation_confirmed") {
          // Not found, expired, released: the units are free already. Runtime trouble (503) is worth a retry.
          if (released.left.status === 503) return yield* Effect.fail(released.left)
          return
        }
        const hold = (yield* callActor(sku, item.sku_id, { _tag: "GetReservation", reservation_id: reservationId }, nowMs, ignoreSku(item.sku_id))) as ReservationView
        yield* Effect.forEach(
          hold.lines,
          (line, n) =>
            callActor(
              sku,
              item.sku_id,
              { _tag: "ReturnToStock", warehouse_id: line.warehouse_id, quantity: line.quantity, ref: `${cancelled.order_id}:cancel:${n}` },
              nowMs,
              ignoreSku(item.sku_id)
            ),
          { discard: true }
        )
      }),
    { discard: true }
  )

const revertCoupon = (deps: CancelDeps, cancelled: Order): Effect.Effect<void, ApiError, Actors> =>
  Effect.gen(function* () {
    if (deps.couponCodeOf === undefined) return
    const code = yield* deps.couponCodeOf(cancelled)
    if (code === null) return
    const nowMs = yield* Clock.currentTimeMillis
    yield* callActor(coupon, code, { _tag: "Revert", order_id: cancelled.order_id }, nowMs, (r) => unprocessable("coupon_not_reverted", r._tag))
  })

/** Cancels an order the caller may see (owner or operator) and runs every compensation; idempotent. */
export const cancelOrder = (deps: CancelDeps, caller: Caller, current: Order): Effect.Effect<Order, ApiError, Actors | PaymentProvider> =>
  Effect.gen(function* () {
    const by = current.user_id === caller.userId ? "customer" : "operator"
    const cancelled = yield* askOrder(current.order_id, { _tag: "Cancel", by, reason: by === "customer" ? "cancelled by the shopper" : "cancelled by an operator" })
    yield* indexOrder(cancelled)
    yield* returnStock(cancelled)
    yield* revertCoupon(deps, cancelled)
    const settled = yield* compensatePayment(deps, cancelled)
    yield* indexOrder(settled)
    return settled
  })
