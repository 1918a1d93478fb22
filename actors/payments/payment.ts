import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker, InvalidCommand } from "../cart/fields.ts"
import { apiPaymentStatus, PaymentId, paymentLimits, type PaymentStatus, type PaymentSummary } from "./fields.ts"
import {
  type Create,
  OperationInProgress,
  Payment,
  PaymentAmountInvalid,
  PaymentCommand,
  PaymentEvent,
  PaymentExists,
  PaymentInvalidTransition,
  PaymentNotFound,
  PaymentRejection,
  PaymentState,
  type ProviderFacts,
  ProviderFactsRejected,
  RefundConflict,
  RefundExceedsCaptured,
  RefundLimit,
  type RefundRecord
} from "./payment-schema.ts"

export * from "./payment-schema.ts"

/**
 * Actor "payment", id = the payment id (`pay_…`, minted by the checkout saga).
 *
 * The record of one payment and the single writer of its money: the saga decides (Capture, Void,
 * Refund) and reports what the provider, the wallet or the courier answered (Record…), webhooks
 * and reconciling reads bring the provider's truth (ApplyWebhook, Reconcile). Nothing here talks
 * to the provider: every effect is the saga's, every rule is here.
 *
 * Money moves in two steps so two callers can never spend the same amount twice: a decision sets
 * the amount aside (`capture_requested`, a `requested` refund), the saga calls the provider with a
 * key from `providerIdempotencyKey`, then records the outcome. Amounts: captured ≤ authorized,
 * Σ refunds (requested or succeeded) ≤ captured, refunded ≤ captured; an authorization is for
 * exactly the requested amount; a capture happens once (full or partial, the rest is released).
 *
 * States: created (nothing known yet) → pending (3-D-Secure-like, or the answer was lost:
 * `reconcile_needed`) → authorized | failed; authorized → captured | voided; captured →
 * partially_refunded → refunded. Card and UPI payments carry the provider's payment id; wallet
 * and cash on delivery (authorized = the amount owed, captured = collected) have none.
 *
 * Idempotency: every Record… that repeats what is known, or reports an earlier stage than the
 * one reached (a late answer), changes nothing; `Refund` is idempotent by `refund_id`.
 * Provider facts are applied when their `version` is newer than any applied (webhooks arrive
 * late, twice and out of order; duplicates by event id are dropped) and only move the payment
 * forward along its lifecycle: an explicit record from the provider's own answer may already be
 * ahead of a webhook, and a status of the same stage (declined after authorized) contradicts an
 * answer already recorded, so the first one stands and the amounts are still taken. Refund outcomes the provider reports by total only are matched to requested
 * refunds oldest first (a refund that fits the reported total is taken as done); `refunded_amount`
 * is the larger of the refunds known done and the provider's total.
 */

type PaymentDecision = Decision<PaymentEvent, Payment, PaymentRejection>
type CommandOf<Tag extends PaymentCommand["_tag"]> = Extract<PaymentCommand, { _tag: Tag }>

/** The `Idempotency-Key`s the saga sends to the provider: retries of one decision reuse one key. */
export const providerIdempotencyKey = {
  authorize: (paymentId: string) => `${paymentId}:authorize`,
  capture: (paymentId: string) => `${paymentId}:capture`,
  void: (paymentId: string) => `${paymentId}:void`,
  refund: (paymentId: string, refundId: string) => `${paymentId}:refund:${refundId}`
} as const

const checkCommand = commandChecker(PaymentCommand)
const isPaymentId = Schema.is(PaymentId)

const capturedFamily: ReadonlySet<PaymentStatus> = new Set(["captured", "partially_refunded", "refunded"])
export const isCaptured = (status: PaymentStatus) => capturedFamily.has(status)
const withProvider = (payment: Payment) => payment.method === "card" || payment.method === "upi"

const sum = (refunds: ReadonlyArray<RefundRecord>, status: RefundRecord["status"]) =>
  refunds.reduce((total, r) => (r.status === status ? total + r.amount : total), 0)

/** What a new refund may still take: captured, less refunded, less refunds in flight. */
export const refundableOf = (payment: Payment) =>
  isCaptured(payment.status) ? Math.max(0, payment.captured_amount - payment.refunded_amount - sum(payment.refunds, "requested")) : 0

