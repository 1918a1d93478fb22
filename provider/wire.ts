import { Schema } from "effect"

/**
 * The simulator's HTTP bodies as Schemas: requests are decoded by the server (unknown fields
 * rejected), answers and webhook events by the client. Names are the wire names.
 */

export const maxAmount = 1_000_000_000_000
export const Amount = Schema.Number.pipe(Schema.int(), Schema.between(1, maxAmount))
export const Currency = Schema.String.pipe(Schema.pattern(/^[A-Z]{3}$/))
export const Reference = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200))
export const TokenId = Schema.String.pipe(Schema.pattern(/^tok_[A-Za-z0-9]{1,64}$/))

export const TokenRequest = Schema.Struct({
  card_number: Schema.String.pipe(Schema.maxLength(32)),
  exp_month: Schema.Number,
  exp_year: Schema.Number,
  cvc: Schema.String.pipe(Schema.maxLength(8))
})

export const AuthorizeRequest = Schema.Struct({
  token: TokenId,
  amount: Amount,
  currency: Currency,
  reference: Reference
})
export type AuthorizeRequest = typeof AuthorizeRequest.Type

export const CaptureRequest = Schema.Struct({ amount: Schema.optional(Amount) })
export const RefundRequest = Schema.Struct({ amount: Schema.optional(Amount), reason: Schema.optional(Schema.String.pipe(Schema.maxLength(500))) })
/** Action bodies: nothing or `{}`. */
export const EmptyRequest = Schema.Unknown.pipe(
  Schema.filter((body) => (body !== null && typeof body === "object" && !Array.isArray(body) && Object.keys(body).length === 0) || "expected no body or {}")
)
export const SettleRequest = Schema.Struct({
  outcome: Schema.Literal("authorized", "declined"),
  decline_code: Schema.optional(Schema.String.pipe(Schema.pattern(/^[a-z_]{1,64}$/)))
})

/** `"20-50"` or `"30"` (milliseconds), or `"0"` for none. */
export const MsRange = Schema.String.pipe(Schema.pattern(/^\d{1,7}(-\d{1,7})?$/))
export const Probability = Schema.Number.pipe(Schema.between(0, 1))

/** Test hook: change the simulator's behaviour at run time (not persisted). */
export const SettingsRequest = Schema.Struct({
  latency_ms: Schema.optional(MsRange),
  slow_card_delay_ms: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.between(0, 600_000))),
  error_rate: Schema.optional(Probability),
  error_after_commit_rate: Schema.optional(Probability),
  webhook_url: Schema.optional(Schema.NullOr(Schema.String.pipe(Schema.pattern(/^https?:\/\/\S{1,2000}$/)))),
  webhook_delay_ms: Schema.optional(MsRange),
  webhook_duplicate_probability: Schema.optional(Probability)
})
export type SettingsRequest = typeof SettingsRequest.Type

// Answers

export const CardBrand = Schema.Literal("visa", "mastercard", "amex", "discover", "rupay", "unknown")

export const CardToken = Schema.Struct({
  token: Schema.String,
  brand: CardBrand,
  last4: Schema.String,
  fingerprint: Schema.String,
  exp_month: Schema.Number,
  exp_year: Schema.Number,
  created_at: Schema.String
})
export type CardToken = typeof CardToken.Type

export const PaymentStatus = Schema.Literal("pending", "authorized", "declined", "captured", "partially_refunded", "refunded", "voided")

export const Refund = Schema.Struct({ refund_id: Schema.String, amount: Schema.Number, created_at: Schema.String })

export const Payment = Schema.Struct({
  payment_id: Schema.String,
  status: PaymentStatus,
  decline_code: Schema.optional(Schema.String),
  amount: Schema.Number,
  currency: Schema.String,
  reference: Schema.String,
  token: Schema.String,
  card: Schema.Struct({ brand: CardBrand, last4: Schema.String, fingerprint: Schema.String }),
  amount_captured: Schema.Number,
  amount_refunded: Schema.Number,
  refunds: Schema.Array(Refund),
  version: Schema.Number,
  created_at: Schema.String,
  updated_at: Schema.String
})
export type Payment = typeof Payment.Type

export const RefundResult = Schema.Struct({ refund: Refund, payment: Payment })
export type RefundResult = typeof RefundResult.Type

export const PaymentList = Schema.Struct({ data: Schema.Array(Payment) })

export const ErrorBody = Schema.Struct({
  error: Schema.Struct({ code: Schema.String, message: Schema.String, details: Schema.optional(Schema.Unknown) })
})

export const WebhookEventType = Schema.Literal(
  "payment.authorized",
  "payment.declined",
  "payment.pending",
  "payment.captured",
  "payment.voided",
  "payment.refunded"
)

export const WebhookEvent = Schema.Struct({
  id: Schema.String,
  type: WebhookEventType,
  created_at: Schema.String,
  data: Schema.Struct({ payment: Payment })
})
export type WebhookEvent = typeof WebhookEvent.Type
