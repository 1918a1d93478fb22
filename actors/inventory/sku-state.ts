import { HashMap, Option, Order, ParseResult, RedBlackTree, Schema } from "effect"
import { Line, ReserveMode, skuLimits, StockStatus, type ReservationStatus, type SkuView, type StockOp } from "./sku-schema.ts"

/**
 * The SKU actor's state. In memory it is built from Effect's persistent structures, so that
 * `evolve` returns a new state in O(log n) per event while older states stay valid (the host
 * keeps them for snapshots; `decide` applies events to a copy): holds and per-owner usage are
 * `HashMap`s, the expiry index is a `RedBlackTree` keyed `"<expires_at_ms, 16 digits>|<reservation_id>"`,
 * and the bounded logs of settled reservations and stock refs are two generations of `HashMap`s.
 * Persisted (snapshots) it is plain records and arrays; decoding validates the whole shape,
 * rebuilds the indexes and checks every invariant (`assertFullInvariants`), so a snapshot that
 * breaks one is corrupt data.
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

export interface Hold {
  readonly reservation_id: string
  readonly owner: string
  readonly requested: number
  readonly quantity: number
  readonly mode: ReserveMode
  readonly warehouse_id: string | null
  readonly lines: ReadonlyArray<Line>
  readonly expires_at_ms: number
  readonly created_at_ms: number
}

/** A reservation no longer held, kept for retries. `voided`: a Release of an id never held here. */
export interface SettledHold extends Hold {
  readonly status: "confirmed" | "released" | "expired" | "voided"
  readonly at_ms: number
}

/** A stock operation already applied, kept so that a retry with its ref is recognized. */
export interface AppliedRef {
  readonly ref: string
  readonly op: StockOp
  readonly warehouse_id: string
  /** quantity, delta, on_hand or in_transit, by op. */
  readonly value: number
  readonly expected: number | null
  readonly at_ms: number
}

/** Units held (live holds) and bought (confirmed while the per-user limit was set) by one owner. */
export interface Usage {
  readonly held: number
  readonly bought: number
}

/** Usage from the live holds alone (when a limit is set, or a snapshot is loaded). */
export const heldByOwner = (holds: HashMap.HashMap<string, Hold>, bought: ReadonlyArray<{ readonly owner: string; readonly bought: number }> = []) => {
  const by = new Map<string, { held: number; bought: number }>()
  for (const [, hold] of holds) {
    const u = by.get(hold.owner)
    if (u === undefined) by.set(hold.owner, { held: hold.quantity, bought: 0 })
    else u.held += hold.quantity
  }
  for (const p of bought) {
    const u = by.get(p.owner)
    if (u === undefined) by.set(p.owner, { held: 0, bought: p.bought })
    else if (u.bought !== 0) throw new Error(`purchases of ${p.owner} stored twice`)
    else u.bought = p.bought
  }
  return HashMap.mutate(HashMap.empty<string, Usage>(), (m) => {
    for (const [owner, u] of by) HashMap.set(m, owner, u)
  })
}

/**
 * Recent entries by id, bounded by count and age, dropped a generation at a time: new entries go
 * to `current`; when it holds `max` entries, or its first entry is half the retention older than
 * a new one, it becomes `previous` and the old `previous` is dropped (and so is the closing
 * generation itself when even its newest entry is a whole retention older than the new one).
 * So an entry is remembered for at least the next `max` additions or half the retention,
 * whichever comes first, at most 2 × max entries are kept, and age is checked when entries are
 * added. One HashMap insert per addition: a FIFO of single entries (an ordered tree) cost about
 * 4× more per settled reservation.
 */
export interface RecentLog<A extends { readonly at_ms: number }> {
  readonly current: HashMap.HashMap<string, A>
  readonly previous: HashMap.HashMap<string, A>
  /** `at_ms` of the first and of the newest entry of `current` (0 when empty). */
  readonly current_since_ms: number
  readonly current_last_ms: number
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
  readonly holds: HashMap.HashMap<string, Hold>
  /** `expiryKey(expires_at_ms, reservation_id)` → reservation_id, earliest first. */
  readonly expiry: RedBlackTree.RedBlackTree<string, string>
  /** Per owner, only while `per_user_limit` is set (empty otherwise). */
  readonly usage: HashMap.HashMap<string, Usage>
  readonly settled: RecentLog<SettledHold>
  readonly refs: RecentLog<AppliedRef>
  readonly subscribers: ReadonlyArray<string>
}

// ---------------------------------------------------------------- small helpers

export const expiryKey = (expiresAtMs: number, reservationId: string): string => `${String(expiresAtMs).padStart(16, "0")}|${reservationId}`
export const deadlineOfKey = (key: string): number => Number(key.slice(0, 16))

