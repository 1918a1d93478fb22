import { HashMap, HashSet, RedBlackTree } from "effect"
import type { SaleEvent } from "./sale-schema.ts"
import { saleLimits } from "./sale-schema.ts"
import { creditCap, type DefinedSale, emptyLine, emptyTotals, type Member, memberOf, type SaleState, shuffleKey } from "./sale-state.ts"

/** A broken invariant: the actor crashes (a defect), it is never a client's problem. */
const defect = (message: string): never => {
  throw new Error(`sale invariant: ${message}`)
}

const must = (s: DefinedSale, userId: string): Member => memberOf(s, userId) ?? defect(`event names unknown member ${userId}`)

const put = (s: DefinedSale, userId: string, m: Member): DefinedSale => ({ ...s, members: HashMap.set(s.members, userId, m) })

const leaveLine = (s: DefinedSale, userId: string, m: Member): DefinedSale => {
  if (m.status !== "waiting") defect(`${userId} left the line while ${m.status}`)
  return { ...s, line: RedBlackTree.removeFirst(s.line, m.rank) }
}

/** random_prequeue: everyone waiting at the start gets a new rank, in the order of the seeded hash. */
const shuffle = (s: DefinedSale): DefinedSale => {
  const waiting = Array.from(RedBlackTree.values(s.line))
  const keyed = waiting.map((userId) => ({ userId, key: shuffleKey(s.config.shuffle_seed, userId) }))
  keyed.sort((a, b) => a.key - b.key || (a.userId < b.userId ? -1 : 1))
  let line = emptyLine()
  const members = HashMap.mutate(s.members, (mutable) => {
    keyed.forEach(({ userId }, i) => {
      const m = HashMap.unsafeGet(mutable, userId)
      HashMap.set(mutable, userId, { ...m, rank: i + 1 })
      line = RedBlackTree.insert(line, i + 1, userId)
    })
  })
  return { ...s, members, line, next_rank: Math.max(s.next_rank, keyed.length + 1) }
}

/** Members of the line go to its end, in their current order (a lifted shadow-ban: nobody behind moves back). */
const toEndOfLine = (s: DefinedSale, userIds: ReadonlyArray<string>): DefinedSale => {
  const moving = userIds
    .map((u) => ({ u, m: memberOf(s, u) }))
    .filter((x): x is { u: string; m: Member } => x.m !== undefined && x.m.status === "waiting")
    .sort((a, b) => a.m.rank - b.m.rank)
  let next = s
  for (const { u, m } of moving) {
    next = leaveLine(next, u, m)
    next = put(next, u, { ...m, rank: next.next_rank })
    next = { ...next, line: RedBlackTree.insert(next.line, next.next_rank, u), next_rank: next.next_rank + 1 }
  }
  return next
}

