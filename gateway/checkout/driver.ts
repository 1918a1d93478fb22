import { Effect, Either, Schema } from "effect"
import { cart } from "../../actors/cart/cart.ts"
import { type Checkout, checkout, type CheckoutCommand, type Failure, type Plan, type Risk, type TakenHold } from "../../actors/checkout/checkout.ts"
import { cartClaim } from "../../actors/checkout/cart-claim.ts"
import { bucketOf, openCheckouts } from "../../actors/checkout/open-checkouts.ts"
import { riskCounterKey, riskCounter } from "../../actors/fraud/counters.ts"
import { assessRisk, type Counts, isSmallAmount } from "../../actors/fraud/rules.ts"
import type { SkuRejection } from "../../actors/inventory/sku-schema.ts"
import { sku } from "../../actors/inventory/sku.ts"
import { indexEntryOf, orderIndex } from "../../actors/orders/order-index.ts"
import { type Order, order } from "../../actors/orders/order.ts"
import { payment, paymentSummaryOf } from "../../actors/payments/payment.ts"
import { coupon, type CouponRejection } from "../../actors/pricing/coupon.ts"
import type { ActorDefinition } from "../../runtime/actor.ts"
import { CorruptData, MailboxFull, Unavailable } from "../../runtime/errors.ts"
import { type Actors, send } from "../../runtime/service.ts"
import { reserveLines, reserveLinesApiError } from "../inventory/reserve-lines.ts"
import type { CheckoutConfig } from "./config.ts"
import type { StepOutcome } from "../payments/payment-steps.ts"
import type { CheckoutAdmissions, CheckoutPayments } from "./ports.ts"

/**
 * The saga driver: reads where a checkout stands, does the next step against the other actors
 * and the payment provider, records the outcome in the checkout actor, and goes on until the saga
 * is settled (completed or failed) or has to wait (a payment outcome not known yet). Every step is
 * idempotent (ids derived from the checkout: the hold id, the order id as the coupon's redemption
 * key, the payment id and its provider keys), so running a step again after a crash — between
 * doing it and recording it — repeats nothing.
 *
 * `SagaStalled`: something the step needs is unavailable right now (a busy actor, storage, the
 * provider); the state stays as recorded and the resumer tries again later.
 */

export class SagaStalled extends Schema.TaggedError<SagaStalled>()("SagaStalled", {
  message: Schema.String,
  retryAfterMs: Schema.Number
}) {}

export interface SagaDeps {
  readonly config: CheckoutConfig
  readonly payments: CheckoutPayments
  readonly admissions?: CheckoutAdmissions | undefined
}

type Saga<A> = Effect.Effect<A, SagaStalled, Actors>

/** Ask an actor: runtime trouble is a stall, corrupt data a defect, rejections stay typed. */
export const ask = <State, Command, Event, Reply, Rejection>(
  definition: ActorDefinition<State, Command, Event, Reply, Rejection>,
  id: string,
  command: Command,
  nowMs = Date.now()
): Effect.Effect<Reply, Rejection | SagaStalled, Actors> =>
  send(definition, id, command, nowMs).pipe(
    Effect.catchAll((error): Effect.Effect<never, Rejection | SagaStalled> => {
      if (error instanceof MailboxFull) return Effect.fail(new SagaStalled({ message: `${definition.name} ${id} is busy`, retryAfterMs: 1_000 }))
      if (error instanceof Unavailable) return Effect.fail(new SagaStalled({ message: error.message, retryAfterMs: error.retryAfterMs }))
      if (error instanceof CorruptData) return Effect.die(error)
      return Effect.fail(error as Rejection)
    })
  )

/** Ask an actor whose rejections would be a bug of ours here: they are defects. */
const must = <State, Command, Event, Reply, Rejection>(definition: ActorDefinition<State, Command, Event, Reply, Rejection>, id: string, command: Command): Saga<Reply> =>
  ask(definition, id, command).pipe(
    Effect.catchAll((e) => (e instanceof SagaStalled ? Effect.fail(e) : Effect.die(new Error(`${definition.name} ${id} refused ${JSON.stringify(command)}: ${JSON.stringify(e)}`))))
  )

