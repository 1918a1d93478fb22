import { Schema } from "effect"
import type { Hold, SettledHold } from "./hold-book.ts"
import { Line } from "./sku-schema.ts"

/**
 * Holds in a snapshot, as columns: one array per field, entry `i` of every array describing
 * hold `i`. A hot SKU's snapshot is almost all holds, and columns of small integers and short
 * strings encode (and msgpack) several times faster and smaller than one record per hold:
 * times are deltas from the previous entry, owners and warehouses indexes into small lists, and
 * the usual single line of a hold is one warehouse index (its quantity is the hold's).
 * Decoding checks every column's length and every value's type; the state's invariants are
 * checked after (sku-state.ts).
 */

/** Arrays of safe integers / strings, checked in one loop (a Schema.Array of 100,000 numbers parses each element). */
const SafeInts = Schema.declare((u): u is ReadonlyArray<number> => Array.isArray(u) && u.every((n) => Number.isSafeInteger(n)), {
  identifier: "SafeIntegerArray"
})
const Strings = Schema.declare((u): u is ReadonlyArray<string> => Array.isArray(u) && u.every((s) => typeof s === "string"), {
  identifier: "StringArray"
})

export const HoldColumns = Schema.Struct({
  reservation_id: Strings,
  /** Distinct owners; `owner[i]` indexes it. */
  owners: Strings,
  owner: SafeInts,
  requested: SafeInts,
  quantity: SafeInts,
  /** 0 all_or_nothing, 1 partial. */
  mode: SafeInts,
  /** Warehouse names that `restricted` and `line` index. */
  warehouses: Strings,
  /** 0: no restriction; k: restricted to warehouses[k - 1]. */
  restricted: SafeInts,
  /** k ≥ 0: one line of the whole quantity in warehouses[k]; -1: the lines are in `lines`. */
  line: SafeInts,
  lines: Schema.Array(Schema.Struct({ at: Schema.Number, lines: Schema.Array(Line) })),
  /** Delta from the previous entry's deadline (the first: from 0). */
  expires_at_ms: SafeInts,
  /** Delta from the previous entry's creation time (the first: from 0). */
  created_at_ms: SafeInts
})
export type HoldColumns = typeof HoldColumns.Type

const statusCodes = ["confirmed", "released", "expired", "voided"] as const
export const SettledColumns = Schema.Struct({
  ...HoldColumns.fields,
  /** Index into confirmed, released, expired, voided. */
  status: SafeInts,
  /** Delta from the previous entry's settlement time. */
  at_ms: SafeInts
})
export type SettledColumns = typeof SettledColumns.Type

const indexer = () => {
  const names: Array<string> = []
  const index = new Map<string, number>()
  return {
    names,
    of: (name: string): number => {
      let i = index.get(name)
      if (i === undefined) {
        i = names.length
        names.push(name)
        index.set(name, i)
      }
      return i
    }
  }
}

export const encodeHolds = (holds: ReadonlyArray<Hold>): HoldColumns => {
  const n = holds.length
  const owners = indexer()
  const warehouses = indexer()
  const columns = {
    reservation_id: new Array<string>(n),
    owners: owners.names,
    owner: new Array<number>(n),
    requested: new Array<number>(n),
    quantity: new Array<number>(n),
    mode: new Array<number>(n),
    warehouses: warehouses.names,
    restricted: new Array<number>(n),
    line: new Array<number>(n),
    lines: [] as Array<{ at: number; lines: ReadonlyArray<Line> }>,
    expires_at_ms: new Array<number>(n),
    created_at_ms: new Array<number>(n)
  }
  let expires = 0
  let created = 0
  for (let i = 0; i < n; i++) {
    const h = holds[i]!
    columns.reservation_id[i] = h.reservation_id
    columns.owner[i] = owners.of(h.owner)
    columns.requested[i] = h.requested
    columns.quantity[i] = h.quantity
    columns.mode[i] = h.mode === "partial" ? 1 : 0
    columns.restricted[i] = h.warehouse_id === null ? 0 : warehouses.of(h.warehouse_id) + 1
    if (h.lines.length === 1 && h.lines[0]!.quantity === h.quantity) columns.line[i] = warehouses.of(h.lines[0]!.warehouse_id)
    else {
      columns.line[i] = -1
      columns.lines.push({ at: i, lines: h.lines })
    }
    columns.expires_at_ms[i] = h.expires_at_ms - expires
    columns.created_at_ms[i] = h.created_at_ms - created
    expires = h.expires_at_ms
    created = h.created_at_ms
  }
  return columns
}

export const encodeSettled = (entries: ReadonlyArray<SettledHold>): SettledColumns => {
  const status = new Array<number>(entries.length)
  const at = new Array<number>(entries.length)
  let previous = 0
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!
    status[i] = statusCodes.indexOf(e.status)
    at[i] = e.at_ms - previous
    previous = e.at_ms
  }
  return { ...encodeHolds(entries), status, at_ms: at }
}

/** Throws an Error naming the column when the columns do not describe `n` holds. */
export const decodeHolds = (c: HoldColumns): Array<Hold> => {
  const n = c.reservation_id.length
  for (const name of ["owner", "requested", "quantity", "mode", "restricted", "line", "expires_at_ms", "created_at_ms"] as const) {
    if (c[name].length !== n) throw new Error(`hold column ${name} has ${c[name].length} entries, not ${n}`)
  }
  const multi = new Map<number, ReadonlyArray<Line>>()
  for (const m of c.lines) {
    if (c.line[m.at] !== -1 || multi.has(m.at)) throw new Error(`hold lines given for entry ${m.at}, which has its own line`)
    multi.set(m.at, m.lines)
  }
  const name = (list: ReadonlyArray<string>, i: number, what: string): string => {
    const found = list[i]
    if (found === undefined) throw new Error(`hold ${what} index ${i} out of range`)
    return found
  }
  const holds = new Array<Hold>(n)
  let expires = 0
  let created = 0
  for (let i = 0; i < n; i++) {
    expires += c.expires_at_ms[i]!
    created += c.created_at_ms[i]!
    const mode = c.mode[i]
    if (mode !== 0 && mode !== 1) throw new Error(`hold mode ${mode}`)
    const restricted = c.restricted[i]!
    const line = c.line[i]!
    const quantity = c.quantity[i]!
    let lines: ReadonlyArray<Line>
    if (line >= 0) lines = [{ warehouse_id: name(c.warehouses, line, "warehouse"), quantity }]
    else if (line === -1 && multi.has(i)) lines = multi.get(i)!
    else throw new Error(`hold ${i} has no lines`)
    holds[i] = {
      reservation_id: c.reservation_id[i]!,
      owner: name(c.owners, c.owner[i]!, "owner"),
      requested: c.requested[i]!,
      quantity,
      mode: mode === 1 ? "partial" : "all_or_nothing",
      warehouse_id: restricted === 0 ? null : name(c.warehouses, restricted - 1, "warehouse"),
      lines,
      expires_at_ms: expires,
      created_at_ms: created
    }
  }
  return holds
}

export const decodeSettled = (c: SettledColumns): Array<SettledHold> => {
  const holds = decodeHolds(c)
  if (c.status.length !== holds.length || c.at_ms.length !== holds.length) throw new Error("settled columns status / at_ms have the wrong length")
  let at = 0
  return holds.map((h, i) => {
    at += c.at_ms[i]!
    const status = statusCodes[c.status[i]!]
    if (status === undefined) throw new Error(`settled status code ${c.status[i]}`)
    return { ...h, status, at_ms: at }
  })
}
