/** The end of a run: the table, the JSON report and a self-contained HTML report (inline SVG, no CDN). */
import { mkdirSync, writeFileSync } from "node:fs"
import path from "node:path"
import type { RecorderJSON } from "./recorder.ts"
import type { AuditCheck } from "./scenarios/types.ts"
import { fixed, table, thousands } from "../lib/table.ts"

export interface RunJSON {
  /** The scenario's name, or `baseline:<id>`. */
  readonly name: string
  readonly elapsedS: number
  readonly result: RecorderJSON
}

export interface HarnessReport {
  readonly kind: "loadtest"
  readonly scenario: string
  readonly startedAt: string
  readonly finishedAt: string
  readonly options: Record<string, unknown>
  readonly machine: { readonly cpus: number; readonly node: string; readonly loadAverage: ReadonlyArray<number> }
  readonly target: string
  readonly facts: Record<string, unknown>
  readonly runs: ReadonlyArray<RunJSON>
  /** Per baseline: the scenario's throughput and p99 over the baseline's. */
  readonly ratios: ReadonlyArray<{ readonly baseline: string; readonly throughput: number; readonly p99: number }>
  readonly audit: ReadonlyArray<AuditCheck>
  readonly passed: boolean
}

const rowsOf = (run: RunJSON) =>
  [run.result.all, ...(run.result.kinds.length > 1 ? run.result.kinds : []), ...run.result.parts].map((k, i) => [
    i === 0 ? run.name : `  ${run.result.parts.includes(k) ? "part " : ""}${k.kind}`,
    thousands(k.count),
    fixed(k.throughput, 0),
    fixed(k.latency.p50Ms, 2),
    fixed(k.latency.p90Ms, 2),
    fixed(k.latency.p99Ms, 2),
    fixed(k.latency.maxMs, 1),
    thousands(k.errors + (i === 0 ? run.result.dropped : 0)),
    Object.entries(k.outcomes)
      .map(([o, n]) => `${o}×${n}`)
      .join(" ")
      .slice(0, 60)
  ])

