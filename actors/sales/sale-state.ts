import { HashMap, HashSet, Option, Order, ParseResult, RedBlackTree, Schema } from "effect"
import { Count, EpochMs, MemberStatus, SaleConfig, type SaleStatus, saleLimits } from "./sale-schema.ts"

/**
 * The sale queue's state. Everything that grows with the crowd is a persistent structure (an
 * update copies O(log n) nodes, older states stay valid for snapshots): members by user id, the
 * waiting line by rank, the admitted set, the shadow-banned set. Persisted it is plain arrays;
 * decoding rebuilds the line and the admitted set from the members and checks the invariants.
 *
 * A place is a `rank`, handed out by the actor in arrival order (never from a client clock).
 * A waiting shopper's position is 1 + the waiting, non-banned shoppers with a lower rank: ranks
 * never change while a shopper waits (except once, at the start of a random_prequeue sale), and
 * new places always get a higher rank, so positions only ever move forward.
 */

export interface Member {
  readonly rank: number
  readonly status: MemberStatus
  readonly joined_at_ms: number
  /** The presence epoch the member last connected under; null once its last connection closed. */
  readonly conn: string | null
  /** When its last connection closed (null while connected). */
  readonly away_since_ms: number | null
  readonly token_id: number | null
  readonly admitted_at_ms: number | null
  readonly expires_at_ms: number | null
  readonly claimed_by: string | null
}

export interface Totals {
  readonly admitted: number
  readonly completed: number
  readonly expired: number
  readonly abandoned: number
}

export interface WindowEntry {
  readonly at_ms: number
  readonly count: number
}

export interface DefinedSale {
  readonly status: "defined"
  readonly config: SaleConfig
  readonly epoch: string
  readonly epoch_at_ms: number
  readonly started_at_ms: number | null
  readonly ended: boolean
  readonly paused: boolean
  readonly sold_out: boolean
  readonly next_rank: number
  readonly members: HashMap.HashMap<string, Member>
  /** Waiting members by rank (banned ones included). */
  readonly line: RedBlackTree.RedBlackTree<number, string>
  /** Admitted members (sessions not yet completed or expired). */
  readonly active: HashSet.HashSet<string>
  readonly banned: HashSet.HashSet<string>
  /** Admission credit: 60,000 units per admission, `admit_per_minute` units accrue per ms. */
  readonly credit: number
  readonly credit_at_ms: number
  /** Admission batches of the last 60 s. */
  readonly window: ReadonlyArray<WindowEntry>
  readonly totals: Totals
}

export interface NewSale {
  readonly status: "new"
  readonly sale_id: string
}

export type SaleState = NewSale | DefinedSale

export const creditPerAdmission = 60_000
export const creditCap = (config: SaleConfig) => Math.max(creditPerAdmission, config.admit_per_minute * 1_000)

export const emptyTotals: Totals = { admitted: 0, completed: 0, expired: 0, abandoned: 0 }
export const emptyLine = () => RedBlackTree.empty<number, string>(Order.number)

export const statusOf = (s: DefinedSale): SaleStatus =>
  s.ended ? "ended" : s.sold_out ? "sold_out" : s.paused ? "paused" : s.started_at_ms === null ? "prequeue" : "open"

export const memberOf = (s: DefinedSale, userId: string): Member | undefined => Option.getOrUndefined(HashMap.get(s.members, userId))

export const isPresent = (s: DefinedSale, m: Member) => m.conn !== null && m.conn === s.epoch

/** Since when the member has had no connection under the current epoch (undefined: connected). */
export const awaySince = (s: DefinedSale, m: Member): number | undefined =>
  isPresent(s, m) ? undefined : m.conn === null ? Math.max(m.away_since_ms ?? 0, s.epoch_at_ms) : s.epoch_at_ms

export const windowCount = (s: DefinedSale, nowMs: number) => {
  let n = 0
  for (const e of s.window) if (e.at_ms > nowMs - saleLimits.windowMs) n += e.count
  return n
}

export const creditAt = (s: DefinedSale, nowMs: number) =>
  Math.min(creditCap(s.config), s.credit + Math.max(0, nowMs - s.credit_at_ms) * s.config.admit_per_minute)

/** A pure, seeded 53-bit hash (cyrb53): the random_prequeue shuffle order. */
export const shuffleKey = (seed: string, userId: string): number => {
  const text = `${seed}:${userId}`
  let h1 = 0xdeadbeef ^ 0x5eed
  let h2 = 0x41c6ce57 ^ 0x5eed
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ ch, 2654435761)
    h2 = Math.imul(h2 ^ ch, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return 4294967296 * (2097151 & h2) + (h1 >>> 0)
}

