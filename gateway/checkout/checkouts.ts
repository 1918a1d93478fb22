import { Effect, Fiber, Option } from "effect"
import { apiStatusOf, type Checkout, CheckoutNotFound, isSettled, type Plan } from "../../actors/checkout/checkout.ts"
import { cartClaim } from "../../actors/checkout/cart-claim.ts"
import { bucketOf, openCheckouts } from "../../actors/checkout/open-checkouts.ts"
import { checkout } from "../../actors/checkout/checkout.ts"
import { paymentLimits } from "../../actors/payments/fields.ts"
import type { Actors } from "../../runtime/service.ts"
import { ApiError, conflict, notFound, unavailable, unprocessable } from "../api-error.ts"
import { ask, drive, type SagaDeps, type SagaStalled } from "./driver.ts"
import { type CheckoutIds, checkoutIdsOf, reservationIdOf } from "./ids.ts"
import { paymentMethodOf, type PricingDeps, priceCart, quoteBody } from "./pricing.ts"

/**
 * `POST /v1/checkout` and `GET /v1/checkout/{id}` over the saga: the ids come from (user,
 * idempotency key), so a retry finds the checkout it started and answers where it stands (the
 * gateway's idempotency guard replays stored answers before this runs; this covers a retry after
 * the guard's lease ran out, e.g. after a crash). A new checkout is priced, checked against the
 * price the shopper saw, recorded in the open-checkouts index and in its checkout actor, then
 * driven as far as it goes.
 *
 * The price the shopper saw: `expected_total` when the request sends it (the `total` of a
 * `POST /v1/checkout/quote` answer), otherwise the unit prices the cart keeps from when each item
 * was added. When that differs from the price now: 422 `price_changed` with the new quote in
 * `details.quote` (and the moved lines in `details.changes`); to accept it, send again with
 * `expected_total` set to that quote's `total`, under a new idempotency key.
 */

export interface CheckoutRequest {
  readonly cart_id: string
  readonly shipping_address_id: string
  readonly payment_method_id: string
  readonly shipping_option_id?: string | undefined
  readonly coupon_code?: string | undefined
  readonly expected_total?: number | undefined
  /** The `X-Admission-Token` header: needed when a SKU of the cart is in a live flash sale. */
  readonly admission_token?: string | undefined
}

export interface CheckoutAnswer {
  readonly checkout_id: string
  readonly status: "order_placed" | "pending_payment" | "failed"
  readonly order_id?: string
  readonly order_preview_total: number
  readonly currency: string
  readonly failure?: { readonly code: string; readonly message: string; readonly details: Record<string, unknown> }
}

export const answerOf = (state: Checkout): CheckoutAnswer => {
  const status = apiStatusOf(state)
  return {
    checkout_id: state.checkout_id,
    status,
    ...(status === "order_placed" ? { order_id: state.plan.order_id } : {}),
    order_preview_total: state.plan.totals.total,
    currency: state.plan.currency,
    ...(status === "failed" && state.failure !== null ? { failure: { code: state.failure.code, message: state.failure.message, details: state.failure.details } } : {})
  }
}

/** What the POST answers for a checkout as it stands: 201 placed or pending, the recorded error once it failed, 503 while stuck. */
const postAnswer = (state: Checkout): Effect.Effect<CheckoutAnswer, ApiError> => {
  if (state.failure !== null) {
    const f = state.failure
    return Effect.fail(new ApiError({ status: f.status, code: f.code, message: f.message, details: f.details }))
  }
  if (state.status === "completed" || (state.status === "running" && state.step === "payment" && state.payment === "awaiting")) return Effect.succeed(answerOf(state))
  return Effect.fail(unavailable("the checkout is under way; retry with the same idempotency key", 1))
}

/** A cart claim by a checkout that never started is taken over after this long. */
const neverStartedAfterMs = 60_000

/** Steps at or after the payment: a request that waited long enough answers pending_payment from there on. */
const afterPayment: ReadonlySet<string> = new Set(["payment", "confirm", "order", "cart"])

const stalled = (e: SagaStalled) => unavailable(`the checkout could not go on now (${e.message}); retry with the same idempotency key`, Math.max(1, Math.ceil(e.retryAfterMs / 1000)))

export interface CheckoutDeps extends PricingDeps, SagaDeps {}