/** The `payment` object of an order (API.md). */
export const paymentSummaryOf = (payment: Payment): PaymentSummary => ({
  payment_id: payment.payment_id as PaymentSummary["payment_id"],
  method: payment.method,
  status: apiPaymentStatus(payment.status),
  authorized_amount: payment.authorized_amount,
  captured_amount: payment.captured_amount,
  refunded_amount: payment.refunded_amount
})

const unchanged = (payment: Payment): PaymentDecision => accept([], payment)
const emit = (payment: Payment, event: PaymentEvent): PaymentDecision => accept([event], evolvePayment(payment, event) as Payment)
const forbidden = (payment: Payment, command: string, message: string): PaymentDecision =>
  reject(new PaymentInvalidTransition({ reason: "invalid_transition", status: payment.status, command, message }))
const invalid = (message: string) => reject(new InvalidCommand({ reason: "invalid_command", message }))
const mismatch = (payment: Payment, providerPaymentId: string | undefined): PaymentDecision | undefined =>
  providerPaymentId !== undefined && payment.provider_payment_id !== null && payment.provider_payment_id !== providerPaymentId
    ? reject(
        new ProviderFactsRejected({
          reason: "provider_payment_mismatch",
          message: `this payment is provider payment ${payment.provider_payment_id}, not ${providerPaymentId}`
        })
      )
    : undefined

export const decidePayment = (state: PaymentState, command: PaymentCommand, nowMs: number): PaymentDecision => {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) throw new Error(`payment ${state.payment_id}: nowMs ${nowMs} is not a time`)
  const problem = checkCommand(command)
  if (problem !== undefined) return reject(problem)
  const at = new Date(nowMs).toISOString()
  if (command._tag === "Create") return decideCreate(state, command, at)
  if (state.status === "new") return reject(new PaymentNotFound({ reason: "not_found" }))
  switch (command._tag) {
    case "Get":
      return unchanged(state)
    case "RecordAuthorization":
      return decideAuthorization(state, command, at)
    case "RecordDecline": {
      const wrong = mismatch(state, command.provider_payment_id)
      if (wrong !== undefined) return wrong
      if (state.status === "created" || state.status === "pending") {
        return emit(state, { _tag: "Declined", provider_payment_id: command.provider_payment_id ?? state.provider_payment_id, code: command.code, at })
      }
      if (state.status === "failed") return unchanged(state)
      return forbidden(state, command._tag, "a decline after the payment was authorized: reconcile with the provider")
    }
    case "RecordPending": {
      if (!withProvider(state)) return invalid(`a ${state.method} payment is never pending at a provider`)
      const wrong = mismatch(state, command.provider_payment_id)
      if (wrong !== undefined) return wrong
      if (state.status === "created" || (state.status === "pending" && (state.provider_payment_id === null || state.reconcile_needed))) {
        return emit(state, { _tag: "AuthorizationPending", provider_payment_id: command.provider_payment_id, at })
      }
      // Pending again, or a late answer about a stage already passed.
      return unchanged(state)
    }
    case "RecordOutcomeUnknown":
      return state.status === "created" ? emit(state, { _tag: "OutcomeUnknown", reason: command.reason, at }) : unchanged(state)
    case "Capture":
      return decideCapture(state, command, at)
    case "RecordCaptured": {
      if (state.status === "authorized") {
        if (command.amount > state.authorized_amount) {
          return reject(new PaymentAmountInvalid({ reason: "amount_exceeds_authorized", expected: state.authorized_amount }))
        }
        return emit(state, { _tag: "Captured", amount: command.amount, at })
      }
      if (isCaptured(state.status) && command.amount === state.captured_amount) return unchanged(state)
      return forbidden(state, command._tag, isCaptured(state.status) ? `already captured ${state.captured_amount}` : "only an authorized payment is captured")
    }
    case "Void": {
      if (state.status === "created" || state.status === "pending" || state.status === "authorized") {
        if (state.capture_requested !== null) return reject(new OperationInProgress({ reason: "capture_in_progress" }))
        return state.void_requested ? unchanged(state) : emit(state, { _tag: "VoidRequested", at })
      }
      if (state.status === "voided" || state.status === "failed") return unchanged(state)
      return forbidden(state, command._tag, "a captured payment is refunded, not voided")
    }
    case "RecordVoided":
      if (state.status === "created" || state.status === "pending" || state.status === "authorized") return emit(state, { _tag: "Voided", at })
      if (state.status === "voided") return unchanged(state)
      return forbidden(state, command._tag, `a ${state.status} payment cannot have been voided`)
    case "Refund":
      return decideRefund(state, command, at)
    case "RecordRefunded":
    case "RecordRefundFailed": {
      const refund = state.refunds.find((r) => r.refund_id === command.refund_id)
      if (refund === undefined) return reject(new RefundConflict({ reason: "refund_not_found", refund_id: command.refund_id }))
      const outcome = command._tag === "RecordRefunded" ? "succeeded" : "failed"
      if (refund.status === outcome) return unchanged(state)
      if (refund.status !== "requested") return reject(new RefundConflict({ reason: "refund_settled", refund_id: command.refund_id }))
      return emit(
        state,
        command._tag === "RecordRefunded"
          ? { _tag: "RefundSucceeded", refund_id: command.refund_id, at }
          : { _tag: "RefundFailed", refund_id: command.refund_id, code: command.code, at }
      )
    }
    case "ApplyWebhook":
    case "Reconcile":
      return decideProviderFacts(state, command._tag === "ApplyWebhook" ? command.event_id : null, command.facts, at)
  }
}

