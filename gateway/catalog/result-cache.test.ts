import { Effect } from "effect"
import { afterEach, describe, expect, it, vi } from "vitest"
import { ResultCache } from "./result-cache.ts"

afterEach(() => {
  vi.useRealTimers()
})

/** A computation that counts its runs and can be held until released. */
const counter = () => {
  let runs = 0
  let gate: (() => void) | undefined
  let held = false
  const compute = Effect.promise(async () => {
    const n = ++runs
    if (held) await new Promise<void>((r) => (gate = r))
    return n
  })
  return {
    compute,
    runs: () => runs,
    hold: () => (held = true),
    release: () => {
      held = false
      gate?.()
    }
  }
}

describe("result cache", () => {
  it("serves an answer of the current data version however old, and recomputes once the data changed and the answer aged", async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ["Date"] })
    let version = 1
    const outcomes: Array<string> = []
    const cache = new ResultCache<number>(300, 10, () => version, (o) => outcomes.push(o))
    const c = counter()
    const get = () => Effect.runPromise(cache.get("k", c.compute)).then((v) => v.value)
    expect(await get()).toBe(1)
    vi.setSystemTime(1_000_000 + 60_000)
    expect(await get()).toBe(1) // same version: exact
    version = 2
    expect(await get()).toBe(2) // changed data, answer older than 2 × 300 ms: computed and waited for
    version = 3
    vi.setSystemTime(1_060_000 + 100)
    expect(await get()).toBe(2) // changed, but younger than 300 ms: reused
    vi.setSystemTime(1_060_000 + 400)
    expect(await get()).toBe(2) // younger than 600 ms: served while a refresh runs
    await vi.waitFor(() => expect(c.runs()).toBe(3))
    expect(await get()).toBe(3)
    expect(outcomes).toEqual(["computed", "fresh", "computed", "fresh", "stale", "fresh"])
  })

  it("runs one computation per key at a time; concurrent requests share it, failures are not kept", async () => {
    let version = 0
    const cache = new ResultCache<number>(300, 10, () => version++)
    const c = counter()
    c.hold()
    const all = Promise.all([1, 2, 3].map(() => Effect.runPromise(cache.get("k", c.compute)).then((v) => v.value)))
    await vi.waitFor(() => expect(c.runs()).toBe(1))
    c.release()
    expect(await all).toEqual([1, 1, 1])
    const failing = new ResultCache<number>(300, 10, () => 0)
    expect(await Effect.runPromise(Effect.either(failing.get("k", Effect.fail("down"))))).toMatchObject({ _tag: "Left", left: "down" })
    expect(await Effect.runPromise(failing.get("k", Effect.succeed(7)))).toEqual({ value: 7, version: 0, atMs: expect.any(Number) })
  })

  it("keeps at most maxEntries answers, and with freshMs 0 always computes", async () => {
    const cache = new ResultCache<number>(300, 2, () => 0)
    for (const k of ["a", "b", "c"]) await Effect.runPromise(cache.get(k, Effect.succeed(1)))
    expect(cache.size).toBe(2)
    const off = new ResultCache<number>(0, 10, () => 0)
    const c = counter()
    await Effect.runPromise(off.get("k", c.compute))
    await Effect.runPromise(off.get("k", c.compute))
    expect(c.runs()).toBe(2)
    expect(off.size).toBe(0)
  })
})
