import { Schema } from "effect"
import { accept, type ActorDefinition } from "../../runtime/actor.ts"
import { type IdempotencyConflict, type InsufficientFunds, ledger, LedgerCommand, type LedgerEvent, type LedgerState } from "./ledger.ts"

/**
 * The test ledger plus an `Audit` command that also returns the applied ids, so a crash test can
 * check every acknowledged deposit is present exactly once. Same name, state and events as
 * `ledger`: the journal and snapshots it writes are the ledger's.
 */
export const AuditedLedgerCommand = Schema.Union(...LedgerCommand.members, Schema.TaggedStruct("Audit", {}))
export type AuditedLedgerCommand = typeof AuditedLedgerCommand.Type

export const AuditedLedgerReply = Schema.Struct({
  balance: Schema.Number,
  seen: Schema.Number,
  applied: Schema.optional(Schema.Array(Schema.String))
})
export type AuditedLedgerReply = typeof AuditedLedgerReply.Type

export const auditedLedger: ActorDefinition<
  LedgerState,
  AuditedLedgerCommand,
  LedgerEvent,
  AuditedLedgerReply,
  InsufficientFunds | IdempotencyConflict
> = {
  ...ledger,
  command: AuditedLedgerCommand,
  reply: AuditedLedgerReply,
  decide: (state, command, nowMs) =>
    command._tag === "Audit"
      ? accept([], { balance: state.balance, seen: state.applied.length, applied: state.applied })
      : ledger.decide(state, command, nowMs),
  nextTimer: ledger.nextTimer
}
