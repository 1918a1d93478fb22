import { Schema } from "effect"

/**
 * The SKU actor's vocabulary: ids, limits, commands, events, replies and rejections.
 * State and its persisted form live in sku-state.ts; the rules in sku.ts.
 */

export const skuLimits = {
  /** Units one `Reserve` may ask for. */
  maxReserveQuantity: 10_000,
  /** Units one Receive / Damage / ReturnToStock moves, and the largest |delta| of one Adjust. */
  maxMovementQuantity: 1_000_000,
  /** Largest absolute level SetOnHand / SetInTransit may set, per warehouse. */
  maxStockLevel: 1_000_000_000,
  /**
   * Live holds per SKU; one more is refused with `too_many_holds` (503, retry later). A hold costs
   * about 330 bytes of memory, so a SKU at the cap holds about 80 MB; holds need stock, so only a
   * SKU with at least this many units on hand gets there.
   */
  maxLiveHolds: 250_000,
  /** Latest deadline a Reserve / Extend may set, counted from the command's `nowMs`. */
  maxHoldMs: 24 * 3_600_000,
  /**
   * Holds one `Expire` releases; the timer stays due for the rest (the host fires it again: at once
   * for later deadlines, after its `timerRetryMs` when the rest share the deadline that just fired).
   */
  expirePerCommand: 1_000,
  /**
   * Settled reservation ids remembered for retries, per generation (two are kept): each id for at
   * least the next this-many settlements or half the retention, whichever comes first…
   */
  maxSettled: 10_000,
  /** …and a generation is dropped once even its newest entry is this much older than a new settlement. */
  settledRetentionMs: 24 * 3_600_000,
  /** Stock-operation refs remembered for retries, per generation, as for settled ids. */
  maxRefs: 10_000,
  refRetentionMs: 24 * 3_600_000,
  /** Back-in-stock subscribers per SKU; one more is refused with `subscriber_limit`. */
  maxSubscribers: 1_000,
  /** Warehouses one SKU may be stocked in; a new one beyond is refused with `too_many_warehouses`. */
  maxWarehouses: 64,
  /** Largest per-user purchase limit. */
  maxPurchaseLimit: 10_000,
  /** `low_stock` when 0 < available ≤ this, unless the seller sets another threshold at Register. */
  defaultLowStockThreshold: 5,
  maxLowStockThreshold: 1_000_000
} as const

// ---------------------------------------------------------------- fields

/** `sku_` + 1..64 url-safe characters: the actor id. */
export const SkuId = Schema.String.pipe(Schema.pattern(/^sku_[A-Za-z0-9_-]{1,64}$/))
export const opaqueIdPattern = /^[A-Za-z0-9_.:-]{1,128}$/
export const warehouseIdPattern = /^[A-Za-z0-9_-]{1,64}$/
/** Opaque ids minted elsewhere (seller, owner = the buying user, reservation, ref). Never contain `|`. */
export const OpaqueId = Schema.String.pipe(Schema.pattern(opaqueIdPattern))
export const SellerId = OpaqueId
/** Who holds a reservation: the user the per-user purchase limit counts against. */
export const OwnerId = OpaqueId
/** Client-chosen id of one reservation; the idempotency key of Reserve/Confirm/Release/Extend. */
export const ReservationId = OpaqueId
/** Client-chosen id of one stock operation (feed row, warehouse message); its idempotency key. */
export const StockRef = OpaqueId
export const WarehouseId = Schema.String.pipe(Schema.pattern(warehouseIdPattern))
export const UserId = OpaqueId

const Int = Schema.Number.pipe(Schema.int())
const between = (min: number, max: number) => Int.pipe(Schema.between(min, max))
export const EpochMs = between(0, 8.64e15)
export const ReserveQuantity = between(1, skuLimits.maxReserveQuantity)
export const MovementQuantity = between(1, skuLimits.maxMovementQuantity)
export const StockLevel = between(0, skuLimits.maxStockLevel)
export const LowStockThreshold = between(0, skuLimits.maxLowStockThreshold)
export const PurchaseLimit = between(1, skuLimits.maxPurchaseLimit)
export const AdjustDelta = between(-skuLimits.maxMovementQuantity, skuLimits.maxMovementQuantity).pipe(
  Schema.filter((d) => d !== 0, { message: () => "delta must not be 0" })
)

export const ReserveMode = Schema.Literal("all_or_nothing", "partial")
export type ReserveMode = typeof ReserveMode.Type
export const StockStatus = Schema.Literal("in_stock", "low_stock", "out_of_stock")
export type StockStatus = typeof StockStatus.Type
/** What a reservation id stands for now. `expired` also for a held one past its deadline. */
export const ReservationStatus = Schema.Literal("held", "confirmed", "released", "expired")
export type ReservationStatus = typeof ReservationStatus.Type

