import { Effect, Exit, type Layer, ManagedRuntime } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { Journal, PositionStore, SnapshotStore } from "../runtime/ports.ts"

/**
 * The one contract every storage adapter passes (DESIGN convention 4).
 * `make` returns a fresh, isolated store each call (its own key prefix, schema or tables).
 * The optional hooks write unreadable data, to check that reads fail loudly instead of skipping.
 */
export interface StorageUnderTest {
  readonly layer: Layer.Layer<Journal | SnapshotStore | PositionStore, unknown>
  readonly corruptNextBatch?: (shard: number) => Promise<void>
  readonly corruptSnapshot?: (actor: string) => Promise<void>
}

export const storageContract = (name: string, make: () => Promise<StorageUnderTest> | StorageUnderTest) =>
  describe(`storage contract: ${name}`, () => {
    let runtimes: Array<ManagedRuntime.ManagedRuntime<Journal | SnapshotStore | PositionStore, unknown>> = []
    afterEach(async () => {
      await Promise.all(runtimes.map((r) => r.dispose()))
      runtimes = []
    })
    const setup = async () => {
      const under = await make()
      const rt = ManagedRuntime.make(under.layer)
      runtimes.push(rt)
      const run = <A, E>(eff: Effect.Effect<A, E, Journal | SnapshotStore | PositionStore>) => rt.runPromise(eff)
      const exit = <A, E>(eff: Effect.Effect<A, E, Journal | SnapshotStore | PositionStore>) => rt.runPromiseExit(eff)
      return { under, run, exit }
    }
    const ev = (actor: string, seq: number, event: unknown) => ({ actor, seq, event })

    it("acquire hands out strictly increasing epochs per shard", async () => {
      const { run } = await setup()
      const a = await run(Effect.flatMap(Journal, (j) => j.acquire(3)))
      const b = await run(Effect.flatMap(Journal, (j) => j.acquire(3)))
      const other = await run(Effect.flatMap(Journal, (j) => j.acquire(4)))
      expect(b).toBeGreaterThan(a)
      expect(other).toBeGreaterThanOrEqual(1)
    })

    it("appends get positions 1, 2, 3… and read returns the batches intact and in order", async () => {
      const { run } = await setup()
      const events = [
        ev("counter/a", 1, { _tag: "Added", amount: 5, note: "héllo ✓", tags: ["x"], nested: { ok: true, n: null } }),
        ev("counter/b", 1, { _tag: "Added", amount: -2.5 })
      ]
      const positions = await run(
        Effect.gen(function* () {
          const j = yield* Journal
          const epoch = yield* j.acquire(1)
          const p1 = yield* j.append(1, epoch, 1_700_000_000_000, events)
          const p2 = yield* j.append(1, epoch, 1_700_000_000_001, [ev("counter/a", 2, { _tag: "Reset" })])
          const p3 = yield* j.append(1, epoch, 1_700_000_000_002, [ev("counter/a", 3, { _tag: "Reset" })])
          return [p1, p2, p3]
        })
      )
      expect(positions).toEqual([1, 2, 3])
      const batches = await run(Effect.flatMap(Journal, (j) => j.read(1, 0, 100)))
      expect(batches.map((b) => b.position)).toEqual([1, 2, 3])
      expect(batches[0]!.events).toEqual(events)
      expect(batches[0]!.atMs).toBe(1_700_000_000_000)
      expect(await run(Effect.flatMap(Journal, (j) => j.read(1, 1, 1)))).toHaveLength(1)
      expect((await run(Effect.flatMap(Journal, (j) => j.read(1, 1, 1))))[0]!.position).toBe(2)
      expect(await run(Effect.flatMap(Journal, (j) => j.read(1, 3, 10)))).toEqual([])
      expect(await run(Effect.flatMap(Journal, (j) => j.head(1)))).toBe(3)
      expect(await run(Effect.flatMap(Journal, (j) => j.head(2)))).toBe(0)
      expect(await run(Effect.flatMap(Journal, (j) => j.read(2, 0, 10)))).toEqual([])
    })

    it("a stale epoch is refused and writes nothing; the newer owner writes on", async () => {
      const { run, exit } = await setup()
      const [old, newer] = await run(
        Effect.gen(function* () {
          const j = yield* Journal
          const old = yield* j.acquire(7)
          yield* j.append(7, old, 1, [ev("counter/a", 1, 1)])
          const newer = yield* j.acquire(7)
          return [old, newer] as const
        })
      )
      const refused = await exit(Effect.flatMap(Journal, (j) => j.append(7, old, 2, [ev("counter/a", 2, 2)])))
      expect(Exit.isFailure(refused)).toBe(true)
      if (Exit.isFailure(refused)) expect(JSON.stringify(refused.cause)).toContain("StaleEpoch")
      const p = await run(Effect.flatMap(Journal, (j) => j.append(7, newer, 3, [ev("counter/a", 2, 3)])))
      expect(p).toBe(2)
      const all = await run(Effect.flatMap(Journal, (j) => j.read(7, 0, 10)))
      expect(all.map((b) => b.events[0]!.event)).toEqual([1, 3])
    })

    it("concurrent appends from two owners: only the newest epoch's appends land after it was acquired", async () => {
      const { run } = await setup()
      const result = await run(
        Effect.gen(function* () {
          const j = yield* Journal
          const a = yield* j.acquire(9)
          const outcomes = yield* Effect.all(
            Array.from({ length: 40 }, (_, i) =>
              i === 20
                ? j.acquire(9).pipe(Effect.map((e) => ({ kind: "acquired" as const, epoch: e })))
                : j.append(9, a, i, [ev("counter/a", i, i)]).pipe(
                    Effect.map((p) => ({ kind: "ok" as const, p })),
                    Effect.catchAll((e) => Effect.succeed({ kind: "err" as const, tag: e._tag }))
                  )
            ),
            { concurrency: 8 }
          )
          const b = outcomes.find((o) => o.kind === "acquired")!.epoch!
          const afterAcquire = yield* j.append(9, b, 100, [ev("counter/a", 100, 100)])
          const lateOld = yield* j.append(9, a, 101, [ev("counter/a", 101, 101)]).pipe(Effect.either)
          const batches = yield* j.read(9, 0, 100)
          return { outcomes, afterAcquire, lateOld, batches }
        })
      )
      expect(result.lateOld._tag).toBe("Left")
      const landed = result.outcomes.filter((o) => o.kind === "ok").length
      expect(result.batches).toHaveLength(landed + 1)
      expect(result.batches.at(-1)!.position).toBe(result.afterAcquire)
      expect(result.batches.map((b) => b.position)).toEqual(result.batches.map((_, i) => i + 1))
    })

    it("trim removes batches below a position and positions keep increasing", async () => {
      const { run } = await setup()
      const out = await run(
        Effect.gen(function* () {
          const j = yield* Journal
          const e = yield* j.acquire(0)
          for (let i = 1; i <= 5; i++) yield* j.append(0, e, i, [ev("counter/a", i, i)])
          yield* j.trim(0, 4)
          const afterTrim = yield* j.read(0, 0, 10)
          yield* j.trim(0, 100)
          const p = yield* j.append(0, e, 6, [ev("counter/a", 6, 6)])
          return { afterTrim, p, head: yield* j.head(0) }
        })
      )
      expect(out.afterTrim.map((b) => b.position)).toEqual([4, 5])
      expect(out.p).toBe(6)
      expect(out.head).toBe(6)
    })

    it("snapshots: save, load, loadMany, never replaced by an older seq, timers per shard", async () => {
      const { run } = await setup()
      const rec = (actor: string, seq: number, shard = 1, timerAtMs: number | null = null) => ({
        actor,
        shard,
        seq,
        position: seq * 10,
        timerAtMs,
        state: { total: seq, entries: [{ id: "x", n: seq }], label: "ünïcode" }
      })
      const out = await run(
        Effect.gen(function* () {
          const s = yield* SnapshotStore
          const missing = yield* s.load("counter/none")
          yield* s.save([rec("counter/a", 5), rec("counter/b", 2, 2, 1_800_000_000_000)])
          yield* s.save([rec("counter/a", 3)])
          yield* s.save([rec("counter/c", 1, 1, 1_900_000_000_000)])
          yield* s.save([rec("counter/c", 2, 1, null)])
          yield* s.save([rec("counter/t3", 1, 3, 30), rec("counter/t1", 1, 3, 10), rec("counter/t2", 1, 3, 20)])
          return {
            missing,
            a: yield* s.load("counter/a"),
            many: yield* s.loadMany(["counter/a", "counter/b", "counter/zzz"]),
            timers1: yield* s.timers(1, Number.MAX_SAFE_INTEGER, 100),
            timers2: yield* s.timers(2, Number.MAX_SAFE_INTEGER, 100),
            timersBefore: yield* s.timers(2, 1_800_000_000_000, 100),
            timersLimited: yield* s.timers(3, Number.MAX_SAFE_INTEGER, 2)
          }
        })
      )
      expect(out.missing).toBeUndefined()
      expect(out.a).toEqual(rec("counter/a", 5))
      expect([...out.many].sort((x, y) => x.actor.localeCompare(y.actor)).map((r) => [r.actor, r.seq])).toEqual([
        ["counter/a", 5],
        ["counter/b", 2]
      ])
      expect(out.timers1).toEqual([])
      expect(out.timers2).toEqual([{ actor: "counter/b", atMs: 1_800_000_000_000 }])
      expect(out.timersBefore).toEqual([])
      expect(out.timersLimited).toEqual([
        { actor: "counter/t1", atMs: 10 },
        { actor: "counter/t2", atMs: 20 }
      ])
    })

    it("positions: default 0, set per owner and shard, all lists every owner", async () => {
      const { run } = await setup()
      const out = await run(
        Effect.gen(function* () {
          const p = yield* PositionStore
          const initial = yield* p.get("recovery", 5)
          yield* p.set("recovery", 5, 10)
          yield* p.set("projection:search", 5, 7)
          yield* p.set("recovery", 5, 12)
          yield* p.set("recovery", 6, 1)
          return { initial, now: yield* p.get("recovery", 5), all: yield* p.all(5) }
        })
      )
      expect(out.initial).toBe(0)
      expect(out.now).toBe(12)
      expect([...out.all].sort((a, b) => a.owner.localeCompare(b.owner))).toEqual([
        { owner: "projection:search", position: 7 },
        { owner: "recovery", position: 12 }
      ])
    })

    it("a corrupt journal batch fails the read loudly, naming shard and position", async () => {
      const { under, run, exit } = await setup()
      if (under.corruptNextBatch === undefined) return
      await run(
        Effect.gen(function* () {
          const j = yield* Journal
          const e = yield* j.acquire(2)
          yield* j.append(2, e, 1, [ev("counter/a", 1, 1)])
        })
      )
      await under.corruptNextBatch(2)
      const result = await exit(Effect.flatMap(Journal, (j) => j.read(2, 0, 10)))
      expect(Exit.isFailure(result)).toBe(true)
      const text = JSON.stringify(result)
      expect(text).toContain("CorruptData")
      expect(text).toMatch(/shard 2/)
      expect(text).toMatch(/position 2/)
    })

    it("a snapshot that cannot be decoded fails loudly, naming the actor", async () => {
      const { under, exit } = await setup()
      if (under.corruptSnapshot === undefined) return
      await under.corruptSnapshot("counter/broken")
      const result = await exit(Effect.flatMap(SnapshotStore, (s) => s.load("counter/broken")))
      expect(Exit.isFailure(result)).toBe(true)
      const text = JSON.stringify(result)
      expect(text).toContain("CorruptData")
      expect(text).toContain("counter/broken")
    })
  })
