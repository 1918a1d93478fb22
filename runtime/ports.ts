import { Context, type Effect } from "effect"
import type { CorruptData, StaleEpoch, StorageUnavailable } from "./errors.ts"

/** Index of a shard, 0 ≤ shard < shardCount. */
export type ShardId = number
/** Ownership generation of a shard; a newer owner holds a larger epoch. */
export type Epoch = number
/** Per-shard journal position, strictly increasing from 1 in append order. 0 means "before everything". */
export type Position = number

/** One event as journaled: the actor's key (`type/id`), its gapless sequence number and the encoded event. */
export interface JournalEvent {
  readonly actor: string
  readonly seq: number
  readonly event: unknown
}

/** One group commit: all events of a shard produced in one turn, durable together. */
export interface JournalBatch {
  readonly position: Position
  /** Wall-clock ms when the batch was appended (for projection lag). */
  readonly atMs: number
  readonly events: ReadonlyArray<JournalEvent>
}

/**
 * The event journal: one ordered log per shard, with fencing. Every append names the epoch
 * the writer acquired; the storage rejects it atomically when a newer epoch exists.
 */
export interface JournalService {
  readonly store: string
  /** Take ownership of a shard: bump its epoch (fencing every older owner) and return the new one. */
  readonly acquire: (shard: ShardId) => Effect.Effect<Epoch, StorageUnavailable>
  /** Append one batch. Fails with StaleEpoch when `epoch` is not the shard's current epoch. */
  readonly append: (
    shard: ShardId,
    epoch: Epoch,
    atMs: number,
    events: ReadonlyArray<JournalEvent>
  ) => Effect.Effect<Position, StaleEpoch | StorageUnavailable>
  /** Batches with position > `after`, in order, at most `maxBatches`. */
  readonly read: (
    shard: ShardId,
    after: Position,
    maxBatches: number
  ) => Effect.Effect<ReadonlyArray<JournalBatch>, StorageUnavailable | CorruptData>
  /** Highest position appended to the shard (0 when empty). */
  readonly head: (shard: ShardId) => Effect.Effect<Position, StorageUnavailable>
  /** Remove batches with position < `below`. Never removes the head batch's position counter. */
  readonly trim: (shard: ShardId, below: Position) => Effect.Effect<void, StorageUnavailable>
}

export class Journal extends Context.Tag("runtime/Journal")<Journal, JournalService>() {}

/** A saved actor state and what it covers. */
export interface SnapshotRecord {
  readonly actor: string
  readonly shard: ShardId
  /** The actor's last sequence number included in `state`. */
  readonly seq: number
  /** Journal position of the batch holding event `seq`. */
  readonly position: Position
  /** Earliest durable timer deadline in `state` (ms since epoch), so timers of passivated actors survive restarts. */
  readonly timerAtMs: number | null
  readonly state: unknown
}

export interface SnapshotStoreService {
  readonly store: string
  readonly load: (actor: string) => Effect.Effect<SnapshotRecord | undefined, StorageUnavailable | CorruptData>
  readonly loadMany: (
    actors: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<SnapshotRecord>, StorageUnavailable | CorruptData>
  /** Upsert; a record never replaces a stored one with a higher `seq`. */
  readonly save: (records: ReadonlyArray<SnapshotRecord>) => Effect.Effect<void, StorageUnavailable>
  /**
   * Actors of a shard whose stored durable timer is due before `dueBeforeMs`, earliest first, at most
   * `limit`: the host arms timers of actors not in memory a window at a time, never all of them.
   */
  readonly timers: (
    shard: ShardId,
    dueBeforeMs: number,
    limit: number
  ) => Effect.Effect<ReadonlyArray<{ readonly actor: string; readonly atMs: number }>, StorageUnavailable>
}

export class SnapshotStore extends Context.Tag("runtime/SnapshotStore")<SnapshotStore, SnapshotStoreService>() {}

/**
 * Stored journal positions per (owner, shard): the host's recovery checkpoint
 * ("recovery") and every projection's progress ("projection:<name>").
 * The journal may be trimmed below the minimum over all owners of a shard.
 */
export interface PositionStoreService {
  readonly store: string
  readonly get: (owner: string, shard: ShardId) => Effect.Effect<Position, StorageUnavailable>
  readonly set: (owner: string, shard: ShardId, position: Position) => Effect.Effect<void, StorageUnavailable>
  /** Positions of every owner for one shard. */
  readonly all: (shard: ShardId) => Effect.Effect<ReadonlyArray<{ readonly owner: string; readonly position: Position }>, StorageUnavailable>
}

export class PositionStore extends Context.Tag("runtime/PositionStore")<PositionStore, PositionStoreService>() {}
