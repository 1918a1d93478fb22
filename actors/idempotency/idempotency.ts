import { ParseResult, Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"

/**
 * Actor "idem", id = `idempotencyActorId(scope, key)`: one `Idempotency-Key` of one caller
 * (API.md, "Idempotency"). The gateway wraps a POST like this:
 *
 *   attempt_id = newAttemptId(); Begin {request_hash, attempt_id, started_at_ms: now, lease_ms}
 *     started          → run the request, then
 *                          Complete {request_hash, attempt_id, status, body, completed_at_ms, retention_ms}
 *                          or, for answers that must not be stored (409 idempotency_in_progress,
 *                          429, 503), Abandon {request_hash, attempt_id}
 *     replay           → answer `status` + `body` with `Idempotent-Replayed: true`
 *     in_progress      → 409 idempotency_in_progress, Retry-After from `retry_after_ms`
 *     key_reused       → 422 idempotency_key_reused
 *     response_not_stored → 409 conflict (the first request completed, its response was too big to keep)
 *
 * Ownership. A `Begin` that answers `started` makes its `attempt_id` the owner until the lease
 * (`lease_ms`, longer than any request may run) expires. Only the owner's Complete/Abandon count;
 * a late Complete from an attempt whose key was taken over or swept is refused (`not_owner`) and
 * that response is simply not stored. An entry whose lease expired counts as absent: its process
 * died, and the next Begin (any request hash) takes the key over. So there is never more than one
 * owner, and a stored response is only ever replayed for the request hash it was stored under.
 *
 * Retention. A completed entry is kept `retention_ms` after completion (callers pass
 * `defaultRetentionMs`, 24 h), then a durable timer clears it; an expired lease is cleared by the
 * same timer. Cleared entries go back to the empty state.
 *
 * Size. Response bodies above `idempotencyLimits.maxStoredBodyBytes` (64 KiB of UTF-8) are not
 * kept: the entry records the status and size only, and a replay is refused with
 * `response_not_stored` rather than re-running a request that already took effect.
 */

export const idempotencyLimits = {
  /** Largest response body stored for replay, in UTF-8 bytes. Larger ones are recorded as not stored. */
  maxStoredBodyBytes: 64 * 1024,
  /** Longest lease a Begin may ask for. */
  maxLeaseMs: 15 * 60_000,
  /** Longest retention a Complete may ask for. */
  maxRetentionMs: 30 * 24 * 3_600_000
} as const

/** Keep completed keys this long (API.md: at least 24 h). */
export const defaultRetentionMs = 24 * 3_600_000

/** The `Idempotency-Key` header: 1..255 printable ASCII characters, no leading or trailing space. */
export const IdempotencyKey = Schema.String.pipe(Schema.pattern(/^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/))

/**
 * The actor id of a key: `scope` is the user id, or a stand-in for anonymous callers (keys are
 * scoped per user; never share one anonymous scope between clients for responses that carry secrets).
 */
export const idempotencyActorId = (scope: string, key: string): string => `${scope}:${key}`

/** A digest of what makes two requests "the same" (method, route, body): hex or base64, 1..128 characters. */
export const RequestHash = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9+/=_:.-]{1,128}$/))
/** One execution of a request; random, minted by the gateway (`newAttemptId()`). */
export const AttemptId = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{8,64}$/))
const Ms = Schema.Number.pipe(Schema.int(), Schema.between(0, 8.64e15))
/** HTTP status of a storable answer: not 429 or 503, which are always safe to retry and never stored. */
export const StoredStatus = Schema.Number.pipe(
  Schema.int(),
  Schema.between(100, 599),
  Schema.filter((s) => s !== 429 && s !== 503, { message: () => "429 and 503 answers are never stored (Abandon instead)" })
)

const InProgress = Schema.Struct({
  state: Schema.Literal("in_progress"),
  request_hash: RequestHash,
  attempt_id: AttemptId,
  started_at_ms: Ms,
  lease_expires_at_ms: Ms
})
const Completed = Schema.Struct({
  state: Schema.Literal("completed"),
  request_hash: RequestHash,
  attempt_id: AttemptId,
  status: StoredStatus,
  /** The response body exactly as sent; `null` when it was larger than `maxStoredBodyBytes`. */
  body: Schema.NullOr(Schema.String.pipe(Schema.maxLength(idempotencyLimits.maxStoredBodyBytes))),
  body_bytes: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
  completed_at_ms: Ms,
  expires_at_ms: Ms
})
export const IdempotencyState = Schema.Union(Schema.Struct({ state: Schema.Literal("empty") }), InProgress, Completed)
export type IdempotencyState = typeof IdempotencyState.Type

