import type { CardBehaviour, CardBrand } from "./cards.ts"

/**
 * The simulator's payment record and its pure transitions. Every transition returns the next
 * record (version + 1) and the webhook event type it causes, or a rejection with the HTTP
 * status and error code the API answers. The record is what the API shows and what the data
 * file stores (wire names, snake_case).
 */

export type PaymentStatus = "pending" | "authorized" | "declined" | "captured" | "partially_refunded" | "refunded" | "voided"

export interface Refund {
  readonly refund_id: string
  readonly amount: number
  readonly created_at: string
}

export interface CardSummary {
  readonly brand: CardBrand
  readonly last4: string
  readonly fingerprint: string
}

export interface Payment {
  readonly payment_id: string
  readonly status: PaymentStatus
  readonly decline_code?: string
  readonly amount: number
  readonly currency: string
  readonly reference: string
  readonly token: string
  readonly card: CardSummary
  readonly amount_captured: number
  readonly amount_refunded: number
  readonly refunds: ReadonlyArray<Refund>
  /** Grows by one on every change: webhook consumers keep the highest they have seen. */
  readonly version: number
  readonly created_at: string
  readonly updated_at: string
}

export type PaymentEventType =
  | "payment.authorized"
  | "payment.declined"
  | "payment.pending"
  | "payment.captured"
  | "payment.voided"
  | "payment.refunded"

export interface Rejection {
  readonly _tag: "Rejection"
  readonly status: number
  readonly code: string
  readonly message: string
  readonly details: Record<string, unknown>
}

export interface Transition {
  readonly _tag: "Transition"
  readonly payment: Payment
  readonly event: PaymentEventType
}

export const rejection = (status: number, code: string, message: string, details: Record<string, unknown> = {}): Rejection => ({
  _tag: "Rejection",
  status,
  code,
  message,
  details
})

/** Refunds one payment may have; past it a refund answers 422 `refund_limit`. */
export const maxRefundsPerPayment = 100

const eventOfStatus = (status: "authorized" | "declined" | "pending"): PaymentEventType => `payment.${status}`

export interface AuthorizeInput {
  readonly paymentId: string
  readonly token: string
  readonly card: CardSummary
  readonly behaviour: CardBehaviour
  readonly amount: number
  readonly currency: string
  readonly reference: string
  readonly at: string
}

/** A new payment from an authorization; the card's behaviour decides its first status. */
export const authorize = (input: AuthorizeInput): Transition => {
  const outcome =
    input.behaviour === "decline"
      ? { status: "declined" as const, decline_code: "card_declined" }
      : input.behaviour === "insufficient_funds"
        ? { status: "declined" as const, decline_code: "insufficient_funds" }
        : input.behaviour === "pending"
          ? { status: "pending" as const }
          : { status: "authorized" as const }
  const payment: Payment = {
    payment_id: input.paymentId,
    ...outcome,
    amount: input.amount,
    currency: input.currency,
    reference: input.reference,
    token: input.token,
    card: input.card,
    amount_captured: 0,
    amount_refunded: 0,
    refunds: [],
    version: 1,
    created_at: input.at,
    updated_at: input.at
  }
  return { _tag: "Transition", payment, event: eventOfStatus(outcome.status) }
}

const next = (payment: Payment, at: string, change: Partial<Payment>): Payment => ({
  ...payment,
  ...change,
  version: payment.version + 1,
  updated_at: at
})

const wrongState = (payment: Payment, action: string, code: string) =>
  rejection(409, code, `a ${payment.status} payment cannot be ${action}`, { status: payment.status })

/** Capture all of the authorized amount or part of it (the rest is released); once. */
export const capture = (payment: Payment, amount: number | undefined, at: string): Transition | Rejection => {
  if (payment.status !== "authorized") return wrongState(payment, "captured", "payment_not_capturable")
  const captured = amount ?? payment.amount
  if (captured > payment.amount) {
    return rejection(422, "amount_exceeds_authorized", `capture of ${captured} exceeds the authorized ${payment.amount}`, {
      authorized: payment.amount
    })
  }
  return { _tag: "Transition", payment: next(payment, at, { status: "captured", amount_captured: captured }), event: "payment.captured" }
}

/** Release an authorization (or abandon a pending one); nothing was taken. */
export const voidPayment = (payment: Payment, at: string): Transition | Rejection => {
  if (payment.status !== "authorized" && payment.status !== "pending") return wrongState(payment, "voided", "payment_not_voidable")
  return { _tag: "Transition", payment: next(payment, at, { status: "voided" }), event: "payment.voided" }
}

/** Give back part or all of what was captured and not yet refunded; never more. */
export const refund = (payment: Payment, refundId: string, amount: number | undefined, at: string): Transition | Rejection => {
  if (payment.status !== "captured" && payment.status !== "partially_refunded") {
    return wrongState(payment, "refunded", "payment_not_refundable")
  }
  const refundable = payment.amount_captured - payment.amount_refunded
  const refunded = amount ?? refundable
  if (refunded > refundable) {
    return rejection(422, "refund_exceeds_captured", `refund of ${refunded} exceeds the ${refundable} still refundable`, { refundable })
  }
  if (payment.refunds.length >= maxRefundsPerPayment) {
    return rejection(422, "refund_limit", `a payment takes at most ${maxRefundsPerPayment} refunds`, { limit: maxRefundsPerPayment })
  }
  const total = payment.amount_refunded + refunded
  return {
    _tag: "Transition",
    payment: next(payment, at, {
      status: total === payment.amount_captured ? "refunded" : "partially_refunded",
      amount_refunded: total,
      refunds: [...payment.refunds, { refund_id: refundId, amount: refunded, created_at: at }]
    }),
    event: "payment.refunded"
  }
}

/** The test hook that finishes a pending (3-D-Secure-like) authorization. */
export const settle = (payment: Payment, outcome: "authorized" | "declined", declineCode: string | undefined, at: string): Transition | Rejection => {
  if (payment.status !== "pending") return wrongState(payment, "settled", "payment_not_pending")
  const change: Partial<Payment> = outcome === "authorized" ? { status: "authorized" } : { status: "declined", decline_code: declineCode ?? "card_declined" }
  return { _tag: "Transition", payment: next(payment, at, change), event: eventOfStatus(outcome) }
}
