/**
 * HTTP benchmark of the whole gateway (issue 3): `GET /healthz` and an authenticated `GET /v1/me`
 * through the store started as `npm start` starts it, against a bare uWebSockets.js hello-world and
 * a bare `node:http` hello-world measured in the same run, with the same connection counts.
 * Goal: the gateway keeps ≥ 70 % of bare uWS throughput and beats bare `node:http`.
 *
 * Every server runs in its own process on the loopback interface, and so does every load
 * generator: `wrk` (the Debian package; C, one thread by default) and autocannon (Node, in a forked
 * driver). autocannon saturates near 30k requests/s on a small machine, below what bare uWS serves,
 * so its ratios are compressed; `wrk` is the verdict when it is installed.
 *
 *   npm run bench:gateway                     full run (about 3 minutes)
 *   npm run bench:gateway -- --quick          seconds, no warm-up (used by gateway-bench.test.ts)
 *   npm run bench:gateway -- --help           every option
 *
 * Prints a table and writes loadtest/reports/gateway-bench-<timestamp>.json. Exits 1 when a
 * measurement saw errors or non-2xx answers, a server did not start, or the run overran
 * --max-run-ms; a missed performance goal is reported, not an exit status.
 */
import { type ChildProcess, fork, spawn, spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { Histogram } from "./histogram.ts"

const thisFile = fileURLToPath(import.meta.url)
const repoRoot = path.resolve(path.dirname(thisFile), "..")

// ---------------------------------------------------------------- options

const TOOLS = ["wrk", "autocannon"] as const
type Tool = (typeof TOOLS)[number]

const TARGETS = ["bare-uws", "bare-node-http", "gateway-healthz", "gateway-me"] as const
type TargetId = (typeof TARGETS)[number]
type ServerName = "bare-uws" | "bare-node-http" | "gateway"

interface Target {
  readonly id: TargetId
  readonly label: string
  readonly server: ServerName
  readonly path: string
  readonly authenticated: boolean
}

const targetsById: Record<TargetId, Target> = {
  "bare-uws": { id: "bare-uws", label: "bare uWS", server: "bare-uws", path: "/healthz", authenticated: false },
  "bare-node-http": { id: "bare-node-http", label: "bare node:http", server: "bare-node-http", path: "/healthz", authenticated: false },
  "gateway-healthz": { id: "gateway-healthz", label: "gateway /healthz", server: "gateway", path: "/healthz", authenticated: false },
  "gateway-me": { id: "gateway-me", label: "gateway /v1/me", server: "gateway", path: "/v1/me", authenticated: true }
}

export interface GatewayBenchOptions {
  readonly quick: boolean
  readonly connections: ReadonlyArray<number>
  readonly tools: ReadonlyArray<Tool>
  readonly targets: ReadonlyArray<TargetId>
  /** Whole seconds: wrk takes no finer durations. */
  readonly warmupS: number
  readonly durationS: number
  readonly wrkThreads: number
  readonly reportDir: string
  readonly maxRunMs: number
  /** When set, the store runs under `node --cpu-prof` and writes its profile here on exit. */
  readonly profileDir: string | undefined
}

const HELP = `usage: gateway-bench.ts [options]
  --quick                 2 s per target, no warm-up, 50 connections; wrk and autocannon (autocannon only if wrk is missing)
  --connections 50,100    connection counts; every target is measured with each
  --tools wrk,autocannon  load generators (default: both; autocannon only when wrk is not installed)
  --targets a,b           subset of: ${TARGETS.join(", ")}
  --warmup-s 2            warm-up before each measurement (whole seconds, 0 = none)
  --duration-s 8          length of each measurement (whole seconds)
  --wrk-threads 1         wrk threads (one leaves the other core to the server on a 2-core machine)
  --report-dir DIR        where the JSON report goes (default loadtest/reports)
  --max-run-ms N          abort (FAILED, exit 1) past this; default: the plan's length plus 90 s
  --profile-dir DIR       run the store under node --cpu-prof, profile written to DIR on exit`

const wrkInstalled = (): string | undefined => {
  const probe = spawnSync("wrk", ["--version"], { encoding: "utf8" })
  if (probe.error !== undefined) return undefined
  return /wrk (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? "unknown"
}

const wholeNumber = (name: string, raw: string | undefined, fallback: number, min: number): number => {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${raw}"`)
  return n
}

const listOf = <T extends string>(name: string, raw: string | undefined, allowed: ReadonlyArray<T>, fallback: ReadonlyArray<T>): ReadonlyArray<T> => {
  if (raw === undefined) return fallback
  const items = raw.split(",").map((s) => s.trim()).filter((s) => s !== "")
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`--${name}: unknown "${item}" (allowed: ${allowed.join(", ")})`)
  if (items.length === 0) throw new Error(`--${name} is empty`)
  return items as Array<T>
}

export const parseOptions = (argv: ReadonlyArray<string>, wrkVersion: string | undefined): GatewayBenchOptions | "help" => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean", default: false },
      connections: { type: "string" },
      tools: { type: "string" },
      targets: { type: "string" },
      "warmup-s": { type: "string" },
      "duration-s": { type: "string" },
      "wrk-threads": { type: "string" },
      "report-dir": { type: "string" },
      "max-run-ms": { type: "string" },
      "profile-dir": { type: "string" },
      help: { type: "boolean", default: false }
    },
    strict: true
  })
  if (values.help) return "help"
  const quick = values.quick === true
  const available: ReadonlyArray<Tool> = wrkVersion === undefined ? ["autocannon"] : TOOLS
  const tools = listOf("tools", values.tools, TOOLS, available)
  if (tools.includes("wrk") && wrkVersion === undefined) throw new Error("--tools wrk: wrk is not installed (apt-get install -y wrk)")
  const connections = (values.connections ?? (quick ? "50" : "50,100")).split(",").map((s) => wholeNumber("connections", s.trim(), 0, 1))
  const warmupS = wholeNumber("warmup-s", values["warmup-s"], quick ? 0 : 2, 0)
  const durationS = wholeNumber("duration-s", values["duration-s"], quick ? 2 : 8, 1)
  const wrkThreads = wholeNumber("wrk-threads", values["wrk-threads"], 1, 1)
  const targets = listOf("targets", values.targets, TARGETS, TARGETS)
  const runs = connections.length * tools.length * targets.length
  // Per run: warm-up, measurement, and a little for spawning and settling; plus the store's start.
  const plannedMs = runs * (warmupS + durationS + 1.5) * 1000 + 60_000
  return {
    quick,
    connections,
    tools,
    targets,
    warmupS,
    durationS,
    wrkThreads,
    reportDir: path.resolve(values["report-dir"] ?? path.join(repoRoot, "loadtest", "reports")),
    maxRunMs: wholeNumber("max-run-ms", values["max-run-ms"], Math.round(plannedMs + 90_000), 1000),
    profileDir: values["profile-dir"] === undefined ? undefined : path.resolve(values["profile-dir"])
  }
}

