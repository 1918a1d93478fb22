import { Schema } from "effect"
import { accept, type ActorDefinition, type ActorLimits, reject } from "../runtime/actor.ts"

/**
 * The smallest useful actor, for benchmarks of the runtime itself: one number, one event per
 * `Add`. `Get` reads without writing, so an audit can read every counter back.
 */
export const CounterState = Schema.Struct({ n: Schema.Number })
export type CounterState = typeof CounterState.Type

export const Add = Schema.TaggedStruct("Add", { by: Schema.Number })
export const Get = Schema.TaggedStruct("Get", {})
export const CounterCommand = Schema.Union(Add, Get)
export type CounterCommand = typeof CounterCommand.Type

export const Added = Schema.TaggedStruct("Added", { by: Schema.Number })
export type Added = typeof Added.Type

export const CounterReply = Schema.Struct({ n: Schema.Number })
export type CounterReply = typeof CounterReply.Type

/** `Add.by` must keep the counter a safe integer (never hit by the benchmarks). */
export class NotASafeInteger extends Schema.TaggedError<NotASafeInteger>()("NotASafeInteger", {
  reason: Schema.Literal("not_a_safe_integer"),
  value: Schema.Number
}) {}

export const counterLimits: ActorLimits = { mailboxCapacity: 100_000, snapshotEveryEvents: 1_000 }

export const makeCounter = (
  limits: Partial<ActorLimits> = {}
): ActorDefinition<CounterState, CounterCommand, Added, CounterReply, NotASafeInteger> => ({
  name: "counter",
  state: CounterState,
  command: CounterCommand,
  event: Added,
  reply: CounterReply,
  rejection: NotASafeInteger,
  initialState: () => ({ n: 0 }),
  decide: (state, command) => {
    if (command._tag === "Get") return accept([], { n: state.n })
    const n = state.n + command.by
    if (!Number.isSafeInteger(command.by) || !Number.isSafeInteger(n)) {
      return reject(new NotASafeInteger({ reason: "not_a_safe_integer", value: n }))
    }
    return accept([{ _tag: "Added", by: command.by }], { n })
  },
  evolve: (state, event) => ({ n: state.n + event.by }),
  limits: { ...counterLimits, ...limits }
})

export const counter = makeCounter()
