import { Schema } from "effect"

/** Storage could not be reached or answered with an error; safe to retry later. */
export class StorageUnavailable extends Schema.TaggedError<StorageUnavailable>()("StorageUnavailable", {
  store: Schema.String,
  message: Schema.String
}) {}

/** An append carried an epoch older than the shard's current one: another host owns the shard now. */
export class StaleEpoch extends Schema.TaggedError<StaleEpoch>()("StaleEpoch", {
  shard: Schema.Number,
  epoch: Schema.Number,
  message: Schema.String
}) {}

/** Stored data that cannot be read back. Never skipped: recovery stops and names the place. */
export class CorruptData extends Schema.TaggedError<CorruptData>()("CorruptData", {
  store: Schema.String,
  shard: Schema.optional(Schema.Number),
  position: Schema.optional(Schema.Number),
  actor: Schema.optional(Schema.String),
  message: Schema.String
}) {}

/** The actor's bounded mailbox is full; the caller should back off (503 with Retry-After at the edge). */
export class MailboxFull extends Schema.TaggedError<MailboxFull>()("MailboxFull", {
  actor: Schema.String,
  capacity: Schema.Number,
  message: Schema.String
}) {}

/**
 * The command could not be made durable, or the actor cannot be served right now
 * (storage down, shard lost to another host, actor being reloaded). Retryable.
 */
export class Unavailable extends Schema.TaggedError<Unavailable>()("Unavailable", {
  actor: Schema.String,
  reason: Schema.Literal("storage", "shard_lost", "shard_not_owned", "stopping", "reloading"),
  retryAfterMs: Schema.Number,
  message: Schema.String
}) {}

/** Thrown to callers when `decide` or `evolve` broke an invariant: a defect, the actor was reset. */
export class ActorCrashed extends Error {
  override readonly name = "ActorCrashed"
  constructor(readonly actor: string, override readonly cause: unknown) {
    super(`actor ${actor} crashed: ${cause instanceof Error ? cause.message : String(cause)}`)
  }
}

export type JournalError = StorageUnavailable | StaleEpoch | CorruptData
