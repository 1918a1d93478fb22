import { SeedError } from "./load.ts"

/**
 * Waiting for the read models (projections) to catch up with the journal, from the store's own
 * `/metrics`: every `projection_lag_positions{projection="…"}` series (journal batches a
 * projection is behind, over all shards) must read 0 twice in a row. A store without projections
 * has no such series and nothing to wait for.
 */

export interface LagReading {
  /** The projections found. */
  readonly projections: ReadonlyArray<string>
  readonly waitedMs: number
}

const lagLine = /^projection_lag_positions\{(?:[^}]*,)?projection="((?:[^"\\]|\\.)*)"[^}]*\}\s+(\S+)$/

/** Projection name → batches behind, from a Prometheus text exposition. */
export const projectionLags = (metricsText: string): ReadonlyMap<string, number> => {
  const lags = new Map<string, number>()
  for (const line of metricsText.split("\n")) {
    const m = lagLine.exec(line.trim())
    if (m !== null) lags.set(m[1]!, Number(m[2]))
  }
  return lags
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const waitForProjections = async (metricsUrl: string, timeoutMs: number, log: ((line: string) => void) | undefined, pollMs = 500): Promise<LagReading> => {
  const started = performance.now()
  let zeroReadings = 0
  let lastLog = started
  for (;;) {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) })
    if (!response.ok) throw new SeedError(`${metricsUrl} answered ${response.status}`)
    const lags = projectionLags(await response.text())
    const behind = [...lags.values()].reduce((sum, n) => sum + (Number.isFinite(n) ? n : 1), 0)
    zeroReadings = behind === 0 ? zeroReadings + 1 : 0
    const waitedMs = performance.now() - started
    if (lags.size === 0 || zeroReadings >= 2) return { projections: [...lags.keys()], waitedMs }
    if (waitedMs > timeoutMs) {
      throw new SeedError(`the read models are still behind after ${Math.round(waitedMs / 1000)} s: ${[...lags].map(([name, n]) => `${name} ${n} batches`).join(", ")}`)
    }
    if (log !== undefined && behind > 0 && performance.now() - lastLog >= 5_000) {
      log(`  read models behind: ${[...lags].map(([name, n]) => `${name} ${n} batches`).join(", ")}`)
      lastLog = performance.now()
    }
    await sleep(pollMs)
  }
}