export const evolveDefined = (s: DefinedSale, event: SaleEvent): DefinedSale => {
  switch (event._tag) {
    case "Defined":
      return defect("Defined on a defined sale")
    case "Joined": {
      const old = memberOf(s, event.user_id)
      if (old !== undefined && (old.status === "waiting" || old.status === "admitted")) defect(`${event.user_id} joined twice`)
      if (event.rank !== s.next_rank) defect(`rank ${event.rank} ≠ next ${s.next_rank}`)
      const m: Member = {
        rank: event.rank,
        status: "waiting",
        joined_at_ms: event.at_ms,
        conn: event.epoch,
        away_since_ms: null,
        token_id: null,
        admitted_at_ms: null,
        expires_at_ms: null,
        claimed_by: null
      }
      return { ...put(s, event.user_id, m), line: RedBlackTree.insert(s.line, event.rank, event.user_id), next_rank: s.next_rank + 1 }
    }
    case "Reconnected":
      return put(s, event.user_id, { ...must(s, event.user_id), conn: event.epoch, away_since_ms: null })
    case "Disconnected":
      return put(s, event.user_id, { ...must(s, event.user_id), conn: null, away_since_ms: event.at_ms })
    case "EpochChanged":
      return { ...s, epoch: event.epoch, epoch_at_ms: event.at_ms }
    case "Started": {
      const started = { ...s, started_at_ms: event.at_ms, credit: creditCap(s.config), credit_at_ms: event.at_ms }
      return s.config.mode === "random_prequeue" ? shuffle(started) : started
    }
    case "Ended":
      return { ...s, ended: true }
    case "Admitted": {
      let next = s
      for (const { user_id, token_id } of event.admissions) {
        const m = must(next, user_id)
        next = leaveLine(next, user_id, m)
        next = put(next, user_id, {
          ...m,
          status: "admitted",
          token_id,
          admitted_at_ms: event.at_ms,
          expires_at_ms: event.at_ms + s.config.session_ms,
          claimed_by: null
        })
        next = { ...next, active: HashSet.add(next.active, user_id) }
        if (token_id !== next.totals.admitted + 1) defect(`token ${token_id} out of sequence`)
        next = { ...next, totals: { ...next.totals, admitted: next.totals.admitted + 1 } }
      }
      if (HashSet.size(next.active) > s.config.max_active) defect("admitted beyond max_active")
      const window = [...next.window.filter((e) => e.at_ms > event.at_ms - saleLimits.windowMs), { at_ms: event.at_ms, count: event.admissions.length }]
      if (window.reduce((n, e) => n + e.count, 0) > s.config.admit_per_minute) defect("admitted beyond the rate")
      return { ...next, window, credit: event.credit_after, credit_at_ms: event.at_ms }
    }
    case "SessionsExpired": {
      let next = s
      for (const u of event.user_ids) {
        const m = must(next, u)
        if (m.status !== "admitted") defect(`${u} expired while ${m.status}`)
        next = { ...put(next, u, { ...m, status: "expired" }), active: HashSet.remove(next.active, u) }
      }
      return { ...next, totals: { ...next.totals, expired: next.totals.expired + event.user_ids.length } }
    }
    case "Abandoned": {
      let next = s
      for (const u of event.user_ids) {
        const m = must(next, u)
        next = put(leaveLine(next, u, m), u, { ...m, status: "abandoned", conn: null })
      }
      return { ...next, totals: { ...next.totals, abandoned: next.totals.abandoned + event.user_ids.length } }
    }
    case "Claimed":
      return put(s, event.user_id, { ...must(s, event.user_id), claimed_by: event.claim_key })
    case "Unclaimed":
      return put(s, event.user_id, { ...must(s, event.user_id), claimed_by: null })
    case "Completed": {
      const m = must(s, event.user_id)
      if (m.status !== "admitted") defect(`${event.user_id} completed while ${m.status}`)
      const next = put(s, event.user_id, { ...m, status: "done" })
      return { ...next, active: HashSet.remove(next.active, event.user_id), totals: { ...next.totals, completed: next.totals.completed + 1 } }
    }
    case "Paused":
      return { ...s, paused: true }
    case "Resumed":
      return { ...s, paused: false }
    case "SoldOut":
      return { ...s, sold_out: true }
    case "BannedSet": {
      if (event.banned) return { ...s, banned: event.user_ids.reduce((b, u) => HashSet.add(b, u), s.banned) }
      const lifted = { ...s, banned: event.user_ids.reduce((b, u) => HashSet.remove(b, u), s.banned) }
      return toEndOfLine(lifted, event.user_ids)
    }
  }
}

export const evolveSale = (state: SaleState, event: SaleEvent): SaleState => {
  if (state.status === "new") {
    if (event._tag !== "Defined") return defect(`${event._tag} before Defined`)
    const c = event.config
    return {
      status: "defined",
      config: c,
      epoch: "none",
      epoch_at_ms: 0,
      started_at_ms: null,
      ended: false,
      paused: false,
      sold_out: false,
      next_rank: 1,
      members: HashMap.empty(),
      line: emptyLine(),
      active: HashSet.empty(),
      banned: HashSet.empty(),
      credit: 0,
      credit_at_ms: 0,
      window: [],
      totals: emptyTotals
    }
  }
  return evolveDefined(state, event)
}
