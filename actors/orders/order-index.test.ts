import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type DeciderRow, runRow } from "../../test/support/decider-table.ts"
import { order, type Order } from "./order.ts"
import { decodeCursor, encodeCursor, indexEntryOf, type OrderIndex, orderIndex, type OrderIndexEntry, orderIndexLimits, type OrderIndexReply } from "./order-index.ts"
import { orderId, states } from "./order-fixtures.ts"

const uid = "u_AAAAAAAAAAAAAAAAAAAA"
const oid = (n: number) => `ord_${String(n).padStart(16, "0")}`
const iso = (ms: number) => new Date(ms).toISOString()
const entry = (n: number, createdMs = n * 1000, version = 1, status: OrderIndexEntry["status"] = "placed"): OrderIndexEntry => ({
  order_id: oid(n) as OrderIndexEntry["order_id"],
  status,
  total: 1_000 + n,
  currency: "INR",
  created_at: iso(createdMs) as OrderIndexEntry["created_at"],
  item_count: 1,
  version
})
const recorded = (e: OrderIndexEntry) => ({ _tag: "Recorded" as const, entry: e })
const row = ({ version: _v, ...rest }: OrderIndexEntry) => rest

const rows: ReadonlyArray<DeciderRow> = [
  { name: "Record a new order", given: [], when: { _tag: "Record", entry: entry(1) }, then: [recorded(entry(1))], reply: { _tag: "Recorded", order_id: oid(1) } },
  { name: "Record a newer version of an order", given: [recorded(entry(1))], when: { _tag: "Record", entry: entry(1, 1000, 2, "fulfilling") }, then: [recorded(entry(1, 1000, 2, "fulfilling"))] },
  { name: "Record an older version (late) → no events", given: [recorded(entry(1, 1000, 3, "shipped"))], when: { _tag: "Record", entry: entry(1, 1000, 2, "fulfilling") }, then: [] },
  { name: "Record the same version again → no events", given: [recorded(entry(1))], when: { _tag: "Record", entry: entry(1) }, then: [] },
  { name: "Record with a created_at not in toISOString form → invalid_command", given: [], when: { _tag: "Record", entry: { ...entry(1), created_at: "2025-01-01T00:00:00Z" } }, then: { reason: "invalid_command" } },
  { name: "List an empty index", given: [], when: { _tag: "List", cursor: null, limit: 20 }, then: [], reply: { _tag: "Page", orders: [], next_cursor: null } },
  {
    name: "List newest first, then the next page from the cursor",
    given: [recorded(entry(1)), recorded(entry(3)), recorded(entry(2))],
    when: { _tag: "List", cursor: null, limit: 2 },
    then: [],
    reply: { _tag: "Page", orders: [row(entry(3)), row(entry(2))], next_cursor: encodeCursor(entry(2)) }
  },
  {
    name: "List from a cursor: the last page has next_cursor null",
    given: [recorded(entry(1)), recorded(entry(3)), recorded(entry(2))],
    when: { _tag: "List", cursor: encodeCursor(entry(2)), limit: 2 },
    then: [],
    reply: { _tag: "Page", orders: [row(entry(1))], next_cursor: null }
  },
  {
    name: "Orders placed in the same millisecond are ordered by id",
    given: [recorded(entry(1, 5000)), recorded(entry(2, 5000))],
    when: { _tag: "List", cursor: null, limit: 10 },
    then: [],
    reply: { orders: [row(entry(2, 5000)), row(entry(1, 5000))] }
  },
  { name: "List with a cursor this index did not make → invalid_cursor", given: [], when: { _tag: "List", cursor: "bm9wZQ", limit: 10 }, then: { reason: "invalid_cursor" } },
  { name: "List with limit 0 → invalid_command", given: [], when: { _tag: "List", cursor: null, limit: 0 }, then: { reason: "invalid_command" } },
  { name: "List with limit 101 → invalid_command", given: [], when: { _tag: "List", cursor: null, limit: 101 }, then: { reason: "invalid_command" } }
]

describe("order index", () => {
  for (const r of rows) it(r.name, () => runRow(orderIndex, r, uid))

  it("keeps the newest maxOrders orders; an older new order on a full index is not recorded", () => {
    let state: OrderIndex = orderIndex.initialState(uid)
    for (let n = 1; n <= orderIndexLimits.maxOrders + 1; n++) state = orderIndex.evolve(state, recorded(entry(n)))
    expect(state.orders.length).toBe(orderIndexLimits.maxOrders)
    expect(state.orders.at(-1)!.order_id).toBe(oid(2))
    const old = orderIndex.decide(state, { _tag: "Record", entry: entry(0) }, 0)
    expect(old).toMatchObject({ _tag: "Accept", events: [] })
  })

  it("cursors round-trip and refuse tampering", () => {
    const cursor = encodeCursor(entry(7))
    expect(decodeCursor(cursor)).toEqual({ created_at: entry(7).created_at, order_id: oid(7) })
    expect(decodeCursor(`${cursor}A`)).toBeUndefined()
    expect(decodeCursor(Buffer.from("2025-01-01T00:00:00.000Z|nope").toString("base64url"))).toBeUndefined()
  })

  it("walking the pages lists every order once, newest first, whatever the page size", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 500 }), { maxLength: 60 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 7 }), (ns, limit, sameMs) => {
        let state: OrderIndex = orderIndex.initialState(uid)
        for (const n of ns) state = orderIndex.evolve(state, recorded(entry(n, Math.floor(n / sameMs) * 1000)))
        const seen: Array<string> = []
        let cursor: string | null = null
        for (let pages = 0; pages <= ns.length + 1; pages++) {
          const decision = orderIndex.decide(state, { _tag: "List", cursor, limit }, 0)
          if (decision._tag !== "Accept") throw new Error("rejected")
          const page = decision.reply as Extract<OrderIndexReply, { _tag: "Page" }>
          seen.push(...page.orders.map((o) => o.order_id))
          cursor = page.next_cursor
          if (cursor === null) break
        }
        expect(cursor).toBeNull()
        expect(seen).toEqual(state.orders.map((o) => o.order_id))
        expect(new Set(seen).size).toBe(ns.length)
      })
    )
  })

  it("indexEntryOf takes an order's summary with its timeline length as version", () => {
    const delivered = states.delivered.reduce(order.evolve, order.initialState(orderId)) as Order
    expect(indexEntryOf(delivered)).toEqual({ order_id: orderId, status: "delivered", total: 11_400, currency: "INR", created_at: delivered.created_at, item_count: 3, version: 4 })
  })
})
