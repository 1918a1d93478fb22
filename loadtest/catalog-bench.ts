/**
 * Catalog benchmark (issue 5), on a seeded catalog (loadtest/seed, 100,000 products by default)
 * in the store as `npm start` runs it with Redis (journal) + Postgres (snapshots, read models):
 *
 *   product       GET /v1/products/{id} over random ids, against the bare uWS hello-world
 *                 (loadtest/baselines/bare-uws.ts) loaded with the same script in the same run.
 *                 Goal ≥ 60 % of bare uWS.
 *   search        GET /v1/search with a realistic query mix (loadtest/seed/search-mix.ts: brands,
 *                 kinds, typos, filters, sorts, pages) at 20 concurrent clients. Goal p95 ≤ 50 ms.
 *   autocomplete  GET /v1/search/autocomplete with typed prefixes at 20 clients. Goal p95 ≤ 15 ms.
 *   cart          POST /v1/cart/items {sku_id, quantity: 1} (durable writes) spread over 10,000
 *                 signed-up shoppers and random in-stock SKUs. Goal ≥ 10,000 acknowledged adds/s.
 *
 * A part whose route the store does not have (404, absent from /v1/openapi.json) is skipped with
 * a message. Load comes from `wrk` (one thread by default, the other core is the server's), each
 * server and generator in its own process on the loopback interface.
 *
 * Audit (cart): after the measurement, every shopper's cart is read back: the units in all carts
 * must be ≥ the acknowledged adds and ≤ those plus the requests left unanswered at the cut-off;
 * 100 more shoppers add known SKUs one request at a time and their carts must hold exactly what
 * was acknowledged. With --restart-audit (default, off with --quick) the store is then killed
 * with SIGKILL, started again on the same storage, and both checks run again. A failed audit
 * prints FAILED and exits 1; a missed goal is reported, not an exit status.
 *
 *   npm run bench:catalog                 full run (seeds the catalog first when it is missing: minutes)
 *   npm run bench:catalog -- --quick      seconds: 300 products in a scratch schema, 2 s per part
 *   npm run bench:catalog -- --help       every option
 *
 * Storage: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/catalogbench, created when
 * missing) and REDIS_URL (default redis://127.0.0.1:6379) under REDIS_PREFIX (default
 * `catalogbench`), kept between runs so that the catalog is seeded once. With --scratch (implied by
 * --quick) a fresh schema of DATABASE_URL (default database `test`) and a fresh Redis prefix are
 * used and dropped at the end. Writes loadtest/reports/catalog-bench-<timestamp>.json.
 */
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { closeRedis, connectRedis, deletePrefix } from "./bench-redis.ts"
import { pgPool } from "./baselines/reserve-server.ts"
import { wholeNumber, listOf, optionsOrExit, runLimitsOf } from "./lib/cli-options.ts"
import { processCpuWindow } from "./lib/cpu.ts"
import { fetchJson } from "./lib/fetch-json.ts"
import { endAll, exited, exitOnSignals, type RunningServer, sleep, startServer, stop, track } from "./lib/processes.ts"
import { loadAverageLine, type MachineInfo, reportHeader, writeReport } from "./lib/report.ts"
import { fixed, printTables, table, thousands, yes } from "./lib/table.ts"
import { runWrkScript, wrkErrors, wrkInstalled, type WrkSummary } from "./lib/wrk.ts"
import { armWatchdog } from "./lib/watchdog.ts"
import { productAt, productIdAt, type SeedOptions } from "./seed/generate.ts"
import { rngFor } from "./seed/prng.ts"
import { waitForProjections } from "./seed/projection-lag.ts"
import { autocompletePaths, searchPaths } from "./seed/search-mix.ts"
import { spawn } from "node:child_process"

const thisFile = fileURLToPath(import.meta.url)

// ---------------------------------------------------------------- options

const PARTS = ["product", "search", "autocomplete", "cart"] as const
type Part = (typeof PARTS)[number]

export const GOALS = { productVsBareUws: 0.6, searchP95Ms: 50, autocompleteP95Ms: 15, cartAddsPerS: 10_000, searchClients: 20 } as const

export interface CatalogBenchOptions {
  readonly quick: boolean
  readonly parts: ReadonlyArray<Part>
  readonly products: number
  readonly seed: number
  readonly warehouses: number
  readonly warmupS: number
  readonly durationS: number
  /** Connections of the product-read comparison (store and bare uWS alike). */
  readonly productConnections: number
  /** Concurrent clients of search and autocomplete. */
  readonly clients: number
  readonly cartConnections: number
  readonly shoppers: number
  readonly wrkThreads: number
  readonly restartAudit: boolean
  readonly scratch: boolean
  readonly databaseUrl: string
  readonly redisUrl: string
  readonly redisPrefix: string
  readonly reportDir: string
  readonly maxRunMs: number
  readonly profileDir: string | undefined
}

