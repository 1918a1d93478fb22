import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ExpiryIndex } from "./expiry-index.ts"

/** The chunked index against a sorted array, over inserts (in order and not) and removals. */
describe("ExpiryIndex", () => {
  it("keeps entries ordered by deadline then id, across chunk splits and removals", () => {
    const op = fc.oneof(
      { weight: 3, arbitrary: fc.record({ kind: fc.constant("append" as const), gap: fc.integer({ min: 0, max: 3 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("insert" as const), at: fc.integer({ min: 0, max: 5_000 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("removeFirst" as const) }) }
    )
    fc.assert(
      fc.property(fc.array(op, { minLength: 1_000, maxLength: 3_000 }), (ops) => {
        const index = new ExpiryIndex<{ reservation_id: string; expires_at_ms: number }>()
        let model: Array<{ reservation_id: string; expires_at_ms: number }> = []
        let last = 0
        let n = 0
        const cmp = (a: { reservation_id: string; expires_at_ms: number }, b: { reservation_id: string; expires_at_ms: number }) =>
          a.expires_at_ms - b.expires_at_ms || (a.reservation_id < b.reservation_id ? -1 : a.reservation_id > b.reservation_id ? 1 : 0)
        for (const o of ops) {
          if (o.kind === "append" || o.kind === "insert") {
            const at = o.kind === "append" ? (last += o.gap) : o.at
            const hold = { reservation_id: `r${(n++).toString().padStart(5, "0")}`, expires_at_ms: at }
            index.insert(hold)
            model.push(hold)
            model.sort(cmp)
          } else if (model.length > 0) {
            const victim = o.kind === "removeFirst" ? model[0]! : model[o.pick % model.length]!
            expect(index.remove({ ...victim })).toBe(true)
            expect(index.remove(victim)).toBe(false)
            model = model.filter((h) => h !== victim)
          }
          expect(index.size).toBe(model.length)
          expect(index.first()).toBe(model[0])
        }
        expect(index.toArray()).toEqual(model)
        for (const h of model) expect(index.has(h)).toBe(true)
        expect(index.has({ reservation_id: "nope", expires_at_ms: 1 })).toBe(false)
      }),
      { numRuns: 30 }
    )
  })
})