/**
 * Event and reply fields are plain numbers and strings, without refinements: the host then
 * journals events as they are (its codec's identity fast path) instead of re-validating every
 * one on the hot path. `evolve` checks every count it applies (integers ≥ 0, invariants).
 */
const N = Schema.Number
const S = Schema.String

export const Line = Schema.Struct({ warehouse_id: S, quantity: N })
export type Line = typeof Line.Type

// ---------------------------------------------------------------- commands

/** Claim the SKU for a seller. Idempotent; another seller (or another threshold) → `already_registered`. */
export const Register = Schema.TaggedStruct("Register", {
  seller_id: SellerId,
  low_stock_threshold: Schema.optional(LowStockThreshold)
})
export const SetLowStockThreshold = Schema.TaggedStruct("SetLowStockThreshold", { low_stock_threshold: LowStockThreshold })
/** Per-user limit (held + bought) for sales; `null` lifts it and forgets what was bought under it. */
export const SetPurchaseLimit = Schema.TaggedStruct("SetPurchaseLimit", { per_user_limit: Schema.NullOr(PurchaseLimit) })
export const Get = Schema.TaggedStruct("Get", {})

export const Reserve = Schema.TaggedStruct("Reserve", {
  reservation_id: ReservationId,
  quantity: ReserveQuantity,
  expires_at_ms: EpochMs,
  owner: OwnerId,
  /** `all_or_nothing` (default) or `partial`: take what is available (> 0) up to `quantity`. */
  mode: Schema.optional(ReserveMode),
  /** Take stock from this warehouse only. */
  warehouse_id: Schema.optional(WarehouseId)
})
export const Confirm = Schema.TaggedStruct("Confirm", { reservation_id: ReservationId })
export const Release = Schema.TaggedStruct("Release", { reservation_id: ReservationId })
export const Extend = Schema.TaggedStruct("Extend", { reservation_id: ReservationId, expires_at_ms: EpochMs })
/** Sent by the durable timer: releases holds whose deadline is ≤ nowMs (at most `expirePerCommand`). */
export const Expire = Schema.TaggedStruct("Expire", {})
export const GetReservation = Schema.TaggedStruct("GetReservation", { reservation_id: ReservationId })

export const Receive = Schema.TaggedStruct("Receive", { warehouse_id: WarehouseId, quantity: MovementQuantity, ref: StockRef })
export const Adjust = Schema.TaggedStruct("Adjust", { warehouse_id: WarehouseId, delta: AdjustDelta, ref: StockRef })
export const SetOnHand = Schema.TaggedStruct("SetOnHand", {
  warehouse_id: WarehouseId,
  on_hand: StockLevel,
  /** Compare-and-set: refused with `stock_conflict` unless the warehouse's on_hand is exactly this. */
  expected_on_hand: Schema.optional(StockLevel),
  ref: StockRef
})
export const Damage = Schema.TaggedStruct("Damage", { warehouse_id: WarehouseId, quantity: MovementQuantity, ref: StockRef })
export const ReturnToStock = Schema.TaggedStruct("ReturnToStock", { warehouse_id: WarehouseId, quantity: MovementQuantity, ref: StockRef })
export const SetInTransit = Schema.TaggedStruct("SetInTransit", { warehouse_id: WarehouseId, in_transit: StockLevel, ref: StockRef })

export const Subscribe = Schema.TaggedStruct("Subscribe", { user_id: UserId })
export const Unsubscribe = Schema.TaggedStruct("Unsubscribe", { user_id: UserId })

export const SkuCommand = Schema.Union(
  Register,
  SetLowStockThreshold,
  SetPurchaseLimit,
  Get,
  Reserve,
  Confirm,
  Release,
  Extend,
  Expire,
  GetReservation,
  Receive,
  Adjust,
  SetOnHand,
  Damage,
  ReturnToStock,
  SetInTransit,
  Subscribe,
  Unsubscribe
)
export type SkuCommand = typeof SkuCommand.Type
export type StockCommand = Extract<SkuCommand, { readonly ref: string }>
export type StockOp = StockCommand["_tag"]

// ---------------------------------------------------------------- events

/**
 * Every event that changes a count carries `available_after` (the SKU's total available once it
 * is applied), so projections read availability from any event without replaying holds.
 * `StockStatusChanged` is emitted only when the status changes, after the event that changed it.
 */
const stockMoved = { warehouse_id: S, ref: S, at_ms: N, on_hand_after: N, available_after: N }
const settledHold = { reservation_id: S, owner: S, quantity: N, lines: Schema.Array(Line), at_ms: N, available_after: N }

