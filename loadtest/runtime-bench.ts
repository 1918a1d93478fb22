/**
 * Benchmark of the actor runtime alone (no HTTP): durable commands per second through
 * `ActorHost.ask` with the Redis-streams journal, against a one-XADD-per-command baseline;
 * resident memory per idle actor; recovery time per million journaled events.
 * Every run ends with an audit: each counter, read back through a freshly recovered host, equals
 * the number of acknowledged commands. A failed audit prints FAILED and exits non-zero.
 *
 *   npm run bench:runtime                      full run (< 3 minutes)
 *   npm run bench:runtime -- --quick           a few seconds, for CI
 *   npm run bench:runtime -- --help            every option
 */
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdirSync, writeFileSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { parseArgs } from "node:util"
import type { Redis } from "ioredis"
import { actorKey, type AnyActorDefinition, codecFor } from "../runtime/actor.ts"
import type { HostConfig } from "../runtime/config.ts"
import { ActorHost } from "../runtime/host.ts"
import { shardOf } from "../runtime/sharding.ts"
import { makeMemoryPositionStore, makeMemorySnapshotStore } from "../storage/memory.ts"
import { encodeBatch, journalStreamKey, makeRedisJournal } from "../storage/redis/journal.ts"
import { closeRedis, connectRedis, deletePrefix, type RedisFacts, redisFacts } from "./bench-redis.ts"
import { closedLoop, type ClosedLoopResult, countedLoop } from "./closed-loop.ts"
import { type CounterReply, makeCounter } from "./counter-actor.ts"
import { IntervalProfiler } from "./cpu-profile.ts"
import type { HistogramJSON } from "./histogram.ts"
import type { MemoryResult } from "./runtime-bench-memory.ts"

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, "..")

// ---------------------------------------------------------------- options

const PHASES = ["hot", "spread", "baseline", "memory", "recovery"] as const
type PhaseName = (typeof PHASES)[number]

export interface BenchOptions {
  readonly redisUrl: string
  readonly windows: ReadonlyArray<number>
  readonly warmupMs: number
  readonly durationMs: number
  readonly spreadActors: number
  readonly memoryActors: number
  readonly recoveryEvents: number
  readonly recoveryActors: number
  readonly recoveryWindow: number
  readonly skip: ReadonlySet<PhaseName>
  readonly reportDir: string
  /** The whole run is aborted (FAILED) past this. */
  readonly maxRunMs: number
  readonly quick: boolean
  /** When set, a CPU profile of each measured interval is written here. */
  readonly profileDir: string | undefined
  /** Experiment: ioredis auto-pipelining on the clients under test (hosts and baseline); off by default, like the product. */
  readonly autoPipelining: boolean
}

const HELP = `usage: runtime-bench.ts [options]
  --quick                 tiny sizes and durations (a few seconds), for CI
  --windows 1000,5000     outstanding commands per closed loop, one measurement each
  --warmup-ms 1000        warm-up before each measurement
  --duration-ms 10000     length of each measurement
  --spread-actors 10000   actors of the spread scenario
  --memory-actors 1000000 idle actors created for the memory measurement
  --recovery-events 1000000  events journaled before timing a recovery
  --recovery-actors 1000  actors those events are spread over
  --recovery-window 5000  outstanding commands while journaling them
  --skip a,b              skip phases: ${PHASES.join(", ")}
  --report-dir DIR        where the JSON report goes (default loadtest/reports)
  --redis-url URL         default $REDIS_URL or redis://127.0.0.1:6379
  --max-run-ms 175000     abort (FAILED) if the run takes longer
  --profile-dir DIR       write a .cpuprofile of each measured interval there
  --auto-pipelining       experiment: ioredis enableAutoPipelining on the clients under test`

const positiveInt = (name: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${raw}"`)
  return n
}