// ---------------------------------------------------------------- persisted form

const MemberRecord = Schema.Struct({
  user_id: Schema.String,
  rank: Count,
  status: MemberStatus,
  joined_at_ms: EpochMs,
  conn: Schema.NullOr(Schema.String),
  away_since_ms: Schema.NullOr(EpochMs),
  token_id: Schema.NullOr(Count),
  admitted_at_ms: Schema.NullOr(EpochMs),
  expires_at_ms: Schema.NullOr(EpochMs),
  claimed_by: Schema.NullOr(Schema.String)
})

const EncodedDefined = Schema.Struct({
  status: Schema.Literal("defined"),
  config: SaleConfig,
  epoch: Schema.String,
  epoch_at_ms: EpochMs,
  started_at_ms: Schema.NullOr(EpochMs),
  ended: Schema.Boolean,
  paused: Schema.Boolean,
  sold_out: Schema.Boolean,
  next_rank: Count,
  members: Schema.Array(MemberRecord),
  banned: Schema.Array(Schema.String),
  credit: Count,
  credit_at_ms: EpochMs,
  window: Schema.Array(Schema.Struct({ at_ms: EpochMs, count: Count })),
  totals: Schema.Struct({ admitted: Count, completed: Count, expired: Count, abandoned: Count })
})
type EncodedDefined = typeof EncodedDefined.Type

const isDefinedSale = (u: unknown): u is DefinedSale =>
  typeof u === "object" && u !== null && (u as { status?: unknown }).status === "defined" && HashMap.isHashMap((u as { members?: unknown }).members)

/** Broken invariants of a defined sale, as messages (empty when sound). */
export const invariantProblems = (s: DefinedSale): Array<string> => {
  const problems: Array<string> = []
  let waiting = 0
  let admitted = 0
  for (const [userId, m] of s.members) {
    if (m.rank >= s.next_rank) problems.push(`${userId}: rank ${m.rank} ≥ next_rank ${s.next_rank}`)
    if (m.status === "waiting") {
      waiting++
      if (Option.getOrUndefined(RedBlackTree.findFirst(s.line, m.rank)) !== userId) problems.push(`${userId}: waiting but not in line at rank ${m.rank}`)
    }
    if (m.status === "admitted") {
      admitted++
      if (!HashSet.has(s.active, userId)) problems.push(`${userId}: admitted but not active`)
      if (m.token_id === null || m.expires_at_ms === null) problems.push(`${userId}: admitted without token`)
    }
  }
  if (waiting !== RedBlackTree.size(s.line)) problems.push(`line holds ${RedBlackTree.size(s.line)}, ${waiting} waiting`)
  if (admitted !== HashSet.size(s.active)) problems.push(`active holds ${HashSet.size(s.active)}, ${admitted} admitted`)
  if (HashSet.size(s.active) > s.config.max_active) problems.push(`active ${HashSet.size(s.active)} > max_active ${s.config.max_active}`)
  return problems
}

const decodeDefined = (e: EncodedDefined): DefinedSale => {
  let members = HashMap.empty<string, Member>()
  let line = emptyLine()
  let active = HashSet.empty<string>()
  members = HashMap.mutate(members, (mutable) => {
    for (const { user_id, ...m } of e.members) {
      HashMap.set(mutable, user_id, m)
      if (m.status === "waiting") line = RedBlackTree.insert(line, m.rank, user_id)
      if (m.status === "admitted") active = HashSet.add(active, user_id)
    }
  })
  const { members: _m, banned, ...rest } = e
  return { ...rest, members, line, active, banned: HashSet.fromIterable(banned) }
}

const encodeDefined = (s: DefinedSale): EncodedDefined => {
  const members = Array.from(s.members, ([user_id, m]) => ({ user_id, ...m })).sort((a, b) => a.rank - b.rank || (a.user_id < b.user_id ? -1 : 1))
  const { line: _l, active: _a, ...rest } = s
  return { ...rest, members, banned: Array.from(s.banned).sort() }
}

const DefinedSaleSchema = Schema.transformOrFail(EncodedDefined, Schema.declare(isDefinedSale), {
  strict: true,
  decode: (encoded, _, ast) => {
    const state = decodeDefined(encoded)
    const problems = invariantProblems(state)
    return problems.length === 0 ? ParseResult.succeed(state) : ParseResult.fail(new ParseResult.Type(ast, encoded, problems.slice(0, 5).join("; ")))
  },
  encode: (state) => ParseResult.succeed(encodeDefined(state))
})

export const SaleStateSchema = Schema.Union(Schema.Struct({ status: Schema.Literal("new"), sale_id: Schema.String }), DefinedSaleSchema)
