/** What a benchmark report says about the machine, and writing the report. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import os from "node:os"
import path from "node:path"
import { repoRoot } from "./processes.ts"

export interface MachineInfo {
  readonly cpus: number
  readonly cpuModel: string
  readonly node: string
  readonly wrk: string | null
  readonly autocannon: string
  readonly loadAverageBefore: ReadonlyArray<number>
  readonly loadAverageAfter: ReadonlyArray<number>
}

/** The machine now; `loadAverageBefore` as read when the run began. */
export const machineInfo = (wrkVersion: string | undefined, loadAverageBefore: ReadonlyArray<number>): MachineInfo => ({
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  node: process.version,
  wrk: wrkVersion ?? null,
  autocannon: (JSON.parse(readFileSync(path.join(repoRoot, "node_modules", "autocannon", "package.json"), "utf8")) as { version: string }).version,
  loadAverageBefore,
  loadAverageAfter: os.loadavg()
})

/** The default --report-dir. */
export const defaultReportDir = path.join(repoRoot, "loadtest", "reports")

/** Write `report` as `<dir>/<name>-<startedAt>.json`; returns the file's path. */
export const writeReport = (dir: string, name: string, startedAt: Date, report: unknown): string => {
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${name}-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`)
  writeFileSync(file, JSON.stringify(report, null, 2))
  return file
}

/** `load average before … , after …` as the benchmarks print it. */
export const loadAverageLine = (machine: MachineInfo): string =>
  `load average before ${machine.loadAverageBefore.map((n) => n.toFixed(2)).join(" ")}, after ${machine.loadAverageAfter.map((n) => n.toFixed(2)).join(" ")}`

/** The fields every benchmark report begins with, in order: kind, startedAt, finishedAt (now), options, machine. */
export const reportHeader = <K extends string, O>(kind: K, startedAt: Date, options: O, wrkVersion: string | undefined, loadAverageBefore: ReadonlyArray<number>) => ({
  kind,
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  options,
  machine: machineInfo(wrkVersion, loadAverageBefore)
})
