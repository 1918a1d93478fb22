import type { Target } from "./promotion-schema.ts"

/**
 * A cart line as the reward functions see it while a quote is computed: what identifies it for
 * targets, its units, and `remaining`, what is left to pay for the whole line after the
 * discounts applied so far. Reward functions answer one discount per line, each at most its
 * `remaining`, and never change the lines.
 */
export interface PricedLine {
  readonly sku_id: string
  readonly product_id: string
  readonly seller_id: string
  /** The line's category and its ancestors, nearest first. */
  readonly category_ids: ReadonlyArray<string>
  readonly quantity: number
  readonly remaining: number
}

export const matchesTarget = (target: Target, line: PricedLine): boolean =>
  (target.sku_ids === undefined || target.sku_ids.includes(line.sku_id)) &&
  (target.product_ids === undefined || target.product_ids.includes(line.product_id)) &&
  (target.seller_ids === undefined || target.seller_ids.includes(line.seller_id)) &&
  (target.category_ids === undefined || line.category_ids.some((c) => target.category_ids!.includes(c)))

/**
 * Indexes of `lines` matching `target`, cheapest unit first (unit value = remaining / quantity,
 * compared exactly); ties keep line order.
 */
export const cheapestFirst = (lines: ReadonlyArray<PricedLine>, indexes: ReadonlyArray<number>): Array<number> =>
  [...indexes].sort((a, b) => {
    const x = lines[a]!
    const y = lines[b]!
    const byValue = x.remaining * y.quantity - y.remaining * x.quantity
    return byValue !== 0 ? byValue : a - b
  })

export const indexesMatching = (lines: ReadonlyArray<PricedLine>, target: Target): Array<number> => {
  const indexes: Array<number> = []
  lines.forEach((line, i) => {
    if (matchesTarget(target, line)) indexes.push(i)
  })
  return indexes
}
