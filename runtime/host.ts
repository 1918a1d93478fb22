import { Effect, Either } from "effect"
import { actorKey, type AnyActorDefinition, codecFor, splitActorKey } from "./actor.ts"
import { Batch, Cell, CellStatus, type ActorType, type Envelope, type Waiter } from "./cell.ts"
import { defaultHostConfig, type HostConfig } from "./config.ts"
import { ActorCrashed, CorruptData, MailboxFull, StaleEpoch, Unavailable } from "./errors.ts"
import { HostMetrics } from "./host-metrics.ts"
import { applyTail, decodeSnapshot, readTail } from "./loading.ts"
import type { MetricsRegistry } from "./metrics.ts"
import type { JournalEvent, JournalService, Position, PositionStoreService, SnapshotRecord, SnapshotStoreService } from "./ports.ts"
import { shardOf } from "./sharding.ts"
import { TimerQueue } from "./timer-queue.ts"

export const RECOVERY_OWNER = "recovery"

const enum ShardStatus {
  Recovering = 0,
  Ready = 1,
  Lost = 2
}


/** Told of a durable append: its shard, its position, and its events (read them, never keep or change them). */
export type AppendListener = (shard: number, position: Position, events: ReadonlyArray<JournalEvent>) => void

interface Shard {
  readonly id: number
  epoch: number
  status: ShardStatus
  head: Position
  readonly cells: Map<string, Cell>
  pending: Batch | null
  inFlight: Batch | null
  /** Cells with durable events not yet covered by a stored snapshot. */
  readonly dirtyCells: Set<Cell>
  /** Actors dropped from memory with events possibly past their snapshot: key → earliest such position. */
  readonly reloadFrom: Map<string, Position>
  /** Timers of actors not in memory, within the loaded window: key → deadline. */
  readonly passiveTimers: Map<string, number>
  /** Stored timers due before this instant have been loaded into `passiveTimers`. */
  passiveLoadedUntilMs: number
  /** Cells whose mailboxes wait for the shard's backpressure to clear. */
  readonly blocked: Set<Cell>
  /** Commands that arrived while the shard recovered. */
  recoveryQueue: Array<{ readonly key: string; readonly envelope: Envelope }>
  savedCheckpoint: Position
}

/** A snapshot to take: `state` is the cell's state at `seq`, durable at `position`; encoded only when written. */
interface SnapshotJob {
  readonly shard: Shard
  readonly cell: Cell
  readonly generation: number
  readonly state: unknown
  readonly seq: number
  readonly position: Position
  readonly passivate: boolean
}

/** Run a port effect; corruption thrown from inside (decoding, evolve) becomes a typed failure, not a defect. */
const run = <A, E>(effect: Effect.Effect<A, E>): Promise<Either.Either<A, E | CorruptData>> =>
  Effect.runPromise(Effect.either(effect.pipe(Effect.catchAllDefect((d) => (d instanceof CorruptData ? Effect.fail(d) : Effect.die(d))))))

export interface HostPorts {
  readonly journal: JournalService
  readonly snapshots: SnapshotStoreService
  readonly positions: PositionStoreService
}

/**
 * The actor host: routes commands to single-writer actors grouped in shards, group-commits each
 * shard's events to the journal, releases replies once durable, snapshots, passivates, recovers,
 * and fires durable timers. Everything here is plumbing; commerce rules live in `decide`/`evolve`.
 */
export class ActorHost {
  private readonly shards: Array<Shard | undefined>
  private readonly types = new Map<string, ActorType>()
  private readonly flushQueue: Array<Shard> = []
  private flushScheduled = false
  private snapshotJobs: Array<SnapshotJob> = []
  private snapshotInFlight = false
  private snapshotWriteScheduled = false
  private readonly timers: TimerQueue
  private readonly intervals: Array<NodeJS.Timeout> = []
  private stopping = false
  private started = false
  private readonly appendListeners: Array<AppendListener> = []
  readonly metrics: HostMetrics
  readonly config: HostConfig

  constructor(
    private readonly ports: HostPorts,
    definitions: ReadonlyArray<AnyActorDefinition>,
    config: Partial<HostConfig> = {},
    registry?: MetricsRegistry,
    private readonly log: (message: string, detail?: unknown) => void = (m, d) => console.error(m, d ?? "")
  ) {
    this.config = { ...defaultHostConfig, ...config }
    for (const definition of definitions) {
      if (definition.name.includes("/")) throw new Error(`actor type "${definition.name}" must not contain "/"`)
      this.types.set(definition.name, {
        definition,
        stateCodec: codecFor(definition.state),
        eventCodec: codecFor(definition.event)
      })
    }
    this.shards = new Array(this.config.shardCount).fill(undefined)
    this.metrics = new HostMetrics(registry, () => this.residentCount(), () => this.queuedCount())
    this.timers = new TimerQueue(
      (key, atMs) => this.timerIsCurrent(key, atMs),
      (key) => this.fireTimer(key)
    )
  }

