import { ParseResult, Schema } from "effect"
import {
  type AppliedRef,
  bookOf,
  BookStore,
  emptyBook,
  type Hold,
  type HoldBook,
  RecentLog,
  type SettledHold,
  type Usage,
  usageFromHolds
} from "./hold-book.ts"
import { decodeHolds, decodeSettled, encodeHolds, encodeSettled, HoldColumns, SettledColumns } from "./hold-columns.ts"
import { skuLimits, StockStatus, type ReservationStatus, type SkuView } from "./sku-schema.ts"

export type { AppliedRef, Hold, HoldBook, SettledHold, Usage } from "./hold-book.ts"

/**
 * The SKU actor's state: a small immutable record (stock per warehouse, totals, counters,
 * settings, subscribers), copied on each event, and a `HoldBook` with everything that grows with
 * traffic (live holds by id and by deadline, per-owner usage, the bounded logs of settled
 * reservations and applied stock refs). The book is persistent, like the record: `evolve`
 * returns a new state and older states stay valid (the host keeps one for each snapshot, `decide`
 * applies events to a copy for some replies), yet a reservation costs a `Map.set` and an append
 * rather than copying tree nodes (see hold-book.ts and runtime/versioned.ts).
 *
 * Persisted (snapshots) it is plain records and arrays, holds as columns (hold-columns.ts);
 * decoding validates the shape, rebuilds the indexes and checks every invariant
 * (`assertFullInvariants`), so a snapshot that breaks one is corrupt data.
 */

export interface WarehouseStock {
  readonly warehouse_id: string
  readonly on_hand: number
  readonly reserved: number
  /** Units damaged here (out of on_hand, never sellable). */
  readonly damaged: number
  /** Units on their way here (informational, never sellable). */
  readonly in_transit: number
}

/** Lifetime counters: Σ on_hand + sold + damaged_total + adjusted_out = received + adjusted_in + returned. */
export interface Counters {
  readonly received: number
  readonly adjusted_in: number
  readonly adjusted_out: number
  readonly damaged_total: number
  readonly returned: number
  readonly sold: number
}

export interface SkuState {
  readonly sku_id: string
  readonly seller_id: string | null
  readonly low_stock_threshold: number
  readonly per_user_limit: number | null
  /** The status last published (`StockStatusChanged`); equals `statusFor(available)` after every command. */
  readonly stock_status: StockStatus
  /** Sorted by warehouse_id; small (≤ maxWarehouses), copied on change. */
  readonly warehouses: ReadonlyArray<WarehouseStock>
  /** Σ warehouses.on_hand and Σ warehouses.reserved, kept so availability is O(1). */
  readonly on_hand: number
  readonly reserved: number
  readonly counters: Counters
  /** Live holds, the deadline index, usage per owner (only while `per_user_limit` is set), settled ids and refs. */
  readonly book: HoldBook
  readonly subscribers: ReadonlyArray<string>
}

// ---------------------------------------------------------------- small helpers

export const statusFor = (available: number, threshold: number): StockStatus =>
  available <= 0 ? "out_of_stock" : available <= threshold ? "low_stock" : "in_stock"

export const availableOf = (state: SkuState): number => state.on_hand - state.reserved

export const noCounters: Counters = { received: 0, adjusted_in: 0, adjusted_out: 0, damaged_total: 0, returned: 0, sold: 0 }

export const emptySku = (skuId: string): SkuState => ({
  sku_id: skuId,
  seller_id: null,
  low_stock_threshold: skuLimits.defaultLowStockThreshold,
  per_user_limit: null,
  stock_status: "out_of_stock",
  warehouses: [],
  on_hand: 0,
  reserved: 0,
  counters: noCounters,
  book: emptyBook(),
  subscribers: []
})

