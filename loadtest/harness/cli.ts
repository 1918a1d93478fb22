/**
 * `npm run loadtest -- <scenario> [options]` and `npm run loadtest -- compare a.json b.json`.
 * See loadtest/README.md (`npm run loadtest`) for what each scenario does and how to read the report.
 */
import os from "node:os"
import path from "node:path"
import { parseArgs } from "node:util"
import { listOf, wholeNumber } from "../lib/cli-options.ts"
import { endAll } from "../lib/processes.ts"
import { defaultReportDir } from "../lib/report.ts"
import { armWatchdog } from "../lib/watchdog.ts"
import { BASELINES, type BaselineId, startBaseline } from "./baselines.ts"
import { compareFiles } from "./compare.ts"
import { type LoadShape, runLoad } from "./driver.ts"
import { httpClient } from "./http.ts"
import { type HarnessReport, type RunJSON, textTable, writeReports } from "./report.ts"
import { browse, cart, mixed } from "./scenarios/catalog.ts"
import { checkout } from "./scenarios/checkout.ts"
import { flashSale } from "./scenarios/flash-sale.ts"
import { hotSku } from "./scenarios/hot-sku.ts"
import { type AuditCheck, check, type Scenario } from "./scenarios/types.ts"
import { openTarget, type Storage, type Target } from "./target.ts"

const scenarios: Record<string, Scenario> = { browse, cart, checkout, "hot-sku": hotSku, "flash-sale": flashSale, mixed }
const NAMES = [...Object.keys(scenarios), "baselines"]

const help = `npm run loadtest -- <scenario> [options]      scenarios: ${NAMES.join(", ")}
npm run loadtest -- compare a.json b.json      per-metric deltas of two reports

  --target URL            a running store (default: start a fresh one and stop it at the end)
  --storage S             the fresh store's storage: embedded (default) or redis+pg
  --duration-s N          run for N seconds (default 10 unless --requests)
  --requests N            run N operations (flash-sale: N shoppers)
  --connections N         sockets, and closed-loop workers without --rate (default 50)
  --rate R                open model: R operations started per second whatever the answers
  --seed N                seed of the request mix (default 42)
  --baseline LIST         also measure these in the same run: ${BASELINES.join(",")} (baselines scenario: all)
  --report-dir DIR        default loadtest/reports
  --admin-email/--admin-password   the --target's admin (or LOADTEST_ADMIN_EMAIL/_PASSWORD)
  --database-url/--redis-url       for redis+pg and the baselines (DATABASE_URL, REDIS_URL)
  --max-run-ms N          watchdog: FAILED past it (default: planned time + 180 s)
  --quiet                 no live progress line`

interface Options {
  readonly scenario: string
  readonly target: string | undefined
  readonly storage: Storage
  readonly durationS: number | undefined
  readonly requests: number | undefined
  readonly connections: number
  readonly rate: number | undefined
  readonly seed: number
  readonly baselines: ReadonlyArray<BaselineId>
  readonly reportDir: string
  readonly adminEmail: string | undefined
  readonly adminPassword: string | undefined
  readonly databaseUrl: string
  readonly redisUrl: string
  readonly maxRunMs: number
  readonly quiet: boolean
}

export const parseOptions = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env): Options | "help" | { compare: [string, string] } => {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      target: { type: "string" },
      storage: { type: "string" },
      "duration-s": { type: "string" },
      requests: { type: "string" },
      connections: { type: "string" },
      rate: { type: "string" },
      seed: { type: "string" },
      baseline: { type: "string" },
      "report-dir": { type: "string" },
      "admin-email": { type: "string" },
      "admin-password": { type: "string" },
      "database-url": { type: "string" },
      "redis-url": { type: "string" },
      "max-run-ms": { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false }
    }
  })
  if (values.help || positionals.length === 0) return "help"
  if (positionals[0] === "compare") {
    if (positionals.length !== 3) throw new Error("compare takes two report files")
    return { compare: [positionals[1]!, positionals[2]!] }
  }
  const scenario = positionals[0]!
  if (!NAMES.includes(scenario)) throw new Error(`unknown scenario "${scenario}" (${NAMES.join(", ")})`)
  if (positionals.length > 1) throw new Error(`unexpected arguments: ${positionals.slice(1).join(" ")}`)
  const storage = values.storage ?? "embedded"
  if (storage !== "embedded" && storage !== "redis+pg") throw new Error(`--storage must be embedded or redis+pg, got "${storage}"`)
  if (values["duration-s"] !== undefined && values.requests !== undefined) throw new Error("give --duration-s or --requests, not both")
  const requests = values.requests === undefined ? undefined : wholeNumber("requests", values.requests, 0, 1)
  const durationS = requests !== undefined ? undefined : wholeNumber("duration-s", values["duration-s"], 10, 1)
  const rate = values.rate === undefined ? undefined : Number(values.rate)
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0 && rate <= 1_000_000)) throw new Error(`--rate must be a number in (0, 1000000], got "${values.rate}"`)
  const connections = wholeNumber("connections", values.connections, 50, 1)
  if (connections > 10_000) throw new Error("--connections must be ≤ 10000")
  const baselines = scenario === "baselines" ? listOf("baseline", values.baseline, BASELINES, BASELINES) : values.baseline === undefined ? [] : listOf("baseline", values.baseline, BASELINES, [])
  const planned = (durationS ?? 60) * 1000 * (1 + baselines.length)
  return {
    scenario,
    target: values.target,
    storage,
    durationS,
    requests,
    connections,
    rate,
    seed: wholeNumber("seed", values.seed, 42, 0),
    baselines,
    reportDir: path.resolve(values["report-dir"] ?? defaultReportDir),
    adminEmail: values["admin-email"] ?? env["LOADTEST_ADMIN_EMAIL"],
    adminPassword: values["admin-password"] ?? env["LOADTEST_ADMIN_PASSWORD"],
    databaseUrl: values["database-url"] ?? (env["DATABASE_URL"] || "postgres://postgres@127.0.0.1:5432/test"),
    redisUrl: values["redis-url"] ?? (env["REDIS_URL"] || "redis://127.0.0.1:6379"),
    maxRunMs: wholeNumber("max-run-ms", values["max-run-ms"], planned + 180_000, 1000),
    quiet: values.quiet
  }
}

