/**
 * The payment audit of checkouts paid by card, asked of the payment provider (the simulator, or
 * whatever PAYMENT_PROVIDER_URL names) by reference (our payment id, derived from user and
 * idempotency key): each placed order has exactly one live payment for its total; a checkout that
 * placed no order has no live charge.
 */
import { checkoutIdsOf } from "../../../gateway/checkout/ids.ts"
import type { Payment } from "../../../provider/payment.ts"
import { inParallel } from "../http.ts"
import { type AuditCheck, check } from "./types.ts"

const live = new Set(["authorized", "captured", "partially_refunded"])

export interface CheckoutAttempt {
  readonly userId: string
  readonly key: string
  /** The order's total when an order exists for it (read in the audit), else undefined. */
  total: number | undefined
}

const paymentsOf = async (providerUrl: string, reference: string): Promise<Array<Payment> | undefined> => {
  try {
    const res = await fetch(`${providerUrl}/v1/payments?reference=${encodeURIComponent(reference)}`, { signal: AbortSignal.timeout(15_000) })
    return res.status === 200 ? ((await res.json()) as { data: Array<Payment> }).data : undefined
  } catch {
    return undefined
  }
}

export const paymentAudit = async (providerUrl: string, attempts: ReadonlyArray<CheckoutAttempt>): Promise<Array<AuditCheck>> => {
  let orders = 0
  let wrong = 0
  let strays = 0
  let unread = 0
  const examples: Array<string> = []
  await inParallel(attempts, 16, async (a) => {
    const reference = checkoutIdsOf(a.userId, a.key).paymentId
    const payments = await paymentsOf(providerUrl, reference)
    if (payments === undefined) {
      unread++
      return
    }
    const charges = payments.filter((p) => live.has(p.status))
    if (a.total !== undefined) {
      orders++
      if (charges.length !== 1 || charges[0]!.amount !== a.total) {
        wrong++
        if (examples.length < 5) examples.push(`${reference}: ${charges.map((p) => `${p.status} ${p.amount}`).join(", ") || "no charge"} for a total of ${a.total}`)
      }
    } else if (charges.length > 0) {
      strays++
      if (examples.length < 5) examples.push(`${reference}: ${charges.length} live charges and no order`)
    }
  })
  return [
    check(
      "one charge per order",
      wrong === 0 && strays === 0 && unread === 0,
      `${orders} orders: ${wrong} without exactly one charge of their total; ${strays} checkouts without an order but charged; ${unread} not readable at the provider${examples.length > 0 ? `: ${examples.join("; ")}` : ""}`
    )
  ]
}