const HELP = `usage: catalog-bench.ts [options]
  --quick                 seconds: 300 products in a scratch schema, 2 s per part, no warm-up, 50 shoppers, no restart audit
  --parts a,b             subset of: ${PARTS.join(", ")}
  --products 100000       catalog size (seeded with loadtest/seed when missing)
  --seed 42 --warehouses 3  the catalog's seed and warehouses (as npm run seed)
  --warmup-s 3            warm-up before each measurement (whole seconds, 0 = none)
  --duration-s 10         length of each measurement (whole seconds)
  --product-connections 50  connections of the product-read comparison (store and bare uWS)
  --clients 20            concurrent clients of search and autocomplete
  --cart-connections 100  connections adding to carts
  --shoppers 10000        signed-up shoppers the adds are spread over
  --wrk-threads 1         wrk threads
  --restart-audit / --no-restart-audit   SIGKILL and restart the store, then audit the carts again (default on, off with --quick)
  --scratch               a fresh schema and Redis prefix, dropped at the end (implied by --quick)
  --report-dir DIR        where the JSON report goes (default loadtest/reports)
  --max-run-ms N          abort (FAILED, exit 1) past this (default: the plan's length plus 90 s; seeding not included)
  --profile-dir DIR       run the store under node --cpu-prof; profile written to DIR when it stops
environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/catalogbench, or …/test with --scratch),
             REDIS_URL (default redis://127.0.0.1:6379), REDIS_PREFIX (default catalogbench), STORE_CURRENCY`

export const parseOptions = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env): CatalogBenchOptions | "help" => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean" },
      parts: { type: "string" },
      products: { type: "string" },
      seed: { type: "string" },
      warehouses: { type: "string" },
      "warmup-s": { type: "string" },
      "duration-s": { type: "string" },
      "product-connections": { type: "string" },
      clients: { type: "string" },
      "cart-connections": { type: "string" },
      shoppers: { type: "string" },
      "wrk-threads": { type: "string" },
      "restart-audit": { type: "boolean" },
      "no-restart-audit": { type: "boolean" },
      scratch: { type: "boolean" },
      "report-dir": { type: "string" },
      "max-run-ms": { type: "string" },
      "profile-dir": { type: "string" },
      help: { type: "boolean" }
    },
    strict: true
  })
  if (values.help === true) return "help"
  const quick = values.quick === true
  const scratch = quick || values.scratch === true
  const parts = listOf("parts", values.parts, PARTS, PARTS)
  const warmupS = wholeNumber("warmup-s", values["warmup-s"], quick ? 0 : 3, 0)
  const durationS = wholeNumber("duration-s", values["duration-s"], quick ? 2 : 10, 1)
  const shoppers = wholeNumber("shoppers", values.shoppers, quick ? 50 : 10_000, 1)
  const restartAudit = values["no-restart-audit"] === true ? false : (values["restart-audit"] ?? !quick)
  // Per part: warm-up, measurement, settling (the product part runs twice: store and bare uWS); sign-ups; audits.
  const plannedMs = parts.length * 2 * (warmupS + durationS + 3) * 1000 + shoppers * 10 + 120_000 + (restartAudit ? 90_000 : 0)
  return {
    quick,
    parts,
    products: wholeNumber("products", values.products, quick ? 300 : 100_000, 1),
    seed: wholeNumber("seed", values.seed, 42, 0),
    warehouses: wholeNumber("warehouses", values.warehouses, 3, 1),
    warmupS,
    durationS,
    productConnections: wholeNumber("product-connections", values["product-connections"], 50, 1),
    clients: wholeNumber("clients", values.clients, GOALS.searchClients, 1),
    cartConnections: wholeNumber("cart-connections", values["cart-connections"], quick ? 20 : 100, 1),
    shoppers,
    wrkThreads: wholeNumber("wrk-threads", values["wrk-threads"], 1, 1),
    restartAudit,
    scratch,
    databaseUrl: env["DATABASE_URL"] || `postgres://postgres@127.0.0.1:5432/${scratch ? "test" : "catalogbench"}`,
    redisUrl: env["REDIS_URL"] || "redis://127.0.0.1:6379",
    redisPrefix: scratch ? `bench:catalog:${Date.now()}-${randomBytes(3).toString("hex")}` : env["REDIS_PREFIX"] || "catalogbench",
    ...runLimitsOf(values, plannedMs)
  }
}

// ---------------------------------------------------------------- storage

interface BenchStorage {
  /** DATABASE_URL for the store (with the scratch schema's search_path). */
  readonly databaseUrl: string
  readonly cleanUp: () => Promise<void>
}

