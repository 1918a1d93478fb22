import { ParseResult, Schema } from "effect"
import { accept, type ActorDefinition, type Decision, type DurableTimer, reject } from "../../runtime/actor.ts"
import {
  BelowReserved,
  type EventOf,
  InvalidExpiry,
  InvalidSkuCommand,
  type Line,
  OutOfStock,
  PurchaseLimitReached,
  RefConflict,
  ReservationClosed,
  ReservationConflict,
  ReservationNotFound,
  type ReservationView,
  type SkuCommand,
  SkuAlreadyRegistered,
  SkuCommand as SkuCommandSchema,
  type SkuEvent,
  SkuEvent as SkuEventSchema,
  SkuId,
  skuLimits,
  SkuNotFound,
  type SkuRejection,
  SkuRejection as SkuRejectionSchema,
  type SkuReply,
  SkuReply as SkuReplySchema,
  type StockCommand,
  StockConflict,
  SubscriberLimit,
  TooManyHolds,
  TooManyWarehouses
} from "./sku-schema.ts"
import { surelyValidCommand } from "./command-check.ts"
import { type BookOp, usageFromHolds } from "./hold-book.ts"
import {
  type AppliedRef,
  assertInvariants,
  assertWarehouse,
  availableOf,
  dueHolds,
  earliestHold,
  emptySku,
  emptyWarehouse,
  findWarehouse,
  getHold,
  type Hold,
  holdCount,
  invariantFailed,
  refOf,
  reservationView,
  type SettledHold,
  settledOf,
  snapshotEntries,
  type SkuState,
  SkuStateSchema,
  statusFor,
  usageOf,
  viewOf,
  type WarehouseStock,
  withWarehouse
} from "./sku-state.ts"

/**
 * Actor "sku", id = the SKU id (`sku_…`): the stock of one SKU across warehouses, and every hold
 * on it. Single writer, so the last units of a hot SKU are never sold twice.
 *
 * Stock. Per warehouse `on_hand`, `reserved` (held by live reservations), `damaged` and
 * `in_transit` (neither sellable); `available = on_hand − reserved`, per warehouse and in total.
 * Warehouses are created on first use (the gateway checks the warehouse exists). Stock commands
 * (Receive, Adjust, SetOnHand with optional compare-and-set, Damage, ReturnToStock, SetInTransit)
 * are idempotent by `ref`: the last `maxRefs` refs (and none older than `refRetentionMs` before
 * the newest) are remembered; a retry with the same data replies the current view without new
 * events, the same ref with other data is refused with `ref_conflict`. A set / adjust / damage
 * that would leave `on_hand` below what is reserved is refused with `below_reserved` (rather than
 * marking a shortfall): a hold is a promise to a shopper in checkout, so the operator releases or
 * lets holds expire first, and `available` is never negative.
 *
 * Reservations. `Reserve` is all or nothing by default (`out_of_stock` with `{requested,
 * available}`); `partial` takes what is available (> 0) up to the quantity. Units come from
 * warehouses in a fixed order: most available first, ties by warehouse id; each hold records its
 * lines. `Confirm` turns a hold into a sale (on_hand and reserved fall, `sold` rises), `Release`
 * frees it, `Extend` moves its deadline to any instant after `nowMs` and at most `maxHoldMs` ahead
 * (earlier or later: a checkout may shorten it too). A hold whose deadline has passed counts as
 * expired at once, even before the timer has released it: Confirm and Extend are refused with
 * `reservation_expired`, Release still frees it.
 *
 * Idempotency by `reservation_id`. A Reserve replay with the same owner, quantity, mode and
 * warehouse (the deadline is not compared: a retry may restamp it; the first one stands) replies
 * the same hold; other data → `reservation_conflict`. Confirm after Confirm and Release after
 * Release reply the same; Confirm after Release / expiry → `reservation_released` /
 * `reservation_expired`; Release after expiry replies `expired` (the units are free either way);
 * Release after Confirm → `reservation_confirmed`. A Release of an id never held records it
 * (`ReleaseRecorded`), so a Reserve arriving after its own compensation is refused
 * (`reservation_released`) instead of holding stock nobody will confirm. Settled ids are
 * remembered in a bounded log of two generations (see `RecentLog`): each id for at least the next
 * `maxSettled` (10,000) settlements or half of `settledRetentionMs` (12 h), whichever comes first;
 * never more than 2 × 10,000 ids; oldest dropped first, a generation at a time (and a generation
 * whose newest id settled 24 h before a new settlement is dropped then). After that an id is
 * unknown (`reservation_not_found`; a Reserve with it would hold again).
 *
 * Expiry. `nextTimer` is the earliest deadline (first key of the expiry index, O(log n)) with the
 * command `Expire`, which releases holds due at `nowMs`, at most `expirePerCommand` (1,000) per
 * command; the timer stays due and the host fires it again for the rest.
 *
 * Per-user limits. With `per_user_limit` set, a Reserve whose owner would hold + have bought more
 * than the limit (across reservation ids) is refused with `purchase_limit {limit, already}`, in
 * partial mode too (the request as asked must fit). Units bought count only while a limit is set;
 * `SetPurchaseLimit null` forgets them, so a sale's limit counts purchases made during the sale
 * (and what owners hold when it is set). Per-owner usage is not tracked at all without a limit.
 *
 * Events for projections. Every event that changes a count carries `available_after`; the stock
 * status (`out_of_stock` at 0, `low_stock` up to `low_stock_threshold`, else `in_stock`) is
 * published as `StockStatusChanged` only when it changes, so a reservation costs one event.
 * When available goes from 0 to > 0 with subscribers waiting, `BackInStock {subscribers}` is
 * emitted and the list cleared (at most `maxSubscribers`).
 *
 * Invariants (a broken one is a defect): decide checks the numbers it emits (allocations within
 * what is available, stock changes applied to a copy through `evolve`), evolve checks after every
 * event, in O(warehouses): counts are integers ≥ 0, `reserved ≤ on_hand` per warehouse, totals
 * match, Σ on_hand + sold + damaged_total + adjusted_out = received + adjusted_in + returned,
 * and each event's `available_after`. The O(holds) checks (reserved = Σ live hold lines, indexes
 * match) run on every decoded snapshot and in the tests.
 */