export const SkuEvent = Schema.Union(
  Schema.TaggedStruct("Registered", { seller_id: S, low_stock_threshold: N }),
  Schema.TaggedStruct("LowStockThresholdSet", { low_stock_threshold: N }),
  Schema.TaggedStruct("PurchaseLimitSet", { per_user_limit: Schema.NullOr(N) }),
  Schema.TaggedStruct("Reserved", {
    reservation_id: S,
    owner: S,
    requested: N,
    quantity: N,
    mode: ReserveMode,
    /** The warehouse the caller restricted the hold to, or null. */
    warehouse_id: Schema.NullOr(S),
    lines: Schema.Array(Line),
    expires_at_ms: N,
    at_ms: N,
    available_after: N
  }),
  Schema.TaggedStruct("Confirmed", settledHold),
  Schema.TaggedStruct("Released", settledHold),
  Schema.TaggedStruct("ReservationExpired", settledHold),
  Schema.TaggedStruct("Extended", { reservation_id: S, expires_at_ms: N, at_ms: N }),
  /** Release of an id this SKU never held (a compensation racing its Reserve): a later Reserve with it is refused. */
  Schema.TaggedStruct("ReleaseRecorded", { reservation_id: S, at_ms: N }),
  Schema.TaggedStruct("Received", { ...stockMoved, quantity: N }),
  Schema.TaggedStruct("Adjusted", { ...stockMoved, delta: N }),
  Schema.TaggedStruct("OnHandSet", { ...stockMoved, delta: N, expected_on_hand: Schema.NullOr(N) }),
  Schema.TaggedStruct("Damaged", { ...stockMoved, quantity: N }),
  Schema.TaggedStruct("Returned", { ...stockMoved, quantity: N }),
  Schema.TaggedStruct("InTransitSet", { warehouse_id: S, ref: S, at_ms: N, in_transit: N }),
  Schema.TaggedStruct("StockStatusChanged", { from: StockStatus, to: StockStatus, available: N }),
  Schema.TaggedStruct("Subscribed", { user_id: S }),
  Schema.TaggedStruct("Unsubscribed", { user_id: S }),
  /** Available went from 0 to > 0: notify these users (the list is cleared). */
  Schema.TaggedStruct("BackInStock", { subscribers: Schema.Array(S), available: N })
)
export type SkuEvent = typeof SkuEvent.Type
export type EventOf<T extends SkuEvent["_tag"]> = Extract<SkuEvent, { readonly _tag: T }>

// ---------------------------------------------------------------- replies

export const WarehouseView = Schema.Struct({
  warehouse_id: S,
  on_hand: N,
  reserved: N,
  available: N,
  damaged: N,
  in_transit: N
})
export type WarehouseView = typeof WarehouseView.Type

/** Get, Register, SetLowStockThreshold, SetPurchaseLimit and every stock command reply this. */
export const SkuView = Schema.Struct({
  sku_id: S,
  seller_id: S,
  warehouses: Schema.Array(WarehouseView),
  on_hand: N,
  reserved: N,
  available: N,
  damaged: N,
  in_transit: N,
  stock_status: StockStatus,
  low_stock_threshold: N,
  per_user_limit: Schema.NullOr(N),
  live_holds: N
})
export type SkuView = typeof SkuView.Type

/** Reserve, Confirm, Release, Extend and GetReservation reply this; `available` is the SKU's total now. */
export const ReservationView = Schema.Struct({
  reservation_id: S,
  owner: S,
  status: ReservationStatus,
  /** What the Reserve asked for; `quantity` is what it holds (less only in partial mode). */
  requested: N,
  quantity: N,
  mode: ReserveMode,
  lines: Schema.Array(Line),
  expires_at_ms: N,
  available: N
})
export type ReservationView = typeof ReservationView.Type

export const ExpireReply = Schema.Struct({ expired: N, available: N })
export type ExpireReply = typeof ExpireReply.Type
/** `subscribed: false` when the SKU is in stock (nothing to wait for) or after Unsubscribe. */
export const SubscriptionReply = Schema.Struct({ user_id: S, subscribed: Schema.Boolean, available: N })
export type SubscriptionReply = typeof SubscriptionReply.Type

export const SkuReply = Schema.Union(SkuView, ReservationView, SubscriptionReply, ExpireReply)
export type SkuReply = typeof SkuReply.Type

// ---------------------------------------------------------------- rejections (all map to 4xx at the edge)

