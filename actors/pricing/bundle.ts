import { allocate, mulDivHalfUp, percentOf } from "./money.ts"
import { cheapestFirst, indexesMatching, type PricedLine } from "./priced-line.ts"
import type { RewardOf } from "./promotion-schema.ts"

/**
 * Bundles: each application takes `quantity` units for every component, in component order, the
 * cheapest units not yet taken first (a unit counts for one component only); applications stop
 * at `max_applications` or when a component cannot be filled. The bundled units' value (per line:
 * remaining × units / quantity, rounded half up) earns the reward: a bundle price (the value above
 * n × price comes off, never a negative discount), a percentage, or a fixed amount per bundle
 * (at most the value). The discount is split over the bundled lines in proportion to their value.
 */
export const bundle = (reward: RewardOf<"bundle">, lines: ReadonlyArray<PricedLine>): Array<number> => {
  const taken = lines.map(() => 0)
  const queues = reward.components.map((c) => cheapestFirst(lines, indexesMatching(lines, c.target).filter((i) => lines[i]!.remaining > 0)))
  const cursors = reward.components.map(() => 0)
  let applications = 0
  while (applications < reward.max_applications) {
    const takes: Array<readonly [number, number]> = []
    const filled = reward.components.every((component, c) => {
      let needed = component.quantity
      const queue = queues[c]!
      while (needed > 0 && cursors[c]! < queue.length) {
        const i = queue[cursors[c]!]!
        const units = Math.min(lines[i]!.quantity - taken[i]!, needed)
        if (units > 0) {
          taken[i]! += units
          takes.push([i, units])
          needed -= units
        }
        if (taken[i] === lines[i]!.quantity) cursors[c]! += 1
      }
      return needed === 0
    })
    if (!filled) {
      for (const [i, units] of takes) taken[i]! -= units
      break
    }
    applications += 1
  }
  if (applications === 0) return lines.map(() => 0)
  const values = lines.map((line, i) => (taken[i] === 0 ? 0 : mulDivHalfUp(line.remaining, taken[i]!, line.quantity)))
  const value = values.reduce((s, v) => s + v, 0)
  const r = reward.reward
  const discount =
    r.type === "bundle_price" ? Math.max(0, value - applications * r.amount) : r.type === "percentage" ? percentOf(value, r.percent_bps) : Math.min(value, applications * r.amount)
  return allocate(discount, values)
}