const progressLine = (quiet: boolean) => {
  if (quiet) return undefined
  const tty = process.stderr.isTTY
  return (line: string) => process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`)
}

export const run = async (o: Options): Promise<{ report: HarnessReport; files: { json: string; html: string } }> => {
  const startedAt = new Date()
  const log = (line: string) => console.log(line)
  const shape = (durationS: number | undefined, requests: number | undefined): LoadShape => ({ connections: o.connections, rate: o.rate, durationS, requests, progress: progressLine(o.quiet) })
  const runs: Array<RunJSON> = []
  const audit: Array<AuditCheck> = []
  let facts: Record<string, unknown> = {}
  let target: Target | undefined
  let measured = { durationS: o.durationS, requests: o.requests }
  try {
    if (o.scenario !== "baselines") {
      const scenario = scenarios[o.scenario]!
      log(`${o.scenario}: ${scenario.describe}`)
      target = await openTarget({ target: o.target, storage: o.storage, databaseUrl: o.databaseUrl, redisUrl: o.redisUrl, env: scenario.storeEnv, adminEmail: o.adminEmail, adminPassword: o.adminPassword })
      log(`target: ${target.describe} at ${target.base}`)
      const http = httpClient(target.base, o.connections)
      try {
        const workload = await scenario.setUp({ target, http, connections: o.connections, seed: o.seed, requests: o.requests, log })
        facts = workload.facts
        if (workload.fixedOperations !== undefined) measured = { durationS: undefined, requests: workload.fixedOperations }
        const result = await runLoad(o.scenario, shape(measured.durationS, measured.requests), workload.operation)
        if (!o.quiet && process.stderr.isTTY) process.stderr.write("\n")
        runs.push({ name: o.scenario, elapsedS: result.elapsedS, result: result.recorder.toJSON(result.elapsedS) })
        log("auditing…")
        audit.push(...(await workload.audit()))
      } finally {
        http.close()
      }
    }
    for (const id of o.baselines) {
      log(`baseline ${id}…`)
      const baseline = await startBaseline(id, o.connections, o.databaseUrl, o.redisUrl)
      try {
        const result = await runLoad(`baseline:${id}`, shape(measured.durationS, measured.requests), baseline.operation)
        if (!o.quiet && process.stderr.isTTY) process.stderr.write("\n")
        runs.push({ name: `baseline:${id}`, elapsedS: result.elapsedS, result: result.recorder.toJSON(result.elapsedS) })
        audit.push(...(await baseline.audit()))
      } finally {
        await baseline.close()
      }
    }
  } finally {
    if (target !== undefined) {
      await target.stop()
      await target.cleanup()
    }
  }
  const main = runs.find((r) => !r.name.startsWith("baseline:"))
  const ratios = main === undefined ? [] : runs.filter((r) => r.name.startsWith("baseline:")).map((b) => ({
    baseline: b.name.slice("baseline:".length),
    throughput: b.result.all.throughput === 0 ? 0 : main.result.all.throughput / b.result.all.throughput,
    p99: b.result.all.latency.p99Ms === 0 ? 0 : main.result.all.latency.p99Ms / b.result.all.latency.p99Ms
  }))
  // A run in which no operation succeeded measured nothing but its failures.
  for (const r of runs) {
    const succeeded = r.result.all.count - r.result.all.errors
    audit.push(check(`${r.name}: operations succeeded`, succeeded > 0, `${succeeded} of ${r.result.all.count} without an unexpected failure${r.result.dropped > 0 ? `; ${r.result.dropped} dropped (backlog full)` : ""}`))
  }
  const { reportDir: _dir, maxRunMs: _max, ...shown } = o
  const report: HarnessReport = {
    kind: "loadtest",
    scenario: o.scenario,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: shown,
    machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() },
    target: target?.describe ?? "baselines only",
    facts,
    runs,
    ratios,
    audit,
    passed: audit.every((c) => c.passed)
  }
  return { report, files: writeReports(o.reportDir, report) }
}

const main = async () => {
  let parsed: ReturnType<typeof parseOptions>
  try {
    parsed = parseOptions(process.argv.slice(2))
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    console.error(help)
    process.exit(2)
  }
  if (parsed === "help") {
    console.log(help)
    return
  }
  if ("compare" in parsed) {
    console.log(compareFiles(...parsed.compare))
    return
  }
  const options = parsed
  armWatchdog(options.maxRunMs, () => {})
  process.once("SIGINT", () => {
    endAll("SIGTERM")
    process.exit(130)
  })
  const { report, files } = await run(options)
  console.log("")
  console.log(textTable(report))
  console.log(`report: ${files.json}\n        ${files.html}`)
  process.exit(report.passed ? 0 : 1)
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((error: unknown) => {
    console.error("FAILED:", error instanceof Error ? (error.stack ?? error.message) : error)
    endAll("SIGKILL")
    process.exit(1)
  })
}