export const parseOptions = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env): BenchOptions => {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
      windows: { type: "string" },
      "warmup-ms": { type: "string" },
      "duration-ms": { type: "string" },
      "spread-actors": { type: "string" },
      "memory-actors": { type: "string" },
      "recovery-events": { type: "string" },
      "recovery-actors": { type: "string" },
      "recovery-window": { type: "string" },
      skip: { type: "string" },
      "report-dir": { type: "string" },
      "redis-url": { type: "string" },
      "max-run-ms": { type: "string" },
      "profile-dir": { type: "string" },
      "auto-pipelining": { type: "boolean", default: false }
    }
  })
  if (values.help) {
    console.log(HELP)
    process.exit(0)
  }
  const quick = values.quick
  const skip = new Set<PhaseName>()
  for (const name of (values.skip ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    if (!(PHASES as ReadonlyArray<string>).includes(name)) throw new Error(`--skip: unknown phase "${name}" (phases: ${PHASES.join(", ")})`)
    skip.add(name as PhaseName)
  }
  const windows = (values.windows ?? (quick ? "200" : "1000,5000")).split(",").map((w) => positiveInt("windows", w.trim(), 0))
  return {
    redisUrl: values["redis-url"] ?? env.REDIS_URL ?? "redis://127.0.0.1:6379",
    windows,
    warmupMs: positiveInt("warmup-ms", values["warmup-ms"], quick ? 150 : 1_000),
    durationMs: positiveInt("duration-ms", values["duration-ms"], quick ? 400 : 10_000),
    spreadActors: positiveInt("spread-actors", values["spread-actors"], quick ? 500 : 10_000),
    memoryActors: positiveInt("memory-actors", values["memory-actors"], quick ? 20_000 : 1_000_000),
    recoveryEvents: positiveInt("recovery-events", values["recovery-events"], quick ? 20_000 : 1_000_000),
    recoveryActors: positiveInt("recovery-actors", values["recovery-actors"], quick ? 100 : 1_000),
    recoveryWindow: positiveInt("recovery-window", values["recovery-window"], quick ? 1_000 : 5_000),
    skip,
    reportDir: values["report-dir"] ?? path.join(here, "reports"),
    maxRunMs: positiveInt("max-run-ms", values["max-run-ms"], quick ? 60_000 : 175_000),
    quick,
    profileDir: values["profile-dir"],
    autoPipelining: values["auto-pipelining"]
  }
}

// ---------------------------------------------------------------- report shapes

export interface AuditEntry {
  readonly phase: string
  readonly passed: boolean
  readonly detail: string
}

export interface LoadRow {
  readonly scenario: "hot" | "spread" | "baseline"
  readonly window: number
  readonly actors: number
  readonly throughputPerS: number
  readonly measuredAcks: number
  readonly measuredMs: number
  readonly acked: number
  readonly errors: number
  readonly errorSamples: ReadonlyArray<string>
  readonly latency: HistogramJSON
  /** Events per journal append during the measurement (host scenarios), 1 for the baseline. */
  readonly batchEventsAvg: number
  readonly appendsPerS: number
  readonly appendLatencyAvgMs: number
  /** CPU of this process (host and load generator together) over the measurement, in cores. */
  readonly nodeCpu: number
  /** CPU of the Redis server over the measurement, in cores (other clients of that Redis count too). */
  readonly redisCpu: number
  /**
   * Share of the interval the event loop was busy. Near 1 with low node CPU means this process
   * was runnable but got no core (other work on the machine); low means it waited on Redis.
   */
  readonly eventLoopUtilization: number
  /** Time a freshly started host took to recover this scenario's journal for the audit. */
  readonly auditRecoveryMs?: number
  readonly auditRecoveredEvents?: number
}

export interface RecoveryResult {
  readonly actors: number
  readonly events: number
  readonly journalWriteMs: number
  readonly journalWritePerS: number
  readonly batches: number
  readonly startMs: number
  readonly recoveredEvents: number
  readonly secondsPerMillionEvents: number
  readonly stateSum: number
  readonly acked: number
}

export interface Goal {
  readonly goal: string
  readonly met: boolean
  readonly measured: string
}

export interface BenchReport {
  readonly startedAt: string
  /** Every Redis key of the run was under `${prefix}:` and is deleted at the end. */
  readonly prefix: string
  readonly deletedKeys: number
  readonly elapsedMs: number
  readonly options: Omit<BenchOptions, "skip"> & { readonly skip: ReadonlyArray<string> }
  readonly environment: {
    readonly node: string
    readonly cpus: number
    readonly cpuModel: string
    readonly totalMemoryBytes: number
    readonly redis: RedisFacts
    readonly journal: string
    readonly snapshots: string
    readonly positions: string
    readonly shardCount: number
    /** 1-minute load average at the start and the end: other work on the machine skews the numbers. */
    readonly loadAverage: readonly [number, number]
  }
  readonly rows: ReadonlyArray<LoadRow>
  readonly memory?: MemoryResult
  readonly recovery?: RecoveryResult
  readonly goals: ReadonlyArray<Goal>
  readonly audit: { readonly passed: boolean; readonly entries: ReadonlyArray<AuditEntry> }
  readonly reportPath: string
}