const decideCreate = (state: PaymentState, command: Create, at: string): PaymentDecision => {
  if (!isPaymentId(state.payment_id)) throw new Error(`payment actor id "${state.payment_id}" is not a payment id (pay_ + ≥ 96 random bits)`)
  const token = command.token ?? null
  const vpa = command.vpa ?? null
  if ((command.method === "card") !== (token !== null)) return invalid("a card payment needs a provider token, and only a card payment has one")
  if ((command.method === "upi") !== (vpa !== null)) return invalid("a UPI payment needs a vpa, and only a UPI payment has one")
  const created = {
    _tag: "Created" as const,
    method: command.method,
    user_id: command.user_id,
    reference: command.reference,
    amount: command.amount,
    currency: command.currency,
    token,
    vpa,
    capture_mode: command.capture_mode,
    at
  }
  if (state.status !== "new") {
    const same =
      state.method === created.method &&
      state.user_id === created.user_id &&
      state.reference === created.reference &&
      state.amount === created.amount &&
      state.currency === created.currency &&
      state.token === token &&
      state.vpa === vpa &&
      state.capture_mode === created.capture_mode
    return same ? unchanged(state) : reject(new PaymentExists({ reason: "payment_exists" }))
  }
  return accept([created], evolvePayment(state, created) as Payment)
}

const decideAuthorization = (state: Payment, command: CommandOf<"RecordAuthorization">, at: string): PaymentDecision => {
  if (withProvider(state) && command.provider_payment_id === undefined) return invalid(`a ${state.method} authorization carries the provider_payment_id`)
  if (command.amount !== state.amount) return reject(new PaymentAmountInvalid({ reason: "amount_mismatch", expected: state.amount }))
  const wrong = mismatch(state, command.provider_payment_id)
  if (wrong !== undefined) return wrong
  if (state.status === "created" || state.status === "pending") {
    return emit(state, { _tag: "Authorized", provider_payment_id: command.provider_payment_id ?? state.provider_payment_id, amount: command.amount, at })
  }
  if (state.status === "failed") return forbidden(state, command._tag, "an authorization after a decline: reconcile with the provider")
  // A late answer about a stage already passed.
  return unchanged(state)
}

const decideCapture = (state: Payment, command: CommandOf<"Capture">, at: string): PaymentDecision => {
  if (state.status === "authorized") {
    if (state.void_requested) return reject(new OperationInProgress({ reason: "void_in_progress" }))
    const amount = command.amount ?? state.capture_requested ?? state.authorized_amount
    if (amount > state.authorized_amount) return reject(new PaymentAmountInvalid({ reason: "amount_exceeds_authorized", expected: state.authorized_amount }))
    if (state.capture_requested !== null) {
      return amount === state.capture_requested ? unchanged(state) : reject(new OperationInProgress({ reason: "capture_in_progress" }))
    }
    return emit(state, { _tag: "CaptureRequested", amount, at })
  }
  if (isCaptured(state.status) && (command.amount === undefined || command.amount === state.captured_amount)) return unchanged(state)
  return forbidden(state, "Capture", isCaptured(state.status) ? `already captured ${state.captured_amount}` : "only an authorized payment is captured")
}

