import { spawnSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { checkSku, type HotSkuReport } from "./hot-sku-bench.ts"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const reportDir = mkdtempSync(path.join(os.tmpdir(), "hot-sku-bench-"))

afterAll(() => rmSync(reportDir, { recursive: true, force: true }))

describe("hot-SKU audit rule", () => {
  const count = (reserved: number, records?: number) => ({ stock: 100, reserved, records })
  it("accepts every acked reservation present, plus requests cut off at the end", () => {
    expect(checkSku(count(10), 10, 0)).toEqual([])
    expect(checkSku(count(12), 10, 2)).toEqual([])
    expect(checkSku(count(11, 11), 10, 2)).toEqual([])
  })
  it("flags lost, extra and oversold reservations and a counter that disagrees with the records", () => {
    expect(checkSku(count(9), 10, 5).join()).toContain("LOST")
    expect(checkSku(count(13), 10, 2).join()).toContain("EXTRA")
    expect(checkSku(count(101), 101, 0).join()).toContain("OVERSOLD")
    expect(checkSku(count(10, 9), 10, 0).join()).toContain("recorded")
  })
})

// Performance goals are the benchmark's business, not a unit test's: this checks that quick mode
// measures every target, audits every SKU it used with success, and writes its report.
describe("hot-SKU benchmark, quick mode", () => {
  it("measures the store (both storage modes) and both baselines, every audit passes, the report is written", () => {
    const began = Date.now()
    const child = spawnSync(process.execPath, ["--import", "tsx", "loadtest/hot-sku-bench.ts", "--quick", "--report-dir", reportDir, "--max-run-ms", "120000"], {
      cwd: repoRoot,
      encoding: "utf8",
      timeout: 130_000
    })
    const output = `${child.stdout}\n${child.stderr}`
    expect(child.status, output).toBe(0)
    expect(child.stdout).not.toContain("FAILED")
    expect(Date.now() - began).toBeLessThan(58_000)

    const files = readdirSync(reportDir).filter((f) => /^hot-sku-.*\.json$/.test(f))
    expect(files).toHaveLength(1)
    const report = JSON.parse(readFileSync(path.join(reportDir, files[0]!), "utf8")) as HotSkuReport
    expect(report.kind).toBe("hot-sku-bench")
    expect(report.auditPassed).toBe(true)
    expect(report.rows.map((r) => r.target).sort()).toEqual(["postgres", "redis", "store-embedded", "store-production"])
    for (const row of report.rows) {
      expect(row.result.ok, row.label).toBeGreaterThan(0)
      expect(row.audit.ok, row.label).toBe(true)
    }
    // Every SKU used (probe and measured, per target) is audited after its run and again at the end.
    const skus = new Set(report.audits.map((a) => `${a.target}|${a.sku}`))
    expect(skus.size).toBe(8)
    for (const when of ["after-run", "final"] as const) expect(report.audits.filter((a) => a.when === when)).toHaveLength(8)
    for (const a of report.audits) expect(a.problems, `${a.when} ${a.target} ${a.sku}`).toEqual([])
    expect(report.ratios).toHaveLength(2)
  }, 140_000)
})