export const getHold = (state: SkuState, id: string): Hold | undefined => state.book.read().holds.get(id)
export const holdCount = (state: SkuState): number => state.book.read().holds.size
export const settledCount = (state: SkuState): number => state.book.read().settled.size
export const earliestHold = (state: SkuState): Hold | undefined => state.book.read().expiry.first()
export const settledOf = (state: SkuState, id: string): SettledHold | undefined => state.book.read().settled.get(id)
export const refOf = (state: SkuState, ref: string): AppliedRef | undefined => state.book.read().refs.get(ref)
export const usageOf = (state: SkuState, owner: string): Usage | undefined => state.book.read().usage.get(owner)
/** Live holds whose deadline is ≤ `nowMs`, earliest first, at most `max`. */
export const dueHolds = (state: SkuState, nowMs: number, max: number): Array<Hold> => {
  const due: Array<Hold> = []
  state.book.read().expiry.forEachInOrder((hold) => {
    if (hold.expires_at_ms > nowMs || due.length >= max) return false
    due.push(hold)
    return true
  })
  return due
}
/** Live holds, earliest deadline first (ties by id). */
export const holdsByDeadline = (state: SkuState): Array<Hold> => state.book.read().expiry.toArray()
/** Entries the snapshot holds beyond the fixed fields: what encoding it costs. */
export const snapshotEntries = (state: SkuState): number => {
  const store = state.book.read()
  return store.holds.size + store.settled.size + store.refs.size
}

export const findWarehouse = (state: SkuState, warehouseId: string): WarehouseStock | undefined => {
  for (const w of state.warehouses) if (w.warehouse_id === warehouseId) return w
  return undefined
}

export const emptyWarehouse = (warehouseId: string): WarehouseStock => ({ warehouse_id: warehouseId, on_hand: 0, reserved: 0, damaged: 0, in_transit: 0 })

/** Replace (or insert, keeping the order by id) one warehouse. */
export const withWarehouse = (warehouses: ReadonlyArray<WarehouseStock>, next: WarehouseStock): ReadonlyArray<WarehouseStock> => {
  const out = warehouses.slice()
  const at = out.findIndex((w) => w.warehouse_id >= next.warehouse_id)
  if (at < 0) out.push(next)
  else if (out[at]!.warehouse_id === next.warehouse_id) out[at] = next
  else out.splice(at, 0, next)
  return out
}

// ---------------------------------------------------------------- views

export const viewOf = (state: SkuState): SkuView => {
  let damaged = 0
  let inTransit = 0
  const warehouses = state.warehouses.map((w) => {
    damaged += w.damaged
    inTransit += w.in_transit
    return { ...w, available: w.on_hand - w.reserved }
  })
  return {
    sku_id: state.sku_id,
    seller_id: state.seller_id ?? "",
    warehouses,
    on_hand: state.on_hand,
    reserved: state.reserved,
    available: availableOf(state),
    damaged,
    in_transit: inTransit,
    stock_status: state.stock_status,
    low_stock_threshold: state.low_stock_threshold,
    per_user_limit: state.per_user_limit,
    live_holds: holdCount(state)
  }
}

export const reservationView = (hold: Hold, status: ReservationStatus, available: number) => ({
  reservation_id: hold.reservation_id,
  owner: hold.owner,
  status,
  requested: hold.requested,
  quantity: hold.quantity,
  mode: hold.mode,
  lines: hold.lines,
  expires_at_ms: hold.expires_at_ms,
  available
})

// ---------------------------------------------------------------- invariants (a broken one is a defect)

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0

export const invariantFailed = (state: { readonly sku_id: string }, what: string): never => {
  throw new Error(`sku ${state.sku_id}: invariant broken: ${what}`)
}

export const assertWarehouse = (state: { readonly sku_id: string }, w: WarehouseStock) => {
  if (!isCount(w.on_hand) || !isCount(w.reserved) || !isCount(w.damaged) || !isCount(w.in_transit)) {
    invariantFailed(state, `warehouse ${w.warehouse_id} has a count that is not an integer ≥ 0: ${JSON.stringify(w)}`)
  }
  if (w.reserved > w.on_hand) invariantFailed(state, `warehouse ${w.warehouse_id} reserves ${w.reserved} of ${w.on_hand} on hand`)
}

