import { Schema } from "effect"
import { InvalidCommand } from "../cart/fields.ts"
import { SkuId, UserId } from "../inventory/sku-schema.ts"

/**
 * Values of the sale queue actor (actor "sale", id = sale_id): its configuration, commands,
 * events, replies and typed rejections. The state itself is in sale-state.ts.
 */

export const saleLimits = {
  maxSkus: 50,
  maxAdmitPerMinute: 100_000,
  maxActive: 100_000,
  /** Places ever handed out (waiting, admitted, done, left); a join beyond is refused (QueueFull). */
  maxMembers: 250_000,
  maxBanned: 10_000,
  maxUsersPerCommand: 1_000,
  minSessionMs: 60_000,
  maxSessionMs: 30 * 60_000,
  defaultSessionMs: 5 * 60_000,
  defaultGraceMs: 5 * 60_000,
  /** A checkout that claimed the token may still complete this long after the session ends. */
  claimGraceMs: 2 * 60_000,
  windowMs: 60_000
} as const

const Int = Schema.Number.pipe(Schema.int())
const between = (min: number, max: number) => Int.pipe(Schema.between(min, max))
export const EpochMs = between(0, 8_640_000_000_000_000)
export const Count = between(0, Number.MAX_SAFE_INTEGER)
export const SaleId = Schema.String.pipe(Schema.pattern(/^[a-z0-9_-]{1,64}$/))
/** Identifies one gateway process's life: a member is connected only under the current epoch. */
export const PresenceEpoch = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,64}$/))
/** The checkout that claimed a token (its idempotency identity). */
export const ClaimKey = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(300))
export const SaleMode = Schema.Literal("fifo", "random_prequeue")
export type SaleMode = typeof SaleMode.Type
export const SaleStatus = Schema.Literal("prequeue", "open", "paused", "sold_out", "ended")
export type SaleStatus = typeof SaleStatus.Type
const UserIds = Schema.Array(UserId).pipe(Schema.maxItems(saleLimits.maxUsersPerCommand))

export const SaleConfig = Schema.Struct({
  sale_id: SaleId,
  sku_ids: Schema.Array(SkuId).pipe(Schema.minItems(1), Schema.maxItems(saleLimits.maxSkus)),
  starts_at_ms: EpochMs,
  ends_at_ms: Schema.NullOr(EpochMs),
  admit_per_minute: between(1, saleLimits.maxAdmitPerMinute),
  max_active: between(1, saleLimits.maxActive),
  per_user_limit: between(1, 100),
  session_ms: between(saleLimits.minSessionMs, saleLimits.maxSessionMs),
  /** How long a waiting shopper without a connection keeps the place. */
  grace_ms: between(1_000, 60 * 60_000),
  mode: SaleMode,
  /** Random, chosen at the edge: orders the pre-queue at the start (random_prequeue). Never shown. */
  shuffle_seed: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{16,64}$/))
})
export type SaleConfig = typeof SaleConfig.Type

// ---------------------------------------------------------------- commands

export const SaleCommand = Schema.Union(
  Schema.TaggedStruct("Define", { config: SaleConfig }),
  Schema.TaggedStruct("Get", {}),
  /** A user's first connection (or a reconnect) under the gateway's presence epoch. */
  Schema.TaggedStruct("Join", { user_id: UserId, epoch: PresenceEpoch }),
  /** The user's last connection closed (under `epoch`). */
  Schema.TaggedStruct("Leave", { user_id: UserId, epoch: PresenceEpoch }),
  /** The gateway's heartbeat (about once a second): start, end, expire, abandon, admit. */
  Schema.TaggedStruct("Tick", { epoch: PresenceEpoch }),
  /** One user's place (the polling fallback). No event. */
  Schema.TaggedStruct("Member", { user_id: UserId }),
  /** Who is waiting, in order (the gateway computes positions from it). No event. */
  Schema.TaggedStruct("Lineup", {}),
  /** A checkout takes the admission token `token_id` (single use); idempotent by `claim_key`. */
  Schema.TaggedStruct("Claim", { user_id: UserId, token_id: Count, claim_key: ClaimKey }),
  /** The claiming checkout failed before placing an order: the token may be used again. */
  Schema.TaggedStruct("Unclaim", { user_id: UserId, token_id: Count, claim_key: ClaimKey }),
  /** The order is placed: the session ends and its slot is freed. Idempotent. */
  Schema.TaggedStruct("Complete", { user_id: UserId, token_id: Count }),
  Schema.TaggedStruct("Pause", {}),
  Schema.TaggedStruct("Resume", {}),
  Schema.TaggedStruct("MarkSoldOut", {}),
  /** Shadow-ban (or lift it): a banned user queues as usual and is never admitted. */
  Schema.TaggedStruct("SetBanned", { user_ids: UserIds, banned: Schema.Boolean })
)
export type SaleCommand = typeof SaleCommand.Type

// ---------------------------------------------------------------- events

const Admission = Schema.Struct({ user_id: Schema.String, token_id: Count })

