/**
 * Checkout benchmark (issue 6): complete checkouts per second, cart → order placed, with the
 * payment-provider simulator as its own process answering every API call in 20–50 ms, at 50
 * and 500 concurrent shoppers. Goal ≥ 2,000 checkouts/s with p99 ≤ 250 ms, audit passing.
 *
 * The store (`gateway/main.ts`) runs on Redis (journal) + Postgres (snapshots, read models) in a
 * scratch schema and Redis prefix, dropped at the end; card payments go to the simulator
 * (`provider/main.ts`, PROVIDER_LATENCY_MS=20-50, PROVIDER_FSYNC=off, no webhooks). Setup (not
 * measured) goes through the public API: admin, approved seller, `--skus` SKUs with stock plus
 * one hot SKU, one shopper per virtual shopper with an address and a card of its own.
 *
 * Measured (loadtest/checkout/shopper-loop.ts): a closed loop of `--concurrency` virtual
 * shoppers, each add-to-cart → POST /v1/checkout (Idempotency-Key) → poll while
 * pending_payment. Scenarios: `spread` (a random SKU of `--skus` per checkout) and `hot` (every
 * checkout buys the one hot SKU). Baseline in the same run (loadtest/checkout/baseline-server.ts):
 * the same routes done the classic way on Postgres (row-locked stock decrement + order insert,
 * authorize and capture at the same simulator, then a second transaction) behind uWS.
 *
 * Audit (loadtest/checkout/audit.ts) per target: every acknowledged order exists, no order
 * nobody was told of, stock conserved per SKU with nothing left reserved, exactly one captured
 * payment per order and no authorization or capture without an order (from the simulator's data
 * file). A failed audit prints FAILED and exits 1; a missed goal is reported, not an exit status.
 *
 *   npm run bench:checkout                         --concurrency 50,500, both scenarios, store + baseline
 *   npm run bench:checkout -- --quick              seconds (loadtest/checkout-bench.test.ts)
 *   npm run bench:checkout -- --help
 */
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { closeRedis, connectRedis, deletePrefix } from "./bench-redis.ts"
import { type PgPool, pgPool } from "./baselines/reserve-server.ts"
import { listOf, optionsOrExit, runLimitsOf, wholeNumber } from "./lib/cli-options.ts"
import { processCpuWindow } from "./lib/cpu.ts"
import { endAll, exitOnSignals, type RunningServer, sleep, startServer, stop } from "./lib/processes.ts"
import { loadAverageLine, type MachineInfo, reportHeader, writeReport } from "./lib/report.ts"
import { fixed, printTables, table, thousands, yes } from "./lib/table.ts"
import { armWatchdog } from "./lib/watchdog.ts"
import type { HistogramJSON } from "./histogram.ts"
import type { Payment } from "../provider/payment.ts"
import { type AuditResult, auditBaseline, auditStore, providerPaymentsFromLog } from "./checkout/audit.ts"
import { baselineTables } from "./checkout/baseline-server.ts"
import { jsonClient } from "./checkout/http.ts"
import { setUpShop, setUpShoppers } from "./checkout/setup.ts"
import { type Attempt, type LoopResult, runShopperLoop } from "./checkout/shopper-loop.ts"

const thisFile = fileURLToPath(import.meta.url)

const SCENARIOS = ["spread", "hot"] as const
type Scenario = (typeof SCENARIOS)[number]
const TARGETS = ["store", "baseline"] as const
type Target = (typeof TARGETS)[number]

export const GOALS = { checkoutsPerS: 2_000, p99Ms: 250 } as const

export interface CheckoutBenchOptions {
  readonly quick: boolean
  readonly concurrency: ReadonlyArray<number>
  readonly scenarios: ReadonlyArray<Scenario>
  readonly targets: ReadonlyArray<Target>
  readonly skus: number
  readonly stockPerSku: number
  readonly hotStock: number
  readonly warmupS: number
  readonly durationS: number
  readonly providerLatencyMs: string
  readonly fraud: "on" | "off"
  readonly databaseUrl: string
  readonly redisUrl: string
  readonly reportDir: string
  readonly maxRunMs: number
  readonly profileDir: string | undefined
}