export const checkoutService = (deps: CheckoutDeps) => {
  /** Checkouts a driver of this process is running now (the resumer leaves them alone). */
  const inFlight = new Set<string>()

  /** Drive unless this process drives it already; the state as it stands after. */
  const driveOnce = (checkoutId: string): Effect.Effect<Checkout | undefined, SagaStalled, Actors> =>
    Effect.suspend(() => {
      if (inFlight.has(checkoutId)) return Effect.succeed(undefined)
      inFlight.add(checkoutId)
      return drive(deps, checkoutId).pipe(Effect.ensuring(Effect.sync(() => inFlight.delete(checkoutId))))
    })

  const existing = (checkoutId: string) =>
    ask(checkout, checkoutId, { _tag: "Get" }).pipe(
      Effect.map((state): Checkout | undefined => state),
      Effect.catchAll((e) => (e instanceof CheckoutNotFound ? Effect.succeed(undefined) : e._tag === "SagaStalled" ? Effect.fail(stalled(e)) : Effect.die(e)))
    )

  /**
   * Drive from the HTTP request, and answer. The checkout is in `inFlight` already (see `start`);
   * the drive runs in a fiber of its own that lets go of it when it ends. When it takes longer than
   * `answerWithinMs` (a slow provider) and the saga has reached the payment, the request answers
   * 201 pending_payment and the drive carries on behind it.
   */
  const driveAndAnswer = (checkoutId: string): Effect.Effect<CheckoutAnswer, ApiError, Actors> =>
    Effect.gen(function* () {
      const fiber = yield* drive(deps, checkoutId).pipe(
        Effect.ensuring(Effect.sync(() => inFlight.delete(checkoutId))),
        Effect.forkDaemon
      )
      const finished = yield* Fiber.join(fiber).pipe(Effect.mapError(stalled), Effect.timeoutOption(deps.config.answerWithinMs))
      const state = Option.isSome(finished) ? finished.value : yield* existing(checkoutId)
      if (state === undefined) return yield* Effect.fail(unavailable("the checkout is under way; retry with the same idempotency key", 1))
      if (Option.isNone(finished) && state.failure === null && state.status === "running" && state.step !== null && afterPayment.has(state.step)) {
        return { ...answerOf(state), status: "pending_payment" as const }
      }
      return yield* postAnswer(state)
    })

  /** For the resumer: drive it when no driver of this process does. `undefined`: busy here, or never started. */
  const resume = (checkoutId: string) => driveOnce(checkoutId)

  /** Drop an id that was indexed but never started. */
  const forget = (checkoutId: string) =>
    ask(openCheckouts, bucketOf(checkoutId), { _tag: "Remove", checkout_id: checkoutId }).pipe(
      Effect.asVoid,
      Effect.catchAll((e) => Effect.logWarning(`could not drop ${checkoutId} from the open checkouts`, e))
    )

  /** Holds the checkout in `inFlight` (the resumer leaves it alone) until the drive it starts ends, or until it fails before driving. */
  const start = (userId: string, idempotencyKey: string, request: CheckoutRequest, clientIp: string, nowMs: number): Effect.Effect<CheckoutAnswer, ApiError, Actors> =>
    Effect.suspend(() => {
      const ids = checkoutIdsOf(userId, idempotencyKey)
      if (inFlight.has(ids.checkoutId)) return Effect.fail(unavailable("the checkout is under way; retry with the same idempotency key", 1))
      inFlight.add(ids.checkoutId)
      let driving = false
      const handOver = Effect.sync(() => {
        driving = true
      })
      return begin(ids, userId, request, clientIp, nowMs, handOver).pipe(
        Effect.ensuring(
          Effect.sync(() => {
            if (!driving) inFlight.delete(ids.checkoutId)
          })
        )
      )
    })

  const begin = (
    ids: CheckoutIds,
    userId: string,
    request: CheckoutRequest,
    clientIp: string,
    nowMs: number,
    handOver: Effect.Effect<void>
  ): Effect.Effect<CheckoutAnswer, ApiError, Actors> =>
    Effect.gen(function* () {
      const found = yield* existing(ids.checkoutId)
      if (found !== undefined) return yield* handOver.pipe(Effect.zipRight(driveAndAnswer(ids.checkoutId)))
      const priced = yield* priceCart(deps, userId, request, nowMs)
      const method = yield* paymentMethodOf(priced.account, request.payment_method_id)
      if (method.type === "upi") return yield* Effect.fail(unprocessable("payment_method_unsupported", "UPI is not offered by the payment provider yet; pay by card, wallet or cash on delivery"))
      if (method.type === "card" && deps.config.provider === undefined) return yield* Effect.fail(unavailable("card payments are not available: no payment provider is configured", 30))
      const q = priced.quote
      // The payment moves 1..10^12 minor units (the provider's limits).
      if (q.total < 1) return yield* Effect.fail(unprocessable("nothing_to_pay", "an order with a total of 0 cannot be checked out yet"))
      if (q.total > paymentLimits.maxAmount) {
        return yield* Effect.fail(unprocessable("amount_too_large", `the total ${q.total} is above what one payment may move (${paymentLimits.maxAmount})`, { limit: paymentLimits.maxAmount }))
      }
      const seen = request.expected_total === undefined ? priced.priceChanges.length === 0 : request.expected_total === q.total
      if (!seen) {
        return yield* Effect.fail(
          unprocessable("price_changed", "prices changed since you last saw them; review the new quote and send its total as expected_total", {
            quote: quoteBody(q),
            changes: priced.priceChanges
          })
        )
      }
      let plan: Plan = {
        user_id: userId,
        cart_id: priced.cart.cart_id,
        order_id: ids.orderId,
        payment_id: ids.paymentId,
        reservation_id: reservationIdOf(ids.checkoutId),
        currency: q.currency,
        lines: priced.lines,
        totals: { subtotal: q.subtotal, discount: q.discount, shipping: q.shipping, tax: q.tax, total: q.total },
        tax_inclusive: q.prices_include_tax,
        shipping_address: priced.address,
        shipping_option_id: q.shipping_option_id,
        coupon_code: priced.couponCode,
        payment_method: {
          payment_method_id: method.payment_method_id,
          type: method.type,
          token: method.type === "card" ? method.token : null,
          vpa: null
        },
        client_ip: clientIp === "" ? null : clientIp.slice(0, 64),
        hold_expires_at_ms: nowMs + deps.config.reservationTtlMs
      }
      // A flash-sale SKU needs the shopper's admission token, claimed for this checkout before anything is held.
      const admission =
        deps.admissions === undefined
          ? undefined
          : yield* deps.admissions.check({ userId, skuIds: priced.lines.map((l) => l.sku_id), token: request.admission_token, claimKey: ids.checkoutId, nowMs })
      const letGo = Effect.zipRight(
        admission === undefined || deps.admissions === undefined ? Effect.void : deps.admissions.release(admission, userId, nowMs).pipe(Effect.ignore),
        releaseCart(plan.cart_id, ids.checkoutId)
      )
      if (admission !== undefined) plan = { ...plan, admission }
      // One checkout per cart at a time: a second one (another key) would buy the same lines again.
      yield* claimCart(plan.cart_id, ids.checkoutId, nowMs).pipe(Effect.tapError(() => letGo))
      // Into the index before Start: a crash right after Start leaves a checkout the resumer can find.
      const started = Effect.gen(function* () {
        yield* ask(openCheckouts, bucketOf(ids.checkoutId), { _tag: "Add", checkout_id: ids.checkoutId }, nowMs).pipe(
          Effect.mapError((e) => (e._tag === "SagaStalled" ? stalled(e) : unavailable("too many checkouts are in flight; retry shortly", 5)))
        )
        yield* ask(checkout, ids.checkoutId, { _tag: "Start", plan }, nowMs).pipe(
          Effect.mapError((e) => (e._tag === "SagaStalled" ? stalled(e) : new ApiError({ status: 500, code: "internal", message: `checkout refused its plan: ${JSON.stringify(e)}`, details: {} })))
        )
      })
      // Not started: let go of the cart and the token at once (a crash here leaves a cart claim the next checkout replaces after a minute).
      yield* started.pipe(Effect.tapError(() => letGo))
      return yield* handOver.pipe(Effect.zipRight(driveAndAnswer(ids.checkoutId)))
    })

  /**
   * Claim the cart for this checkout. A holder that is settled, or that never started and claimed
   * it over a minute ago (its process died), is replaced; a live one is 409 `checkout_in_progress`.
   */
  const claimCart = (cartId: string, checkoutId: string, nowMs: number): Effect.Effect<void, ApiError, Actors> =>
    ask(cartClaim, cartId, { _tag: "Claim", checkout_id: checkoutId, replacing: null }, nowMs).pipe(
      Effect.asVoid,
      Effect.catchAll((e): Effect.Effect<void, ApiError, Actors> => {
        if (e._tag === "SagaStalled") return Effect.fail(stalled(e))
        if (e._tag !== "CartBusy") return Effect.die(e)
        const holder = e.checkout_id
        return existing(holder).pipe(
          Effect.flatMap((held) => {
            const stale = held === undefined ? nowMs - e.claimed_at_ms > neverStartedAfterMs : isSettled(held)
            if (!stale) {
              return Effect.fail(conflict("checkout_in_progress", "another checkout of this cart is under way; wait for it (GET /v1/checkout/{checkout_id})", { checkout_id: holder }))
            }
            return ask(cartClaim, cartId, { _tag: "Claim", checkout_id: checkoutId, replacing: holder }, nowMs).pipe(
              Effect.asVoid,
              Effect.mapError((again) =>
                again._tag === "SagaStalled" ? stalled(again) : conflict("checkout_in_progress", "another checkout of this cart is under way", { checkout_id: holder })
              )
            )
          })
        )
      })
    )

  const releaseCart = (cartId: string, checkoutId: string) =>
    ask(cartClaim, cartId, { _tag: "Release", checkout_id: checkoutId }).pipe(Effect.ignore)

  const get = (userId: string, checkoutId: string): Effect.Effect<CheckoutAnswer, ApiError, Actors> =>
    (/^co_[A-Za-z0-9_-]{16,64}$/.test(checkoutId) ? existing(checkoutId) : Effect.succeed(undefined)).pipe(
      Effect.flatMap((state) => (state === undefined || state.plan.user_id !== userId ? Effect.fail(notFound("no such checkout")) : Effect.succeed(answerOf(state))))
    )

  return { start, get, resume, forget, inFlight }
}

export type CheckoutService = ReturnType<typeof checkoutService>
