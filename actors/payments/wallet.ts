import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker, InvalidCommand } from "../cart/fields.ts"
import { Amount, Currency, EntryId, PaymentId, walletLimits } from "./fields.ts"

/**
 * Actor "wallet", id = the user id: a shopper's store credit. The balance never goes negative and
 * never above `walletLimits.maxBalance`; one currency per wallet (set by its first entry).
 *
 * - `Debit {payment_id}` pays a wallet payment; idempotent by payment id.
 * - `ReverseDebit {payment_id}` gives a debit back (the payment was voided); idempotent. A reversal
 *   of a debit never seen is remembered (amount 0), so a debit arriving after its own compensation
 *   is refused with `debit_reversed` instead of taking money nobody will return.
 * - `Credit {credit_id}` adds money (a refund to store credit, a top-up); idempotent by credit id.
 *
 * The last `walletLimits.maxRememberedEntries` entries are remembered for idempotency; a retry
 * older than that would apply twice, so callers retry within minutes, not after 1,000 entries.
 */

export const WalletEntry = Schema.Struct({
  entry_id: EntryId,
  kind: Schema.Literal("debit", "credit", "reversal"),
  amount: Schema.Number.pipe(Schema.int(), Schema.between(0, walletLimits.maxBalance))
})
export type WalletEntry = typeof WalletEntry.Type

export const Wallet = Schema.Struct({
  user_id: Schema.String,
  currency: Schema.NullOr(Currency),
  balance: Schema.Number.pipe(Schema.int(), Schema.between(0, walletLimits.maxBalance)),
  /** Most recent last. */
  entries: Schema.Array(WalletEntry).pipe(Schema.maxItems(walletLimits.maxRememberedEntries))
})
export type Wallet = typeof Wallet.Type

export const WalletCommand = Schema.Union(
  Schema.TaggedStruct("Credit", { credit_id: EntryId, amount: Amount, currency: Currency, reason: Schema.Literal("refund", "top_up", "adjustment") }),
  Schema.TaggedStruct("Debit", { payment_id: PaymentId, amount: Amount, currency: Currency }),
  Schema.TaggedStruct("ReverseDebit", { payment_id: PaymentId }),
  Schema.TaggedStruct("Get", {})
)
export type WalletCommand = typeof WalletCommand.Type

export const WalletEvent = Schema.Union(
  Schema.TaggedStruct("Credited", { credit_id: EntryId, amount: Amount, currency: Currency, reason: Schema.Literal("refund", "top_up", "adjustment") }),
  Schema.TaggedStruct("Debited", { payment_id: PaymentId, amount: Amount, currency: Currency }),
  /** `amount` 0: the debit was never seen; remembered so it cannot happen later. */
  Schema.TaggedStruct("DebitReversed", { payment_id: PaymentId, amount: Schema.Number.pipe(Schema.int(), Schema.nonNegative()) })
)
export type WalletEvent = typeof WalletEvent.Type

/** A debit above the balance. Map to 402 `payment_declined` (`insufficient_funds`). */
export class InsufficientFunds extends Schema.TaggedError<InsufficientFunds>()("InsufficientFunds", {
  reason: Schema.Literal("insufficient_funds"),
  balance: Schema.Number
}) {}
/** An entry in another currency than the wallet's. 422. */
export class WalletCurrencyMismatch extends Schema.TaggedError<WalletCurrencyMismatch>()("WalletCurrencyMismatch", {
  reason: Schema.Literal("currency_mismatch"),
  currency: Schema.String
}) {}
/** The same id with another amount, or a debit after its own reversal. 409. */
export class WalletEntryConflict extends Schema.TaggedError<WalletEntryConflict>()("WalletEntryConflict", {
  reason: Schema.Literal("entry_id_reused", "debit_reversed"),
  entry_id: Schema.String
}) {}
/** A credit that would take the balance past `walletLimits.maxBalance`. 422. */
export class WalletBalanceLimit extends Schema.TaggedError<WalletBalanceLimit>()("WalletBalanceLimit", {
  reason: Schema.Literal("balance_limit"),
  limit: Schema.Number
}) {}

export const WalletRejection = Schema.Union(InvalidCommand, InsufficientFunds, WalletCurrencyMismatch, WalletEntryConflict, WalletBalanceLimit)
export type WalletRejection = typeof WalletRejection.Type

type WalletDecision = Decision<WalletEvent, Wallet, WalletRejection>