/** O(warehouses): run after every event. */
export const assertInvariants = (state: SkuState) => {
  let onHand = 0
  let reserved = 0
  let damaged = 0
  let previous = ""
  for (const w of state.warehouses) {
    assertWarehouse(state, w)
    if (w.warehouse_id <= previous) invariantFailed(state, "warehouses not sorted by id")
    previous = w.warehouse_id
    onHand += w.on_hand
    reserved += w.reserved
    damaged += w.damaged
  }
  if (state.warehouses.length > skuLimits.maxWarehouses) invariantFailed(state, `${state.warehouses.length} warehouses`)
  if (onHand !== state.on_hand || reserved !== state.reserved) {
    invariantFailed(state, `totals on_hand ${state.on_hand} reserved ${state.reserved} ≠ Σ warehouses ${onHand} / ${reserved}`)
  }
  const c = state.counters
  if (!isCount(c.received) || !isCount(c.adjusted_in) || !isCount(c.adjusted_out) || !isCount(c.damaged_total) || !isCount(c.returned) || !isCount(c.sold)) {
    invariantFailed(state, `a counter is not an integer ≥ 0: ${JSON.stringify(c)}`)
  }
  if (damaged !== c.damaged_total) invariantFailed(state, `Σ damaged ${damaged} ≠ damaged_total ${c.damaged_total}`)
  const out = state.on_hand + c.sold + c.damaged_total + c.adjusted_out
  const into = c.received + c.adjusted_in + c.returned
  if (out !== into) invariantFailed(state, `conservation: on_hand + sold + damaged + adjusted_out = ${out} ≠ received + adjusted_in + returned = ${into}`)
  if (state.subscribers.length > skuLimits.maxSubscribers) invariantFailed(state, `${state.subscribers.length} subscribers`)
}

/**
 * O(holds): everything `assertInvariants` checks, plus that `reserved` equals the live holds'
 * lines per warehouse, that the deadline index and per-owner usage match the holds, and that the
 * bounded logs are consistent. Run on every decoded snapshot and in the tests; per event it would
 * make each reservation O(n).
 */
export const assertFullInvariants = (state: SkuState) => {
  assertInvariants(state)
  const store = state.book.read()
  if (store.holds.size > skuLimits.maxLiveHolds) invariantFailed(state, `${store.holds.size} live holds`)
  const reservedBy = new Map<string, number>()
  const heldBy = new Map<string, number>()
  for (const [id, hold] of store.holds) {
    if (id !== hold.reservation_id) invariantFailed(state, `hold ${hold.reservation_id} stored under ${id}`)
    if (!isCount(hold.quantity) || hold.quantity < 1 || hold.quantity > hold.requested) invariantFailed(state, `hold ${id} quantity ${hold.quantity} of ${hold.requested}`)
    let sum = 0
    for (const line of hold.lines) {
      if (!isCount(line.quantity) || line.quantity < 1) invariantFailed(state, `hold ${id} line ${JSON.stringify(line)}`)
      sum += line.quantity
      reservedBy.set(line.warehouse_id, (reservedBy.get(line.warehouse_id) ?? 0) + line.quantity)
    }
    if (sum !== hold.quantity) invariantFailed(state, `hold ${id} lines sum to ${sum}, not ${hold.quantity}`)
    if (!store.expiry.has(hold)) invariantFailed(state, `hold ${id} missing from the expiry index`)
    if (store.settled.get(id) !== undefined) invariantFailed(state, `hold ${id} is both live and settled`)
    heldBy.set(hold.owner, (heldBy.get(hold.owner) ?? 0) + hold.quantity)
  }
  if (store.expiry.size !== store.holds.size) invariantFailed(state, "expiry index and holds differ in size")
  for (const w of state.warehouses) {
    if ((reservedBy.get(w.warehouse_id) ?? 0) !== w.reserved) {
      invariantFailed(state, `warehouse ${w.warehouse_id} reserved ${w.reserved} ≠ Σ live hold lines ${reservedBy.get(w.warehouse_id) ?? 0}`)
    }
    reservedBy.delete(w.warehouse_id)
  }
  if (reservedBy.size > 0) invariantFailed(state, `holds in unknown warehouses ${[...reservedBy.keys()].join(",")}`)
  if (state.per_user_limit === null) {
    if (store.usage.size > 0) invariantFailed(state, "usage counted without a per-user limit")
  } else {
    for (const [owner, usage] of store.usage) {
      if (!isCount(usage.held) || !isCount(usage.bought) || usage.held + usage.bought === 0) invariantFailed(state, `usage of ${owner} ${JSON.stringify(usage)}`)
      if ((heldBy.get(owner) ?? 0) !== usage.held) invariantFailed(state, `owner ${owner} holds ${heldBy.get(owner) ?? 0}, usage says ${usage.held}`)
      heldBy.delete(owner)
    }
    if (heldBy.size > 0) invariantFailed(state, `owners without usage ${[...heldBy.keys()].join(",")}`)
  }
  for (const [id] of store.settled.current) if (store.settled.previous.has(id)) invariantFailed(state, `settled ${id} in both generations`)
  for (const [id] of store.refs.current) if (store.refs.previous.has(id)) invariantFailed(state, `ref ${id} in both generations`)
  if (store.settled.current.size > skuLimits.maxSettled || store.settled.previous.size > skuLimits.maxSettled) invariantFailed(state, "settled log over its bound")
  if (store.refs.current.size > skuLimits.maxRefs || store.refs.previous.size > skuLimits.maxRefs) invariantFailed(state, "ref log over its bound")
  if (new Set(state.subscribers).size !== state.subscribers.length) invariantFailed(state, "duplicate subscribers")
  if (state.seller_id === null && (state.warehouses.length > 0 || store.holds.size > 0)) invariantFailed(state, "stock on an unregistered SKU")
}

