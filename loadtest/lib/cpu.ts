/** CPU accounting from Linux /proc: one process's CPU time and the whole machine's busy share. */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"

const clockTicksPerS = (() => {
  const probe = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" })
  const n = Number(probe.stdout?.trim())
  return Number.isInteger(n) && n > 0 ? n : 100
})()

/** utime + stime of a process in seconds, or undefined where /proc is not available. */
export const processCpuS = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // The command name may contain spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerS
  } catch {
    return undefined
  }
}

/** Busy and total jiffies of the whole machine. */
const machineJiffies = (): { busy: number; total: number } | undefined => {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!
    const n = line.trim().split(/\s+/).slice(1).map(Number)
    const total = n.reduce((a, b) => a + b, 0)
    const idle = (n[3] ?? 0) + (n[4] ?? 0)
    return { busy: total - idle, total }
  } catch {
    return undefined
  }
}

export interface ProcessCpuUse {
  /** CPU of the process over the interval, in cores (1 = one core fully busy). */
  readonly serverCores: number | undefined
  /** Busy share of all the machine's cores over the interval (the process, load generators, everything else). */
  readonly machineBusyShare: number | undefined
}

/** Starts measuring now; `end()` tells the CPU one process and the whole machine used since. */
export const processCpuWindow = (pid: number): { readonly end: () => ProcessCpuUse } => {
  const t0 = performance.now()
  const server0 = processCpuS(pid)
  const machine0 = machineJiffies()
  return {
    end: () => {
      const seconds = (performance.now() - t0) / 1000
      const server1 = processCpuS(pid)
      const machine1 = machineJiffies()
      return {
        serverCores: server0 === undefined || server1 === undefined ? undefined : (server1 - server0) / seconds,
        machineBusyShare:
          machine0 === undefined || machine1 === undefined || machine1.total === machine0.total
            ? undefined
            : (machine1.busy - machine0.busy) / (machine1.total - machine0.total)
      }
    }
  }
}
