import { HashMap, Option } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { coupon, type CouponCommand, type CouponEvent, type CouponState, type DefinedCoupon } from "./coupon.ts"
import type { CouponDefinition } from "./coupon-definition.ts"
import { coupon as definition, hourMs, iso, now } from "./pricing-fixtures.ts"

/**
 * Any interleaving of redemptions and reverts by many users, retries included, with the clock
 * moving and the operator raising the limits: the global and per-customer limits hold after every
 * step, the counters agree with the remembered orders, and replaying any Redeem or Revert that
 * was accepted before changes nothing.
 */

const CODE = "SAVE10"
const users = Array.from({ length: 4 }, (_, i) => `u_user${String(i).padStart(14, "0")}`)
const orderOf = (n: number) => `ord_${n}`

const command: fc.Arbitrary<CouponCommand> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ order: fc.integer({ min: 0, max: 40 }), user: fc.constantFrom(...users), amount: fc.integer({ min: 0, max: 3000 }) }).map(
      ({ order, user, amount }): CouponCommand => ({ _tag: "Redeem", order_id: orderOf(order), user_id: user, order_amount: amount })
    )
  },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 45 }).map((order): CouponCommand => ({ _tag: "Revert", order_id: orderOf(order) })) },
  { weight: 1, arbitrary: fc.constantFrom(...users, null).map((user): CouponCommand => ({ _tag: "Validate", user_id: user, order_amount: 2000 })) },
  { weight: 1, arbitrary: fc.constant<CouponCommand>({ _tag: "Get" }) }
)

type Step = { readonly command: CouponCommand; readonly nowMs: number } | { readonly raise: { readonly usage: number; readonly perCustomer: number } }

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 20, arbitrary: fc.record({ command, nowMs: fc.oneof({ weight: 9, arbitrary: fc.constant(now) }, { weight: 1, arbitrary: fc.constantFrom(now - 2 * hourMs, now + 2 * hourMs) }) }) },
  { weight: 1, arbitrary: fc.record({ raise: fc.record({ usage: fc.integer({ min: 0, max: 3 }), perCustomer: fc.integer({ min: 0, max: 1 }) }) }) }
)

const initial = (usageLimit: number, perCustomer: number): CouponDefinition =>
  definition({ usage_limit: usageLimit, per_customer_limit: perCustomer, min_order_amount: 1000, starts_at: iso(now - hourMs), ends_at: iso(now + hourMs) })

const checkInvariants = (state: DefinedCoupon) => {
  const live = [...HashMap.values(state.redemptions)].filter((r) => r.status === "redeemed")
  expect(state.uses).toBe(live.length)
  expect(state.uses).toBeLessThanOrEqual(state.definition.usage_limit)
  const perUser = new Map<string, number>()
  for (const r of live) perUser.set(r.user_id!, (perUser.get(r.user_id!) ?? 0) + 1)
  for (const [user, n] of perUser) {
    expect(n).toBeLessThanOrEqual(state.definition.per_customer_limit)
    expect(Option.getOrUndefined(HashMap.get(state.uses_by_user, user))).toBe(n)
  }
  expect(HashMap.size(state.uses_by_user)).toBe(perUser.size)
}

const decide = (state: CouponState, c: CouponCommand, nowMs: number) => coupon.decide(state, c, nowMs)
const apply = (state: CouponState, events: ReadonlyArray<CouponEvent>) => events.reduce(coupon.evolve, state)

describe("coupon properties", () => {
  it("limits hold under any interleaving; accepted Redeem/Revert replays change nothing", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), fc.array(step, { maxLength: 120 }), (usageLimit, perCustomer, steps) => {
        let def = initial(usageLimit, perCustomer)
        let state = apply(coupon.initialState(CODE), [{ _tag: "Defined", definition: def }])
        const accepted: Array<CouponCommand> = []
        for (const s of steps) {
          if ("raise" in s) {
            def = { ...def, usage_limit: def.usage_limit + s.raise.usage, per_customer_limit: def.per_customer_limit + s.raise.perCustomer }
            const d = decide(state, { _tag: "Define", definition: def }, now)
            if (d._tag !== "Accept") throw new Error("Define refused")
            state = apply(state, d.events)
            continue
          }
          const decision = decide(state, s.command, s.nowMs)
          if (decision._tag === "Accept") {
            if (s.command._tag === "Validate" || s.command._tag === "Get") expect(decision.events).toEqual([])
            state = apply(state, decision.events)
            // The reply describes the state the events lead to.
            const got = decide(state, { _tag: "Get" }, s.nowMs)
            if (got._tag === "Accept") expect(decision.reply.coupon).toEqual(got.reply.coupon)
            if (s.command._tag === "Redeem" || s.command._tag === "Revert") accepted.push(s.command)
            // An immediate replay (a retry) changes nothing and answers the same.
            const replay = decide(state, s.command, s.nowMs)
            expect(replay).toMatchObject({ _tag: "Accept", events: [] })
            if (replay._tag === "Accept") expect(replay.reply.redemption).toEqual(decision.reply.redemption)
          } else {
            expect(decide(state, s.command, s.nowMs)).toEqual(decision)
          }
          checkInvariants(state as DefinedCoupon)
          // Any earlier accepted Redeem or Revert, replayed now, at any time: no events.
          if (accepted.length > 0) {
            const earlier = accepted[(steps.indexOf(s) * 7919) % accepted.length]!
            for (const t of [now, now + 5 * hourMs]) {
              const again = decide(state, earlier, t)
              expect(again).toMatchObject({ _tag: "Accept", events: [] })
            }
          }
        }
      }),
      { numRuns: 400 }
    )
  })
})