const HELP = `usage: checkout-bench.ts [options]
  --quick                 seconds: concurrency 4,16, 20 SKUs, 2 s per run, no warm-up
  --concurrency 50,500    virtual shoppers (closed loop), one measurement each
  --scenarios spread,hot  spread: a random SKU per checkout; hot: every checkout buys one SKU
  --targets store,baseline
  --skus 1000             SKUs of the spread scenario (stock --stock-per-sku each, default 100000)
  --hot-stock 1000000     units of the hot SKU
  --warmup-s 2            warm-up before each measurement (flows completed then are not counted)
  --duration-s 10         length of each measurement
  --provider-latency-ms 20-50  the simulator's added latency per API call
  --fraud on|off          fraud rules (on: velocity thresholds raised to 1,000,000 — all load comes from one IP)
  --report-dir DIR        where the JSON report goes (default loadtest/reports)
  --max-run-ms N          abort (FAILED, exit 1) past this (default: the plan's length plus 90 s)
  --profile-dir DIR       run the store under node --cpu-prof; profile written to DIR when it stops
environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; scratch schemas are made and dropped),
             REDIS_URL (default redis://127.0.0.1:6379; a scratch prefix, deleted at the end)`

export const parseOptions = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env): CheckoutBenchOptions | "help" => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean" },
      concurrency: { type: "string" },
      scenarios: { type: "string" },
      targets: { type: "string" },
      skus: { type: "string" },
      "stock-per-sku": { type: "string" },
      "hot-stock": { type: "string" },
      "warmup-s": { type: "string" },
      "duration-s": { type: "string" },
      "provider-latency-ms": { type: "string" },
      fraud: { type: "string" },
      "report-dir": { type: "string" },
      "max-run-ms": { type: "string" },
      "profile-dir": { type: "string" },
      help: { type: "boolean" }
    },
    strict: true
  })
  if (values.help === true) return "help"
  const quick = values.quick === true
  const concurrency = (values.concurrency ?? (quick ? "4,16" : "50,500")).split(",").map((s) => wholeNumber("concurrency", s.trim(), 0, 1))
  if (concurrency.some((c) => c > 5_000)) throw new Error("--concurrency: at most 5000 virtual shoppers")
  const scenarios = listOf("scenarios", values.scenarios, SCENARIOS, SCENARIOS)
  const targets = listOf("targets", values.targets, TARGETS, TARGETS)
  const warmupS = wholeNumber("warmup-s", values["warmup-s"], quick ? 0 : 2, 0)
  const durationS = wholeNumber("duration-s", values["duration-s"], quick ? 2 : 10, 1)
  const latency = values["provider-latency-ms"] ?? "20-50"
  if (!/^\d{1,5}(-\d{1,5})?$/.test(latency)) throw new Error(`--provider-latency-ms must be "<ms>" or "<min>-<max>", got "${latency}"`)
  const fraud = values.fraud ?? "on"
  if (fraud !== "on" && fraud !== "off") throw new Error(`--fraud must be on or off, got "${fraud}"`)
  const runs = concurrency.length * scenarios.length * targets.length
  const shoppers = Math.max(...concurrency)
  // Per run: warm-up, measurement, drain; setup (sign-ups), audits.
  const plannedMs = runs * (warmupS + durationS + 10) * 1000 + shoppers * 40 + 60_000
  return {
    quick,
    concurrency,
    scenarios,
    targets,
    skus: wholeNumber("skus", values.skus, quick ? 20 : 1_000, 1),
    stockPerSku: wholeNumber("stock-per-sku", values["stock-per-sku"], 100_000, 1),
    hotStock: wholeNumber("hot-stock", values["hot-stock"], 1_000_000, 1),
    warmupS,
    durationS,
    providerLatencyMs: latency,
    fraud,
    databaseUrl: env["DATABASE_URL"] || "postgres://postgres@127.0.0.1:5432/test",
    redisUrl: env["REDIS_URL"] || "redis://127.0.0.1:6379",
    ...runLimitsOf(values, plannedMs)
  }
}

// ---------------------------------------------------------------- storage and processes

const scratchSchema = async (databaseUrl: string, tag: string) => {
  const name = `${tag}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`
  const admin = pgPool({ connectionString: databaseUrl, max: 1 })
  await admin.query({ text: "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public", values: [] }).catch(() => undefined)
  await admin.query({ text: `CREATE SCHEMA ${name}`, values: [] })
  const url = new URL(databaseUrl)
  url.searchParams.set("options", `-c search_path=${name},public`)
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query({ text: `DROP SCHEMA IF EXISTS ${name} CASCADE`, values: [] }).catch((e: unknown) => console.error(`dropping ${name}:`, e))
      await admin.end()
    }
  }
}

