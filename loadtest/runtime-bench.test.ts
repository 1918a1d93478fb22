import { spawnSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { Redis } from "ioredis"
import { afterAll, describe, expect, it } from "vitest"
import type { BenchReport } from "./runtime-bench.ts"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const redisUrl = process.env.REDIS_URL_TEST ?? process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
const reportDir = mkdtempSync(path.join(os.tmpdir(), "runtime-bench-"))

afterAll(() => rmSync(reportDir, { recursive: true, force: true }))

describe("runtime benchmark, quick mode", () => {
  it("runs every phase, passes its audit, writes the report and leaves no Redis keys behind", async () => {
    const began = Date.now()
    const child = spawnSync(
      process.execPath,
      ["--expose-gc", "--import", "tsx", "loadtest/runtime-bench.ts", "--quick", "--report-dir", reportDir, "--redis-url", redisUrl, "--max-run-ms", "60000"],
      { cwd: repoRoot, encoding: "utf8", timeout: 70_000 }
    )
    const output = `${child.stdout}\n${child.stderr}`
    expect(child.status, output).toBe(0)
    expect(child.stdout).toContain("audit: PASSED")
    expect(child.stdout).not.toContain("FAILED")
    expect(Date.now() - began).toBeLessThan(20_000)

    const files = readdirSync(reportDir).filter((f) => /^runtime-bench-.*\.json$/.test(f))
    expect(files).toHaveLength(1)
    const report = JSON.parse(readFileSync(path.join(reportDir, files[0]!), "utf8")) as BenchReport
    expect(report.audit.passed).toBe(true)
    expect(report.audit.entries.map((e) => e.phase).sort()).toEqual(["baseline w=200", "hot w=200", "memory", "recovery", "spread w=200"])
    for (const entry of report.audit.entries) expect(entry.passed, entry.detail).toBe(true)
    for (const scenario of ["hot", "spread", "baseline"] as const) {
      const row = report.rows.find((r) => r.scenario === scenario)!
      expect(row.acked).toBeGreaterThan(0)
      expect(row.errors).toBe(0)
      expect(row.latency.count).toBe(row.measuredAcks)
      expect(row.throughputPerS).toBeGreaterThan(0)
    }
    expect(report.memory?.resident).toBe(report.options.memoryActors)
    expect(report.recovery?.stateSum).toBe(report.recovery?.acked)
    expect(report.recovery?.recoveredEvents).toBe(report.options.recoveryEvents)

    const redis = new Redis(redisUrl)
    try {
      const [, left] = await redis.scan("0", "MATCH", `${report.prefix}:*`, "COUNT", 100_000)
      expect(left).toEqual([])
      expect(report.deletedKeys).toBeGreaterThan(0)
    } finally {
      await redis.quit()
    }
  }, 80_000)
})