// ---------------------------------------------------------------- processes

/** Every process this run started, by pid, so that any exit path ends them (and only them). */
const started = new Set<ChildProcess>()

const endAll = (signal: NodeJS.Signals) => {
  for (const child of started) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, signal)
      } catch {
        // already gone
      }
    }
  }
}

const track = (child: ChildProcess): ChildProcess => {
  started.add(child)
  child.once("exit", () => started.delete(child))
  return child
}

const exited = (child: ChildProcess, timeoutMs: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true)
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve(true)
    })
  })

/** SIGTERM by pid, then SIGKILL if it has not exited in time (the store flushes its journal first). */
const stop = async (child: ChildProcess, graceMs: number): Promise<void> => {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  process.kill(child.pid, "SIGTERM")
  if (await exited(child, graceMs)) return
  process.kill(child.pid, "SIGKILL")
  await exited(child, 5000)
}

interface RunningServer {
  readonly name: ServerName
  readonly child: ChildProcess
  readonly pid: number
  readonly port: number
  readonly startMs: number
  readonly output: Array<string>
}

/** Start a server process and wait for the line announcing its port. */
const startServer = (
  name: ServerName,
  nodeArgs: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  announce: RegExp,
  timeoutMs: number
): Promise<RunningServer> =>
  new Promise((resolve, reject) => {
    const began = performance.now()
    const child = track(spawn(process.execPath, [...nodeArgs], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] }))
    const output: Array<string> = []
    let settled = false
    const keep = (line: string) => {
      output.push(line)
      if (output.length > 50) output.shift()
    }
    const fail = (why: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(new Error(`${name} did not start: ${why}\n${output.join("\n")}`))
    }
    const timer = setTimeout(() => fail(`no "listening" line within ${timeoutMs} ms`), timeoutMs)
    let pending = ""
    child.stdout!.setEncoding("utf8").on("data", (data: string) => {
      pending += data
      let nl: number
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl)
        pending = pending.slice(nl + 1)
        keep(line)
        const port = announce.exec(line)?.[1]
        if (port !== undefined && !settled) {
          settled = true
          clearTimeout(timer)
          resolve({ name, child, pid: child.pid!, port: Number(port), startMs: Math.round(performance.now() - began), output })
        }
      }
    })
    child.stderr!.setEncoding("utf8").on("data", (data: string) => {
      for (const line of data.split("\n")) if (line !== "") keep(line)
    })
    child.once("exit", (code, signal) => fail(`exited (${code ?? signal})`))
    child.once("error", (error) => fail(error.message))
  })

