import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { type CheckoutBenchReport, parseOptions } from "./checkout-bench.ts"
import { cardNumberFor } from "./checkout/setup.ts"
import { luhnValid, behaviourOf } from "../provider/cards.ts"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const reportDir = mkdtempSync(path.join(os.tmpdir(), "checkout-bench-"))

afterAll(() => rmSync(reportDir, { recursive: true, force: true }))

describe("checkout benchmark options and cards", () => {
  it("defaults to 50 and 500 shoppers over both scenarios and both targets; quick mode to seconds", () => {
    const full = parseOptions([], {})
    if (full === "help") throw new Error("help")
    expect(full).toMatchObject({ concurrency: [50, 500], scenarios: ["spread", "hot"], targets: ["store", "baseline"], providerLatencyMs: "20-50", fraud: "on", durationS: 10 })
    const quick = parseOptions(["--quick"], {})
    if (quick === "help") throw new Error("help")
    expect(quick).toMatchObject({ concurrency: [4, 16], durationS: 2, warmupS: 0, skus: 20 })
    expect(() => parseOptions(["--scenarios", "cold"], {})).toThrow(/unknown "cold"/)
    expect(() => parseOptions(["--provider-latency-ms", "fast"], {})).toThrow(/provider-latency-ms/)
    expect(() => parseOptions(["--concurrency", "0"], {})).toThrow(/concurrency/)
  })

  it("gives every shopper a Luhn-valid card the simulator approves", () => {
    const numbers = Array.from({ length: 500 }, (_, i) => cardNumberFor(i))
    for (const n of numbers) {
      expect(luhnValid(n), n).toBe(true)
      expect(behaviourOf(n), n).toBe("approve")
    }
    expect(new Set(numbers).size).toBe(numbers.length)
  })
})

// Performance goals are the benchmark's business, not a unit test's: quick mode must start the
// simulator, the store and the baseline, run every scenario at two concurrencies, pass the audit
// (orders, stock, one capture per order) for both targets and write its report.
describe("checkout benchmark, quick mode", () => {
  it("measures store and baseline, the audit passes, the report is written", async () => {
    const { status, output } = await new Promise<{ status: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "loadtest/checkout-bench.ts", "--quick", "--report-dir", reportDir, "--max-run-ms", "100000"], {
        cwd: repoRoot,
        env: { ...process.env, DATABASE_URL: "", REDIS_URL: "" },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let output = ""
      child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d))
      child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d))
      const timer = setTimeout(() => child.kill("SIGTERM"), 110_000)
      child.once("exit", (code) => {
        clearTimeout(timer)
        resolve({ status: code, output })
      })
    })
    expect(status, output).toBe(0)
    expect(output).not.toContain("FAILED")
    const files = readdirSync(reportDir).filter((f) => /^checkout-bench-.*\.json$/.test(f))
    expect(files).toHaveLength(1)
    const report = JSON.parse(readFileSync(path.join(reportDir, files[0]!), "utf8")) as CheckoutBenchReport
    expect(report.kind).toBe("checkout-bench")
    expect(report.clean).toBe(true)
    expect(report.rows).toHaveLength(8)
    for (const row of report.rows) expect(row.placed, `${row.target} ${row.scenario} ${row.concurrency}`).toBeGreaterThan(0)
    expect(report.audits.map((a) => a.target)).toEqual(["store", "baseline"])
    for (const a of report.audits) {
      expect(a.passed, a.problems.join("\n")).toBe(true)
      expect(a.acknowledged).toBeGreaterThan(0)
      expect(a.payments).toBeGreaterThanOrEqual(a.orders)
    }
  }, 120_000)
})