export type { SkuState } from "./sku-state.ts"
export * from "./sku-schema.ts"

const validate = ParseResult.validateEither(SkuCommandSchema, { onExcessProperty: "ignore" })
const isSkuId = Schema.is(SkuId)

type SkuDecision = Decision<SkuEvent, SkuReply, SkuRejection>

const notFound = () => reject(new SkuNotFound({ reason: "not_found" }))
const closed = (reason: ReservationClosed["reason"], reservationId: string) => reject(new ReservationClosed({ reason, reservation_id: reservationId }))
const unknownReservation = (reservationId: string) => reject(new ReservationNotFound({ reason: "reservation_not_found", reservation_id: reservationId }))


/** Apply events to a copy of the state: the reply of a non-hot command, and its invariants checked before emitting. */
const applyAll = (state: SkuState, events: ReadonlyArray<SkuEvent>): SkuState => events.reduce(evolveSku, state)
const acceptWithView = (state: SkuState, events: Array<SkuEvent>): SkuDecision => accept(events, viewOf(applyAll(state, events)))

/** Append the stock-status and back-in-stock events a change of the total available implies. */
const signal = (state: SkuState, events: Array<SkuEvent>, before: number, after: number, threshold = state.low_stock_threshold) => {
  const to = statusFor(after, threshold)
  if (to !== state.stock_status) events.push({ _tag: "StockStatusChanged", from: state.stock_status, to, available: after })
  if (before === 0 && after > 0 && state.subscribers.length > 0) events.push({ _tag: "BackInStock", subscribers: state.subscribers, available: after })
}

const voidView = (reservationId: string, available: number): ReservationView => ({
  reservation_id: reservationId,
  owner: "",
  status: "released",
  requested: 0,
  quantity: 0,
  mode: "all_or_nothing",
  lines: [],
  expires_at_ms: 0,
  available
})

const checkDeadline = (expiresAtMs: number, nowMs: number) =>
  expiresAtMs > nowMs && expiresAtMs <= nowMs + skuLimits.maxHoldMs
    ? undefined
    : reject(new InvalidExpiry({ reason: "invalid_expiry", after_ms: nowMs, max_ms: nowMs + skuLimits.maxHoldMs }))

// ---------------------------------------------------------------- decide