// ---------------------------------------------------------------- persisted form

const N = Schema.Number
const S = Schema.String
const AppliedRefEncoded = Schema.Struct({
  ref: S,
  op: Schema.Literal("Receive", "Adjust", "SetOnHand", "Damage", "ReturnToStock", "SetInTransit"),
  warehouse_id: S,
  value: N,
  expected: Schema.NullOr(N),
  at_ms: N
})
const RecentLogEncoded = <A, I>(generation: Schema.Schema<A, I>) =>
  Schema.Struct({ previous: generation, current: generation, current_since_ms: N, current_last_ms: N })

/** The snapshot: plain records and arrays; holds (earliest deadline first) and settled reservations (oldest first) as columns. */
export const SkuStateEncoded = Schema.Struct({
  sku_id: S,
  seller_id: Schema.NullOr(S),
  low_stock_threshold: N,
  per_user_limit: Schema.NullOr(N),
  stock_status: StockStatus,
  warehouses: Schema.Array(Schema.Struct({ warehouse_id: S, on_hand: N, reserved: N, damaged: N, in_transit: N })),
  counters: Schema.Struct({ received: N, adjusted_in: N, adjusted_out: N, damaged_total: N, returned: N, sold: N }),
  holds: HoldColumns,
  /** Units bought under the current per-user limit, by owner (held units are derived from `holds`). */
  purchases: Schema.Array(Schema.Struct({ owner: S, bought: N })),
  settled: RecentLogEncoded(SettledColumns),
  refs: RecentLogEncoded(Schema.Array(AppliedRefEncoded)),
  subscribers: Schema.Array(S)
})
export type SkuStateEncoded = typeof SkuStateEncoded.Type

const isSkuState = (u: unknown): u is SkuState => typeof u === "object" && u !== null && typeof (u as SkuState).book?.read === "function"

const byTimeThenId = (idOf: (a: { readonly at_ms: number }) => string) => (a: { readonly at_ms: number }, b: { readonly at_ms: number }) =>
  a.at_ms - b.at_ms || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0)

/** A generation's entries oldest first (ties by id), so that encoding is deterministic. */
const generation = <A extends { readonly at_ms: number }>(map: ReadonlyMap<string, A>, idOf: (a: A) => string): Array<A> =>
  Array.from(map.values()).sort(byTimeThenId(idOf as (a: { readonly at_ms: number }) => string))

const settledId = (s: SettledHold) => s.reservation_id
const refId = (r: AppliedRef) => r.ref

const mapOf = <A>(entries: ReadonlyArray<A>, idOf: (a: A) => string, what: string): Map<string, A> => {
  const map = new Map<string, A>()
  for (const entry of entries) map.set(idOf(entry), entry)
  if (map.size !== entries.length) throw new Error(`duplicate ids in ${what}`)
  return map
}

export const encodeSkuState = (state: SkuState): SkuStateEncoded => {
  const store = state.book.read()
  const holds = store.expiry.toArray()
  const purchases: Array<{ owner: string; bought: number }> = []
  for (const [owner, usage] of store.usage) if (usage.bought > 0) purchases.push({ owner, bought: usage.bought })
  purchases.sort((a, b) => (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0))
  const { settled, refs } = store
  return {
    sku_id: state.sku_id,
    seller_id: state.seller_id,
    low_stock_threshold: state.low_stock_threshold,
    per_user_limit: state.per_user_limit,
    stock_status: state.stock_status,
    warehouses: state.warehouses,
    counters: state.counters,
    holds: encodeHolds(holds),
    purchases,
    settled: {
      previous: encodeSettled(generation(settled.previous, settledId)),
      current: encodeSettled(generation(settled.current, settledId)),
      current_since_ms: settled.currentSinceMs,
      current_last_ms: settled.currentLastMs
    },
    refs: {
      previous: generation(refs.previous, refId),
      current: generation(refs.current, refId),
      current_since_ms: refs.currentSinceMs,
      current_last_ms: refs.currentLastMs
    },
    subscribers: state.subscribers
  }
}

