import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker, InvalidCommand, OpaqueId } from "../cart/fields.ts"
import type { Counts } from "./rules.ts"

/**
 * Actor "risk-counter", id = what is counted: `user:<user id>`, `fp:<card fingerprint>` or
 * `ip:<client address>` (see `riskCounterKey`). Checkout attempts, declines and small declines in
 * a sliding window of one-minute buckets, at most one hour kept (older buckets fall off as new
 * events arrive). `Count {window_ms}` sums the buckets that overlap the window, so a count may
 * include up to one bucket (a minute) before the window: the rules err towards caution.
 * `Record` is idempotent by `event_id` (the last `maxRememberedEvents` are remembered).
 * `Attempt {event_id, window_ms}` is `Count` then `Record` of an attempt in one command (one call
 * per counter for a checkout instead of two): it answers the counts as they stood before this
 * attempt, and, sent again with the same `event_id`, the counts as they stand (which include it).
 */

export const riskCounterLimits = {
  bucketMs: 60_000,
  /** Buckets kept: one hour of history. */
  maxBuckets: 60,
  /** Event ids remembered for idempotent `Record`s. */
  maxRememberedEvents: 256
} as const

export const maxWindowMs = riskCounterLimits.bucketMs * riskCounterLimits.maxBuckets

export const RiskCounterId = Schema.String.pipe(Schema.pattern(/^(user|fp|ip):[\x21-\x7e]{1,200}$/))

/** The counter ids of one checkout: the user's always, the card's and the IP's when known. */
export const riskCounterKey = {
  user: (userId: string) => `user:${userId}`,
  card: (fingerprint: string) => `fp:${fingerprint}`,
  ip: (address: string) => `ip:${address}`
} as const

const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative())

export const Bucket = Schema.Struct({ start_ms: Schema.Number.pipe(Schema.int(), Schema.nonNegative()), attempts: Count, declines: Count, small_declines: Count })
export type Bucket = typeof Bucket.Type

export const RiskCounter = Schema.Struct({
  key: Schema.String,
  /** Oldest first. */
  buckets: Schema.Array(Bucket).pipe(Schema.maxItems(riskCounterLimits.maxBuckets)),
  /** Most recent last. */
  event_ids: Schema.Array(Schema.String).pipe(Schema.maxItems(riskCounterLimits.maxRememberedEvents))
})
export type RiskCounter = typeof RiskCounter.Type

export const RiskCounterCommand = Schema.Union(
  /** One checkout attempt, or one declined payment (`small`: at or below the rules' small amount). */
  Schema.TaggedStruct("Record", { event_id: OpaqueId, outcome: Schema.Literal("attempt", "decline"), small: Schema.Boolean }),
  Schema.TaggedStruct("Count", { window_ms: Schema.Number.pipe(Schema.int(), Schema.between(1, maxWindowMs)) }),
  /** Count over `window_ms`, then record one attempt: the counts answered leave this attempt out. */
  Schema.TaggedStruct("Attempt", { event_id: OpaqueId, window_ms: Schema.Number.pipe(Schema.int(), Schema.between(1, maxWindowMs)) })
)
export type RiskCounterCommand = typeof RiskCounterCommand.Type

export const RiskCounterEvent = Schema.Union(
  Schema.TaggedStruct("Recorded", { event_id: OpaqueId, outcome: Schema.Literal("attempt", "decline"), small: Schema.Boolean, at_ms: Schema.Number.pipe(Schema.int(), Schema.nonNegative()) })
)
export type RiskCounterEvent = typeof RiskCounterEvent.Type

export const RiskCounts = Schema.Struct({ key: Schema.String, window_ms: Schema.Number, attempts: Count, declines: Count, small_declines: Count })
export type RiskCounts = typeof RiskCounts.Type

export const RiskCounterRejection = Schema.Union(InvalidCommand)
export type RiskCounterRejection = typeof RiskCounterRejection.Type

const checkCommand = commandChecker(RiskCounterCommand)
const isRiskCounterId = Schema.is(RiskCounterId)