export const decideSku = (state: SkuState, command: SkuCommand, nowMs: number): SkuDecision => {
  if (!surelyValidCommand(command)) {
    const valid = validate(command)
    if (valid._tag === "Left") {
      return reject(new InvalidSkuCommand({ reason: "invalid_command", message: ParseResult.TreeFormatter.formatIssueSync(valid.left) }))
    }
  }
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) throw new Error(`sku ${state.sku_id}: nowMs ${nowMs} is not a time`)
  if (command._tag === "Register") return decideRegister(state, command)
  if (state.seller_id === null) return notFound()
  switch (command._tag) {
    case "Get":
      return accept([], viewOf(state))
    case "SetLowStockThreshold": {
      if (command.low_stock_threshold === state.low_stock_threshold) return accept([], viewOf(state))
      const events: Array<SkuEvent> = [{ _tag: "LowStockThresholdSet", low_stock_threshold: command.low_stock_threshold }]
      const available = availableOf(state)
      signal(state, events, available, available, command.low_stock_threshold)
      return acceptWithView(state, events)
    }
    case "SetPurchaseLimit":
      return command.per_user_limit === state.per_user_limit
        ? accept([], viewOf(state))
        : acceptWithView(state, [{ _tag: "PurchaseLimitSet", per_user_limit: command.per_user_limit }])
    case "Reserve":
      return decideReserve(state, command, nowMs)
    case "Confirm":
      return decideConfirm(state, command.reservation_id, nowMs)
    case "Release":
      return decideRelease(state, command.reservation_id, nowMs)
    case "Extend":
      return decideExtend(state, command, nowMs)
    case "Expire":
      return decideExpire(state, nowMs)
    case "GetReservation": {
      const id = command.reservation_id
      const hold = getHold(state, id)
      if (hold !== undefined) return accept([], reservationView(hold, hold.expires_at_ms <= nowMs ? "expired" : "held", availableOf(state)))
      const settled = settledOf(state, id)
      if (settled === undefined || settled.status === "voided") return unknownReservation(id)
      return accept([], reservationView(settled, settled.status, availableOf(state)))
    }
    case "Receive":
    case "Adjust":
    case "SetOnHand":
    case "Damage":
    case "ReturnToStock":
    case "SetInTransit":
      return decideStock(state, command, nowMs)
    case "Subscribe": {
      const available = availableOf(state)
      if (state.subscribers.includes(command.user_id)) return accept([], { user_id: command.user_id, subscribed: true, available })
      if (available > 0) return accept([], { user_id: command.user_id, subscribed: false, available })
      if (state.subscribers.length >= skuLimits.maxSubscribers) return reject(new SubscriberLimit({ reason: "subscriber_limit", limit: skuLimits.maxSubscribers }))
      return accept([{ _tag: "Subscribed", user_id: command.user_id }], { user_id: command.user_id, subscribed: true, available })
    }
    case "Unsubscribe": {
      const reply = { user_id: command.user_id, subscribed: false, available: availableOf(state) }
      return state.subscribers.includes(command.user_id) ? accept([{ _tag: "Unsubscribed", user_id: command.user_id }], reply) : accept([], reply)
    }
  }
}

const decideRegister = (state: SkuState, command: Extract<SkuCommand, { _tag: "Register" }>): SkuDecision => {
  if (!isSkuId(state.sku_id)) return reject(new InvalidSkuCommand({ reason: "invalid_command", message: `actor id "${state.sku_id}" is not a sku id` }))
  const threshold = command.low_stock_threshold
  if (state.seller_id !== null) {
    const same = state.seller_id === command.seller_id && (threshold === undefined || threshold === state.low_stock_threshold)
    return same ? accept([], viewOf(state)) : reject(new SkuAlreadyRegistered({ reason: "already_registered" }))
  }
  const events: Array<SkuEvent> = [{ _tag: "Registered", seller_id: command.seller_id, low_stock_threshold: threshold ?? skuLimits.defaultLowStockThreshold }]
  return acceptWithView(state, events)
}

type ReserveCommand = Extract<SkuCommand, { _tag: "Reserve" }>

const sameReserve = (hold: Hold, c: ReserveCommand) =>
  hold.owner === c.owner && hold.requested === c.quantity && hold.mode === (c.mode ?? "all_or_nothing") && hold.warehouse_id === (c.warehouse_id ?? null)

const decideReserve = (state: SkuState, command: ReserveCommand, nowMs: number): SkuDecision => {
  const id = command.reservation_id
  const live = getHold(state, id)
  if (live !== undefined) {
    if (!sameReserve(live, command)) return reject(new ReservationConflict({ reason: "reservation_conflict", reservation_id: id }))
    if (live.expires_at_ms <= nowMs) return closed("reservation_expired", id)
    return accept([], reservationView(live, "held", availableOf(state)))
  }
  const settled = settledOf(state, id)
  if (settled !== undefined) {
    if (settled.status === "voided") return closed("reservation_released", id)
    if (!sameReserve(settled, command)) return reject(new ReservationConflict({ reason: "reservation_conflict", reservation_id: id }))
    if (settled.status === "confirmed") return accept([], reservationView(settled, "confirmed", availableOf(state)))
    return closed(settled.status === "released" ? "reservation_released" : "reservation_expired", id)
  }
  const badDeadline = checkDeadline(command.expires_at_ms, nowMs)
  if (badDeadline !== undefined) return badDeadline
  if (holdCount(state) >= skuLimits.maxLiveHolds) return reject(new TooManyHolds({ reason: "too_many_holds", limit: skuLimits.maxLiveHolds }))
  const limit = state.per_user_limit
  if (limit !== null) {
    const usage = usageOf(state, command.owner)
    const already = usage === undefined ? 0 : usage.held + usage.bought
    if (already + command.quantity > limit) return reject(new PurchaseLimitReached({ reason: "purchase_limit", limit, already }))
  }
  const mode = command.mode ?? "all_or_nothing"
  const restrict = command.warehouse_id ?? null
  let candidates: ReadonlyArray<WarehouseStock>
  let available: number
  if (restrict === null) {
    candidates = state.warehouses
    available = availableOf(state)
  } else {
    const w = findWarehouse(state, restrict)
    candidates = w === undefined ? [] : [w]
    available = w === undefined ? 0 : w.on_hand - w.reserved
  }
  if (available < command.quantity && (mode === "all_or_nothing" || available === 0)) {
    return reject(new OutOfStock({ reason: "out_of_stock", requested: command.quantity, available }))
  }
  const quantity = Math.min(command.quantity, available)
  const lines = allocate(state, candidates, quantity)
  const before = availableOf(state)
  const after = before - quantity
  const events: Array<SkuEvent> = [
    {
      _tag: "Reserved",
      reservation_id: id,
      owner: command.owner,
      requested: command.quantity,
      quantity,
      mode,
      warehouse_id: restrict,
      lines,
      expires_at_ms: command.expires_at_ms,
      at_ms: nowMs,
      available_after: after
    }
  ]
  signal(state, events, before, after)
  return accept(events, {
    reservation_id: id,
    owner: command.owner,
    status: "held",
    requested: command.quantity,
    quantity,
    mode,
    lines,
    expires_at_ms: command.expires_at_ms,
    available: after
  })
}