export const SaleEvent = Schema.Union(
  Schema.TaggedStruct("Defined", { config: SaleConfig }),
  Schema.TaggedStruct("Joined", { user_id: Schema.String, rank: Count, epoch: Schema.String, at_ms: EpochMs }),
  Schema.TaggedStruct("Reconnected", { user_id: Schema.String, epoch: Schema.String }),
  Schema.TaggedStruct("Disconnected", { user_id: Schema.String, at_ms: EpochMs }),
  /** A new gateway life: every member not reconnected since is away from `at_ms`. */
  Schema.TaggedStruct("EpochChanged", { epoch: Schema.String, at_ms: EpochMs }),
  /** Admission begins; in random_prequeue mode the pre-queue is shuffled (by the seed) here. */
  Schema.TaggedStruct("Started", { at_ms: EpochMs }),
  Schema.TaggedStruct("Ended", { at_ms: EpochMs }),
  Schema.TaggedStruct("Admitted", { at_ms: EpochMs, admissions: Schema.Array(Admission), credit_after: Count }),
  Schema.TaggedStruct("SessionsExpired", { user_ids: Schema.Array(Schema.String), at_ms: EpochMs }),
  Schema.TaggedStruct("Abandoned", { user_ids: Schema.Array(Schema.String), at_ms: EpochMs }),
  Schema.TaggedStruct("Claimed", { user_id: Schema.String, claim_key: Schema.String }),
  Schema.TaggedStruct("Unclaimed", { user_id: Schema.String }),
  Schema.TaggedStruct("Completed", { user_id: Schema.String, at_ms: EpochMs }),
  Schema.TaggedStruct("Paused", { at_ms: EpochMs }),
  Schema.TaggedStruct("Resumed", { at_ms: EpochMs }),
  Schema.TaggedStruct("SoldOut", { at_ms: EpochMs }),
  Schema.TaggedStruct("BannedSet", { user_ids: Schema.Array(Schema.String), banned: Schema.Boolean })
)
export type SaleEvent = typeof SaleEvent.Type
export type SaleEventOf<T extends SaleEvent["_tag"]> = Extract<SaleEvent, { readonly _tag: T }>

// ---------------------------------------------------------------- replies

export const SaleView = Schema.Struct({
  sale_id: Schema.String,
  state: SaleStatus,
  queued: Count,
  active: Count,
  admitted_total: Count,
  completed_total: Count,
  expired_total: Count,
  abandoned_total: Count,
  /** Admissions in the last 60 s (the measured rate) and since when the sale has admitted. */
  admitted_last_minute: Count,
  started_at_ms: Schema.NullOr(EpochMs),
  config: SaleConfig
})
export type SaleView = typeof SaleView.Type

export const MemberStatus = Schema.Literal("waiting", "admitted", "done", "expired", "abandoned")
export type MemberStatus = typeof MemberStatus.Type

/** One user's place, as the gateway shows it. */
export const MemberView = Schema.Struct({
  user_id: Schema.String,
  status: MemberStatus,
  rank: Count,
  joined_at_ms: EpochMs,
  /** Admitted: the token and the session's end. */
  token_id: Schema.NullOr(Count),
  expires_at_ms: Schema.NullOr(EpochMs),
  claimed_by: Schema.NullOr(Schema.String)
})
export type MemberView = typeof MemberView.Type

export const AdmittedView = Schema.Struct({ user_id: Schema.String, token_id: Count, expires_at_ms: EpochMs, waited_ms: Count })
export type AdmittedView = typeof AdmittedView.Type

export const SaleReply = Schema.Union(
  Schema.TaggedStruct("Sale", { sale: SaleView }),
  Schema.TaggedStruct("Member", { sale: SaleView, member: MemberView }),
  /** Waiting users in order (banned ones included, flagged in `banned`). */
  Schema.TaggedStruct("Line", { sale: SaleView, line: Schema.Array(Schema.String), banned: Schema.Array(Schema.String) }),
  Schema.TaggedStruct("Ticked", {
    sale: SaleView,
    admitted: Schema.Array(AdmittedView),
    expired: Schema.Array(Schema.String),
    abandoned: Schema.Array(Schema.String),
    changed: Schema.Boolean
  })
)
export type SaleReply = typeof SaleReply.Type

// ---------------------------------------------------------------- rejections

/** No sale has this id. 404. */
export class SaleNotFound extends Schema.TaggedError<SaleNotFound>()("SaleNotFound", { reason: Schema.Literal("not_found") }) {}
/** A sale with this id exists. 409. */
export class SaleExists extends Schema.TaggedError<SaleExists>()("SaleExists", { reason: Schema.Literal("sale_exists") }) {}
/** `Define` with a sale_id that is not this actor's id. 400. */
export class SaleIdMismatch extends Schema.TaggedError<SaleIdMismatch>()("SaleIdMismatch", { reason: Schema.Literal("sale_id_mismatch") }) {}
/** The queue has handed out `maxMembers` places. */
export class QueueFull extends Schema.TaggedError<QueueFull>()("QueueFull", { reason: Schema.Literal("queue_full"), limit: Count }) {}
/** The user is not in this sale's queue. 404. */
export class NotInQueue extends Schema.TaggedError<NotInQueue>()("NotInQueue", { reason: Schema.Literal("not_in_queue") }) {}
/** The token cannot be used: 403 `admission_invalid`. */
export class AdmissionRefused extends Schema.TaggedError<AdmissionRefused>()("AdmissionRefused", {
  reason: Schema.Literal("not_admitted", "wrong_token", "expired", "used")
}) {}
/** Pause/resume in a state that does not allow it (ended, sold out). 409. */
export class SaleClosed extends Schema.TaggedError<SaleClosed>()("SaleClosed", { reason: Schema.Literal("sale_closed"), state: SaleStatus }) {}
/** Too many shadow-banned users. 422. */
export class BanLimit extends Schema.TaggedError<BanLimit>()("BanLimit", { reason: Schema.Literal("ban_limit"), limit: Count }) {}

export const SaleRejection = Schema.Union(InvalidCommand, SaleNotFound, SaleExists, SaleIdMismatch, QueueFull, NotInQueue, AdmissionRefused, SaleClosed, BanLimit)
export type SaleRejection = typeof SaleRejection.Type