export const record = (checkoutId: string, command: CheckoutCommand): Saga<Checkout> => must(checkout, checkoutId, command)

const busy = (e: { readonly message: string; readonly retryAfterMs: number }) => new SagaStalled({ message: e.message, retryAfterMs: e.retryAfterMs })

// ------------------------------------------------------------------------------ forward steps

const couponStep = (state: Checkout): Saga<CheckoutCommand> => {
  const plan = state.plan
  return ask(coupon, plan.coupon_code!, { _tag: "Redeem", order_id: plan.order_id, user_id: plan.user_id, order_amount: plan.totals.subtotal }).pipe(
    Effect.as<CheckoutCommand>({ _tag: "RecordCouponRedeemed" }),
    Effect.catchAll((e: CouponRejection | SagaStalled): Saga<CheckoutCommand> =>
      e instanceof SagaStalled
        ? Effect.fail(e)
        : Effect.succeed({ _tag: "RecordCouponRefused", status: 422, code: "coupon_invalid", message: `coupon ${plan.coupon_code} cannot be used: ${e.reason}`, details: { reason: e.reason } })
    )
  )
}

const reserveStep = (state: Checkout): Saga<CheckoutCommand> => {
  const plan = state.plan
  return reserveLines(
    plan.lines.map((l) => ({ sku_id: l.sku_id, quantity: l.quantity })),
    { owner: plan.user_id, reservationId: plan.reservation_id, expiresAtMs: plan.hold_expires_at_ms, nowMs: Date.now() }
  ).pipe(
    Effect.map((taken): CheckoutCommand => ({
      _tag: "RecordReserved",
      holds: taken.map((t): TakenHold => ({ sku_id: t.sku_id, quantity: t.quantity, lines: t.lines.map((l) => ({ warehouse_id: l.warehouse_id, quantity: l.quantity })) }))
    })),
    Effect.catchAll((e): Saga<CheckoutCommand> => {
      if (e._tag === "MailboxFull") return Effect.fail(new SagaStalled({ message: "a SKU is busy", retryAfterMs: 1_000 }))
      if (e._tag === "Unavailable") return Effect.fail(busy(e))
      const api = reserveLinesApiError(e)
      if (api.status >= 500) return Effect.fail(new SagaStalled({ message: api.message, retryAfterMs: 1_000 }))
      return Effect.succeed({ _tag: "RecordReserveRefused", status: api.status, code: api.code, message: api.message, details: api.details })
    })
  )
}

/** Count the window and record this attempt, in one call to the counter (the counts leave the attempt out). */
const attemptOn = (key: string, eventId: string, windowMs: number): Saga<Counts> =>
  ask(riskCounter, key, { _tag: "Attempt", event_id: eventId, window_ms: windowMs }).pipe(
    Effect.map((c): Counts => ({ attempts: c.attempts, declines: c.declines, small_declines: c.small_declines })),
    Effect.catchAll((e) => (e instanceof SagaStalled ? Effect.fail(e) : Effect.die(e)))
  )

/** The counters a checkout counts against: the user, the card's fingerprint, the client's IP. */
const riskKeys = (deps: SagaDeps, plan: Plan): Saga<{ user: string; card: string | undefined; ip: string | undefined }> =>
  Effect.map(plan.payment_method.token === null ? Effect.succeed(undefined) : deps.payments.fingerprintOf(plan.payment_method.token), (fingerprint) => ({
    user: riskCounterKey.user(plan.user_id),
    card: fingerprint === undefined ? undefined : riskCounterKey.card(fingerprint),
    ip: plan.client_ip === null ? undefined : riskCounterKey.ip(plan.client_ip)
  }))

const recordRisk = (keys: ReadonlyArray<string | undefined>, eventId: string, outcome: "attempt" | "decline", small: boolean): Saga<void> =>
  Effect.forEach(
    keys.filter((k): k is string => k !== undefined),
    (key) => must(riskCounter, key, { _tag: "Record", event_id: eventId, outcome, small }),
    { concurrency: "unbounded", discard: true }
  )