// ---------------------------------------------------------------- hosts on Redis

const SHARD_COUNT = 256
const NEVER_MS = 1_000_000_000 // below setInterval's 2^31 limit

/** Trimming is off so the audit can replay the whole journal from position 0 into empty stores. */
const benchHostConfig: Partial<HostConfig> = {
  shardCount: SHARD_COUNT,
  passivateAfterIdleMs: NEVER_MS,
  passivationSweepMs: NEVER_MS,
  trimJournal: false,
  trimEveryMs: NEVER_MS
}

let hostLogLines = 0
const hostLog = (message: string, detail?: unknown) => {
  if (hostLogLines++ < 10) console.error(`[host] ${message}`, detail ?? "")
}

/**
 * When one shard fails to recover, start() rejects while other shards are still being acquired;
 * dropping the connection stops them from writing keys after this run's cleanup.
 */
const startOrDisconnect = async (host: ActorHost, redis: Redis) => {
  try {
    await host.start()
  } catch (error) {
    redis.disconnect()
    await host.stop().catch(() => undefined)
    throw error
  }
}

interface RedisHost {
  readonly host: ActorHost
  readonly redis: Redis
  close(): Promise<void>
}

/**
 * A host journaling to Redis under `prefix`, with in-memory snapshots and positions: the
 * journal is the only durable store, so a fresh host on the same prefix rebuilds from it alone.
 */
const startRedisHost = async (
  { redisUrl: url, autoPipelining }: BenchOptions,
  prefix: string,
  definition: AnyActorDefinition,
  config: Partial<HostConfig> = {}
): Promise<RedisHost> => {
  const redis = await connectRedis(url, undefined, autoPipelining)
  const host = new ActorHost(
    { journal: makeRedisJournal(redis, { prefix }), snapshots: makeMemorySnapshotStore(), positions: makeMemoryPositionStore() },
    [definition],
    { ...benchHostConfig, ...config },
    undefined,
    hostLog
  )
  await startOrDisconnect(host, redis)
  return {
    host,
    redis,
    close: async () => {
      await host.stop()
      await closeRedis(redis)
    }
  }
}

/** Start a fresh host on the prefix (empty snapshot and position stores), time it, and read counters back. */
const recoverAndRead = async (
  { redisUrl: url, autoPipelining }: BenchOptions,
  prefix: string,
  definition: AnyActorDefinition,
  ids: ReadonlyArray<string>,
  profiler?: IntervalProfiler
) => {
  const redis = await connectRedis(url, undefined, autoPipelining)
  const host = new ActorHost(
    { journal: makeRedisJournal(redis, { prefix }), snapshots: makeMemorySnapshotStore(), positions: makeMemoryPositionStore() },
    [definition],
    { ...benchHostConfig, checkpointEveryMs: NEVER_MS },
    undefined,
    hostLog
  )
  profiler?.start()
  const began = performance.now()
  await startOrDisconnect(host, redis)
  const startMs = performance.now() - began
  profiler?.stop()
  const values = new Array<number>(ids.length)
  for (let from = 0; from < ids.length; from += 10_000) {
    const chunk = ids.slice(from, from + 10_000)
    const replies = await Promise.all(chunk.map((id) => host.ask<CounterReply>(definition, id, { _tag: "Get" })))
    for (let i = 0; i < replies.length; i++) values[from + i] = replies[i]!.n
  }
  const recoveredEvents = host.metrics.recoveredEvents.value
  await host.stop()
  await closeRedis(redis)
  return { startMs, values, recoveredEvents }
}