const byMostAvailable = (a: WarehouseStock, b: WarehouseStock) => {
  const d = b.on_hand - b.reserved - (a.on_hand - a.reserved)
  return d !== 0 ? d : a.warehouse_id < b.warehouse_id ? -1 : 1
}

/** Take `quantity` units from the candidates, most available first, ties by id; checks what it takes. */
const allocate = (state: SkuState, candidates: ReadonlyArray<WarehouseStock>, quantity: number): ReadonlyArray<Line> => {
  const single = candidates.length === 1 ? candidates[0]! : undefined
  if (single !== undefined && single.on_hand - single.reserved >= quantity) return [{ warehouse_id: single.warehouse_id, quantity }]
  const ordered = candidates.filter((w) => w.on_hand > w.reserved).sort(byMostAvailable)
  const lines: Array<Line> = []
  let left = quantity
  for (const w of ordered) {
    if (left === 0) break
    const take = Math.min(left, w.on_hand - w.reserved)
    lines.push({ warehouse_id: w.warehouse_id, quantity: take })
    left -= take
  }
  if (left !== 0 || quantity < 1) invariantFailed(state, `allocated ${quantity - left} of ${quantity} units checked as available`)
  return lines
}

/** Before emitting a settlement: every line of the hold is covered by its warehouse's reserved count. */
const assertHoldCovered = (state: SkuState, hold: Hold) => {
  for (const line of hold.lines) {
    const w = findWarehouse(state, line.warehouse_id)
    if (w === undefined || w.reserved < line.quantity) invariantFailed(state, `hold ${hold.reservation_id} line ${JSON.stringify(line)} is not reserved`)
  }
}

const settledEvent = <T extends "Confirmed" | "Released" | "ReservationExpired">(state: SkuState, tag: T, hold: Hold, nowMs: number, availableAfter: number) => {
  assertHoldCovered(state, hold)
  return {
    _tag: tag,
    reservation_id: hold.reservation_id,
    owner: hold.owner,
    quantity: hold.quantity,
    lines: hold.lines,
    at_ms: nowMs,
    available_after: availableAfter
  } as EventOf<T>
}

const decideConfirm = (state: SkuState, id: string, nowMs: number): SkuDecision => {
  const hold = getHold(state, id)
  if (hold !== undefined) {
    if (hold.expires_at_ms <= nowMs) return closed("reservation_expired", id)
    // A sale takes the units out of on_hand and reserved alike: available does not change.
    const available = availableOf(state)
    return accept([settledEvent(state, "Confirmed", hold, nowMs, available)], reservationView(hold, "confirmed", available))
  }
  const settled = settledOf(state, id)
  if (settled === undefined) return unknownReservation(id)
  switch (settled.status) {
    case "confirmed":
      return accept([], reservationView(settled, "confirmed", availableOf(state)))
    case "expired":
      return closed("reservation_expired", id)
    case "released":
    case "voided":
      return closed("reservation_released", id)
  }
}

const decideRelease = (state: SkuState, id: string, nowMs: number): SkuDecision => {
  const hold = getHold(state, id)
  const before = availableOf(state)
  if (hold !== undefined) {
    const after = before + hold.quantity
    const events: Array<SkuEvent> = [settledEvent(state, "Released", hold, nowMs, after)]
    signal(state, events, before, after)
    return accept(events, reservationView(hold, "released", after))
  }
  const settled = settledOf(state, id)
  if (settled === undefined) return accept([{ _tag: "ReleaseRecorded", reservation_id: id, at_ms: nowMs }], voidView(id, before))
  switch (settled.status) {
    case "confirmed":
      return closed("reservation_confirmed", id)
    case "voided":
      return accept([], voidView(id, before))
    case "released":
    case "expired":
      return accept([], reservationView(settled, settled.status, before))
  }
}

