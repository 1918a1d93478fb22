import type { PaymentCommand, PaymentEvent, ProviderFacts } from "./payment-schema.ts"

/** Shared by the payment tables and properties: one card payment of 10,000 at time 0. */

export const paymentId = "pay_AAAAAAAAAAAAAAAAAAAAAA"
export const userId = "u_AAAAAAAAAAAAAAAAAAAA"
export const at = new Date(0).toISOString()
export const amount = 10_000

export const createCard: PaymentCommand = {
  _tag: "Create",
  method: "card",
  user_id: userId,
  reference: "co_AAAAAAAAAAAAAAAAAAAA",
  amount,
  currency: "INR",
  token: "tok_visa4242",
  capture_mode: "immediate"
}

export const created: PaymentEvent = {
  _tag: "Created",
  method: "card",
  user_id: userId,
  reference: "co_AAAAAAAAAAAAAAAAAAAA",
  amount,
  currency: "INR",
  token: "tok_visa4242",
  vpa: null,
  capture_mode: "immediate",
  at
}

export const authorizedEvent = (providerPaymentId: string | null = "pp_1"): PaymentEvent => ({ _tag: "Authorized", provider_payment_id: providerPaymentId, amount, at })
export const declinedEvent: PaymentEvent = { _tag: "Declined", provider_payment_id: "pp_1", code: "card_declined", at }
export const pendingEvent: PaymentEvent = { _tag: "AuthorizationPending", provider_payment_id: "pp_1", at }
export const unknownEvent: PaymentEvent = { _tag: "OutcomeUnknown", reason: "timeout", at }
export const captureRequested = (n = amount): PaymentEvent => ({ _tag: "CaptureRequested", amount: n, at })
export const capturedEvent = (n = amount): PaymentEvent => ({ _tag: "Captured", amount: n, at })
export const voidRequested: PaymentEvent = { _tag: "VoidRequested", at }
export const voidedEvent: PaymentEvent = { _tag: "Voided", at }
export const refundRequested = (id: string, n: number): PaymentEvent => ({ _tag: "RefundRequested", refund_id: id, amount: n, at })
export const refundSucceeded = (id: string): PaymentEvent => ({ _tag: "RefundSucceeded", refund_id: id, at })
export const refundFailed = (id: string, code = "provider_error"): PaymentEvent => ({ _tag: "RefundFailed", refund_id: id, code, at })

export const facts = (version: number, status: ProviderFacts["status"], captured = 0, refunded = 0, providerPaymentId = "pp_1"): ProviderFacts => ({
  provider_payment_id: providerPaymentId,
  version,
  status,
  amount,
  amount_captured: captured,
  amount_refunded: refunded
})

/** Given-events of each payment state the tables start from. */
export const states = {
  created: [created],
  pending: [created, pendingEvent],
  unknown: [created, unknownEvent],
  authorized: [created, authorizedEvent()],
  capturing: [created, authorizedEvent(), captureRequested()],
  voiding: [created, authorizedEvent(), voidRequested],
  captured: [created, authorizedEvent(), capturedEvent()],
  refunding: [created, authorizedEvent(), capturedEvent(), refundRequested("rf_1", 3_000)],
  partially_refunded: [created, authorizedEvent(), capturedEvent(), refundRequested("rf_1", 3_000), refundSucceeded("rf_1")],
  refunded: [created, authorizedEvent(), capturedEvent(), refundRequested("rf_1", amount), refundSucceeded("rf_1")],
  voided: [created, authorizedEvent(), voidRequested, voidedEvent],
  failed: [created, declinedEvent]
} as const satisfies Record<string, ReadonlyArray<PaymentEvent>>
