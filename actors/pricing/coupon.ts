import { HashMap, Option, Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker, InvalidCommand } from "../cart/fields.ts"
import { CouponDefinition, couponLimits } from "./coupon-definition.ts"
import { Amount, CouponCode, Int, isWithinWindow, OrderId, UserId } from "./fields.ts"

/**
 * Actor "coupon", id = the coupon code in canonical form (`normalizeCouponCode`).
 *
 * Keeps a coupon's definition and every redemption, so its limits hold under any concurrency:
 * commands are serialized by the actor, and a redemption is one event. `Redeem` is idempotent by
 * order id (a retry answers the first outcome), `Revert` too (a cancelled order gives its use
 * back; a revert that comes first leaves a tombstone, so a late `Redeem` of that order is a
 * no-op). `Validate` checks without writing, for quotes.
 *
 * Limits: `usage_limit` ≤ 100,000 and at most twice that many remembered orders.
 */

export const couponActorLimits = {
  /** Orders remembered (redeemed, reverted or tombstones): what bounds the state. */
  maxRecords: 2 * couponLimits.maxUsageLimit
} as const

export const RedemptionRecord = Schema.Struct({
  /** null: a tombstone (a Revert that came before any Redeem of the order). */
  user_id: Schema.NullOr(UserId),
  status: Schema.Literal("redeemed", "reverted")
})
export type RedemptionRecord = typeof RedemptionRecord.Type

const Count = Int.pipe(Schema.between(0, Number.MAX_SAFE_INTEGER))

export const DefinedCoupon = Schema.Struct({
  status: Schema.Literal("defined"),
  code: CouponCode,
  definition: CouponDefinition,
  /** Live redemptions (reverted ones excluded). */
  uses: Count,
  redemptions: Schema.HashMap({ key: OrderId, value: RedemptionRecord }),
  /** Live redemptions per user; users at 0 are dropped. */
  uses_by_user: Schema.HashMap({ key: UserId, value: Count })
})
export type DefinedCoupon = typeof DefinedCoupon.Type

export const CouponState = Schema.Union(Schema.Struct({ status: Schema.Literal("new"), code: Schema.String }), DefinedCoupon)
export type CouponState = typeof CouponState.Type

export const CouponCommand = Schema.Union(
  /** Create or replace the definition (`code` must be the actor's id); usage so far is kept. */
  Schema.TaggedStruct("Define", { definition: CouponDefinition }),
  /** May `user_id` use it on an order of `order_amount` (the subtotal) now? No event. */
  Schema.TaggedStruct("Validate", { user_id: Schema.NullOr(UserId), order_amount: Amount }),
  /** Use it for `order_id`. Idempotent by order id. */
  Schema.TaggedStruct("Redeem", { order_id: OrderId, user_id: UserId, order_amount: Amount }),
  /** Give `order_id`'s use back (order cancelled or checkout compensated). Idempotent. */
  Schema.TaggedStruct("Revert", { order_id: OrderId }),
  Schema.TaggedStruct("Get", {})
)
export type CouponCommand = typeof CouponCommand.Type

export const CouponEvent = Schema.Union(
  Schema.TaggedStruct("Defined", { definition: CouponDefinition }),
  Schema.TaggedStruct("Redeemed", { order_id: OrderId, user_id: UserId }),
  /** The order's redemption is given back, or (never redeemed) a tombstone is left. */
  Schema.TaggedStruct("Reverted", { order_id: OrderId })
)
export type CouponEvent = typeof CouponEvent.Type

export const CouponView = Schema.Struct({
  code: CouponCode,
  definition: CouponDefinition,
  uses: Count,
  remaining_uses: Count
})
export type CouponView = typeof CouponView.Type

export const CouponReply = Schema.Struct({
  coupon: CouponView,
  /** Live redemptions by the user the command named (Validate, Redeem). */
  user_uses: Schema.NullOr(Count),
  /** Redeem and Revert: where the order stands now. */
  redemption: Schema.NullOr(Schema.Struct({ order_id: OrderId, status: Schema.Literal("redeemed", "reverted", "not_redeemed") }))
})
export type CouponReply = typeof CouponReply.Type

