import { describe, expect, it } from "vitest"
import { runRow } from "../../test/support/decider-table.ts"
import { bucketOf, type OpenCheckouts, openCheckouts, openCheckoutsLimits } from "./open-checkouts.ts"

const id = (n: number) => `co_${String(n).padStart(22, "A")}`
const added = (n: number) => ({ _tag: "Added", checkout_id: id(n) })

describe("open-checkouts index", () => {
  it("adds once, removes once, lists oldest first", () => {
    runRow(openCheckouts, { name: "add", given: [], when: { _tag: "Add", checkout_id: id(1) }, then: [added(1)], id: "0" })
    runRow(openCheckouts, { name: "add again", given: [added(1)], when: { _tag: "Add", checkout_id: id(1) }, then: [], id: "0" })
    runRow(openCheckouts, { name: "remove", given: [added(1)], when: { _tag: "Remove", checkout_id: id(1) }, then: [{ _tag: "Removed", checkout_id: id(1) }], id: "0" })
    runRow(openCheckouts, { name: "remove unknown", given: [], when: { _tag: "Remove", checkout_id: id(1) }, then: [], id: "0" })
    runRow(openCheckouts, { name: "list", given: [added(2), added(1)], when: { _tag: "List" }, then: [], reply: { ids: [id(2), id(1)] }, id: "0" })
    runRow(openCheckouts, { name: "not a checkout id", given: [], when: { _tag: "Add", checkout_id: "nope" }, then: { reason: "invalid_command" }, id: "0" })
  })

  it("a full bucket refuses one more", () => {
    const full: OpenCheckouts = { bucket: "0", ids: Array.from({ length: openCheckoutsLimits.maxPerBucket }, (_, i) => id(i)) }
    const decision = openCheckouts.decide(full, { _tag: "Add", checkout_id: id(openCheckoutsLimits.maxPerBucket) }, 0)
    expect(decision).toMatchObject({ _tag: "Reject", rejection: { reason: "bucket_full" } })
  })

  it("buckets spread ids over every bucket and are stable", () => {
    const seen = new Set(Array.from({ length: 500 }, (_, i) => bucketOf(`co_${i.toString(36).padStart(22, "x")}`)))
    expect(seen.size).toBe(openCheckoutsLimits.buckets)
    expect(bucketOf(id(7))).toBe(bucketOf(id(7)))
  })
})
