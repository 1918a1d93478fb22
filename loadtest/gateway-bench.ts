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
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { Histogram } from "./histogram.ts"
import { AUTOCANNON_DRIVER_FLAG, AutocannonDriver, autocannonTimings, serveAutocannonJobs } from "./lib/autocannon.ts"
import { type CommonBenchOptions, commonOptionSpecs, connectionsOf, listOf, optionsOrExit, runLimitsOf, type Tool, TOOLS, toolsOf, wholeNumber } from "./lib/cli-options.ts"
import { type ProcessCpuUse, processCpuWindow } from "./lib/cpu.ts"
import { fetchJson } from "./lib/fetch-json.ts"
import type { LoadTimings } from "./lib/load-timings.ts"
import { endAll, type RunningServer as StartedServer, sleep, startServer as startProcess, stop } from "./lib/processes.ts"
import { loadAverageLine, type MachineInfo, reportHeader, writeReport } from "./lib/report.ts"
import { fixed, pct, printTables, table, thousands, yes } from "./lib/table.ts"
import { runWrkScript, wrkErrors, wrkInstalled, type WrkSummary, wrkTimings } from "./lib/wrk.ts"
import { armWatchdog } from "./lib/watchdog.ts"

const thisFile = fileURLToPath(import.meta.url)

// ---------------------------------------------------------------- options

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

