import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker } from "../cart/fields.ts"
import {
  Checkout,
  CheckoutCommand,
  CheckoutEvent,
  CheckoutInvalidTransition,
  CheckoutNotFound,
  CheckoutRejection,
  CheckoutState,
  type Failure,
  type Step,
  type Undo
} from "./checkout-schema.ts"

export * from "./checkout-schema.ts"

/**
 * Actor "checkout", id = the checkout id (`co_…`, derived by the gateway from the user and the
 * idempotency key, so a retry addresses the same saga).
 *
 * The durable memory of one checkout saga. The driver (gateway/checkout/driver.ts) does the work
 * against the other actors and the payment provider; after every step it records the outcome
 * here before it starts the next, so a driver that dies (kill -9) is replaced by one that reads
 * the state and carries on from the step recorded.
 *
 * Forward: coupon (only with a code) → reserve → fraud → payment → confirm → order → cart →
 * completed. A failure of coupon, reserve, fraud (reject), payment (decline or abandoned) or
 * confirm (a hold lost) records the API error and turns to compensation, which undoes what was
 * done, in order: void the payment (authorized or still awaiting an outcome), release the holds
 * (and return units already sold when a later hold was lost), revert the coupon's use → failed.
 * Nothing can fail after the holds are confirmed: placing the order and clearing the cart are
 * idempotent and retried until they succeed.
 *
 * Every Record… command is idempotent: recording what is already recorded changes nothing; a
 * command that does not fit where the saga stands is `invalid_transition` (a driver bug).
 */

type CheckoutDecision = Decision<CheckoutEvent, Checkout, CheckoutRejection>
type Command = CheckoutCommand

const checkCommand = commandChecker(CheckoutCommand)

const unchanged = (state: Checkout): CheckoutDecision => accept([], state)
const emit = (state: Checkout, ...events: ReadonlyArray<CheckoutEvent>): CheckoutDecision =>
  accept(events, events.reduce((s: CheckoutState, e) => evolveCheckout(s, e), state) as Checkout)
const forbidden = (state: Checkout, command: Command): CheckoutDecision =>
  reject(new CheckoutInvalidTransition({ reason: "invalid_transition", status: state.status === "running" ? `running:${state.step}` : state.status, command: command._tag }))

const isAt = (state: Checkout, step: Step) => state.status === "running" && state.step === step
const failureOf = (command: Failure): Failure => ({
  status: command.status,
  code: command.code,
  message: command.message,
  details: command.details
})

/** The forward step after `step` (null: the saga is complete). */
const nextStep = (step: Step): Step | null => {
  const order: ReadonlyArray<Step> = ["coupon", "reserve", "fraud", "payment", "confirm", "order", "cart"]
  const i = order.indexOf(step)
  return i + 1 < order.length ? order[i + 1]! : null
}

/** What is left to undo, in order. */
export const pendingUndos = (state: Checkout): ReadonlyArray<Undo> => {
  const out: Array<Undo> = []
  if (state.payment === "authorized" || state.payment === "awaiting") out.push("void")
  if (state.holds_state === "reserved") out.push("release")
  if (state.coupon === "redeemed") out.push("revert")
  return out
}

/** `status` as the API shows it: the saga carries on (pending_payment), placed the order, or failed. */
export const apiStatusOf = (state: Checkout): "order_placed" | "pending_payment" | "failed" =>
  state.status === "completed" ? "order_placed" : state.status === "failed" ? "failed" : "pending_payment"

