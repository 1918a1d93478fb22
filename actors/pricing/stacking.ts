import type { CouponDefinition } from "./coupon-definition.ts"
import { isWithinWindow } from "./fields.ts"
import { levelOf, type Promotion, type Reward, type StackingPromotion } from "./promotion-schema.ts"
import type { CouponNotAppliedReason } from "./quote-schema.ts"

/**
 * Which promotions and which coupon take part in a quote, and in what order they apply.
 *
 * - A promotion takes part while its window is open at `now`, the shopper has one of its
 *   `member_tiers` (when it names some), and the subtotal reaches its `min_subtotal`.
 * - The coupon takes part when its window is open and the subtotal reaches its
 *   `min_order_amount` (its usage limits are the coupon actor's business).
 * - Rewards apply level by level (item, then order, then shipping), each on what the previous
 *   ones left; within a level automatic promotions go first (higher `priority` first, then by
 *   id), the coupon last.
 */

export interface Candidate {
  readonly source: "promotion" | "coupon"
  /** promotion_id or coupon code. */
  readonly id: string
  readonly name: string
  readonly exclusive: boolean
  readonly priority: number
  readonly reward: Reward
}

export interface Shopping {
  readonly nowMs: number
  readonly memberTier: string | null
  /** The order's subtotal before discounts. */
  readonly subtotal: number
}

const isStacking = (p: Promotion): p is StackingPromotion => p.kind !== "flash_price"

export const promotionTakesPart = (p: StackingPromotion, shopping: Shopping): boolean =>
  isWithinWindow(p, shopping.nowMs) &&
  (p.member_tiers === undefined || (shopping.memberTier !== null && p.member_tiers.includes(shopping.memberTier))) &&
  (p.min_subtotal === undefined || shopping.subtotal >= p.min_subtotal)

export const promotionCandidates = (promotions: ReadonlyArray<Promotion>, shopping: Shopping): Array<Candidate> =>
  promotions.filter(isStacking).flatMap((p) => {
    if (!promotionTakesPart(p, shopping)) return []
    const { promotion_id, name, exclusive, priority, starts_at: _s, ends_at: _e, member_tiers: _m, min_subtotal: _min, ...reward } = p
    return [{ source: "promotion" as const, id: promotion_id, name, exclusive, priority, reward }]
  })

/** The coupon as a candidate, or why it cannot take part. */
export const couponCandidate = (coupon: CouponDefinition, shopping: Shopping): Candidate | CouponNotAppliedReason => {
  if (coupon.starts_at !== undefined && shopping.nowMs < coupon.starts_at) return "not_started"
  if (coupon.ends_at !== undefined && shopping.nowMs >= coupon.ends_at) return "expired"
  if (shopping.subtotal < coupon.min_order_amount) return "min_order_not_met"
  return { source: "coupon", id: coupon.code, name: coupon.description ?? coupon.code, exclusive: coupon.exclusive, priority: 0, reward: coupon.benefit }
}

const levelRank = { item: 0, order: 1, shipping: 2 } as const

/** The order in which candidates apply. */
export const applicationOrder = (a: Candidate, b: Candidate): number =>
  levelRank[levelOf(a.reward.kind)] - levelRank[levelOf(b.reward.kind)] ||
  (a.source === b.source ? 0 : a.source === "promotion" ? -1 : 1) ||
  b.priority - a.priority ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Between two exclusive candidates that give the same total: higher priority, then a promotion before the coupon (keeping the coupon unused), then by id. */
export const exclusiveTieBreak = (a: Candidate, b: Candidate): number =>
  b.priority - a.priority || (a.source === b.source ? 0 : a.source === "promotion" ? -1 : 1) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
