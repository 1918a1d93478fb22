/** Parsing of the benchmarks' command-line values. */
import path from "node:path"
import { defaultReportDir } from "./report.ts"

/** An integer option ≥ `min`, or `fallback` when not given. */
export const wholeNumber = (name: string, raw: string | undefined, fallback: number, min: number): number => {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got "${raw}"`)
  return n
}

/** A comma-separated list of `allowed` values, or `fallback` when not given. */
export const listOf = <T extends string>(name: string, raw: string | undefined, allowed: ReadonlyArray<T>, fallback: ReadonlyArray<T>): ReadonlyArray<T> => {
  if (raw === undefined) return fallback
  const items = raw.split(",").map((s) => s.trim()).filter((s) => s !== "")
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`--${name}: unknown "${item}" (allowed: ${allowed.join(", ")})`)
  if (items.length === 0) throw new Error(`--${name} is empty`)
  return items as Array<T>
}

/** The options every HTTP benchmark takes, as `parseArgs` wants them; a benchmark adds its own. */
export const commonOptionSpecs = {
  quick: { type: "boolean", default: false },
  connections: { type: "string" },
  tools: { type: "string" },
  targets: { type: "string" },
  "warmup-s": { type: "string" },
  "duration-s": { type: "string" },
  "wrk-threads": { type: "string" },
  "report-dir": { type: "string" },
  "max-run-ms": { type: "string" },
  "profile-dir": { type: "string" },
  help: { type: "boolean", default: false }
} as const

export const TOOLS = ["wrk", "autocannon"] as const
export type Tool = (typeof TOOLS)[number]

/** --tools: the load generators, `available` when not given; wrk only when installed. */
export const toolsOf = (raw: string | undefined, available: ReadonlyArray<Tool>, wrkVersion: string | undefined): ReadonlyArray<Tool> => {
  const tools = listOf("tools", raw, TOOLS, available)
  if (tools.includes("wrk") && wrkVersion === undefined) throw new Error("--tools wrk: wrk is not installed (apt-get install -y wrk)")
  return tools
}

/** --connections: comma-separated counts ≥ 1. */
export const connectionsOf = (raw: string | undefined, fallback: string): ReadonlyArray<number> =>
  (raw ?? fallback).split(",").map((s) => wholeNumber("connections", s.trim(), 0, 1))

/** --report-dir, --max-run-ms (default: the plan's length plus 90 s) and --profile-dir, in this order. */
export const runLimitsOf = (
  values: { readonly "report-dir"?: string | undefined; readonly "max-run-ms"?: string | undefined; readonly "profile-dir"?: string | undefined },
  plannedMs: number
) => ({
  reportDir: path.resolve(values["report-dir"] ?? defaultReportDir),
  maxRunMs: wholeNumber("max-run-ms", values["max-run-ms"], Math.round(plannedMs + 90_000), 1000),
  profileDir: values["profile-dir"] === undefined ? undefined : path.resolve(values["profile-dir"])
})

/** The options `parse` reads from the command line; on a bad one, the error and `help` to stderr and exit 2; on --help, `help` and exit 0. */
export const optionsOrExit = <O>(parse: () => O | "help", help: string): O => {
  let options: O | "help"
  try {
    options = parse()
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    console.error(help)
    process.exit(2)
  }
  if (options === "help") {
    console.log(help)
    process.exit(0)
  }
  return options
}

/** The options every HTTP benchmark has (see commonOptionSpecs), over its own target ids. */
export interface CommonBenchOptions<TargetId extends string> {
  readonly quick: boolean
  readonly connections: ReadonlyArray<number>
  readonly tools: ReadonlyArray<Tool>
  readonly targets: ReadonlyArray<TargetId>
  /** Whole seconds: wrk takes no finer durations. */
  readonly warmupS: number
  readonly durationS: number
  readonly wrkThreads: number
  readonly reportDir: string
  readonly maxRunMs: number
  /** When set, the store runs under `node --cpu-prof` and writes its profile there when it stops. */
  readonly profileDir: string | undefined
}
