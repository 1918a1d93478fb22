/**
 * The load loop. Closed model: `connections` workers, each starting its next operation when the
 * last one ended. Open model (`rate`): operation i is due at start + i/rate whatever happened to
 * the others, and its latency is measured from that intended start, so time spent queued behind
 * a saturated server (or in the client's socket queue) counts: overload shows as latency instead
 * of as a lower request rate (no coordinated omission). Outstanding operations are bounded
 * (`maxBacklog`); a due operation past that bound is dropped and counted as an error.
 * Always bounded: by `durationS` or by `requests` (operations), whichever is given.
 */
import { Recorder, type Sample } from "./recorder.ts"

export interface Outcome {
  readonly kind: string
  readonly status: number
  readonly code?: string | undefined
  readonly ok: boolean
  /** Measured parts of the operation (their own latencies), shown in their own table. */
  readonly parts?: ReadonlyArray<Sample>
}

/** One operation: the i-th of the run. */
export type Operation = (i: number) => Promise<Outcome>

export interface LoadShape {
  readonly connections: number
  /** Operations per second (open model), or undefined (closed loop). */
  readonly rate: number | undefined
  readonly durationS: number | undefined
  readonly requests: number | undefined
  /** Prints the live line; undefined: silent. */
  readonly progress: ((line: string) => void) | undefined
}

export interface LoadResult {
  readonly recorder: Recorder
  readonly elapsedS: number
  readonly started: number
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1))

export const runLoad = async (label: string, shape: LoadShape, operation: Operation): Promise<LoadResult> => {
  const recorder = new Recorder()
  const t0 = performance.now()
  const endAt = shape.durationS === undefined ? Infinity : t0 + shape.durationS * 1000
  const limit = shape.requests ?? Infinity
  let started = 0
  let inFlight = 0
  let lastCount = 0
  let secondIndex = 0

  const measure = async (i: number, intendedStart: number) => {
    inFlight++
    let outcome: Outcome
    try {
      outcome = await operation(i)
    } catch (error) {
      outcome = { kind: "defect", status: 0, code: error instanceof Error ? error.message.slice(0, 80) : "defect", ok: false }
    }
    inFlight--
    recorder.op({ kind: outcome.kind, ms: performance.now() - intendedStart, status: outcome.status, code: outcome.code, ok: outcome.ok })
    for (const p of outcome.parts ?? []) recorder.part(p)
  }

  const progress = setInterval(() => {
    secondIndex++
    recorder.tick(secondIndex)
    if (shape.progress === undefined) return
    const now = performance.now()
    const count = recorder.all.histogram.count
    const left = shape.durationS !== undefined ? `${Math.max(0, (endAt - now) / 1000).toFixed(0)} s left` : `${Math.max(0, limit - count)} ops left`
    shape.progress(
      `${label} ${((now - t0) / 1000).toFixed(0)} s: ${count - lastCount} ops/s, ${count} done, ${recorder.all.errors + recorder.dropped} errors, p99 ${fmt(recorder.all.histogram.percentile(99))} ms, ${inFlight} in flight, ${left}`
    )
    lastCount = count
  }, 1000)

  try {
    if (shape.rate === undefined) {
      await Promise.all(
        Array.from({ length: shape.connections }, async () => {
          while (started < limit && performance.now() < endAt) {
            const i = started++
            await measure(i, performance.now())
          }
        })
      )
    } else {
      const interval = 1000 / shape.rate
      const maxBacklog = Math.max(1000, shape.connections * 20)
      const running = new Set<Promise<void>>()
      while (started < limit) {
        const due = t0 + started * interval
        if (due >= endAt) break
        const now = performance.now()
        if (due > now) {
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - now)))
          continue
        }
        // Start every operation that is due by now (a timer fires late, never early).
        while (started < limit && t0 + started * interval <= now && t0 + started * interval < endAt) {
          const i = started++
          if (inFlight >= maxBacklog) {
            recorder.dropped++
            continue
          }
          const p = measure(i, t0 + i * interval)
          running.add(p)
          void p.finally(() => running.delete(p))
        }
      }
      await Promise.all(running)
    }
  } finally {
    clearInterval(progress)
  }
  const elapsedS = (performance.now() - t0) / 1000
  if (recorder.seconds.length < Math.ceil(elapsedS)) recorder.tick(secondIndex + 1)
  return { recorder, elapsedS, started }
}
