import { Effect, Either, Schema } from "effect"
import type { CaptureMode, PaymentMethodKind } from "../../actors/payments/fields.ts"
import { isCaptured, type Payment, type PaymentRejection, providerIdempotencyKey } from "../../actors/payments/payment.ts"
import type { WalletRejection } from "../../actors/payments/wallet.ts"
import type { Actors } from "../../runtime/service.ts"
import { PaymentProvider, type ProviderRejected } from "../../provider/client.ts"
import type { PaymentsConfig } from "./config.ts"
import { providerNotConfigured } from "./provider-client.ts"
import { applyProviderRecord, askPayment, askWallet, codeOf, findAtProvider, PaymentsBusy, refreshFromProvider } from "./payment-io.ts"

export { PaymentsBusy } from "./payment-io.ts"

/**
 * The payment steps of the checkout saga and of cancellations: authorize, void, capture, refund.
 * Each step first records its decision in the payment actor (which refuses what its state does
 * not allow and sets amounts aside), then asks the provider with the deterministic key of
 * `providerIdempotencyKey`, then records the answer. Every step can be run again after a crash
 * or a lost answer: the actor replies what it knows, and the provider replays the answer stored
 * under the same key, so nothing is ever charged twice.
 *
 * The provider's `reference` of a payment is our payment id (unique per payment), so a lost
 * answer is reconciled by `GET /v1/payments?reference=<payment id>` and a webhook names the
 * payment actor it is for. When nothing is found the same request is sent again with the same
 * key (bounded by `reconcileAttempts`); still nothing → `ProviderUnavailable`, with the payment
 * left `pending` + `reconcile_needed` for a later call, a webhook or `reconcile`.
 *
 * Wallet (store credit) payments debit the shopper's wallet actor at authorization and credit it
 * back on void or refund; cash on delivery is authorized as a promise and captured when the
 * courier collects; UPI needs a collect flow the provider does not offer (`PaymentMethodUnsupported`).
 */

export class PaymentMethodUnsupported extends Schema.TaggedError<PaymentMethodUnsupported>()("PaymentMethodUnsupported", {
  method: Schema.String,
  message: Schema.String
}) {}

export type PaymentStepError = PaymentRejection | WalletRejection | PaymentsBusy | PaymentMethodUnsupported
export type PaymentStepServices = Actors | PaymentProvider

export interface AuthorizeInput {
  /** `pay_…`, minted by the caller; the same id again continues the same payment. */
  readonly payment_id: string
  /** What the payment is for (the checkout id). */
  readonly reference: string
  readonly user_id: string
  readonly amount: number
  readonly currency: string
  readonly method: PaymentMethodKind
  /** Card: the provider token. */
  readonly token?: string | undefined
  readonly vpa?: string | undefined
  /** Default: the configured `PAYMENT_CAPTURE`. */
  readonly capture_mode?: CaptureMode | undefined
}

export type AuthorizeOutcome =
  | { readonly _tag: "Authorized"; readonly payment: Payment }
  | { readonly _tag: "Declined"; readonly code: string; readonly payment: Payment }
  /** Waiting for the shopper (3-D-Secure-like): a webhook or `reconcile` tells the end. */
  | { readonly _tag: "Pending"; readonly payment: Payment }
  /** Voided before it was authorized (a compensation won the race). */
  | { readonly _tag: "Voided"; readonly payment: Payment }
  /** No answer from the provider after every attempt; the payment may be authorized there: reconcile, or void it. */
  | { readonly _tag: "ProviderUnavailable"; readonly message: string; readonly payment: Payment }

export type StepOutcome =
  | { readonly _tag: "Done"; readonly payment: Payment }
  /** The provider refused for a reason of state (the payment is recorded as the provider has it). */
  | { readonly _tag: "Refused"; readonly code: string; readonly payment: Payment }
  /** The decision is recorded but the provider did not answer: call the step again later (same key). */
  | { readonly _tag: "ProviderUnavailable"; readonly message: string; readonly payment: Payment }

type Step<A> = Effect.Effect<A, PaymentStepError, PaymentStepServices>

const noAnswer = "the payment provider did not answer"

