import { HashMap, HashSet, RedBlackTree } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker } from "../cart/fields.ts"
import { evolveSale } from "./sale-evolve.ts"
import {
  AdmissionRefused,
  BanLimit,
  type MemberView,
  NotInQueue,
  QueueFull,
  SaleClosed,
  SaleCommand,
  SaleEvent,
  SaleExists,
  SaleIdMismatch,
  saleLimits,
  SaleNotFound,
  SaleRejection,
  SaleReply,
  type SaleView
} from "./sale-schema.ts"
import {
  awaySince,
  creditAt,
  creditPerAdmission,
  type DefinedSale,
  isPresent,
  memberOf,
  type SaleState,
  SaleStateSchema,
  statusOf,
  windowCount
} from "./sale-state.ts"

/**
 * Actor "sale", id = sale_id: the waiting room of one flash sale, the single writer of its
 * admissions (issue 7). The gateway sends `Tick` about once a second; with the tick's time the
 * actor starts the sale, ends it, expires admitted sessions, drops places whose holder has been
 * away longer than the grace, and admits the next present shoppers in rank order, within the
 * admission credit (`admit_per_minute`, at most a second's worth at once), never more than
 * `admit_per_minute` in any 60 s window and never more than `max_active` at a time.
 *
 * Presence: a member is connected under the gateway's presence epoch (one per gateway life).
 * After a restart the first tick brings a new epoch: everyone is away from then on, keeps the
 * place for the grace, and is skipped by admission until they reconnect.
 */

type SaleDecision = Decision<SaleEvent, SaleReply, SaleRejection>

const checkCommand = commandChecker(SaleCommand)

export const viewOf = (s: DefinedSale, nowMs: number): SaleView => ({
  sale_id: s.config.sale_id,
  state: statusOf(s),
  queued: RedBlackTree.size(s.line),
  active: HashSet.size(s.active),
  admitted_total: s.totals.admitted,
  completed_total: s.totals.completed,
  expired_total: s.totals.expired,
  abandoned_total: s.totals.abandoned,
  admitted_last_minute: windowCount(s, nowMs),
  started_at_ms: s.started_at_ms,
  config: s.config
})

const memberView = (s: DefinedSale, userId: string): MemberView => {
  const m = memberOf(s, userId)!
  return {
    user_id: userId,
    status: m.status,
    rank: m.rank,
    joined_at_ms: m.joined_at_ms,
    token_id: m.token_id,
    expires_at_ms: m.expires_at_ms,
    claimed_by: m.claimed_by
  }
}

/** Apply `events` to `s` (decide answers with the state they lead to). */
const apply = (s: DefinedSale, events: ReadonlyArray<SaleEvent>): DefinedSale => events.reduce((x, e) => evolveSale(x, e) as DefinedSale, s)

const acceptMember = (s: DefinedSale, events: ReadonlyArray<SaleEvent>, userId: string, nowMs: number): SaleDecision => {
  const next = apply(s, events)
  return accept(events, { _tag: "Member", sale: viewOf(next, nowMs), member: memberView(next, userId) })
}

const acceptSale = (s: DefinedSale, events: ReadonlyArray<SaleEvent>, nowMs: number): SaleDecision =>
  accept(events, { _tag: "Sale", sale: viewOf(apply(s, events), nowMs) })

const isClosed = (s: DefinedSale) => s.ended || s.sold_out

const decideJoin = (s: DefinedSale, userId: string, epoch: string, nowMs: number): SaleDecision => {
  const m = memberOf(s, userId)
  if (m !== undefined && (m.status === "waiting" || m.status === "admitted")) {
    return acceptMember(s, m.conn === epoch ? [] : [{ _tag: "Reconnected", user_id: userId, epoch }], userId, nowMs)
  }
  // A closed sale hands out no new place; the caller hears why from the view.
  if (isClosed(s)) return m === undefined ? acceptSale(s, [], nowMs) : acceptMember(s, [], userId, nowMs)
  if (m === undefined && HashMap.size(s.members) >= saleLimits.maxMembers) return reject(new QueueFull({ reason: "queue_full", limit: saleLimits.maxMembers }))
  return acceptMember(s, [{ _tag: "Joined", user_id: userId, rank: s.next_rank, epoch, at_ms: nowMs }], userId, nowMs)
}