const ADMIN = { email: "bench-admin@bench.example.com", password: "bench-admin-password-1" }

const storeEnv = (options: CheckoutBenchOptions, databaseUrl: string, redisPrefix: string, providerUrl: string): NodeJS.ProcessEnv => ({
  ...process.env,
  HOST: "127.0.0.1",
  PORT: "0",
  DATABASE_URL: databaseUrl,
  REDIS_URL: options.redisUrl,
  REDIS_PREFIX: redisPrefix,
  DATA_DIR: "",
  RATE_LIMITS: "off",
  PASSWORD_HASH_LOG_N: "10",
  PASSWORD_HASH_MAX_QUEUED: "1024",
  DEMO_CATALOG: "off",
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  PAYMENT_PROVIDER_URL: providerUrl,
  FRAUD_RULES: options.fraud,
  // All load comes from 127.0.0.1, and a run makes many checkouts per shopper: velocity rules would review or reject them.
  FRAUD_USER_ATTEMPTS_REVIEW: "1000000",
  FRAUD_USER_ATTEMPTS_REJECT: "1000000",
  FRAUD_CARD_ATTEMPTS_REVIEW: "1000000",
  FRAUD_CARD_ATTEMPTS_REJECT: "1000000",
  FRAUD_IP_ATTEMPTS_REVIEW: "1000000",
  FRAUD_IP_ATTEMPTS_REJECT: "1000000"
})

const startStore = (options: CheckoutBenchOptions, env: NodeJS.ProcessEnv): Promise<RunningServer> => {
  const profiling = options.profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", options.profileDir]
  return startServer("store", [...profiling, "--import", "tsx", "gateway/main.ts"], env, /^store listening on http:\/\/[^:]+:(\d+)/, 180_000)
}

// ---------------------------------------------------------------- report

export interface CheckoutRow {
  readonly target: Target
  readonly scenario: Scenario
  readonly concurrency: number
  readonly checkoutsPerS: number
  readonly placed: number
  readonly failed: number
  readonly unknown: number
  readonly errors: number
  readonly retried: number
  readonly pendingAnswers: number
  readonly flow: HistogramJSON
  readonly checkout: HistogramJSON
  readonly addToCart: HistogramJSON
  readonly failureCodes: Record<string, number>
  readonly sampleErrors: ReadonlyArray<string>
  readonly serverCores: number | undefined
  readonly serverCpuUsPerCheckout: number | undefined
  readonly providerCores: number | undefined
  readonly clientCores: number
  readonly machineBusyShare: number | undefined
  /** Seconds from the start of the run to the measured interval (warm-up, then until every shopper completed a flow). */
  readonly settleS: number
}

export interface CheckoutBenchReport {
  readonly kind: "checkout-bench"
  readonly startedAt: string
  readonly finishedAt: string
  readonly options: CheckoutBenchOptions
  readonly machine: MachineInfo
  readonly rows: ReadonlyArray<CheckoutRow>
  readonly ratios: ReadonlyArray<{ readonly scenario: Scenario; readonly concurrency: number; readonly storeVsBaseline: number | undefined }>
  readonly goals: ReadonlyArray<{ readonly concurrency: number; readonly checkoutsPerS: number; readonly p99Ms: number; readonly met: boolean }>
  readonly audits: ReadonlyArray<AuditResult>
  readonly clean: boolean
}

const rowOf = (target: Target, scenario: Scenario, r: LoopResult, cpu: { serverCores: number | undefined; machineBusyShare: number | undefined }, providerCores: number | undefined): CheckoutRow => ({
  target,
  scenario,
  concurrency: r.concurrency,
  checkoutsPerS: r.checkoutsPerS,
  placed: r.placed,
  failed: r.failed,
  unknown: r.unknown,
  errors: r.errors,
  retried: r.retried,
  pendingAnswers: r.pendingAnswers,
  flow: r.flow.toJSON(),
  checkout: r.checkout.toJSON(),
  addToCart: r.addToCart.toJSON(),
  failureCodes: r.failureCodes,
  sampleErrors: r.sampleErrors,
  serverCores: cpu.serverCores,
  serverCpuUsPerCheckout: cpu.serverCores === undefined || r.checkoutsPerS === 0 ? undefined : (cpu.serverCores * 1e6) / r.checkoutsPerS,
  providerCores,
  clientCores: r.clientCores,
  machineBusyShare: cpu.machineBusyShare,
  settleS: r.settleS
})

