import { fullBps, mulDivHalfUp } from "./money.ts"
import { cheapestFirst, matchesTarget, type PricedLine } from "./priced-line.ts"
import type { RewardOf } from "./promotion-schema.ts"

/**
 * Buy X get Y: the number of applications n is the largest (up to `max_applications`) for which
 * n·X units of the buy target and n·Y other units of the get target are in the cart. The n·Y
 * rewarded units are the cheapest units of the get target, except that a unit also in the buy
 * target is rewarded only while n·X buy units remain for the others. A rewarded unit gets
 * `percent_bps` off its current value (remaining / quantity of its line), rounded once per line.
 */
export const buyXGetY = (reward: RewardOf<"buy_x_get_y">, lines: ReadonlyArray<PricedLine>): Array<number> => {
  const discounts = lines.map(() => 0)
  const isBuy = lines.map((line) => line.remaining > 0 && matchesTarget(reward.buy.target, line))
  const isGet = lines.map((line) => line.remaining > 0 && matchesTarget(reward.get.target, line))
  let buyUnits = 0
  let getUnits = 0
  let eitherUnits = 0
  lines.forEach((line, i) => {
    if (isBuy[i]) buyUnits += line.quantity
    if (isGet[i]) getUnits += line.quantity
    if (isBuy[i] || isGet[i]) eitherUnits += line.quantity
  })
  const x = reward.buy.quantity
  const y = reward.get.quantity
  const applications = Math.min(reward.max_applications, Math.floor(buyUnits / x), Math.floor(getUnits / y), Math.floor(eitherUnits / (x + y)))
  if (applications === 0) return discounts
  let toReward = applications * y
  // Units of lines in both targets that may be rewarded without leaving fewer than n·X buy units.
  let sharedAllowance = buyUnits - applications * x
  const getIndexes = lines.flatMap((_, i) => (isGet[i] ? [i] : []))
  for (const i of cheapestFirst(lines, getIndexes)) {
    if (toReward === 0) break
    const line = lines[i]!
    const available = isBuy[i] ? Math.min(line.quantity, sharedAllowance) : line.quantity
    const units = Math.min(available, toReward)
    if (units === 0) continue
    if (isBuy[i]) sharedAllowance -= units
    toReward -= units
    discounts[i] = Math.min(line.remaining, mulDivHalfUp(line.remaining * units, reward.get.percent_bps, line.quantity * fullBps))
  }
  return discounts
}
