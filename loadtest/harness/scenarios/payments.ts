/**
 * The payment audit of checkouts paid by card: read from the provider simulator's own data file
 * once the store (and the simulator with it) has stopped. Each placed order has exactly one live
 * payment under its payment id (the provider reference), for the order's total; a checkout that
 * placed no order has no live charge.
 */
import { existsSync, readFileSync } from "node:fs"
import path from "node:path"
import { checkoutIdsOf } from "../../../gateway/checkout/ids.ts"
import type { Payment } from "../../../provider/payment.ts"
import { type LogRecord, ProviderState } from "../../../provider/state.ts"
import { check, type AuditCheck } from "./types.ts"

const live = new Set(["authorized", "captured", "partially_refunded"])

export interface CheckoutAttempt {
  readonly userId: string
  readonly key: string
  /** The order's total when an order exists for it (read in the audit), else undefined. */
  total: number | undefined
}

export const paymentAudit = (dataDir: string, attempts: ReadonlyArray<CheckoutAttempt>): Array<AuditCheck> => {
  const file = path.join(dataDir, "provider.log")
  if (!existsSync(file)) return [check("one charge per order", false, `no simulator data file at ${file}`)]
  const state = new ProviderState()
  for (const line of readFileSync(file, "utf8").split("\n")) if (line.trim() !== "") state.apply(JSON.parse(line) as LogRecord)
  const byReference = new Map<string, Array<Payment>>()
  for (const p of state.payments.values()) byReference.set(p.reference, [...(byReference.get(p.reference) ?? []), p])
  let orders = 0
  let wrong = 0
  let strays = 0
  const examples: Array<string> = []
  for (const a of attempts) {
    const reference = checkoutIdsOf(a.userId, a.key).paymentId
    const charges = (byReference.get(reference) ?? []).filter((p) => live.has(p.status))
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
  }
  return [
    check(
      "one charge per order",
      wrong === 0 && strays === 0,
      `${orders} orders: ${wrong} without exactly one charge of their total; ${strays} checkouts without an order but charged${examples.length > 0 ? `: ${examples.join("; ")}` : ""}`
    )
  ]
}
