/**
 * What a run measured, in constant memory per kind: an HDR-like histogram per kind of operation
 * and for all of them, counts by status/code, and one aggregate per second (count, errors,
 * p50/p99 of that second) for the latency-over-time chart. No array of samples anywhere.
 */
import { Histogram, type HistogramJSON } from "../histogram.ts"

/** One measured operation (or a part of one, e.g. the join of a flash-sale journey). */
export interface Sample {
  readonly kind: string
  readonly ms: number
  /** 0 = no answer. */
  readonly status: number
  readonly code: string | undefined
  /** False for a failure the scenario did not expect (5xx, no answer, an unexpected 4xx). */
  readonly ok: boolean
}

export interface SecondJSON {
  readonly t: number
  readonly count: number
  readonly errors: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

export interface KindJSON {
  readonly kind: string
  readonly count: number
  readonly errors: number
  readonly throughput: number
  readonly latency: HistogramJSON
  /** `<status> <code>` → count, for every answer that was not 2xx. */
  readonly outcomes: Record<string, number>
}

class KindStats {
  readonly histogram = new Histogram()
  errors = 0
  readonly outcomes = new Map<string, number>()
  constructor(readonly kind: string) {}
  add(s: Sample) {
    this.histogram.record(s.ms)
    if (!s.ok) this.errors++
    if (s.status < 200 || s.status >= 300) {
      const key = `${s.status} ${s.code ?? ""}`.trim()
      this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1)
    }
  }
  toJSON(seconds: number): KindJSON {
    return {
      kind: this.kind,
      count: this.histogram.count,
      errors: this.errors,
      throughput: seconds > 0 ? this.histogram.count / seconds : 0,
      latency: this.histogram.toJSON(),
      outcomes: Object.fromEntries(this.outcomes)
    }
  }
}

/** At most this many kinds (a scenario names a handful). */
const MAX_KINDS = 32

export class Recorder {
  /** Operations: the rows of the table; `all` is their sum. */
  private readonly ops = new Map<string, KindStats>()
  private readonly parts = new Map<string, KindStats>()
  readonly all = new KindStats("all")
  private readonly second = new Histogram()
  private secondErrors = 0
  readonly seconds: Array<SecondJSON> = []
  /** Operations not started because the open model's backlog was full (counted as errors). */
  dropped = 0

  private stats(map: Map<string, KindStats>, kind: string) {
    let s = map.get(kind)
    if (s === undefined) {
      if (map.size >= MAX_KINDS) kind = "other"
      s = map.get(kind) ?? new KindStats(kind)
      map.set(kind, s)
    }
    return s
  }

  op(s: Sample) {
    this.stats(this.ops, s.kind).add(s)
    this.all.add(s)
    this.second.record(s.ms)
    if (!s.ok) this.secondErrors++
  }

  part(s: Sample) {
    this.stats(this.parts, s.kind).add(s)
  }

  /** Close the current second (called once a second by the driver). */
  tick(t: number) {
    this.seconds.push({ t, count: this.second.count, errors: this.secondErrors, p50Ms: this.second.percentile(50), p99Ms: this.second.percentile(99), maxMs: this.second.count === 0 ? 0 : this.second.maxMs })
    this.second.reset()
    this.secondErrors = 0
  }

  toJSON(seconds: number) {
    return {
      all: this.all.toJSON(seconds),
      kinds: [...this.ops.values()].map((k) => k.toJSON(seconds)),
      parts: [...this.parts.values()].map((k) => k.toJSON(seconds)),
      dropped: this.dropped,
      seconds: this.seconds
    }
  }
}

export type RecorderJSON = ReturnType<Recorder["toJSON"]>
