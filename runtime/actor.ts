import { type Schema, SchemaAST, ParseResult } from "effect"

/** What `decide` answers: events to persist plus the caller's reply, or a typed rejection. */
export type Decision<Event, Reply, Rejection> =
  | { readonly _tag: "Accept"; readonly events: ReadonlyArray<Event>; readonly reply: Reply }
  | { readonly _tag: "Reject"; readonly rejection: Rejection }

export const accept = <Event, Reply>(events: ReadonlyArray<Event>, reply: Reply) =>
  ({ _tag: "Accept", events, reply }) as const
export const reject = <Rejection>(rejection: Rejection) => ({ _tag: "Reject", rejection }) as const

/** A durable timer an actor keeps in its own state: when `atMs` passes, `command` is delivered. */
export interface DurableTimer<Command> {
  readonly atMs: number
  readonly command: Command
}

export interface ActorLimits {
  /** Commands that may wait in the mailbox (while the actor loads or the shard is backpressured). */
  readonly mailboxCapacity: number
  /** Snapshot after this many events since the last snapshot. */
  readonly snapshotEveryEvents: number
}

/**
 * An actor type: pure `decide` and `evolve` over Schema-described values.
 * `decide` never reads a clock or a random source: `nowMs` is stamped on the command by the host
 * when it is sent, and ids come in with the command.
 */
export interface ActorDefinition<State, Command, Event, Reply, Rejection> {
  readonly name: string
  readonly state: SchemaOf<State>
  readonly command: SchemaOf<Command>
  readonly event: SchemaOf<Event>
  readonly reply: SchemaOf<Reply>
  readonly rejection: SchemaOf<Rejection>
  readonly initialState: (id: string) => State
  readonly decide: (state: State, command: Command, nowMs: number) => Decision<Event, Reply, Rejection>
  readonly evolve: (state: State, event: Event) => State
  /** The earliest durable timer in `state`, if any. Called after each burst of commands, not per command. */
  readonly nextTimer?: ((state: State) => DurableTimer<Command> | undefined) | undefined
  /**
   * For states that grow with traffic: how many entries (holds, ids, …) a snapshot of `state`
   * encodes, O(1). The host then waits for more events between snapshots as the state grows
   * (`snapshotEventsPerEntry` per entry), so snapshots cost a bounded amount per event.
   */
  readonly snapshotEntries?: ((state: State) => number) | undefined
  readonly limits: ActorLimits
}

/** A schema whose decoded type is `A`, whatever its encoded form. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SchemaOf<A> = Schema.Schema<A, any, never>

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActorDefinition = ActorDefinition<any, any, any, any, any>

export const defaultLimits: ActorLimits = { mailboxCapacity: 1024, snapshotEveryEvents: 1000 }

/** Actor key as journaled: `type/id`. */
export const actorKey = (type: string, id: string) => `${type}/${id}`

export const splitActorKey = (key: string): { readonly type: string; readonly id: string } => {
  const slash = key.indexOf("/")
  return slash < 0 ? { type: key, id: "" } : { type: key.slice(0, slash), id: key.slice(slash + 1) }
}

/**
 * Encoders and decoders compiled once per definition. When a schema has no transformations its
 * encoded form is the value itself, and the hot path skips encoding entirely.
 */
export interface Codec<A> {
  readonly encode: (value: A) => unknown
  /** Validates and decodes; throws a ParseError with the path of the problem. */
  readonly decode: (encoded: unknown) => A
}

export const codecFor = <A, I>(schema: Schema.Schema<A, I>): Codec<A> => {
  const identity = SchemaAST.encodedAST(schema.ast) === schema.ast
  const encodeSync = ParseResult.encodeSync(schema)
  const decodeSync = ParseResult.decodeUnknownSync(schema)
  return {
    encode: identity ? (value) => value : (value) => encodeSync(value),
    decode: (encoded) => decodeSync(encoded)
  }
}
