import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type DeciderRow, runRow } from "../../test/support/decider-table.ts"
import { countsOf, maxWindowMs, type RiskCounter, riskCounter, type RiskCounterEvent, riskCounterKey, riskCounterLimits } from "./counters.ts"

const key = riskCounterKey.card("fp_abc123")
const minute = riskCounterLimits.bucketMs
const T = 1_700_000_000_000 - (1_700_000_000_000 % minute)
const recorded = (id: string, outcome: "attempt" | "decline", atMs: number, small = false): RiskCounterEvent => ({ _tag: "Recorded", event_id: id, outcome, small, at_ms: atMs })

const rows: ReadonlyArray<DeciderRow> = [
  { name: "Record an attempt", given: [], nowMs: T, when: { _tag: "Record", event_id: "co_1:attempt", outcome: "attempt", small: false }, then: [recorded("co_1:attempt", "attempt", T)], reply: { key, attempts: 1, declines: 0, small_declines: 0 } },
  { name: "Record a small decline", given: [], nowMs: T, when: { _tag: "Record", event_id: "co_1:decline", outcome: "decline", small: true }, then: [recorded("co_1:decline", "decline", T, true)], reply: { declines: 1, small_declines: 1 } },
  { name: "Record the same event again → no events", given: [recorded("co_1:attempt", "attempt", T)], nowMs: T + 5, when: { _tag: "Record", event_id: "co_1:attempt", outcome: "attempt", small: false }, then: [], reply: { attempts: 1 } },
  {
    name: "Count over the last 10 minutes leaves out older buckets",
    given: [recorded("a", "attempt", T), recorded("b", "attempt", T + 20 * minute), recorded("c", "decline", T + 25 * minute, true)],
    nowMs: T + 25 * minute + 1,
    when: { _tag: "Count", window_ms: 10 * minute },
    then: [],
    reply: { attempts: 1, declines: 1, small_declines: 1, window_ms: 10 * minute }
  },
  {
    name: "Attempt answers the counts before it and records it",
    given: [recorded("a", "attempt", T)],
    nowMs: T + 1,
    when: { _tag: "Attempt", event_id: "co_2:attempt", window_ms: 10 * minute },
    then: [recorded("co_2:attempt", "attempt", T + 1)],
    reply: { key, attempts: 1, declines: 0, small_declines: 0, window_ms: 10 * minute }
  },
  {
    name: "Attempt sent again → no events, the counts as they stand",
    given: [recorded("a", "attempt", T), recorded("co_2:attempt", "attempt", T + 1)],
    nowMs: T + 2,
    when: { _tag: "Attempt", event_id: "co_2:attempt", window_ms: 10 * minute },
    then: [],
    reply: { attempts: 2, window_ms: 10 * minute }
  },
  { name: "Attempt over a window above one hour → invalid_command", given: [], nowMs: T, when: { _tag: "Attempt", event_id: "co_3:attempt", window_ms: maxWindowMs + 1 }, then: { reason: "invalid_command" } },
  { name: "Count over a window above one hour → invalid_command", given: [], nowMs: T, when: { _tag: "Count", window_ms: maxWindowMs + 1 }, then: { reason: "invalid_command" } },
  { name: "Record with a malformed event id → invalid_command", given: [], nowMs: T, when: { _tag: "Record", event_id: "has space", outcome: "attempt", small: false }, then: { reason: "invalid_command" } }
]

describe("risk counter", () => {
  for (const row of rows) it(row.name, () => runRow(riskCounter, row, key))

  it("keys", () => {
    expect([riskCounterKey.user("u_1"), riskCounterKey.card("f"), riskCounterKey.ip("::1")]).toEqual(["user:u_1", "fp:f", "ip:::1"])
  })

  it("refuses an actor id that is not user:, fp: or ip: (a defect)", () => {
    expect(() => riskCounter.decide(riskCounter.initialState("card:1"), { _tag: "Count", window_ms: 1 }, T)).toThrow(/not user/)
  })

  it("keeps at most one hour of buckets, and forgets old event ids beyond the bound", () => {
    let state: RiskCounter = riskCounter.initialState(key)
    for (let i = 0; i < 300; i++) state = riskCounter.evolve(state, recorded(`e${i}`, "attempt", T + i * minute))
    expect(state.buckets.length).toBe(riskCounterLimits.maxBuckets)
    expect(state.buckets[0]!.start_ms).toBe(T + 240 * minute)
    expect(state.event_ids.length).toBe(riskCounterLimits.maxRememberedEvents)
    expect(countsOf(state, T + 299 * minute, maxWindowMs).attempts).toBe(60)
  })

  it("a late event older than the kept hour is not counted", () => {
    let state: RiskCounter = riskCounter.evolve(riskCounter.initialState(key), recorded("new", "attempt", T + 120 * minute))
    state = riskCounter.evolve(state, recorded("old", "attempt", T))
    expect(state.buckets.length).toBe(1)
    expect(state.event_ids).toEqual(["new", "old"])
  })

  it("counts match a brute-force count over the events (to one bucket of slack), in any order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ offset: fc.integer({ min: 0, max: 59 * minute }), decline: fc.boolean(), small: fc.boolean() }), { maxLength: 80 }),
        fc.integer({ min: 1, max: maxWindowMs }),
        (events, windowMs) => {
          let state: RiskCounter = riskCounter.initialState(key)
          events.forEach((e, i) => {
            state = riskCounter.evolve(state, recorded(`e${i}`, e.decline ? "decline" : "attempt", T + e.offset, e.small))
          })
          const now = T + 59 * minute + minute - 1
          const got = countsOf(state, now, windowMs)
          const bucketStart = (ms: number) => ms - (ms % minute)
          const inWindow = events.filter((e) => bucketStart(T + e.offset) + minute > now - windowMs)
          expect(got.attempts).toBe(inWindow.filter((e) => !e.decline).length)
          expect(got.declines).toBe(inWindow.filter((e) => e.decline).length)
          expect(got.small_declines).toBe(inWindow.filter((e) => e.decline && e.small).length)
        }
      )
    )
  })
})