const withDatabase = (url: string, database: string) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/** The kept database (created when missing), or a scratch schema dropped by `cleanUp` with the Redis prefix. */
const prepareStorage = async (options: CatalogBenchOptions): Promise<BenchStorage> => {
  if (!options.scratch) {
    const database = new URL(options.databaseUrl).pathname.slice(1)
    const admin = pgPool({ connectionString: withDatabase(options.databaseUrl, "postgres"), max: 1 })
    try {
      const { rows } = await admin.query({ text: "SELECT 1 FROM pg_database WHERE datname = $1", values: [database] })
      if (rows.length === 0) {
        if (!/^[a-z0-9_]+$/.test(database)) throw new Error(`will not create database "${database}": use [a-z0-9_]`)
        await admin.query({ text: `CREATE DATABASE ${database}`, values: [] })
        console.log(`created database ${database}`)
      }
    } finally {
      await admin.end()
    }
    return { databaseUrl: options.databaseUrl, cleanUp: () => Promise.resolve() }
  }
  const schema = `catalog_bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`
  const admin = pgPool({ connectionString: options.databaseUrl, max: 1 })
  await admin.query({ text: "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public", values: [] }).catch(() => undefined)
  await admin.query({ text: `CREATE SCHEMA ${schema}`, values: [] })
  const url = new URL(options.databaseUrl)
  url.searchParams.set("options", `-c search_path=${schema},public`)
  return {
    databaseUrl: url.toString(),
    cleanUp: async () => {
      await admin.query({ text: `DROP SCHEMA IF EXISTS ${schema} CASCADE`, values: [] }).catch((e: unknown) => console.error(`dropping ${schema}:`, e))
      await admin.end()
      const redis = await connectRedis(options.redisUrl)
      try {
        await deletePrefix(redis, options.redisPrefix)
      } finally {
        await closeRedis(redis)
      }
    }
  }
}

// ---------------------------------------------------------------- processes

const storeEnv = (options: CatalogBenchOptions, storage: BenchStorage): NodeJS.ProcessEnv => ({
  ...process.env,
  HOST: "127.0.0.1",
  PORT: "0",
  DATABASE_URL: storage.databaseUrl,
  REDIS_URL: options.redisUrl,
  REDIS_PREFIX: options.redisPrefix,
  DATA_DIR: "",
  RATE_LIMITS: "off",
  PASSWORD_HASH_LOG_N: "10",
  PASSWORD_HASH_MAX_QUEUED: "256",
  DEMO_CATALOG: "off",
  ADMIN_EMAIL: "",
  ADMIN_PASSWORD: ""
})

const startStore = (options: CatalogBenchOptions, env: NodeJS.ProcessEnv): Promise<RunningServer> => {
  notInterrupted()
  const profiling = options.profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", options.profileDir]
  return startServer("store", [...profiling, "--import", "tsx", "gateway/main.ts"], env, /^store listening on http:\/\/[^:]+:(\d+)/, 180_000)
}

