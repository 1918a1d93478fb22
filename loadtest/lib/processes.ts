/**
 * Child processes of a benchmark run: every one is tracked by pid, so that any exit path can end
 * them (and only them); servers are started and awaited until they announce their port.
 */
import { type ChildProcess, spawn } from "node:child_process"
import path from "node:path"
import { fileURLToPath } from "node:url"

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Every process this run started, by pid, so that any exit path ends them (and only them). */
const started = new Set<ChildProcess>()

/** The processes of this run still running (a copy). */
export const startedProcesses = (): Array<ChildProcess> => [...started]

/** Send `signal` by pid to every process of this run still running. */
export const endAll = (signal: NodeJS.Signals) => {
  for (const child of started) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, signal)
      } catch {
        // already gone
      }
    }
  }
}

/** Every process of this run stopped (SIGTERM, then SIGKILL after 10 s), then `cleanUp` (a run's scratch storage). */
export const stopAllThenClean = async (cleanUp: () => Promise<void> | undefined): Promise<void> => {
  const children = startedProcesses()
  endAll("SIGTERM")
  await Promise.all(children.map((c) => exited(c, 10_000)))
  endAll("SIGKILL")
  await cleanUp()
}

/**
 * A benchmark's SIGINT/SIGTERM: `onSignal` (the run marks itself interrupted), then `stopAllThenClean`,
 * then exit 130 — after 30 s at the latest.
 */
export const exitOnSignals = (onSignal: () => void, cleanUp: () => Promise<void> | undefined): void => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      onSignal()
      const hardExit = setTimeout(() => process.exit(130), 30_000)
      void stopAllThenClean(cleanUp).finally(() => {
        clearTimeout(hardExit)
        process.exit(130)
      })
    })
  }
}

export const track = (child: ChildProcess): ChildProcess => {
  started.add(child)
  child.once("exit", () => started.delete(child))
  return child
}

/** Resolves true once the child has exited, false if it has not within `timeoutMs`. */
export const exited = (child: ChildProcess, timeoutMs: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true)
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve(true)
    })
  })

/** SIGTERM (or the given signal) by pid, then SIGKILL if it has not exited in time (a store flushes its journal first). */
export const stop = async (child: ChildProcess, graceMs: number, signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  process.kill(child.pid, signal)
  if (await exited(child, graceMs)) return
  process.kill(child.pid, "SIGKILL")
  await exited(child, 5000)
}

export interface RunningServer {
  readonly child: ChildProcess
  readonly pid: number
  readonly port: number
  readonly startMs: number
  /** The last 50 lines it wrote. */
  readonly output: Array<string>
}

/** Start a server process (node with `nodeArgs`, in the repository) and wait for the line announcing its port (`announce`'s group 1). */
export const startServer = (name: string, nodeArgs: ReadonlyArray<string>, env: NodeJS.ProcessEnv, announce: RegExp, timeoutMs: number): Promise<RunningServer> =>
  new Promise((resolve, reject) => {
    const began = performance.now()
    const child = track(spawn(process.execPath, [...nodeArgs], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] }))
    const output: Array<string> = []
    let settled = false
    const keep = (line: string) => {
      output.push(line)
      if (output.length > 50) output.shift()
    }
    const fail = (why: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(new Error(`${name} did not start: ${why}\n${output.join("\n")}`))
    }
    const timer = setTimeout(() => fail(`no "listening" line within ${timeoutMs} ms`), timeoutMs)
    let pending = ""
    child.stdout!.setEncoding("utf8").on("data", (data: string) => {
      pending += data
      let nl: number
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl)
        pending = pending.slice(nl + 1)
        keep(line)
        const port = announce.exec(line)?.[1]
        if (port !== undefined && !settled) {
          settled = true
          clearTimeout(timer)
          resolve({ child, pid: child.pid!, port: Number(port), startMs: Math.round(performance.now() - began), output })
        }
      }
    })
    child.stderr!.setEncoding("utf8").on("data", (data: string) => {
      for (const line of data.split("\n")) if (line !== "") keep(line)
    })
    child.once("exit", (code, signal) => fail(`exited (${code ?? signal})`))
    child.once("error", (error) => fail(error.message))
  })