const decideRefund = (state: Payment, command: CommandOf<"Refund">, at: string): PaymentDecision => {
  const existing = state.refunds.find((r) => r.refund_id === command.refund_id)
  if (existing !== undefined) {
    return existing.amount === command.amount ? unchanged(state) : reject(new RefundConflict({ reason: "refund_id_reused", refund_id: command.refund_id }))
  }
  if (!isCaptured(state.status)) return forbidden(state, command._tag, "only a captured payment is refunded (void an authorization)")
  const refundable = refundableOf(state)
  if (command.amount > refundable) return reject(new RefundExceedsCaptured({ reason: "refund_exceeds_captured", refundable }))
  if (state.refunds.length >= paymentLimits.maxRefunds) return reject(new RefundLimit({ reason: "refund_limit", limit: paymentLimits.maxRefunds }))
  return emit(state, { _tag: "RefundRequested", refund_id: command.refund_id, amount: command.amount, at })
}

const providerStatus = {
  pending: "pending",
  declined: "failed",
  authorized: "authorized",
  captured: "captured",
  partially_refunded: "partially_refunded",
  refunded: "refunded",
  voided: "voided"
} as const satisfies Record<ProviderFacts["status"], PaymentStatus>

/** Impossible facts (a dishonest or broken answer): the rules the provider itself keeps. */
const factsProblem = (payment: Payment, facts: ProviderFacts): string | undefined => {
  if (facts.amount !== payment.amount) return `the provider payment is for ${facts.amount}, this payment for ${payment.amount}`
  if (facts.amount_captured > facts.amount) return "captured above the authorized amount"
  if (facts.amount_refunded > facts.amount_captured) return "refunded above the captured amount"
  const captured = isCaptured(providerStatus[facts.status])
  if (captured !== facts.amount_captured > 0) return `status ${facts.status} with ${facts.amount_captured} captured`
  if (facts.status === "captured" && facts.amount_refunded !== 0) return "status captured with a refund"
  if (facts.status === "partially_refunded" && (facts.amount_refunded === 0 || facts.amount_refunded === facts.amount_captured)) {
    return "status partially_refunded without a partial refund"
  }
  if (facts.status === "refunded" && facts.amount_refunded !== facts.amount_captured) return "status refunded with money left"
  return undefined
}

const decideProviderFacts = (state: Payment, eventId: string | null, facts: ProviderFacts, at: string): PaymentDecision => {
  if (!withProvider(state)) return reject(new ProviderFactsRejected({ reason: "no_provider", message: `a ${state.method} payment has no provider` }))
  if (eventId !== null && state.webhook_event_ids.includes(eventId)) return unchanged(state)
  const problem = factsProblem(state, facts)
  if (problem !== undefined) return reject(new ProviderFactsRejected({ reason: "invalid_provider_state", message: problem }))
  const wrong = mismatch(state, facts.provider_payment_id)
  if (wrong !== undefined) return wrong
  // Older than (or as old as) what is applied: a late or repeated delivery.
  if (facts.version <= state.provider_version) return unchanged(state)
  return emit(state, { _tag: "ProviderStateApplied", event_id: eventId, facts, at })
}

// Evolve

/** Lifecycle order; provider facts move a payment only to a higher rank. */
const rank: Record<PaymentStatus, number> = {
  created: 0,
  pending: 1,
  authorized: 2,
  failed: 2,
  voided: 3,
  captured: 4,
  partially_refunded: 4,
  refunded: 4
}

/** The captured family's status follows its amounts. */
const withRefundTotals = (payment: Payment, reported: number): Payment => {
  const refunded = Math.max(sum(payment.refunds, "succeeded"), reported)
  if (!isCaptured(payment.status)) return { ...payment, refunded_amount: refunded }
  const status = refunded === 0 ? "captured" : refunded === payment.captured_amount ? "refunded" : "partially_refunded"
  return { ...payment, status, refunded_amount: refunded }
}