// ---------------------------------------------------------------- CPU accounting (Linux /proc)

const clockTicksPerS = (() => {
  const probe = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" })
  const n = Number(probe.stdout?.trim())
  return Number.isInteger(n) && n > 0 ? n : 100
})()

/** utime + stime of a process in seconds, or undefined where /proc is not available. */
const processCpuS = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerS
  } catch {
    return undefined
  }
}

/** Busy and total jiffies of the whole machine. */
const machineJiffies = (): { busy: number; total: number } | undefined => {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!
    const n = line.trim().split(/\s+/).slice(1).map(Number)
    const total = n.reduce((a, b) => a + b, 0)
    const idle = (n[3] ?? 0) + (n[4] ?? 0)
    return { busy: total - idle, total }
  } catch {
    return undefined
  }
}

interface CpuWindow {
  readonly end: () => { serverCores: number | undefined; machineBusyShare: number | undefined }
}

const cpuWindow = (pid: number): CpuWindow => {
  const t0 = performance.now()
  const server0 = processCpuS(pid)
  const machine0 = machineJiffies()
  return {
    end: () => {
      const seconds = (performance.now() - t0) / 1000
      const server1 = processCpuS(pid)
      const machine1 = machineJiffies()
      return {
        serverCores: server0 === undefined || server1 === undefined ? undefined : (server1 - server0) / seconds,
        machineBusyShare:
          machine0 === undefined || machine1 === undefined || machine1.total === machine0.total
            ? undefined
            : (machine1.busy - machine0.busy) / (machine1.total - machine0.total)
      }
    }
  }
}

// ---------------------------------------------------------------- load generators

/** What one load-generator run measured. Latency is send → complete response, over 2xx answers (autocannon) or all answers (wrk). */
interface LoadResult {
  readonly ok: number
  readonly non2xx: number
  readonly errors: number
  readonly timeouts: number
  readonly elapsedS: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly meanMs: number
  readonly maxMs: number
}

interface LoadJob {
  readonly url: string
  readonly connections: number
  readonly warmupS: number
  readonly durationS: number
  readonly authorization: string | undefined
}

/**
 * wrk reports through this script: it adds the Authorization header (from the environment, so one
 * script serves every target) and prints its summary as one JSON line. A `response()` callback
 * would count every status but slows wrk down; `errors.status` counts answers ≥ 400.
 */
const WRK_SCRIPT = `
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization ~= nil and authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%.1f,"p99Us":%.1f,"meanUs":%.1f,"maxUs":%.1f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
end
`

interface WrkSummary {
  readonly requests: number
  readonly durationUs: number
  readonly connect: number
  readonly read: number
  readonly write: number
  readonly status: number
  readonly timeout: number
  readonly p50Us: number
  readonly p99Us: number
  readonly meanUs: number
  readonly maxUs: number
}

const runWrkOnce = (script: string, job: LoadJob, seconds: number, threads: number): Promise<WrkSummary> =>
  new Promise((resolve, reject) => {
    const args = ["-t", String(Math.min(threads, job.connections)), "-c", String(job.connections), "-d", `${seconds}s`, "--timeout", "5s", "-s", script, job.url]
    const child = track(spawn("wrk", args, { env: { ...process.env, BENCH_AUTHORIZATION: job.authorization ?? "" }, stdio: ["ignore", "pipe", "pipe"] }))
    let out = ""
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d))
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d))
    child.once("error", reject)
    child.once("exit", (code) => {
      const line = /WRK_RESULT (\{.*\})/.exec(out)?.[1]
      if (code !== 0 || line === undefined) return reject(new Error(`wrk ${args.join(" ")} failed (${code}):\n${out}`))
      resolve(JSON.parse(line) as WrkSummary)
    })
  })