const fraudStep = (deps: SagaDeps, state: Checkout): Saga<CheckoutCommand> =>
  Effect.gen(function* () {
    const plan = state.plan
    const fraud = deps.config.fraud
    if (!fraud.enabled) return { _tag: "RecordRisk", risk: { verdict: "allow", reasons: [] } } satisfies CheckoutCommand
    const keys = yield* riskKeys(deps, plan)
    const window = fraud.velocityWindowMs
    const id = state.checkout_id
    const [user, card, ip] = yield* Effect.all(
      [
        attemptOn(keys.user, id, window),
        keys.card === undefined ? Effect.succeed(undefined) : attemptOn(keys.card, id, window),
        keys.ip === undefined ? Effect.succeed(undefined) : attemptOn(keys.ip, id, window)
      ],
      { concurrency: "unbounded" }
    )
    const assessed = assessRisk(fraud, {
      amount: plan.totals.total,
      payment_method: plan.payment_method.type,
      shipping_country: plan.shipping_address.country,
      counts: { user, card, ip }
    })
    const risk: Risk = { verdict: assessed.verdict, reasons: assessed.reasons.slice(0, 10).map((r) => ({ rule: r.rule, verdict: r.verdict, detail: r.detail.slice(0, 300) })) }
    return { _tag: "RecordRisk", risk } satisfies CheckoutCommand
  })

const paymentStep = (deps: SagaDeps, state: Checkout, nowMs: number): Saga<CheckoutCommand> =>
  Effect.gen(function* () {
    const plan = state.plan
    const startedMs = Date.parse(state.created_at)
    const outcome = yield* deps.payments
      .authorize({
        payment_id: plan.payment_id,
        reference: state.checkout_id,
        user_id: plan.user_id,
        amount: plan.totals.total,
        currency: plan.currency,
        method: plan.payment_method.type,
        token: plan.payment_method.token ?? undefined,
        vpa: plan.payment_method.vpa ?? undefined
      })
      .pipe(
        Effect.catchAll((e): Saga<never> => {
          if (e._tag === "PaymentsBusy") return Effect.fail(busy(e))
          return Effect.die(new Error(`checkout ${state.checkout_id}: the payment step refused: ${JSON.stringify(e)}`))
        })
      )
    switch (outcome._tag) {
      case "Authorized":
        return { _tag: "RecordPaymentAuthorized" } satisfies CheckoutCommand
      case "Declined": {
        if (deps.config.fraud.enabled) {
          const keys = yield* riskKeys(deps, plan)
          yield* recordRisk([keys.user, keys.card, keys.ip], `${state.checkout_id}:decline`, "decline", isSmallAmount(deps.config.fraud, plan.totals.total))
        }
        return {
          _tag: "RecordPaymentDeclined",
          status: 402,
          code: "payment_declined",
          message: `the payment was declined (${outcome.code})`,
          details: { reason: "declined", decline_code: outcome.code }
        } satisfies CheckoutCommand
      }
      case "Voided":
        return { _tag: "RecordPaymentAbandoned", status: 402, code: "payment_declined", message: "the payment was voided before it was authorized", details: { reason: "voided" } } satisfies CheckoutCommand
      case "Pending":
      case "ProviderUnavailable": {
        if (nowMs - startedMs >= deps.config.paymentWaitMs) {
          return {
            _tag: "RecordPaymentAbandoned",
            status: 402,
            code: "payment_declined",
            message: `no payment outcome within ${deps.config.paymentWaitMs} ms`,
            details: { reason: "payment_timeout" }
          } satisfies CheckoutCommand
        }
        return { _tag: "RecordPaymentAwaiting", reason: outcome._tag === "Pending" ? "pending" : "provider_unavailable" } satisfies CheckoutCommand
      }
    }
  })

/** The id of the second hold taken when the first expired before the payment was authorized. */
export const retakenReservationId = (reservationId: string) => `${reservationId}.retake`

