import { Schema } from "effect"
import { ProviderToken, Rfc3339Utc, UserId, Vpa } from "../accounts/fields.ts"
import { InvalidCommand } from "../cart/fields.ts"
import {
  Amount,
  AmountOrZero,
  CaptureMode,
  Code,
  Currency,
  EntryId,
  PaymentMethodKind,
  paymentLimits,
  PaymentStatus,
  ProviderPaymentId
} from "./fields.ts"

/** State, commands, events and rejections of the payment actor (see payment.ts for the rules). */

export const RefundRecord = Schema.Struct({
  refund_id: EntryId,
  amount: Amount,
  /** `requested`: the saga is asking the provider (the amount is set aside); then the outcome. */
  status: Schema.Literal("requested", "succeeded", "failed"),
  failure_code: Schema.NullOr(Code),
  requested_at: Rfc3339Utc
})
export type RefundRecord = typeof RefundRecord.Type

export const Payment = Schema.Struct({
  status: PaymentStatus,
  payment_id: Schema.String,
  method: PaymentMethodKind,
  user_id: UserId,
  /** What the payment is for (the checkout id). The provider's `reference` is the payment id, not this (gateway/payments/payment-steps.ts). */
  reference: EntryId,
  /** Requested amount; an authorization is for exactly this. */
  amount: Amount,
  currency: Currency,
  /** Card: the provider token. */
  token: Schema.NullOr(ProviderToken),
  /** UPI: the payer's virtual payment address. */
  vpa: Schema.NullOr(Vpa),
  capture_mode: CaptureMode,
  provider_payment_id: Schema.NullOr(ProviderPaymentId),
  /** Highest provider `version` applied (0: none); older webhooks are ignored. */
  provider_version: Schema.Number,
  authorized_amount: AmountOrZero,
  captured_amount: AmountOrZero,
  refunded_amount: AmountOrZero,
  decline_code: Schema.NullOr(Code),
  /** An authorization was sent and no answer came back: ask the provider (by reference) before anything else. */
  reconcile_needed: Schema.Boolean,
  /** A capture the saga is asking the provider for, not yet confirmed. */
  capture_requested: Schema.NullOr(Amount),
  /** A void the saga is asking the provider for, not yet confirmed. */
  void_requested: Schema.Boolean,
  refunds: Schema.Array(RefundRecord).pipe(Schema.maxItems(paymentLimits.maxRefunds)),
  /** Most recent last. */
  webhook_event_ids: Schema.Array(Schema.String).pipe(Schema.maxItems(paymentLimits.maxRememberedWebhookEvents)),
  created_at: Rfc3339Utc,
  updated_at: Rfc3339Utc
})
export type Payment = typeof Payment.Type

/** Before `Create`: the id exists only as an address. */
export const NewPayment = Schema.Struct({ status: Schema.Literal("new"), payment_id: Schema.String })
export type NewPayment = typeof NewPayment.Type

export const PaymentState = Schema.Union(NewPayment, Payment)
export type PaymentState = typeof PaymentState.Type

/** The provider's view of its payment record (from an API answer, a webhook or a reconciling read). */
export const ProviderFacts = Schema.Struct({
  provider_payment_id: ProviderPaymentId,
  version: Schema.Number.pipe(Schema.int(), Schema.between(1, Number.MAX_SAFE_INTEGER)),
  status: Schema.Literal("pending", "authorized", "declined", "captured", "partially_refunded", "refunded", "voided"),
  amount: Amount,
  amount_captured: AmountOrZero,
  amount_refunded: AmountOrZero,
  decline_code: Schema.optional(Code)
})
export type ProviderFacts = typeof ProviderFacts.Type

export const Create = Schema.TaggedStruct("Create", {
  method: PaymentMethodKind,
  user_id: UserId,
  reference: EntryId,
  amount: Amount,
  currency: Currency,
  token: Schema.optional(ProviderToken),
  vpa: Schema.optional(Vpa),
  capture_mode: CaptureMode
})
export type Create = typeof Create.Type

export const PaymentCommand = Schema.Union(
  Create,
  /** The provider (or the wallet, or the COD promise) authorized `amount`. */
  Schema.TaggedStruct("RecordAuthorization", { provider_payment_id: Schema.optional(ProviderPaymentId), amount: Amount }),
  Schema.TaggedStruct("RecordDecline", { code: Code, provider_payment_id: Schema.optional(ProviderPaymentId) }),
  /** The provider answered `pending` (3-D-Secure-like): a webhook or a read tells the end. */
  Schema.TaggedStruct("RecordPending", { provider_payment_id: ProviderPaymentId }),
  /** The authorization was sent and no answer came back (timeout, dropped connection). */
  Schema.TaggedStruct("RecordOutcomeUnknown", { reason: Code }),
  /** Decide to capture (all when `amount` is absent); the saga then asks the provider. */
  Schema.TaggedStruct("Capture", { amount: Schema.optional(Amount) }),
  Schema.TaggedStruct("RecordCaptured", { amount: Amount }),
  /** Decide to release the authorization; the saga then asks the provider. */
  Schema.TaggedStruct("Void", {}),
  Schema.TaggedStruct("RecordVoided", {}),
  /** Decide to give back `amount`; idempotent by `refund_id`. The saga then asks the provider. */
  Schema.TaggedStruct("Refund", { refund_id: EntryId, amount: Amount }),
  Schema.TaggedStruct("RecordRefunded", { refund_id: EntryId }),
  Schema.TaggedStruct("RecordRefundFailed", { refund_id: EntryId, code: Code }),
  /** A verified provider webhook; deduplicated by `event_id`, ignored when older than what is known. */
  Schema.TaggedStruct("ApplyWebhook", { event_id: Schema.String.pipe(Schema.pattern(/^[\x21-\x7e]{1,200}$/)), facts: ProviderFacts }),
  /** What the provider says when asked (after a lost answer, or any time): same rules as a webhook. */
  Schema.TaggedStruct("Reconcile", { facts: ProviderFacts }),
  Schema.TaggedStruct("Get", {})
)
export type PaymentCommand = typeof PaymentCommand.Type