const rowTable = (rows: ReadonlyArray<CheckoutRow>) =>
  table(
    ["target", "scenario", "shoppers", "checkouts/s", "flow p50", "flow p99", "POST p50", "POST p99", "failed", "errors", "server CPU", "µs CPU/co", "sim CPU", "client CPU", "settle s"],
    [8, 8, 8, 11, 8, 8, 8, 8, 6, 6, 10, 9, 7, 10, 8],
    new Set([0, 1]),
    rows.map((r) => [
      r.target,
      r.scenario,
      String(r.concurrency),
      thousands(r.checkoutsPerS),
      fixed(r.flow.p50Ms, 1),
      fixed(r.flow.p99Ms, 1),
      fixed(r.checkout.p50Ms, 1),
      fixed(r.checkout.p99Ms, 1),
      String(r.failed + r.unknown),
      String(r.errors),
      r.serverCores === undefined ? "-" : `${fixed(r.serverCores * 100, 0)}%`,
      fixed(r.serverCpuUsPerCheckout, 0),
      r.providerCores === undefined ? "-" : `${fixed(r.providerCores * 100, 0)}%`,
      `${fixed(r.clientCores * 100, 0)}%`,
      fixed(r.settleS, 1)
    ])
  )

const auditTable = (audits: ReadonlyArray<AuditResult>) =>
  table(
    ["audit", "attempts", "acked", "orders", "acked missing", "stray", "SKUs", "stock off", "reserved", "payments", "≠1 capture", "charge w/o order", "passed"],
    [8, 8, 7, 7, 13, 5, 5, 9, 8, 8, 10, 16, 6],
    new Set([0]),
    audits.map((a) => [
      a.target,
      thousands(a.attempts),
      thousands(a.acknowledged),
      thousands(a.orders),
      String(a.ackedMissing),
      String(a.strayOrders),
      String(a.skusChecked),
      String(a.stockMismatches),
      String(a.leftReserved),
      thousands(a.payments),
      String(a.ordersWithoutOneCapture),
      String(a.chargesWithoutOrder),
      yes(a.passed)
    ])
  )

// ---------------------------------------------------------------- main

let cleanupOnExit: (() => Promise<void>) | undefined
let interrupted = false