const decideExtend = (state: SkuState, command: Extract<SkuCommand, { _tag: "Extend" }>, nowMs: number): SkuDecision => {
  const id = command.reservation_id
  const hold = getHold(state, id)
  if (hold !== undefined) {
    if (hold.expires_at_ms <= nowMs) return closed("reservation_expired", id)
    const badDeadline = checkDeadline(command.expires_at_ms, nowMs)
    if (badDeadline !== undefined) return badDeadline
    const available = availableOf(state)
    if (command.expires_at_ms === hold.expires_at_ms) return accept([], reservationView(hold, "held", available))
    return accept(
      [{ _tag: "Extended", reservation_id: id, expires_at_ms: command.expires_at_ms, at_ms: nowMs }],
      reservationView({ ...hold, expires_at_ms: command.expires_at_ms }, "held", available)
    )
  }
  const settled = settledOf(state, id)
  if (settled === undefined) return unknownReservation(id)
  switch (settled.status) {
    case "confirmed":
      return closed("reservation_confirmed", id)
    case "expired":
      return closed("reservation_expired", id)
    case "released":
    case "voided":
      return closed("reservation_released", id)
  }
}

const decideExpire = (state: SkuState, nowMs: number): SkuDecision => {
  const before = availableOf(state)
  let available = before
  const events: Array<SkuEvent> = []
  for (const hold of dueHolds(state, nowMs, skuLimits.expirePerCommand)) {
    available += hold.quantity
    events.push(settledEvent(state, "ReservationExpired", hold, nowMs, available))
  }
  const expired = events.length
  signal(state, events, before, available)
  return accept(events, { expired, available })
}

const appliedRefOf = (command: StockCommand, nowMs: number): AppliedRef => {
  const base = { ref: command.ref, op: command._tag, warehouse_id: command.warehouse_id, at_ms: nowMs, expected: null }
  switch (command._tag) {
    case "Receive":
    case "Damage":
    case "ReturnToStock":
      return { ...base, value: command.quantity }
    case "Adjust":
      return { ...base, value: command.delta }
    case "SetOnHand":
      return { ...base, value: command.on_hand, expected: command.expected_on_hand ?? null }
    case "SetInTransit":
      return { ...base, value: command.in_transit }
  }
}

const decideStock = (state: SkuState, command: StockCommand, nowMs: number): SkuDecision => {
  const applied = appliedRefOf(command, nowMs)
  const prior = refOf(state, command.ref)
  if (prior !== undefined) {
    const same = prior.op === applied.op && prior.warehouse_id === applied.warehouse_id && prior.value === applied.value && prior.expected === applied.expected
    return same ? accept([], viewOf(state)) : reject(new RefConflict({ reason: "ref_conflict", ref: command.ref }))
  }
  const existing = findWarehouse(state, command.warehouse_id)
  if (existing === undefined && state.warehouses.length >= skuLimits.maxWarehouses) {
    return reject(new TooManyWarehouses({ reason: "too_many_warehouses", limit: skuLimits.maxWarehouses }))
  }
  const w = existing ?? emptyWarehouse(command.warehouse_id)
  const moved = { warehouse_id: w.warehouse_id, ref: command.ref, at_ms: nowMs }
  const before = availableOf(state)
  const belowReserved = () => reject(new BelowReserved({ reason: "below_reserved", warehouse_id: w.warehouse_id, on_hand: w.on_hand, reserved: w.reserved }))
  let onHand: number
  let event: SkuEvent
  switch (command._tag) {
    case "SetInTransit":
      // Emitted even when the level does not change: the ref must be remembered.
      return acceptWithView(state, [{ _tag: "InTransitSet", ...moved, in_transit: command.in_transit }])
    case "Receive":
      onHand = w.on_hand + command.quantity
      event = { _tag: "Received", ...moved, quantity: command.quantity, on_hand_after: onHand, available_after: before + command.quantity }
      break
    case "ReturnToStock":
      onHand = w.on_hand + command.quantity
      event = { _tag: "Returned", ...moved, quantity: command.quantity, on_hand_after: onHand, available_after: before + command.quantity }
      break
    case "Adjust":
      onHand = w.on_hand + command.delta
      if (onHand < w.reserved) return belowReserved()
      event = { _tag: "Adjusted", ...moved, delta: command.delta, on_hand_after: onHand, available_after: before + command.delta }
      break
    case "Damage":
      onHand = w.on_hand - command.quantity
      if (onHand < w.reserved) return belowReserved()
      event = { _tag: "Damaged", ...moved, quantity: command.quantity, on_hand_after: onHand, available_after: before - command.quantity }
      break
    case "SetOnHand": {
      const expected = command.expected_on_hand
      if (expected !== undefined && expected !== w.on_hand) {
        return reject(new StockConflict({ reason: "stock_conflict", warehouse_id: w.warehouse_id, on_hand: w.on_hand }))
      }
      onHand = command.on_hand
      if (onHand < w.reserved) return belowReserved()
      const delta = onHand - w.on_hand
      // Emitted even when delta is 0: the ref must be remembered, and the operator's count is worth a record.
      event = { _tag: "OnHandSet", ...moved, delta, expected_on_hand: expected ?? null, on_hand_after: onHand, available_after: before + delta }
      break
    }
  }
  assertWarehouse(state, { ...w, on_hand: onHand })
  const events: Array<SkuEvent> = [event]
  signal(state, events, before, event.available_after)
  return acceptWithView(state, events)
}