export const statusFor = (available: number, threshold: number): StockStatus =>
  available <= 0 ? "out_of_stock" : available <= threshold ? "low_stock" : "in_stock"

export const availableOf = (state: SkuState): number => state.on_hand - state.reserved

export const noCounters: Counters = { received: 0, adjusted_in: 0, adjusted_out: 0, damaged_total: 0, returned: 0, sold: 0 }

const emptyLog = <A extends { readonly at_ms: number }>(): RecentLog<A> => ({
  current: HashMap.empty(),
  previous: HashMap.empty(),
  current_since_ms: 0,
  current_last_ms: 0
})

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
  holds: HashMap.empty(),
  expiry: RedBlackTree.empty(Order.string),
  usage: HashMap.empty(),
  settled: emptyLog(),
  refs: emptyLog(),
  subscribers: []
})

export const logGet = <A extends { readonly at_ms: number }>(log: RecentLog<A>, id: string): A | undefined => {
  const found = HashMap.get(log.current, id)
  return Option.isSome(found) ? found.value : Option.getOrUndefined(HashMap.get(log.previous, id))
}

export const logSize = <A extends { readonly at_ms: number }>(log: RecentLog<A>): number => HashMap.size(log.current) + HashMap.size(log.previous)

/** Add an entry; its id must be new (callers check: a live hold is never settled, a ref is looked up first). See `RecentLog`. */
export const logAdd = <A extends { readonly at_ms: number }>(
  log: RecentLog<A>,
  id: string,
  entry: A,
  max: number,
  retentionMs: number
): RecentLog<A> => {
  const t = entry.at_ms
  const size = HashMap.size(log.current)
  if (size === 0) return { current: HashMap.set(log.current, id, entry), previous: log.previous, current_since_ms: t, current_last_ms: t }
  if (size < max && t - log.current_since_ms < retentionMs / 2) {
    return { current: HashMap.set(log.current, id, entry), previous: log.previous, current_since_ms: log.current_since_ms, current_last_ms: Math.max(log.current_last_ms, t) }
  }
  return {
    current: HashMap.set(HashMap.empty(), id, entry),
    previous: t - log.current_last_ms >= retentionMs ? HashMap.empty() : log.current,
    current_since_ms: t,
    current_last_ms: t
  }
}

const byTimeThenId = (idOf: (a: { readonly at_ms: number }) => string) => (a: { readonly at_ms: number }, b: { readonly at_ms: number }) =>
  a.at_ms - b.at_ms || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0)

/** A generation's entries oldest first (ties by id), so that encoding is deterministic. */
const generation = <A extends { readonly at_ms: number }>(map: HashMap.HashMap<string, A>, idOf: (a: A) => string): Array<A> =>
  Array.from(HashMap.values(map)).sort(byTimeThenId(idOf as (a: { readonly at_ms: number }) => string))

const mapOf = <A>(entries: ReadonlyArray<A>, idOf: (a: A) => string): HashMap.HashMap<string, A> =>
  HashMap.mutate(HashMap.empty<string, A>(), (m) => {
    for (const entry of entries) HashMap.set(m, idOf(entry), entry)
  })

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
    live_holds: HashMap.size(state.holds)
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
  if (HashMap.size(state.holds) > skuLimits.maxLiveHolds) invariantFailed(state, `${HashMap.size(state.holds)} live holds`)
  if (state.subscribers.length > skuLimits.maxSubscribers) invariantFailed(state, `${state.subscribers.length} subscribers`)
}

/**
 * O(holds): everything `assertInvariants` checks, plus that `reserved` equals the live holds'
 * lines per warehouse, that the expiry index and per-owner usage match the holds, and that the
 * bounded logs are consistent. Run on every decoded snapshot and in the tests; per event it would
 * make each reservation O(n).
 */