const isLost = (e: SkuRejection) => e.reason === "reservation_expired" || e.reason === "reservation_released" || e.reason === "reservation_not_found"

/**
 * Confirm one hold. One that expired meanwhile (the payment took long) is taken again if the
 * stock is still there (seed 12, case 4): a second hold under a derived id, confirmed at once.
 * Both are idempotent, so a crash between them repeats nothing.
 */
const confirmHold = (state: Checkout, hold: TakenHold, nowMs: number) => {
  const rid = state.plan.reservation_id
  return ask(sku, hold.sku_id, { _tag: "Confirm", reservation_id: rid }).pipe(
    Effect.catchAll((e) => {
      if (e instanceof SagaStalled || !isLost(e as SkuRejection)) return Effect.fail(e)
      const retake = retakenReservationId(rid)
      return ask(sku, hold.sku_id, { _tag: "Reserve", reservation_id: retake, quantity: hold.quantity, expires_at_ms: nowMs + 60_000, owner: state.plan.user_id }).pipe(
        Effect.zipRight(ask(sku, hold.sku_id, { _tag: "Confirm", reservation_id: retake }))
      )
    })
  )
}

/** Turn every hold into a sale. A hold lost meanwhile whose stock is gone fails the checkout. */
const confirmStep = (state: Checkout): Saga<CheckoutCommand> =>
  Effect.gen(function* () {
    const nowMs = Date.now()
    const results = yield* Effect.forEach(
      state.holds,
      (hold) =>
        Effect.either(confirmHold(state, hold, nowMs)).pipe(
          Effect.map((result) => ({ hold, result }))
        ),
      { concurrency: "unbounded" }
    )
    const confirmed: Array<string> = []
    const lost: Array<{ sku_id: string; requested: number; available: number }> = []
    for (const { hold, result } of results) {
      if (Either.isRight(result)) {
        confirmed.push(hold.sku_id)
        continue
      }
      const e = result.left
      if (e instanceof SagaStalled) return yield* Effect.fail(e)
      const rejection = e as SkuRejection
      if (rejection.reason === "out_of_stock") {
        lost.push({ sku_id: hold.sku_id, requested: hold.quantity, available: rejection.available })
        continue
      }
      if (isLost(rejection)) {
        lost.push({ sku_id: hold.sku_id, requested: hold.quantity, available: 0 })
        continue
      }
      return yield* Effect.die(new Error(`checkout ${state.checkout_id}: Confirm on ${hold.sku_id} refused: ${JSON.stringify(rejection)}`))
    }
    if (lost.length === 0) return { _tag: "RecordConfirmed" } satisfies CheckoutCommand
    return {
      _tag: "RecordConfirmFailed",
      confirmed,
      status: 409,
      code: "out_of_stock",
      message: "the stock held for this checkout expired before the payment was authorized",
      details: { skus: lost, reason: "reservation_expired" }
    } satisfies CheckoutCommand
  })

const paymentOf = (paymentId: string) => must(payment, paymentId, { _tag: "Get" })

const orderStep = (state: Checkout): Saga<CheckoutCommand> =>
  Effect.gen(function* () {
    const plan = state.plan
    const paid = yield* paymentOf(plan.payment_id)
    const placed: Order = yield* must(order, plan.order_id, {
      _tag: "Place",
      checkout_id: state.checkout_id,
      user_id: plan.user_id,
      currency: plan.currency,
      items: plan.lines.map((l) => ({ ...l, reservation_id: plan.reservation_id })),
      shipping_address: plan.shipping_address,
      totals: plan.totals,
      tax_inclusive: plan.tax_inclusive,
      payment: paymentSummaryOf(paid),
      review: state.risk !== null && state.risk.verdict === "review" ? { reasons: state.risk.reasons.map((r) => r.rule) } : null
    })
    yield* must(orderIndex, plan.user_id, { _tag: "Record", entry: indexEntryOf(placed) })
    return { _tag: "RecordOrderPlaced" } satisfies CheckoutCommand
  })