export const Begin = Schema.TaggedStruct("Begin", {
  request_hash: RequestHash,
  attempt_id: AttemptId,
  started_at_ms: Ms,
  lease_ms: Schema.Number.pipe(Schema.int(), Schema.between(1, idempotencyLimits.maxLeaseMs))
})
export const Complete = Schema.TaggedStruct("Complete", {
  request_hash: RequestHash,
  attempt_id: AttemptId,
  status: StoredStatus,
  /** The serialized JSON body; bounded here only against absurd sizes, see `maxStoredBodyBytes`. */
  body: Schema.String.pipe(Schema.maxLength(16 * 1024 * 1024)),
  completed_at_ms: Ms,
  retention_ms: Schema.Number.pipe(Schema.int(), Schema.between(0, idempotencyLimits.maxRetentionMs))
})
export const Abandon = Schema.TaggedStruct("Abandon", { request_hash: RequestHash, attempt_id: AttemptId })
/** Delivered by the durable timer; clears an expired lease or retention, does nothing before. */
export const Sweep = Schema.TaggedStruct("Sweep", {})

export const IdempotencyCommand = Schema.Union(Begin, Complete, Abandon, Sweep)
export type IdempotencyCommand = typeof IdempotencyCommand.Type

export const IdempotencyEvent = Schema.Union(
  /** An attempt owns the key (first Begin, or a takeover of an expired lease or retention). */
  Schema.TaggedStruct("Started", { request_hash: RequestHash, attempt_id: AttemptId, started_at_ms: Ms, lease_expires_at_ms: Ms }),
  Schema.TaggedStruct("Completed", {
    status: StoredStatus,
    body: Schema.NullOr(Schema.String.pipe(Schema.maxLength(idempotencyLimits.maxStoredBodyBytes))),
    body_bytes: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
    completed_at_ms: Ms,
    expires_at_ms: Ms
  }),
  Schema.TaggedStruct("Abandoned", {}),
  Schema.TaggedStruct("Cleared", {})
)
export type IdempotencyEvent = typeof IdempotencyEvent.Type

export const IdempotencyReply = Schema.Union(
  /** Begin: you own the key; run the request. */
  Schema.Struct({ outcome: Schema.Literal("started") }),
  /** Begin: the same request completed before; answer this. */
  Schema.Struct({ outcome: Schema.Literal("replay"), status: StoredStatus, body: Schema.String }),
  /** Complete: stored (or already stored by this attempt). `body_stored` is false above the size limit. */
  Schema.Struct({ outcome: Schema.Literal("stored"), body_stored: Schema.Boolean }),
  /** Abandon: `abandoned` when this attempt's entry was cleared, `ignored` when it owned nothing (a retry, or taken over). */
  Schema.Struct({ outcome: Schema.Literal("abandoned", "ignored") }),
  /** Sweep. */
  Schema.Struct({ outcome: Schema.Literal("swept", "nothing_due") })
)
export type IdempotencyReply = typeof IdempotencyReply.Type

/** Same key and request while the first attempt's lease runs. Map to 409 `idempotency_in_progress` with Retry-After. */
export class IdempotencyInProgress extends Schema.TaggedError<IdempotencyInProgress>()("IdempotencyInProgress", {
  reason: Schema.Literal("in_progress"),
  /** Until the first attempt's lease expires (at the latest); round up to seconds for Retry-After. */
  retry_after_ms: Schema.Number
}) {}
/** Same key, different request hash. Map to 422 `idempotency_key_reused`. */
export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()("IdempotencyKeyReused", {
  reason: Schema.Literal("key_reused")
}) {}
/** The same request completed with `status`, but its body was too large to store. Map to 409 `conflict`. */
export class IdempotencyResponseNotStored extends Schema.TaggedError<IdempotencyResponseNotStored>()("IdempotencyResponseNotStored", {
  reason: Schema.Literal("response_not_stored"),
  status: Schema.Number
}) {}
/** Complete from an attempt that does not own the key (taken over, swept, never began). Send the response unstored. */
export class IdempotencyNotOwner extends Schema.TaggedError<IdempotencyNotOwner>()("IdempotencyNotOwner", {
  reason: Schema.Literal("not_owner")
}) {}

export const IdempotencyRejection = Schema.Union(IdempotencyInProgress, IdempotencyKeyReused, IdempotencyResponseNotStored, IdempotencyNotOwner)
export type IdempotencyRejection = typeof IdempotencyRejection.Type