const checkCommand = commandChecker(WalletCommand)
const entryOf = (wallet: Wallet, kind: WalletEntry["kind"], id: string) => wallet.entries.find((e) => e.kind === kind && e.entry_id === id)
const emit = (wallet: Wallet, event: WalletEvent): WalletDecision => accept([event], evolveWallet(wallet, event))
const conflict = (reason: WalletEntryConflict["reason"], id: string) => reject(new WalletEntryConflict({ reason, entry_id: id }))

export const decideWallet = (wallet: Wallet, command: WalletCommand): WalletDecision => {
  const problem = checkCommand(command)
  if (problem !== undefined) return reject(problem)
  if (command._tag === "Get") return accept([], wallet)
  if (command._tag !== "ReverseDebit" && wallet.currency !== null && command.currency !== wallet.currency) {
    return reject(new WalletCurrencyMismatch({ reason: "currency_mismatch", currency: wallet.currency }))
  }
  switch (command._tag) {
    case "Credit": {
      const earlier = entryOf(wallet, "credit", command.credit_id)
      if (earlier !== undefined) return earlier.amount === command.amount ? accept([], wallet) : conflict("entry_id_reused", command.credit_id)
      if (wallet.balance + command.amount > walletLimits.maxBalance) return reject(new WalletBalanceLimit({ reason: "balance_limit", limit: walletLimits.maxBalance }))
      return emit(wallet, { _tag: "Credited", credit_id: command.credit_id, amount: command.amount, currency: command.currency, reason: command.reason })
    }
    case "Debit": {
      const earlier = entryOf(wallet, "debit", command.payment_id)
      if (earlier !== undefined) return earlier.amount === command.amount ? accept([], wallet) : conflict("entry_id_reused", command.payment_id)
      if (entryOf(wallet, "reversal", command.payment_id) !== undefined) return conflict("debit_reversed", command.payment_id)
      if (command.amount > wallet.balance) return reject(new InsufficientFunds({ reason: "insufficient_funds", balance: wallet.balance }))
      return emit(wallet, { _tag: "Debited", payment_id: command.payment_id, amount: command.amount, currency: command.currency })
    }
    case "ReverseDebit": {
      if (entryOf(wallet, "reversal", command.payment_id) !== undefined) return accept([], wallet)
      const debit = entryOf(wallet, "debit", command.payment_id)
      return emit(wallet, { _tag: "DebitReversed", payment_id: command.payment_id, amount: debit?.amount ?? 0 })
    }
  }
}

export const evolveWallet = (wallet: Wallet, event: WalletEvent): Wallet => {
  let next: Wallet
  switch (event._tag) {
    case "Credited":
      next = { ...wallet, currency: event.currency, balance: wallet.balance + event.amount, entries: remember(wallet.entries, { entry_id: event.credit_id, kind: "credit", amount: event.amount }) }
      break
    case "Debited":
      next = { ...wallet, currency: event.currency, balance: wallet.balance - event.amount, entries: remember(wallet.entries, { entry_id: event.payment_id, kind: "debit", amount: event.amount }) }
      break
    case "DebitReversed":
      next = { ...wallet, balance: wallet.balance + event.amount, entries: remember(wallet.entries, { entry_id: event.payment_id, kind: "reversal", amount: event.amount }) }
      break
  }
  if (!Number.isSafeInteger(next.balance) || next.balance < 0 || next.balance > walletLimits.maxBalance) {
    throw new Error(`wallet ${wallet.user_id}: balance ${next.balance} after ${event._tag}`)
  }
  return next
}

const remember = (entries: ReadonlyArray<WalletEntry>, entry: WalletEntry) => {
  const next = [...entries, entry]
  return next.length > walletLimits.maxRememberedEntries ? next.slice(next.length - walletLimits.maxRememberedEntries) : next
}

export const wallet: ActorDefinition<Wallet, WalletCommand, WalletEvent, Wallet, WalletRejection> = {
  name: "wallet",
  state: Wallet,
  command: WalletCommand,
  event: WalletEvent,
  reply: Wallet,
  rejection: WalletRejection,
  initialState: (id) => ({ user_id: id, currency: null, balance: 0, entries: [] }),
  decide: (state, command) => decideWallet(state, command),
  evolve: evolveWallet,
  limits: { mailboxCapacity: 64, snapshotEveryEvents: 100 }
}