export const decideCheckout = (state: CheckoutState, command: Command, nowMs: number): CheckoutDecision => {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) throw new Error(`checkout ${state.checkout_id}: nowMs ${nowMs} is not a time`)
  const problem = checkCommand(command)
  if (problem !== undefined) return reject(problem)
  const at = new Date(nowMs).toISOString()
  if (command._tag === "Start") {
    if (state.status !== "new") return unchanged(state)
    const started: CheckoutEvent = { _tag: "Started", plan: command.plan, at }
    return accept([started], evolveCheckout(state, started) as Checkout)
  }
  if (state.status === "new") return reject(new CheckoutNotFound({ reason: "not_found" }))
  /** A failure reported again after the saga failed is a replay. */
  const fail = (step: Step, failed: Extract<CheckoutEvent, { _tag: "Failed" }>): CheckoutDecision =>
    isAt(state, step) ? emit(state, failed) : state.failure !== null ? unchanged(state) : forbidden(state, command)
  switch (command._tag) {
    case "Get":
      return unchanged(state)
    case "RecordCouponRedeemed":
      if (isAt(state, "coupon")) return emit(state, { _tag: "CouponRedeemed", at })
      return state.coupon === "redeemed" || state.coupon === "reverted" ? unchanged(state) : forbidden(state, command)
    case "RecordCouponRefused":
      return fail("coupon", { _tag: "Failed", failure: failureOf(command), at })
    case "RecordReserved":
      if (isAt(state, "reserve")) return emit(state, { _tag: "Reserved", holds: command.holds, at })
      return state.holds_state !== "none" ? unchanged(state) : forbidden(state, command)
    case "RecordReserveRefused":
      return fail("reserve", { _tag: "Failed", failure: failureOf(command), at })
    case "RecordRisk": {
      if (!isAt(state, "fraud")) return state.risk !== null ? unchanged(state) : forbidden(state, command)
      const assessed: CheckoutEvent = { _tag: "RiskAssessed", risk: command.risk, at }
      if (command.risk.verdict !== "reject") return emit(state, assessed)
      const failure: Failure = {
        status: 402,
        code: "payment_declined",
        message: "the payment was declined by the store's risk checks",
        details: { reason: "risk", rules: command.risk.reasons.map((r) => r.rule) }
      }
      return emit(state, assessed, { _tag: "Failed", failure, at })
    }
    case "RecordPaymentAuthorized":
      if (isAt(state, "payment")) return emit(state, { _tag: "PaymentAuthorized", at })
      return state.payment === "authorized" ? unchanged(state) : forbidden(state, command)
    case "RecordPaymentAwaiting":
      if (isAt(state, "payment")) {
        return state.payment === "awaiting" && state.payment_wait_reason === command.reason ? unchanged(state) : emit(state, { _tag: "PaymentAwaiting", reason: command.reason, at })
      }
      // A late "no answer yet" about a payment whose outcome is known.
      return state.payment === "authorized" || state.failure !== null ? unchanged(state) : forbidden(state, command)
    case "RecordPaymentDeclined":
      return fail("payment", { _tag: "Failed", failure: failureOf(command), payment: "declined", at })
    case "RecordPaymentAbandoned":
      return fail("payment", { _tag: "Failed", failure: failureOf(command), at })
    case "RecordConfirmed":
      if (isAt(state, "confirm")) return emit(state, { _tag: "Confirmed", at })
      return state.holds_state === "confirmed" ? unchanged(state) : forbidden(state, command)
    case "RecordConfirmFailed": {
      const known = new Set(state.holds.map((h) => h.sku_id))
      if (command.confirmed.some((s) => !known.has(s))) return forbidden(state, command)
      return fail("confirm", { _tag: "Failed", failure: failureOf(command), confirmed: command.confirmed, at })
    }
    case "RecordOrderPlaced":
      if (isAt(state, "order")) return emit(state, { _tag: "OrderPlaced", at })
      return isAt(state, "cart") || state.status === "completed" ? unchanged(state) : forbidden(state, command)
    case "RecordCartCleared":
      if (isAt(state, "cart")) return emit(state, { _tag: "CartCleared", at })
      return state.status === "completed" ? unchanged(state) : forbidden(state, command)
    case "RecordPaymentVoided":
      return undoing(state, command, "void", state.payment === "voided", { _tag: "PaymentVoided", at })
    case "RecordHoldsReleased":
      return undoing(state, command, "release", state.holds_state === "released", { _tag: "HoldsReleased", at })
    case "RecordCouponReverted":
      return undoing(state, command, "revert", state.coupon === "reverted", { _tag: "CouponReverted", at })
  }
}

