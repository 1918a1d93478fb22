/**
 * Hot-SKU benchmark (issue 4): durable reservations per second on ONE hot SKU over HTTP,
 * `POST /v1/skus/{sku_id}/reservations {"quantity": 1}` with a bearer token from a pool of users and
 * no Idempotency-Key (every request is a new reservation), against two baselines measured in the
 * same run behind the same kind of uWebSockets.js server (`loadtest/baselines/reserve-server.ts`):
 *
 *   store-embedded    the store as `npm start` runs it (`node --import tsx gateway/main.ts`), embedded PGlite
 *   store-production  the same with REDIS_URL + DATABASE_URL (Redis-stream journal, Postgres snapshots)
 *   postgres          baseline (a): one UPDATE … WHERE on_hand - reserved >= 1 + INSERT per request, pool of 10
 *   redis             baseline (b): one EVALSHA per request, Lua check-and-reserve + XADD of the event
 *
 * Goals: store ≥ 20× (a), ≥ 1.5× (b), p99 ≤ 20 ms at 100 connections. Every server runs in its own
 * process on the loopback interface, and so does every load generator: `wrk` (Debian package, a Lua
 * script rotating the users' tokens) and autocannon (a forked driver). Each measurement reserves on
 * a fresh SKU (and its warm-up on another), with stock that cannot sell out (10,000,000).
 *
 * Audit, after every load run and again over every SKU at the end (and, with --restart-audit, after
 * killing each store with SIGKILL and starting it again on the same storage): for every SKU of every
 * target, reserved = stock − available must satisfy 0 ≤ reserved ≤ stock (no oversell) and
 * acked ≤ reserved ≤ acked + unanswered, where acked is the 2xx count the load tool saw and
 * unanswered the requests it wrote but never read an answer to (cut off when the run ended: the
 * server may have committed them). Every acknowledged reservation is present and none beyond the
 * requests sent; when unanswered is 0 the check is an equality. The baselines' counters are read
 * from Postgres / Redis directly and cross-checked with their rows / stream entries.
 * A failed audit prints FAILED and exits 1. A missed performance goal is reported, not an exit status.
 *
 *   npm run bench:hot-sku                    full run (about 4 minutes)
 *   npm run bench:hot-sku -- --quick         seconds: autocannon only, 2 s per target (hot-sku-bench.test.ts)
 *   npm run bench:hot-sku -- --help          every option
 *
 * Storage: the local Postgres at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in
 * two fresh schemas (baseline, store) dropped at the end; the local Redis at REDIS_URL (default
 * redis://127.0.0.1:6379) under two fresh key prefixes deleted at the end (SCAN + DEL).
 * Writes loadtest/reports/hot-sku-<timestamp>.json.
 */
import { randomBytes } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import type { Redis } from "ioredis"
import { skuLimits } from "../actors/inventory/sku-schema.ts"
import { migrationLockKey } from "../storage/postgres/migrations.ts"
import { closeRedis, connectRedis, deletePrefix, redisFacts, type RedisFacts } from "./bench-redis.ts"
import { type PgPool, pgPool, postgresTables, redisKeys } from "./baselines/reserve-server.ts"
import { Histogram } from "./histogram.ts"
import { AUTOCANNON_DRIVER_FLAG, AutocannonDriver, autocannonTimings, serveAutocannonJobs } from "./lib/autocannon.ts"
import { type CommonBenchOptions, commonOptionSpecs, connectionsOf, listOf, optionsOrExit, runLimitsOf, type Tool, TOOLS, toolsOf, wholeNumber } from "./lib/cli-options.ts"
import { processCpuS, processCpuWindow } from "./lib/cpu.ts"
import { fetchJson } from "./lib/fetch-json.ts"
import type { LoadTimings } from "./lib/load-timings.ts"
import { exitOnSignals, type RunningServer, sleep, startServer, stop, stopAllThenClean } from "./lib/processes.ts"
import { loadAverageLine, type MachineInfo, reportHeader, writeReport } from "./lib/report.ts"
import { fixed, pct, printTables, table, thousands, yes } from "./lib/table.ts"
import { runWrkScript, wrkErrors, wrkInstalled, type WrkSummary, wrkTimings } from "./lib/wrk.ts"
import { armWatchdog } from "./lib/watchdog.ts"

const thisFile = fileURLToPath(import.meta.url)

// ---------------------------------------------------------------- options

const TARGETS = ["store-embedded", "store-production", "postgres", "redis"] as const
type TargetId = (typeof TARGETS)[number]
const STORE_TARGETS: ReadonlyArray<TargetId> = ["store-embedded", "store-production"]
const isStore = (id: TargetId) => STORE_TARGETS.includes(id)

const labels: Record<TargetId, string> = {
  "store-embedded": "store (embedded)",
  "store-production": "store (redis+pg)",
  postgres: "(a) postgres",
  redis: "(b) redis lua"
}

export const GOALS = { vsPostgres: 20, vsRedis: 1.5, p99Ms: 20, atConnections: 100 } as const

export interface HotSkuBenchOptions extends CommonBenchOptions<TargetId> {
  readonly users: number
  readonly stock: number
  readonly pgPool: number
  readonly restartAudit: boolean
  readonly databaseUrl: string
  readonly redisUrl: string
}

const HELP = `usage: hot-sku-bench.ts [options]
  --quick                 autocannon only, 50 connections, no warm-up, 2 s per target, 10 users
  --connections 100,50    connection counts; every target is measured with each
  --tools wrk,autocannon  load generators (default both; autocannon only when wrk is not installed)
  --targets a,b           subset of: ${TARGETS.join(", ")}
  --warmup-s 2            warm-up before each measurement, on its own SKU (whole seconds, 0 = none)
  --duration-s 5          length of each measurement (whole seconds; the store caps live holds per SKU at ${skuLimits.maxLiveHolds.toLocaleString("en-US")})
  --users 100             signed-up users whose tokens the requests rotate through
  --stock 10000000        units per SKU (must not sell out during a measurement)
  --pg-pool 10            connections of the postgres baseline's pool
  --wrk-threads 1         wrk threads (one leaves the other core to the server on a 2-core machine)
  --restart-audit         after the final audit, SIGKILL each store, restart it on the same storage, audit again
                          (default on, off with --quick; --no-restart-audit turns it off)
  --report-dir DIR        where the JSON report goes (default loadtest/reports)
  --max-run-ms N          abort (FAILED, exit 1) past this; default: the plan's length plus 90 s
  --profile-dir DIR       run the stores from a source-mapped bundle (DIR/store.mjs) under node --cpu-prof;
                          profiles written to DIR when they stop
environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), REDIS_URL (default redis://127.0.0.1:6379)`

