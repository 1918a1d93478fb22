import { createHash } from "node:crypto"

/**
 * The ids of one checkout, derived from (user, idempotency key): a retry with the same key
 * addresses the same saga, the same order, the same payment and the same provider idempotency
 * key, so it can never create a second order or a second charge. 128 bits of SHA-256 each (the
 * key is the client's secret; another user's key gives other ids, and every read checks the
 * owner anyway).
 */
const derive = (prefix: string, label: string, userId: string, key: string) =>
  `${prefix}${createHash("sha256").update(`${label}\u0000${userId}\u0000${key}`).digest().subarray(0, 16).toString("base64url")}`

export interface CheckoutIds {
  readonly checkoutId: string
  readonly orderId: string
  readonly paymentId: string
}

export const checkoutIdsOf = (userId: string, idempotencyKey: string): CheckoutIds => ({
  checkoutId: derive("co_", "checkout", userId, idempotencyKey),
  orderId: derive("ord_", "order", userId, idempotencyKey),
  paymentId: derive("pay_", "payment", userId, idempotencyKey)
})

/** The hold id on every SKU of a checkout (its checkout id: unique, and the SKU's idempotency key). */
export const reservationIdOf = (checkoutId: string) => checkoutId