const undoing = (state: Checkout, command: Command, undo: Undo, done: boolean, event: CheckoutEvent): CheckoutDecision => {
  if (state.status === "compensating" && state.undo === undo) return emit(state, event)
  return done ? unchanged(state) : forbidden(state, command)
}

/** After a failure or an undo: the next compensation, or failed when nothing is left. */
const settle = (state: Checkout): Checkout => {
  const next = pendingUndos(state)[0] ?? null
  return { ...state, status: next === null ? "failed" : "compensating", step: null, undo: next }
}

/** Move on after a forward step. */
const advance = (state: Checkout, from: Step): Checkout => {
  const step = nextStep(from)
  return step === null ? { ...state, status: "completed", step: null } : { ...state, step }
}

export const evolveCheckout = (state: CheckoutState, event: CheckoutEvent): CheckoutState => {
  if (event._tag === "Started") {
    const plan = event.plan
    return {
      status: "running",
      checkout_id: state.checkout_id,
      plan,
      step: plan.coupon_code === null ? "reserve" : "coupon",
      undo: null,
      coupon: plan.coupon_code === null ? "none" : "pending",
      holds: [],
      holds_state: "none",
      confirmed: [],
      risk: null,
      payment: "not_started",
      payment_wait_reason: null,
      failure: null,
      created_at: event.at,
      updated_at: event.at
    }
  }
  if (state.status === "new") throw new Error(`checkout ${state.checkout_id}: ${event._tag} before Started`)
  const s: Checkout = { ...state, updated_at: event.at }
  switch (event._tag) {
    case "CouponRedeemed":
      return advance({ ...s, coupon: "redeemed" }, "coupon")
    case "Reserved":
      return advance({ ...s, holds: event.holds, holds_state: "reserved" }, "reserve")
    case "RiskAssessed":
      return advance({ ...s, risk: event.risk }, "fraud")
    case "PaymentAuthorized":
      return advance({ ...s, payment: "authorized", payment_wait_reason: null }, "payment")
    case "PaymentAwaiting":
      return { ...s, payment: "awaiting", payment_wait_reason: event.reason }
    case "Confirmed":
      return advance({ ...s, holds_state: "confirmed", confirmed: s.holds.map((h) => h.sku_id) }, "confirm")
    case "OrderPlaced":
      return advance(s, "order")
    case "CartCleared":
      return advance(s, "cart")
    case "Failed":
      return settle({
        ...s,
        failure: event.failure,
        payment: event.payment ?? s.payment,
        confirmed: event.confirmed ?? s.confirmed,
        // A coupon refused was never redeemed.
        coupon: s.coupon === "pending" ? "none" : s.coupon
      })
    case "PaymentVoided":
      return settle({ ...s, payment: "voided" })
    case "HoldsReleased":
      return settle({ ...s, holds_state: "released" })
    case "CouponReverted":
      return settle({ ...s, coupon: "reverted" })
  }
}

export const checkout: ActorDefinition<CheckoutState, CheckoutCommand, CheckoutEvent, Checkout, CheckoutRejection> = {
  name: "checkout",
  state: CheckoutState,
  command: CheckoutCommand,
  event: CheckoutEvent,
  reply: Checkout,
  rejection: CheckoutRejection,
  initialState: (id) => ({ status: "new", checkout_id: id }),
  decide: decideCheckout,
  evolve: evolveCheckout,
  limits: { mailboxCapacity: 256, snapshotEveryEvents: 50 }
}

/** For tests and views: is this a state the saga will not leave? */
export const isSettled = (state: CheckoutState) => state.status === "completed" || state.status === "failed"

export const isCheckout = Schema.is(Checkout)