/** Everything time does to the sale at `nowMs`, in order. */
const tickEvents = (state: DefinedSale, epoch: string, nowMs: number): Array<SaleEvent> => {
  const events: Array<SaleEvent> = []
  let s = state
  const emit = (e: SaleEvent) => {
    events.push(e)
    s = evolveSale(s, e) as DefinedSale
  }
  if (epoch !== s.epoch) emit({ _tag: "EpochChanged", epoch, at_ms: nowMs })
  if (s.started_at_ms === null && nowMs >= s.config.starts_at_ms && !s.ended) emit({ _tag: "Started", at_ms: nowMs })
  if (!s.ended && s.config.ends_at_ms !== null && nowMs >= s.config.ends_at_ms) emit({ _tag: "Ended", at_ms: nowMs })

  const expired: Array<string> = []
  for (const u of s.active) {
    const m = memberOf(s, u)!
    const deadline = m.expires_at_ms! + (m.claimed_by === null ? 0 : saleLimits.claimGraceMs)
    if (nowMs >= deadline && expired.length < saleLimits.maxUsersPerCommand) expired.push(u)
  }
  if (expired.length > 0) emit({ _tag: "SessionsExpired", user_ids: expired.sort(), at_ms: nowMs })

  const abandoned: Array<string> = []
  const admissions: Array<{ user_id: string; token_id: number }> = []
  const admitting = s.started_at_ms !== null && !s.ended && !s.paused && !s.sold_out
  const credit = creditAt(s, nowMs)
  const budget = admitting
    ? Math.min(
        Math.floor(credit / creditPerAdmission),
        s.config.admit_per_minute - windowCount(s, nowMs),
        s.config.max_active - HashSet.size(s.active),
        saleLimits.maxUsersPerCommand
      )
    : 0
  for (const [, userId] of s.line) {
    const m = memberOf(s, userId)!
    const away = awaySince(s, m)
    if (away !== undefined && nowMs - away >= s.config.grace_ms) {
      if (abandoned.length < saleLimits.maxUsersPerCommand) abandoned.push(userId)
    } else if (admissions.length < budget && isPresent(s, m) && !HashSet.has(s.banned, userId)) {
      admissions.push({ user_id: userId, token_id: s.totals.admitted + admissions.length + 1 })
    }
  }
  if (abandoned.length > 0) emit({ _tag: "Abandoned", user_ids: abandoned, at_ms: nowMs })
  if (admissions.length > 0) {
    emit({ _tag: "Admitted", at_ms: nowMs, admissions, credit_after: credit - admissions.length * creditPerAdmission })
  }
  return events
}

const decideTick = (s: DefinedSale, epoch: string, nowMs: number): SaleDecision => {
  const events = tickEvents(s, epoch, nowMs)
  const next = apply(s, events)
  const admittedEvent = events.find((e) => e._tag === "Admitted")
  const admitted =
    admittedEvent?._tag === "Admitted"
      ? admittedEvent.admissions.map(({ user_id, token_id }) => {
          const m = memberOf(next, user_id)!
          return { user_id, token_id, expires_at_ms: m.expires_at_ms!, waited_ms: Math.max(0, nowMs - m.joined_at_ms) }
        })
      : []
  const expired = events.flatMap((e) => (e._tag === "SessionsExpired" ? e.user_ids : []))
  const abandoned = events.flatMap((e) => (e._tag === "Abandoned" ? e.user_ids : []))
  return accept(events, { _tag: "Ticked", sale: viewOf(next, nowMs), admitted, expired, abandoned, changed: events.length > 0 })
}

const refused = (reason: AdmissionRefused["reason"]) => reject(new AdmissionRefused({ reason }))

