import { Schema } from "effect"
import { OpaqueId } from "../cart/fields.ts"

/**
 * Field schemas of the payment and wallet actors (and of the payment summary an order keeps).
 * Money is an integer count of minor units in one currency, never a float.
 */

export const paymentLimits = {
  /** Largest amount one payment may be for, in minor units (the provider's own limit). */
  maxAmount: 1_000_000_000_000,
  /** Refunds per payment (the provider's own limit); the 101st is refused with `refund_limit`. */
  maxRefunds: 100,
  /** Webhook event ids remembered per payment for deduplication (most recent kept). */
  maxRememberedWebhookEvents: 64
} as const

export const walletLimits = {
  /** Largest balance a wallet may hold, in minor units. */
  maxBalance: 1_000_000_000_000_000,
  /** Debits, credits and reversals remembered for idempotency (oldest forgotten first). */
  maxRememberedEntries: 1_000
} as const

const Int = Schema.Number.pipe(Schema.int())

/** `pay_` + base64url of ≥ 96 random bits (16..64 characters); minted by the checkout saga. */
export const PaymentId = Schema.String.pipe(Schema.pattern(/^pay_[A-Za-z0-9_-]{16,64}$/))
/** A positive amount one payment can move: 1..10^12 minor units. */
export const Amount = Int.pipe(Schema.between(1, paymentLimits.maxAmount))
export const AmountOrZero = Int.pipe(Schema.between(0, paymentLimits.maxAmount))
/** ISO 4217 alphabetic code, upper case. */
export const Currency = Schema.String.pipe(Schema.pattern(/^[A-Z]{3}$/))
/** Ids chosen by callers (refunds, checkout references, wallet entries). */
export const EntryId = OpaqueId
/** The provider's id of its payment record (`GET /v1/payments/{id}` at the provider). */
export const ProviderPaymentId = Schema.String.pipe(Schema.pattern(/^[\x21-\x7e]{1,200}$/))
/** A machine-readable reason such as `card_declined`, `insufficient_funds`, `timeout`. */
export const Code = Schema.String.pipe(Schema.pattern(/^[a-z0-9_]{1,64}$/))
/** Milliseconds since the epoch. */
export const EpochMs = Int.pipe(Schema.between(0, 8.64e15))

export const PaymentMethodKind = Schema.Literal("card", "wallet", "upi", "cod")
export type PaymentMethodKind = typeof PaymentMethodKind.Type

/** The payment actor's states. `created`: nothing is known from the provider yet. */
export const PaymentStatus = Schema.Literal("created", "pending", "authorized", "captured", "partially_refunded", "refunded", "voided", "failed")
export type PaymentStatus = typeof PaymentStatus.Type

/** `payment.status` as API.md shows it: `created` is shown as `pending`. */
export const ApiPaymentStatus = Schema.Literal("pending", "authorized", "captured", "partially_refunded", "refunded", "voided", "failed")
export type ApiPaymentStatus = typeof ApiPaymentStatus.Type

export const apiPaymentStatus = (status: PaymentStatus): ApiPaymentStatus => (status === "created" ? "pending" : status)

/** When an authorized payment is captured: at once after the order is placed, or when it ships. */
export const CaptureMode = Schema.Literal("immediate", "on_shipment")
export type CaptureMode = typeof CaptureMode.Type

/** What an order keeps of its payment: the fields of API.md's `payment` object plus the ids. */
export const PaymentSummary = Schema.Struct({
  payment_id: PaymentId,
  method: PaymentMethodKind,
  status: ApiPaymentStatus,
  authorized_amount: AmountOrZero,
  captured_amount: AmountOrZero,
  refunded_amount: AmountOrZero
})
export type PaymentSummary = typeof PaymentSummary.Type