/** Requested refunds the provider's total already covers, oldest first, are done. */
const settleRefunds = (refunds: ReadonlyArray<RefundRecord>, reportedRefunded: number): ReadonlyArray<RefundRecord> => {
  let done = sum(refunds, "succeeded")
  return refunds.map((r) => {
    if (r.status !== "requested" || done + r.amount > reportedRefunded) return r
    done += r.amount
    return { ...r, status: "succeeded" }
  })
}

const applyFacts = (payment: Payment, event: Extract<PaymentEvent, { _tag: "ProviderStateApplied" }>): Payment => {
  const { facts } = event
  const target = providerStatus[facts.status]
  // Only forward: the same rank with another status (authorized vs declined, voided vs…) would contradict an answer already recorded.
  const status = rank[target] > rank[payment.status] ? target : payment.status
  const authorizedNow = status === "authorized" || status === "voided" || isCaptured(status)
  const settled = authorizedNow && status !== "authorized"
  const refunds = settleRefunds(payment.refunds, facts.amount_refunded)
  const next: Payment = {
    ...payment,
    status,
    provider_payment_id: facts.provider_payment_id,
    provider_version: facts.version,
    authorized_amount: authorizedNow ? Math.max(payment.authorized_amount, target === "pending" || target === "failed" ? 0 : facts.amount) : 0,
    captured_amount: isCaptured(status) ? Math.max(payment.captured_amount, facts.amount_captured) : 0,
    decline_code: status === "failed" ? (facts.decline_code ?? payment.decline_code ?? "card_declined") : payment.decline_code,
    reconcile_needed: false,
    capture_requested: settled || status === "failed" ? null : payment.capture_requested,
    void_requested: settled || status === "failed" ? false : payment.void_requested,
    refunds,
    webhook_event_ids: event.event_id === null ? payment.webhook_event_ids : remember(payment.webhook_event_ids, event.event_id),
    updated_at: event.at
  }
  return withRefundTotals(next, Math.max(payment.refunded_amount, facts.amount_refunded))
}

const remember = (ids: ReadonlyArray<string>, id: string) => {
  const next = [...ids, id]
  return next.length > paymentLimits.maxRememberedWebhookEvents ? next.slice(next.length - paymentLimits.maxRememberedWebhookEvents) : next
}

export const evolvePayment = (state: PaymentState, event: PaymentEvent): PaymentState => {
  let next: Payment
  if (event._tag === "Created") {
    if (state.status !== "new") throw new Error(`payment ${state.payment_id}: Created twice`)
    const { _tag, at, ...fields } = event
    next = {
      status: "created",
      payment_id: state.payment_id,
      ...fields,
      provider_payment_id: null,
      provider_version: 0,
      authorized_amount: 0,
      captured_amount: 0,
      refunded_amount: 0,
      decline_code: null,
      reconcile_needed: false,
      capture_requested: null,
      void_requested: false,
      refunds: [],
      webhook_event_ids: [],
      created_at: at,
      updated_at: at
    }
  } else {
    if (state.status === "new") throw new Error(`payment ${state.payment_id}: ${event._tag} before Created`)
    const current: Payment = { ...state, updated_at: event.at }
    switch (event._tag) {
      case "Authorized":
        next = {
          ...current,
          status: "authorized",
          provider_payment_id: event.provider_payment_id,
          authorized_amount: event.amount,
          reconcile_needed: false
        }
        break
      case "Declined":
        next = { ...current, status: "failed", provider_payment_id: event.provider_payment_id, decline_code: event.code, reconcile_needed: false, void_requested: false }
        break
      case "AuthorizationPending":
        next = { ...current, status: "pending", provider_payment_id: event.provider_payment_id, reconcile_needed: false }
        break
      case "OutcomeUnknown":
        next = { ...current, status: "pending", reconcile_needed: true }
        break
      case "CaptureRequested":
        next = { ...current, capture_requested: event.amount }
        break
      case "Captured":
        next = withRefundTotals({ ...current, status: "captured", captured_amount: event.amount, capture_requested: null, void_requested: false }, 0)
        break
      case "VoidRequested":
        next = { ...current, void_requested: true }
        break
      case "Voided":
        next = { ...current, status: "voided", void_requested: false, capture_requested: null, reconcile_needed: false }
        break
      case "RefundRequested":
        next = {
          ...current,
          refunds: [...current.refunds, { refund_id: event.refund_id, amount: event.amount, status: "requested", failure_code: null, requested_at: event.at }]
        }
        break
      case "RefundSucceeded":
      case "RefundFailed": {
        if (!current.refunds.some((r) => r.refund_id === event.refund_id)) throw new Error(`payment ${state.payment_id}: ${event._tag} of unknown ${event.refund_id}`)
        const refunds = current.refunds.map((r): RefundRecord =>
          r.refund_id !== event.refund_id
            ? r
            : event._tag === "RefundSucceeded"
              ? { ...r, status: "succeeded" }
              : { ...r, status: "failed", failure_code: event.code }
        )
        // `refunded_amount` is max(refunds done, provider's total); refunds done only grow, so the old value stands in for the total.
        next = withRefundTotals({ ...current, refunds }, current.refunded_amount)
        break
      }
      case "ProviderStateApplied":
        next = applyFacts(current, event)
        break
    }
  }
  assertPayment(next)
  return next
}

