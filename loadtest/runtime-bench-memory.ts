/**
 * Child process of runtime-bench: the host's resident cost of idle small actors.
 * Run as `node --expose-gc --import tsx loadtest/runtime-bench-memory.ts <actors>`; prints one
 * JSON line (MemoryResult) on stdout. Own process, so the parent's heap does not blur the numbers.
 *
 * The journal is a stub that accepts appends and discards them: this measures what the host keeps
 * per actor, not what a journal adapter buffers.
 */
import { pathToFileURL } from "node:url"
import { Effect } from "effect"
import { ActorHost } from "../runtime/host.ts"
import type { JournalService } from "../runtime/ports.ts"
import { makeMemoryPositionStore, makeMemorySnapshotStore } from "../storage/memory.ts"
import { makeCounter } from "./counter-actor.ts"

export interface MemoryResult {
  readonly actors: number
  readonly resident: number
  readonly heapUsedBeforeBytes: number
  readonly heapUsedAfterBytes: number
  readonly bytesPerActor: number
  readonly rssBeforeBytes: number
  readonly rssAfterBytes: number
  readonly rssDeltaBytes: number
  readonly rssBytesPerActor: number
  readonly createMs: number
  readonly acked: number
  readonly errors: number
  /** Sum of all counters read back; must equal `acked`. */
  readonly stateSum: number
}

const discardingJournal = (shardCount: number): JournalService => {
  const heads = new Float64Array(shardCount)
  return {
    store: "discarding-journal",
    acquire: () => Effect.succeed(1),
    append: (shard) => Effect.sync(() => ++heads[shard]!),
    read: () => Effect.succeed([]),
    head: (shard) => Effect.sync(() => heads[shard]!),
    trim: () => Effect.void
  }
}

const settle = () => new Promise((r) => setImmediate(r))

const collect = async () => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("run with --expose-gc")
  for (let i = 0; i < 4; i++) {
    gc()
    await settle()
  }
}

export const measureResidentMemory = async (actors: number, window = 10_000): Promise<MemoryResult> => {
  const shardCount = 256
  const definition = makeCounter({ snapshotEveryEvents: Number.MAX_SAFE_INTEGER, mailboxCapacity: 16 })
  const host = new ActorHost(
    { journal: discardingJournal(shardCount), snapshots: makeMemorySnapshotStore(), positions: makeMemoryPositionStore() },
    [definition],
    {
      shardCount,
      passivateAfterIdleMs: 1_000_000_000,
      passivationSweepMs: 1_000_000_000,
      checkpointEveryMs: 1_000_000_000,
      trimEveryMs: 1_000_000_000,
      trimJournal: false
    },
    undefined,
    (m, d) => console.error(m, d ?? "")
  )
  await host.start()
  await collect()
  const before = process.memoryUsage()

  const began = performance.now()
  let next = 0
  let acked = 0
  let errors = 0
  await new Promise<void>((resolve) => {
    let inFlight = 0
    const issue = () => {
      const i = next++
      inFlight++
      host.ask(definition, `m${i}`, { _tag: "Add", by: 1 }).then(
        () => {
          acked++
          done()
        },
        () => {
          errors++
          done()
        }
      )
    }
    const done = () => {
      inFlight--
      if (next < actors) issue()
      else if (inFlight === 0) resolve()
    }
    for (let i = 0; i < Math.min(window, actors); i++) issue()
  })
  const createMs = performance.now() - began
  for (let i = 0; i < 10; i++) await settle()
  await collect()
  const after = process.memoryUsage()
  const resident = host.resident

  let stateSum = 0
  for (let i = 0; i < actors; i += 1) {
    if (i % 50_000 === 0) await settle()
    stateSum += (await host.ask<{ n: number }>(definition, `m${i}`, { _tag: "Get" })).n
  }
  await host.stop()
  return {
    actors,
    resident,
    heapUsedBeforeBytes: before.heapUsed,
    heapUsedAfterBytes: after.heapUsed,
    bytesPerActor: (after.heapUsed - before.heapUsed) / actors,
    rssBeforeBytes: before.rss,
    rssAfterBytes: after.rss,
    rssDeltaBytes: after.rss - before.rss,
    rssBytesPerActor: (after.rss - before.rss) / actors,
    createMs,
    acked,
    errors,
    stateSum
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const actors = Number(process.argv[2] ?? 1_000_000)
  if (!Number.isSafeInteger(actors) || actors <= 0) {
    console.error(`usage: runtime-bench-memory.ts <actors>, got ${process.argv[2]}`)
    process.exit(2)
  }
  measureResidentMemory(actors).then(
    (result) => {
      process.stdout.write(JSON.stringify(result) + "\n")
      process.exit(0)
    },
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
  )
}