const distinct = <T>(items: ReadonlyArray<T>): ReadonlyArray<T> => [...new Set(items)]

export const parseOptions = (argv: ReadonlyArray<string>, wrkVersion: string | undefined, env: NodeJS.ProcessEnv = process.env): HotSkuBenchOptions | "help" => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...commonOptionSpecs,
      users: { type: "string" },
      stock: { type: "string" },
      "pg-pool": { type: "string" },
      "restart-audit": { type: "boolean" },
      "no-restart-audit": { type: "boolean" }
    },
    strict: true
  })
  if (values.help) return "help"
  const quick = values.quick === true
  const available: ReadonlyArray<Tool> = wrkVersion === undefined || quick ? ["autocannon"] : TOOLS
  const tools = distinct(toolsOf(values.tools, available, wrkVersion))
  const connections = connectionsOf(values.connections, quick ? "50" : "100,50")
  const warmupS = wholeNumber("warmup-s", values["warmup-s"], quick ? 0 : 2, 0)
  const durationS = wholeNumber("duration-s", values["duration-s"], quick ? 2 : 5, 1)
  const targets = distinct(listOf("targets", values.targets, TARGETS, TARGETS))
  const restartAudit = values["no-restart-audit"] === true ? false : (values["restart-audit"] ?? !quick)
  const runs = connections.length * tools.length * targets.length
  // Per run: warm-up, measurement, SKU setup, audit and settling; plus starts, sign-ups and the restart audit.
  const plannedMs = runs * (warmupS + durationS + 2) * 1000 + 60_000 + (restartAudit ? 60_000 : 0)
  return {
    quick,
    connections,
    tools,
    targets,
    warmupS,
    durationS,
    users: wholeNumber("users", values.users, quick ? 10 : 100, 1),
    stock: wholeNumber("stock", values.stock, 10_000_000, 1),
    pgPool: wholeNumber("pg-pool", values["pg-pool"], 10, 1),
    wrkThreads: wholeNumber("wrk-threads", values["wrk-threads"], 1, 1),
    restartAudit,
    databaseUrl: env["DATABASE_URL"] || "postgres://postgres@127.0.0.1:5432/test",
    redisUrl: env["REDIS_URL"] || "redis://127.0.0.1:6379",
    ...runLimitsOf(values, plannedMs)
  }
}

// ---------------------------------------------------------------- processes

/** Drops this run's schemas and keys; set while a run is under way, so that an interrupted run cleans up too. */
let cleanupOnExit: (() => Promise<void>) | undefined
let interrupted = false


// ---------------------------------------------------------------- CPU accounting

/** CPU seconds a storage backend has used so far (Redis: its own counters; Postgres: the backends of one application_name). */
type BackendCpu = () => Promise<number | undefined>

const redisCpu = (redis: Redis): BackendCpu => async () => {
  const info = await redis.info("cpu")
  const user = Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1])
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1])
  return Number.isFinite(user) && Number.isFinite(sys) ? user + sys : undefined
}

const postgresCpu = (admin: PgPool, applicationName: string): BackendCpu => async () => {
  const { rows } = await admin.query({ text: "SELECT pid FROM pg_stat_activity WHERE application_name = $1", values: [applicationName] })
  let sum = 0
  for (const row of rows) sum += processCpuS(Number(row["pid"])) ?? 0
  return rows.length === 0 ? undefined : sum
}

interface CpuUse {
  /** CPU of the server process over the interval, in cores (1 = one core fully busy). */
  readonly serverCores: number | undefined
  /** CPU of its storage (Redis process, Postgres backends) over the interval, in cores. */
  readonly backendCores: number | undefined
  /** Busy share of all the machine's cores (server, storage, load generator, everything else). */
  readonly machineBusyShare: number | undefined
}

const cpuWindow = async (pid: number, backends: ReadonlyArray<BackendCpu>): Promise<{ end: () => Promise<CpuUse> }> => {
  const backend = async () => {
    let sum = 0
    for (const b of backends) {
      const s = await b().catch(() => undefined)
      if (s === undefined) return undefined
      sum += s
    }
    return sum
  }
  const backend0 = backends.length === 0 ? undefined : await backend()
  const t0 = performance.now()
  const window = processCpuWindow(pid)
  return {
    end: async () => {
      const seconds = (performance.now() - t0) / 1000
      const { serverCores, machineBusyShare } = window.end()
      const backend1 = backends.length === 0 ? undefined : await backend()
      return {
        serverCores,
        backendCores: backend0 === undefined || backend1 === undefined ? undefined : Math.max(0, backend1 - backend0) / seconds,
        machineBusyShare
      }
    }
  }
}

// ---------------------------------------------------------------- load generators

/** What one load-generator run measured. */
export interface LoadResult extends LoadTimings {
  /** 2xx answers: acknowledged reservations. */
  readonly ok: number
  readonly non2xx: number
  /** Status → count, where the tool reports it (autocannon). */
  readonly statuses: Readonly<Record<string, number>> | undefined
  /** Connection, read, write errors and timeouts. */
  readonly errors: number
  readonly timeouts: number
  /** Requests written. */
  readonly sent: number
  /** Written but never answered (cut off at the end, timed out, reset): the server may or may not have done them. */
  readonly unanswered: number
}

interface LoadJob {
  /** `http://127.0.0.1:<port>` */
  readonly base: string
  readonly path: string
  readonly tokensFile: string
  readonly connections: number
  readonly durationS: number
}

const BODY = JSON.stringify({ quantity: 1 })

/**
 * wrk rotates the users' tokens through prebuilt requests (built once in init, so the per-request
 * cost is a table lookup), counts the requests it writes (to know how many went unanswered at the
 * end) and prints its summary as one JSON line. No response() callback: it would slow wrk down;
 * `errors.status` counts answers ≥ 400.
 */
const WRK_SCRIPT = `
local threads = {}
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  local path = os.getenv("HOTSKU_PATH")
  local body = '${BODY}'
  prebuilt = {}
  for line in io.lines(os.getenv("HOTSKU_TOKENS")) do
    if line ~= "" then
      prebuilt[#prebuilt + 1] = wrk.format("POST", path, { ["Authorization"] = "Bearer " .. line, ["Content-Type"] = "application/json" }, body)
    end
  end
  n = #prebuilt
  i = (offset * 7) % n
  sent = 0
end
function request()
  i = i + 1
  if i > n then i = 1 end
  sent = sent + 1
  return prebuilt[i]
end
function done(summary, latency, requests)
  local written = 0
  for _, t in ipairs(threads) do written = written + t:get("sent") end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"sent":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%.1f,"p99Us":%.1f,"meanUs":%.1f,"maxUs":%.1f}\\n',
    summary.requests, written, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max))
end
`

