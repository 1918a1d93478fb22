/** `npm run loadtest -- compare a.json b.json`: per-run, per-kind deltas of two reports (b against a). */
import { readFileSync } from "node:fs"
import type { HarnessReport } from "./report.ts"
import type { KindJSON } from "./recorder.ts"
import { fixed, table } from "../lib/table.ts"

const metrics: ReadonlyArray<readonly [string, (k: KindJSON) => number]> = [
  ["ops/s", (k) => k.throughput],
  ["p50 ms", (k) => k.latency.p50Ms],
  ["p90 ms", (k) => k.latency.p90Ms],
  ["p99 ms", (k) => k.latency.p99Ms],
  ["max ms", (k) => k.latency.maxMs],
  ["errors", (k) => k.errors]
]

const kindsOf = (r: HarnessReport) => {
  const out = new Map<string, KindJSON>()
  for (const run of r.runs) for (const k of [run.result.all, ...run.result.kinds, ...run.result.parts]) out.set(`${run.name} ${k.kind}`, k)
  return out
}

export const compareReports = (a: HarnessReport, b: HarnessReport): string => {
  const ka = kindsOf(a)
  const kb = kindsOf(b)
  const rows: Array<Array<string>> = []
  for (const [name, x] of ka) {
    const y = kb.get(name)
    if (y === undefined) continue
    for (const [metric, f] of metrics) {
      const va = f(x)
      const vb = f(y)
      const delta = va === 0 ? (vb === 0 ? "0%" : "new") : `${vb >= va ? "+" : ""}${(((vb - va) / va) * 100).toFixed(1)}%`
      rows.push([name, metric, fixed(va, 2), fixed(vb, 2), delta])
    }
  }
  const header = `a: ${a.scenario} ${a.startedAt} (${a.passed ? "PASSED" : "FAILED"})\nb: ${b.scenario} ${b.startedAt} (${b.passed ? "PASSED" : "FAILED"})`
  return `${header}\n\n${table(["run kind", "metric", "a", "b", "b vs a"], [30, 8, 12, 12, 8], new Set([0, 1]), rows)}`
}

export const compareFiles = (fileA: string, fileB: string): string => {
  const read = (f: string) => {
    const r = JSON.parse(readFileSync(f, "utf8")) as HarnessReport
    if (r.kind !== "loadtest") throw new Error(`${f} is not a loadtest report`)
    return r
  }
  return compareReports(read(fileA), read(fileB))
}
