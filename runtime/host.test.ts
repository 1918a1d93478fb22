import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import {
  makeMemoryFaults,
  makeMemoryJournal,
  makeMemoryPositionStore,
  makeMemorySnapshotStore,
  type MemoryFaults
} from "../storage/memory.ts"
import { ledger } from "../test/support/ledger.ts"
import type { HostConfig } from "./config.ts"
import { ActorCrashed, CorruptData, MailboxFull, Unavailable } from "./errors.ts"
import { ActorHost, type HostPorts } from "./host.ts"
import type { JournalService } from "./ports.ts"
import { shardOf } from "./sharding.ts"

const quiet = () => {}
const hosts: Array<ActorHost> = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()))
})

const storage = (faults: MemoryFaults = makeMemoryFaults()) => {
  const journal = makeMemoryJournal(faults)
  let appends = 0
  const counted: JournalService = {
    ...journal,
    append: (...args) => Effect.suspend(() => {
      appends++
      return journal.append(...args)
    })
  }
  const ports: HostPorts = { journal: counted, snapshots: makeMemorySnapshotStore(faults), positions: makeMemoryPositionStore() }
  return { ports, faults, appends: () => appends }
}

const startHost = async (ports: HostPorts, config: Partial<HostConfig> = {}) => {
  const host = new ActorHost(ports, [ledger], { shardCount: 8, checkpointEveryMs: 60_000, passivationSweepMs: 60_000, ...config }, undefined, quiet)
  await host.start()
  hosts.push(host)
  return host
}

/** Abandon a host without a graceful stop: the in-memory equivalent of kill -9. */
const crash = (host: ActorHost) => {
  hosts.splice(hosts.indexOf(host), 1)
  ;(host as unknown as { stopping: boolean }).stopping = true
}

const deposit = (host: ActorHost, id: string, opId: string, amount: number) =>
  host.ask<{ balance: number; seen: number }>(ledger, id, { _tag: "Deposit", id: opId, amount })
const read = (host: ActorHost, id: string) => host.ask<{ balance: number; seen: number }>(ledger, id, { _tag: "Read" })