const runWrk = async (script: string, job: LoadJob, threads: number): Promise<LoadResult> => {
  const s = await runWrkScript<WrkSummary & { readonly sent: number }>({
    script,
    url: `${job.base}/`,
    connections: job.connections,
    threads,
    seconds: job.durationS,
    env: { HOTSKU_PATH: job.path, HOTSKU_TOKENS: job.tokensFile }
  })
  return {
    ok: s.requests - s.status,
    non2xx: s.status,
    statuses: undefined,
    errors: wrkErrors(s),
    timeouts: s.timeout,
    sent: s.sent,
    unanswered: Math.max(0, s.sent - s.requests),
    ...wrkTimings(s)
  }
}

/** The autocannon driver (this file with --autocannon-driver): each job posts reservations, rotating the users' tokens. */
const autocannonDriverMain = () =>
  serveAutocannonJobs<LoadJob, LoadResult>(async (job, run) => {
    const tokens = readFileSync(job.tokensFile, "utf8").split("\n").filter((t) => t !== "")
    // One prebuilt request per user; each connection cycles through them.
    const requests = tokens.map((token) => ({
      method: "POST" as const,
      path: job.path,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: BODY
    }))
    const latency = new Histogram()
    const statuses: Record<string, number> = {}
    const r = await run({ url: job.base, connections: job.connections, duration: job.durationS, timeout: 5, requests }, (status, ms) => {
      statuses[status] = (statuses[status] ?? 0) + 1
      if (status >= 200 && status < 300) latency.record(ms)
    })
    const answered = r["2xx"] + r.non2xx
    const sent = (r.requests as unknown as { sent: number }).sent
    return {
      ok: r["2xx"],
      non2xx: r.non2xx,
      statuses,
      errors: r.errors,
      timeouts: r.timeouts,
      sent,
      unanswered: Math.max(0, sent - answered),
      ...autocannonTimings(r, latency)
    }
  })


// ---------------------------------------------------------------- HTTP helpers

const httpJson = (url: string, init?: { method?: string; token?: string; body?: unknown }): Promise<{ status: number; body: unknown }> => {
  const headers: Record<string, string> = {}
  if (init?.token !== undefined) headers["authorization"] = `Bearer ${init.token}`
  if (init?.body !== undefined) headers["content-type"] = "application/json"
  return fetchJson(
    url,
    {
      method: init?.method ?? (init?.body === undefined ? "GET" : "POST"),
      headers,
      ...(init?.body === undefined ? {} : { body: JSON.stringify(init.body) })
    },
    15_000
  )
}

const expectStatus = (what: string, reply: { status: number; body: unknown }, ...ok: Array<number>) => {
  if (!ok.includes(reply.status)) throw new Error(`${what} answered ${reply.status}: ${JSON.stringify(reply.body).slice(0, 400)}`)
  return reply.body
}

/** Run `f` over `items` with at most `limit` at a time. */
const inBatches = async <A, B>(items: ReadonlyArray<A>, limit: number, f: (a: A, i: number) => Promise<B>): Promise<Array<B>> => {
  const out: Array<B> = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await f(items[i]!, i)
      }
    })
  )
  return out
}

// ---------------------------------------------------------------- targets

/** What a target's storage says about one SKU. */
interface SkuCount {
  readonly stock: number
  /** stock − available. */
  readonly reserved: number
  /** Independent count of what was written (baselines: reservation rows / stream entries); undefined for the store. */
  readonly records: number | undefined
}

interface Target {
  readonly id: TargetId
  readonly label: string
  server: RunningServer
  readonly tokensFile: string
  readonly backendCpu: ReadonlyArray<BackendCpu>
  /** Register the SKU with `stock` units, available at once. */
  readonly prepareSku: (sku: string, stock: number) => Promise<void>
  readonly count: (sku: string) => Promise<SkuCount>
  /** Stores only: SIGKILL, start again on the same storage. */
  readonly restart?: (signal: NodeJS.Signals) => Promise<void>
}

const base = (server: RunningServer) => `http://127.0.0.1:${server.port}`

interface StoreContext {
  readonly scratch: string
  readonly admin: { readonly email: string; readonly password: string }
  readonly users: number
  readonly profile: { readonly dir: string; readonly bundle: string } | undefined
}

const storeEnv = (ctx: StoreContext, storage: Record<string, string>): NodeJS.ProcessEnv => ({
  ...process.env,
  HOST: "127.0.0.1",
  PORT: "0",
  RATE_LIMITS: "off",
  PASSWORD_HASH_LOG_N: "12",
  // An empty store, without npm start's demo catalog (it only slows the start).
  DEMO_CATALOG: "off",
  // Holds must not expire before the final audit reads them.
  RESERVATION_TTL_MS: String(60 * 60_000),
  ADMIN_EMAIL: ctx.admin.email,
  ADMIN_PASSWORD: ctx.admin.password,
  // Never reach a Redis or Postgres of the environment other than the one given.
  REDIS_URL: "",
  DATABASE_URL: "",
  ...storage
})

/**
 * Under --profile-dir the store runs from an esbuild bundle with a source map (`store.mjs` in that
 * directory, packages left external and resolved through a link to node_modules): profiles taken
 * under tsx point at whitespace-minified code, a bundle's lines map back to the sources.
 */