// ---------------------------------------------------------------- evolve

/** Per-owner usage is kept only while a per-user limit is set (one map update less per hold otherwise). */
const addUsage = (ops: Array<BookOp>, state: SkuState, owner: string, held: number, bought: number) => {
  if (state.per_user_limit === null) return
  const u = usageOf(state, owner)
  const next = { held: (u?.held ?? 0) + held, bought: (u?.bought ?? 0) + bought }
  if (next.held < 0 || next.bought < 0) invariantFailed(state, `usage of ${owner} would be ${JSON.stringify(next)}`)
  ops.push({ op: "setUsage", owner, usage: next.held === 0 && next.bought === 0 ? undefined : next })
}

const settledLogAdd = (id: string, entry: SettledHold): BookOp => ({
  op: "logAdd",
  log: "settled",
  id,
  entry,
  max: skuLimits.maxSettled,
  retentionMs: skuLimits.settledRetentionMs
})

/** Add `sign × line` to each line's warehouse: reserved always, on_hand too when `sold`. */
const applyLines = (state: SkuState, lines: ReadonlyArray<Line>, sign: 1 | -1, sold: boolean): ReadonlyArray<WarehouseStock> => {
  const out = state.warehouses.slice()
  for (const line of lines) {
    const at = out.findIndex((w) => w.warehouse_id === line.warehouse_id)
    if (at < 0) invariantFailed(state, `line in unknown warehouse ${line.warehouse_id}`)
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) invariantFailed(state, `line ${JSON.stringify(line)}`)
    const w = out[at]!
    const next = { ...w, reserved: w.reserved + sign * line.quantity, on_hand: sold ? w.on_hand + sign * line.quantity : w.on_hand }
    assertWarehouse(state, next)
    out[at] = next
  }
  return out
}

const sumLines = (lines: ReadonlyArray<Line>) => {
  let n = 0
  for (const line of lines) n += line.quantity
  return n
}

const requireRegistered = (state: SkuState, event: SkuEvent) => {
  if (state.seller_id === null) invariantFailed(state, `${event._tag} before Registered`)
}

const checkAvailable = (state: SkuState, event: SkuEvent & { readonly available_after: number }) => {
  if (availableOf(state) !== event.available_after) invariantFailed(state, `${event._tag} says available ${event.available_after}, state has ${availableOf(state)}`)
}

const settle = (state: SkuState, event: EventOf<"Confirmed" | "Released" | "ReservationExpired">): SkuState => {
  const hold = getHold(state, event.reservation_id)
  if (hold === undefined) return invariantFailed(state, `${event._tag} of ${event.reservation_id}, which is not held`)
  if (hold.quantity !== event.quantity || hold.owner !== event.owner || sumLines(event.lines) !== hold.quantity) {
    invariantFailed(state, `${event._tag} of ${event.reservation_id} disagrees with the hold`)
  }
  const sold = event._tag === "Confirmed"
  const status: SettledHold["status"] = sold ? "confirmed" : event._tag === "Released" ? "released" : "expired"
  const q = hold.quantity
  const ops: Array<BookOp> = [{ op: "removeHold", hold }]
  addUsage(ops, state, hold.owner, -q, sold ? q : 0)
  ops.push(settledLogAdd(hold.reservation_id, { ...hold, status, at_ms: event.at_ms }))
  return {
    ...state,
    warehouses: applyLines(state, hold.lines, -1, sold),
    on_hand: sold ? state.on_hand - q : state.on_hand,
    reserved: state.reserved - q,
    counters: sold ? { ...state.counters, sold: state.counters.sold + q } : state.counters,
    book: state.book.update(ops)
  }
}

/** The book with a stock operation's ref remembered. */
const remember = (state: SkuState, applied: AppliedRef) => {
  if (refOf(state, applied.ref) !== undefined) invariantFailed(state, `ref ${applied.ref} applied twice`)
  return state.book.update([{ op: "logAdd", log: "refs", id: applied.ref, entry: applied, max: skuLimits.maxRefs, retentionMs: skuLimits.refRetentionMs }])
}