export const textTable = (report: HarnessReport): string => {
  const main = table(["run", "ops", "ops/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "non-2xx by status/code"], [26, 9, 8, 8, 8, 8, 8, 7, 30], new Set([0, 8]), report.runs.flatMap(rowsOf))
  const ratios = report.ratios.map((r) => `${report.scenario} ÷ ${r.baseline}: throughput ×${r.throughput.toFixed(3)}, p99 ×${r.p99.toFixed(2)}`)
  const audit = report.audit.map((c) => `${c.passed ? "ok    " : "FAILED"} ${c.name}: ${c.detail}`)
  return [main, "", ...ratios, ...(ratios.length > 0 ? [""] : []), "audit:", ...(audit.length > 0 ? audit : ["(nothing to audit in this scenario)"]), "", report.passed ? "PASSED" : "FAILED"].join("\n")
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
const W = 640
const H = 220
const PAD = 40

/** A polyline chart of series over x; y from 0 to the max. */
const lineChart = (title: string, xLabel: string, yLabel: string, series: ReadonlyArray<{ name: string; color: string; points: ReadonlyArray<readonly [number, number]> }>, logX = false) => {
  const all = series.flatMap((s) => s.points)
  const fx = (x: number) => (logX ? Math.log10(Math.max(x, 0.001)) : x)
  const xs = all.map(([x]) => fx(x))
  const minX = xs.length > 0 ? Math.min(...xs) : 0
  const maxX = xs.length > 0 ? Math.max(...xs, minX + 1e-9) : 1
  const maxY = Math.max(1e-9, ...all.map(([, y]) => y))
  const px = (x: number) => PAD + ((fx(x) - minX) / (maxX - minX || 1)) * (W - 2 * PAD)
  const py = (y: number) => H - PAD + -(y / maxY) * (H - 2 * PAD)
  const lines = series
    .map((s) => `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ")}"/>`)
    .join("")
  const legend = series.map((s, i) => `<text x="${W - PAD - 120}" y="${PAD + 14 * i}" fill="${s.color}" font-size="11">${esc(s.name)}</text>`).join("")
  const minLabel = logX ? (10 ** minX).toPrecision(2) : minX.toFixed(0)
  const maxLabel = logX ? (10 ** maxX).toPrecision(3) : maxX.toFixed(0)
  return `<figure><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect x="${PAD}" y="${PAD}" width="${W - 2 * PAD}" height="${H - 2 * PAD}" fill="none" stroke="#ccc"/>${lines}${legend}
<text x="${PAD}" y="${H - PAD + 14}" font-size="10">${minLabel}</text><text x="${W - PAD}" y="${H - PAD + 14}" font-size="10" text-anchor="end">${maxLabel}</text>
<text x="${W / 2}" y="${H - 8}" font-size="11" text-anchor="middle">${esc(xLabel)}</text>
<text x="4" y="${PAD - 8}" font-size="11">${esc(yLabel)} (max ${maxY.toPrecision(3)})</text></svg></figure>`
}

const colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

export const htmlReport = (report: HarnessReport): string => {
  const charts = report.runs.map((run) => {
    const over = lineChart(`${run.name}: latency over time`, "second of the run", "ms", [
      { name: "p50", color: colors[0]!, points: run.result.seconds.map((s) => [s.t, s.p50Ms] as const) },
      { name: "p99", color: colors[1]!, points: run.result.seconds.map((s) => [s.t, s.p99Ms] as const) },
      { name: "max", color: colors[3]!, points: run.result.seconds.map((s) => [s.t, s.maxMs] as const) }
    ])
    const rate = lineChart(`${run.name}: operations and errors per second`, "second of the run", "per second", [
      { name: "ops/s", color: colors[2]!, points: run.result.seconds.map((s) => [s.t, s.count] as const) },
      { name: "errors/s", color: colors[1]!, points: run.result.seconds.map((s) => [s.t, s.errors] as const) }
    ])
    const histogram = lineChart(
      `${run.name}: latency histogram (count per bucket, log x)`,
      "latency ms",
      "count",
      [{ name: "all", color: colors[0]!, points: run.result.all.latency.buckets.map(([us, n]) => [us / 1000, n] as const) }],
      true
    )
    return `<h2>${esc(run.name)}</h2>${over}${rate}${histogram}`
  })
  return `<!doctype html><html><head><meta charset="utf-8"><title>loadtest ${esc(report.scenario)} ${esc(report.startedAt)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1000px}pre{background:#f6f6f6;padding:1em;overflow-x:auto}figure{margin:1em 0}.fail{color:#b00}.ok{color:#070}</style></head><body>
<h1>loadtest ${esc(report.scenario)}: <span class="${report.passed ? "ok" : "fail"}">${report.passed ? "PASSED" : "FAILED"}</span></h1>
<p>${esc(report.startedAt)} → ${esc(report.finishedAt)}; ${esc(report.target)}; ${report.machine.cpus} CPUs, node ${esc(report.machine.node)}, load average ${report.machine.loadAverage.map((n) => n.toFixed(2)).join(" ")}</p>
<p>options: <code>${esc(JSON.stringify(report.options))}</code><br>set up: <code>${esc(JSON.stringify(report.facts))}</code></p>
<pre>${esc(textTable(report))}</pre>
${charts.join("\n")}
</body></html>`
}

/** Write `<dir>/loadtest-<scenario>-<time>.json` and `.html`; returns both paths. */
export const writeReports = (dir: string, report: HarnessReport) => {
  mkdirSync(dir, { recursive: true })
  const stem = path.join(dir, `loadtest-${report.scenario}-${report.startedAt.replace(/[:.]/g, "-")}`)
  writeFileSync(`${stem}.json`, JSON.stringify(report, null, 2))
  writeFileSync(`${stem}.html`, htmlReport(report))
  return { json: `${stem}.json`, html: `${stem}.html` }
}
