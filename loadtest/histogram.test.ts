import { describe, expect, it } from "vitest"
import { Histogram } from "./histogram.ts"

describe("histogram", () => {
  it("answers percentiles within 1% of the exact value from 1 µs to 60 s", () => {
    for (const ms of [0.001, 0.0017, 0.05, 0.9, 1, 3.3, 47, 999, 12_345, 59_000]) {
      const h = new Histogram()
      h.record(ms / 2)
      h.record(ms)
      h.record(ms * 0.999)
      // the median is ms * 0.999: within the bucket's 0.8% of it
      expect(Math.abs(h.percentile(50) - ms * 0.999) / (ms * 0.999)).toBeLessThan(0.01)
    }
  })

  it("ranks samples like a sorted array", () => {
    const h = new Histogram()
    const samples = Array.from({ length: 10_000 }, (_, i) => 0.01 + ((i * 7919) % 10_000) / 100)
    for (const s of samples) h.record(s)
    const sorted = [...samples].sort((a, b) => a - b)
    for (const p of [1, 10, 50, 90, 99, 99.9]) {
      const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1]!
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.01)
    }
    expect(h.percentile(100)).toBe(sorted.at(-1))
    expect(h.percentile(0)).toBe(sorted[0])
    expect(h.count).toBe(samples.length)
  })

  it("merges, clamps out-of-range values and serializes only non-empty buckets", () => {
    const a = new Histogram()
    const b = new Histogram()
    a.record(1)
    b.record(2)
    b.record(120_000)
    b.record(0)
    a.merge(b)
    expect(a.count).toBe(4)
    expect(a.maxMs).toBe(120_000)
    expect(a.minMs).toBe(0)
    expect(a.percentile(100)).toBe(120_000)
    const json = a.toJSON()
    expect(json.buckets).toHaveLength(4)
    expect(json.buckets.reduce((n, [, c]) => n + c, 0)).toBe(4)
    expect(new Histogram().toJSON().p99Ms).toBe(0)
  })
})