/** `npm run seed` with the store's environment, its progress shown; resolves when it has exited 0. */
const runSeed = (options: CatalogBenchOptions, env: NodeJS.ProcessEnv): Promise<void> =>
  new Promise((resolve, reject) => {
    notInterrupted()
    const args = ["--import", "tsx", "loadtest/seed/cli.ts", "--products", String(options.products), "--seed", String(options.seed), "--warehouses", String(options.warehouses)]
    const child = track(spawn(process.execPath, args, { cwd: path.dirname(path.dirname(thisFile)), env, stdio: ["ignore", "inherit", "inherit"] }))
    child.once("error", reject)
    child.once("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`the seed exited with ${code ?? signal}`))))
  })

const httpJson = (url: string, init?: { method?: string; token?: string; body?: unknown }) =>
  fetchJson(
    url,
    {
      method: init?.method ?? (init?.body === undefined ? "GET" : "POST"),
      headers: {
        ...(init?.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
        ...(init?.body === undefined ? {} : { "content-type": "application/json" })
      },
      ...(init?.body === undefined ? {} : { body: JSON.stringify(init.body) })
    },
    15_000
  )

/** Run `f` over `items`, at most `limit` at a time. */
const inParallel = async <A, B>(items: ReadonlyArray<A>, limit: number, f: (a: A, i: number) => Promise<B>): Promise<Array<B>> => {
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

// ---------------------------------------------------------------- wrk

interface WrkResult extends WrkSummary {
  readonly sent: number
  readonly p95Us: number
}

const WRK_DONE = `
function done(summary, latency, requests)
  local written = 0
  for _, t in ipairs(threads) do written = written + t:get("sent") end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"sent":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%.1f,"p95Us":%.1f,"p99Us":%.1f,"meanUs":%.1f,"maxUs":%.1f}\\n',
    summary.requests, written, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
`

const WRK_SETUP = `
local threads = {}
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
`

/** GETs of random paths from the file BENCH_PATHS (one per line), prebuilt once per thread. */
const WRK_GET_SCRIPT = `${WRK_SETUP}
function init(args)
  prebuilt = {}
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if line ~= "" then prebuilt[#prebuilt + 1] = wrk.format("GET", line) end
  end
  n = #prebuilt
  math.randomseed(7919 * (offset + 1))
  sent = 0
end
function request()
  sent = sent + 1
  return prebuilt[math.random(n)]
end
${WRK_DONE}`

/** POST /v1/cart/items from the file BENCH_ADDS (`token sku_id` per line), in order from a per-thread offset. */
const WRK_CART_SCRIPT = `${WRK_SETUP}
function init(args)
  prebuilt = {}
  for line in io.lines(os.getenv("BENCH_ADDS")) do
    local token, sku = line:match("^(%S+) (%S+)$")
    if token ~= nil then
      prebuilt[#prebuilt + 1] = wrk.format("POST", "/v1/cart/items", { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, '{"sku_id":"' .. sku .. '","quantity":1}')
    end
  end
  n = #prebuilt
  i = (offset * 7919) % n
  sent = 0
end
function request()
  i = i + 1
  if i > n then i = 1 end
  sent = sent + 1
  return prebuilt[i]
end
${WRK_DONE}`

interface Measurement {
  readonly part: Part
  readonly target: "store" | "bare-uws"
  readonly label: string
  readonly connections: number
  readonly requestsPerS: number
  readonly ok: number
  readonly non2xx: number
  readonly errors: number
  readonly sent: number
  readonly unanswered: number
  readonly p50Ms: number
  readonly p95Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  /** CPU of the server process over the interval, in cores. */
  readonly serverCores: number | undefined
  readonly serverCpuUsPerRequest: number | undefined
  readonly machineBusyShare: number | undefined
}

const measure = async (
  part: Part,
  target: Measurement["target"],
  label: string,
  server: RunningServer,
  script: string,
  env: Record<string, string>,
  connections: number,
  options: CatalogBenchOptions,
  warmupEnv?: Record<string, string>
): Promise<Measurement> => {
  const run = (seconds: number, scriptEnv: Record<string, string>) =>
    runWrkScript<WrkResult>({ script, url: `http://127.0.0.1:${server.port}/`, connections, threads: options.wrkThreads, seconds, env: scriptEnv })
  if (options.warmupS > 0) await run(options.warmupS, warmupEnv ?? env)
  const window = processCpuWindow(server.pid)
  const s = await run(options.durationS, env)
  const cpu = window.end()
  const elapsedS = s.durationUs / 1e6
  const ok = s.requests - s.status
  const requestsPerS = elapsedS > 0 ? ok / elapsedS : 0
  return {
    part,
    target,
    label,
    connections,
    requestsPerS,
    ok,
    non2xx: s.status,
    errors: wrkErrors(s),
    sent: s.sent,
    unanswered: Math.max(0, s.sent - s.requests),
    p50Ms: s.p50Us / 1000,
    p95Ms: s.p95Us / 1000,
    p99Ms: s.p99Us / 1000,
    maxMs: s.maxUs / 1000,
    serverCores: cpu.serverCores,
    serverCpuUsPerRequest: cpu.serverCores === undefined || requestsPerS === 0 ? undefined : (cpu.serverCores * 1e6) / requestsPerS,
    machineBusyShare: cpu.machineBusyShare
  }
}

// ---------------------------------------------------------------- the catalog

const seedOptions = (options: CatalogBenchOptions): SeedOptions => ({
  seed: options.seed,
  products: options.products,
  warehouses: options.warehouses,
  currency: process.env["STORE_CURRENCY"] || "INR"
})

/** Both ends of the catalog answer 200: it has been seeded (and projected) completely. */
const catalogPresent = async (base: string, options: CatalogBenchOptions): Promise<boolean> => {
  for (const i of [0, options.products - 1]) {
    const res = await httpJson(`${base}/v1/products/${productIdAt(options.seed, i)}`)
    if (res.status !== 200) return false
  }
  return true
}

/** `count` random product ids of the catalog. */
const randomProductIds = (options: CatalogBenchOptions, count: number) => {
  const r = rngFor(options.seed, "bench-product-ids")
  return Array.from({ length: count }, () => productIdAt(options.seed, r.int(0, options.products - 1)))
}

/** SKUs with plenty of stock (≥ 20 units), from the first products of the catalog. */
const stockedSkus = (options: CatalogBenchOptions, max: number): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i < Math.min(options.products, 20_000) && out.length < max; i++) {
    for (const s of productAt(seedOptions(options), i).skus) if (s.stock.reduce((n, l) => n + l.quantity, 0) >= 20) out.push(s.sku_id)
  }
  return out
}

// ---------------------------------------------------------------- shoppers and the cart audit

interface Shopper {
  readonly email: string
  readonly token: string
}

const signUpShoppers = async (base: string, tag: string, count: number): Promise<Array<Shopper>> => {
  const run = `${Date.now().toString(36)}${randomBytes(2).toString("hex")}`
  let done = 0
  const started = performance.now()
  const shoppers = await inParallel(Array.from({ length: count }, (_, i) => i), 16, async (i) => {
    const email = `${tag}-${run}-${i}@shoppers.example.com`
    for (let attempt = 1; ; attempt++) {
      const res = await httpJson(`${base}/v1/auth/signup`, { body: { email, password: "shopper-password-1", name: `Shopper ${i}` } })
      const token = (res.body as { token?: unknown } | null)?.token
      if (res.status === 201 && typeof token === "string") {
        if (++done % 2_000 === 0) console.log(`  ${done}/${count} ${tag}s signed up`)
        return { email, token }
      }
      if (res.status !== 503 || attempt >= 10) throw new Error(`signup answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`)
      await sleep(200 * attempt)
    }
  })
  console.log(`${count} ${tag}s signed up in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  return shoppers
}

type CartLines = ReadonlyMap<string, number>

const readCart = async (base: string, token: string): Promise<CartLines> => {
  const res = await httpJson(`${base}/v1/cart`, { token })
  if (res.status !== 200) throw new Error(`GET /v1/cart answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`)
  const items = (res.body as { items: ReadonlyArray<{ sku_id: string; quantity: number }> }).items
  return new Map(items.map((it) => [it.sku_id, it.quantity]))
}

const unitsIn = (lines: CartLines) => [...lines.values()].reduce((n, q) => n + q, 0)

interface ExactAudit {
  readonly shoppers: ReadonlyArray<Shopper>
  /** Per shopper: sku → acknowledged adds. */
  readonly acked: ReadonlyArray<ReadonlyMap<string, number>>
}

/** Audit shoppers add SKUs one request at a time (a few repeated), recording what was acknowledged. */
const exactAdds = async (base: string, shoppers: ReadonlyArray<Shopper>, skus: ReadonlyArray<string>): Promise<ExactAudit> => {
  const r = rngFor(1, "cart-audit")
  const acked = await inParallel(shoppers, 20, async (shopper) => {
    const mine = new Map<string, number>()
    const picks = r.sample(skus, 4)
    for (const sku of [...picks, picks[0]!]) {
      const res = await httpJson(`${base}/v1/cart/items`, { token: shopper.token, body: { sku_id: sku, quantity: 1 } })
      if (res.status === 200) mine.set(sku, (mine.get(sku) ?? 0) + 1)
    }
    return mine
  })
  return { shoppers, acked }
}

interface CartAudit {
  readonly when: string
  readonly shoppers: number
  readonly units: number
  readonly acked: number
  readonly unanswered: number
  /** acked ≤ units ≤ acked + unanswered. */
  readonly totalsOk: boolean
  readonly exactShoppers: number
  /** Audit shoppers whose cart differs from what was acknowledged. */
  readonly exactMismatches: number
  readonly passed: boolean
}

const auditCarts = async (when: string, base: string, pool: ReadonlyArray<Shopper>, load: Measurement, exact: ExactAudit): Promise<CartAudit> => {
  const carts = await inParallel(pool, 32, (s) => readCart(base, s.token))
  const units = carts.reduce((n, c) => n + unitsIn(c), 0)
  const totalsOk = units >= load.ok && units <= load.ok + load.unanswered
  const exactCarts = await inParallel(exact.shoppers, 32, (s) => readCart(base, s.token))
  let exactMismatches = 0
  exactCarts.forEach((cart, i) => {
    const want = exact.acked[i]!
    const same = cart.size === want.size && [...want].every(([sku, n]) => cart.get(sku) === n)
    if (!same) exactMismatches++
  })
  return {
    when,
    shoppers: pool.length,
    units,
    acked: load.ok,
    unanswered: load.unanswered,
    totalsOk,
    exactShoppers: exact.shoppers.length,
    exactMismatches,
    passed: totalsOk && exactMismatches === 0
  }
}

// ---------------------------------------------------------------- report

export interface CatalogBenchReport {
  readonly kind: "catalog-bench"
  readonly startedAt: string
  readonly finishedAt: string
  readonly options: CatalogBenchOptions
  readonly machine: MachineInfo
  readonly skipped: ReadonlyArray<{ readonly part: Part; readonly why: string }>
  readonly rows: ReadonlyArray<Measurement>
  readonly goals: {
    readonly productVsBareUws: { readonly ratio: number | undefined; readonly met: boolean | undefined }
    readonly searchP95Ms: { readonly value: number | undefined; readonly met: boolean | undefined }
    readonly autocompleteP95Ms: { readonly value: number | undefined; readonly met: boolean | undefined }
    readonly cartAddsPerS: { readonly value: number | undefined; readonly met: boolean | undefined }
  }
  readonly audits: ReadonlyArray<CartAudit>
  readonly counters: Readonly<Record<string, Readonly<Record<string, number>>>>
  readonly clean: boolean
}

const measurementTable = (rows: ReadonlyArray<Measurement>) =>
  table(
    ["part", "target", "conns", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "non-2xx", "server CPU", "µs CPU/req"],
    [12, 32, 5, 9, 7, 7, 7, 6, 7, 10, 10],
    new Set([0, 1]),
    rows.map((r) => [
      r.part,
      r.label,
      String(r.connections),
      thousands(r.requestsPerS),
      fixed(r.p50Ms, 2),
      fixed(r.p95Ms, 2),
      fixed(r.p99Ms, 2),
      String(r.errors),
      String(r.non2xx),
      r.serverCores === undefined ? "-" : `${fixed(r.serverCores * 100, 0)}%`,
      fixed(r.serverCpuUsPerRequest, 1)
    ])
  )

const goalTable = (goals: CatalogBenchReport["goals"]) =>
  table(
    ["goal", "measured", "met"],
    [44, 12, 4],
    new Set([0]),
    [
      [`product reads ≥ ${GOALS.productVsBareUws * 100} % of bare uWS`, fixed(goals.productVsBareUws.ratio, 2), yes(goals.productVsBareUws.met)],
      [`search p95 ≤ ${GOALS.searchP95Ms} ms at ${GOALS.searchClients} clients`, fixed(goals.searchP95Ms.value, 1), yes(goals.searchP95Ms.met)],
      [`autocomplete p95 ≤ ${GOALS.autocompleteP95Ms} ms at ${GOALS.searchClients} clients`, fixed(goals.autocompleteP95Ms.value, 1), yes(goals.autocompleteP95Ms.met)],
      [`add to cart ≥ ${thousands(GOALS.cartAddsPerS)} durable adds/s`, goals.cartAddsPerS.value === undefined ? "-" : thousands(goals.cartAddsPerS.value), yes(goals.cartAddsPerS.met)]
    ]
  )

const auditTable = (audits: ReadonlyArray<CartAudit>) =>
  table(
    ["cart audit", "shoppers", "units in carts", "acked", "unanswered", "totals ok", "exact carts", "mismatches", "passed"],
    [26, 8, 14, 9, 10, 9, 11, 10, 6],
    new Set([0]),
    audits.map((a) => [a.when, thousands(a.shoppers), thousands(a.units), thousands(a.acked), thousands(a.unanswered), yes(a.totalsOk), String(a.exactShoppers), String(a.exactMismatches), yes(a.passed)])
  )

// ---------------------------------------------------------------- main

const routePaths = async (base: string): Promise<ReadonlySet<string>> => {
  const res = await httpJson(`${base}/v1/openapi.json`)
  if (res.status !== 200) return new Set()
  return new Set(Object.keys((res.body as { paths?: Record<string, unknown> }).paths ?? {}))
}

/** The series of one counter in the store's /metrics, label text → value (`{outcome="hit"}` → 1234). */
const counterSeries = async (base: string, name: string): Promise<Map<string, number>> => {
  const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) })
  const out = new Map<string, number>()
  for (const line of (await res.text()).split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    const at = line.lastIndexOf(" ")
    out.set(line.slice(name.length, at), Number(line.slice(at + 1)))
  }
  return out
}

/** What a counter did over an interval, per series. */
const counterDelta = (before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Record<string, number> =>
  Object.fromEntries([...after].map(([labels, v]) => [labels === "" ? "total" : labels, v - (before.get(labels) ?? 0)]))

const partRoute: Record<Part, { readonly path: string; readonly probe: (base: string, options: CatalogBenchOptions) => string }> = {
  product: { path: "/v1/products/{product_id}", probe: (base, o) => `${base}/v1/products/${productIdAt(o.seed, 0)}` },
  search: { path: "/v1/search", probe: (base) => `${base}/v1/search?q=phone` },
  autocomplete: { path: "/v1/search/autocomplete", probe: (base) => `${base}/v1/search/autocomplete?q=sa` },
  cart: { path: "/v1/cart/items", probe: (base) => `${base}/v1/cart/items` }
}

/** Drops this run's scratch storage; set while a run is under way, so that an interrupted run cleans up too. */
let cleanupOnExit: (() => Promise<void>) | undefined
/** Set by SIGINT/SIGTERM: no new process is started, and the signal handler (not main's failure path) exits. */
let interrupted = false
const notInterrupted = () => {
  if (interrupted) throw new Error("interrupted")
}

const main = async (options: CatalogBenchOptions, wrkVersion: string): Promise<number> => {
  const startedAt = new Date()
  const loadAverageBefore = os.loadavg()
  const scratchDir = mkdtempSync(path.join(os.tmpdir(), "catalog-bench-"))
  const file = (name: string, lines: ReadonlyArray<string>) => {
    const at = path.join(scratchDir, name)
    writeFileSync(at, `${lines.join("\n")}\n`)
    return at
  }
  const getScript = file("get.lua", [WRK_GET_SCRIPT])
  const cartScript = file("cart.lua", [WRK_CART_SCRIPT])
  const storage = await prepareStorage(options)
  let cleaned = false
  const cleanUp = async () => {
    if (cleaned) return
    cleaned = true
    rmSync(scratchDir, { recursive: true, force: true })
    await storage.cleanUp()
  }
  cleanupOnExit = cleanUp
  const env = storeEnv(options, storage)
  let store: RunningServer | undefined
  let bare: RunningServer | undefined

  try {
    store = await startStore(options, env)
    let base = `http://127.0.0.1:${store.port}`
    console.log(`store: pid ${store.pid}, port ${store.port}, up in ${store.startMs} ms (redis prefix ${options.redisPrefix})`)
    if (!(await catalogPresent(base, options))) {
      console.log(`the catalog of ${thousands(options.products)} products (seed ${options.seed}) is not complete: seeding it (npm run seed)`)
      await stop(store.child, 30_000)
      await runSeed(options, env)
      store = await startStore(options, env)
      base = `http://127.0.0.1:${store.port}`
      if (!(await catalogPresent(base, options))) console.log("the product route does not answer the seeded products (the product part will say why)")
    }
    // Armed only now: seeding 100,000 products takes minutes and is not part of the plan.
    const watchdog = armWatchdog(options.maxRunMs, cleanUp, 2_000)
    try {
      const lag = await waitForProjections(`${base}/metrics`, 600_000, (line) => console.log(line))
      console.log(`read models caught up (${lag.projections.join(", ") || "no projections"})`)

      const routes = await routePaths(base)
      const skipped: Array<{ part: Part; why: string }> = []
      const runnable: Array<Part> = []
      for (const part of options.parts) {
        const probe = await httpJson(partRoute[part].probe(base, options), part === "cart" ? { body: {} } : undefined)
        const missing = !routes.has(partRoute[part].path) && probe.status === 404
        if (missing) {
          const why = `${partRoute[part].path} answers 404 (not in the store yet): part skipped`
          console.log(`${part}: ${why}`)
          skipped.push({ part, why })
        } else runnable.push(part)
      }

      const rows: Array<Measurement> = []
      const show = (row: Measurement) => {
        rows.push(row)
        console.log(measurementTable([row]).split("\n")[1])
      }
      const audits: Array<CartAudit> = []
      /** Store counters over a part (cache hits and misses): context for its numbers. */
      const counters: Record<string, Record<string, number>> = {}

      if (runnable.includes("product")) {
        notInterrupted()
        bare = await startServer("bare-uws", ["--import", "tsx", "loadtest/baselines/bare-uws.ts"], { ...process.env, PORT: "0" }, /^listening (\d+)/, 30_000)
        const probe = await httpJson(partRoute.product.probe(base, options))
        if (probe.status !== 200) throw new Error(`GET /v1/products/{id} of a seeded product answered ${probe.status}: ${JSON.stringify(probe.body).slice(0, 300)}`)
        // Uniform over the whole catalog (not a hot subset): what the product cache sees is the worst case.
        const paths = file("products.txt", randomProductIds(options, Math.min(100_000, options.products * 4)).map((id) => `/v1/products/${id}`))
        // The store, then bare uWS, with the same script and connections.
        for (const target of ["store", "bare-uws"] as const) {
          const server = target === "store" ? store : bare
          const before = target === "store" ? await counterSeries(base, "product_cache_lookups_total") : undefined
          show(await measure("product", target, target === "store" ? "store GET /v1/products/{id}" : "bare uWS hello-world", server, getScript, { BENCH_PATHS: paths }, options.productConnections, options))
          if (before !== undefined) counters["product_cache_lookups_total (warm-up and measurement)"] = counterDelta(before, await counterSeries(base, "product_cache_lookups_total"))
          await sleep(500)
        }
        await stop(bare.child, 5_000)
        bare = undefined
      }
      for (const part of ["search", "autocomplete"] as const) {
        if (!runnable.includes(part)) continue
        const paths = part === "search" ? searchPaths(options.seed, 2_000, seedOptions(options).currency) : autocompletePaths(options.seed, 2_000)
        const before = await counterSeries(base, "search_requests_total")
        show(await measure(part, "store", `store ${partRoute[part].path}`, store, getScript, { BENCH_PATHS: file(`${part}.txt`, paths) }, options.clients, options))
        if (part === "search") counters["search_requests_total (warm-up and measurement)"] = counterDelta(before, await counterSeries(base, "search_requests_total"))
        await sleep(500)
      }
      if (runnable.includes("cart")) {
        const skus = stockedSkus(options, 5_000)
        if (skus.length === 0) throw new Error("no SKU of the catalog has stock to add to carts")
        const pool = await signUpShoppers(base, "shopper", options.shoppers)
        const warmPool = options.warmupS > 0 ? await signUpShoppers(base, "warmup-shopper", Math.min(200, options.shoppers)) : []
        const auditPool = await signUpShoppers(base, "audit-shopper", options.quick ? 10 : 100)
        const r = rngFor(options.seed, "cart-adds")
        const adds = (shoppers: ReadonlyArray<Shopper>, count: number) => Array.from({ length: count }, (_, i) => `${shoppers[i % shoppers.length]!.token} ${r.pick(skus)}`)
        // Round-robin over the shoppers: a shopper's next add comes after every other shopper's, so carts stay well under the line limit.
        const addsFile = file("adds.txt", adds(pool, Math.max(pool.length, 50_000)))
        const warmFile = warmPool.length > 0 ? file("warm-adds.txt", adds(warmPool, 5_000)) : addsFile
        const load = await measure("cart", "store", "store POST /v1/cart/items", store, cartScript, { BENCH_ADDS: addsFile }, options.cartConnections, options, { BENCH_ADDS: warmFile })
        show(load)
        const exact = await exactAdds(base, auditPool, skus)
        audits.push(await auditCarts("after the load", base, pool, load, exact))
        if (options.restartAudit) {
          console.log("restart audit: SIGKILL the store, start it again on the same storage")
          process.kill(store.pid, "SIGKILL")
          await exited(store.child, 10_000)
          store = await startStore(options, env)
          base = `http://127.0.0.1:${store.port}`
          audits.push(await auditCarts("after kill -9 and restart", base, pool, load, exact))
        }
        console.log(auditTable(audits))
      }

      const find = (part: Part, target: Measurement["target"] = "store") => rows.find((r) => r.part === part && r.target === target)
      const productStore = find("product")
      const productBare = find("product", "bare-uws")
      const ratio = productStore !== undefined && productBare !== undefined && productBare.requestsPerS > 0 ? productStore.requestsPerS / productBare.requestsPerS : undefined
      const verdict = (value: number | undefined, ok: (v: number) => boolean) => ({ value, met: value === undefined ? undefined : ok(value) })
      const goals: CatalogBenchReport["goals"] = {
        productVsBareUws: { ratio, met: ratio === undefined ? undefined : ratio >= GOALS.productVsBareUws },
        searchP95Ms: verdict(find("search")?.p95Ms, (v) => v <= GOALS.searchP95Ms),
        autocompleteP95Ms: verdict(find("autocomplete")?.p95Ms, (v) => v <= GOALS.autocompleteP95Ms),
        cartAddsPerS: verdict(find("cart")?.requestsPerS, (v) => v >= GOALS.cartAddsPerS)
      }
      const clean = rows.every((row) => row.errors === 0 && row.non2xx === 0 && row.ok > 0) && audits.every((a) => a.passed)
      const report: CatalogBenchReport = {
        ...reportHeader("catalog-bench", startedAt, options, wrkVersion, loadAverageBefore),
        skipped,
        rows,
        goals,
        audits,
        counters,
        clean
      }
      const written = writeReport(options.reportDir, "catalog-bench", startedAt, report)
      printTables(measurementTable(rows), goalTable(goals), ...(audits.length > 0 ? [auditTable(audits)] : []))
      for (const [name, series] of Object.entries(counters)) console.log(`${name}: ${Object.entries(series).map(([k, v]) => `${k} ${thousands(v)}`).join(", ")}`)
      for (const s of skipped) console.log(`skipped ${s.part}: ${s.why}`)
      console.log(loadAverageLine(report.machine))
      console.log(`report: ${path.relative(process.cwd(), written)}`)
      if (!clean) {
        console.log(audits.some((a) => !a.passed) ? "FAILED: the cart audit failed" : "FAILED: a measurement saw errors or non-2xx answers")
        return 1
      }
      return 0
    } finally {
      clearTimeout(watchdog)
    }
  } finally {
    if (bare !== undefined) await stop(bare.child, 5_000)
    if (store !== undefined) await stop(store.child, 30_000)
    await cleanUp()
  }
}

const isEntryPoint = process.argv[1] !== undefined && path.resolve(process.argv[1]) === thisFile

if (isEntryPoint) {
  exitOnSignals(
    () => (interrupted = true),
    () => cleanupOnExit?.()
  )
  const wrkVersion = wrkInstalled()
  const options = optionsOrExit(() => parseOptions(process.argv.slice(2)), HELP)
  if (wrkVersion === undefined) {
    console.error("FAILED: wrk is not installed (apt-get install -y wrk); this benchmark needs it")
    process.exit(1)
  }
  main(options, wrkVersion).then(
    (code) => {
      if (!interrupted) process.exit(code)
    },
    (error: unknown) => {
      // Interrupted: the signal handler stops the processes, cleans up and exits.
      if (interrupted) return
      console.error("FAILED:", error instanceof Error ? error.message : error)
      endAll("SIGKILL")
      process.exit(1)
    }
  )
}
