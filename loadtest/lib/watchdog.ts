/** --max-run-ms: past it, the run is FAILED, every process it started is killed and it exits 1. */
import { endAll, sleep } from "./processes.ts"

/**
 * Arm the watchdog (unref'd: it does not keep the process alive); clear it with clearTimeout.
 * On firing: SIGKILL every process of the run, wait `settleMs`, `cleanUp` (15 s at most), exit 1.
 */
export const armWatchdog = (maxRunMs: number, cleanUp: () => void | Promise<void>, settleMs = 0): NodeJS.Timeout => {
  const watchdog = setTimeout(() => {
    console.error(`FAILED: the run took longer than --max-run-ms ${maxRunMs}`)
    endAll("SIGKILL")
    const hardExit = setTimeout(() => process.exit(1), 15_000)
    void sleep(settleMs)
      .then(cleanUp)
      .finally(() => {
        clearTimeout(hardExit)
        process.exit(1)
      })
  }, maxRunMs)
  watchdog.unref()
  return watchdog
}