const runWrk = async (script: string, job: LoadJob, threads: number, onMeasureStart: () => void): Promise<LoadResult> => {
  if (job.warmupS > 0) await runWrkOnce(script, job, job.warmupS, threads)
  onMeasureStart()
  const s = await runWrkOnce(script, job, job.durationS, threads)
  return {
    ok: s.requests - s.status,
    non2xx: s.status,
    errors: s.connect + s.read + s.write + s.timeout,
    timeouts: s.timeout,
    elapsedS: s.durationUs / 1e6,
    p50Ms: s.p50Us / 1000,
    p99Ms: s.p99Us / 1000,
    meanMs: s.meanUs / 1000,
    maxMs: s.maxUs / 1000
  }
}

type DriverMessage =
  | { readonly type: "ready" }
  | { readonly type: "measuring" } | { readonly type: "result"; readonly result: LoadResult } | { readonly type: "error"; readonly message: string }

/**
 * autocannon runs in a forked process of its own (this file with --autocannon-driver), so it does
 * not share an event loop with anything it measures. One driver serves every autocannon run.
 */
class AutocannonDriver {
  private constructor(private readonly child: ChildProcess) {}

  /** Resolves once the driver listens for jobs (a job sent earlier would be lost). */
  static start(): Promise<AutocannonDriver> {
    const child = track(fork(thisFile, ["--autocannon-driver"], { cwd: repoRoot, execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] }))
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the autocannon driver exited (${code}) before it was ready`))
      child.once("exit", onExit)
      child.once("message", () => {
        child.off("exit", onExit)
        resolve(new AutocannonDriver(child))
      })
    })
  }

  run(job: LoadJob, onMeasureStart: () => void): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: DriverMessage) => {
        if (message.type === "ready") return
        if (message.type === "measuring") return onMeasureStart()
        cleanup()
        if (message.type === "result") resolve(message.result)
        else reject(new Error(`autocannon: ${message.message}`))
      }
      const onExit = (code: number | null) => {
        cleanup()
        reject(new Error(`the autocannon driver exited (${code})`))
      }
      const cleanup = () => {
        this.child.off("message", onMessage)
        this.child.off("exit", onExit)
      }
      this.child.on("message", onMessage)
      this.child.once("exit", onExit)
      this.child.send(job)
    })
  }

  close(): Promise<void> {
    return stop(this.child, 2000)
  }
}

/** The driver's side: run each job it is sent, report back over IPC. */
const autocannonDriverMain = async () => {
  const { default: autocannon } = await import("autocannon")
  const send = (message: DriverMessage) => process.send!(message)
  const once = (job: LoadJob, seconds: number, latency: Histogram | undefined) =>
    new Promise<import("autocannon").Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: job.url,
          connections: job.connections,
          duration: seconds,
          timeout: 5,
          headers: job.authorization === undefined ? {} : { authorization: job.authorization }
        },
        (error: unknown, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result))
      )
      // autocannon's own histogram has 1 ms resolution; record the exact times (ms, float) instead.
      if (latency !== undefined) {
        ;(instance as unknown as NodeJS.EventEmitter).on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
          if (status >= 200 && status < 300) latency.record(ms)
        })
      }
    })
  process.on("message", (job: LoadJob) => {
    void (async () => {
      try {
        if (job.warmupS > 0) await once(job, job.warmupS, undefined)
        const latency = new Histogram()
        send({ type: "measuring" })
        const r = await once(job, job.durationS, latency)
        send({
          type: "result",
          result: {
            ok: r["2xx"],
            non2xx: r.non2xx,
            errors: r.errors,
            timeouts: r.timeouts,
            elapsedS: (r.finish.getTime() - r.start.getTime()) / 1000,
            p50Ms: latency.percentile(50),
            p99Ms: latency.percentile(99),
            meanMs: latency.meanMs,
            maxMs: latency.count === 0 ? 0 : latency.maxMs
          }
        })
      } catch (error) {
        send({ type: "error", message: error instanceof Error ? error.message : String(error) })
      }
    })()
  })
  process.on("disconnect", () => process.exit(0))
  send({ type: "ready" })
}

// ---------------------------------------------------------------- the run

export interface Measurement {
  readonly tool: Tool
  readonly connections: number
  readonly target: TargetId
  readonly label: string
  readonly url: string
  readonly requestsPerS: number
  /** 2xx answers in the measured interval. */
  readonly ok: number
  readonly non2xx: number
  /** Connection, read, write errors and timeouts. */
  readonly errors: number
  readonly timeouts: number
  readonly elapsedS: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly meanMs: number
  readonly maxMs: number
  /** CPU of the server process over the interval, in cores (1 = one core fully busy). */
  readonly serverCores: number | undefined
  /** Busy share of all the machine's cores over the interval (server, load generator, everything else). */
  readonly machineBusyShare: number | undefined
  /**
   * Server CPU time per answered request, in µs. Much less sensitive than req/s to a load
   * generator or a neighbour taking the server's core on a small, shared machine.
   */
  readonly serverCpuUsPerRequest: number | undefined
}

export interface Ratio {
  readonly tool: Tool
  readonly connections: number
  readonly path: "/healthz" | "/v1/me"
  readonly gatewayPerS: number
  readonly vsBareUws: number | undefined
  readonly vsBareNodeHttp: number | undefined
  /** ≥ 70 % of bare uWS. */
  readonly keeps70PctOfUws: boolean | undefined
  /** More than bare node:http. */
  readonly beatsNodeHttp: boolean | undefined
  /**
   * Bare uWS's server CPU per request over the gateway's: the share of bare uWS throughput the
   * gateway would reach if each had a core to itself. Context for noisy runs, not the goal.
   */
  readonly cpuNormalizedVsBareUws: number | undefined
  readonly cpuNormalizedVsBareNodeHttp: number | undefined
}

export interface GatewayBenchReport {
  readonly kind: "gateway-bench"
  readonly startedAt: string
  readonly finishedAt: string
  readonly options: GatewayBenchOptions
  readonly machine: {
    readonly cpus: number
    readonly cpuModel: string
    readonly node: string
    readonly wrk: string | null
    readonly autocannon: string
    readonly loadAverageBefore: ReadonlyArray<number>
    readonly loadAverageAfter: ReadonlyArray<number>
  }
  readonly servers: ReadonlyArray<{ readonly name: ServerName; readonly pid: number; readonly port: number; readonly startMs: number }>
  readonly rows: ReadonlyArray<Measurement>
  readonly ratios: ReadonlyArray<Ratio>
  /** Per tool: every ratio of that tool meets both goals (undefined when a baseline was not measured). */
  readonly goals: Partial<Record<Tool, boolean | undefined>>
  /** Every measurement had 0 errors and 0 non-2xx answers. */
  readonly clean: boolean
}

const GOAL_VS_UWS = 0.7

export const ratiosOf = (rows: ReadonlyArray<Measurement>): Array<Ratio> => {
  const out: Array<Ratio> = []
  const keys = [...new Set(rows.map((r) => `${r.tool}|${r.connections}`))]
  for (const key of keys) {
    const same = rows.filter((r) => `${r.tool}|${r.connections}` === key)
    const perS = (id: TargetId) => same.find((r) => r.target === id)?.requestsPerS
    const cost = (id: TargetId) => same.find((r) => r.target === id)?.serverCpuUsPerRequest
    const uws = perS("bare-uws")
    const node = perS("bare-node-http")
    const costOver = (baseline: TargetId, id: TargetId) => {
      const b = cost(baseline)
      const g = cost(id)
      return b === undefined || g === undefined || g === 0 ? undefined : b / g
    }
    for (const [id, p] of [["gateway-healthz", "/healthz"], ["gateway-me", "/v1/me"]] as const) {
      const gateway = perS(id)
      if (gateway === undefined) continue
      const vsBareUws = uws === undefined ? undefined : gateway / uws
      const vsBareNodeHttp = node === undefined ? undefined : gateway / node
      out.push({
        tool: same[0]!.tool,
        connections: same[0]!.connections,
        path: p,
        gatewayPerS: gateway,
        vsBareUws,
        vsBareNodeHttp,
        keeps70PctOfUws: vsBareUws === undefined ? undefined : vsBareUws >= GOAL_VS_UWS,
        beatsNodeHttp: vsBareNodeHttp === undefined ? undefined : vsBareNodeHttp > 1,
        cpuNormalizedVsBareUws: costOver("bare-uws", id),
        cpuNormalizedVsBareNodeHttp: costOver("bare-node-http", id)
      })
    }
  }
  return out
}

const goalsOf = (ratios: ReadonlyArray<Ratio>, tools: ReadonlyArray<Tool>): Partial<Record<Tool, boolean | undefined>> => {
  const goals: Partial<Record<Tool, boolean | undefined>> = {}
  for (const tool of tools) {
    const mine = ratios.filter((r) => r.tool === tool)
    const verdicts = mine.flatMap((r) => [r.keeps70PctOfUws, r.beatsNodeHttp])
    goals[tool] = mine.length === 0 || verdicts.some((v) => v === undefined) ? undefined : verdicts.every((v) => v === true)
  }
  return goals
}

// ---------------------------------------------------------------- printing

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))
const padLeft = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s)
const fixed = (n: number | undefined, digits: number) => (n === undefined ? "-" : n.toFixed(digits))
const pct = (n: number | undefined) => (n === undefined ? "-" : `${(n * 100).toFixed(0)}%`)
const thousands = (n: number) => Math.round(n).toLocaleString("en-US")

const measurementTable = (rows: ReadonlyArray<Measurement>): string => {
  const header = ["tool", "conns", "target", "req/s", "p50 ms", "p99 ms", "errors", "non-2xx", "server CPU", "µs CPU/req", "machine busy"]
  const widths = [10, 5, 16, 9, 7, 7, 6, 7, 10, 10, 12]
  const left = new Set([0, 2])
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => (left.has(i) ? pad(c, widths[i]!) : padLeft(c, widths[i]!))).join("  ")
  return [
    line(header),
    ...rows.map((r) =>
      line([
        r.tool,
        String(r.connections),
        r.label,
        thousands(r.requestsPerS),
        fixed(r.p50Ms, 2),
        fixed(r.p99Ms, 2),
        String(r.errors),
        String(r.non2xx),
        r.serverCores === undefined ? "-" : `${fixed(r.serverCores * 100, 0)}%`,
        fixed(r.serverCpuUsPerRequest, 1),
        pct(r.machineBusyShare)
      ])
    )
  ].join("\n")
}

const ratioTable = (ratios: ReadonlyArray<Ratio>): string => {
  const yes = (b: boolean | undefined) => (b === undefined ? "-" : b ? "yes" : "NO")
  const header = ["tool", "conns", "path", "gateway req/s", "/ bare uWS", "≥ 70 %", "/ node:http", "> 1", "CPU-normalized: / uWS", "/ node:http"]
  const widths = [10, 5, 8, 13, 10, 6, 11, 4, 21, 11]
  const left = new Set([0, 2])
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => (left.has(i) ? pad(c, widths[i]!) : padLeft(c, widths[i]!))).join("  ")
  return [
    line(header),
    ...ratios.map((r) =>
      line([
        r.tool,
        String(r.connections),
        r.path,
        thousands(r.gatewayPerS),
        fixed(r.vsBareUws, 2),
        yes(r.keeps70PctOfUws),
        fixed(r.vsBareNodeHttp, 2),
        yes(r.beatsNodeHttp),
        fixed(r.cpuNormalizedVsBareUws, 2),
        fixed(r.cpuNormalizedVsBareNodeHttp, 2)
      ])
    )
  ].join("\n")
}

// ---------------------------------------------------------------- main

const httpJson = async (url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: response.status, body }
}

/** Sign up the bench user and check that its token opens /v1/me. */
const benchUser = async (base: string): Promise<string> => {
  const email = `bench-${Date.now()}@example.com`
  const signup = await httpJson(`${base}/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "bench-password-123", name: "Bench" })
  })
  const token = (signup.body as { token?: unknown } | null)?.token
  if (signup.status !== 201 || typeof token !== "string") throw new Error(`signup answered ${signup.status}: ${JSON.stringify(signup.body)}`)
  const me = await httpJson(`${base}/v1/me`, { headers: { authorization: `Bearer ${token}` } })
  if (me.status !== 200 || (me.body as { email?: unknown } | null)?.email !== email) throw new Error(`GET /v1/me answered ${me.status}: ${JSON.stringify(me.body)}`)
  return token
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const main = async (options: GatewayBenchOptions, wrkVersion: string | undefined): Promise<number> => {
  const startedAt = new Date()
  const loadAverageBefore = os.loadavg()
  const scratch = mkdtempSync(path.join(os.tmpdir(), "gateway-bench-"))
  const script = path.join(scratch, "report.lua")
  writeFileSync(script, WRK_SCRIPT)
  const servers: Array<RunningServer> = []
  let driver: AutocannonDriver | undefined
  const watchdog = setTimeout(() => {
    console.error(`FAILED: the run took longer than --max-run-ms ${options.maxRunMs}`)
    endAll("SIGKILL")
    rmSync(scratch, { recursive: true, force: true })
    process.exit(1)
  }, options.maxRunMs)
  watchdog.unref()

  try {
    const wanted = new Set(options.targets.map((t) => targetsById[t].server))
    const baseEnv = { ...process.env }
    // All at once: the store's start (embedded Postgres, migrations, recovery) is the long one, and
    // nothing is measured before every server is up.
    const starting: Array<Promise<RunningServer>> = []
    if (wanted.has("gateway")) {
      const profiling = options.profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", options.profileDir]
      starting.push(
        startServer(
          "gateway",
          [...profiling, "--import", "tsx", "gateway/main.ts"],
          {
            ...baseEnv,
            HOST: "127.0.0.1",
            PORT: "0",
            DATA_DIR: path.join(scratch, "data"),
            RATE_LIMITS: "off",
            PASSWORD_HASH_LOG_N: "12",
            // Never reach a Redis or Postgres of the environment: the bench's store is embedded and private.
            REDIS_URL: "",
            DATABASE_URL: "",
            ADMIN_EMAIL: "",
            ADMIN_PASSWORD: ""
          },
          /^store listening on http:\/\/[^:]+:(\d+)/,
          90_000
        )
      )
    }
    if (wanted.has("bare-uws")) {
      starting.push(startServer("bare-uws", ["--import", "tsx", "loadtest/baselines/bare-uws.ts"], { ...baseEnv, PORT: "0" }, /^listening (\d+)/, 30_000))
    }
    if (wanted.has("bare-node-http")) {
      starting.push(startServer("bare-node-http", ["--import", "tsx", "loadtest/baselines/bare-node-http.ts"], { ...baseEnv, PORT: "0" }, /^listening (\d+)/, 30_000))
    }
    const driverStarting = options.tools.includes("autocannon") ? AutocannonDriver.start() : undefined
    const [driverOutcome, ...outcomes] = await Promise.allSettled([driverStarting, ...starting])
    if (driverOutcome!.status === "fulfilled") driver = driverOutcome!.value
    for (const outcome of outcomes) if (outcome.status === "fulfilled") servers.push(outcome.value as RunningServer)
    for (const outcome of [driverOutcome!, ...outcomes]) if (outcome.status === "rejected") throw outcome.reason
    const serverOf = (name: ServerName) => servers.find((s) => s.name === name)!
    const baseOf = (name: ServerName) => `http://127.0.0.1:${serverOf(name).port}`
    for (const s of servers) console.log(`${s.name}: pid ${s.pid}, port ${s.port}, up in ${s.startMs} ms`)

    let authorization: string | undefined
    if (options.targets.includes("gateway-me")) authorization = `Bearer ${await benchUser(baseOf("gateway"))}`
    for (const name of wanted) {
      const probe = await httpJson(`${baseOf(name)}/healthz`)
      if (probe.status !== 200) throw new Error(`${name} /healthz answered ${probe.status}`)
    }

    const rows: Array<Measurement> = []
    let round = 0
    for (const connections of options.connections) {
      for (const tool of options.tools) {
        // Alternate the order of the targets from one round to the next, so a drift of the machine's
        // load over the run does not always favour the same target.
        const order = round++ % 2 === 0 ? options.targets : [...options.targets].reverse()
        for (const id of order) {
          const target = targetsById[id]
          const server = serverOf(target.server)
          const url = `${baseOf(target.server)}${target.path}`
          const job: LoadJob = { url, connections, warmupS: options.warmupS, durationS: options.durationS, authorization: target.authenticated ? authorization : undefined }
          let window: CpuWindow | undefined
          const onMeasureStart = () => (window = cpuWindow(server.pid))
          const result = tool === "wrk" ? await runWrk(script, job, options.wrkThreads, onMeasureStart) : await driver!.run(job, onMeasureStart)
          const cpu = window?.end() ?? { serverCores: undefined, machineBusyShare: undefined }
          const requestsPerS = result.elapsedS > 0 ? result.ok / result.elapsedS : 0
          const row: Measurement = {
            tool,
            connections,
            target: id,
            label: target.label,
            url,
            requestsPerS,
            ...result,
            ...cpu,
            serverCpuUsPerRequest: cpu.serverCores === undefined || requestsPerS === 0 ? undefined : (cpu.serverCores * 1e6) / requestsPerS
          }
          rows.push(row)
          console.log(measurementTable([row]).split("\n")[1])
          if (!options.quick) await sleep(300)
        }
      }
    }

    const ratios = ratiosOf(rows)
    const goals = goalsOf(ratios, options.tools)
    const clean = rows.every((r) => r.errors === 0 && r.non2xx === 0 && r.ok > 0)
    const report: GatewayBenchReport = {
      kind: "gateway-bench",
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options,
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? "unknown",
        node: process.version,
        wrk: wrkVersion ?? null,
        autocannon: (JSON.parse(readFileSync(path.join(repoRoot, "node_modules", "autocannon", "package.json"), "utf8")) as { version: string }).version,
        loadAverageBefore,
        loadAverageAfter: os.loadavg()
      },
      servers: servers.map(({ name, pid, port, startMs }) => ({ name, pid, port, startMs })),
      rows,
      ratios,
      goals,
      clean
    }
    mkdirSync(options.reportDir, { recursive: true })
    const file = path.join(options.reportDir, `gateway-bench-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`)
    writeFileSync(file, JSON.stringify(report, null, 2))

    console.log("")
    console.log(measurementTable(rows))
    console.log("")
    console.log(ratioTable(ratios))
    console.log("")
    for (const tool of options.tools) {
      const verdict = goals[tool]
      console.log(`goals (${tool}): ${verdict === undefined ? "not evaluated (a baseline was not measured)" : verdict ? "met" : "MISSED"}`)
    }
    if (options.tools.includes("autocannon")) {
      console.log("note: autocannon saturates below bare uWS on a small machine (see server CPU); its ratios understate the gap, wrk's do not")
    }
    console.log(`load average before ${loadAverageBefore.map((n) => n.toFixed(2)).join(" ")}, after ${report.machine.loadAverageAfter.map((n) => n.toFixed(2)).join(" ")}`)
    console.log(`report: ${path.relative(process.cwd(), file)}`)
    if (!clean) {
      console.log("FAILED: a measurement saw errors or non-2xx answers")
      return 1
    }
    return 0
  } finally {
    if (driver !== undefined) await driver.close()
    // Gracefully, so that the store flushes its journal and a --cpu-prof profile is written.
    await Promise.all(servers.map((s) => stop(s.child, 25_000)))
    clearTimeout(watchdog)
    rmSync(scratch, { recursive: true, force: true })
  }
}

const isEntryPoint = process.argv[1] !== undefined && path.resolve(process.argv[1]) === thisFile

if (isEntryPoint && process.argv.includes("--autocannon-driver")) {
  void autocannonDriverMain()
} else if (isEntryPoint) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      endAll("SIGTERM")
      process.exit(130)
    })
  }
  const wrkVersion = wrkInstalled()
  let options: GatewayBenchOptions | "help"
  try {
    options = parseOptions(process.argv.slice(2), wrkVersion)
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    console.error(HELP)
    process.exit(2)
  }
  if (options === "help") {
    console.log(HELP)
    process.exit(0)
  }
  if (wrkVersion === undefined) console.log("wrk is not installed (apt-get install -y wrk): autocannon only, whose ratios understate the gap")
  main(options, wrkVersion).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error("FAILED:", error instanceof Error ? error.message : error)
      endAll("SIGKILL")
      process.exit(1)
    }
  )
}
