import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { makeMemoryFaults, makeMemoryJournal, makeMemoryPositionStore, makeMemorySnapshotStore } from "../storage/memory.ts"
import { ledger } from "../test/support/ledger.ts"
import { ActorHost, type HostPorts } from "./host.ts"
import { MetricsRegistry } from "./metrics.ts"
import { type Projection, ProjectionRunner } from "./projection.ts"

const SHARDS = 4
const shards = [0, 1, 2, 3]
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c()
})

/** A read model of total deposits per actor, idempotent by (shard, position). */
const totals = () => {
  const seen = new Set<string>()
  const byActor = new Map<string, number>()
  let applies = 0
  let failNext = 0
  const projection: Projection = {
    name: "totals",
    apply: (shard, batch) =>
      Effect.suspend(() => {
        applies++
        if (failNext > 0) {
          failNext--
          return Effect.fail(new Error("read model down"))
        }
        const key = `${shard}:${batch.position}`
        if (seen.has(key)) return Effect.void
        seen.add(key)
        for (const e of batch.events) {
          const ev = e.event as { _tag: string; amount?: number }
          if (ev._tag === "Deposited") byActor.set(e.actor, (byActor.get(e.actor) ?? 0) + ev.amount!)
        }
        return Effect.void
      })
  }
  return { projection, byActor, applies: () => applies, failOnce: (n: number) => (failNext = n) }
}

const setup = async (ports: HostPorts, model: ReturnType<typeof totals>, registry = new MetricsRegistry(), tuning: { readBatches?: number; coalesceMs?: number } = {}) => {
  const host = new ActorHost(ports, [ledger], { shardCount: SHARDS }, registry, () => {})
  await host.start()
  const runner = new ProjectionRunner(ports.journal, ports.positions, model.projection, { shards, readBatches: 3, pollEveryMs: 50, retryAfterMs: 10, ...tuning }, registry, () => {})
  await runner.start()
  const off = host.onAppend((shard, position) => runner.notify(shard, position))
  cleanup.push(async () => {
    off()
    await runner.stop()
    await host.stop()
  })
  return { host, runner, registry }
}

describe("projection runner", () => {
  it("applies every batch, stores its position, survives apply failures and a restart, and reports lag", async () => {
    const faults = makeMemoryFaults()
    const ports: HostPorts = { journal: makeMemoryJournal(faults), snapshots: makeMemorySnapshotStore(faults), positions: makeMemoryPositionStore() }
    const model = totals()
    const { host, runner, registry } = await setup(ports, model)
    model.failOnce(3)
    for (let i = 0; i < 40; i++) await host.ask(ledger, `a${i % 5}`, { _tag: "Deposit", id: `op${i}`, amount: 1 })
    expect(await runner.caughtUp()).toBe(true)
    expect([...model.byActor.values()].reduce((a, b) => a + b, 0)).toBe(40)
    expect(registry.render()).toMatch(/projection_lag_positions\{projection="totals"\} 0/)
    expect(registry.render()).toMatch(/projection_failures_total\{projection="totals"\} [1-9]/)
    const stored = await Effect.runPromise(Effect.all(shards.map((s) => ports.positions.get("projection:totals", s))))
    const heads = await Effect.runPromise(Effect.all(shards.map((s) => ports.journal.head(s))))
    expect(stored).toEqual(heads)

    // A second runner starting over from the stored positions sees nothing twice.
    await cleanup.splice(0)[0]!()
    const again = await setup(ports, model)
    for (let i = 40; i < 50; i++) await again.host.ask(ledger, `a${i % 5}`, { _tag: "Deposit", id: `op${i}`, amount: 2 })
    expect(await again.runner.caughtUp()).toBe(true)
    expect([...model.byActor.values()].reduce((a, b) => a + b, 0)).toBe(60)
  })

  it("with coalesceMs, appends to a busy shard are read together: far fewer reads and position writes than appends", async () => {
    const ports: HostPorts = { journal: makeMemoryJournal(), snapshots: makeMemorySnapshotStore(), positions: makeMemoryPositionStore() }
    let positionWrites = 0
    const counted: HostPorts = { ...ports, positions: { ...ports.positions, set: (...args) => Effect.suspend(() => (positionWrites++, ports.positions.set(...args))) } }
    const model = totals()
    const { host, runner } = await setup(counted, model, new MetricsRegistry(), { readBatches: 128, coalesceMs: 100 })
    const began = Date.now()
    // 60 appends on one actor (one shard), one after another, over a few hundred ms.
    for (let i = 0; i < 60; i++) {
      await host.ask(ledger, "hot", { _tag: "Deposit", id: `hot${i}`, amount: 1 })
      await new Promise((r) => setTimeout(r, 3))
    }
    expect(await runner.caughtUp()).toBe(true)
    expect(model.byActor.get("ledger/hot")).toBe(60)
    const elapsedMs = Date.now() - began
    // At most about one read (and position write) per 100 ms per shard, plus the first and the last.
    expect(positionWrites).toBeLessThanOrEqual(Math.ceil(elapsedMs / 100) + 3)
    expect(positionWrites).toBeLessThan(30)
  })
})
