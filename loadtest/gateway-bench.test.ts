import { spawnSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import type { GatewayBenchReport } from "./gateway-bench.ts"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const reportDir = mkdtempSync(path.join(os.tmpdir(), "gateway-bench-"))

afterAll(() => rmSync(reportDir, { recursive: true, force: true }))

// Performance goals are the benchmark's business, not a unit test's: this checks that quick mode
// runs every target with every available tool, cleanly, and writes its report.
describe("gateway benchmark, quick mode", () => {
  it("measures every target with 0 errors and 0 non-2xx answers and writes the report", () => {
    const child = spawnSync(process.execPath, ["--import", "tsx", "loadtest/gateway-bench.ts", "--quick", "--report-dir", reportDir, "--max-run-ms", "100000"], {
      cwd: repoRoot,
      encoding: "utf8",
      timeout: 110_000
    })
    const output = `${child.stdout}\n${child.stderr}`
    expect(child.status, output).toBe(0)
    expect(child.stdout).not.toContain("FAILED")

    const files = readdirSync(reportDir).filter((f) => /^gateway-bench-.*\.json$/.test(f))
    expect(files).toHaveLength(1)
    const report = JSON.parse(readFileSync(path.join(reportDir, files[0]!), "utf8")) as GatewayBenchReport
    expect(report.kind).toBe("gateway-bench")
    expect(report.clean).toBe(true)
    const tools = report.machine.wrk === null ? ["autocannon"] : ["wrk", "autocannon"]
    expect([...report.options.tools].sort()).toEqual([...tools].sort())
    expect(report.rows).toHaveLength(tools.length * 4)
    for (const tool of tools) {
      const targets = report.rows.filter((r) => r.tool === tool).map((r) => r.target)
      expect(targets.sort()).toEqual(["bare-node-http", "bare-uws", "gateway-healthz", "gateway-me"])
    }
    for (const row of report.rows) {
      expect(row.errors, `${row.tool} ${row.label}`).toBe(0)
      expect(row.non2xx, `${row.tool} ${row.label}`).toBe(0)
      expect(row.ok).toBeGreaterThan(0)
      expect(row.requestsPerS).toBeGreaterThan(0)
      expect(row.p99Ms).toBeGreaterThanOrEqual(row.p50Ms)
    }
    // Both paths get both ratios for every tool (values not asserted).
    expect(report.ratios).toHaveLength(tools.length * 2)
    for (const ratio of report.ratios) {
      expect(ratio.vsBareUws).toBeGreaterThan(0)
      expect(ratio.vsBareNodeHttp).toBeGreaterThan(0)
    }
  }, 120_000)
})