export type GatewayBenchOptions = CommonBenchOptions<TargetId>

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
  --profile-dir DIR       run the store from a source-mapped bundle (node_modules/.cache/gateway-bench-store.mjs)
                          under node --cpu-prof; profile written to DIR on exit`

export const parseOptions = (argv: ReadonlyArray<string>, wrkVersion: string | undefined): GatewayBenchOptions | "help" => {
  const { values } = parseArgs({
    args: [...argv],
    options: commonOptionSpecs,
    strict: true
  })
  if (values.help) return "help"
  const quick = values.quick === true
  const available: ReadonlyArray<Tool> = wrkVersion === undefined ? ["autocannon"] : TOOLS
  const tools = toolsOf(values.tools, available, wrkVersion)
  const connections = connectionsOf(values.connections, quick ? "50" : "50,100")
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
    ...runLimitsOf(values, plannedMs)
  }
}

// ---------------------------------------------------------------- processes

interface RunningServer extends StartedServer {
  readonly name: ServerName
}

/** Start a server process and wait for the line announcing its port. */
const startServer = async (
  name: ServerName,
  nodeArgs: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv,
  announce: RegExp,
  timeoutMs: number
): Promise<RunningServer> => ({ name, ...(await startProcess(name, nodeArgs, env, announce, timeoutMs)) })

// ---------------------------------------------------------------- load generators

/** What one load-generator run measured. Latency is send → complete response, over 2xx answers (autocannon) or all answers (wrk). */
interface LoadResult extends LoadTimings {
  readonly ok: number
  readonly non2xx: number
  readonly errors: number
  readonly timeouts: number
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

const runWrkOnce = (script: string, job: LoadJob, seconds: number, threads: number): Promise<WrkSummary> =>
  runWrkScript({ script, url: job.url, connections: job.connections, threads, seconds, env: { BENCH_AUTHORIZATION: job.authorization ?? "" } })

const runWrk = async (script: string, job: LoadJob, threads: number, onMeasureStart: () => void): Promise<LoadResult> => {
  if (job.warmupS > 0) await runWrkOnce(script, job, job.warmupS, threads)
  onMeasureStart()
  const s = await runWrkOnce(script, job, job.durationS, threads)
  return {
    ok: s.requests - s.status,
    non2xx: s.status,
    errors: wrkErrors(s),
    timeouts: s.timeout,
    ...wrkTimings(s)
  }
}

/** The autocannon driver (this file with --autocannon-driver): each job is an optional warm-up, then the measurement. */
const autocannonDriverMain = () =>
  serveAutocannonJobs<LoadJob, LoadResult>(async (job, run, measuring) => {
    const once = (seconds: number, latency: Histogram | undefined) =>
      run(
        {
          url: job.url,
          connections: job.connections,
          duration: seconds,
          timeout: 5,
          headers: job.authorization === undefined ? {} : { authorization: job.authorization }
        },
        latency === undefined
          ? undefined
          : (status, ms) => {
              if (status >= 200 && status < 300) latency.record(ms)
            }
      )
    if (job.warmupS > 0) await once(job.warmupS, undefined)
    const latency = new Histogram()
    measuring()
    const r = await once(job.durationS, latency)
    return {
      ok: r["2xx"],
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      ...autocannonTimings(r, latency)
    }
  })

// ---------------------------------------------------------------- the run

export interface Measurement extends LoadTimings {
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
  readonly machine: MachineInfo
  readonly servers: ReadonlyArray<{
    readonly name: ServerName
    readonly pid: number
    readonly port: number
    readonly startMs: number
    /**
     * CPU the server used with no load, in cores, measured before the first target: background work
     * (for the store: projection polling, timers). It is part of every µs CPU/req figure of that
     * server, and weighs more the lower the request rate.
     */
    readonly idleCores: number | undefined
  }>
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

const measurementTable = (rows: ReadonlyArray<Measurement>): string =>
  table(
    ["tool", "conns", "target", "req/s", "p50 ms", "p99 ms", "errors", "non-2xx", "server CPU", "µs CPU/req", "machine busy"],
    [10, 5, 16, 9, 7, 7, 6, 7, 10, 10, 12],
    new Set([0, 2]),
    rows.map((r) => [
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

const ratioTable = (ratios: ReadonlyArray<Ratio>): string =>
  table(
    ["tool", "conns", "path", "gateway req/s", "/ bare uWS", "≥ 70 %", "/ node:http", "> 1", "CPU-normalized: / uWS", "/ node:http"],
    [10, 5, 8, 13, 10, 6, 11, 4, 21, 11],
    new Set([0, 2]),
    ratios.map((r) => [
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

// ---------------------------------------------------------------- main

const httpJson = (url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> => fetchJson(url, { ...init }, 30_000)

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


/**
 * Under --profile-dir the store runs from an esbuild bundle with a source map (profiles taken under
 * tsx point at whitespace-minified code; a bundle's lines map back to the sources). The bundle sits
 * two levels under the repository, as gateway/main.ts does, so that paths the store derives from its
 * own location (the payment-provider simulator's repository root) and package imports resolve the same.
 */
const storeBundle = async (): Promise<string> => {
  const outfile = path.resolve("node_modules/.cache/gateway-bench-store.mjs")
  mkdirSync(path.dirname(outfile), { recursive: true })
  const { build } = await import("esbuild")
  await build({
    entryPoints: ["gateway/main.ts"],
    outfile,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    logLevel: "warning"
  })
  return outfile
}

const main = async (options: GatewayBenchOptions, wrkVersion: string | undefined): Promise<number> => {
  const startedAt = new Date()
  const loadAverageBefore = os.loadavg()
  const scratch = mkdtempSync(path.join(os.tmpdir(), "gateway-bench-"))
  const script = path.join(scratch, "report.lua")
  writeFileSync(script, WRK_SCRIPT)
  const servers: Array<RunningServer> = []
  let driver: AutocannonDriver<LoadJob, LoadResult> | undefined
  const watchdog = armWatchdog(options.maxRunMs, () => rmSync(scratch, { recursive: true, force: true }))

  try {
    const wanted = new Set(options.targets.map((t) => targetsById[t].server))
    const baseEnv = { ...process.env }
    // All at once: the store's start (embedded Postgres, migrations, recovery) is the long one, and
    // nothing is measured before every server is up.
    const starting: Array<Promise<RunningServer>> = []
    if (wanted.has("gateway")) {
      const entry =
        options.profileDir === undefined
          ? ["--import", "tsx", "gateway/main.ts"]
          : ["--cpu-prof", "--cpu-prof-interval", "250", "--cpu-prof-dir", options.profileDir, await storeBundle()]
      starting.push(
        startServer(
          "gateway",
          entry,
          {
            ...baseEnv,
            HOST: "127.0.0.1",
            PORT: "0",
            DATA_DIR: path.join(scratch, "data"),
            RATE_LIMITS: "off",
            PASSWORD_HASH_LOG_N: "12",
            // The empty store the baselines compare against, without npm start's demo catalog.
            DEMO_CATALOG: "off",
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
    const driverStarting = options.tools.includes("autocannon") ? AutocannonDriver.start<LoadJob, LoadResult>(thisFile) : undefined
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

    // Background CPU of each server with no load (see GatewayBenchReport.servers).
    const idleWindows = servers.map((s) => processCpuWindow(s.pid))
    await sleep(options.quick ? 500 : 3000)
    const idleCores = new Map(servers.map((s, i) => [s.name, idleWindows[i]!.end().serverCores]))
    for (const s of servers) console.log(`${s.name}: ${pct(idleCores.get(s.name))} of a core with no load`)

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
          let window: { readonly end: () => ProcessCpuUse } | undefined
          const onMeasureStart = () => (window = processCpuWindow(server.pid))
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
      ...reportHeader("gateway-bench", startedAt, options, wrkVersion, loadAverageBefore),
      servers: servers.map(({ name, pid, port, startMs }) => ({ name, pid, port, startMs, idleCores: idleCores.get(name) })),
      rows,
      ratios,
      goals,
      clean
    }
    const file = writeReport(options.reportDir, "gateway-bench", startedAt, report)

    printTables(measurementTable(rows), ratioTable(ratios))
    for (const tool of options.tools) {
      const verdict = goals[tool]
      console.log(`goals (${tool}): ${verdict === undefined ? "not evaluated (a baseline was not measured)" : verdict ? "met" : "MISSED"}`)
    }
    const storeIdle = idleCores.get("gateway")
    if (storeIdle !== undefined) {
      const shares = rows
        .filter((r) => targetsById[r.target].server === "gateway" && r.requestsPerS > 0)
        .map((r) => `${r.label} ${fixed((storeIdle * 1e6) / r.requestsPerS, 1)}`)
        .join(", ")
      // An upper bound: on a saturated machine background work is starved along with the requests.
      console.log(`store with no load: ${pct(storeIdle)} of a core (background work); at most this many of the µs CPU/req: ${shares}`)
    }
    if (options.tools.includes("autocannon")) {
      console.log("note: autocannon saturates below bare uWS on a small machine (see server CPU); its ratios understate the gap, wrk's do not")
    }
    console.log(loadAverageLine(report.machine))
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

if (isEntryPoint && process.argv.includes(AUTOCANNON_DRIVER_FLAG)) {
  void autocannonDriverMain()
} else if (isEntryPoint) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      endAll("SIGTERM")
      process.exit(130)
    })
  }
  const wrkVersion = wrkInstalled()
  const options = optionsOrExit(() => parseOptions(process.argv.slice(2), wrkVersion), HELP)
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