/** Every acked command is in the recovered state; a command that failed may or may not have landed. */
const auditCounters = (
  phase: string,
  ids: ReadonlyArray<string>,
  acks: ArrayLike<number>,
  recovered: ReadonlyArray<number>,
  errors: number
): AuditEntry => {
  let acked = 0
  let found = 0
  const wrong: Array<string> = []
  for (let i = 0; i < ids.length; i++) {
    acked += acks[i]!
    found += recovered[i]!
    const ok = errors === 0 ? recovered[i] === acks[i] : recovered[i]! >= acks[i]!
    if (!ok && wrong.length < 5) wrong.push(`${ids[i]}: acked ${acks[i]}, recovered ${recovered[i]}`)
  }
  const passed = wrong.length === 0 && found <= acked + errors
  return {
    phase,
    passed,
    detail: `${ids.length} actor(s): acked ${acked}, recovered ${found}, failed commands ${errors}${wrong.length > 0 ? `; mismatches: ${wrong.join("; ")}` : ""}`
  }
}

// ---------------------------------------------------------------- phases

interface Run {
  readonly options: BenchOptions
  readonly prefix: string
  readonly audit: Array<AuditEntry>
  /** For INFO and cleanup; never on a measured path. */
  readonly admin: Redis
}

/**
 * CPU used by this process and by the Redis server over the measured interval, as a share of
 * one core, to tell which side limits a scenario. Both edges are taken synchronously; the
 * Redis INFO replies are awaited afterwards.
 */
class CpuMeter {
  private node0 = process.cpuUsage()
  private wall0 = 0
  private redis0: Promise<number> = Promise.resolve(0)
  private node1 = process.cpuUsage()
  private wall1 = 0
  private redis1: Promise<number> = Promise.resolve(0)
  private elu0 = performance.eventLoopUtilization()
  private elu = 0
  constructor(private readonly admin: Redis) {}
  private redisCpuS(): Promise<number> {
    return this.admin.info("cpu").then((info) => {
      const field = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? NaN)
      return field("used_cpu_user") + field("used_cpu_sys")
    })
  }
  start() {
    this.wall0 = performance.now()
    this.node0 = process.cpuUsage()
    this.elu0 = performance.eventLoopUtilization()
    this.redis0 = this.redisCpuS()
  }
  end() {
    this.wall1 = performance.now()
    this.node1 = process.cpuUsage(this.node0)
    this.elu = performance.eventLoopUtilization(this.elu0).utilization
    this.redis1 = this.redisCpuS()
  }
  async result(): Promise<{ readonly nodeCpu: number; readonly redisCpu: number; readonly eventLoopUtilization: number }> {
    const wallS = (this.wall1 - this.wall0) / 1000
    const [r0, r1] = await Promise.all([this.redis0, this.redis1])
    return { nodeCpu: (this.node1.user + this.node1.system) / 1e6 / wallS, redisCpu: (r1 - r0) / wallS, eventLoopUtilization: this.elu }
  }
}

const gc = () => (globalThis as { gc?: () => void }).gc?.()

const profilerFor = (run: Run, name: string): IntervalProfiler | undefined => {
  if (run.options.profileDir === undefined) return undefined
  mkdirSync(run.options.profileDir, { recursive: true })
  return new IntervalProfiler(path.join(run.options.profileDir, `${name}.cpuprofile`))
}

/** Closed loop into one actor (`hot`) or round-robin over many (`spread`) through ActorHost.ask. */
const hostScenario = async (run: Run, scenario: "hot" | "spread", window: number): Promise<LoadRow> => {
  const { options } = run
  const prefix = `${run.prefix}:${scenario}-w${window}`
  const definition = makeCounter()
  const ids = scenario === "hot" ? ["hot"] : Array.from({ length: options.spreadActors }, (_, i) => `s${i}`)
  const acks = new Float64Array(ids.length)
  const { host, close } = await startRedisHost(options, prefix, definition)
  const batch = host.metrics.batchEvents
  const appendLatency = host.metrics.appendLatencyMs
  let edges = { count: 0, sum: 0, latencySum: 0 }
  let measured = { count: 0, sum: 0, latencySum: 0 }
  const cpu = new CpuMeter(run.admin)
  const profiler = profilerFor(run, `${scenario}-w${window}`)
  const n = ids.length
  const result = await closedLoop({
    window,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    send: (seq) => host.ask(definition, ids[seq % n]!, { _tag: "Add", by: 1 }),
    onAck: (seq) => acks[seq % n]!++,
    onMeasureStart: () => {
      edges = { count: batch.count, sum: batch.sum, latencySum: appendLatency.sum }
      cpu.start()
      profiler?.start()
    },
    onMeasureEnd: () => {
      profiler?.stop()
      cpu.end()
      measured = { count: batch.count - edges.count, sum: batch.sum - edges.sum, latencySum: appendLatency.sum - edges.latencySum }
    }
  })
  const used = await cpu.result()
  await close()
  const audited = await recoverAndRead(options, prefix, definition, ids)
  run.audit.push(auditCounters(`${scenario} w=${window}`, ids, acks, audited.values, result.errors))
  return {
    ...row(scenario, ids.length, result),
    batchEventsAvg: measured.count === 0 ? 0 : measured.sum / measured.count,
    appendsPerS: measured.count / (result.measuredMs / 1000),
    appendLatencyAvgMs: measured.count === 0 ? 0 : measured.latencySum / measured.count,
    ...used,
    auditRecoveryMs: audited.startMs,
    auditRecoveredEvents: audited.recoveredEvents
  }
}