export function assertPayment(payment: Payment) {
  const fail = (what: string) => {
    throw new Error(`payment ${payment.payment_id}: ${what}`)
  }
  const { status, authorized_amount: authorized, captured_amount: captured, refunded_amount: refunded } = payment
  if (captured > authorized) fail(`captured ${captured} > authorized ${authorized}`)
  if (refunded > captured) fail(`refunded ${refunded} > captured ${captured}`)
  const succeeded = sum(payment.refunds, "succeeded")
  if (succeeded + sum(payment.refunds, "requested") > captured) fail(`refunds ${succeeded} done + in flight exceed captured ${captured}`)
  if (refunded < succeeded) fail(`refunded ${refunded} < refunds done ${succeeded}`)
  if (isCaptured(status)) {
    if (captured < 1) fail(`${status} with nothing captured`)
    const expected = refunded === 0 ? "captured" : refunded === captured ? "refunded" : "partially_refunded"
    if (status !== expected) fail(`${status} with ${refunded} of ${captured} refunded`)
  } else {
    if (captured !== 0 || refunded !== 0 || payment.refunds.length > 0) fail(`${status} with money captured or refunded`)
  }
  const expectedAuthorized = status === "authorized" || isCaptured(status) ? [payment.amount] : status === "voided" ? [0, payment.amount] : [0]
  if (!expectedAuthorized.includes(authorized)) fail(`${status} with ${authorized} authorized of ${payment.amount}`)
  if (payment.capture_requested !== null && (status !== "authorized" || payment.capture_requested > authorized)) {
    fail(`capture of ${payment.capture_requested} requested while ${status}`)
  }
  if (payment.void_requested && !(status === "created" || status === "pending" || status === "authorized")) fail(`void requested while ${status}`)
  if (payment.reconcile_needed && status !== "pending") fail(`reconcile needed while ${status}`)
  if (withProvider(payment) && (status === "authorized" || isCaptured(status) || (status === "pending" && !payment.reconcile_needed))) {
    if (payment.provider_payment_id === null) fail(`${status} ${payment.method} payment without a provider payment id`)
  }
  if (payment.refunds.length > paymentLimits.maxRefunds) fail(`${payment.refunds.length} refunds`)
  if (new Set(payment.refunds.map((r) => r.refund_id)).size !== payment.refunds.length) fail("duplicate refund_id")
  if (payment.webhook_event_ids.length > paymentLimits.maxRememberedWebhookEvents) fail(`${payment.webhook_event_ids.length} webhook ids`)
}

export const payment: ActorDefinition<PaymentState, PaymentCommand, PaymentEvent, Payment, PaymentRejection> = {
  name: "payment",
  state: PaymentState,
  command: PaymentCommand,
  event: PaymentEvent,
  reply: Payment,
  rejection: PaymentRejection,
  initialState: (id) => ({ status: "new", payment_id: id }),
  decide: decidePayment,
  evolve: evolvePayment,
  limits: { mailboxCapacity: 64, snapshotEveryEvents: 50 }
}
