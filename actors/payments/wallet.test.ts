import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type DeciderRow, runRow } from "../../test/support/decider-table.ts"
import { walletLimits } from "./fields.ts"
import { wallet, type WalletCommand, type WalletEvent, type Wallet } from "./wallet.ts"

const uid = "u_AAAAAAAAAAAAAAAAAAAA"
const pay = (n: number) => `pay_${String(n).padStart(16, "0")}`
const credited = (id: string, amount: number): WalletEvent => ({ _tag: "Credited", credit_id: id, amount, currency: "INR", reason: "top_up" })
const debited = (n: number, amount: number): WalletEvent => ({ _tag: "Debited", payment_id: pay(n), amount, currency: "INR" })
const credit = (id: string, amount: number, currency = "INR"): WalletCommand => ({ _tag: "Credit", credit_id: id, amount, currency, reason: "top_up" })
const debit = (n: number, amount: number, currency = "INR"): WalletCommand => ({ _tag: "Debit", payment_id: pay(n), amount, currency })

const rows: ReadonlyArray<DeciderRow> = [
  { name: "Get an empty wallet", given: [], when: { _tag: "Get" }, then: [], reply: { user_id: uid, balance: 0, currency: null } },
  { name: "Credit", given: [], when: credit("top_1", 5_000), then: [credited("top_1", 5_000)], reply: { balance: 5_000, currency: "INR" } },
  { name: "Credit again, same id and amount → no events", given: [credited("top_1", 5_000)], when: credit("top_1", 5_000), then: [] },
  { name: "Credit again, same id, another amount → entry_id_reused", given: [credited("top_1", 5_000)], when: credit("top_1", 6_000), then: { reason: "entry_id_reused", entry_id: "top_1" } },
  { name: "Credit in another currency → currency_mismatch", given: [credited("top_1", 5_000)], when: credit("top_2", 1, "USD"), then: { reason: "currency_mismatch", currency: "INR" } },
  { name: "Credit past the maximum balance → balance_limit", given: [credited("top_1", walletLimits.maxBalance - 1)], when: credit("top_2", 2), then: { reason: "balance_limit" } },
  { name: "Credit of a refund", given: [], when: { _tag: "Credit", credit_id: "rf_1", amount: 10, currency: "INR", reason: "refund" }, then: [{ _tag: "Credited", credit_id: "rf_1", amount: 10, currency: "INR", reason: "refund" }] },
  { name: "Credit of 0 → invalid_command", given: [], when: credit("top_1", 0), then: { reason: "invalid_command" } },
  { name: "Debit", given: [credited("top_1", 5_000)], when: debit(1, 4_000), then: [debited(1, 4_000)], reply: { balance: 1_000 } },
  { name: "Debit the whole balance", given: [credited("top_1", 5_000)], when: debit(1, 5_000), then: [debited(1, 5_000)], reply: { balance: 0 } },
  { name: "Debit above the balance → insufficient_funds", given: [credited("top_1", 5_000)], when: debit(1, 5_001), then: { reason: "insufficient_funds", balance: 5_000 } },
  { name: "Debit an empty wallet → insufficient_funds", given: [], when: debit(1, 1), then: { reason: "insufficient_funds", balance: 0 } },
  { name: "Debit again, same payment and amount → no events", given: [credited("top_1", 5_000), debited(1, 4_000)], when: debit(1, 4_000), then: [], reply: { balance: 1_000 } },
  { name: "Debit again, same payment, another amount → entry_id_reused", given: [credited("top_1", 5_000), debited(1, 4_000)], when: debit(1, 100), then: { reason: "entry_id_reused" } },
  { name: "Debit in another currency → currency_mismatch", given: [credited("top_1", 5_000)], when: debit(1, 1, "EUR"), then: { reason: "currency_mismatch" } },
  { name: "Debit with a malformed payment id → invalid_command", given: [credited("top_1", 5_000)], when: { _tag: "Debit", payment_id: "ord_1", amount: 1, currency: "INR" }, then: { reason: "invalid_command" } },
  { name: "ReverseDebit gives the debit back", given: [credited("top_1", 5_000), debited(1, 4_000)], when: { _tag: "ReverseDebit", payment_id: pay(1) }, then: [{ _tag: "DebitReversed", payment_id: pay(1), amount: 4_000 }], reply: { balance: 5_000 } },
  { name: "ReverseDebit again → no events", given: [credited("top_1", 5_000), debited(1, 4_000), { _tag: "DebitReversed", payment_id: pay(1), amount: 4_000 }], when: { _tag: "ReverseDebit", payment_id: pay(1) }, then: [] },
  { name: "ReverseDebit of a debit never seen is remembered with 0", given: [], when: { _tag: "ReverseDebit", payment_id: pay(1) }, then: [{ _tag: "DebitReversed", payment_id: pay(1), amount: 0 }], reply: { balance: 0 } },
  { name: "Debit after its own reversal → debit_reversed", given: [credited("top_1", 5_000), { _tag: "DebitReversed", payment_id: pay(1), amount: 0 }], when: debit(1, 10), then: { reason: "debit_reversed" } }
]

describe("wallet decider", () => {
  for (const row of rows) it(row.name, () => runRow(wallet, row, uid))

  it("forgets the oldest entries beyond the bound", () => {
    let state: Wallet = wallet.initialState(uid)
    for (let i = 0; i < walletLimits.maxRememberedEntries + 5; i++) state = wallet.evolve(state, credited(`top_${i}`, 1))
    expect(state.entries.length).toBe(walletLimits.maxRememberedEntries)
    expect(state.entries[0]!.entry_id).toBe("top_5")
    expect(state.balance).toBe(walletLimits.maxRememberedEntries + 5)
  })

  it("the balance equals credits − debits + reversals and never goes negative, for any sequence; replays change nothing", () => {
    const command = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 5_000 })).map(([n, a]) => credit(`top_${n}`, a)),
      fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 5_000 })).map(([n, a]) => debit(n, a)),
      fc.integer({ min: 0, max: 8 }).map((n): WalletCommand => ({ _tag: "ReverseDebit", payment_id: pay(n) }))
    )
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        let state: Wallet = wallet.initialState(uid)
        let expected = 0
        for (const c of commands) {
          const decision = wallet.decide(state, c, 0)
          if (decision._tag === "Reject") continue
          for (const e of decision.events) {
            expected += e._tag === "Debited" ? -e.amount : e.amount
            state = wallet.evolve(state, e)
          }
          expect(state.balance).toBe(expected)
          expect(state.balance).toBeGreaterThanOrEqual(0)
          const again = wallet.decide(state, c, 0)
          if (again._tag === "Accept") expect(again.events).toEqual([])
        }
      })
    )
  })
})