const row = (scenario: LoadRow["scenario"], actors: number, r: ClosedLoopResult) => ({
  scenario,
  window: r.window,
  actors,
  throughputPerS: r.throughputPerS,
  measuredAcks: r.measuredAcks,
  measuredMs: r.measuredMs,
  acked: r.acked,
  errors: r.errors,
  errorSamples: r.errorSamples,
  latency: r.latency.toJSON()
})

/**
 * The same commands decided and evolved by the same pure functions, each written on its own with
 * one XADD (msgpack of the single event, encoded as the journal encodes a batch): no group commit.
 */
const baselineScenario = async (run: Run, window: number): Promise<LoadRow> => {
  const { options } = run
  const prefix = `${run.prefix}:baseline-w${window}`
  const definition = makeCounter()
  const actor = actorKey(definition.name, "hot")
  const key = journalStreamKey(prefix, shardOf(actor, SHARD_COUNT))
  const eventCodec = codecFor(definition.event)
  const redis = await connectRedis(options.redisUrl, undefined, options.autoPipelining)
  let state = definition.initialState("hot")
  let seq = 0
  let decided = 0
  const cpu = new CpuMeter(run.admin)
  const profiler = profilerFor(run, `baseline-w${window}`)
  const result = await closedLoop({
    window,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    onMeasureStart: () => {
      cpu.start()
      profiler?.start()
    },
    onMeasureEnd: () => {
      profiler?.stop()
      cpu.end()
    },
    send: () => {
      const nowMs = Date.now()
      const decision = definition.decide(state, { _tag: "Add", by: 1 }, nowMs)
      if (decision._tag === "Reject") return Promise.reject(new Error("the counter never rejects"))
      const events = decision.events.map((event) => {
        state = definition.evolve(state, event)
        return { actor, seq: ++seq, event: eventCodec.encode(event) }
      })
      decided++
      return redis.xadd(key, "*", "b", encodeBatch(nowMs, events)).then(() => decision.reply)
    }
  })
  const used = await cpu.result()
  const length = await redis.xlen(key)
  await closeRedis(redis)
  const passed = state.n === decided && length >= result.acked && length <= result.acked + result.errors
  run.audit.push({
    phase: `baseline w=${window}`,
    passed,
    detail: `acked ${result.acked}, stream entries ${length}, decided ${decided}, state ${state.n}, failed commands ${result.errors}`
  })
  return {
    ...row("baseline", 1, result),
    batchEventsAvg: 1,
    appendsPerS: result.throughputPerS,
    appendLatencyAvgMs: result.latency.meanMs,
    ...used
  }
}

/** The 1M-actor measurement runs in its own process so this one's heap does not blur it. */
const memoryPhase = (run: Run): Promise<MemoryResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", "--max-old-space-size=4096", "--import", "tsx", path.join(here, "runtime-bench-memory.ts"), String(run.options.memoryActors)],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] }
    )
    let out = ""
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (d: string) => (out += d))
    child.on("error", reject)
    child.on("exit", (code, signal) => {
      if (code !== 0) return reject(new Error(`memory child exited with ${code ?? signal}`))
      try {
        const result = JSON.parse(out.trim().split("\n").pop()!) as MemoryResult
        run.audit.push({
          phase: "memory",
          passed: result.errors === 0 && result.acked === run.options.memoryActors && result.stateSum === result.acked && result.resident === result.acked,
          detail: `acked ${result.acked}, resident ${result.resident}, sum of counters ${result.stateSum}, failed commands ${result.errors}`
        })
        resolve(result)
      } catch (e) {
        reject(new Error(`memory child printed no result: ${String(e)}; output: ${out.slice(0, 500)}`))
      }
    })
  })