  // ---------------------------------------------------------------- lifecycle

  /** Acquire and recover every owned shard. Resolves when the host is ready to serve. */
  async start(): Promise<void> {
    const owned = this.config.ownedShards ?? Array.from({ length: this.config.shardCount }, (_, i) => i)
    const queue = [...owned]
    const worker = async () => {
      for (let shard = queue.shift(); shard !== undefined; shard = queue.shift()) await this.acquireShard(shard)
    }
    await Promise.all(Array.from({ length: Math.min(this.config.recoveryConcurrency, queue.length) }, worker))
    this.started = true
    this.intervals.push(setInterval(() => void this.checkpointAll(), this.config.checkpointEveryMs).unref())
    this.intervals.push(setInterval(() => void this.trimAll(), this.config.trimEveryMs).unref())
    this.intervals.push(setInterval(() => this.passivateIdle(Date.now()), this.config.passivationSweepMs).unref())
    this.intervals.push(setInterval(() => void this.loadPassiveTimersAll(), Math.max(1_000, this.config.timerHorizonMs / 2)).unref())
  }

  /** Stop taking commands, wait for in-flight appends, snapshot every dirty actor, save checkpoints. */
  async stop(): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    for (const i of this.intervals) clearInterval(i)
    this.timers.stop()
    this.flushAll()
    for (let i = 0; i < 200 && this.shardsBusy(); i++) await new Promise((r) => setTimeout(r, 10))
    for (const shard of this.liveShards()) {
      for (const cell of shard.dirtyCells) this.queueSnapshot(shard, cell, cell.state, cell.durableSeq, shard.head, false)
    }
    for (let i = 0; i < 500 && (this.snapshotJobs.length > 0 || this.snapshotInFlight); i++) {
      if (!this.snapshotInFlight) void this.writeSnapshots()
      await new Promise((r) => setTimeout(r, 10))
    }
    await this.checkpointAll()
  }

  get ready(): boolean {
    return this.started && !this.stopping
  }

  /** Take a shard: bump its epoch (fencing the previous owner) and rebuild what the journal holds past the checkpoint. */
  async acquireShard(id: number): Promise<void> {
    const began = performance.now()
    const shard: Shard = {
      id,
      epoch: 0,
      status: ShardStatus.Recovering,
      head: 0,
      cells: new Map(),
      pending: null,
      inFlight: null,
      dirtyCells: new Set(),
      reloadFrom: new Map(),
      passiveTimers: new Map(),
      passiveLoadedUntilMs: 0,
      blocked: new Set(),
      recoveryQueue: [],
      savedCheckpoint: 0
    }
    this.shards[id] = shard
    const { journal, positions, snapshots } = this.ports
    const result = await run(
      Effect.gen(this, function* () {
        shard.epoch = yield* journal.acquire(id)
        const checkpoint = yield* positions.get(RECOVERY_OWNER, id)
        const head = yield* journal.head(id)
        if (head < checkpoint) {
          return yield* new CorruptData({
            store: journal.store,
            shard: id,
            position: checkpoint,
            message: `journal of shard ${id} ends at position ${head} but its recovery checkpoint is ${checkpoint}: the stream is missing or was cut`
          })
        }
        let events = 0
        yield* readTail(journal, this.config.recoveryReadBatches, id, checkpoint, head, (batch) =>
          Effect.gen(this, function* () {
            const missing: Array<string> = []
            for (const e of batch.events) if (!shard.cells.has(e.actor) && !missing.includes(e.actor)) missing.push(e.actor)
            if (missing.length > 0) {
              const records = yield* snapshots.loadMany(missing)
              const byActor = new Map(records.map((r) => [r.actor, r]))
              for (const key of missing) {
                const cell = new Cell(key, this.typeOf(key, id, batch.position))
                const restored = decodeSnapshot(cell.type, byActor.get(key), key)
                cell.state = restored.state
                cell.seq = cell.durableSeq = cell.snapshotSeq = restored.seq
                cell.status = CellStatus.Ready
                shard.cells.set(key, cell)
              }
            }
            for (const e of batch.events) {
              const cell = shard.cells.get(e.actor)!
              if (applyTail(cell, e, id, batch.position)) {
                events++
                if (cell.dirtyFrom === 0) {
                  cell.dirtyFrom = batch.position
                  shard.dirtyCells.add(cell)
                }
              }
            }
          })
        )
        shard.head = head
        shard.savedCheckpoint = checkpoint
        return { events }
      })
    )
    if (result._tag === "Left") {
      shard.status = ShardStatus.Lost
      this.shards[id] = undefined
      for (const { envelope } of shard.recoveryQueue) envelope.reject(this.unavailable(`shard ${id}`, "storage", "shard recovery failed"))
      throw result.left
    }
    const now = Date.now()
    for (const cell of shard.cells.values()) {
      cell.lastActiveMs = now
      this.armTimer(shard, cell)
    }
    shard.status = ShardStatus.Ready
    await this.loadPassiveTimers(shard, now)
    this.metrics.recovered(performance.now() - began, result.right.events)
    const queued = shard.recoveryQueue
    shard.recoveryQueue = []
    for (const { key, envelope } of queued) this.deliver(shard, key, envelope)
  }

  // ---------------------------------------------------------------- the command path

  /**
   * Send a command and wait for its reply. Resolves with the reply once every event the reply
   * depends on is durable; rejects with the actor's typed rejection, MailboxFull, Unavailable or
   * ActorCrashed (a defect).
   */
  ask<Reply>(definition: AnyActorDefinition, id: string, command: unknown, nowMs: number = Date.now()): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => this.tell(definition, id, command, nowMs, resolve as (v: unknown) => void, reject))
  }

  /**
   * `ask` with callbacks: a reply that needs no journal write (a read, a rejection on durable state)
   * is delivered synchronously, before `tell` returns, with no promise in between.
   */
  tell(
    definition: AnyActorDefinition,
    id: string,
    command: unknown,
    nowMs: number,
    resolve: (reply: unknown) => void,
    reject: (error: unknown) => void
  ): void {
    const key = actorKey(definition.name, id)
    {
      const envelope: Envelope = { command, nowMs, resolve, reject }
      const shard = this.shards[shardOf(key, this.config.shardCount)]
      if (this.stopping) return reject(this.unavailable(key, "stopping", "the host is shutting down"))
      if (shard === undefined || shard.status === ShardStatus.Lost) {
        return reject(this.unavailable(key, "shard_not_owned", "this host does not own the actor's shard"))
      }
      if (shard.status === ShardStatus.Recovering) {
        if (shard.recoveryQueue.length >= this.config.maxBatchEvents) {
          return reject(new MailboxFull({ actor: key, capacity: this.config.maxBatchEvents, message: `shard of ${key} is recovering and its queue is full` }))
        }
        shard.recoveryQueue.push({ key, envelope })
        return
      }
      this.deliver(shard, key, envelope)
    }
  }

  private deliver(shard: Shard, key: string, envelope: Envelope) {
    let cell = shard.cells.get(key)
    if (cell === undefined) {
      cell = new Cell(key, this.typeOf(key, shard.id, 0))
      shard.cells.set(key, cell)
      this.load(shard, cell)
    }
    if (cell.status === CellStatus.Ready && cell.mailbox === null && !this.backpressured(shard)) {
      this.process(shard, cell, envelope)
    } else {
      this.enqueue(shard, cell, envelope)
    }
  }

  private enqueue(shard: Shard, cell: Cell, envelope: Envelope) {
    const capacity = cell.type.definition.limits.mailboxCapacity
    if (cell.queued >= capacity) {
      this.metrics.mailboxFull.inc()
      envelope.reject(new MailboxFull({ actor: cell.key, capacity, message: `mailbox of ${cell.key} holds ${capacity} commands` }))
      return
    }
    if (cell.mailbox === null) {
      cell.mailbox = []
      cell.mailboxHead = 0
    }
    cell.mailbox.push(envelope)
    this.metrics.mailboxDepth.observe(cell.queued)
    if (cell.status === CellStatus.Ready) shard.blocked.add(cell)
  }

  /** decide → evolve → stage the events in the shard's pending batch; the reply waits for durability. */
  private process(shard: Shard, cell: Cell, envelope: Envelope) {
    const type = cell.type
    const def = type.definition
    cell.lastActiveMs = envelope.nowMs
    let decision
    try {
      decision = def.decide(cell.state, envelope.command, envelope.nowMs)
    } catch (defect) {
      return this.crash(shard, cell, defect, envelope)
    }
    if (decision._tag === "Reject") {
      this.metrics.rejected.inc()
      return this.replyAfterDurable(shard, cell, envelope, false, decision.rejection)
    }
    const events = decision.events
    if (events.length > 0) {
      let state = cell.state
      const encoded = new Array<unknown>(events.length)
      try {
        for (let i = 0; i < events.length; i++) {
          state = def.evolve(state, events[i])
          encoded[i] = type.eventCodec.encode(events[i])
        }
      } catch (defect) {
        return this.crash(shard, cell, defect, envelope)
      }
      const batch = this.pendingBatch(shard)
      for (let i = 0; i < events.length; i++) batch.events.push({ actor: cell.key, seq: ++cell.seq, event: encoded[i] })
      batch.touched.add(cell)
      cell.state = state
      if (def.nextTimer !== undefined) this.armTimer(shard, cell)
    }
    this.metrics.accepted.inc()
    this.replyAfterDurable(shard, cell, envelope, true, decision.reply)
  }

  private replyAfterDurable(shard: Shard, cell: Cell, envelope: Envelope, ok: boolean, value: unknown) {
    if (cell.seq === cell.durableSeq) {
      if (ok) envelope.resolve(value)
      else envelope.reject(value)
      return
    }
    this.pendingBatch(shard).waiters.push({ resolve: envelope.resolve, reject: envelope.reject, cell, ok, value })
  }

  private pendingBatch(shard: Shard): Batch {
    let batch = shard.pending
    if (batch === null) {
      batch = shard.pending = new Batch()
      if (shard.inFlight === null) this.scheduleFlush(shard)
    }
    return batch
  }

  private backpressured(shard: Shard): boolean {
    return shard.inFlight !== null && shard.pending !== null && shard.pending.events.length >= this.config.maxBatchEvents
  }

  private drain(shard: Shard, cell: Cell) {
    const mailbox = cell.mailbox
    if (mailbox === null) return
    while (cell.mailboxHead < mailbox.length && cell.status === CellStatus.Ready && cell.mailbox === mailbox) {
      if (this.backpressured(shard)) {
        shard.blocked.add(cell)
        return
      }
      const envelope = mailbox[cell.mailboxHead]!
      mailbox[cell.mailboxHead++] = undefined as unknown as Envelope
      this.process(shard, cell, envelope)
    }
    if (cell.mailbox === mailbox && cell.mailboxHead >= mailbox.length) {
      cell.mailbox = null
      cell.mailboxHead = 0
    }
  }

  // ---------------------------------------------------------------- group commit

  private scheduleFlush(shard: Shard) {
    this.flushQueue.push(shard)
    if (!this.flushScheduled) {
      this.flushScheduled = true
      setImmediate(() => this.flushAll())
    }
  }

  private flushAll() {
    this.flushScheduled = false
    const shards = this.flushQueue.splice(0)
    for (const shard of shards) this.flush(shard)
    this.scheduleSnapshotWrite()
  }

  private flush(shard: Shard) {
    if (shard.inFlight !== null || shard.pending === null || shard.status === ShardStatus.Lost) return
    const batch = shard.pending
    shard.pending = null
    if (batch.events.length === 0) {
      for (const w of batch.waiters) settle(w)
      return
    }
    shard.inFlight = batch
    for (const cell of batch.touched) {
      batch.captured.push({ cell, generation: cell.generation, state: cell.state, seq: cell.seq })
    }
    const began = performance.now()
    const epoch = shard.epoch
    this.metrics.batchEvents.observe(batch.events.length)
    void run(this.ports.journal.append(shard.id, epoch, Date.now(), batch.events)).then(
      (result) => {
        this.metrics.appendLatencyMs.observe(performance.now() - began)
        if (result._tag === "Right") this.durable(shard, batch, result.right)
        else this.appendFailed(shard, batch, result.left)
      },
      (defect: unknown) => this.appendFailed(shard, batch, defect)
    )
  }

  private durable(shard: Shard, batch: Batch, position: Position) {
    shard.inFlight = null
    shard.head = position
    for (const listener of this.appendListeners) listener(shard.id, position, batch.events)
    for (const c of batch.captured) {
      const cell = c.cell
      if (cell.generation !== c.generation) continue
      cell.durableSeq = c.seq
      if (cell.dirtyFrom === 0) {
        cell.dirtyFrom = position
        shard.dirtyCells.add(cell)
      }
      if (!cell.snapshotQueued && this.snapshotDue(cell, c.seq - cell.snapshotSeq)) this.queueSnapshot(shard, cell, c.state, c.seq, position, false)
    }
    for (const w of batch.waiters) settle(w)
    if (shard.pending !== null) this.flush(shard)
    this.releaseBlocked(shard)
    // On a later turn: the replies just released go out before any snapshot is encoded.
    this.scheduleSnapshotWrite()
  }

  /**
   * Snapshot after `snapshotEveryEvents` events, and for a state that declares its size, not
   * before `snapshotEventsPerEntry` events per entry: a snapshot costs O(entries), so a large
   * state (a hot SKU's holds) is snapshotted less often, at a bounded cost per event, and its
   * journal tail replays in about the time its snapshot takes to load.
   */
  private snapshotDue(cell: Cell, eventsSince: number): boolean {
    const def = cell.type.definition
    if (eventsSince < def.limits.snapshotEveryEvents) return false
    // The newest state, not the captured one: reading an older version of a versioned state costs a reroot.
    return def.snapshotEntries === undefined || eventsSince >= def.snapshotEntries(cell.state) * this.config.snapshotEventsPerEntry
  }

  private scheduleSnapshotWrite() {
    if (this.snapshotWriteScheduled || this.snapshotInFlight || this.snapshotJobs.length === 0) return
    this.snapshotWriteScheduled = true
    setImmediate(() => {
      this.snapshotWriteScheduled = false
      void this.writeSnapshots()
    })
  }

  private releaseBlocked(shard: Shard) {
    if (shard.blocked.size === 0) return
    const blocked = [...shard.blocked]
    shard.blocked.clear()
    for (const cell of blocked) this.drain(shard, cell)
  }

  /**
   * An append failed. A stale epoch means another host owns the shard now: give it up entirely.
   * Anything else is ambiguous (the batch may or may not have landed): every actor in the batch is
   * reloaded from storage, and its callers, and those of its later staged commands, get a retryable error.
   */
  private appendFailed(shard: Shard, batch: Batch, error: unknown) {
    shard.inFlight = null
    this.metrics.appendFailures.inc()
    if (error instanceof StaleEpoch) return this.loseShard(shard, error, batch)
    this.log(`journal append failed on shard ${shard.id}; reloading ${batch.touched.size} actor(s)`, error)
    const affected = batch.touched
    const failure = (cell: Cell) => this.unavailable(cell.key, "storage", "the journal could not confirm the write")
    for (const w of batch.waiters) w.reject(failure(w.cell))
    const pending = shard.pending
    if (pending !== null) {
      const keys = new Set([...affected].map((c) => c.key))
      const keptEvents = pending.events.filter((e) => !keys.has(e.actor))
      const keptWaiters = pending.waiters.filter((w) => {
        if (!affected.has(w.cell)) return true
        w.reject(failure(w.cell))
        return false
      })
      pending.events.length = 0
      pending.events.push(...keptEvents)
      pending.waiters.length = 0
      pending.waiters.push(...keptWaiters)
      for (const cell of affected) pending.touched.delete(cell)
    }
    for (const cell of affected) this.reset(shard, cell)
    if (shard.pending !== null) this.flush(shard)
    this.releaseBlocked(shard)
  }

  private loseShard(shard: Shard, error: StaleEpoch, failed: Batch) {
    this.log(`shard ${shard.id} was taken by a newer owner (epoch ${error.epoch} is stale); dropping it`)
    shard.status = ShardStatus.Lost
    this.shards[shard.id] = undefined
    const lost = (key: string) => this.unavailable(key, "shard_lost", "the actor's shard moved to another host")
    for (const b of [failed, shard.pending]) for (const w of b?.waiters ?? []) w.reject(lost(w.cell.key))
    shard.pending = null
    for (const cell of shard.cells.values()) {
      cell.generation++
      this.failMailbox(cell, lost(cell.key))
    }
    shard.cells.clear()
    this.metrics.shardsLost.inc()
  }

  // ---------------------------------------------------------------- loading, crashes, passivation

  /** Forget a cell's in-memory state and load it again from storage (snapshot + journal tail). */
  private reset(shard: Shard, cell: Cell) {
    const from = cell.dirtyFrom > 0 ? cell.dirtyFrom : shard.head + 1
    shard.reloadFrom.set(cell.key, Math.min(shard.reloadFrom.get(cell.key) ?? from, from))
    shard.dirtyCells.delete(cell)
    shard.blocked.delete(cell)
    cell.generation++
    cell.status = CellStatus.Loading
    cell.state = undefined
    cell.dirtyFrom = 0
    cell.snapshotQueued = false
    this.load(shard, cell)
  }

  private crash(shard: Shard, cell: Cell, defect: unknown, envelope: Envelope) {
    this.metrics.crashes.inc()
    this.log(`actor ${cell.key} crashed in decide/evolve; resetting it`, defect)
    envelope.reject(new ActorCrashed(cell.key, defect))
    // Staged, not yet durable events of this actor were decided on the same state: drop them with the cell.
    const pending = shard.pending
    if (pending !== null && pending.touched.has(cell)) {
      const kept = pending.events.filter((e) => e.actor !== cell.key)
      pending.events.length = 0
      pending.events.push(...kept)
      pending.touched.delete(cell)
      const waiters = pending.waiters.filter((w) => {
        if (w.cell !== cell) return true
        w.reject(this.unavailable(cell.key, "reloading", "the actor was reset after a crash"))
        return false
      })
      pending.waiters.length = 0
      pending.waiters.push(...waiters)
    }
    if (shard.inFlight?.touched.has(cell)) {
      // Its in-flight events may land; the reload after they settle must see them, so wait for the batch.
      cell.seq = cell.durableSeq
    }
    this.reset(shard, cell)
  }

  private load(shard: Shard, cell: Cell) {
    const generation = cell.generation
    const from = shard.reloadFrom.get(cell.key)
    const { snapshots, journal } = this.ports
    const task = Effect.gen(this, function* () {
      // A reload must not race an append of its own earlier events still in flight.
      while (shard.inFlight?.touched.has(cell)) yield* Effect.sleep(1)
      const record = yield* snapshots.load(cell.key)
      const restored = decodeSnapshot(cell.type, record, cell.key)
      const probe = { state: restored.state, seq: restored.seq, type: cell.type, key: cell.key }
      let dirtyFrom = 0
      if (from !== undefined) {
        const after = Math.min(record?.position ?? 0, from - 1)
        yield* readTail(journal, this.config.recoveryReadBatches, shard.id, after, undefined, (batch) =>
          Effect.sync(() => {
            for (const e of batch.events) {
              if (e.actor !== cell.key) continue
              if (applyTail(probe, e, shard.id, batch.position) && dirtyFrom === 0) dirtyFrom = batch.position
            }
          })
        )
      }
      return { probe, snapshotSeq: restored.seq, dirtyFrom }
    })
    void run(task).then(
      (result) => {
        if (cell.generation !== generation || shard.status === ShardStatus.Lost) return
        if (result._tag === "Left") return this.loadFailed(shard, cell, result.left)
        const { probe, snapshotSeq, dirtyFrom } = result.right
        shard.reloadFrom.delete(cell.key)
        shard.passiveTimers.delete(cell.key)
        cell.state = probe.state
        cell.seq = cell.durableSeq = probe.seq
        cell.snapshotSeq = snapshotSeq
        cell.dirtyFrom = dirtyFrom
        if (dirtyFrom > 0) shard.dirtyCells.add(cell)
        cell.status = CellStatus.Ready
        cell.lastActiveMs = Date.now()
        this.armTimer(shard, cell)
        this.drain(shard, cell)
      },
      (defect: unknown) => this.loadFailed(shard, cell, defect)
    )
  }

  private loadFailed(shard: Shard, cell: Cell, error: unknown) {
    this.log(`loading actor ${cell.key} failed`, error)
    const reason = error instanceof CorruptData ? error : this.unavailable(cell.key, "storage", "the actor could not be loaded")
    this.failMailbox(cell, reason)
    if (shard.cells.get(cell.key) === cell) shard.cells.delete(cell.key)
    cell.generation++
  }

  private failMailbox(cell: Cell, error: unknown) {
    const mailbox = cell.mailbox
    cell.mailbox = null
    if (mailbox === null) return
    for (let i = cell.mailboxHead; i < mailbox.length; i++) mailbox[i]!.reject(error)
    cell.mailboxHead = 0
  }

  /** Drop actors idle for longer than the configured time; dirty ones are snapshotted first. */
  passivateIdle(nowMs: number) {
    const limit = nowMs - this.config.passivateAfterIdleMs
    for (const shard of this.liveShards()) {
      if (shard.status !== ShardStatus.Ready) continue
      for (const cell of shard.cells.values()) {
        if (cell.lastActiveMs > limit || cell.status !== CellStatus.Ready || cell.mailbox !== null) continue
        if (cell.seq !== cell.durableSeq || cell.snapshotQueued) continue
        if (cell.seq > cell.snapshotSeq) this.queueSnapshot(shard, cell, cell.state, cell.seq, shard.head, true)
        else this.evict(shard, cell)
      }
    }
    this.scheduleSnapshotWrite()
  }

  private evict(shard: Shard, cell: Cell) {
    shard.cells.delete(cell.key)
    shard.dirtyCells.delete(cell)
    cell.generation++
    // Its snapshot carries the deadline; only one inside the loaded window needs remembering here.
    if (cell.timerAtMs > 0 && cell.timerAtMs < shard.passiveLoadedUntilMs) shard.passiveTimers.set(cell.key, cell.timerAtMs)
    this.metrics.passivated.inc()
  }

  // ---------------------------------------------------------------- snapshots and checkpoints

  /** States are kept as they are (persistent); encoding waits for the writer, off the command path. */
  private queueSnapshot(shard: Shard, cell: Cell, state: unknown, seq: number, position: Position, passivate: boolean) {
    if (seq <= cell.snapshotSeq) return
    cell.snapshotQueued = true
    this.snapshotJobs.push({ shard, cell, generation: cell.generation, state, seq, position, passivate })
  }

  /** The stored form of a job's state, or undefined (logged) when it cannot be encoded. */
  private encodeSnapshot(job: SnapshotJob): SnapshotRecord | undefined {
    const { cell, shard } = job
    const began = performance.now()
    try {
      const timer = cell.type.definition.nextTimer?.(job.state)
      const state = cell.type.stateCodec.encode(job.state)
      return { actor: cell.key, shard: shard.id, seq: job.seq, position: job.position, timerAtMs: timer === undefined ? null : timer.atMs, state }
    } catch (defect) {
      // The journal still holds every event; without a snapshot the actor just recovers from further back.
      this.metrics.crashes.inc()
      cell.snapshotQueued = false
      this.log(`state of ${cell.key} cannot be encoded for a snapshot`, defect)
      return undefined
    } finally {
      this.metrics.snapshotEncodeMs.observe(performance.now() - began)
    }
  }

  private async writeSnapshots(): Promise<void> {
    if (this.snapshotInFlight || this.snapshotJobs.length === 0) return
    this.snapshotInFlight = true
    const jobs: Array<SnapshotJob> = []
    const records: Array<SnapshotRecord> = []
    for (const job of this.snapshotJobs.splice(0, this.config.snapshotBatchSize)) {
      // A cell reset since (crash, failed append) was reloaded from storage: its old state is not worth storing.
      if (job.cell.generation !== job.generation) continue
      const record = this.encodeSnapshot(job)
      if (record === undefined) continue
      jobs.push(job)
      records.push(record)
    }
    const began = performance.now()
    const result = records.length === 0 ? Either.right(undefined) : await run(this.ports.snapshots.save(records))
    this.snapshotInFlight = false
    this.metrics.snapshotLatencyMs.observe(performance.now() - began)
    for (let i = 0; i < jobs.length; i++) {
      const job = jobs[i]!
      const record = records[i]!
      const { cell, shard } = job
      if (cell.generation !== job.generation) continue
      cell.snapshotQueued = false
      if (result._tag === "Left") continue
      cell.snapshotSeq = Math.max(cell.snapshotSeq, record.seq)
      if (cell.durableSeq <= record.seq) {
        cell.dirtyFrom = 0
        shard.dirtyCells.delete(cell)
      } else {
        cell.dirtyFrom = record.position + 1
      }
      if (job.passivate && cell.seq === record.seq && cell.mailbox === null && cell.status === CellStatus.Ready) this.evict(shard, cell)
    }
    if (result._tag === "Left") this.log("snapshot write failed; will retry", result.left)
    else this.metrics.snapshotsWritten.inc(jobs.length)
    this.scheduleSnapshotWrite()
  }

  /** The recovery checkpoint of a shard: every event at or below it is covered by a stored snapshot. */
  private checkpointOf(shard: Shard): Position {
    let min = shard.head + 1
    for (const cell of shard.dirtyCells) if (cell.dirtyFrom > 0 && cell.dirtyFrom < min) min = cell.dirtyFrom
    for (const from of shard.reloadFrom.values()) if (from < min) min = from
    if (shard.inFlight !== null) min = Math.min(min, shard.head + 1)
    return min - 1
  }

  /** Save recovery checkpoints and trim the journal below what every owner of a position has passed. */
  async checkpointAll(): Promise<void> {
    for (const shard of this.liveShards()) {
      if (shard.status !== ShardStatus.Ready) continue
      const checkpoint = this.checkpointOf(shard)
      if (checkpoint <= shard.savedCheckpoint) continue
      const saved = await run(this.ports.positions.set(RECOVERY_OWNER, shard.id, checkpoint))
      if (saved._tag === "Left") continue
      shard.savedCheckpoint = checkpoint
    }
  }

  /** Trim every owned shard's journal below what the recovery checkpoint and every projection have passed. */
  async trimAll(): Promise<void> {
    if (!this.config.trimJournal) return
    for (const shard of this.liveShards()) if (shard.status === ShardStatus.Ready) await this.trim(shard)
  }

  private async trim(shard: Shard) {
    const owners = await run(this.ports.positions.all(shard.id))
    if (owners._tag === "Left") return
    const stored = new Map(owners.right.map((o) => [o.owner, o.position]))
    let below = stored.get(RECOVERY_OWNER) ?? 0
    for (const [owner, position] of stored) if (owner.startsWith("projection:")) below = Math.min(below, position)
    for (const name of this.config.retainForProjections) below = Math.min(below, stored.get(`projection:${name}`) ?? 0)
    if (below > 0) await run(this.ports.journal.trim(shard.id, below + 1))
  }

  // ---------------------------------------------------------------- durable timers

  private armTimer(shard: Shard, cell: Cell) {
    const next = cell.type.definition.nextTimer?.(cell.state)
    const at = next === undefined ? 0 : next.atMs
    if (at === cell.timerAtMs) return
    cell.timerAtMs = at
    if (at > 0) this.timers.schedule(cell.key, at)
    void shard
  }

  /** Arm the stored timers of actors not in memory that fall due within the horizon. */
  private async loadPassiveTimers(shard: Shard, nowMs: number): Promise<void> {
    const until = nowMs + this.config.timerHorizonMs
    const limit = this.config.timerWindowLimit
    const due = await run(this.ports.snapshots.timers(shard.id, until, limit))
    if (due._tag === "Left") return this.log(`loading the stored timers of shard ${shard.id} failed; retrying later`, due.left)
    for (const { actor, atMs } of due.right) {
      if (shard.cells.has(actor) || shard.passiveTimers.get(actor) === atMs) continue
      shard.passiveTimers.set(actor, atMs)
      this.timers.schedule(actor, atMs)
    }
    // A full page means more are due before `until`: the window ends at the last one read.
    shard.passiveLoadedUntilMs = due.right.length >= limit ? due.right[due.right.length - 1]!.atMs : until
  }

  async loadPassiveTimersAll(): Promise<void> {
    const now = Date.now()
    for (const shard of this.liveShards()) if (shard.status === ShardStatus.Ready) await this.loadPassiveTimers(shard, now)
  }

  private timerIsCurrent(key: string, atMs: number): boolean {
    const shard = this.shards[shardOf(key, this.config.shardCount)]
    if (shard === undefined || shard.status !== ShardStatus.Ready) return false
    const cell = shard.cells.get(key)
    return cell !== undefined ? cell.timerAtMs === atMs : shard.passiveTimers.get(key) === atMs
  }

  private fireTimer(key: string) {
    const shard = this.shards[shardOf(key, this.config.shardCount)]
    if (shard === undefined) return
    const cell = shard.cells.get(key)
    if (cell === undefined) {
      // Loading re-arms its timers from its state; an overdue one then fires at once.
      shard.passiveTimers.delete(key)
      const fresh = new Cell(key, this.typeOf(key, shard.id, 0))
      shard.cells.set(key, fresh)
      this.load(shard, fresh)
      return
    }
    if (cell.status !== CellStatus.Ready) return
    const timer = cell.type.definition.nextTimer?.(cell.state)
    if (timer === undefined) {
      cell.timerAtMs = 0
      return
    }
    const firedAt = cell.timerAtMs
    cell.timerAtMs = 0
    const { id } = splitActorKey(key)
    this.ask(cell.type.definition, id, timer.command).then(
      () => this.afterTimer(shard, key, firedAt),
      (error: unknown) => {
        this.log(`timer command for ${key} failed`, error)
        this.afterTimer(shard, key, firedAt)
      }
    )
  }

  /** A timer whose command left the same deadline in place would spin: push it back a little. */
  private afterTimer(shard: Shard, key: string, firedAt: number) {
    const cell = shard.cells.get(key)
    if (cell === undefined || cell.status !== CellStatus.Ready) return
    const next = cell.type.definition.nextTimer?.(cell.state)
    if (next !== undefined && next.atMs <= firedAt) {
      cell.timerAtMs = Date.now() + this.config.timerRetryMs
      this.timers.schedule(key, cell.timerAtMs)
    }
  }

  // ---------------------------------------------------------------- helpers

  private typeOf(key: string, shard: number, position: Position): ActorType {
    const { type } = splitActorKey(key)
    const found = this.types.get(type)
    if (found === undefined) {
      throw new CorruptData({
        store: "host",
        shard,
        position,
        actor: key,
        message: `no actor type "${type}" is registered (actor ${key}, shard ${shard}, position ${position})`
      })
    }
    return found
  }

  private unavailable(actor: string, reason: Unavailable["reason"], message: string) {
    return new Unavailable({ actor, reason, retryAfterMs: this.config.retryAfterMs, message })
  }

  private *liveShards(): Iterable<Shard> {
    for (const shard of this.shards) if (shard !== undefined) yield shard
  }

  private shardsBusy(): boolean {
    for (const shard of this.liveShards()) if (shard.inFlight !== null || shard.pending !== null) return true
    return false
  }

  private residentCount(): number {
    let n = 0
    for (const shard of this.liveShards()) n += shard.cells.size
    return n
  }

  private queuedCount(): number {
    let n = 0
    for (const shard of this.liveShards()) for (const cell of shard.blocked) n += cell.queued
    return n
  }

  /** Be told of every durable append (shard, position, the batch's events), e.g. to wake a projection at once. */
  onAppend(listener: AppendListener): () => void {
    this.appendListeners.push(listener)
    return () => {
      const i = this.appendListeners.indexOf(listener)
      if (i >= 0) this.appendListeners.splice(i, 1)
    }
  }

  /** For tests and operators: the shards this host currently serves. */
  ownedShards(): ReadonlyArray<number> {
    return [...this.liveShards()].filter((s) => s.status === ShardStatus.Ready).map((s) => s.id)
  }

  /** For tests: how many actors are in memory. */
  get resident(): number {
    return this.residentCount()
  }
}

const settle = (w: Waiter) => (w.ok ? w.resolve(w.value) : w.reject(w.value))