/** UTF-8 length of a string, without allocating (surrogate pairs count 4, lone surrogates 3, as TextEncoder writes them). */
export const utf8Bytes = (s: string): number => {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

const validate = ParseResult.validateEither(IdempotencyCommand, { onExcessProperty: "ignore" })

/** Is the entry still live at `atMs`? An expired lease or retention counts as absent. */
const liveAt = (state: IdempotencyState, atMs: number): boolean =>
  state.state === "in_progress" ? atMs < state.lease_expires_at_ms : state.state === "completed" ? atMs < state.expires_at_ms : false

const nextDeadline = (state: IdempotencyState): number | undefined =>
  state.state === "in_progress" ? state.lease_expires_at_ms : state.state === "completed" ? state.expires_at_ms : undefined

export const decideIdempotency = (
  state: IdempotencyState,
  command: IdempotencyCommand,
  nowMs: number
): Decision<IdempotencyEvent, IdempotencyReply, IdempotencyRejection> => {
  const valid = validate(command)
  if (valid._tag === "Left") throw new Error(`invalid idem command: ${ParseResult.TreeFormatter.formatIssueSync(valid.left)}`)
  switch (command._tag) {
    case "Begin": {
      const at = command.started_at_ms
      if (state.state === "empty" || !liveAt(state, at)) {
        const started = {
          _tag: "Started",
          request_hash: command.request_hash,
          attempt_id: command.attempt_id,
          started_at_ms: at,
          lease_expires_at_ms: at + command.lease_ms
        } as const
        return accept([started], { outcome: "started" })
      }
      if (state.request_hash !== command.request_hash) return reject(new IdempotencyKeyReused({ reason: "key_reused" }))
      if (state.state === "in_progress") {
        // The same attempt asking again (its Begin was retried): it still owns the key.
        if (state.attempt_id === command.attempt_id) return accept([], { outcome: "started" })
        return reject(new IdempotencyInProgress({ reason: "in_progress", retry_after_ms: state.lease_expires_at_ms - at }))
      }
      if (state.body === null) return reject(new IdempotencyResponseNotStored({ reason: "response_not_stored", status: state.status }))
      return accept([], { outcome: "replay", status: state.status, body: state.body })
    }
    case "Complete": {
      const bytes = utf8Bytes(command.body)
      const storable = bytes <= idempotencyLimits.maxStoredBodyBytes
      const mine = state.state !== "empty" && state.attempt_id === command.attempt_id && state.request_hash === command.request_hash
      if (mine && state.state === "completed") {
        // A retried Complete of the same attempt: fine if it carries the same answer.
        const same = state.status === command.status && (state.body === null ? !storable && state.body_bytes === bytes : state.body === command.body)
        return same ? accept([], { outcome: "stored", body_stored: state.body !== null }) : reject(new IdempotencyNotOwner({ reason: "not_owner" }))
      }
      if (!mine || state.state !== "in_progress") return reject(new IdempotencyNotOwner({ reason: "not_owner" }))
      const completed = {
        _tag: "Completed",
        status: command.status,
        body: storable ? command.body : null,
        body_bytes: bytes,
        completed_at_ms: command.completed_at_ms,
        expires_at_ms: command.completed_at_ms + command.retention_ms
      } as const
      return accept([completed], { outcome: "stored", body_stored: storable })
    }
    case "Abandon": {
      const mine = state.state === "in_progress" && state.attempt_id === command.attempt_id && state.request_hash === command.request_hash
      return mine ? accept([{ _tag: "Abandoned" } as const], { outcome: "abandoned" }) : accept([], { outcome: "ignored" })
    }
    case "Sweep": {
      const deadline = nextDeadline(state)
      return deadline !== undefined && nowMs >= deadline
        ? accept([{ _tag: "Cleared" } as const], { outcome: "swept" })
        : accept([], { outcome: "nothing_due" })
    }
  }
}

export const evolveIdempotency = (state: IdempotencyState, event: IdempotencyEvent): IdempotencyState => {
  switch (event._tag) {
    case "Started": {
      if (event.lease_expires_at_ms <= event.started_at_ms) throw new Error("a lease must end after it starts")
      const { _tag, ...entry } = event
      return { state: "in_progress", ...entry }
    }
    case "Completed": {
      if (state.state !== "in_progress") throw new Error(`Completed without an attempt in progress (state ${state.state})`)
      if ((event.body === null) !== (event.body_bytes > idempotencyLimits.maxStoredBodyBytes)) throw new Error("stored body disagrees with its size")
      const { _tag, ...response } = event
      return { state: "completed", request_hash: state.request_hash, attempt_id: state.attempt_id, ...response }
    }
    case "Abandoned":
      if (state.state !== "in_progress") throw new Error(`Abandoned without an attempt in progress (state ${state.state})`)
      return { state: "empty" }
    case "Cleared":
      if (state.state === "empty") throw new Error("Cleared an empty entry")
      return { state: "empty" }
  }
}

export const idempotency: ActorDefinition<IdempotencyState, IdempotencyCommand, IdempotencyEvent, IdempotencyReply, IdempotencyRejection> = {
  name: "idem",
  state: IdempotencyState,
  command: IdempotencyCommand,
  event: IdempotencyEvent,
  reply: IdempotencyReply,
  rejection: IdempotencyRejection,
  initialState: () => ({ state: "empty" }),
  decide: decideIdempotency,
  evolve: evolveIdempotency,
  nextTimer: (state) => {
    const atMs = nextDeadline(state)
    return atMs === undefined ? undefined : { atMs, command: { _tag: "Sweep" } }
  },
  limits: { mailboxCapacity: 64, snapshotEveryEvents: 10 }
}
