/** Tunables of the actor host. Units are last in the names; every one can be set from the environment. */
export interface HostConfig {
  /** Fixed number of shards actor ids hash to. Changing it re-homes actors: fixed per deployment. */
  readonly shardCount: number
  /** Shards this host owns; all of them when undefined (single process). */
  readonly ownedShards?: ReadonlyArray<number>
  /** An actor with no command for this long is snapshotted (if needed) and dropped from memory. */
  readonly passivateAfterIdleMs: number
  /** How often idle actors are looked for. */
  readonly passivationSweepMs: number
  /** Pending events per shard beyond which mailboxes stop draining until the append in flight lands. */
  readonly maxBatchEvents: number
  /** How often recovery checkpoints are saved and the journal trimmed. */
  readonly checkpointEveryMs: number
  /** How often the journal is trimmed below what snapshots and projections have passed. */
  readonly trimEveryMs: number
  /** Batches read per journal round-trip during recovery and reloads. */
  readonly recoveryReadBatches: number
  /** Shards recovered concurrently at start. */
  readonly recoveryConcurrency: number
  /** Retry-After hint handed to callers on a retryable failure. */
  readonly retryAfterMs: number
  /** A timer whose command changes nothing is retried after this delay, not in a tight loop. */
  readonly timerRetryMs: number
  /**
   * Timers of actors not in memory are read from the snapshot store this far ahead, a window at a
   * time, so a million idle actors with far deadlines cost no memory.
   */
  readonly timerHorizonMs: number
  /** Stored timers read per shard per window. */
  readonly timerWindowLimit: number
  /** Snapshot records written per storage round-trip. */
  readonly snapshotBatchSize: number
  /**
   * An actor whose definition declares `snapshotEntries` is snapshotted no sooner than this many
   * events per entry of its state (and never sooner than its `snapshotEveryEvents`).
   */
  readonly snapshotEventsPerEntry: number
  /** Trim the journal below what every snapshot and every projection has passed. */
  readonly trimJournal: boolean
  /** Projections that must have passed a position before it may be trimmed (missing ⇒ nothing is trimmed). */
  readonly retainForProjections: ReadonlyArray<string>
}

export const defaultHostConfig: HostConfig = {
  shardCount: 256,
  passivateAfterIdleMs: 120_000,
  passivationSweepMs: 10_000,
  maxBatchEvents: 20_000,
  checkpointEveryMs: 1_000,
  trimEveryMs: 30_000,
  recoveryReadBatches: 256,
  recoveryConcurrency: 16,
  retryAfterMs: 1_000,
  timerRetryMs: 1_000,
  timerHorizonMs: 10 * 60_000,
  timerWindowLimit: 10_000,
  snapshotBatchSize: 500,
  snapshotEventsPerEntry: 2,
  trimJournal: true,
  retainForProjections: []
}

const intFromEnv = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name]
  if (raw === undefined || raw === "") return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`)
  return n
}

export const hostConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): HostConfig => ({
  ...defaultHostConfig,
  shardCount: intFromEnv(env, "SHARD_COUNT", defaultHostConfig.shardCount),
  passivateAfterIdleMs: intFromEnv(env, "PASSIVATE_AFTER_IDLE_MS", defaultHostConfig.passivateAfterIdleMs),
  maxBatchEvents: intFromEnv(env, "MAX_BATCH_EVENTS", defaultHostConfig.maxBatchEvents),
  checkpointEveryMs: intFromEnv(env, "CHECKPOINT_EVERY_MS", defaultHostConfig.checkpointEveryMs),
  trimJournal: env["TRIM_JOURNAL"] !== "off"
})
