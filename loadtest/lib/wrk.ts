/**
 * wrk (the Debian package) as a load generator: a run with a Lua script whose `done()` prints the
 * summary as one line `WRK_RESULT {json}`, read back here.
 */
import { spawn, spawnSync } from "node:child_process"
import type { LoadTimings } from "./load-timings.ts"
import { track } from "./processes.ts"

/** wrk's version, or undefined when it is not installed. */
export const wrkInstalled = (): string | undefined => {
  const probe = spawnSync("wrk", ["--version"], { encoding: "utf8" })
  if (probe.error !== undefined) return undefined
  return /wrk (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? "unknown"
}

/** The fields every script's WRK_RESULT line carries (a script may add more). */
export interface WrkSummary {
  readonly requests: number
  readonly durationUs: number
  readonly connect: number
  readonly read: number
  readonly write: number
  readonly status: number
  readonly timeout: number
  readonly p50Us: number
  readonly p99Us: number
  readonly meanUs: number
  readonly maxUs: number
}

export interface WrkRun {
  /** Path of the Lua script. */
  readonly script: string
  readonly url: string
  readonly connections: number
  readonly threads: number
  readonly seconds: number
  /** Environment for the script (added to this process's). */
  readonly env: Readonly<Record<string, string>>
}

/** Run wrk once (a tracked child process) and parse its WRK_RESULT line. */
export const runWrkScript = <S extends WrkSummary = WrkSummary>(run: WrkRun): Promise<S> =>
  new Promise((resolve, reject) => {
    const args = ["-t", String(Math.min(run.threads, run.connections)), "-c", String(run.connections), "-d", `${run.seconds}s`, "--timeout", "5s", "-s", run.script, run.url]
    const child = track(spawn("wrk", args, { env: { ...process.env, ...run.env }, stdio: ["ignore", "pipe", "pipe"] }))
    let out = ""
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d))
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d))
    child.once("error", reject)
    child.once("exit", (code) => {
      const line = /WRK_RESULT (\{.*\})/.exec(out)?.[1]
      if (code !== 0 || line === undefined) return reject(new Error(`wrk ${args.join(" ")} failed (${code}):\n${out}`))
      resolve(JSON.parse(line) as S)
    })
  })

/** Connection, read, write errors and timeouts. */
export const wrkErrors = (s: WrkSummary): number => s.connect + s.read + s.write + s.timeout

/** Length of the run (s) and latencies over all answers (ms). */
export const wrkTimings = (s: WrkSummary): LoadTimings => ({
  elapsedS: s.durationUs / 1e6,
  p50Ms: s.p50Us / 1000,
  p99Ms: s.p99Us / 1000,
  meanMs: s.meanUs / 1000,
  maxMs: s.maxUs / 1000
})