const at = { at: Rfc3339Utc }

export const PaymentEvent = Schema.Union(
  Schema.TaggedStruct("Created", {
    method: PaymentMethodKind,
    user_id: UserId,
    reference: EntryId,
    amount: Amount,
    currency: Currency,
    token: Schema.NullOr(ProviderToken),
    vpa: Schema.NullOr(Vpa),
    capture_mode: CaptureMode,
    ...at
  }),
  Schema.TaggedStruct("Authorized", { provider_payment_id: Schema.NullOr(ProviderPaymentId), amount: Amount, ...at }),
  Schema.TaggedStruct("Declined", { provider_payment_id: Schema.NullOr(ProviderPaymentId), code: Code, ...at }),
  Schema.TaggedStruct("AuthorizationPending", { provider_payment_id: ProviderPaymentId, ...at }),
  Schema.TaggedStruct("OutcomeUnknown", { reason: Code, ...at }),
  Schema.TaggedStruct("CaptureRequested", { amount: Amount, ...at }),
  Schema.TaggedStruct("Captured", { amount: Amount, ...at }),
  Schema.TaggedStruct("VoidRequested", { ...at }),
  Schema.TaggedStruct("Voided", { ...at }),
  Schema.TaggedStruct("RefundRequested", { refund_id: EntryId, amount: Amount, ...at }),
  Schema.TaggedStruct("RefundSucceeded", { refund_id: EntryId, ...at }),
  Schema.TaggedStruct("RefundFailed", { refund_id: EntryId, code: Code, ...at }),
  Schema.TaggedStruct("ProviderStateApplied", { event_id: Schema.NullOr(Schema.String), facts: ProviderFacts, ...at })
)
export type PaymentEvent = typeof PaymentEvent.Type

/** Any command but `Create` on a payment never created. Map to 404. */
export class PaymentNotFound extends Schema.TaggedError<PaymentNotFound>()("PaymentNotFound", {
  reason: Schema.Literal("not_found")
}) {}
/** `Create` again with other data. Map to 409 `conflict`. */
export class PaymentExists extends Schema.TaggedError<PaymentExists>()("PaymentExists", {
  reason: Schema.Literal("payment_exists")
}) {}
/** The command is not allowed in the payment's status. Map to 409 `conflict` (a caller bug or a race). */
export class PaymentInvalidTransition extends Schema.TaggedError<PaymentInvalidTransition>()("PaymentInvalidTransition", {
  reason: Schema.Literal("invalid_transition"),
  status: PaymentStatus,
  command: Schema.String,
  message: Schema.String
}) {}
/** An authorization for another amount than requested, or a capture above the authorization. 422. */
export class PaymentAmountInvalid extends Schema.TaggedError<PaymentAmountInvalid>()("PaymentAmountInvalid", {
  reason: Schema.Literal("amount_mismatch", "amount_exceeds_authorized"),
  expected: Schema.Number
}) {}
/** A refund above what is captured and not yet refunded or being refunded. 422. */
export class RefundExceedsCaptured extends Schema.TaggedError<RefundExceedsCaptured>()("RefundExceedsCaptured", {
  reason: Schema.Literal("refund_exceeds_captured"),
  refundable: Schema.Number
}) {}
/** A 101st refund. 422. */
export class RefundLimit extends Schema.TaggedError<RefundLimit>()("RefundLimit", {
  reason: Schema.Literal("refund_limit"),
  limit: Schema.Number
}) {}
/** A `refund_id` again with another amount, an outcome for an unknown refund, or an outcome contradicting the recorded one. 409. */
export class RefundConflict extends Schema.TaggedError<RefundConflict>()("RefundConflict", {
  reason: Schema.Literal("refund_id_reused", "refund_not_found", "refund_settled"),
  refund_id: Schema.String
}) {}
/** A capture or void already in flight with other data. 409. */
export class OperationInProgress extends Schema.TaggedError<OperationInProgress>()("OperationInProgress", {
  reason: Schema.Literal("capture_in_progress", "void_in_progress")
}) {}
/** Provider facts about another provider payment, impossible facts, or facts for a method without a provider. 422. */
export class ProviderFactsRejected extends Schema.TaggedError<ProviderFactsRejected>()("ProviderFactsRejected", {
  reason: Schema.Literal("provider_payment_mismatch", "invalid_provider_state", "no_provider"),
  message: Schema.String
}) {}

export const PaymentRejection = Schema.Union(
  InvalidCommand,
  PaymentNotFound,
  PaymentExists,
  PaymentInvalidTransition,
  PaymentAmountInvalid,
  RefundExceedsCaptured,
  RefundLimit,
  RefundConflict,
  OperationInProgress,
  ProviderFactsRejected
)
export type PaymentRejection = typeof PaymentRejection.Type
