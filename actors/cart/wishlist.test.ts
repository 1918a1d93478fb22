import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { wishlistLimits } from "./fields.ts"
import { type Wishlist, wishlist, type WishlistCommand } from "./wishlist.ts"

const uid = "u_AAAAAAAAAAAAAAAAAAAAAA"
const at = (n: number) => `2025-01-31T12:00:${String(n % 60).padStart(2, "0")}.000Z`
const entry = (n: number) => ({ sku_id: `sku_${n}`, product_id: `p_${n}`, added_at: at(n) })
const added = (n: number) => ({ _tag: "Added", ...entry(n) })
const full = Array.from({ length: wishlistLimits.maxItems }, (_, i) => added(i))

const rows: ReadonlyArray<DeciderRow> = [
  { name: "Get an empty wishlist", given: [], when: { _tag: "Get" }, then: [], reply: { user_id: uid, items: [] } },
  { name: "Get lists newest first", given: [added(1), added(2), added(3)], when: { _tag: "Get" }, then: [], reply: { items: [entry(3), entry(2), entry(1)] } },
  { name: "Add", given: [], when: { _tag: "Add", ...entry(1) }, then: [added(1)], reply: { items: [entry(1)] } },
  { name: "Add puts the new item first", given: [added(1)], when: { _tag: "Add", ...entry(2) }, then: [added(2)], reply: { items: [entry(2), entry(1)] } },
  { name: "Add again → no events, keeps the first add and its place", given: [added(1), added(2)], when: { _tag: "Add", ...entry(1), added_at: at(59) }, then: [], reply: { items: [entry(2), entry(1)] } },
  { name: "Add the 500th item", given: full.slice(0, wishlistLimits.maxItems - 1), when: { _tag: "Add", ...entry(1000) }, then: [added(1000)] },
  { name: "Add a 501st item → wishlist_limit", given: full, when: { _tag: "Add", ...entry(1000) }, then: { reason: "wishlist_limit", limit: 500 } },
  { name: "Add an item already in a full wishlist → no events", given: full, when: { _tag: "Add", ...entry(7) }, then: [] },
  { name: "Add with a malformed sku_id → invalid_command", given: [], when: { _tag: "Add", ...entry(1), sku_id: "x" }, then: { reason: "invalid_command" } },
  { name: "Add with a malformed added_at → invalid_command", given: [], when: { _tag: "Add", ...entry(1), added_at: "yesterday" }, then: { reason: "invalid_command" } },
  { name: "Remove", given: [added(1), added(2)], when: { _tag: "Remove", sku_id: "sku_1" }, then: [{ _tag: "Removed", sku_id: "sku_1" }], reply: { items: [entry(2)] } },
  { name: "Remove an item not there → no events", given: [added(2)], when: { _tag: "Remove", sku_id: "sku_1" }, then: [] },
  { name: "Remove makes room in a full wishlist", given: [...full, { _tag: "Removed", sku_id: "sku_0" }], when: { _tag: "Add", ...entry(1000) }, then: [added(1000)] },
  { name: "An unknown command → invalid_command", given: [], when: { _tag: "Clear" }, then: { reason: "invalid_command" } }
]

describe("wishlist decider", () => {
  for (const row of rows) it(row.name, () => void runRow(wishlist, row, uid))

  it("evolve refuses a duplicate or a 501st item", () => {
    const one = wishlist.evolve(wishlist.initialState(uid), added(1) as never)
    expect(() => wishlist.evolve(one, added(1) as never)).toThrow(/duplicate/)
    const fullState = full.reduce((s: Wishlist, e) => wishlist.evolve(s, e as never), wishlist.initialState(uid))
    expect(() => wishlist.evolve(fullState, added(1000) as never)).toThrow(/501 items/)
  })

  it("any sequence keeps the list bounded, duplicate-free and newest first", () => {
    const limit = wishlistLimits.maxItems
    const command = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: limit + 40 }).map((n): WishlistCommand => ({ _tag: "Add", ...entry(n) })) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: limit + 40 }).map((n): WishlistCommand => ({ _tag: "Remove", sku_id: `sku_${n}` })) }
    )
    fc.assert(
      fc.property(fc.array(command, { minLength: 0, maxLength: 800 }), (commands) => {
        let state = wishlist.initialState(uid)
        const order: Array<string> = []
        for (const c of commands) {
          const d = wishlist.decide(state, c, 0)
          if (d._tag === "Reject") {
            expect(d.rejection.reason).toBe("wishlist_limit")
            expect(state.items.length).toBe(limit)
            continue
          }
          for (const e of d.events) state = wishlist.evolve(state, e)
          expect(d.reply).toEqual(state)
          if (c._tag === "Add" && !order.includes(c.sku_id)) order.unshift(c.sku_id)
          if (c._tag === "Remove" && order.includes(c.sku_id)) order.splice(order.indexOf(c.sku_id), 1)
          expect(state.items.length).toBeLessThanOrEqual(limit)
          expect(new Set(state.items.map((i) => i.sku_id)).size).toBe(state.items.length)
        }
        expect(state.items.map((i) => i.sku_id)).toEqual(order)
      }),
      { numRuns: 50 }
    )
  })
})