const moveOnHand = (
  state: SkuState,
  event: EventOf<"Received" | "Adjusted" | "OnHandSet" | "Damaged" | "Returned">,
  delta: number,
  counters: SkuState["counters"],
  applied: Omit<AppliedRef, "ref" | "warehouse_id" | "at_ms">
): SkuState => {
  if (!Number.isSafeInteger(delta) || ("quantity" in event && !(isCount(event.quantity) && event.quantity >= 1))) invariantFailed(state, `${event._tag} moves ${delta}`)
  const w = findWarehouse(state, event.warehouse_id) ?? emptyWarehouse(event.warehouse_id)
  const damaged = event._tag === "Damaged" ? event.quantity : 0
  const next = { ...w, on_hand: w.on_hand + delta, damaged: w.damaged + damaged }
  if (next.on_hand !== event.on_hand_after) invariantFailed(state, `${event._tag} says on_hand ${event.on_hand_after}, warehouse has ${next.on_hand}`)
  assertWarehouse(state, next)
  const moved: SkuState = {
    ...state,
    warehouses: withWarehouse(state.warehouses, next),
    on_hand: state.on_hand + delta,
    counters,
    book: remember(state, { ...applied, ref: event.ref, warehouse_id: event.warehouse_id, at_ms: event.at_ms })
  }
  checkAvailable(moved, event)
  return moved
}

/** Event fields are plain numbers (see sku-schema.ts): the ones that index or bound state are checked here. */
const isTime = (ms: number) => Number.isSafeInteger(ms) && ms >= 0 && ms <= 8.64e15
const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0

const apply = (state: SkuState, event: SkuEvent): SkuState => {
  if (event._tag !== "Registered") requireRegistered(state, event)
  if ("at_ms" in event && !isTime(event.at_ms)) invariantFailed(state, `${event._tag} at ${event.at_ms}`)
  const c = state.counters
  switch (event._tag) {
    case "Registered":
      if (state.seller_id !== null) invariantFailed(state, "Registered twice")
      if (!isCount(event.low_stock_threshold)) invariantFailed(state, `low_stock_threshold ${event.low_stock_threshold}`)
      return { ...state, seller_id: event.seller_id, low_stock_threshold: event.low_stock_threshold }
    case "LowStockThresholdSet":
      if (!isCount(event.low_stock_threshold)) invariantFailed(state, `low_stock_threshold ${event.low_stock_threshold}`)
      return { ...state, low_stock_threshold: event.low_stock_threshold }
    case "PurchaseLimitSet": {
      if (event.per_user_limit !== null && (!isCount(event.per_user_limit) || event.per_user_limit < 1)) invariantFailed(state, `per_user_limit ${event.per_user_limit}`)
      // Lifting the limit forgets what was bought under it; setting one counts what each owner holds (O(holds), rare).
      if (event.per_user_limit === null) return { ...state, per_user_limit: null, book: state.book.update([{ op: "replaceUsage", usage: new Map() }]) }
      if (state.per_user_limit !== null) return { ...state, per_user_limit: event.per_user_limit }
      const usage = usageFromHolds(state.book.read().holds.values())
      return { ...state, per_user_limit: event.per_user_limit, book: state.book.update([{ op: "replaceUsage", usage }]) }
    }
    case "Reserved": {
      const id = event.reservation_id
      if (getHold(state, id) !== undefined || settledOf(state, id) !== undefined) invariantFailed(state, `Reserved ${id} twice`)
      if (holdCount(state) >= skuLimits.maxLiveHolds) invariantFailed(state, `Reserved ${id} beyond ${skuLimits.maxLiveHolds} live holds`)
      const q = event.quantity
      if (!Number.isSafeInteger(q) || q < 1 || q > event.requested || sumLines(event.lines) !== q) invariantFailed(state, `Reserved ${id} with quantity ${q} of ${event.requested}`)
      if (!isTime(event.expires_at_ms)) invariantFailed(state, `Reserved ${id} until ${event.expires_at_ms}`)
      const hold: Hold = {
        reservation_id: id,
        owner: event.owner,
        requested: event.requested,
        quantity: q,
        mode: event.mode,
        warehouse_id: event.warehouse_id,
        lines: event.lines,
        expires_at_ms: event.expires_at_ms,
        created_at_ms: event.at_ms
      }
      const ops: Array<BookOp> = [{ op: "addHold", hold }]
      addUsage(ops, state, event.owner, q, 0)
      const next: SkuState = {
        ...state,
        warehouses: applyLines(state, event.lines, 1, false),
        reserved: state.reserved + q,
        book: state.book.update(ops)
      }
      checkAvailable(next, event)
      return next
    }
    case "Confirmed":
    case "Released":
    case "ReservationExpired": {
      const next = settle(state, event)
      checkAvailable(next, event)
      return next
    }
    case "Extended": {
      const hold = getHold(state, event.reservation_id)
      if (hold === undefined) return invariantFailed(state, `Extended ${event.reservation_id}, which is not held`)
      if (!isTime(event.expires_at_ms)) invariantFailed(state, `Extended ${event.reservation_id} until ${event.expires_at_ms}`)
      return {
        ...state,
        book: state.book.update([
          { op: "removeHold", hold },
          { op: "addHold", hold: { ...hold, expires_at_ms: event.expires_at_ms } }
        ])
      }
    }
    case "ReleaseRecorded": {
      const id = event.reservation_id
      if (getHold(state, id) !== undefined || settledOf(state, id) !== undefined) invariantFailed(state, `ReleaseRecorded for known ${id}`)
      const voided: SettledHold = {
        reservation_id: id,
        owner: "",
        requested: 0,
        quantity: 0,
        mode: "all_or_nothing",
        warehouse_id: null,
        lines: [],
        expires_at_ms: 0,
        created_at_ms: event.at_ms,
        status: "voided",
        at_ms: event.at_ms
      }
      return { ...state, book: state.book.update([settledLogAdd(id, voided)]) }
    }
    case "Received":
      return moveOnHand(state, event, event.quantity, { ...c, received: c.received + event.quantity }, { op: "Receive", value: event.quantity, expected: null })
    case "Returned":
      return moveOnHand(state, event, event.quantity, { ...c, returned: c.returned + event.quantity }, { op: "ReturnToStock", value: event.quantity, expected: null })
    case "Damaged":
      return moveOnHand(state, event, -event.quantity, { ...c, damaged_total: c.damaged_total + event.quantity }, { op: "Damage", value: event.quantity, expected: null })
    case "Adjusted":
      return moveOnHand(state, event, event.delta, adjustCounters(c, event.delta), { op: "Adjust", value: event.delta, expected: null })
    case "OnHandSet": {
      const w = findWarehouse(state, event.warehouse_id)
      if ((w?.on_hand ?? 0) + event.delta !== event.on_hand_after) invariantFailed(state, `OnHandSet delta ${event.delta} does not lead to ${event.on_hand_after}`)
      return moveOnHand(state, event, event.delta, adjustCounters(c, event.delta), { op: "SetOnHand", value: event.on_hand_after, expected: event.expected_on_hand })
    }
    case "InTransitSet": {
      const w = findWarehouse(state, event.warehouse_id) ?? emptyWarehouse(event.warehouse_id)
      const next = { ...w, in_transit: event.in_transit }
      assertWarehouse(state, next)
      return {
        ...state,
        warehouses: withWarehouse(state.warehouses, next),
        book: remember(state, { ref: event.ref, op: "SetInTransit", warehouse_id: event.warehouse_id, value: event.in_transit, expected: null, at_ms: event.at_ms })
      }
    }
    case "StockStatusChanged": {
      const available = availableOf(state)
      if (event.from !== state.stock_status || event.to !== statusFor(available, state.low_stock_threshold) || event.available !== available) {
        invariantFailed(state, `StockStatusChanged ${event.from} → ${event.to} at ${event.available}, state ${state.stock_status} at ${available}`)
      }
      return { ...state, stock_status: event.to }
    }
    case "Subscribed":
      if (state.subscribers.includes(event.user_id)) invariantFailed(state, `${event.user_id} subscribed twice`)
      return { ...state, subscribers: [...state.subscribers, event.user_id] }
    case "Unsubscribed":
      return { ...state, subscribers: state.subscribers.filter((u) => u !== event.user_id) }
    case "BackInStock":
      if (availableOf(state) <= 0 || event.subscribers.length !== state.subscribers.length) invariantFailed(state, "BackInStock without stock or with other subscribers")
      return { ...state, subscribers: [] }
  }
}

