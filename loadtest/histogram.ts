/**
 * A fixed-size latency histogram with log-linear buckets (HDR-like), so a benchmark can record
 * millions of samples in constant memory instead of keeping arrays of them.
 *
 * Values are recorded in milliseconds and bucketed in microseconds: each power-of-two range
 * [2^e, 2^(e+1)) µs is split into SUB_BUCKETS equal parts, so a bucket is at most 1/128 of its
 * value wide (< 0.8% relative error) from 1 µs up to MAX_US (60 s). Smaller values count in the
 * first bucket, larger ones in the last; min, max and the sum stay exact.
 */

const SUB_BITS = 7
const SUB_BUCKETS = 1 << SUB_BITS
const MIN_US = 1
export const MAX_US = 60_000_000
/** log2(60e6) < 26, so exponents 0..25 cover the range. */
const EXPONENTS = 26
const BUCKETS = EXPONENTS * SUB_BUCKETS

const indexOf = (us: number): number => {
  if (!(us >= MIN_US)) return 0 // also catches NaN
  if (us >= MAX_US) return BUCKETS - 1
  const e = 31 - Math.clz32(us) // floor(log2(us)) for 1 ≤ us < 2^31
  const sub = Math.floor((us / 2 ** e - 1) * SUB_BUCKETS)
  return e * SUB_BUCKETS + sub
}

/** Lower edge of a bucket in µs. */
const lowerUs = (index: number): number => {
  const e = Math.floor(index / SUB_BUCKETS)
  const sub = index - e * SUB_BUCKETS
  return 2 ** e * (1 + sub / SUB_BUCKETS)
}

export interface HistogramJSON {
  readonly unit: "ms"
  readonly count: number
  readonly minMs: number
  readonly maxMs: number
  readonly meanMs: number
  readonly p50Ms: number
  readonly p90Ms: number
  readonly p99Ms: number
  readonly p999Ms: number
  /** Non-empty buckets as [lower edge in µs, count]. */
  readonly buckets: ReadonlyArray<readonly [number, number]>
}

export class Histogram {
  private readonly counts = new Float64Array(BUCKETS)
  count = 0
  sumMs = 0
  minMs = Infinity
  maxMs = -Infinity

  record(ms: number): void {
    this.counts[indexOf(ms * 1000)]!++
    this.count++
    this.sumMs += ms
    if (ms < this.minMs) this.minMs = ms
    if (ms > this.maxMs) this.maxMs = ms
  }

  /**
   * The value below which `p` percent of the samples fall (0 ≤ p ≤ 100), as the midpoint of the
   * bucket holding that rank, clamped to the exact min and max. 0 when empty.
   */
  percentile(p: number): number {
    if (this.count === 0) return 0
    if (p <= 0) return this.minMs
    if (p >= 100) return this.maxMs
    const rank = Math.ceil((p / 100) * this.count)
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!
      if (seen >= rank) {
        const mid = (lowerUs(i) + (i + 1 < BUCKETS ? lowerUs(i + 1) : MAX_US)) / 2 / 1000
        return Math.min(this.maxMs, Math.max(this.minMs, mid))
      }
    }
    return this.maxMs
  }

  get meanMs(): number {
    return this.count === 0 ? 0 : this.sumMs / this.count
  }

  /** Add another histogram's samples into this one. */
  merge(other: Histogram): this {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!
    this.count += other.count
    this.sumMs += other.sumMs
    if (other.minMs < this.minMs) this.minMs = other.minMs
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs
    return this
  }

  reset(): void {
    this.counts.fill(0)
    this.count = 0
    this.sumMs = 0
    this.minMs = Infinity
    this.maxMs = -Infinity
  }

  toJSON(): HistogramJSON {
    const buckets: Array<readonly [number, number]> = []
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]! > 0) buckets.push([lowerUs(i), this.counts[i]!])
    const empty = this.count === 0
    return {
      unit: "ms",
      count: this.count,
      minMs: empty ? 0 : this.minMs,
      maxMs: empty ? 0 : this.maxMs,
      meanMs: this.meanMs,
      p50Ms: this.percentile(50),
      p90Ms: this.percentile(90),
      p99Ms: this.percentile(99),
      p999Ms: this.percentile(99.9),
      buckets
    }
  }
}