describe("actor host", () => {
  it("applies commands one at a time and replies after they are durable", async () => {
    const s = storage()
    const host = await startHost(s.ports)
    expect(await deposit(host, "a", "op1", 10)).toEqual({ balance: 10, seen: 1 })
    expect(await deposit(host, "a", "op2", 5)).toEqual({ balance: 15, seen: 2 })
    await expect(host.ask(ledger, "a", { _tag: "Withdraw", id: "op3", amount: 100 })).rejects.toMatchObject({
      _tag: "InsufficientFunds",
      balance: 15
    })
    // A replay with the same id changes nothing.
    expect(await deposit(host, "a", "op1", 10)).toEqual({ balance: 15, seen: 2 })
  })

  it("group-commits: many concurrent commands go out in a few appends", async () => {
    const s = storage()
    const host = await startHost(s.ports)
    await Promise.all(Array.from({ length: 20 }, (_, i) => read(host, `acct${i}`)))
    const before = s.appends()
    const replies = await Promise.all(Array.from({ length: 2000 }, (_, i) => deposit(host, `acct${i % 20}`, `op${i}`, 1)))
    expect(replies).toHaveLength(2000)
    expect(s.appends() - before).toBeLessThanOrEqual(16)
    expect((await read(host, "acct3")).balance).toBe(100)
  })

  it("holds a reply until its batch is durable, and later replies wait for earlier events", async () => {
    const s = storage()
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    const slow: JournalService = {
      ...s.ports.journal,
      append: (...args) => Effect.promise(() => gate).pipe(Effect.zipRight(s.ports.journal.append(...args)))
    }
    const host = await startHost({ ...s.ports, journal: slow })
    let settled = false
    const first = deposit(host, "a", "op1", 3).then((r) => ((settled = true), r))
    await new Promise((r) => setTimeout(r, 30))
    expect(settled).toBe(false)
    // A read decided on the not-yet-durable state must not be answered before it is durable either.
    let readSettled = false
    const readReply = read(host, "a").then((r) => ((readSettled = true), r))
    await new Promise((r) => setTimeout(r, 10))
    expect(readSettled).toBe(false)
    release()
    expect(await first).toEqual({ balance: 3, seen: 1 })
    expect(await readReply).toEqual({ balance: 3, seen: 1 })
  })

  it("recovers after a crash from snapshots plus the journal tail", async () => {
    const s = storage()
    const host = await startHost(s.ports)
    for (let i = 0; i < 23; i++) await deposit(host, "a", `op${i}`, i)
    await Promise.all(Array.from({ length: 50 }, (_, i) => deposit(host, `b${i % 7}`, `x${i}`, 2)))
    await host.checkpointAll()
    for (let i = 23; i < 30; i++) await deposit(host, "a", `op${i}`, i)
    crash(host)
    const again = await startHost(s.ports)
    expect(await read(again, "a")).toEqual({ balance: (29 * 30) / 2, seen: 30 })
    expect((await read(again, "b3")).balance).toBe(14)
  })

  it("passivates idle actors and reloads them on demand", async () => {
    const s = storage()
    const host = await startHost(s.ports, { passivateAfterIdleMs: 1_000 })
    for (let i = 0; i < 7; i++) await deposit(host, `p${i}`, "op", 4)
    expect(host.resident).toBe(7)
    host.passivateIdle(Date.now() + 5_000)
    await new Promise((r) => setTimeout(r, 20))
    host.passivateIdle(Date.now() + 5_000)
    expect(host.resident).toBe(0)
    expect(await read(host, "p5")).toEqual({ balance: 4, seen: 1 })
    expect(host.resident).toBe(1)
  })

  it("a failed append fails its callers with a retryable error and reloads the actor from storage", async () => {
    const s = storage()
    const host = await startHost(s.ports)
    await deposit(host, "a", "op1", 10)
    s.faults.failNextAppends = 1
    await expect(deposit(host, "a", "op2", 5)).rejects.toBeInstanceOf(Unavailable)
    expect(await read(host, "a")).toEqual({ balance: 10, seen: 1 })
    // The ambiguous case: the write landed but the caller was told it failed. The reload sees it,
    // and the caller's retry with the same id is answered without a second deposit.
    s.faults.failNextAppends = 1
    s.faults.appendLandsBeforeFailure = true
    await expect(deposit(host, "a", "op3", 7)).rejects.toBeInstanceOf(Unavailable)
    expect(await deposit(host, "a", "op3", 7)).toEqual({ balance: 17, seen: 2 })
  })

  it("refuses commands with MailboxFull when a mailbox is full", async () => {
    const s = storage()
    s.faults.snapshotsDown = false
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => (release = r))
    const slow: JournalService = {
      ...s.ports.journal,
      append: (...args) => Effect.promise(() => gate).pipe(Effect.zipRight(s.ports.journal.append(...args)))
    }
    const host = await startHost({ ...s.ports, journal: slow }, { maxBatchEvents: 10 })
    const calls = Array.from({ length: 200 }, (_, i) => deposit(host, "hot", `op${i}`, 1).then(() => "ok", (e: unknown) => e))
    release()
    const outcomes = await Promise.all(calls)
    const full = outcomes.filter((o) => o instanceof MailboxFull)
    expect(full.length).toBeGreaterThan(0)
    const ok = outcomes.filter((o) => o === "ok").length
    expect(ok + full.length).toBe(200)
    expect((await read(host, "hot")).balance).toBe(ok)
  })

  it("fences: once a second host takes a shard, only the newer host ever writes to it", async () => {
    const s = storage()
    const older = await startHost(s.ports)
    await deposit(older, "a", "op1", 1)
    const shard = shardOf("ledger/a", 8)
    const newer = await startHost(s.ports, { ownedShards: [shard] })
    const headBefore = await Effect.runPromise(s.ports.journal.head(shard))
    await expect(deposit(older, "a", "op2", 1)).rejects.toMatchObject({ _tag: "Unavailable", reason: "shard_lost" })
    await expect(deposit(older, "a", "op3", 1)).rejects.toMatchObject({ _tag: "Unavailable" })
    expect(await Effect.runPromise(s.ports.journal.head(shard))).toBe(headBefore)
    expect(await deposit(newer, "a", "op4", 1)).toEqual({ balance: 2, seen: 2 })
    const batches = await Effect.runPromise(s.ports.journal.read(shard, 0, 100))
    const ids = batches.flatMap((b) => b.events.map((e) => (e.event as { id: string }).id))
    expect(ids).toEqual(["op1", "op4"])
  })

  it("a defect in decide crashes only that command; the actor comes back from storage", async () => {
    const s = storage()
    const host = await startHost(s.ports)
    await deposit(host, "a", "op1", 10)
    await expect(host.ask(ledger, "a", { _tag: "Explode" })).rejects.toBeInstanceOf(ActorCrashed)
    expect(await deposit(host, "a", "op2", 1)).toEqual({ balance: 11, seen: 2 })
  })

  it("fires durable timers, also after a crash and for passivated actors", async () => {
    const s = storage()
    const host = await startHost(s.ports)
    const soon = Date.now() + 150
    await host.ask(ledger, "t1", { _tag: "Schedule", id: "later", amount: 9, atMs: soon })
    await host.ask(ledger, "t2", { _tag: "Schedule", id: "later", amount: 4, atMs: soon })
    for (let i = 0; i < 5; i++) await deposit(host, "t2", `pad${i}`, 0) // enough events for a snapshot of t2
    crash(host)
    const again = await startHost(s.ports)
    again.passivateIdle(Date.now() + 10 * 60_000)
    await new Promise((r) => setTimeout(r, 400))
    expect(await read(again, "t1")).toEqual({ balance: 9, seen: 1 })
    expect((await read(again, "t2")).balance).toBe(4)
  })

  it("keeps far-off timers of passivated actors in storage, not in memory, and still fires them", async () => {
    const s = storage()
    const host = await startHost(s.ports, { timerHorizonMs: 100 })
    const later = Date.now() + 400
    await host.ask(ledger, "far", { _tag: "Schedule", id: "x", amount: 5, atMs: later })
    await new Promise((r) => setTimeout(r, 10))
    host.passivateIdle(Date.now() + 3_600_000)
    await new Promise((r) => setTimeout(r, 10))
    expect(host.resident).toBe(0)
    const passive = (host as unknown as { shards: Array<{ passiveTimers: Map<string, number> } | undefined> }).shards
    expect(passive.reduce((n, sh) => n + (sh?.passiveTimers.size ?? 0), 0)).toBe(0)
    await new Promise((r) => setTimeout(r, 350))
    await host.loadPassiveTimersAll()
    await new Promise((r) => setTimeout(r, 150))
    expect(await read(host, "far")).toEqual({ balance: 5, seen: 1 })
  })

  it("fails loudly on a corrupt snapshot, naming the actor", async () => {
    const s = storage()
    await Effect.runPromise(
      s.ports.snapshots.save([{ actor: "ledger/bad", shard: shardOf("ledger/bad", 8), seq: 3, position: 1, timerAtMs: null, state: { balance: "lots" } }])
    )
    const host = await startHost(s.ports)
    const failure = await read(host, "bad").catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(CorruptData)
    expect(String((failure as CorruptData).message)).toContain("ledger/bad")
  })

  it("fails recovery loudly on a gap in an actor's journal", async () => {
    const s = storage()
    const shard = shardOf("ledger/g", 8)
    const epoch = await Effect.runPromise(s.ports.journal.acquire(shard))
    await Effect.runPromise(s.ports.journal.append(shard, epoch, 1, [{ actor: "ledger/g", seq: 1, event: { _tag: "Deposited", id: "a", amount: 1 } }]))
    await Effect.runPromise(s.ports.journal.append(shard, epoch, 2, [{ actor: "ledger/g", seq: 3, event: { _tag: "Deposited", id: "b", amount: 1 } }]))
    const host = new ActorHost(s.ports, [ledger], { shardCount: 8 }, undefined, quiet)
    const failure = await host.start().catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(CorruptData)
    expect((failure as CorruptData).message).toMatch(/ledger\/g.*position 2/)
  })

  it("fails recovery loudly when the journal is shorter than the checkpoint (a missing stream)", async () => {
    const s = storage()
    await Effect.runPromise(s.ports.positions.set("recovery", 3, 40))
    const host = new ActorHost(s.ports, [ledger], { shardCount: 8 }, undefined, quiet)
    await expect(host.start()).rejects.toThrow(/shard 3 ends at position 0 but its recovery checkpoint is 40/)
  })

  it("trims the journal only below what snapshots and every projection have passed", async () => {
    const s = storage()
    const host = await startHost(s.ports, { retainForProjections: ["search"] })
    const shard = shardOf("ledger/a", 8)
    for (let i = 0; i < 12; i++) await deposit(host, "a", `op${i}`, 1)
    await new Promise((r) => setTimeout(r, 20))
    await host.checkpointAll()
    await host.trimAll()
    expect((await Effect.runPromise(s.ports.journal.read(shard, 0, 100)))[0]!.position).toBe(1)
    await Effect.runPromise(s.ports.positions.set("projection:search", shard, 8))
    await deposit(host, "a", "op12", 1)
    await new Promise((r) => setTimeout(r, 20))
    await host.checkpointAll()
    await host.trimAll()
    const remaining = await Effect.runPromise(s.ports.journal.read(shard, 0, 100))
    expect(remaining[0]!.position).toBe(9)
    crash(host)
    const again = await startHost(s.ports)
    expect(await read(again, "a")).toEqual({ balance: 13, seen: 13 })
  })
})
