import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { recentlyViewedLimits } from "./fields.ts"
import { recentlyViewed, type RecentlyViewed } from "./recently-viewed.ts"

const uid = "u_AAAAAAAAAAAAAAAAAAAAAA"
const at = (n: number) => `2025-01-31T12:${String(Math.floor(n / 60) % 60).padStart(2, "0")}:${String(n % 60).padStart(2, "0")}Z`
const view = (p: number, t: number) => ({ product_id: `p_${p}`, at: at(t) })
const viewed = (p: number, t: number) => ({ _tag: "Viewed", ...view(p, t) })

const rows: ReadonlyArray<DeciderRow> = [
  { name: "Get an empty list", given: [], when: { _tag: "Get" }, then: [], reply: { user_id: uid, items: [] } },
  { name: "Viewed", given: [], when: viewed(1, 1), then: [viewed(1, 1)], reply: { items: [view(1, 1)] } },
  { name: "Viewed puts the product first", given: [viewed(1, 1), viewed(2, 2)], when: viewed(3, 3), then: [viewed(3, 3)], reply: { items: [view(3, 3), view(2, 2), view(1, 1)] } },
  { name: "Viewed again moves it to the front (no duplicate)", given: [viewed(1, 1), viewed(2, 2)], when: viewed(1, 3), then: [viewed(1, 3)], reply: { items: [view(1, 3), view(2, 2)] } },
  { name: "The same view again (retry) → no events", given: [viewed(1, 1), viewed(2, 2)], when: viewed(2, 2), then: [] },
  {
    name: "Viewed a 51st product forgets the least recent",
    given: Array.from({ length: recentlyViewedLimits.maxItems }, (_, i) => viewed(i, i)),
    when: viewed(100, 100),
    then: [viewed(100, 100)],
    reply: { items: [view(100, 100), ...Array.from({ length: recentlyViewedLimits.maxItems - 1 }, (_, i) => view(49 - i, 49 - i))] }
  },
  { name: "Viewed with a malformed product id → invalid_command", given: [], when: { _tag: "Viewed", product_id: "", at: at(1) }, then: { reason: "invalid_command" } },
  { name: "Viewed with a malformed time → invalid_command", given: [], when: { _tag: "Viewed", product_id: "p_1", at: "now" }, then: { reason: "invalid_command" } },
  { name: "An unknown command → invalid_command", given: [], when: { _tag: "Forget" }, then: { reason: "invalid_command" } }
]

describe("recently-viewed decider", () => {
  for (const row of rows) it(row.name, () => void runRow(recentlyViewed, row, uid))

  it("any sequence keeps the list bounded, duplicate-free and most recent first", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 300 }), (products) => {
        let state: RecentlyViewed = recentlyViewed.initialState(uid)
        products.forEach((p, t) => {
          const d = recentlyViewed.decide(state, { _tag: "Viewed", ...view(p, t) }, 0)
          if (d._tag === "Reject") throw new Error(JSON.stringify(d.rejection))
          for (const e of d.events) state = recentlyViewed.evolve(state, e)
          expect(state.items[0]).toEqual(view(p, t))
          expect(state.items.length).toBeLessThanOrEqual(recentlyViewedLimits.maxItems)
          expect(new Set(state.items.map((i) => i.product_id)).size).toBe(state.items.length)
        })
        // Exactly the last distinct products viewed, most recent first.
        const expected: Array<string> = []
        for (const p of [...products].reverse()) if (!expected.includes(`p_${p}`)) expected.push(`p_${p}`)
        expect(state.items.map((i) => i.product_id)).toEqual(expected.slice(0, recentlyViewedLimits.maxItems))
      }),
      { numRuns: 200 }
    )
  })
})