/**
 * Journal `recoveryEvents` events over `recoveryActors` actors through a host (snapshots off, so
 * nothing but the journal holds them), then time a fresh host's start() on the same prefix.
 */
const recoveryPhase = async (run: Run): Promise<RecoveryResult> => {
  const { options } = run
  const prefix = `${run.prefix}:recovery`
  const definition = makeCounter({ snapshotEveryEvents: Number.MAX_SAFE_INTEGER })
  const ids = Array.from({ length: options.recoveryActors }, (_, i) => `r${i}`)
  const acks = new Float64Array(ids.length)
  const writer = await startRedisHost(options, prefix, definition, { checkpointEveryMs: NEVER_MS })
  const began = performance.now()
  const written = await countedLoop({
    window: options.recoveryWindow,
    total: options.recoveryEvents,
    send: (seq) => writer.host.ask(definition, ids[seq % ids.length]!, { _tag: "Add", by: 1 }),
    onAck: (seq) => acks[seq % ids.length]!++
  })
  const journalWriteMs = performance.now() - began
  const batches = writer.host.metrics.batchEvents.count
  await writer.close()
  gc()
  const recovered = await recoverAndRead(options, prefix, definition, ids, profilerFor(run, "recovery-start"))
  const audit = auditCounters("recovery", ids, acks, recovered.values, written.errors)
  const stateSum = recovered.values.reduce((a, b) => a + b, 0)
  const eventsOk = recovered.recoveredEvents >= written.acked
  run.audit.push(eventsOk ? audit : { ...audit, passed: false, detail: `${audit.detail}; host replayed only ${recovered.recoveredEvents} events` })
  return {
    actors: ids.length,
    events: written.acked,
    journalWriteMs,
    journalWritePerS: written.acked / (journalWriteMs / 1000),
    batches,
    startMs: recovered.startMs,
    recoveredEvents: recovered.recoveredEvents,
    secondsPerMillionEvents: recovered.startMs / 1000 / (recovered.recoveredEvents / 1e6),
    stateSum,
    acked: written.acked
  }
}

// ---------------------------------------------------------------- goals and printing

const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US")
const fmtMs = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2))

const goals = (rows: ReadonlyArray<LoadRow>, memory?: MemoryResult, recovery?: RecoveryResult): Array<Goal> => {
  const out: Array<Goal> = []
  const baseline = (w: number) => rows.find((r) => r.scenario === "baseline" && r.window === w)
  for (const r of rows.filter((x) => x.scenario === "hot")) {
    out.push({ goal: `hot actor ≥ 150,000 durable commands/s (w=${r.window})`, met: r.throughputPerS >= 150_000, measured: `${fmtInt(r.throughputPerS)}/s` })
    out.push({ goal: `hot actor p99 < 10 ms (w=${r.window})`, met: r.latency.p99Ms < 10, measured: `${fmtMs(r.latency.p99Ms)} ms` })
    const b = baseline(r.window)
    if (b !== undefined) {
      const ratio = r.throughputPerS / b.throughputPerS
      out.push({ goal: `hot ≥ 20× one-XADD-per-command baseline (w=${r.window})`, met: ratio >= 20, measured: `${ratio.toFixed(1)}×` })
    }
  }
  if (memory !== undefined) {
    out.push({ goal: "idle small actor < 1 KiB of heap", met: memory.bytesPerActor < 1024, measured: `${memory.bytesPerActor.toFixed(0)} B/actor` })
  }
  if (recovery !== undefined) {
    out.push({ goal: "recovery ≤ 2 s per million events", met: recovery.secondsPerMillionEvents <= 2, measured: `${recovery.secondsPerMillionEvents.toFixed(2)} s/M` })
  }
  return out
}

