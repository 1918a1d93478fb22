import { Schema } from "effect"
import { accept, type ActorDefinition, reject } from "../../runtime/actor.ts"

/**
 * A ledger-like actor that exists only in the tests: deposits and withdrawals keyed by an
 * idempotency id, a balance that must never go negative, and durable scheduled deposits.
 */
export const LedgerState = Schema.Struct({
  balance: Schema.Number,
  applied: Schema.Array(Schema.String),
  scheduled: Schema.Array(Schema.Struct({ id: Schema.String, amount: Schema.Number, atMs: Schema.Number }))
})
export type LedgerState = typeof LedgerState.Type

export const LedgerCommand = Schema.Union(
  Schema.TaggedStruct("Deposit", { id: Schema.String, amount: Schema.Number }),
  Schema.TaggedStruct("Withdraw", { id: Schema.String, amount: Schema.Number }),
  Schema.TaggedStruct("Schedule", { id: Schema.String, amount: Schema.Number, atMs: Schema.Number }),
  Schema.TaggedStruct("Fire", {}),
  Schema.TaggedStruct("Read", {}),
  Schema.TaggedStruct("Explode", {})
)
export type LedgerCommand = typeof LedgerCommand.Type

export const LedgerEvent = Schema.Union(
  Schema.TaggedStruct("Deposited", { id: Schema.String, amount: Schema.Number }),
  Schema.TaggedStruct("Withdrew", { id: Schema.String, amount: Schema.Number }),
  Schema.TaggedStruct("Scheduled", { id: Schema.String, amount: Schema.Number, atMs: Schema.Number }),
  Schema.TaggedStruct("Fired", { id: Schema.String })
)
export type LedgerEvent = typeof LedgerEvent.Type

export class InsufficientFunds extends Schema.TaggedError<InsufficientFunds>()("InsufficientFunds", {
  reason: Schema.Literal("insufficient_funds"),
  balance: Schema.Number
}) {}
export class IdempotencyConflict extends Schema.TaggedError<IdempotencyConflict>()("IdempotencyConflict", {
  reason: Schema.Literal("id_reused_with_other_data"),
  id: Schema.String
}) {}
export const LedgerRejection = Schema.Union(InsufficientFunds, IdempotencyConflict)

export const LedgerReply = Schema.Struct({ balance: Schema.Number, seen: Schema.Number })

const reply = (s: LedgerState) => ({ balance: s.balance, seen: s.applied.length })

export const ledger: ActorDefinition<LedgerState, LedgerCommand, LedgerEvent, typeof LedgerReply.Type, InsufficientFunds | IdempotencyConflict> = {
  name: "ledger",
  state: LedgerState,
  command: LedgerCommand,
  event: LedgerEvent,
  reply: LedgerReply,
  rejection: LedgerRejection,
  initialState: () => ({ balance: 0, applied: [], scheduled: [] }),
  decide: (state, command, nowMs) => {
    switch (command._tag) {
      case "Deposit":
      case "Withdraw": {
        if (state.applied.includes(command.id)) return accept([], reply(state))
        if (command._tag === "Withdraw" && command.amount > state.balance) {
          return reject(new InsufficientFunds({ reason: "insufficient_funds", balance: state.balance }))
        }
        const event = command._tag === "Deposit" ? ({ _tag: "Deposited", ...pick(command) } as const) : ({ _tag: "Withdrew", ...pick(command) } as const)
        return accept([event], reply(evolveLedger(state, event)))
      }
      case "Schedule": {
        const existing = state.scheduled.find((s) => s.id === command.id)
        if (existing !== undefined || state.applied.includes(command.id)) {
          return existing === undefined || existing.amount === command.amount
            ? accept([], reply(state))
            : reject(new IdempotencyConflict({ reason: "id_reused_with_other_data", id: command.id }))
        }
        return accept([{ _tag: "Scheduled", id: command.id, amount: command.amount, atMs: command.atMs }], reply(state))
      }
      case "Fire": {
        const due = state.scheduled.filter((s) => s.atMs <= nowMs)
        return accept(
          due.map((s) => ({ _tag: "Fired", id: s.id }) as const),
          reply(state)
        )
      }
      case "Read":
        return accept([], reply(state))
      case "Explode":
        throw new Error("invariant broken on purpose")
    }
  },
  evolve: evolveLedger,
  nextTimer: (state) => {
    let first: LedgerState["scheduled"][number] | undefined
    for (const s of state.scheduled) if (first === undefined || s.atMs < first.atMs) first = s
    return first === undefined ? undefined : { atMs: first.atMs, command: { _tag: "Fire" } }
  },
  limits: { mailboxCapacity: 64, snapshotEveryEvents: 5 }
}

function pick(c: { id: string; amount: number }) {
  return { id: c.id, amount: c.amount }
}

function evolveLedger(state: LedgerState, event: LedgerEvent): LedgerState {
  let next: LedgerState
  switch (event._tag) {
    case "Deposited":
      next = { ...state, balance: state.balance + event.amount, applied: [...state.applied, event.id] }
      break
    case "Withdrew":
      next = { ...state, balance: state.balance - event.amount, applied: [...state.applied, event.id] }
      break
    case "Scheduled":
      next = { ...state, scheduled: [...state.scheduled, { id: event.id, amount: event.amount, atMs: event.atMs }] }
      break
    case "Fired": {
      const s = state.scheduled.find((x) => x.id === event.id)
      if (s === undefined) throw new Error(`Fired ${event.id} but nothing is scheduled under it`)
      next = {
        balance: state.balance + s.amount,
        applied: [...state.applied, s.id],
        scheduled: state.scheduled.filter((x) => x.id !== event.id)
      }
      break
    }
  }
  if (next.balance < 0) throw new Error(`balance went negative: ${next.balance}`)
  return next
}