/** No coupon has this code. 422 `coupon_invalid` (404 on admin routes). */
export class CouponNotFound extends Schema.TaggedError<CouponNotFound>()("CouponNotFound", {
  reason: Schema.Literal("not_found")
}) {}
/** Outside its validity window. 422 `coupon_invalid`. */
export class CouponNotActive extends Schema.TaggedError<CouponNotActive>()("CouponNotActive", {
  reason: Schema.Literal("not_started", "expired")
}) {}
/** Every use is taken. 422 `coupon_invalid`. */
export class CouponUsedUp extends Schema.TaggedError<CouponUsedUp>()("CouponUsedUp", {
  reason: Schema.Literal("usage_limit_reached"),
  limit: Count
}) {}
/** This customer used it as often as allowed. 422 `coupon_invalid`. */
export class CustomerLimitReached extends Schema.TaggedError<CustomerLimitReached>()("CustomerLimitReached", {
  reason: Schema.Literal("customer_limit_reached"),
  limit: Count
}) {}
/** The order's subtotal is below the coupon's minimum. 422 `coupon_invalid`. */
export class MinOrderNotMet extends Schema.TaggedError<MinOrderNotMet>()("MinOrderNotMet", {
  reason: Schema.Literal("min_order_not_met"),
  min_order_amount: Amount
}) {}
/** The order already redeemed this coupon for another user: a caller bug. 409 `conflict`. */
export class RedemptionConflict extends Schema.TaggedError<RedemptionConflict>()("RedemptionConflict", {
  reason: Schema.Literal("order_conflict"),
  order_id: OrderId
}) {}
/** `Define` with a code that is not this actor's id. 400. */
export class CodeMismatch extends Schema.TaggedError<CodeMismatch>()("CodeMismatch", {
  reason: Schema.Literal("code_mismatch"),
  code: Schema.String
}) {}
/** The coupon remembers `maxRecords` orders. 422 `coupon_invalid`. */
export class RecordLimit extends Schema.TaggedError<RecordLimit>()("RecordLimit", {
  reason: Schema.Literal("redemption_limit"),
  limit: Count
}) {}

export const CouponRejection = Schema.Union(
  InvalidCommand,
  CouponNotFound,
  CouponNotActive,
  CouponUsedUp,
  CustomerLimitReached,
  MinOrderNotMet,
  RedemptionConflict,
  CodeMismatch,
  RecordLimit
)
export type CouponRejection = typeof CouponRejection.Type

type CouponDecision = Decision<CouponEvent, CouponReply, CouponRejection>

const checkCommand = commandChecker(CouponCommand)
const encodeDefinition = Schema.encodeSync(CouponDefinition)
const sameDefinition = (a: CouponDefinition, b: CouponDefinition) => JSON.stringify(encodeDefinition(a)) === JSON.stringify(encodeDefinition(b))

const viewOf = (state: DefinedCoupon, uses = state.uses): CouponView => ({
  code: state.code,
  definition: state.definition,
  uses,
  remaining_uses: Math.max(0, state.definition.usage_limit - uses)
})

const userUses = (state: DefinedCoupon, userId: string): number => Option.getOrElse(HashMap.get(state.uses_by_user, userId), () => 0)

const replyOf = (state: DefinedCoupon, userId: string | null, redemption: CouponReply["redemption"] = null): CouponReply => ({
  coupon: viewOf(state),
  user_uses: userId === null ? null : userUses(state, userId),
  redemption
})

/** Why `userId` may not use the coupon on an order of `orderAmount` at `nowMs`, if anything. */
const refusal = (state: DefinedCoupon, userId: string | null, orderAmount: number, nowMs: number): CouponRejection | undefined => {
  const d = state.definition
  if (!isWithinWindow(d, nowMs)) return new CouponNotActive({ reason: d.starts_at !== undefined && nowMs < d.starts_at ? "not_started" : "expired" })
  if (state.uses >= d.usage_limit) return new CouponUsedUp({ reason: "usage_limit_reached", limit: d.usage_limit })
  if (userId !== null && userUses(state, userId) >= d.per_customer_limit) return new CustomerLimitReached({ reason: "customer_limit_reached", limit: d.per_customer_limit })
  if (orderAmount < d.min_order_amount) return new MinOrderNotMet({ reason: "min_order_not_met", min_order_amount: d.min_order_amount })
  return undefined
}