const pad = (s: string, n: number, right = false) => (right ? s.padEnd(n) : s.padStart(n))

const printReport = (report: BenchReport) => {
  const { rows } = report
  const baselineOf = (w: number) => rows.find((r) => r.scenario === "baseline" && r.window === w)
  const header = ["scenario", "window", "actors", "cmds/s", "p50 ms", "p99 ms", "max ms", "events/append", "vs baseline", "node CPU", "loop busy", "redis CPU"]
  const widths = [9, 7, 7, 10, 8, 8, 8, 14, 12, 9, 10, 10]
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => pad(c, widths[i]!, i === 0)).join(" ")
  console.log("")
  console.log(
    `runtime benchmark: journal ${report.environment.journal}, snapshots ${report.environment.snapshots}, ` +
      `${report.environment.shardCount} shards, node ${report.environment.node}, ${report.environment.cpus} CPU(s), ` +
      `Redis ${report.environment.redis.version} (appendonly ${report.environment.redis.appendonly}, appendfsync ${report.environment.redis.appendfsync}), ` +
      `load average ${report.environment.loadAverage.map((l) => l.toFixed(1)).join(" → ")}`
  )
  console.log(line(header))
  for (const r of rows) {
    const b = baselineOf(r.window)
    const ratio = r.scenario !== "baseline" && b !== undefined ? `${(r.throughputPerS / b.throughputPerS).toFixed(1)}×` : "-"
    console.log(
      line([
        r.scenario,
        String(r.window),
        fmtInt(r.actors),
        fmtInt(r.throughputPerS),
        fmtMs(r.latency.p50Ms),
        fmtMs(r.latency.p99Ms),
        fmtMs(r.latency.maxMs),
        r.batchEventsAvg.toFixed(1),
        ratio,
        `${(r.nodeCpu * 100).toFixed(0)}%`,
        `${(r.eventLoopUtilization * 100).toFixed(0)}%`,
        `${(r.redisCpu * 100).toFixed(0)}%`
      ])
    )
  }
  if (report.memory !== undefined) {
    const m = report.memory
    console.log(
      `memory: ${fmtInt(m.actors)} idle actors: heap ${(m.bytesPerActor).toFixed(0)} B/actor, RSS +${(m.rssDeltaBytes / 1e6).toFixed(0)} MB ` +
        `(${m.rssBytesPerActor.toFixed(0)} B/actor), created in ${(m.createMs / 1000).toFixed(1)} s`
    )
  }
  if (report.recovery !== undefined) {
    const r = report.recovery
    console.log(
      `recovery: ${fmtInt(r.recoveredEvents)} events in ${fmtInt(r.batches)} batches over ${fmtInt(r.actors)} actors: start() ${(r.startMs / 1000).toFixed(2)} s ` +
        `= ${r.secondsPerMillionEvents.toFixed(2)} s per million events (journaled at ${fmtInt(r.journalWritePerS)}/s)`
    )
  }
  console.log("goals:")
  for (const g of report.goals) console.log(`  ${g.met ? "met   " : "MISSED"} ${g.goal}: ${g.measured}`)
  console.log("audit:")
  for (const a of report.audit.entries) console.log(`  ${a.passed ? "ok    " : "FAILED"} ${a.phase}: ${a.detail}`)
  console.log(`acks survive: ${report.environment.redis.ackSurvives}`)
  console.log(`report: ${report.reportPath}`)
  console.log(report.audit.passed ? "audit: PASSED" : "audit: FAILED")
}

// ---------------------------------------------------------------- main

/** Every key of one run lives under this prefix, deleted at the end. */
export const runPrefix = (at: Date = new Date()) => `bench:runtime:${at.getTime()}-${randomBytes(4).toString("hex")}`

