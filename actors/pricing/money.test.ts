import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { allocate, mulDivFloor, mulDivHalfUp, percentOf } from "./money.ts"

const exactHalfUp = (a: number, b: number, c: number) => Number((BigInt(a) * BigInt(b) * 2n + BigInt(c)) / (2n * BigInt(c)))
const exactFloor = (a: number, b: number, c: number) => Number((BigInt(a) * BigInt(b)) / BigInt(c))
const money = fc.oneof(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 0, max: 1_000_000_000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }))

describe("rounding", () => {
  it.each([
    [5, 1, 10, 1], // 0.5 → 1 (half up, not to even)
    [4, 1, 10, 0],
    [15, 1, 10, 2], // 1.5 → 2
    [25, 1, 10, 3], // 2.5 → 3 (banker's would give 2)
    [24, 1, 10, 2],
    [0, 7, 3, 0],
    [7, 3, 3, 7]
  ])("%i × %i / %i rounds half up to %i", (a, b, c, expected) => {
    expect(mulDivHalfUp(a, b, c)).toBe(expected)
  })

  it("percentOf takes basis points", () => {
    expect(percentOf(10_000, 1800)).toBe(1800)
    expect(percentOf(999, 1800)).toBe(180) // 179.82
    expect(percentOf(5, 1000)).toBe(1) // 0.5
    expect(percentOf(123_456, 10_000)).toBe(123_456)
  })

  it("is exact beyond 2^53 intermediate products", () => {
    expect(mulDivHalfUp(1e15, 9999, 10_000)).toBe(999_900_000_000_000)
    expect(mulDivFloor(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER)
  })

  it("matches exact BigInt arithmetic (property)", () => {
    fc.assert(
      fc.property(money, money, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (a, b, c) => {
        fc.pre(exactHalfUp(a, b, c) <= Number.MAX_SAFE_INTEGER)
        expect(mulDivHalfUp(a, b, c)).toBe(exactHalfUp(a, b, c))
        expect(mulDivFloor(a, b, c)).toBe(exactFloor(a, b, c))
      }),
      { numRuns: 2000 }
    )
  })
})

describe("allocate", () => {
  it("splits in proportion, the leftover units to the largest remainders", () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]) // ties: earlier index first
    expect(allocate(10, [3, 3, 4])).toEqual([3, 3, 4])
    expect(allocate(7, [10, 0, 20])).toEqual([2, 0, 5]) // 2.33, 4.67
    expect(allocate(0, [5, 5])).toEqual([0, 0])
    expect(allocate(5, [0, 0])).toEqual([0, 0])
  })

  it("parts sum to the total and never exceed their weight (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1e13 }), { minLength: 1, maxLength: 100 }), fc.double({ min: 0, max: 1, noNaN: true }), (weights, fraction) => {
        const sum = weights.reduce((s, w) => s + w, 0)
        const total = Math.floor(sum * fraction)
        const parts = allocate(total, weights)
        expect(parts.reduce((s, p) => s + p, 0)).toBe(sum === 0 ? 0 : total)
        parts.forEach((p, i) => {
          expect(Number.isSafeInteger(p) && p >= 0 && p <= weights[i]!).toBe(true)
        })
      }),
      { numRuns: 1000 }
    )
  })
})
