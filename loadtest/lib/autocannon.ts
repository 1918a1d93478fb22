/**
 * autocannon as a load generator, in a forked process of its own (the benchmark's file run with
 * --autocannon-driver), so that it does not share an event loop with anything it measures. One
 * driver serves every autocannon run of a benchmark: jobs go over IPC, results come back.
 */
import { type ChildProcess, fork } from "node:child_process"
import type { Result as AutocannonResult, Options as AutocannonOptions } from "autocannon"
import type { Histogram } from "../histogram.ts"
import type { LoadTimings } from "./load-timings.ts"
import { repoRoot, stop, track } from "./processes.ts"

export const AUTOCANNON_DRIVER_FLAG = "--autocannon-driver"

type DriverMessage<R> =
  | { readonly type: "ready" }
  | { readonly type: "measuring" }
  | { readonly type: "result"; readonly result: R }
  | { readonly type: "error"; readonly message: string }

/** The benchmark's side: sends jobs of type J to the driver, gets results of type R back. */
export class AutocannonDriver<J, R> {
  private constructor(private readonly child: ChildProcess) {}

  /** Fork `entryFile` as the driver; resolves once it listens for jobs (a job sent earlier would be lost). */
  static start<J, R>(entryFile: string): Promise<AutocannonDriver<J, R>> {
    const child = track(fork(entryFile, [AUTOCANNON_DRIVER_FLAG], { cwd: repoRoot, execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] }))
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the autocannon driver exited (${code}) before it was ready`))
      child.once("exit", onExit)
      child.once("message", () => {
        child.off("exit", onExit)
        resolve(new AutocannonDriver<J, R>(child))
      })
    })
  }

  /** Run one job; `onMeasureStart` is called when the measured interval begins (after any warm-up). */
  run(job: J, onMeasureStart: () => void = () => undefined): Promise<R> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: DriverMessage<R>) => {
        if (message.type === "ready") return
        if (message.type === "measuring") return onMeasureStart()
        cleanup()
        if (message.type === "result") resolve(message.result)
        else reject(new Error(`autocannon: ${message.message}`))
      }
      const onExit = (code: number | null) => {
        cleanup()
        reject(new Error(`the autocannon driver exited (${code})`))
      }
      const cleanup = () => {
        this.child.off("message", onMessage)
        this.child.off("exit", onExit)
      }
      this.child.on("message", onMessage)
      this.child.once("exit", onExit)
      this.child.send(job as object)
    })
  }

  close(): Promise<void> {
    return stop(this.child, 2000)
  }
}

/** One autocannon run; `onResponse` sees every answer with its exact latency (ms, float; autocannon's own histogram has 1 ms resolution). */
export type RunAutocannon = (options: AutocannonOptions, onResponse?: (status: number, ms: number) => void) => Promise<AutocannonResult>

/**
 * The driver's side (call it when the process was started with AUTOCANNON_DRIVER_FLAG): run each
 * job it is sent with `handle`, report the result back over IPC. `measuring()` tells the benchmark
 * the measured interval begins.
 */
export const serveAutocannonJobs = async <J, R>(handle: (job: J, run: RunAutocannon, measuring: () => void) => Promise<R>): Promise<void> => {
  const { default: autocannon } = await import("autocannon")
  const send = (message: DriverMessage<R>) => process.send!(message)
  const run: RunAutocannon = (options, onResponse) =>
    new Promise((resolve, reject) => {
      const instance = autocannon(options, (error: unknown, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result)))
      if (onResponse !== undefined) {
        ;(instance as unknown as NodeJS.EventEmitter).on("response", (_client: unknown, status: number, _bytes: number, ms: number) => onResponse(status, ms))
      }
    })
  process.on("message", (job: J) => {
    void (async () => {
      try {
        send({ type: "result", result: await handle(job, run, () => send({ type: "measuring" })) })
      } catch (error) {
        send({ type: "error", message: error instanceof Error ? error.message : String(error) })
      }
    })()
  })
  process.on("disconnect", () => process.exit(0))
  send({ type: "ready" })
}

/** Length of the run (s) and the latencies the driver recorded in `latency` (exact, ms). */
export const autocannonTimings = (r: AutocannonResult, latency: Histogram): LoadTimings => ({
  elapsedS: (r.finish.getTime() - r.start.getTime()) / 1000,
  p50Ms: latency.percentile(50),
  p99Ms: latency.percentile(99),
  meanMs: latency.meanMs,
  maxMs: latency.count === 0 ? 0 : latency.maxMs
})
