/** The end of a run: the table, the JSON report and a self-contained HTML report (inline SVG, no CDN). */
import { mkdirSync, writeFileSync } from "node:fs"
import path from "node:path"
import type { HistogramJSON } from "../histogram.ts"
import type { RecorderJSON, SecondJSON } from "./recorder.ts"
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
const W = 680
const H = 230
const L = 56
const R = 16
const T = 34
const B = 36
const num = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toPrecision(2))

/** Frame, y grid (0, ½, max) with labels, x labels, title and legend (above the plot). */
const frame = (title: string, xLabel: string, maxY: number, xTicks: ReadonlyArray<readonly [number, string]>, legend: ReadonlyArray<{ name: string; color: string }>, body: string) => {
  const grid = [0, 0.5, 1]
    .map((f) => {
      const y = H - B - f * (H - T - B)
      return `<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" stroke="#e4e4e4"/><text x="${L - 4}" y="${y + 4}" font-size="10" text-anchor="end">${num(f * maxY)}</text>`
    })
    .join("")
  const ticks = xTicks.map(([x, label]) => `<text x="${x.toFixed(1)}" y="${H - B + 14}" font-size="10" text-anchor="${x <= L + 1 ? "start" : x >= W - R - 1 ? "end" : "middle"}">${esc(label)}</text>`).join("")
  const keys = legend.map((k, i) => `<rect x="${L + 10 + 80 * i}" y="${T - 14}" width="10" height="3" fill="${k.color}"/><text x="${L + 24 + 80 * i}" y="${T - 10}" font-size="11">${esc(k.name)}</text>`).join("")
  return `<figure><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">${grid}${body}<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#bbb"/>${ticks}${keys}<text x="${(L + W - R) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">${esc(xLabel)}</text></svg></figure>`
}

/** Lines over the seconds of a run; a point is left out where `skip` says (a second without answers has no latency). */
const timeChart = (title: string, seconds: ReadonlyArray<SecondJSON>, series: ReadonlyArray<{ name: string; color: string; value: (s: SecondJSON) => number; skip?: (s: SecondJSON) => boolean }>) => {
  const n = Math.max(1, seconds.length)
  const maxY = Math.max(1e-9, ...series.flatMap((k) => seconds.filter((s) => !(k.skip?.(s) ?? false)).map(k.value)))
  const px = (t: number) => L + (n === 1 ? 0.5 : (t - 1) / (n - 1)) * (W - L - R)
  const py = (v: number) => H - B - (v / maxY) * (H - T - B)
  const body = series
    .map((k) => {
      // A gap (a second without answers) splits the line.
      const runs: Array<Array<string>> = [[]]
      for (const s of seconds) {
        if (k.skip?.(s) ?? false) runs.push([])
        else runs[runs.length - 1]!.push(`${px(s.t).toFixed(1)},${py(k.value(s)).toFixed(1)}`)
      }
      return runs
        .filter((r) => r.length > 0)
        .map((r) => (r.length === 1 ? `<circle cx="${r[0]!.split(",")[0]}" cy="${r[0]!.split(",")[1]}" r="2" fill="${k.color}"/>` : `<polyline fill="none" stroke="${k.color}" stroke-width="1.5" points="${r.join(" ")}"/>`))
        .join("")
    })
    .join("")
  const ticks: Array<readonly [number, string]> = [[px(1), "1 s"], [px(n), `${n} s`]]
  return frame(title, "second of the run", maxY, ticks, series, body)
}

/** Bars of the histogram's counts regrouped into 60 log-spaced bins between its min and max. */
const histogramChart = (title: string, latency: HistogramJSON) => {
  const bins = 60
  const lo = Math.log10(Math.max(latency.minMs, 0.001))
  const hi = Math.max(lo + 1e-6, Math.log10(Math.max(latency.maxMs, 0.001)))
  const counts = new Array<number>(bins).fill(0)
  for (const [us, c] of latency.buckets) {
    const x = Math.log10(Math.max(us / 1000, 0.001))
    counts[Math.min(bins - 1, Math.max(0, Math.floor(((x - lo) / (hi - lo)) * bins)))]! += c
  }
  const maxY = Math.max(1, ...counts)
  const w = (W - L - R) / bins
  const body = counts.map((c, i) => (c === 0 ? "" : `<rect x="${(L + i * w + 0.5).toFixed(1)}" y="${(H - B - (c / maxY) * (H - T - B)).toFixed(1)}" width="${Math.max(1, w - 1).toFixed(1)}" height="${((c / maxY) * (H - T - B)).toFixed(1)}" fill="#1f77b4"/>`)).join("")
  const at = (ms: number) => L + ((Math.log10(Math.max(ms, 0.001)) - lo) / (hi - lo)) * (W - L - R)
  const marks = ([["p50", latency.p50Ms], ["p99", latency.p99Ms]] as const)
    .map(([name, ms]) => `<line x1="${at(ms).toFixed(1)}" x2="${at(ms).toFixed(1)}" y1="${T}" y2="${H - B}" stroke="#d62728" stroke-dasharray="3,2"/><text x="${(at(ms) + (at(ms) > W - R - 90 ? -3 : 3)).toFixed(1)}" y="${T + (name === "p50" ? 12 : 24)}" font-size="10" fill="#d62728" text-anchor="${at(ms) > W - R - 90 ? "end" : "start"}">${name} ${num(ms)} ms</text>`)
    .join("")
  const ticks: Array<readonly [number, string]> = [[L, `${num(latency.minMs)} ms`], [W - R, `${num(latency.maxMs)} ms`]]
  return frame(title, "latency (log scale)", maxY, ticks, [{ name: "operations", color: "#1f77b4" }], body + marks)
}

export const htmlReport = (report: HarnessReport): string => {
  const charts = report.runs.map((run) => {
    const seconds = run.result.seconds
    const empty = (s: SecondJSON) => s.count === 0
    const over = timeChart(`${run.name}: latency of the operations answered in each second (ms)`, seconds, [
      { name: "p50", color: "#1f77b4", value: (s) => s.p50Ms, skip: empty },
      { name: "p99", color: "#d62728", value: (s) => s.p99Ms, skip: empty },
      { name: "max", color: "#9467bd", value: (s) => s.maxMs, skip: empty }
    ])
    const rate = timeChart(`${run.name}: operations and errors per second`, seconds, [
      { name: "ops/s", color: "#2ca02c", value: (s) => s.count },
      { name: "errors/s", color: "#d62728", value: (s) => s.errors }
    ])
    return `<h2>${esc(run.name)}</h2>${over}${rate}${histogramChart(`${run.name}: latency histogram (operations per bin)`, run.result.all.latency)}`
  })
  return `<!doctype html><html><head><meta charset="utf-8"><title>loadtest ${esc(report.scenario)} ${esc(report.startedAt)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1000px}pre{background:#f6f6f6;padding:1em;overflow-x:auto}figure{margin:1em 0}figcaption{font-size:13px;margin-bottom:4px}.fail{color:#b00}.ok{color:#070}</style></head><body>
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