const storeBundle = async (profileDir: string): Promise<string> => {
  const outfile = path.join(profileDir, "store.mjs")
  mkdirSync(profileDir, { recursive: true })
  if (!existsSync(path.join(profileDir, "node_modules"))) symlinkSync(path.resolve("node_modules"), path.join(profileDir, "node_modules"), "dir")
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

const startStore = (id: TargetId, env: NodeJS.ProcessEnv, profile: { readonly dir: string; readonly bundle: string } | undefined) =>
  startServer(
    id,
    profile === undefined ? ["--import", "tsx", "gateway/main.ts"] : ["--cpu-prof", "--cpu-prof-interval", "250", "--cpu-prof-dir", profile.dir, profile.bundle],
    env,
    /^store listening on http:\/\/[^:]+:(\d+)/,
    120_000
  )

const SELLER_ID = "s_hotsku_bench"

/** The store, started with `storage`; users signed up, admin logged in. */
const storeTarget = async (id: TargetId, ctx: StoreContext, storage: Record<string, string>, backendCpu: ReadonlyArray<BackendCpu>): Promise<Target> => {
  const env = storeEnv(ctx, storage)
  const server = await startStore(id, env, ctx.profile)
  let adminToken = ""
  const login = async (srv: RunningServer) => {
    const body = expectStatus(`${id} POST /v1/auth/login (admin)`, await httpJson(`${base(srv)}/v1/auth/login`, { body: { email: ctx.admin.email, password: ctx.admin.password } }), 200, 201)
    adminToken = (body as { token: string }).token
  }
  await login(server)
  const tag = randomBytes(4).toString("hex")
  const tokens = await inBatches(Array.from({ length: ctx.users }, (_, i) => i), 8, async (i) => {
    const reply = await httpJson(`${base(server)}/v1/auth/signup`, { body: { email: `hotsku-${tag}-${i}@example.com`, password: "bench-password-123", name: `Shopper ${i}` } })
    return (expectStatus(`${id} POST /v1/auth/signup`, reply, 201) as { token: string }).token
  })
  const tokensFile = path.join(ctx.scratch, `${id}-tokens.txt`)
  writeFileSync(tokensFile, tokens.join("\n") + "\n")
  const target: Target = {
    id,
    label: labels[id],
    server,
    tokensFile,
    backendCpu,
    prepareSku: async (sku, stock) => {
      const at = base(target.server)
      expectStatus(`${id} POST /v1/admin/skus`, await httpJson(`${at}/v1/admin/skus`, { token: adminToken, body: { sku_id: sku, seller_id: SELLER_ID } }), 200, 201)
      expectStatus(
        `${id} POST /v1/seller/inventory`,
        await httpJson(`${at}/v1/seller/inventory`, { token: adminToken, body: { sku_id: sku, warehouse_id: "wh_main", on_hand: stock } }),
        200,
        201
      )
    },
    count: async (sku) => {
      const body = expectStatus(`${id} GET /v1/skus/${sku}/stock`, await httpJson(`${base(target.server)}/v1/skus/${sku}/stock`, { token: adminToken }), 200) as {
        available_quantity: number
      }
      const stock = stockOf.get(`${id}|${sku}`)!
      return { stock, reserved: stock - body.available_quantity, records: undefined }
    },
    restart: async (signal) => {
      await stop(target.server.child, 30_000, signal)
      target.server = await startStore(id, env, ctx.profile)
      await login(target.server)
    }
  }
  return target
}

/** Stock each SKU was given, per target (the store's stock read answers only what is available). */
const stockOf = new Map<string, number>()

interface BaselineContext {
  readonly tokensFile: string
  readonly databaseUrl: string
  readonly redisUrl: string
  readonly pgPool: number
}

const postgresTarget = async (ctx: BaselineContext, admin: PgPool, schema: string, schemaUrl: string, applicationName: string): Promise<Target> => {
  const server = await startServer(
    "postgres baseline",
    ["--import", "tsx", "loadtest/baselines/reserve-server.ts"],
    { ...process.env, MODE: "postgres", PORT: "0", TOKENS_FILE: ctx.tokensFile, DATABASE_URL: schemaUrl, PG_POOL: String(ctx.pgPool), PG_APPLICATION_NAME: applicationName },
    /^listening (\d+)/,
    120_000
  )
  return {
    id: "postgres",
    label: labels.postgres,
    server,
    tokensFile: ctx.tokensFile,
    backendCpu: [postgresCpu(admin, applicationName)],
    prepareSku: async (sku, stock) => {
      await admin.query({ text: `INSERT INTO ${schema}.stock (sku, on_hand, reserved) VALUES ($1, $2, 0)`, values: [sku, stock] })
    },
    count: async (sku) => {
      const { rows } = await admin.query({
        text: `SELECT s.on_hand, s.reserved, (SELECT coalesce(sum(r.quantity), 0) FROM ${schema}.reservations r WHERE r.sku = s.sku) AS rows_quantity FROM ${schema}.stock s WHERE s.sku = $1`,
        values: [sku]
      })
      const row = rows[0]
      if (row === undefined) throw new Error(`postgres baseline: no stock row for ${sku}`)
      return { stock: Number(row["on_hand"]), reserved: Number(row["reserved"]), records: Number(row["rows_quantity"]) }
    }
  }
}

const redisTarget = async (ctx: BaselineContext, redis: Redis, prefix: string): Promise<Target> => {
  const server = await startServer(
    "redis baseline",
    ["--import", "tsx", "loadtest/baselines/reserve-server.ts"],
    { ...process.env, MODE: "redis", PORT: "0", TOKENS_FILE: ctx.tokensFile, REDIS_URL: ctx.redisUrl, REDIS_PREFIX: prefix },
    /^listening (\d+)/,
    120_000
  )
  return {
    id: "redis",
    label: labels.redis,
    server,
    tokensFile: ctx.tokensFile,
    backendCpu: [redisCpu(redis)],
    prepareSku: async (sku, stock) => {
      await redis.hset(redisKeys(prefix, sku).stock, "on_hand", stock, "reserved", 0)
    },
    count: async (sku) => {
      const keys = redisKeys(prefix, sku)
      const [onHand, reserved] = await redis.hmget(keys.stock, "on_hand", "reserved")
      if (onHand === null) throw new Error(`redis baseline: no stock hash for ${sku}`)
      // 1 unit per request in this benchmark: one stream entry per reserved unit.
      return { stock: Number(onHand), reserved: Number(reserved ?? 0), records: await redis.xlen(keys.events) }
    }
  }
}

// ---------------------------------------------------------------- audit

export interface AuditRow {
  readonly target: TargetId
  readonly sku: string
  readonly phase: "probe" | "warm-up" | "measure"
  /** When it was checked: right after the load run, at the end of the run, after restarting the store. */
  readonly when: "after-run" | "final" | "after-restart"
  readonly stock: number
  readonly acked: number
  readonly unanswered: number
  readonly reserved: number
  readonly records: number | null
  /** reserved = acked: nothing was cut off, or what was cut off was not done. */
  readonly exact: boolean
  readonly ok: boolean
  readonly problems: ReadonlyArray<string>
}

interface SkuLedger {
  readonly target: Target
  readonly sku: string
  readonly phase: AuditRow["phase"]
  readonly acked: number
  readonly unanswered: number
}

/** The invariants of one SKU against what the load tool saw (see the header). */
export const checkSku = (count: SkuCount, acked: number, unanswered: number): ReadonlyArray<string> => {
  const problems: Array<string> = []
  const { stock, reserved, records } = count
  if (!Number.isSafeInteger(reserved) || reserved < 0) problems.push(`reserved ${reserved} is not a count`)
  if (reserved > stock) problems.push(`OVERSOLD: reserved ${reserved} > stock ${stock}`)
  if (reserved < acked) problems.push(`LOST: ${acked} reservations acknowledged, ${reserved} present`)
  if (reserved > acked + unanswered) problems.push(`EXTRA: ${reserved} reserved > ${acked} acknowledged + ${unanswered} unanswered`)
  if (records !== undefined && records !== reserved) problems.push(`counter ${reserved} ≠ ${records} recorded reservations`)
  return problems
}

const audit = async (ledger: SkuLedger, when: AuditRow["when"]): Promise<AuditRow> => {
  const base = { target: ledger.target.id, sku: ledger.sku, phase: ledger.phase, when, acked: ledger.acked, unanswered: ledger.unanswered }
  try {
    const count = await ledger.target.count(ledger.sku)
    const problems = checkSku(count, ledger.acked, ledger.unanswered)
    return { ...base, stock: count.stock, reserved: count.reserved, records: count.records ?? null, exact: count.reserved === ledger.acked, ok: problems.length === 0, problems }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { ...base, stock: 0, reserved: 0, records: null, exact: false, ok: false, problems: [`could not read: ${message}`] }
  }
}

// ---------------------------------------------------------------- the run

export interface Measurement {
  readonly tool: Tool
  readonly connections: number
  readonly target: TargetId
  readonly label: string
  readonly sku: string
  /** Acknowledged (2xx) reservations per second over the measured interval. */
  readonly reservationsPerS: number
  readonly result: LoadResult
  readonly cpu: CpuUse
  /** Server CPU per acknowledged reservation (µs); storage CPU added in the next column. */
  readonly serverCpuUsPerReservation: number | undefined
  readonly totalCpuUsPerReservation: number | undefined
  readonly loadAverage1m: number
  readonly audit: AuditRow
}

export interface Ratio {
  readonly tool: Tool
  readonly connections: number
  readonly store: TargetId
  readonly storePerS: number
  readonly storeP99Ms: number
  readonly vsPostgres: number | undefined
  readonly vsRedis: number | undefined
  /** Baseline CPU (server + storage) per reservation over the store's: the ratio if each had the machine to itself. Context, not the goal. */
  readonly cpuNormalizedVsPostgres: number | undefined
  readonly cpuNormalizedVsRedis: number | undefined
  readonly meets: { readonly vsPostgres: boolean | undefined; readonly vsRedis: boolean | undefined; readonly p99: boolean }
}

export interface HotSkuReport {
  readonly kind: "hot-sku-bench"
  readonly startedAt: string
  readonly finishedAt: string
  readonly options: HotSkuBenchOptions
  readonly machine: MachineInfo
  readonly durability: {
    readonly redis: RedisFacts | null
    readonly postgres: { readonly synchronousCommit: string; readonly fsync: string } | null
  }
  readonly servers: ReadonlyArray<{ readonly target: TargetId; readonly pid: number; readonly port: number; readonly startMs: number }>
  readonly rows: ReadonlyArray<Measurement>
  readonly ratios: ReadonlyArray<Ratio>
  /** Per tool and store mode: every goal met at GOALS.atConnections (undefined when not measured there). */
  readonly goals: ReadonlyArray<{ readonly tool: Tool; readonly store: TargetId; readonly met: boolean | undefined }>
  readonly audits: ReadonlyArray<AuditRow>
  readonly auditPassed: boolean
  readonly warnings: ReadonlyArray<string>
}

const costOf = (m: Measurement) => m.totalCpuUsPerReservation

export const ratiosOf = (rows: ReadonlyArray<Measurement>): Array<Ratio> => {
  const out: Array<Ratio> = []
  const keys = [...new Set(rows.map((r) => `${r.tool}|${r.connections}`))]
  for (const key of keys) {
    const same = rows.filter((r) => `${r.tool}|${r.connections}` === key)
    const find = (id: TargetId) => same.find((r) => r.target === id)
    const pg = find("postgres")
    const redis = find("redis")
    for (const storeId of STORE_TARGETS) {
      const store = find(storeId)
      if (store === undefined) continue
      const over = (b: Measurement | undefined) => (b === undefined || b.reservationsPerS === 0 ? undefined : store.reservationsPerS / b.reservationsPerS)
      const costOver = (b: Measurement | undefined) => {
        const bc = b === undefined ? undefined : costOf(b)
        const sc = costOf(store)
        return bc === undefined || sc === undefined || sc === 0 ? undefined : bc / sc
      }
      const vsPostgres = over(pg)
      const vsRedis = over(redis)
      out.push({
        tool: store.tool,
        connections: store.connections,
        store: storeId,
        storePerS: store.reservationsPerS,
        storeP99Ms: store.result.p99Ms,
        vsPostgres,
        vsRedis,
        cpuNormalizedVsPostgres: costOver(pg),
        cpuNormalizedVsRedis: costOver(redis),
        meets: {
          vsPostgres: vsPostgres === undefined ? undefined : vsPostgres >= GOALS.vsPostgres,
          vsRedis: vsRedis === undefined ? undefined : vsRedis >= GOALS.vsRedis,
          p99: store.result.p99Ms <= GOALS.p99Ms
        }
      })
    }
  }
  return out
}

const goalsOf = (ratios: ReadonlyArray<Ratio>, tools: ReadonlyArray<Tool>, stores: ReadonlyArray<TargetId>) =>
  tools.flatMap((tool) =>
    stores.map((store) => {
      const r = ratios.find((x) => x.tool === tool && x.store === store && x.connections === GOALS.atConnections)
      const verdicts = r === undefined ? [undefined] : [r.meets.vsPostgres, r.meets.vsRedis, r.meets.p99]
      return { tool, store, met: verdicts.some((v) => v === undefined) ? undefined : verdicts.every((v) => v === true) }
    })
  )

// ---------------------------------------------------------------- printing

const measurementTable = (rows: ReadonlyArray<Measurement>) =>
  table(
    ["tool", "conns", "target", "resv/s", "p50 ms", "p99 ms", "non-2xx", "errors", "unansw", "server CPU", "db CPU", "µs/resv srv", "µs/resv +db", "busy", "load", "audit"],
    [10, 5, 16, 8, 7, 7, 7, 6, 6, 10, 6, 11, 11, 4, 5, 5],
    new Set([0, 2]),
    rows.map((r) => [
      r.tool,
      String(r.connections),
      r.label,
      thousands(r.reservationsPerS),
      fixed(r.result.p50Ms, 2),
      fixed(r.result.p99Ms, 2),
      String(r.result.non2xx),
      String(r.result.errors),
      String(r.result.unanswered),
      r.cpu.serverCores === undefined ? "-" : `${fixed(r.cpu.serverCores * 100, 0)}%`,
      r.cpu.backendCores === undefined ? "-" : `${fixed(r.cpu.backendCores * 100, 0)}%`,
      fixed(r.serverCpuUsPerReservation, 1),
      fixed(r.totalCpuUsPerReservation, 1),
      pct(r.cpu.machineBusyShare),
      fixed(r.loadAverage1m, 1),
      r.audit.ok ? "ok" : "FAIL"
    ])
  )

const ratioTable = (ratios: ReadonlyArray<Ratio>) =>
  table(
    ["tool", "conns", "store", "store resv/s", "/ (a) pg", `≥ ${GOALS.vsPostgres}×`, "/ (b) redis", `≥ ${GOALS.vsRedis}×`, "p99 ms", `≤ ${GOALS.p99Ms}`, "CPU-norm: / (a)", "/ (b)"],
    [10, 5, 16, 12, 8, 5, 11, 6, 7, 5, 15, 5],
    new Set([0, 2]),
    ratios.map((r) => [
      r.tool,
      String(r.connections),
      labels[r.store],
      thousands(r.storePerS),
      fixed(r.vsPostgres, 2),
      yes(r.meets.vsPostgres),
      fixed(r.vsRedis, 2),
      yes(r.meets.vsRedis),
      fixed(r.storeP99Ms, 2),
      yes(r.meets.p99),
      fixed(r.cpuNormalizedVsPostgres, 2),
      fixed(r.cpuNormalizedVsRedis, 2)
    ])
  )

const auditLine = (a: AuditRow) =>
  `${a.ok ? "ok  " : "FAIL"} ${a.when.padEnd(13)} ${labels[a.target].padEnd(16)} ${a.phase.padEnd(7)} ${a.sku}: stock ${a.stock}, acked ${a.acked}, unanswered ${a.unanswered}, reserved ${a.reserved}` +
  `${a.records === null ? "" : `, records ${a.records}`}${a.exact ? " (exact)" : ""}${a.problems.length > 0 ? ` — ${a.problems.join("; ")}` : ""}`

// ---------------------------------------------------------------- main

const schemaUrl = (databaseUrl: string, schema: string, applicationName: string): string => {
  const url = new URL(databaseUrl)
  url.searchParams.set("options", `-c search_path=${schema},public`)
  url.searchParams.set("application_name", applicationName)
  return url.toString()
}

/** Check the route's contract once per target with one reservation (kept, and audited, on its own SKU). */
const probe = async (target: Target, sku: string): Promise<number> => {
  const token = readFileSync(target.tokensFile, "utf8").split("\n")[0]!
  const reply = await httpJson(`${base(target.server)}/v1/skus/${sku}/reservations`, { token, body: { quantity: 1 } })
  const body = expectStatus(`${target.id} POST /v1/skus/${sku}/reservations`, reply, 201) as Record<string, unknown>
  for (const field of ["reservation_id", "sku_id", "quantity", "status", "expires_at"]) {
    if (!(field in body)) throw new Error(`${target.id}: the 201 body has no "${field}": ${JSON.stringify(body)}`)
  }
  if (body["sku_id"] !== sku || body["quantity"] !== 1) throw new Error(`${target.id}: unexpected 201 body ${JSON.stringify(body)}`)
  return 1
}

const main = async (options: HotSkuBenchOptions, wrkVersion: string | undefined): Promise<number> => {
  const startedAt = new Date()
  const loadAverageBefore = os.loadavg()
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`
  const scratch = mkdtempSync(path.join(os.tmpdir(), "hot-sku-bench-"))
  const wrkScript = path.join(scratch, "reserve.lua")
  writeFileSync(wrkScript, WRK_SCRIPT)
  const wanted = new Set(options.targets)
  const needsPostgres = wanted.has("postgres") || wanted.has("store-production")
  const needsRedis = wanted.has("redis") || wanted.has("store-production")
  const baselineSchema = `hotsku_${runId}_base`
  const storeSchema = `hotsku_${runId}_store`
  const baselinePrefix = `bench:hotsku:${runId}-base`
  const storePrefix = `bench:hotsku:${runId}-store`
  const warnings: Array<string> = []
  const targets: Array<Target> = []
  let admin: PgPool | undefined
  let redis: Redis | undefined
  let driver: AutocannonDriver<LoadJob, LoadResult> | undefined
  const schemasCreated: Array<string> = []

  const dropSchema = async (pool: PgPool, schema: string) => {
    // A server still finishing a request may hold a lock the DROP needs (deadlock, 40P01): try again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await pool.query({ text: `DROP SCHEMA IF EXISTS ${schema} CASCADE` })
      } catch (error) {
        if (attempt >= 5) return console.error(`could not drop schema ${schema}:`, error instanceof Error ? error.message : error)
        await sleep(500)
      }
    }
  }
  let cleaning: Promise<void> | undefined
  /** Once, whoever asks first (the end of the run, the watchdog, an interrupt). */
  const cleanupStorage = () =>
    (cleaning ??= (async () => {
      if (admin !== undefined) {
        for (const schema of schemasCreated) await dropSchema(admin, schema)
        await admin.end().catch(() => undefined)
      }
      if (redis !== undefined) {
        for (const prefix of [baselinePrefix, storePrefix]) await deletePrefix(redis, prefix).catch((e: unknown) => console.error(`delete ${prefix}:*:`, e))
        await closeRedis(redis)
      }
      rmSync(scratch, { recursive: true, force: true })
    })())

  cleanupOnExit = cleanupStorage
  const watchdog = armWatchdog(options.maxRunMs, cleanupStorage, 500)

  const rows: Array<Measurement> = []
  const audits: Array<AuditRow> = []
  const ledgers: Array<SkuLedger> = []
  let redisDurability: RedisFacts | null = null
  let postgresDurability: { synchronousCommit: string; fsync: string } | null = null
  try {
    // Storage first: schemas and prefixes of this run only.
    if (needsPostgres) {
      admin = pgPool({ connectionString: options.databaseUrl, max: 3, idleTimeoutMillis: 0, application_name: `hotsku-${runId}-admin` })
      admin.on("error", (e) => console.error(`postgres (bench): ${e.message}`))
      const show = async (name: string) => String((await admin!.query({ text: `SHOW ${name}` })).rows[0]?.[name] ?? "unknown")
      postgresDurability = { synchronousCommit: await show("synchronous_commit"), fsync: await show("fsync") }
    }
    if (needsRedis) {
      redis = await connectRedis(options.redisUrl)
      redisDurability = await redisFacts(redis)
    }
    const profile = options.profileDir === undefined ? undefined : { dir: options.profileDir, bundle: await storeBundle(options.profileDir) }
    const ctx: StoreContext = { scratch, admin: { email: `admin-${runId}@example.com`, password: randomBytes(12).toString("hex") }, users: options.users, profile }
    const baselineTokens = path.join(scratch, "baseline-tokens.txt")
    writeFileSync(baselineTokens, Array.from({ length: options.users }, () => randomBytes(32).toString("base64url")).join("\n") + "\n")
    const bctx: BaselineContext = { tokensFile: baselineTokens, databaseUrl: options.databaseUrl, redisUrl: options.redisUrl, pgPool: options.pgPool }

    const starting: Array<Promise<Target>> = []
    if (wanted.has("store-embedded")) starting.push(storeTarget("store-embedded", ctx, { DATA_DIR: path.join(scratch, "store-data") }, []))
    if (wanted.has("store-production")) {
      // pg_trgm is database-wide: made sure of in public under the store's migration lock (other runs migrate concurrently).
      // One multi-statement query: a pool may run separate queries on separate connections.
      await admin!.query({
        text: `BEGIN; SELECT pg_advisory_xact_lock(${BigInt(migrationLockKey)}::bigint); CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public; COMMIT`
      })
      await admin!.query({ text: `CREATE SCHEMA ${storeSchema}` })
      schemasCreated.push(storeSchema)
      const applicationName = `hotsku-${runId}-store`
      starting.push(
        storeTarget(
          "store-production",
          ctx,
          { REDIS_URL: options.redisUrl, REDIS_PREFIX: storePrefix, DATABASE_URL: schemaUrl(options.databaseUrl, storeSchema, applicationName) },
          [redisCpu(redis!), postgresCpu(admin!, applicationName)]
        )
      )
    }
    if (wanted.has("postgres")) {
      await admin!.query({ text: `CREATE SCHEMA ${baselineSchema}` })
      schemasCreated.push(baselineSchema)
      // The admin pool has several connections: its queries name the schema instead of setting a search_path.
      const qualified = postgresTables.replace(/CREATE TABLE (\w+)/g, `CREATE TABLE ${baselineSchema}.$1`)
      await admin!.query({ text: qualified })
      const applicationName = `hotsku-${runId}-base`
      starting.push(postgresTarget(bctx, admin!, baselineSchema, schemaUrl(options.databaseUrl, baselineSchema, applicationName), applicationName))
    }
    if (wanted.has("redis")) starting.push(redisTarget(bctx, redis!, baselinePrefix))
    const settled = await Promise.allSettled(starting)
    for (const s of settled) if (s.status === "fulfilled") targets.push(s.value)
    const failedStart = settled.find((s) => s.status === "rejected")
    if (failedStart !== undefined) throw (failedStart as PromiseRejectedResult).reason
    // In the order asked for, whatever order they came up in.
    targets.sort((a, b) => options.targets.indexOf(a.id) - options.targets.indexOf(b.id))
    for (const t of targets) console.log(`${t.label}: pid ${t.server.pid}, port ${t.server.port}, up in ${t.server.startMs} ms`)

    let skuSeq = 0
    const newSku = async (target: Target) => {
      const sku = `sku_hot_${runId}_${++skuSeq}`
      stockOf.set(`${target.id}|${sku}`, options.stock)
      await target.prepareSku(sku, options.stock)
      return sku
    }
    // The contract, once per target.
    for (const target of targets) {
      const sku = await newSku(target)
      const ledger: SkuLedger = { target, sku, phase: "probe", acked: await probe(target, sku), unanswered: 0 }
      ledgers.push(ledger)
      audits.push(await audit(ledger, "after-run"))
    }

    if (options.tools.includes("autocannon")) driver = await AutocannonDriver.start<LoadJob, LoadResult>(thisFile)
    const load = (tool: Tool, job: LoadJob) => (tool === "wrk" ? runWrk(wrkScript, job, options.wrkThreads) : driver!.run(job))

    console.log("")
    console.log(measurementTable([]))
    let round = 0
    for (const connections of options.connections) {
      for (const tool of options.tools) {
        // Alternate the order of the targets, so a drift of the machine's load does not always favour the same one.
        const order = round++ % 2 === 0 ? targets : [...targets].reverse()
        for (const target of order) {
          const job = (sku: string, durationS: number): LoadJob => ({
            base: base(target.server),
            path: `/v1/skus/${sku}/reservations`,
            tokensFile: target.tokensFile,
            connections,
            durationS
          })
          if (options.warmupS > 0) {
            const warmSku = await newSku(target)
            const warm = await load(tool, job(warmSku, options.warmupS))
            const ledger: SkuLedger = { target, sku: warmSku, phase: "warm-up", acked: warm.ok, unanswered: warm.unanswered }
            ledgers.push(ledger)
            await sleep(200)
            audits.push(await audit(ledger, "after-run"))
          }
          const sku = await newSku(target)
          const window = await cpuWindow(target.server.pid, target.backendCpu)
          const result = await load(tool, job(sku, options.durationS))
          const cpu = await window.end()
          const loadAverage1m = os.loadavg()[0]!
          const ledger: SkuLedger = { target, sku, phase: "measure", acked: result.ok, unanswered: result.unanswered }
          ledgers.push(ledger)
          // Let requests the tool cut off finish on the server before reading the counters.
          await sleep(200)
          const checked = await audit(ledger, "after-run")
          audits.push(checked)
          const reservationsPerS = result.elapsedS > 0 ? result.ok / result.elapsedS : 0
          const perReservation = (cores: number | undefined) => (cores === undefined || result.ok === 0 ? undefined : (cores * result.elapsedS * 1e6) / result.ok)
          const row: Measurement = {
            tool,
            connections,
            target: target.id,
            label: target.label,
            sku,
            reservationsPerS,
            result,
            cpu,
            serverCpuUsPerReservation: perReservation(cpu.serverCores),
            totalCpuUsPerReservation:
              cpu.serverCores === undefined
                ? undefined
                : target.backendCpu.length === 0
                  ? perReservation(cpu.serverCores)
                  : cpu.backendCores === undefined
                    ? undefined
                    : perReservation(cpu.serverCores + cpu.backendCores),
            loadAverage1m,
            audit: checked
          }
          rows.push(row)
          console.log(measurementTable([row]).split("\n")[1])
          if (result.non2xx > 0 || result.errors > 0) {
            const statuses = result.statuses === undefined ? "" : ` (statuses ${JSON.stringify(result.statuses)})`
            warnings.push(`${tool} ${connections} ${target.label}: ${result.non2xx} non-2xx answers, ${result.errors} errors${statuses}`)
          }
          if (isStore(target.id) && result.ok + result.unanswered >= skuLimits.maxLiveHolds * 0.9) {
            warnings.push(
              `${tool} ${connections} ${target.label}: ${result.ok} holds on one SKU, near the store's cap of ${skuLimits.maxLiveHolds} live holds per SKU (too_many_holds beyond it); shorten --duration-s`
            )
          }
          await sleep(300)
        }
      }
    }

    // The final audit: every SKU of every target, read again after all the load.
    await sleep(500)
    for (const ledger of ledgers) audits.push(await audit(ledger, "final"))
    if (options.restartAudit) {
      for (const target of targets) {
        if (target.restart === undefined) continue
        const began = performance.now()
        // SIGKILL: nothing is flushed on the way out, so only what was durable when acknowledged comes back.
        // Under --profile-dir the profile is wanted, so the store is stopped gracefully instead.
        await target.restart(options.profileDir === undefined ? "SIGKILL" : "SIGTERM")
        console.log(`${target.label}: restarted (pid ${target.server.pid}) in ${Math.round(performance.now() - began)} ms`)
        for (const ledger of ledgers.filter((l) => l.target === target)) audits.push(await audit(ledger, "after-restart"))
      }
    }

    const auditPassed = audits.length > 0 && audits.every((a) => a.ok)
    const ratios = ratiosOf(rows)
    const stores = options.targets.filter(isStore)
    const goals = goalsOf(ratios, options.tools, stores)
    const report: HotSkuReport = {
      ...reportHeader("hot-sku-bench", startedAt, options, wrkVersion, loadAverageBefore),
      durability: { redis: redisDurability, postgres: postgresDurability },
      servers: targets.map((t) => ({ target: t.id, pid: t.server.pid, port: t.server.port, startMs: t.server.startMs })),
      rows,
      ratios,
      goals,
      audits,
      auditPassed,
      warnings
    }
    const file = writeReport(options.reportDir, "hot-sku", startedAt, report)

    printTables(measurementTable(rows), ratioTable(ratios))
    for (const g of goals) {
      console.log(
        `goals (${g.tool}, ${labels[g.store]}, ${GOALS.atConnections} connections: ≥ ${GOALS.vsPostgres}× (a), ≥ ${GOALS.vsRedis}× (b), p99 ≤ ${GOALS.p99Ms} ms): ${g.met === undefined ? "not evaluated" : g.met ? "met" : "MISSED"}`
      )
    }
    console.log("")
    const passedCount = audits.filter((a) => a.ok).length
    const restarted = options.restartAudit && targets.some((t) => t.restart !== undefined)
    console.log(`audit: ${passedCount}/${audits.length} checks passed (${ledgers.length} SKUs; after each run, at the end${restarted ? ", after SIGKILL + restart of each store" : ""})`)
    for (const a of audits.filter((x) => !x.ok)) console.log(`  ${auditLine(a)}`)
    const cutOffDone = audits.filter((a) => !a.exact && a.reserved === a.acked + a.unanswered).length
    console.log(
      `  reserved = acked: ${audits.filter((a) => a.exact).length}; reserved = acked + unanswered (every request cut off at the end was done): ${cutOffDone}; in between: ${audits.length - cutOffDone - audits.filter((a) => a.exact).length}`
    )
    for (const w of warnings) console.log(`warning: ${w}`)
    const r = redisDurability
    if (r !== null) console.log(`durability: redis ${r.version} appendonly=${r.appendonly} appendfsync=${r.appendfsync}: a store / redis-baseline ack survives ${r.ackSurvives}`)
    if (postgresDurability !== null) {
      console.log(`durability: postgres synchronous_commit=${postgresDurability.synchronousCommit} fsync=${postgresDurability.fsync} (postgres baseline and store snapshots)`)
    }
    console.log(`${loadAverageLine(report.machine)} (${os.cpus().length} cores)`)
    console.log(`report: ${path.relative(process.cwd(), file)}`)
    if (!auditPassed) {
      console.log("FAILED: the audit found lost, extra or oversold reservations (see above)")
      return 1
    }
    return 0
  } catch (error) {
    if (audits.some((a) => !a.ok)) for (const a of audits.filter((x) => !x.ok)) console.error(auditLine(a))
    throw error
  } finally {
    if (driver !== undefined) await driver.close()
    // Gracefully, so that a store flushes its journal and a --cpu-prof profile is written.
    await Promise.all(targets.map((t) => stop(t.server.child, 30_000)))
    clearTimeout(watchdog)
    await cleanupStorage()
  }
}

const isEntryPoint = process.argv[1] !== undefined && path.resolve(process.argv[1]) === thisFile

if (isEntryPoint && process.argv.includes(AUTOCANNON_DRIVER_FLAG)) {
  void autocannonDriverMain()
} else if (isEntryPoint) {
  exitOnSignals(
    () => (interrupted = true),
    () => cleanupOnExit?.()
  )
  const wrkVersion = wrkInstalled()
  const options = optionsOrExit(() => parseOptions(process.argv.slice(2), wrkVersion), HELP)
  if (wrkVersion === undefined && !options.quick) console.log("wrk is not installed (apt-get install -y wrk): autocannon only, which saturates near 30k requests/s here")
  main(options, wrkVersion).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // An interrupt makes the run fail on its way out; the signal handler reports and exits then.
      if (interrupted) return
      console.error("FAILED:", error instanceof Error ? error.message : error)
      void stopAllThenClean(() => cleanupOnExit?.()).finally(() => process.exit(1))
    }
  )
}