export const runBench = async (options: BenchOptions, prefix: string = runPrefix()): Promise<BenchReport> => {
  const startedAt = new Date()
  const began = performance.now()
  const admin = await connectRedis(options.redisUrl)
  const run: Run = { options, prefix, audit: [], admin }
  const redis = await redisFacts(admin)
  const rows: Array<LoadRow> = []
  let memory: MemoryResult | undefined
  let recovery: RecoveryResult | undefined
  const loadBefore = os.loadavg()[0]!
  let deletedKeys = 0
  const say = (m: string) => console.error(`[bench ${((performance.now() - began) / 1000).toFixed(1)}s] ${m}`)
  try {
    for (const window of options.windows) {
      if (!options.skip.has("hot")) {
        say(`hot actor, window ${window}`)
        rows.push(await hostScenario(run, "hot", window))
        gc()
      }
      if (!options.skip.has("spread")) {
        say(`spread over ${options.spreadActors} actors, window ${window}`)
        rows.push(await hostScenario(run, "spread", window))
        gc()
      }
      if (!options.skip.has("baseline")) {
        say(`baseline (one XADD per command), window ${window}`)
        rows.push(await baselineScenario(run, window))
        gc()
      }
    }
    if (!options.skip.has("recovery")) {
      say(`recovery of ${options.recoveryEvents} events over ${options.recoveryActors} actors`)
      recovery = await recoveryPhase(run)
      gc()
    }
    if (!options.skip.has("memory")) {
      say(`memory of ${options.memoryActors} idle actors (child process)`)
      memory = await memoryPhase(run)
    }
  } catch (error) {
    run.audit.push({ phase: "run", passed: false, detail: `the run broke off: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` })
  } finally {
    const deleted = await deletePrefix(admin, prefix).catch((e: unknown) => {
      run.audit.push({ phase: "cleanup", passed: false, detail: `could not delete ${prefix}:*: ${String(e)}` })
      return 0
    })
    deletedKeys = deleted
    say(`deleted ${deleted} Redis key(s) under ${prefix}:`)
    await closeRedis(admin)
  }
  if (run.audit.length === 0) run.audit.push({ phase: "run", passed: false, detail: "every phase was skipped: nothing was audited" })
  const stamp = startedAt.toISOString().replace(/[:.]/g, "-")
  const reportPath = path.join(options.reportDir, `runtime-bench-${stamp}.json`)
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    prefix,
    deletedKeys,
    elapsedMs: performance.now() - began,
    options: { ...options, skip: [...options.skip] },
    environment: {
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      totalMemoryBytes: os.totalmem(),
      redis,
      journal: `redis streams (makeRedisJournal, one ioredis connection per host${options.autoPipelining ? ", auto-pipelining ON (experiment)" : ""})`,
      snapshots: "in-memory (storage/memory.ts)",
      positions: "in-memory (storage/memory.ts)",
      shardCount: SHARD_COUNT,
      loadAverage: [loadBefore, os.loadavg()[0]!]
    },
    rows,
    ...(memory === undefined ? {} : { memory }),
    ...(recovery === undefined ? {} : { recovery }),
    goals: goals(rows, memory, recovery),
    audit: { passed: run.audit.every((a) => a.passed), entries: run.audit },
    reportPath
  }
  mkdirSync(options.reportDir, { recursive: true })
  writeFileSync(reportPath, JSON.stringify(report, null, 2) + "\n")
  return report
}

const main = async () => {
  let options: BenchOptions
  try {
    options = parseOptions(process.argv.slice(2))
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e))
    console.error(HELP)
    process.exit(2)
  }
  const prefix = runPrefix()
  // Aborting still deletes this run's keys: a watchdog (the run hangs) or Ctrl-C.
  const abort = (why: string, code: number) => {
    console.error(why)
    console.log("FAILED")
    const exit = () => process.exit(code)
    setTimeout(exit, 5_000).unref()
    connectRedis(options.redisUrl)
      .then(async (redis) => {
        const deleted = await deletePrefix(redis, prefix)
        console.error(`deleted ${deleted} Redis key(s) under ${prefix}:`)
        await closeRedis(redis)
      })
      .catch((e: unknown) => console.error(`could not delete ${prefix}:*`, e))
      .finally(exit)
  }
  const watchdog = setTimeout(() => abort(`the run exceeded --max-run-ms ${options.maxRunMs}`, 1), options.maxRunMs)
  process.once("SIGINT", () => abort("interrupted", 130))
  process.once("SIGTERM", () => abort("terminated", 143))
  const report = await runBench(options, prefix)
  clearTimeout(watchdog)
  printReport(report)
  if (!report.audit.passed) {
    console.log("FAILED")
    process.exit(1)
  }
  process.exit(0)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error)
    console.log("FAILED")
    process.exit(1)
  })
}
