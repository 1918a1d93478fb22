import { type Store, Versioned } from "../../runtime/versioned.ts"
import { ExpiryIndex } from "./expiry-index.ts"
import type { Line, ReserveMode, StockOp } from "./sku-schema.ts"

/**
 * The large part of a SKU's state, in one `Versioned` store: live holds by id, the same holds by
 * deadline, per-owner usage (only while a per-user limit is set), and the bounded logs of settled
 * reservations and applied stock refs. A reservation on a hot SKU updates the newest version in
 * place (a `Map.set`, an append to the deadline index and one small node), while the older
 * versions the host still holds for snapshots stay readable (see runtime/versioned.ts).
 */

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

/**
 * Recent entries by id, bounded by count and age, dropped a generation at a time: new entries go
 * to `current`; when it holds `max` entries, or its first entry is half the retention older than
 * a new one, it becomes `previous` and the old `previous` is dropped (and so is the closing
 * generation itself when even its newest entry is a whole retention older than the new one).
 * So an entry is remembered for at least the next `max` additions or half the retention,
 * whichever comes first, at most 2 × max entries are kept, and age is checked when entries are
 * added. `previous` is never changed; a rotation replaces the whole record.
 */
export class RecentLog<A extends { readonly at_ms: number }> {
  constructor(
    readonly current: Map<string, A>,
    readonly previous: Map<string, A>,
    /** `at_ms` of the first and of the newest entry of `current` (0 when empty). */
    public currentSinceMs: number,
    public currentLastMs: number
  ) {}

  static empty<A extends { readonly at_ms: number }>(): RecentLog<A> {
    return new RecentLog<A>(new Map(), new Map(), 0, 0)
  }

  get(id: string): A | undefined {
    return this.current.get(id) ?? this.previous.get(id)
  }

  get size(): number {
    return this.current.size + this.previous.size
  }
}

type LogName = "settled" | "refs"

export type BookOp =
  | { readonly op: "addHold"; readonly hold: Hold }
  | { readonly op: "removeHold"; readonly hold: Hold }
  | { readonly op: "setUsage"; readonly owner: string; readonly usage: Usage | undefined }
  | { readonly op: "replaceUsage"; readonly usage: Map<string, Usage> }
  | { readonly op: "logAdd"; readonly log: LogName; readonly id: string; readonly entry: SettledHold | AppliedRef; readonly max: number; readonly retentionMs: number }
  | {
      readonly op: "logRemove"
      readonly log: LogName
      readonly id: string
      readonly entry: SettledHold | AppliedRef
      readonly max: number
      readonly retentionMs: number
      /** `current`'s times before the entry was added. */
      readonly sinceMs: number
      readonly lastMs: number
    }
  | { readonly op: "logReplace"; readonly log: LogName; readonly value: RecentLog<SettledHold> | RecentLog<AppliedRef> }

/** The mutable store behind a `HoldBook`; changed only through `apply`. */
export class BookStore implements Store<BookOp> {
  readonly holds = new Map<string, Hold>()
  readonly expiry = new ExpiryIndex<Hold>()
  usage = new Map<string, Usage>()
  settled = RecentLog.empty<SettledHold>()
  refs = RecentLog.empty<AppliedRef>()

  apply(op: BookOp): BookOp {
    switch (op.op) {
      case "addHold": {
        const hold = op.hold
        if (this.holds.has(hold.reservation_id)) throw new Error(`hold ${hold.reservation_id} added twice`)
        this.holds.set(hold.reservation_id, hold)
        this.expiry.insert(hold)
        return { op: "removeHold", hold }
      }
      case "removeHold": {
        const hold = op.hold
        if (!this.holds.delete(hold.reservation_id) || !this.expiry.remove(hold)) throw new Error(`hold ${hold.reservation_id} removed but not held`)
        return { op: "addHold", hold }
      }
      case "setUsage": {
        const before = this.usage.get(op.owner)
        if (op.usage === undefined) this.usage.delete(op.owner)
        else this.usage.set(op.owner, op.usage)
        return { op: "setUsage", owner: op.owner, usage: before }
      }
      case "replaceUsage": {
        const before = this.usage
        this.usage = op.usage
        return { op: "replaceUsage", usage: before }
      }
      case "logAdd":
        return this.logAdd(op.log, op.id, op.entry, op.max, op.retentionMs)
      case "logRemove": {
        const log = this[op.log]
        log.current.delete(op.id)
        log.currentSinceMs = op.sinceMs
        log.currentLastMs = op.lastMs
        // `logAdd` with the same arguments decides the same way on the same log: no rotation.
        return { op: "logAdd", log: op.log, id: op.id, entry: op.entry, max: op.max, retentionMs: op.retentionMs }
      }
      case "logReplace": {
        const before = this[op.log]
        if (op.log === "settled") this.settled = op.value as RecentLog<SettledHold>
        else this.refs = op.value as RecentLog<AppliedRef>
        return { op: "logReplace", log: op.log, value: before }
      }
    }
  }

  private logAdd(name: LogName, id: string, entry: SettledHold | AppliedRef, max: number, retentionMs: number): BookOp {
    const log = this[name] as RecentLog<SettledHold | AppliedRef>
    const t = entry.at_ms
    const size = log.current.size
    if (size === 0 || (size < max && t - log.currentSinceMs < retentionMs / 2)) {
      const undo: BookOp = { op: "logRemove", log: name, id, entry, max, retentionMs, sinceMs: log.currentSinceMs, lastMs: log.currentLastMs }
      log.current.set(id, entry)
      log.currentSinceMs = size === 0 ? t : log.currentSinceMs
      log.currentLastMs = size === 0 ? t : Math.max(log.currentLastMs, t)
      return undo
    }
    const rotated = new RecentLog(new Map([[id, entry]]), t - log.currentLastMs >= retentionMs ? new Map() : log.current, t, t)
    return this.apply({ op: "logReplace", log: name, value: rotated as RecentLog<SettledHold> | RecentLog<AppliedRef> })
  }
}

/** One version of a SKU's hold collections. */
export type HoldBook = Versioned<BookStore, BookOp>

export const emptyBook = (): HoldBook => Versioned.of<BookStore, BookOp>(new BookStore())

/** A book made of a store filled directly (decoding a snapshot); the store must not be touched afterwards. */
export const bookOf = (store: BookStore): HoldBook => Versioned.of<BookStore, BookOp>(store)

/** Usage from the live holds alone, plus what each owner bought (setting a limit, loading a snapshot). */
export const usageFromHolds = (
  holds: Iterable<Hold>,
  bought: ReadonlyArray<{ readonly owner: string; readonly bought: number }> = []
): Map<string, Usage> => {
  const by = new Map<string, { held: number; bought: number }>()
  for (const hold of holds) {
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
  return by
}
