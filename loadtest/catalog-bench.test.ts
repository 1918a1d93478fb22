import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { type CatalogBenchReport, parseOptions } from "./catalog-bench.ts"
import { wrkInstalled } from "./lib/wrk.ts"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const reportDir = mkdtempSync(path.join(os.tmpdir(), "catalog-bench-"))

afterAll(() => rmSync(reportDir, { recursive: true, force: true }))

describe("catalog benchmark options", () => {
  it("defaults to the 100,000-product catalog in a kept database, and quick mode to a scratch one", () => {
    const full = parseOptions([], {})
    if (full === "help") throw new Error("help")
    expect(full).toMatchObject({ products: 100_000, shoppers: 10_000, clients: 20, scratch: false, restartAudit: true, redisPrefix: "catalogbench" })
    expect(full.databaseUrl).toBe("postgres://postgres@127.0.0.1:5432/catalogbench")
    const quick = parseOptions(["--quick"], {})
    if (quick === "help") throw new Error("help")
    expect(quick).toMatchObject({ products: 300, scratch: true, restartAudit: false, durationS: 2, warmupS: 0 })
    expect(quick.databaseUrl).toBe("postgres://postgres@127.0.0.1:5432/test")
    expect(quick.redisPrefix).toMatch(/^bench:catalog:/)
    expect(() => parseOptions(["--parts", "checkout"], {})).toThrow(/unknown "checkout"/)
  })
})

// Performance goals are the benchmark's business, not a unit test's: quick mode must seed its
// scratch catalog, measure every part the store has, pass the cart audit (also after a kill -9
// and restart) and write its report. Its load generator is wrk (Debian package): without it the run is skipped, said here.
const wrkMissing = wrkInstalled() === undefined
if (wrkMissing) console.warn("catalog benchmark quick mode skipped: wrk is not installed (apt-get install -y wrk)")
describe.skipIf(wrkMissing)("catalog benchmark, quick mode", () => {
  it("measures every part, the cart audit passes before and after a restart, the report is written", async () => {
    // Asynchronously: a run takes minutes on a loaded machine, and the test worker must keep answering meanwhile.
    const { status, output } = await new Promise<{ status: number | null; output: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "loadtest/catalog-bench.ts", "--quick", "--restart-audit", "--report-dir", reportDir, "--max-run-ms", "200000"],
        { cwd: repoRoot, env: { ...process.env, DATABASE_URL: "", REDIS_URL: "" }, stdio: ["ignore", "pipe", "pipe"] }
      )
      let output = ""
      child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d))
      child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d))
      const timer = setTimeout(() => child.kill("SIGTERM"), 280_000)
      child.once("exit", (code) => {
        clearTimeout(timer)
        resolve({ status: code, output })
      })
    })
    expect(status, output).toBe(0)
    expect(output).not.toContain("FAILED")
    const files = readdirSync(reportDir).filter((f) => /^catalog-bench-.*\.json$/.test(f))
    expect(files).toHaveLength(1)
    const report = JSON.parse(readFileSync(path.join(reportDir, files[0]!), "utf8")) as CatalogBenchReport
    expect(report.kind).toBe("catalog-bench")
    expect(report.clean).toBe(true)
    const measured = new Set(report.rows.map((r) => r.part))
    for (const part of ["product", "search", "autocomplete", "cart"] as const) {
      expect(measured.has(part) || report.skipped.some((s) => s.part === part), part).toBe(true)
    }
    expect(report.rows.find((r) => r.target === "bare-uws")).toBeDefined()
    if (measured.has("cart")) {
      expect(report.audits.map((a) => a.when)).toEqual(["after the load", "after kill -9 and restart"])
      for (const a of report.audits) expect(a.passed, a.when).toBe(true)
    }
  }, 300_000)
})