export const assertFullInvariants = (state: SkuState) => {
  assertInvariants(state)
  const reservedBy = new Map<string, number>()
  const heldBy = new Map<string, number>()
  for (const [id, hold] of state.holds) {
    if (id !== hold.reservation_id) invariantFailed(state, `hold ${hold.reservation_id} stored under ${id}`)
    if (!isCount(hold.quantity) || hold.quantity < 1 || hold.quantity > hold.requested) invariantFailed(state, `hold ${id} quantity ${hold.quantity} of ${hold.requested}`)
    let sum = 0
    for (const line of hold.lines) {
      if (!isCount(line.quantity) || line.quantity < 1) invariantFailed(state, `hold ${id} line ${JSON.stringify(line)}`)
      sum += line.quantity
      reservedBy.set(line.warehouse_id, (reservedBy.get(line.warehouse_id) ?? 0) + line.quantity)
    }
    if (sum !== hold.quantity) invariantFailed(state, `hold ${id} lines sum to ${sum}, not ${hold.quantity}`)
    if (!RedBlackTree.has(state.expiry, expiryKey(hold.expires_at_ms, id))) invariantFailed(state, `hold ${id} missing from the expiry index`)
    if (logGet(state.settled, id) !== undefined) invariantFailed(state, `hold ${id} is both live and settled`)
    heldBy.set(hold.owner, (heldBy.get(hold.owner) ?? 0) + hold.quantity)
  }
  if (RedBlackTree.size(state.expiry) !== HashMap.size(state.holds)) invariantFailed(state, "expiry index and holds differ in size")
  for (const w of state.warehouses) {
    if ((reservedBy.get(w.warehouse_id) ?? 0) !== w.reserved) {
      invariantFailed(state, `warehouse ${w.warehouse_id} reserved ${w.reserved} ≠ Σ live hold lines ${reservedBy.get(w.warehouse_id) ?? 0}`)
    }
    reservedBy.delete(w.warehouse_id)
  }
  if (reservedBy.size > 0) invariantFailed(state, `holds in unknown warehouses ${[...reservedBy.keys()].join(",")}`)
  if (state.per_user_limit === null) {
    if (HashMap.size(state.usage) > 0) invariantFailed(state, "usage counted without a per-user limit")
  } else {
    for (const [owner, usage] of state.usage) {
      if (!isCount(usage.held) || !isCount(usage.bought) || usage.held + usage.bought === 0) invariantFailed(state, `usage of ${owner} ${JSON.stringify(usage)}`)
      if ((heldBy.get(owner) ?? 0) !== usage.held) invariantFailed(state, `owner ${owner} holds ${heldBy.get(owner) ?? 0}, usage says ${usage.held}`)
      heldBy.delete(owner)
    }
    if (heldBy.size > 0) invariantFailed(state, `owners without usage ${[...heldBy.keys()].join(",")}`)
  }
  for (const [id] of state.settled.current) if (HashMap.has(state.settled.previous, id)) invariantFailed(state, `settled ${id} in both generations`)
  for (const [id] of state.refs.current) if (HashMap.has(state.refs.previous, id)) invariantFailed(state, `ref ${id} in both generations`)
  if (HashMap.size(state.settled.current) > skuLimits.maxSettled || HashMap.size(state.settled.previous) > skuLimits.maxSettled) invariantFailed(state, "settled log over its bound")
  if (HashMap.size(state.refs.current) > skuLimits.maxRefs || HashMap.size(state.refs.previous) > skuLimits.maxRefs) invariantFailed(state, "ref log over its bound")
  if (new Set(state.subscribers).size !== state.subscribers.length) invariantFailed(state, "duplicate subscribers")
  if (state.seller_id === null && (state.warehouses.length > 0 || HashMap.size(state.holds) > 0)) invariantFailed(state, "stock on an unregistered SKU")
}

// ---------------------------------------------------------------- persisted form

const N = Schema.Number
const S = Schema.String
const HoldFields = {
  reservation_id: S,
  owner: S,
  requested: N,
  quantity: N,
  mode: ReserveMode,
  warehouse_id: Schema.NullOr(S),
  lines: Schema.Array(Line),
  expires_at_ms: N,
  created_at_ms: N
}
const SettledHoldEncoded = Schema.Struct({ ...HoldFields, status: Schema.Literal("confirmed", "released", "expired", "voided"), at_ms: N })
const AppliedRefEncoded = Schema.Struct({
  ref: S,
  op: Schema.Literal("Receive", "Adjust", "SetOnHand", "Damage", "ReturnToStock", "SetInTransit"),
  warehouse_id: S,
  value: N,
  expected: Schema.NullOr(N),
  at_ms: N
})
const RecentLogEncoded = <A, I>(entry: Schema.Schema<A, I>) =>
  Schema.Struct({ previous: Schema.Array(entry), current: Schema.Array(entry), current_since_ms: N, current_last_ms: N })

/** The snapshot: plain records and arrays (holds earliest deadline first, log generations oldest first). */
export const SkuStateEncoded = Schema.Struct({
  sku_id: S,
  seller_id: Schema.NullOr(S),
  low_stock_threshold: N,
  per_user_limit: Schema.NullOr(N),
  stock_status: StockStatus,
  warehouses: Schema.Array(Schema.Struct({ warehouse_id: S, on_hand: N, reserved: N, damaged: N, in_transit: N })),
  counters: Schema.Struct({ received: N, adjusted_in: N, adjusted_out: N, damaged_total: N, returned: N, sold: N }),
  holds: Schema.Array(Schema.Struct(HoldFields)),
  /** Units bought under the current per-user limit, by owner (held units are derived from `holds`). */
  purchases: Schema.Array(Schema.Struct({ owner: S, bought: N })),
  settled: RecentLogEncoded(SettledHoldEncoded),
  refs: RecentLogEncoded(AppliedRefEncoded),
  subscribers: Schema.Array(S)
})
export type SkuStateEncoded = typeof SkuStateEncoded.Type

