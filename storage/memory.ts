import { Effect, Layer } from "effect"
import { StaleEpoch, StorageUnavailable } from "../runtime/errors.ts"
import {
  Journal,
  type JournalBatch,
  type JournalService,
  PositionStore,
  type PositionStoreService,
  SnapshotStore,
  type SnapshotRecord,
  type SnapshotStoreService
} from "../runtime/ports.ts"

/**
 * In-memory adapters for fast unit tests. They keep the same contract as the real adapters
 * (storage/contract.ts runs against them too) and can be told to fail, to test the failure paths.
 */
export interface MemoryFaults {
  /** When set, every journal call fails with StorageUnavailable until cleared. */
  journalDown: boolean
  /** Fail the next N appends (after writing them when `appendLandsBeforeFailure`). */
  failNextAppends: number
  /** A failed append still lands in the journal: the ambiguous "timeout after write" case. */
  appendLandsBeforeFailure: boolean
  snapshotsDown: boolean
}

export const makeMemoryFaults = (): MemoryFaults => ({
  journalDown: false,
  failNextAppends: 0,
  appendLandsBeforeFailure: false,
  snapshotsDown: false
})

interface MemoryShard {
  epoch: number
  head: number
  batches: Array<JournalBatch>
}

const copy = <A>(value: A): A => structuredClone(value)

export const makeMemoryJournal = (faults: MemoryFaults = makeMemoryFaults()): JournalService => {
  const shards = new Map<number, MemoryShard>()
  const shardOf = (shard: number): MemoryShard => {
    let s = shards.get(shard)
    if (s === undefined) {
      s = { epoch: 0, head: 0, batches: [] }
      shards.set(shard, s)
    }
    return s
  }
  const down = () => new StorageUnavailable({ store: "memory-journal", message: "journal is down (fault injected)" })
  return {
    store: "memory-journal",
    acquire: (shard) =>
      faults.journalDown ? Effect.fail(down()) : Effect.sync(() => ++shardOf(shard).epoch),
    append: (shard, epoch, atMs, events) =>
      Effect.suspend((): Effect.Effect<number, StaleEpoch | StorageUnavailable> => {
        if (faults.journalDown) return Effect.fail(down())
        const s = shardOf(shard)
        if (s.epoch !== epoch) {
          return Effect.fail(
            new StaleEpoch({ shard, epoch, message: `shard ${shard} is at epoch ${s.epoch}, append carried ${epoch}` })
          )
        }
        const failing = faults.failNextAppends > 0
        if (failing) faults.failNextAppends--
        if (!failing || faults.appendLandsBeforeFailure) {
          s.head++
          s.batches.push({ position: s.head, atMs, events: copy(events) })
        }
        return failing ? Effect.fail(down()) : Effect.succeed(s.head)
      }),
    read: (shard, after, maxBatches) =>
      Effect.suspend(() => {
        if (faults.journalDown) return Effect.fail(down())
        const s = shardOf(shard)
        return Effect.succeed(copy(s.batches.filter((b) => b.position > after).slice(0, maxBatches)))
      }),
    head: (shard) => (faults.journalDown ? Effect.fail(down()) : Effect.sync(() => shardOf(shard).head)),
    trim: (shard, below) =>
      Effect.sync(() => {
        const s = shardOf(shard)
        s.batches = s.batches.filter((b) => b.position >= below)
      })
  }
}

export const makeMemorySnapshotStore = (faults: MemoryFaults = makeMemoryFaults()): SnapshotStoreService => {
  const records = new Map<string, SnapshotRecord>()
  const down = () => new StorageUnavailable({ store: "memory-snapshots", message: "snapshot store is down (fault injected)" })
  return {
    store: "memory-snapshots",
    load: (actor) => (faults.snapshotsDown ? Effect.fail(down()) : Effect.sync(() => copy(records.get(actor)))),
    loadMany: (actors) =>
      faults.snapshotsDown
        ? Effect.fail(down())
        : Effect.sync(() => actors.flatMap((a) => (records.has(a) ? [copy(records.get(a)!)] : []))),
    save: (batch) =>
      faults.snapshotsDown
        ? Effect.fail(down())
        : Effect.sync(() => {
            for (const r of batch) {
              const existing = records.get(r.actor)
              if (existing === undefined || existing.seq <= r.seq) records.set(r.actor, copy(r))
            }
          }),
    timers: (shard, dueBeforeMs, limit) =>
      Effect.sync(() =>
        [...records.values()]
          .filter((r) => r.shard === shard && r.timerAtMs !== null && r.timerAtMs < dueBeforeMs)
          .map((r) => ({ actor: r.actor, atMs: r.timerAtMs! }))
          .sort((a, b) => a.atMs - b.atMs || a.actor.localeCompare(b.actor))
          .slice(0, limit)
      )
  }
}

export const makeMemoryPositionStore = (): PositionStoreService => {
  const positions = new Map<number, Map<string, number>>()
  return {
    store: "memory-positions",
    get: (owner, shard) => Effect.sync(() => positions.get(shard)?.get(owner) ?? 0),
    set: (owner, shard, position) =>
      Effect.sync(() => {
        let m = positions.get(shard)
        if (m === undefined) positions.set(shard, (m = new Map()))
        m.set(owner, position)
      }),
    all: (shard) =>
      Effect.sync(() => [...(positions.get(shard) ?? new Map<string, number>()).entries()].map(([owner, position]) => ({ owner, position })))
  }
}

/** All three ports in memory, sharing one fault switchboard. */
export const memoryStorageLayer = (faults: MemoryFaults = makeMemoryFaults()) =>
  Layer.mergeAll(
    Layer.succeed(Journal, makeMemoryJournal(faults)),
    Layer.succeed(SnapshotStore, makeMemorySnapshotStore(faults)),
    Layer.succeed(PositionStore, makeMemoryPositionStore())
  )
