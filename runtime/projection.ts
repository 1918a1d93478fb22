import { Effect } from "effect"
import { latencyBucketsMs, type MetricsRegistry } from "./metrics.ts"
import type { JournalBatch, JournalService, Position, PositionStoreService } from "./ports.ts"

/**
 * A read model fed from the journal. `apply` receives whole batches of one shard in position
 * order, at least once: after a crash the batches since the last stored position come again, so
 * it must be idempotent (e.g. upsert keyed by the entity, or skip positions it has seen).
 */
export interface Projection {
  readonly name: string
  readonly apply: (shard: number, batch: JournalBatch) => Effect.Effect<void, unknown>
}

export interface ProjectionRunnerConfig {
  readonly shards: ReadonlyArray<number>
  /** Batches read per round-trip. */
  readonly readBatches: number
  /** Every shard is read at least this often even without a wake-up (appends by other processes). */
  readonly pollEveryMs: number
  /** Wait before retrying a shard whose read or apply failed. */
  readonly retryAfterMs: number
  /**
   * After a shard was read, wait at least this long before reading it again: the batches a busy
   * shard appends meanwhile are then read, applied and their position stored together, instead of
   * one read and one position write per append (a hot actor appends hundreds of batches a second).
   * The price is up to this much more lag. 0 or absent: read at once.
   */
  readonly coalesceMs?: number
}

export const defaultProjectionRunnerConfig: Omit<ProjectionRunnerConfig, "shards"> = {
  readBatches: 128,
  pollEveryMs: 2_000,
  retryAfterMs: 500,
  coalesceMs: 50
}

interface ShardCursor {
  readonly shard: number
  position: Position
  /** Highest position known to exist (from wake-ups and reads). */
  knownHead: Position
  running: boolean
  again: boolean
  /** When the last read of this shard ended (ms), and whether a wake-up waits for `coalesceMs` to pass. */
  lastEndedMs: number
  deferred: boolean
}

export const projectionOwner = (name: string) => `projection:${name}`

/**
 * Runs one projection over a set of shards: reads from each shard's stored position, applies,
 * stores the new position. Woken at once by local appends, and polls as a safety net.
 */
export class ProjectionRunner {
  private readonly cursors = new Map<number, ShardCursor>()
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private readonly inFlight = new Set<Promise<void>>()
  private readonly applied
  private readonly failures
  private readonly lagMs
  private lastLagMs = 0

  constructor(
    private readonly journal: JournalService,
    private readonly positions: PositionStoreService,
    private readonly projection: Projection,
    private readonly config: ProjectionRunnerConfig,
    registry: MetricsRegistry,
    private readonly log: (message: string, detail?: unknown) => void = (m, d) => console.error(m, d ?? "")
  ) {
    const labels = { projection: projection.name }
    this.applied = registry.counter("projection_batches_applied_total", "Journal batches applied by a projection").with(labels)
    this.failures = registry.counter("projection_failures_total", "Failed reads or applies of a projection (retried)").with(labels)
    this.lagMs = registry.histogram("projection_apply_lag_ms", "Time from a batch's append to its apply", latencyBucketsMs).with(labels)
    const lag = registry.gauge("projection_lag_positions", "Journal batches a projection is behind, over all shards").with(labels)
    const lagMsGauge = registry.gauge("projection_lag_ms", "Age of the last applied batch when it was applied").with(labels)
    this.publishLag = () => {
      lag.set(this.lagPositions())
      lagMsGauge.set(this.lastLagMs)
    }
  }

  private readonly publishLag: () => void

  async start(): Promise<void> {
    for (const shard of this.config.shards) {
      const position = await Effect.runPromise(this.positions.get(projectionOwner(this.projection.name), shard))
      this.cursors.set(shard, { shard, position, knownHead: position, running: false, again: false, lastEndedMs: 0, deferred: false })
    }
    for (const shard of this.config.shards) this.wake(shard)
    const poll = () => {
      if (this.stopped) return
      for (const shard of this.config.shards) this.wake(shard)
      this.timer = setTimeout(poll, this.config.pollEveryMs)
      this.timer.unref()
    }
    this.timer = setTimeout(poll, this.config.pollEveryMs)
    this.timer.unref()
  }

  /** A batch landed at `position` on `shard` (called by the host after every durable append). */
  notify(shard: number, position: Position) {
    const cursor = this.cursors.get(shard)
    if (cursor === undefined) return
    if (position > cursor.knownHead) cursor.knownHead = position
    this.wake(shard)
  }

  /** Batches behind, summed over shards, as far as this runner knows. */
  lagPositions(): number {
    let lag = 0
    for (const c of this.cursors.values()) lag += Math.max(0, c.knownHead - c.position)
    return lag
  }

  /** Resolves once every shard has applied at least up to what was known when called. */
  async caughtUp(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    for (const shard of this.config.shards) this.wake(shard)
    while (Date.now() < deadline) {
      if (this.lagPositions() === 0 && [...this.cursors.values()].every((c) => !c.running)) return true
      await new Promise((r) => setTimeout(r, 5))
    }
    return false
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    await Promise.all([...this.inFlight])
  }

  private wake(shard: number) {
    const cursor = this.cursors.get(shard)
    if (cursor === undefined || this.stopped) return
    if (cursor.running) {
      cursor.again = true
      return
    }
    const waitMs = cursor.lastEndedMs + (this.config.coalesceMs ?? 0) - Date.now()
    if (waitMs > 0) {
      if (!cursor.deferred) {
        cursor.deferred = true
        setTimeout(() => {
          cursor.deferred = false
          this.wake(shard)
        }, waitMs).unref()
      }
      return
    }
    cursor.running = true
    const work = this.catchUp(cursor).finally(() => {
      this.inFlight.delete(work)
      cursor.running = false
      cursor.lastEndedMs = Date.now()
      this.publishLag()
      if (cursor.again && !this.stopped) {
        cursor.again = false
        this.wake(shard)
      }
    })
    this.inFlight.add(work)
  }

  private async catchUp(cursor: ShardCursor): Promise<void> {
    const owner = projectionOwner(this.projection.name)
    for (;;) {
      if (this.stopped) return
      const result = await Effect.runPromise(
        Effect.either(
          Effect.gen(this, function* () {
            const page = yield* this.journal.read(cursor.shard, cursor.position, this.config.readBatches)
            for (const batch of page) {
              yield* this.projection.apply(cursor.shard, batch)
              this.lastLagMs = Math.max(0, Date.now() - batch.atMs)
              this.lagMs.observe(this.lastLagMs)
              this.applied.inc()
            }
            if (page.length > 0) {
              const last = page[page.length - 1]!.position
              yield* this.positions.set(owner, cursor.shard, last)
              cursor.position = last
              if (last > cursor.knownHead) cursor.knownHead = last
            }
            return page.length
          })
        )
      )
      if (result._tag === "Left") {
        this.failures.inc()
        this.log(`projection ${this.projection.name} failed on shard ${cursor.shard} after position ${cursor.position}; retrying`, result.left)
        await new Promise((r) => setTimeout(r, this.config.retryAfterMs))
        continue
      }
      if (result.right < this.config.readBatches) {
        if (cursor.knownHead > cursor.position) cursor.knownHead = cursor.position
        return
      }
    }
  }
}