/** Capture now when the payment says so (PAYMENT_CAPTURE=immediate), show it on the order, then empty the cart. */
const cartStep = (deps: SagaDeps, state: Checkout): Saga<CheckoutCommand> =>
  Effect.gen(function* () {
    const plan = state.plan
    let paid = yield* paymentOf(plan.payment_id)
    if (paid.capture_mode === "immediate" && paid.status === "authorized") {
      const captured = yield* deps.payments.capture(plan.payment_id).pipe(
        Effect.catchAll((e): Saga<never> => (e._tag === "PaymentsBusy" ? Effect.fail(busy(e)) : Effect.die(new Error(`capture refused: ${JSON.stringify(e)}`))))
      )
      if (captured._tag === "ProviderUnavailable") return yield* Effect.fail(new SagaStalled({ message: captured.message, retryAfterMs: 2_000 }))
      if (captured._tag === "Refused") yield* Effect.logWarning(`checkout ${state.checkout_id}: the provider refused the capture (${captured.code}); the order stays authorized`)
      paid = captured.payment
    }
    const updated = yield* must(order, plan.order_id, { _tag: "RecordPayment", payment: paymentSummaryOf(paid) })
    yield* must(orderIndex, plan.user_id, { _tag: "Record", entry: indexEntryOf(updated) })
    yield* ask(cart, plan.cart_id, { _tag: "Clear", order_id: plan.order_id }).pipe(
      Effect.catchAll((e) => (e instanceof SagaStalled ? Effect.fail(e) : Effect.logWarning(`checkout ${state.checkout_id}: the cart refused Clear`, e)))
    )
    return { _tag: "RecordCartCleared" } satisfies CheckoutCommand
  })

// ------------------------------------------------------------------------------ compensations

const voidStep = (deps: SagaDeps, state: Checkout): Saga<CheckoutCommand> =>
  deps.payments.voidAuthorization(state.plan.payment_id).pipe(
    Effect.map((outcome): StepOutcome | undefined => outcome),
    Effect.catchAll((e): Saga<undefined> => {
      if (e._tag === "PaymentsBusy") return Effect.fail(busy(e))
      // Never created: nothing to void.
      if (e._tag === "PaymentNotFound") return Effect.succeed(undefined)
      return Effect.die(new Error(`checkout ${state.checkout_id}: void refused: ${JSON.stringify(e)}`))
    }),
    Effect.flatMap((outcome): Saga<CheckoutCommand> => {
      if (outcome === undefined) return Effect.succeed({ _tag: "RecordPaymentVoided" })
      if (outcome._tag === "ProviderUnavailable") return Effect.fail(new SagaStalled({ message: outcome.message, retryAfterMs: 2_000 }))
      if (outcome._tag === "Refused") return Effect.die(new Error(`checkout ${state.checkout_id}: the provider refused the void (${outcome.code})`))
      return Effect.succeed({ _tag: "RecordPaymentVoided" })
    })
  )

/** Release every hold; units of holds already sold (a later hold was lost) go back to their warehouses. */
const releaseStep = (state: Checkout): Saga<CheckoutCommand> => {
  const rid = state.plan.reservation_id
  const giveBack = (hold: TakenHold) =>
    Effect.forEach(
      hold.lines,
      (line) => must(sku, hold.sku_id, { _tag: "ReturnToStock", warehouse_id: line.warehouse_id, quantity: line.quantity, ref: `${rid}:return:${line.warehouse_id}` }),
      { discard: true }
    )
  return Effect.forEach(
    state.holds,
    (hold) =>
      state.confirmed.includes(hold.sku_id)
        ? giveBack(hold)
        : ask(sku, hold.sku_id, { _tag: "Release", reservation_id: rid }).pipe(
            Effect.asVoid,
            Effect.catchAll((e): Saga<void> => {
              if (e instanceof SagaStalled) return Effect.fail(e)
              if ((e as SkuRejection).reason === "reservation_confirmed") return giveBack(hold)
              return Effect.die(new Error(`checkout ${state.checkout_id}: Release on ${hold.sku_id} refused: ${JSON.stringify(e)}`))
            })
          ),
    { concurrency: "unbounded", discard: true }
  ).pipe(Effect.as<CheckoutCommand>({ _tag: "RecordHoldsReleased" }))
}