export const decideSale = (state: SaleState, command: SaleCommand, nowMs: number): SaleDecision => {
  const invalid = checkCommand(command)
  if (invalid !== undefined) return reject(invalid)
  if (command._tag === "Define") {
    if (state.status === "defined") return reject(new SaleExists({ reason: "sale_exists" }))
    if (command.config.sale_id !== state.sale_id) return reject(new SaleIdMismatch({ reason: "sale_id_mismatch" }))
    const events: Array<SaleEvent> = [{ _tag: "Defined", config: command.config }]
    return accept(events, { _tag: "Sale", sale: viewOf(evolveSale(state, events[0]!) as DefinedSale, nowMs) })
  }
  if (state.status === "new") return reject(new SaleNotFound({ reason: "not_found" }))
  const s = state
  switch (command._tag) {
    case "Get":
      return acceptSale(s, [], nowMs)
    case "Join":
      return decideJoin(s, command.user_id, command.epoch, nowMs)
    case "Leave": {
      const m = memberOf(s, command.user_id)
      if (m === undefined) return reject(new NotInQueue({ reason: "not_in_queue" }))
      const leaves = m.conn === command.epoch && (m.status === "waiting" || m.status === "admitted")
      return acceptMember(s, leaves ? [{ _tag: "Disconnected", user_id: command.user_id, at_ms: nowMs }] : [], command.user_id, nowMs)
    }
    case "Tick":
      return decideTick(s, command.epoch, nowMs)
    case "Member":
      return memberOf(s, command.user_id) === undefined ? reject(new NotInQueue({ reason: "not_in_queue" })) : acceptMember(s, [], command.user_id, nowMs)
    case "Lineup": {
      const banned = Array.from(s.banned)
      return accept([], { _tag: "Line", sale: viewOf(s, nowMs), line: Array.from(RedBlackTree.values(s.line)), banned })
    }
    case "Claim": {
      const m = memberOf(s, command.user_id)
      if (m === undefined || m.token_id === null) return refused("not_admitted")
      if (m.token_id !== command.token_id) return refused("wrong_token")
      if (m.status === "done") return refused("used")
      if (m.status !== "admitted") return refused(m.status === "expired" ? "expired" : "not_admitted")
      if (m.claimed_by === command.claim_key) return acceptMember(s, [], command.user_id, nowMs)
      if (m.claimed_by !== null) return refused("used")
      if (nowMs >= m.expires_at_ms!) return refused("expired")
      return acceptMember(s, [{ _tag: "Claimed", user_id: command.user_id, claim_key: command.claim_key }], command.user_id, nowMs)
    }
    case "Unclaim": {
      const m = memberOf(s, command.user_id)
      const mine = m !== undefined && m.status === "admitted" && m.token_id === command.token_id && m.claimed_by === command.claim_key
      if (m === undefined) return reject(new NotInQueue({ reason: "not_in_queue" }))
      return acceptMember(s, mine ? [{ _tag: "Unclaimed", user_id: command.user_id }] : [], command.user_id, nowMs)
    }
    case "Complete": {
      const m = memberOf(s, command.user_id)
      if (m === undefined || m.token_id === null) return refused("not_admitted")
      if (m.token_id !== command.token_id) return refused("wrong_token")
      if (m.status === "done") return acceptMember(s, [], command.user_id, nowMs)
      if (m.status !== "admitted") return refused("expired")
      return acceptMember(s, [{ _tag: "Completed", user_id: command.user_id, at_ms: nowMs }], command.user_id, nowMs)
    }
    case "Pause":
    case "Resume": {
      if (isClosed(s)) return reject(new SaleClosed({ reason: "sale_closed", state: statusOf(s) }))
      const pause = command._tag === "Pause"
      if (s.paused === pause) return acceptSale(s, [], nowMs)
      return acceptSale(s, [pause ? { _tag: "Paused", at_ms: nowMs } : { _tag: "Resumed", at_ms: nowMs }], nowMs)
    }
    case "MarkSoldOut":
      return acceptSale(s, isClosed(s) ? [] : [{ _tag: "SoldOut", at_ms: nowMs }], nowMs)
    case "SetBanned": {
      const changing = [...new Set(command.user_ids)].filter((u) => HashSet.has(s.banned, u) !== command.banned).sort()
      if (command.banned && HashSet.size(s.banned) + changing.length > saleLimits.maxBanned) {
        return reject(new BanLimit({ reason: "ban_limit", limit: saleLimits.maxBanned }))
      }
      return acceptSale(s, changing.length === 0 ? [] : [{ _tag: "BannedSet", user_ids: changing, banned: command.banned }], nowMs)
    }
  }
}

export const sale: ActorDefinition<SaleState, SaleCommand, SaleEvent, SaleReply, SaleRejection> = {
  name: "sale",
  state: SaleStateSchema,
  command: SaleCommand,
  event: SaleEvent,
  reply: SaleReply,
  rejection: SaleRejection,
  initialState: (id) => ({ status: "new", sale_id: id }),
  decide: decideSale,
  evolve: evolveSale,
  snapshotEntries: (state) => (state.status === "new" ? 0 : HashMap.size(state.members)),
  limits: { mailboxCapacity: 100_000, snapshotEveryEvents: 1_000 }
}