/** Counts in the buckets overlapping `(nowMs − windowMs, nowMs]`. */
export const countsOf = (state: RiskCounter, nowMs: number, windowMs: number): Counts => {
  const from = nowMs - windowMs
  let attempts = 0
  let declines = 0
  let smallDeclines = 0
  for (const b of state.buckets) {
    if (b.start_ms + riskCounterLimits.bucketMs <= from || b.start_ms > nowMs) continue
    attempts += b.attempts
    declines += b.declines
    smallDeclines += b.small_declines
  }
  return { attempts, declines, small_declines: smallDeclines }
}

export const decideRiskCounter = (state: RiskCounter, command: RiskCounterCommand, nowMs: number): Decision<RiskCounterEvent, RiskCounts, RiskCounterRejection> => {
  if (!isRiskCounterId(state.key)) throw new Error(`risk-counter actor id "${state.key}" is not user:…, fp:… or ip:…`)
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) throw new Error(`risk-counter ${state.key}: nowMs ${nowMs} is not a time`)
  const problem = checkCommand(command)
  if (problem !== undefined) return reject(problem)
  if (command._tag === "Count") return accept([], { key: state.key, window_ms: command.window_ms, ...countsOf(state, nowMs, command.window_ms) })
  if (command._tag === "Attempt") {
    const before = { key: state.key, window_ms: command.window_ms, ...countsOf(state, nowMs, command.window_ms) }
    if (state.event_ids.includes(command.event_id)) return accept([], before)
    return accept([{ _tag: "Recorded", event_id: command.event_id, outcome: "attempt", small: false, at_ms: nowMs }], before)
  }
  const counts = { key: state.key, window_ms: maxWindowMs, ...countsOf(state, nowMs, maxWindowMs) }
  if (state.event_ids.includes(command.event_id)) return accept([], counts)
  const event: RiskCounterEvent = { _tag: "Recorded", event_id: command.event_id, outcome: command.outcome, small: command.small, at_ms: nowMs }
  const next = evolveRiskCounter(state, event)
  return accept([event], { key: state.key, window_ms: maxWindowMs, ...countsOf(next, nowMs, maxWindowMs) })
}

export const evolveRiskCounter = (state: RiskCounter, event: RiskCounterEvent): RiskCounter => {
  const { bucketMs, maxBuckets, maxRememberedEvents } = riskCounterLimits
  const start = event.at_ms - (event.at_ms % bucketMs)
  const newest = Math.max(start, state.buckets.at(-1)?.start_ms ?? 0)
  const keepFrom = newest - (maxBuckets - 1) * bucketMs
  const add = (b: Bucket): Bucket => ({
    ...b,
    attempts: b.attempts + (event.outcome === "attempt" ? 1 : 0),
    declines: b.declines + (event.outcome === "decline" ? 1 : 0),
    small_declines: b.small_declines + (event.outcome === "decline" && event.small ? 1 : 0)
  })
  let buckets = state.buckets.filter((b) => b.start_ms >= keepFrom)
  // An event older than the kept hour (a late one) only has its id remembered.
  if (start >= keepFrom) {
    const existing = buckets.findIndex((b) => b.start_ms === start)
    if (existing >= 0) buckets = buckets.map((b, i) => (i === existing ? add(b) : b))
    else buckets = [...buckets, add({ start_ms: start, attempts: 0, declines: 0, small_declines: 0 })].sort((a, b) => a.start_ms - b.start_ms)
  }
  const eventIds = [...state.event_ids, event.event_id]
  const next = { ...state, buckets, event_ids: eventIds.length > maxRememberedEvents ? eventIds.slice(eventIds.length - maxRememberedEvents) : eventIds }
  if (next.buckets.length > maxBuckets) throw new Error(`risk-counter ${state.key}: ${next.buckets.length} buckets`)
  return next
}

export const riskCounter: ActorDefinition<RiskCounter, RiskCounterCommand, RiskCounterEvent, RiskCounts, RiskCounterRejection> = {
  name: "risk-counter",
  state: RiskCounter,
  command: RiskCounterCommand,
  event: RiskCounterEvent,
  reply: RiskCounts,
  rejection: RiskCounterRejection,
  initialState: (id) => ({ key: id, buckets: [], event_ids: [] }),
  decide: decideRiskCounter,
  evolve: evolveRiskCounter,
  limits: { mailboxCapacity: 256, snapshotEveryEvents: 200 }
}
