import { allocate, percentOf } from "./money.ts"
import { indexesMatching, type PricedLine } from "./priced-line.ts"
import type { RewardOf } from "./promotion-schema.ts"

/**
 * Item and order rewards: one discount per line, each at most the line's `remaining`. Shares of
 * an order-wide amount are split over lines in proportion to `remaining` (largest remainder), so
 * they add up to the amount exactly.
 */

const zeros = (lines: ReadonlyArray<PricedLine>) => lines.map(() => 0)

/** Put `amounts[i]` on the lines at `indexes`, zero elsewhere. */
const spread = (lines: ReadonlyArray<PricedLine>, indexes: ReadonlyArray<number>, amounts: ReadonlyArray<number>): Array<number> => {
  const discounts = zeros(lines)
  indexes.forEach((lineIndex, k) => {
    discounts[lineIndex] = amounts[k]!
  })
  return discounts
}

/** Cap a per-line discount vector at `cap` in total, shrinking the parts in proportion. */
const capTotal = (discounts: Array<number>, cap: number | undefined): Array<number> => {
  if (cap === undefined) return discounts
  const total = discounts.reduce((s, d) => s + d, 0)
  return total <= cap ? discounts : allocate(cap, discounts)
}

export const itemPercentage = (reward: RewardOf<"item_percentage">, lines: ReadonlyArray<PricedLine>): Array<number> => {
  const indexes = indexesMatching(lines, reward.target)
  const discounts = spread(lines, indexes, indexes.map((i) => percentOf(lines[i]!.remaining, reward.percent_bps)))
  return capTotal(discounts, reward.max_discount)
}

export const itemFixed = (reward: RewardOf<"item_fixed">, lines: ReadonlyArray<PricedLine>): Array<number> => {
  const indexes = indexesMatching(lines, reward.target)
  return spread(lines, indexes, indexes.map((i) => Math.min(lines[i]!.remaining, reward.amount_per_unit * lines[i]!.quantity)))
}

/** Split an order-wide amount (already at most the matching lines' total) over those lines. */
const orderWide = (lines: ReadonlyArray<PricedLine>, indexes: ReadonlyArray<number>, amount: number) =>
  spread(lines, indexes, allocate(amount, indexes.map((i) => lines[i]!.remaining)))

const remainingOf = (lines: ReadonlyArray<PricedLine>, indexes: ReadonlyArray<number>) => indexes.reduce((s, i) => s + lines[i]!.remaining, 0)

export const orderPercentage = (reward: RewardOf<"order_percentage">, lines: ReadonlyArray<PricedLine>): Array<number> => {
  const indexes = indexesMatching(lines, reward.target)
  const amount = percentOf(remainingOf(lines, indexes), reward.percent_bps)
  return orderWide(lines, indexes, reward.max_discount === undefined ? amount : Math.min(amount, reward.max_discount))
}

export const orderFixed = (reward: RewardOf<"order_fixed">, lines: ReadonlyArray<PricedLine>): Array<number> => {
  const indexes = indexesMatching(lines, reward.target)
  return orderWide(lines, indexes, Math.min(reward.amount, remainingOf(lines, indexes)))
}

/** What a shipping reward takes off `price` (the option's price left so far), for option `optionId`. */
export const shippingDiscount = (reward: RewardOf<"shipping_percentage" | "shipping_fixed">, optionId: string, price: number): number => {
  if (reward.shipping_option_ids !== undefined && !reward.shipping_option_ids.includes(optionId)) return 0
  if (reward.kind === "shipping_fixed") return Math.min(reward.amount, price)
  const amount = percentOf(price, reward.percent_bps)
  return reward.max_discount === undefined ? amount : Math.min(amount, reward.max_discount)
}