/** Rebuild the in-memory state (indexes, totals, usage) and check every invariant; throws when one is broken. */
export const decodeSkuState = (e: SkuStateEncoded): SkuState => {
  const fail = (what: string) => invariantFailed(e, what)
  if (e.per_user_limit === null && e.purchases.length > 0) fail("purchases stored without a per-user limit")
  let onHand = 0
  let reserved = 0
  for (const w of e.warehouses) {
    onHand += w.on_hand
    reserved += w.reserved
  }
  const store = new BookStore()
  let holds: Array<Hold>
  let settled: RecentLog<SettledHold>
  try {
    holds = decodeHolds(e.holds)
    settled = new RecentLog(
      mapOf(decodeSettled(e.settled.current), settledId, "the settled log"),
      mapOf(decodeSettled(e.settled.previous), settledId, "the settled log"),
      e.settled.current_since_ms,
      e.settled.current_last_ms
    )
    store.refs = new RecentLog(mapOf(e.refs.current, refId, "the ref log"), mapOf(e.refs.previous, refId, "the ref log"), e.refs.current_since_ms, e.refs.current_last_ms)
  } catch (cause) {
    return fail(cause instanceof Error ? cause.message : String(cause))
  }
  store.settled = settled
  for (const hold of holds) {
    if (store.holds.has(hold.reservation_id)) fail(`hold ${hold.reservation_id} is stored twice`)
    if (!Number.isSafeInteger(hold.expires_at_ms) || hold.expires_at_ms < 0) fail(`hold ${hold.reservation_id} deadline ${hold.expires_at_ms}`)
    store.holds.set(hold.reservation_id, hold)
    store.expiry.insert(hold)
  }
  if (e.per_user_limit !== null) {
    try {
      store.usage = usageFromHolds(holds, e.purchases)
    } catch (cause) {
      fail(cause instanceof Error ? cause.message : String(cause))
    }
  }
  const state: SkuState = {
    sku_id: e.sku_id,
    seller_id: e.seller_id,
    low_stock_threshold: e.low_stock_threshold,
    per_user_limit: e.per_user_limit,
    stock_status: e.stock_status,
    warehouses: e.warehouses,
    on_hand: onHand,
    reserved,
    counters: e.counters,
    book: bookOf(store),
    subscribers: e.subscribers
  }
  if (!isCount(state.low_stock_threshold)) fail(`low_stock_threshold ${state.low_stock_threshold}`)
  if (state.per_user_limit !== null && (!isCount(state.per_user_limit) || state.per_user_limit < 1)) fail(`per_user_limit ${state.per_user_limit}`)
  if (state.stock_status !== statusFor(availableOf(state), state.low_stock_threshold)) fail(`stock_status ${state.stock_status} does not match the stock`)
  assertFullInvariants(state)
  return state
}

const validateEncoded = ParseResult.decodeUnknownEither(SkuStateEncoded)

/**
 * The state Schema: plain records and arrays when encoded (`SkuStateEncoded`), a `SkuState` with
 * its hold book when decoded. Decoding (loading a snapshot: rare, untrusted) validates the whole
 * shape and every invariant. Encoding (every few hundred thousand events on a hot SKU, from a
 * state `evolve` has checked) builds the plain form without re-validating it field by field;
 * the encoded side is declared accordingly.
 */
const SkuStateEncodedUnchecked = Schema.declare((u: unknown): u is SkuStateEncoded => typeof u === "object" && u !== null, {
  identifier: "SkuStateEncoded"
})

export const SkuStateSchema = Schema.transformOrFail(SkuStateEncodedUnchecked, Schema.declare(isSkuState, { identifier: "SkuState" }), {
  strict: true,
  decode: (raw, _options, ast) => {
    const shape = validateEncoded(raw)
    if (shape._tag === "Left") return ParseResult.fail(shape.left)
    return ParseResult.try({
      try: () => decodeSkuState(shape.right),
      catch: (cause) => new ParseResult.Type(ast, raw, cause instanceof Error ? cause.message : String(cause))
    })
  },
  encode: (state) => ParseResult.succeed(encodeSkuState(state))
})