export const authorizeOutcomeOf = (payment: Payment, message = noAnswer): AuthorizeOutcome => {
  if (payment.status === "authorized" || isCaptured(payment.status)) return { _tag: "Authorized", payment }
  if (payment.status === "failed") return { _tag: "Declined", code: payment.decline_code ?? "card_declined", payment }
  if (payment.status === "voided") return { _tag: "Voided", payment }
  if (payment.status === "pending" && !payment.reconcile_needed) return { _tag: "Pending", payment }
  return { _tag: "ProviderUnavailable", message, payment }
}

/** A 401/403 from the provider (API key) or no provider at all is our configuration, not the shopper's card. */
const isOurFault = (rejection: ProviderRejected) => rejection.status === 401 || rejection.status === 403 || rejection.code === providerNotConfigured

export const paymentSteps = (config: PaymentsConfig) => {
  /** Asks the provider to authorize (same key every time) and records the answer; a lost answer is reconciled, then asked again, bounded. */
  const sendAuthorization = (current: Payment, attempt: number): Step<AuthorizeOutcome> =>
    Effect.gen(function* () {
      const provider = yield* PaymentProvider
      const id = current.payment_id
      const answer = yield* Effect.either(
        provider.authorize({ token: current.token!, amount: current.amount, currency: current.currency, reference: id }, providerIdempotencyKey.authorize(id))
      )
      if (Either.isRight(answer)) {
        return authorizeOutcomeOf(yield* askPayment(id, { _tag: "RecordAuthorization", provider_payment_id: answer.right.payment_id, amount: answer.right.amount }))
      }
      const failure = answer.left
      switch (failure._tag) {
        case "PaymentDeclined":
          return authorizeOutcomeOf(yield* askPayment(id, { _tag: "RecordDecline", code: codeOf(failure.declineCode, "card_declined"), provider_payment_id: failure.paymentId }))
        case "PaymentPending":
          return authorizeOutcomeOf(yield* askPayment(id, { _tag: "RecordPending", provider_payment_id: failure.paymentId }))
        case "ProviderRejected":
          if (failure.code === "idempotency_key_reused") return yield* Effect.die(new Error(`payment ${id}: the provider saw its authorize key with other data`))
          if (isOurFault(failure)) return authorizeOutcomeOf(current, `the payment provider refused our credentials (${failure.status})`)
          // A bad or unknown token: the provider never made a payment, nothing to reconcile.
          return authorizeOutcomeOf(yield* askPayment(id, { _tag: "RecordDecline", code: codeOf(failure.code, "card_declined") }))
        case "ProviderOutcomeUnknown": {
          const unknown = yield* askPayment(id, { _tag: "RecordOutcomeUnknown", reason: codeOf(failure.reason) })
          const found = yield* findAtProvider(unknown)
          if (found !== undefined && !(found.status === "pending" && found.reconcile_needed)) return authorizeOutcomeOf(found)
          if (attempt >= config.reconcileAttempts) return authorizeOutcomeOf(found ?? unknown, `${noAnswer}: ${failure.message}`)
          yield* Effect.sleep(config.reconcileDelayMs)
          return yield* sendAuthorization(found ?? unknown, attempt + 1)
        }
      }
    })

  const authorizeCard = (current: Payment): Step<AuthorizeOutcome> =>
    Effect.gen(function* () {
      if (current.status === "created") return current.void_requested ? authorizeOutcomeOf(current) : yield* sendAuthorization(current, 1)
      if (current.status === "pending" && current.reconcile_needed) {
        const found = yield* findAtProvider(current)
        if (found !== undefined && !found.reconcile_needed) return authorizeOutcomeOf(found)
        return current.void_requested ? authorizeOutcomeOf(found ?? current) : yield* sendAuthorization(found ?? current, 1)
      }
      if (current.status === "pending") return authorizeOutcomeOf(yield* refreshFromProvider(current))
      return authorizeOutcomeOf(current)
    })

  const authorizeWallet = (current: Payment): Step<AuthorizeOutcome> =>
    Effect.gen(function* () {
      if (current.status !== "created" || current.void_requested) return authorizeOutcomeOf(current)
      const debit = yield* Effect.either(askWallet(current.user_id, { _tag: "Debit", payment_id: current.payment_id, amount: current.amount, currency: current.currency }))
      if (Either.isRight(debit)) return authorizeOutcomeOf(yield* askPayment(current.payment_id, { _tag: "RecordAuthorization", amount: current.amount }))
      const failure = debit.left
      const code =
        failure._tag === "InsufficientFunds"
          ? "insufficient_funds"
          : failure._tag === "WalletCurrencyMismatch"
            ? "currency_mismatch"
            : failure._tag === "WalletEntryConflict" && failure.reason === "debit_reversed"
              ? "payment_voided"
              : undefined
      if (code === undefined) return yield* Effect.fail(failure)
      return authorizeOutcomeOf(yield* askPayment(current.payment_id, { _tag: "RecordDecline", code }))
    })

  /** Creates the payment (idempotent by id and data) and authorizes it; running it again continues where it stopped. */
  const authorize = (input: AuthorizeInput): Step<AuthorizeOutcome> =>
    Effect.gen(function* () {
      if (input.method === "upi") {
        return yield* Effect.fail(new PaymentMethodUnsupported({ method: "upi", message: "UPI collect requests are not offered by the payment provider; pay by card, wallet or cash on delivery" }))
      }
      const current = yield* askPayment(input.payment_id, {
        _tag: "Create",
        method: input.method,
        user_id: input.user_id,
        reference: input.reference,
        amount: input.amount,
        currency: input.currency,
        ...(input.token === undefined ? {} : { token: input.token }),
        ...(input.vpa === undefined ? {} : { vpa: input.vpa }),
        capture_mode: input.capture_mode ?? config.captureMode
      })
      if (current.method === "card") return yield* authorizeCard(current)
      if (current.method === "wallet") return yield* authorizeWallet(current)
      // Cash on delivery: the amount is owed, collected by the courier.
      if (current.status === "created" && !current.void_requested) {
        return authorizeOutcomeOf(yield* askPayment(current.payment_id, { _tag: "RecordAuthorization", amount: current.amount }))
      }
      return authorizeOutcomeOf(current)
    })

  /** What the provider says now, applied (after a lost answer, for a pending payment, or any time). */
  const reconcile = (paymentId: string): Step<Payment> =>
    Effect.gen(function* () {
      const current = yield* askPayment(paymentId, { _tag: "Get" })
      if (current.method !== "card") return current
      return yield* refreshFromProvider(current)
    })

  /** The outcome of a provider refusal or a lost answer: the provider's record decides. */
  const settleFromProvider = (current: Payment, done: (payment: Payment) => boolean, refusal: string | undefined, message: string): Step<StepOutcome> =>
    Effect.map(refreshFromProvider(current), (payment): StepOutcome => {
      if (done(payment)) return { _tag: "Done", payment }
      return refusal === undefined ? { _tag: "ProviderUnavailable", message, payment } : { _tag: "Refused", code: refusal, payment }
    })

  /** Releases an authorization (a checkout that failed after authorizing, a cancelled order). A captured payment is refused: refund it. */
  const voidAuthorization = (paymentId: string): Step<StepOutcome> =>
    Effect.gen(function* () {
      let current = yield* askPayment(paymentId, { _tag: "Void" })
      const released = (payment: Payment) => payment.status === "voided" || payment.status === "failed"
      if (released(current)) return { _tag: "Done", payment: current } as const
      if (current.method === "wallet") yield* askWallet(current.user_id, { _tag: "ReverseDebit", payment_id: paymentId })
      if (current.method !== "card") return { _tag: "Done", payment: yield* askPayment(paymentId, { _tag: "RecordVoided" }) } as const
      if (current.provider_payment_id === null) {
        // The provider may hold an authorization we never heard of: find it, or pin it down with the authorize key itself.
        current = (yield* findAtProvider(current)) ?? current
        if (current.provider_payment_id === null && !released(current)) current = (yield* sendAuthorization(current, config.reconcileAttempts)).payment
        if (released(current)) return { _tag: "Done", payment: current } as const
        if (current.provider_payment_id === null) return { _tag: "ProviderUnavailable", message: noAnswer, payment: current } as const
      }
      const provider = yield* PaymentProvider
      const answer = yield* Effect.either(provider.voidPayment(current.provider_payment_id, providerIdempotencyKey.void(paymentId)))
      if (Either.isRight(answer)) {
        yield* applyProviderRecord(paymentId, answer.right)
        return { _tag: "Done", payment: yield* askPayment(paymentId, { _tag: "RecordVoided" }) } as const
      }
      const failure = answer.left
      const refusal = failure._tag === "ProviderRejected" && !isOurFault(failure) ? codeOf(failure.code) : undefined
      return yield* settleFromProvider(current, released, refusal, `${noAnswer}: ${failure.message}`)
    })

  /** Captures an authorized payment (all of it unless `amount`); running it again after a lost answer asks with the same key. */
  const capture = (paymentId: string, amount?: number): Step<StepOutcome> =>
    Effect.gen(function* () {
      const current = yield* askPayment(paymentId, amount === undefined ? { _tag: "Capture" } : { _tag: "Capture", amount })
      if (isCaptured(current.status)) return { _tag: "Done", payment: current } as const
      const requested = current.capture_requested ?? current.authorized_amount
      if (current.method !== "card") return { _tag: "Done", payment: yield* askPayment(paymentId, { _tag: "RecordCaptured", amount: requested }) } as const
      const provider = yield* PaymentProvider
      const answer = yield* Effect.either(provider.capture(current.provider_payment_id!, requested, providerIdempotencyKey.capture(paymentId)))
      if (Either.isRight(answer)) {
        return { _tag: "Done", payment: yield* askPayment(paymentId, { _tag: "RecordCaptured", amount: answer.right.amount_captured }) } as const
      }
      const failure = answer.left
      const refusal = failure._tag === "ProviderRejected" && !isOurFault(failure) ? codeOf(failure.code) : undefined
      return yield* settleFromProvider(current, (payment) => isCaptured(payment.status), refusal, `${noAnswer}: ${failure.message}`)
    })

  /** Gives back `amount` of a captured payment; idempotent by `refundId` (a retry with the same id asks the provider with the same key). */
  const refund = (paymentId: string, refundId: string, amount: number): Step<StepOutcome> =>
    Effect.gen(function* () {
      const current = yield* askPayment(paymentId, { _tag: "Refund", refund_id: refundId, amount })
      const record = current.refunds.find((r) => r.refund_id === refundId)!
      if (record.status === "succeeded") return { _tag: "Done", payment: current } as const
      if (record.status === "failed") return { _tag: "Refused", code: record.failure_code ?? "refund_failed", payment: current } as const
      if (current.method === "wallet") {
        yield* askWallet(current.user_id, { _tag: "Credit", credit_id: `${paymentId}:refund:${refundId}`, amount, currency: current.currency, reason: "refund" })
      }
      // Cash on delivery is given back by the operator, outside the store: recorded as done.
      if (current.method !== "card") return { _tag: "Done", payment: yield* askPayment(paymentId, { _tag: "RecordRefunded", refund_id: refundId }) } as const
      const provider = yield* PaymentProvider
      const answer = yield* Effect.either(provider.refund(current.provider_payment_id!, amount, providerIdempotencyKey.refund(paymentId, refundId)))
      if (Either.isRight(answer)) return { _tag: "Done", payment: yield* askPayment(paymentId, { _tag: "RecordRefunded", refund_id: refundId }) } as const
      const failure = answer.left
      if (failure._tag === "ProviderRejected" && !isOurFault(failure)) {
        const code = codeOf(failure.code, "refund_failed")
        return { _tag: "Refused", code, payment: yield* askPayment(paymentId, { _tag: "RecordRefundFailed", refund_id: refundId, code }) } as const
      }
      const refunded = (payment: Payment) => payment.refunds.some((r) => r.refund_id === refundId && r.status === "succeeded")
      return yield* settleFromProvider(current, refunded, undefined, `${noAnswer}: ${failure.message}`)
    })

  const get = (paymentId: string) => askPayment(paymentId, { _tag: "Get" })

  return { authorize, voidAuthorization, capture, refund, reconcile, get }
}

export type PaymentSteps = ReturnType<typeof paymentSteps>
