import type { MsRange } from "./config.ts"

/** A seeded pseudo-random source (mulberry32): the same seed gives the same sequence. */
export class SeededRandom {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Whole milliseconds, uniform in the range, bounds included. */
  inRange(range: MsRange): number {
    return range.minMs + Math.floor(this.next() * (range.maxMs - range.minMs + 1))
  }

  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability
  }
}