/** Any command but Register on a SKU never registered. 404. */
export class SkuNotFound extends Schema.TaggedError<SkuNotFound>()("SkuNotFound", { reason: Schema.Literal("not_found") }) {}
/** Register by another seller, or with another threshold. 409 `conflict`. */
export class SkuAlreadyRegistered extends Schema.TaggedError<SkuAlreadyRegistered>()("SkuAlreadyRegistered", {
  reason: Schema.Literal("already_registered")
}) {}
/** Not enough available units (all-or-nothing), or none at all (partial). 409 `out_of_stock`. */
export class OutOfStock extends Schema.TaggedError<OutOfStock>()("OutOfStock", {
  reason: Schema.Literal("out_of_stock"),
  requested: N,
  available: N
}) {}
/** The owner's held + bought units plus this request exceed the per-user limit. 422 `purchase_limit`. */
export class PurchaseLimitReached extends Schema.TaggedError<PurchaseLimitReached>()("PurchaseLimitReached", {
  reason: Schema.Literal("purchase_limit"),
  limit: N,
  already: N
}) {}
/** A reservation id reused with other data (owner, quantity, mode, warehouse). 409 `conflict`. */
export class ReservationConflict extends Schema.TaggedError<ReservationConflict>()("ReservationConflict", {
  reason: Schema.Literal("reservation_conflict"),
  reservation_id: S
}) {}
/** The reservation is no longer held: it expired, was released, or (for Release/Extend) was confirmed. 409 / 410. */
export class ReservationClosed extends Schema.TaggedError<ReservationClosed>()("ReservationClosed", {
  reason: Schema.Literal("reservation_expired", "reservation_released", "reservation_confirmed"),
  reservation_id: S
}) {}
/** Confirm / Extend / GetReservation of an id never held here, or settled longer ago than remembered. 404. */
export class ReservationNotFound extends Schema.TaggedError<ReservationNotFound>()("ReservationNotFound", {
  reason: Schema.Literal("reservation_not_found"),
  reservation_id: S
}) {}
/** `skuLimits.maxLiveHolds` holds are live. 503-like: retry later. */
export class TooManyHolds extends Schema.TaggedError<TooManyHolds>()("TooManyHolds", { reason: Schema.Literal("too_many_holds"), limit: N }) {}
/** A deadline not after `nowMs`, or further than `maxHoldMs` ahead. 422. */
export class InvalidExpiry extends Schema.TaggedError<InvalidExpiry>()("InvalidExpiry", {
  reason: Schema.Literal("invalid_expiry"),
  /** Deadlines must be > after_ms and ≤ max_ms. */
  after_ms: N,
  max_ms: N
}) {}
/** SetOnHand's `expected_on_hand` differs from the warehouse's on_hand (returned). 409 `conflict`. */
export class StockConflict extends Schema.TaggedError<StockConflict>()("StockConflict", {
  reason: Schema.Literal("stock_conflict"),
  warehouse_id: S,
  on_hand: N
}) {}
/** A set / adjust / damage would leave on_hand below what is reserved (never a negative available). 409. */
export class BelowReserved extends Schema.TaggedError<BelowReserved>()("BelowReserved", {
  reason: Schema.Literal("below_reserved"),
  warehouse_id: S,
  on_hand: N,
  reserved: N
}) {}
/** A stock operation's ref reused with other data. 409 `conflict`. */
export class RefConflict extends Schema.TaggedError<RefConflict>()("RefConflict", { reason: Schema.Literal("ref_conflict"), ref: S }) {}
export class TooManyWarehouses extends Schema.TaggedError<TooManyWarehouses>()("TooManyWarehouses", {
  reason: Schema.Literal("too_many_warehouses"),
  limit: N
}) {}
export class SubscriberLimit extends Schema.TaggedError<SubscriberLimit>()("SubscriberLimit", { reason: Schema.Literal("subscriber_limit"), limit: N }) {}
/**
 * A command that does not match its schema (the gateway decodes requests with the same schemas,
 * so this is a caller bug). Refused rather than crashing: a crash resets the actor and fails every
 * other caller's not-yet-durable command on a hot SKU. 400.
 */
export class InvalidSkuCommand extends Schema.TaggedError<InvalidSkuCommand>()("InvalidSkuCommand", {
  reason: Schema.Literal("invalid_command"),
  message: S
}) {}

export const SkuRejection = Schema.Union(
  SkuNotFound,
  SkuAlreadyRegistered,
  OutOfStock,
  PurchaseLimitReached,
  ReservationConflict,
  ReservationClosed,
  ReservationNotFound,
  TooManyHolds,
  InvalidExpiry,
  StockConflict,
  BelowReserved,
  RefConflict,
  TooManyWarehouses,
  SubscriberLimit,
  InvalidSkuCommand
)
export type SkuRejection = typeof SkuRejection.Type