const main = async (options: CheckoutBenchOptions): Promise<number> => {
  const startedAt = new Date()
  const loadAverageBefore = os.loadavg()
  const scratchDir = mkdtempSync(path.join(os.tmpdir(), "checkout-bench-"))
  const providerDir = path.join(scratchDir, "provider")
  const redisPrefix = `bench:checkout:${Date.now()}-${randomBytes(3).toString("hex")}`
  const storeSchema = await scratchSchema(options.databaseUrl, "checkout_bench")
  const baselineSchema = await scratchSchema(options.databaseUrl, "checkout_baseline")
  let baselinePool: PgPool | undefined
  let cleaned = false
  const cleanUp = async () => {
    if (cleaned) return
    cleaned = true
    await baselinePool?.end().catch(() => undefined)
    await storeSchema.drop()
    await baselineSchema.drop()
    const redis = await connectRedis(options.redisUrl)
    try {
      await deletePrefix(redis, redisPrefix)
    } finally {
      await closeRedis(redis)
    }
    rmSync(scratchDir, { recursive: true, force: true })
  }
  cleanupOnExit = cleanUp
  const watchdog = armWatchdog(options.maxRunMs, cleanUp, 2_000)
  let provider: RunningServer | undefined
  let store: RunningServer | undefined
  let baseline: RunningServer | undefined
  try {
    provider = await startServer(
      "provider",
      ["--import", "tsx", "provider/main.ts"],
      { ...process.env, PROVIDER_PORT: "0", PROVIDER_HOST: "127.0.0.1", PROVIDER_DATA_DIR: providerDir, PROVIDER_LATENCY_MS: options.providerLatencyMs, PROVIDER_FSYNC: "off", PROVIDER_WEBHOOK_URL: "" },
      /^READY (\d+)/,
      60_000
    )
    const providerUrl = `http://127.0.0.1:${provider.port}`
    store = await startStore(options, storeEnv(options, storeSchema.url, redisPrefix, providerUrl))
    const base = `http://127.0.0.1:${store.port}`
    console.log(`provider: pid ${provider.pid}, ${providerUrl}, latency ${options.providerLatencyMs} ms; store: pid ${store.pid}, ${base}, up in ${store.startMs} ms`)
    const shoppersNeeded = Math.max(...options.concurrency)
    const setupApi = jsonClient(base, 32)
    const providerApi = jsonClient(providerUrl, 32)
    const setupStarted = performance.now()
    const shop = await setUpShop(setupApi, ADMIN, options.skus, options.stockPerSku, options.hotStock)
    const shoppers = await setUpShoppers(setupApi, providerApi, shoppersNeeded)
    providerApi.close()
    console.log(`setup: ${shop.skus.length} SKUs + 1 hot SKU, ${shoppers.length} shoppers in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`)
    const pickers: Record<Scenario, () => string> = {
      spread: () => shop.skus[Math.floor(Math.random() * shop.skus.length)]!.skuId,
      hot: () => shop.hotSku.skuId
    }
    const rows: Array<CheckoutRow> = []
    const attempts: Record<Target, Array<Attempt>> = { store: [], baseline: [] }
    const measure = async (target: Target, server: RunningServer) => {
      const api = jsonClient(`http://127.0.0.1:${server.port}`, shoppersNeeded + 16)
      try {
        for (const scenario of options.scenarios) {
          for (const concurrency of options.concurrency) {
            if (interrupted) throw new Error("interrupted")
            let cpu: ReturnType<ReturnType<typeof processCpuWindow>["end"]> = { serverCores: undefined, machineBusyShare: undefined }
            let providerCpu: number | undefined
            let windows: { server: ReturnType<typeof processCpuWindow>; provider: ReturnType<typeof processCpuWindow> } | undefined
            const onMeasure = (phase: "start" | "end") => {
              if (phase === "start") windows = { server: processCpuWindow(server.pid), provider: processCpuWindow(provider!.pid) }
              else if (windows !== undefined) {
                cpu = windows.server.end()
                providerCpu = windows.provider.end().serverCores
              }
            }
            const result = await runShopperLoop(
              api,
              shoppers,
              { concurrency, warmupMs: options.warmupS * 1000, durationMs: options.durationS * 1000, maxRetries: 5, pickSku: pickers[scenario], maxSettleMs: 60_000, onMeasure },
              attempts[target]
            )
            const row = rowOf(target, scenario, result, cpu, providerCpu)
            rows.push(row)
            console.log(rowTable([row]).split("\n")[rows.length === 1 ? 0 : 1])
            if (rows.length === 1) console.log(rowTable([row]).split("\n")[1])
            for (const e of result.sampleErrors.slice(0, 3)) console.log(`  e.g. ${e}`)
            if (result.errors > 0) console.log(`  ${target}'s last lines:\n${server.output.filter((l) => !/^\s+at /.test(l)).slice(-8).map((l) => `    ${l.slice(0, 600)}`).join("\n")}`)
            await sleep(500)
          }
        }
      } finally {
        api.close()
      }
    }
    if (options.targets.includes("store")) await measure("store", store)
    if (options.targets.includes("baseline")) {
      baselinePool = pgPool({ connectionString: baselineSchema.url, max: 4 })
      await baselinePool.query({ text: baselineTables, values: [] })
      const skuIds = [...shop.skus.map((s) => s.skuId), shop.hotSku.skuId]
      const prices = [...shop.skus.map((s) => s.price), shop.hotSku.price]
      const onHand = [...shop.skus.map((s) => s.onHand), shop.hotSku.onHand]
      await baselinePool.query({
        text: "INSERT INTO stock (sku, price, on_hand) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])",
        values: [skuIds, prices, onHand]
      })
      const shoppersFile = path.join(scratchDir, "shoppers.json")
      writeFileSync(shoppersFile, JSON.stringify(shoppers.map((s) => ({ token: s.token, user_id: s.userId, card_token: s.cardToken }))))
      baseline = await startServer(
        "baseline",
        ["--import", "tsx", "loadtest/checkout/baseline-server.ts"],
        { ...process.env, PORT: "0", DATABASE_URL: baselineSchema.url, SHOPPERS_FILE: shoppersFile, PROVIDER_URL: providerUrl },
        /^listening (\d+)/,
        30_000
      )
      await measure("baseline", baseline)
    }

    // Audits: every flow has ended. The simulator's data file is read once it has stopped (after the store's API checks).
    let payments: ReadonlyArray<Payment> | undefined
    const readPayments = async () => {
      if (payments === undefined) {
        await stop(provider!.child, 15_000)
        payments = providerPaymentsFromLog(providerDir)
      }
      return payments
    }
    const audits: Array<AuditResult> = []
    if (options.targets.includes("store")) audits.push(await auditStore("store", setupApi, shop, shoppers, attempts.store, readPayments))
    if (options.targets.includes("baseline")) {
      await stop(baseline!.child, 10_000)
      audits.push(await auditBaseline(baselinePool!, shop, [...shop.skus.map((s) => s.skuId), shop.hotSku.skuId], shoppers, attempts.baseline, readPayments))
    }
    setupApi.close()

    const find = (target: Target, scenario: Scenario, concurrency: number) => rows.find((r) => r.target === target && r.scenario === scenario && r.concurrency === concurrency)
    const ratios = options.scenarios.flatMap((scenario) =>
      options.concurrency.map((concurrency) => {
        const s = find("store", scenario, concurrency)
        const b = find("baseline", scenario, concurrency)
        return { scenario, concurrency, storeVsBaseline: s === undefined || b === undefined || b.checkoutsPerS === 0 ? undefined : s.checkoutsPerS / b.checkoutsPerS }
      })
    )
    const goals = rows
      .filter((r) => r.target === "store" && r.scenario === "spread")
      .map((r) => ({ concurrency: r.concurrency, checkoutsPerS: r.checkoutsPerS, p99Ms: r.flow.p99Ms, met: r.checkoutsPerS >= GOALS.checkoutsPerS && r.flow.p99Ms <= GOALS.p99Ms }))
    // A measurement with no completed flow is a result (flows slower than the interval), not a broken run.
    const clean = audits.every((a) => a.passed) && rows.some((r) => r.placed > 0)
    const report: CheckoutBenchReport = { ...reportHeader("checkout-bench", startedAt, options, undefined, loadAverageBefore), rows, ratios, goals, audits, clean }
    const written = writeReport(options.reportDir, "checkout-bench", startedAt, report)
    printTables(
      rowTable(rows),
      table(
        ["store ÷ baseline (checkouts/s)", "shoppers", "ratio"],
        [30, 8, 6],
        new Set([0]),
        ratios.map((r) => [r.scenario, String(r.concurrency), fixed(r.storeVsBaseline, 2)])
      ),
      table(
        [`goal: ≥ ${thousands(GOALS.checkoutsPerS)} checkouts/s, flow p99 ≤ ${GOALS.p99Ms} ms (store, spread)`, "checkouts/s", "p99 ms", "met"],
        [64, 11, 7, 4],
        new Set([0]),
        goals.map((g) => [`${g.concurrency} shoppers`, thousands(g.checkoutsPerS), fixed(g.p99Ms, 1), yes(g.met)])
      ),
      auditTable(audits)
    )
    for (const a of audits) for (const p of a.problems) console.log(`${a.target}: ${p}`)
    console.log("flow = add-to-cart → order placed (polls included); POST = the checkout request alone; CPU in shares of one core over the measured interval")
    console.log(loadAverageLine(report.machine))
    console.log(`report: ${path.relative(process.cwd(), written)}`)
    if (!clean) {
      console.log(audits.some((a) => !a.passed) ? "FAILED: the audit failed" : "FAILED: no measurement placed an order")
      return 1
    }
    return 0
  } finally {
    clearTimeout(watchdog)
    if (baseline !== undefined) await stop(baseline.child, 10_000)
    if (store !== undefined) await stop(store.child, 30_000)
    if (provider !== undefined) await stop(provider.child, 15_000)
    await cleanUp()
  }
}

const isEntryPoint = process.argv[1] !== undefined && path.resolve(process.argv[1]) === thisFile

if (isEntryPoint) {
  exitOnSignals(
    () => (interrupted = true),
    () => cleanupOnExit?.()
  )
  const options = optionsOrExit(() => parseOptions(process.argv.slice(2)), HELP)
  main(options).then(
    (code) => {
      if (!interrupted) process.exit(code)
    },
    (error: unknown) => {
      if (interrupted) return
      console.error("FAILED:", error instanceof Error ? error.message : error)
      endAll("SIGKILL")
      process.exit(1)
    }
  )
}
