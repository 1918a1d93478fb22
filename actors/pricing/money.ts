/**
 * Exact integer money arithmetic. Amounts are non-negative safe integers in minor units; every
 * proportional amount (a percentage, a tax, a share of an order discount) is computed exactly and
 * rounded once, half up (ties away from zero, which for non-negative amounts is "0.5 → 1").
 * Products that could pass 2^53 (an amount × basis points) go through BigInt.
 */

/** 100 % in basis points. */
export const fullBps = 10_000

const safeProduct = (a: number, b: number) => a * b <= Number.MAX_SAFE_INTEGER

/** ⌊a × b / c⌋ for non-negative safe integers a, b and a positive safe integer c. */
export const mulDivFloor = (a: number, b: number, c: number): number => {
  if (safeProduct(a, b)) {
    const product = a * b
    let quotient = Math.floor(product / c)
    // Floating division may land one off for large operands: correct with the exact remainder.
    const remainder = product - quotient * c
    if (remainder < 0) quotient -= 1
    else if (remainder >= c) quotient += 1
    return quotient
  }
  return Number((BigInt(a) * BigInt(b)) / BigInt(c))
}

/** a × b / c rounded half up, for non-negative safe integers a, b and a positive safe integer c. */
export const mulDivHalfUp = (a: number, b: number, c: number): number => {
  if (safeProduct(a, b) && a * b * 2 + c <= Number.MAX_SAFE_INTEGER) {
    const doubled = a * b * 2 + c
    return mulDivFloor(doubled, 1, 2 * c)
  }
  const n = BigInt(a) * BigInt(b)
  const d = BigInt(c)
  return Number((n * 2n + d) / (2n * d))
}

/** `bps` basis points of `amount`, rounded half up. */
export const percentOf = (amount: number, bps: number): number => mulDivHalfUp(amount, bps, fullBps)

/**
 * Split `total` over `weights` in proportion, exactly: each part is the floor of its share, then
 * the units left over go one each to the largest remainders (ties: the earlier index). The parts
 * sum to `total`, and a part never exceeds its weight when `total` ≤ the sum of the weights.
 */
export const allocate = (total: number, weights: ReadonlyArray<number>): Array<number> => {
  const sum = weights.reduce((s, w) => s + w, 0)
  if (total === 0 || sum === 0) return weights.map(() => 0)
  const parts = weights.map((w) => mulDivFloor(total, w, sum))
  let left = total - parts.reduce((s, p) => s + p, 0)
  if (left === 0) return parts
  // remainder_i = total × w_i mod sum, compared exactly (BigInt: total × w_i may pass 2^53).
  const remainders = weights.map((w, i) => ({ i, r: BigInt(total) * BigInt(w) - BigInt(parts[i]!) * BigInt(sum) }))
  remainders.sort((x, y) => (x.r === y.r ? x.i - y.i : x.r > y.r ? -1 : 1))
  for (const { i, r } of remainders) {
    if (left === 0) break
    if (r === 0n) continue
    parts[i]! += 1
    left -= 1
  }
  return parts
}

/** Compare a/b with c/d for non-negative a, c and positive b, d (a × d and c × b must be safe). */
export const compareRatios = (a: number, b: number, c: number, d: number): number => a * d - c * b

export const isMoney = (n: number): boolean => Number.isSafeInteger(n) && n >= 0
