import { createHash } from "node:crypto"

/**
 * Deterministic randomness for the catalog generator: the same seed and path give the same
 * numbers on every machine and every run (no Math.random, no clock). Each product draws from its
 * own stream (`rngFor(seed, "product", i)`), so product i is the same whatever the catalog size
 * and the products can be generated in any order.
 *
 * The generator is sfc32 (Small Fast Counting, 128 bits of state), seeded from SHA-256 of the
 * stream's name.
 */

export interface Rng {
  /** A float in [0, 1). */
  readonly next: () => number
  /** An integer in [min, max], both included. */
  readonly int: (min: number, max: number) => number
  /** True with probability p. */
  readonly chance: (p: number) => boolean
  readonly pick: <T>(items: ReadonlyArray<T>) => T
  /** One item, each with probability weight / Σ weights. */
  readonly weighted: <T>(items: ReadonlyArray<T>, weightOf: (item: T) => number) => T
  /** k distinct items in their original order (all of them when k ≥ length). */
  readonly sample: <T>(items: ReadonlyArray<T>, k: number) => Array<T>
}

const sfc32 = (a: number, b: number, c: number, d: number) => () => {
  a |= 0
  b |= 0
  c |= 0
  d |= 0
  const t = (((a + b) | 0) + d) | 0
  d = (d + 1) | 0
  a = b ^ (b >>> 9)
  b = (c + (c << 3)) | 0
  c = (c << 21) | (c >>> 11)
  c = (c + t) | 0
  return (t >>> 0) / 4294967296
}

/** The stream named by `seed` and `path`. */
export const rngFor = (seed: number | string, ...path: ReadonlyArray<string | number>): Rng => {
  const digest = createHash("sha256").update([String(seed), ...path.map(String)].join("\u0000")).digest()
  const next = sfc32(digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12))
  // Warm up: the first outputs of sfc32 are weakly mixed.
  for (let i = 0; i < 12; i++) next()
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const pick = <T>(items: ReadonlyArray<T>): T => {
    if (items.length === 0) throw new Error("pick from an empty list")
    return items[int(0, items.length - 1)]!
  }
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick,
    weighted: (items, weightOf) => {
      const total = items.reduce((sum, item) => sum + weightOf(item), 0)
      let at = next() * total
      for (const item of items) {
        at -= weightOf(item)
        if (at < 0) return item
      }
      return items[items.length - 1]!
    },
    sample: (items, k) => {
      const chosen = new Set<number>()
      const want = Math.min(k, items.length)
      while (chosen.size < want) chosen.add(int(0, items.length - 1))
      return [...chosen].sort((x, y) => x - y).map((i) => items[i]!)
    }
  }
}

/** A deterministic id: `prefix` + `length` base64url characters of SHA-256 of the parts (6 bits each). */
export const stableId = (prefix: string, length: number, ...parts: ReadonlyArray<string | number>): string =>
  prefix + createHash("sha256").update(parts.map(String).join("\u0000")).digest("base64url").slice(0, length)