const revertStep = (state: Checkout): Saga<CheckoutCommand> =>
  must(coupon, state.plan.coupon_code!, { _tag: "Revert", order_id: state.plan.order_id }).pipe(Effect.as<CheckoutCommand>({ _tag: "RecordCouponReverted" }))

// ------------------------------------------------------------------------------ the loop

/** The next command to record, or undefined when the saga must wait (settled, or a payment outcome not known yet). */
const nextCommand = (deps: SagaDeps, state: Checkout, nowMs: number, waited: boolean): Saga<CheckoutCommand | undefined> => {
  if (state.status === "running") {
    switch (state.step) {
      case "coupon":
        return couponStep(state)
      case "reserve":
        return reserveStep(state)
      case "fraud":
        return fraudStep(deps, state)
      case "payment":
        // One authorization round per drive: a payment still awaited is looked at again by the resumer.
        return waited ? Effect.succeed(undefined) : paymentStep(deps, state, nowMs)
      case "confirm":
        return confirmStep(state)
      case "order":
        return orderStep(state)
      case "cart":
        return cartStep(deps, state)
      case null:
        return Effect.die(new Error(`checkout ${state.checkout_id}: running without a step`))
    }
  }
  if (state.status === "compensating") {
    switch (state.undo) {
      case "void":
        return voidStep(deps, state)
      case "release":
        return releaseStep(state)
      case "revert":
        return revertStep(state)
      case null:
        return Effect.die(new Error(`checkout ${state.checkout_id}: compensating with nothing to undo`))
    }
  }
  return Effect.succeed(undefined)
}

/** A settled checkout lets go of its cart and leaves the open-checkouts index (the resumer then stops looking at it). */
export const closeCheckout = (deps: SagaDeps, state: Checkout): Saga<void> =>
  Effect.gen(function* () {
    const admission = state.plan.admission
    if (admission !== undefined && deps.admissions !== undefined) {
      // The flash-sale token: used up by the order, or free again for another checkout of this shopper.
      const settle = state.status === "completed" ? deps.admissions.complete : deps.admissions.release
      yield* settle(admission, state.plan.user_id, Date.now()).pipe(
        Effect.catchAll((e) => (e.status === 503 ? Effect.fail(new SagaStalled({ message: e.message, retryAfterMs: 1_000 })) : Effect.logWarning(`checkout ${state.checkout_id}: admission`, e)))
      )
    }
    yield* must(cartClaim, state.plan.cart_id, { _tag: "Release", checkout_id: state.checkout_id })
    yield* must(openCheckouts, bucketOf(state.checkout_id), { _tag: "Remove", checkout_id: state.checkout_id })
  })

/**
 * Drive a checkout as far as it goes now, from what is recorded. Answers the state it stopped in:
 * settled, or waiting for a payment outcome (`running` at step `payment`, payment `awaiting`);
 * undefined for a checkout that was never started.
 */
export const drive = (deps: SagaDeps, checkoutId: string): Saga<Checkout | undefined> =>
  Effect.gen(function* () {
    const found = yield* ask(checkout, checkoutId, { _tag: "Get" }).pipe(
      Effect.map((state): Checkout | undefined => state),
      Effect.catchAll((e) => (e instanceof SagaStalled ? Effect.fail(e) : e._tag === "CheckoutNotFound" ? Effect.succeed(undefined) : Effect.die(e)))
    )
    // Indexed but never started (the process died in between): nothing to drive.
    if (found === undefined) return undefined
    let state = found
    let waited = false
    for (let guard = 0; guard < 32; guard++) {
      const command = yield* nextCommand(deps, state, Date.now(), waited)
      if (command === undefined) break
      state = yield* record(checkoutId, command)
      if (state.status === "running" && state.step === "payment" && state.payment === "awaiting") waited = true
    }
    if (state.status === "completed" || state.status === "failed") yield* closeCheckout(deps, state)
    return state
  })

export type { Failure }