const adjustCounters = (c: SkuState["counters"], delta: number): SkuState["counters"] =>
  delta >= 0 ? { ...c, adjusted_in: c.adjusted_in + delta } : { ...c, adjusted_out: c.adjusted_out - delta }

export const evolveSku = (state: SkuState, event: SkuEvent): SkuState => {
  const next = apply(state, event)
  assertInvariants(next)
  return next
}

const expireCommand: SkuCommand = { _tag: "Expire" }

/** The earliest hold deadline, O(1). */
export const nextSkuTimer = (state: SkuState): DurableTimer<SkuCommand> | undefined => {
  const first = earliestHold(state)
  return first === undefined ? undefined : { atMs: first.expires_at_ms, command: expireCommand }
}

export const sku: ActorDefinition<SkuState, SkuCommand, SkuEvent, SkuReply, SkuRejection> = {
  name: "sku",
  state: SkuStateSchema,
  command: SkuCommandSchema,
  event: SkuEventSchema,
  reply: SkuReplySchema,
  rejection: SkuRejectionSchema,
  initialState: emptySku,
  decide: decideSku,
  evolve: evolveSku,
  nextTimer: nextSkuTimer,
  // A snapshot costs O(live holds + remembered ids): the host takes one no sooner than 20,000
  // events and 2 events per entry after the last, so a hot SKU pays a bounded snapshot cost per
  // reservation and recovery replays at most about twice what the snapshot holds.
  // Idle SKUs are snapshotted on passivation anyway.
  snapshotEntries,
  // A hot SKU queues many commands while the shard's append is in flight.
  limits: { mailboxCapacity: 10_000, snapshotEveryEvents: 20_000 }
}