export const decideCoupon = (state: CouponState, command: CouponCommand, nowMs: number): CouponDecision => {
  const invalid = checkCommand(command)
  if (invalid !== undefined) return reject(invalid)
  if (command._tag === "Define") {
    if (command.definition.code !== state.code) return reject(new CodeMismatch({ reason: "code_mismatch", code: state.code }))
    if (state.status === "defined" && sameDefinition(state.definition, command.definition)) {
      return accept([], replyOf(state, null))
    }
    const event: CouponEvent = { _tag: "Defined", definition: command.definition }
    return accept([event], replyOf(evolveCoupon(state, event) as DefinedCoupon, null))
  }
  if (state.status === "new") return reject(new CouponNotFound({ reason: "not_found" }))
  switch (command._tag) {
    case "Get":
      return accept([], replyOf(state, null))
    case "Validate": {
      const refused = refusal(state, command.user_id, command.order_amount, nowMs)
      return refused === undefined ? accept([], replyOf(state, command.user_id)) : reject(refused)
    }
    case "Redeem": {
      const record = Option.getOrUndefined(HashMap.get(state.redemptions, command.order_id))
      if (record !== undefined) {
        if (record.user_id !== null && record.user_id !== command.user_id) return reject(new RedemptionConflict({ reason: "order_conflict", order_id: command.order_id }))
        return accept([], replyOf(state, command.user_id, { order_id: command.order_id, status: record.status }))
      }
      const refused = refusal(state, command.user_id, command.order_amount, nowMs)
      if (refused !== undefined) return reject(refused)
      if (HashMap.size(state.redemptions) >= couponActorLimits.maxRecords) return reject(new RecordLimit({ reason: "redemption_limit", limit: couponActorLimits.maxRecords }))
      const { order_id, user_id } = command
      // The reply is computed rather than evolved: the host applies the event once, on the hot path.
      return accept([{ _tag: "Redeemed", order_id, user_id }], {
        coupon: viewOf(state, state.uses + 1),
        user_uses: userUses(state, user_id) + 1,
        redemption: { order_id, status: "redeemed" }
      })
    }
    case "Revert": {
      const record = Option.getOrUndefined(HashMap.get(state.redemptions, command.order_id))
      const order_id = command.order_id
      if (record?.status === "reverted") return accept([], replyOf(state, null, { order_id, status: record.user_id === null ? "not_redeemed" : "reverted" }))
      // With no room for a tombstone, answer without one: a later Redeem of this order would count.
      if (record === undefined && HashMap.size(state.redemptions) >= couponActorLimits.maxRecords) return accept([], replyOf(state, null, { order_id, status: "not_redeemed" }))
      return accept([{ _tag: "Reverted", order_id }], {
        coupon: viewOf(state, record === undefined ? state.uses : state.uses - 1),
        user_uses: null,
        redemption: { order_id, status: record === undefined ? "not_redeemed" : "reverted" }
      })
    }
  }
}

export const evolveCoupon = (state: CouponState, event: CouponEvent): CouponState => {
  const fail = (what: string): never => {
    throw new Error(`coupon ${state.code}: ${what}`)
  }
  if (event._tag === "Defined") {
    if (event.definition.code !== state.code) fail(`Defined for ${event.definition.code}`)
    return state.status === "new"
      ? { status: "defined", code: state.code, definition: event.definition, uses: 0, redemptions: HashMap.empty(), uses_by_user: HashMap.empty() }
      : { ...state, definition: event.definition }
  }
  if (state.status !== "defined") return fail(`${event._tag} before Defined`)
  switch (event._tag) {
    case "Redeemed": {
      if (HashMap.has(state.redemptions, event.order_id)) fail(`${event.order_id} redeemed twice`)
      const next: DefinedCoupon = {
        ...state,
        uses: state.uses + 1,
        redemptions: HashMap.set(state.redemptions, event.order_id, { user_id: event.user_id, status: "redeemed" }),
        uses_by_user: HashMap.set(state.uses_by_user, event.user_id, userUses(state, event.user_id) + 1)
      }
      if (next.uses > next.definition.usage_limit) fail(`${next.uses} uses over the limit ${next.definition.usage_limit}`)
      if (userUses(next, event.user_id) > next.definition.per_customer_limit) fail(`${event.user_id} over the per-customer limit`)
      return next
    }
    case "Reverted": {
      const record = Option.getOrUndefined(HashMap.get(state.redemptions, event.order_id))
      if (record?.status === "reverted") fail(`${event.order_id} reverted twice`)
      if (record === undefined) return { ...state, redemptions: HashMap.set(state.redemptions, event.order_id, { user_id: null, status: "reverted" }) }
      const userId = record.user_id ?? fail(`${event.order_id} redeemed without a user`)
      const left = userUses(state, userId) - 1
      if (left < 0 || state.uses < 1) fail(`negative uses reverting ${event.order_id}`)
      return {
        ...state,
        uses: state.uses - 1,
        redemptions: HashMap.set(state.redemptions, event.order_id, { user_id: userId, status: "reverted" }),
        uses_by_user: left === 0 ? HashMap.remove(state.uses_by_user, userId) : HashMap.set(state.uses_by_user, userId, left)
      }
    }
  }
}

export const coupon: ActorDefinition<CouponState, CouponCommand, CouponEvent, CouponReply, CouponRejection> = {
  name: "coupon",
  state: CouponState,
  command: CouponCommand,
  event: CouponEvent,
  reply: CouponReply,
  rejection: CouponRejection,
  initialState: (code) => ({ status: "new", code }),
  decide: decideCoupon,
  evolve: evolveCoupon,
  snapshotEntries: (state) => (state.status === "defined" ? HashMap.size(state.redemptions) + HashMap.size(state.uses_by_user) : 0),
  limits: { mailboxCapacity: 1024, snapshotEveryEvents: 500 }
}