const isSkuState = (u: unknown): u is SkuState =>
  typeof u === "object" && u !== null && HashMap.isHashMap((u as SkuState).holds) && RedBlackTree.isRedBlackTree((u as SkuState).expiry)

const settledId = (s: SettledHold) => s.reservation_id
const refId = (r: AppliedRef) => r.ref

interface EncodedLog<A> {
  readonly previous: ReadonlyArray<A>
  readonly current: ReadonlyArray<A>
  readonly current_since_ms: number
  readonly current_last_ms: number
}
const encodeLog = <A extends { readonly at_ms: number }>(log: RecentLog<A>, idOf: (a: A) => string): EncodedLog<A> => ({
  previous: generation(log.previous, idOf),
  current: generation(log.current, idOf),
  current_since_ms: log.current_since_ms,
  current_last_ms: log.current_last_ms
})
const decodeLog = <A extends { readonly at_ms: number }>(log: EncodedLog<A>, idOf: (a: A) => string): RecentLog<A> => ({
  previous: mapOf(log.previous, idOf),
  current: mapOf(log.current, idOf),
  current_since_ms: log.current_since_ms,
  current_last_ms: log.current_last_ms
})

export const encodeSkuState = (state: SkuState): SkuStateEncoded => {
  const holds: Array<Hold> = []
  for (const id of RedBlackTree.values(state.expiry)) holds.push(HashMap.unsafeGet(state.holds, id))
  const purchases: Array<{ owner: string; bought: number }> = []
  for (const [owner, usage] of state.usage) if (usage.bought > 0) purchases.push({ owner, bought: usage.bought })
  purchases.sort((a, b) => (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0))
  return {
    sku_id: state.sku_id,
    seller_id: state.seller_id,
    low_stock_threshold: state.low_stock_threshold,
    per_user_limit: state.per_user_limit,
    stock_status: state.stock_status,
    warehouses: state.warehouses,
    counters: state.counters,
    holds,
    purchases,
    settled: encodeLog(state.settled, settledId),
    refs: encodeLog(state.refs, refId),
    subscribers: state.subscribers
  }
}

/** Rebuild the in-memory state (indexes, totals, usage) and check every invariant; throws when one is broken. */
export const decodeSkuState = (e: SkuStateEncoded): SkuState => {
  const fail = (what: string) => invariantFailed(e, what)
  let expiry = RedBlackTree.empty<string, string>(Order.string)
  for (const hold of e.holds) expiry = RedBlackTree.insert(expiry, expiryKey(hold.expires_at_ms, hold.reservation_id), hold.reservation_id)
  if (e.per_user_limit === null && e.purchases.length > 0) fail("purchases stored without a per-user limit")
  let onHand = 0
  let reserved = 0
  for (const w of e.warehouses) {
    onHand += w.on_hand
    reserved += w.reserved
  }
  const holds = mapOf(e.holds, (h) => h.reservation_id)
  if (HashMap.size(holds) !== e.holds.length) fail("a hold is stored twice")
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
    holds,
    expiry,
    usage: e.per_user_limit === null ? HashMap.empty() : heldByOwner(holds, e.purchases),
    settled: decodeLog(e.settled, settledId),
    refs: decodeLog(e.refs, refId),
    subscribers: e.subscribers
  }
  if (!isCount(state.low_stock_threshold)) fail(`low_stock_threshold ${state.low_stock_threshold}`)
  if (state.per_user_limit !== null && (!isCount(state.per_user_limit) || state.per_user_limit < 1)) fail(`per_user_limit ${state.per_user_limit}`)
  if (state.stock_status !== statusFor(availableOf(state), state.low_stock_threshold)) fail(`stock_status ${state.stock_status} does not match the stock`)
  if (logSize(state.settled) !== e.settled.previous.length + e.settled.current.length || logSize(state.refs) !== e.refs.previous.length + e.refs.current.length) {
    fail("duplicate ids in a recent log")
  }
  assertFullInvariants(state)
  return state
}

const validateEncoded = ParseResult.decodeUnknownEither(SkuStateEncoded)

/**
 * The state Schema: plain records and arrays when encoded (`SkuStateEncoded`), persistent
 * structures when decoded. Decoding (loading a snapshot: rare, untrusted) validates the whole
 * shape and every invariant. Encoding (every `snapshotEveryEvents` on a hot SKU, from a state
 * `evolve` has checked) builds the plain form without re-validating it field by field, which
 * cost 5–10× the encoding itself for 30,000 holds; the encoded side is declared accordingly.
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
