import { HashMap } from "effect"
import { describe, expect, it } from "vitest"
import { type DeciderRow, runRow } from "../../test/support/decider-table.ts"
import { coupon, couponActorLimits, type CouponState, evolveCoupon } from "./coupon.ts"
import { coupon as definition, hourMs, iso, now } from "./pricing-fixtures.ts"

const CODE = "SAVE10"
const ada = "u_AAAAAAAAAAAAAAAAAAAAAA"
const bob = "u_BBBBBBBBBBBBBBBBBBBBBB"
const def = definition({ usage_limit: 3, per_customer_limit: 2, min_order_amount: 1000, starts_at: iso(now - hourMs), ends_at: iso(now + hourMs) })
const defined = { _tag: "Defined", definition: def } as const
const redeemed = (n: number, user = ada) => ({ _tag: "Redeemed", order_id: `ord_${n}`, user_id: user }) as const
const reverted = (n: number) => ({ _tag: "Reverted", order_id: `ord_${n}` }) as const
const redeem = (n: number, user = ada, order_amount = 5000) => ({ _tag: "Redeem", order_id: `ord_${n}`, user_id: user, order_amount })
const validate = (user: string | null = ada, order_amount = 5000) => ({ _tag: "Validate", user_id: user, order_amount })
const view = (uses: number, limit = 3) => ({ code: CODE, uses, remaining_uses: limit - uses })

const rows: ReadonlyArray<DeciderRow> = [
  // Define
  { name: "Define a new coupon", given: [], when: { _tag: "Define", definition: def }, then: [defined], reply: { coupon: { ...view(0), definition: def }, user_uses: null, redemption: null } },
  { name: "Define again, same definition → no events", given: [defined], when: { _tag: "Define", definition: def }, then: [] },
  {
    name: "Define again, changed → Defined, uses kept",
    given: [defined, redeemed(1)],
    when: { _tag: "Define", definition: { ...def, usage_limit: 10 } },
    then: [{ _tag: "Defined", definition: { ...def, usage_limit: 10 } }],
    reply: { coupon: view(1, 10) }
  },
  { name: "Define another code → code_mismatch", given: [], when: { _tag: "Define", definition: { ...def, code: "OTHER" } }, then: { reason: "code_mismatch", code: CODE } },
  { name: "Define a usage limit of 0 → invalid_command", given: [], when: { _tag: "Define", definition: { ...def, usage_limit: 0 } }, then: { reason: "invalid_command" } },
  // Get
  { name: "Get a coupon never defined → not_found", given: [], when: { _tag: "Get" }, then: { reason: "not_found" } },
  { name: "Get", given: [defined, redeemed(1), redeemed(2, bob)], when: { _tag: "Get" }, then: [], reply: { coupon: view(2), user_uses: null, redemption: null } },
  // Validate
  { name: "Validate → no events, the definition and the user's uses", given: [defined, redeemed(1)], when: validate(), nowMs: now, then: [], reply: { coupon: { ...view(1), definition: def }, user_uses: 1 } },
  { name: "Validate for an anonymous shopper skips the per-customer limit", given: [defined], when: validate(null), nowMs: now, then: [], reply: { user_uses: null } },
  { name: "Validate before the window → not_started", given: [defined], when: validate(), nowMs: now - hourMs - 1, then: { reason: "not_started" } },
  { name: "Validate at ends_at → expired", given: [defined], when: validate(), nowMs: now + hourMs, then: { reason: "expired" } },
  { name: "Validate when every use is taken → usage_limit_reached", given: [defined, redeemed(1), redeemed(2, bob), redeemed(3, bob)], when: validate(), nowMs: now, then: { reason: "usage_limit_reached", limit: 3 } },
  { name: "Validate when the customer used it enough → customer_limit_reached", given: [defined, redeemed(1), redeemed(2)], when: validate(), nowMs: now, then: { reason: "customer_limit_reached", limit: 2 } },
  { name: "Validate below the minimum order → min_order_not_met", given: [defined], when: validate(ada, 999), nowMs: now, then: { reason: "min_order_not_met", min_order_amount: 1000 } },
  { name: "Validate exactly the minimum order", given: [defined], when: validate(ada, 1000), nowMs: now, then: [] },
  { name: "Validate a coupon never defined → not_found", given: [], when: validate(), nowMs: now, then: { reason: "not_found" } },
  { name: "Validate with a negative amount → invalid_command", given: [defined], when: validate(ada, -1), nowMs: now, then: { reason: "invalid_command" } },
  // Redeem
  { name: "Redeem", given: [defined], when: redeem(1), nowMs: now, then: [redeemed(1)], reply: { coupon: view(1), user_uses: 1, redemption: { order_id: "ord_1", status: "redeemed" } } },
  { name: "Redeem the same order again → no events, same answer", given: [defined, redeemed(1)], when: redeem(1), nowMs: now, then: [], reply: { coupon: view(1), redemption: { order_id: "ord_1", status: "redeemed" } } },
  { name: "Redeem the same order again after the coupon expired → still the first answer", given: [defined, redeemed(1)], when: redeem(1), nowMs: now + 2 * hourMs, then: [] },
  { name: "Redeem the same order again once every use is taken → still the first answer", given: [defined, redeemed(1), redeemed(2, bob), redeemed(3, bob)], when: redeem(1), nowMs: now, then: [] },
  { name: "Redeem an order another user redeemed → order_conflict", given: [defined, redeemed(1)], when: redeem(1, bob), nowMs: now, then: { reason: "order_conflict", order_id: "ord_1" } },
  { name: "Redeem past the global limit → usage_limit_reached", given: [defined, redeemed(1), redeemed(2, bob), redeemed(3, bob)], when: redeem(4), nowMs: now, then: { reason: "usage_limit_reached" } },
  { name: "Redeem past the per-customer limit → customer_limit_reached", given: [defined, redeemed(1), redeemed(2)], when: redeem(3), nowMs: now, then: { reason: "customer_limit_reached" } },
  { name: "Redeem below the minimum order → min_order_not_met", given: [defined], when: redeem(1, ada, 10), nowMs: now, then: { reason: "min_order_not_met" } },
  { name: "Redeem after the window → expired", given: [defined], when: redeem(1), nowMs: now + hourMs, then: { reason: "expired" } },
  { name: "Redeem an order whose redemption was reverted → no events, reverted", given: [defined, redeemed(1), reverted(1)], when: redeem(1), nowMs: now, then: [], reply: { coupon: view(0), redemption: { order_id: "ord_1", status: "reverted" } } },
  { name: "Redeem an order reverted before it was redeemed (tombstone) → no events", given: [defined, reverted(1)], when: redeem(1), nowMs: now, then: [], reply: { coupon: view(0), redemption: { status: "reverted" } } },
  { name: "Redeem a coupon never defined → not_found", given: [], when: redeem(1), nowMs: now, then: { reason: "not_found" } },
  { name: "Redeem with a malformed order id → invalid_command", given: [defined], when: { ...redeem(1), order_id: "order 1" }, nowMs: now, then: { reason: "invalid_command" } },
  { name: "Redeem without a user → invalid_command", given: [defined], when: { ...redeem(1), user_id: null }, nowMs: now, then: { reason: "invalid_command" } },
  { name: "A reverted use can be taken again", given: [defined, redeemed(1), redeemed(2, bob), redeemed(3, bob), reverted(2)], when: redeem(4), nowMs: now, then: [redeemed(4)], reply: { coupon: view(3) } },
  { name: "A customer's reverted use is theirs again", given: [defined, redeemed(1), redeemed(2), reverted(1)], when: redeem(3), nowMs: now, then: [redeemed(3)], reply: { user_uses: 2 } },
  {
    name: "A limit lowered below the uses: no more redemptions",
    given: [defined, redeemed(1), redeemed(2, bob), { _tag: "Defined", definition: { ...def, usage_limit: 1 } }],
    when: redeem(3),
    nowMs: now,
    then: { reason: "usage_limit_reached", limit: 1 }
  },
  // Revert
  { name: "Revert gives the use back", given: [defined, redeemed(1)], when: { _tag: "Revert", order_id: "ord_1" }, then: [reverted(1)], reply: { coupon: view(0), redemption: { order_id: "ord_1", status: "reverted" } } },
  { name: "Revert again → no events", given: [defined, redeemed(1), reverted(1)], when: { _tag: "Revert", order_id: "ord_1" }, then: [], reply: { coupon: view(0), redemption: { status: "reverted" } } },
  { name: "Revert after the coupon expired still gives the use back", given: [defined, redeemed(1)], when: { _tag: "Revert", order_id: "ord_1" }, nowMs: now + 5 * hourMs, then: [reverted(1)] },
  { name: "Revert an order never redeemed leaves a tombstone", given: [defined], when: { _tag: "Revert", order_id: "ord_9" }, then: [reverted(9)], reply: { coupon: view(0), redemption: { order_id: "ord_9", status: "not_redeemed" } } },
  { name: "Revert a tombstone again → no events, not_redeemed", given: [defined, reverted(9)], when: { _tag: "Revert", order_id: "ord_9" }, then: [], reply: { redemption: { status: "not_redeemed" } } },
  { name: "Revert on a coupon never defined → not_found", given: [], when: { _tag: "Revert", order_id: "ord_1" }, then: { reason: "not_found" } },
  // Anything else
  { name: "An unknown command → invalid_command", given: [defined], when: { _tag: "Burn" }, then: { reason: "invalid_command" } }
]

describe("coupon decider", () => {
  for (const row of rows) it(row.name, () => void runRow(coupon, row, CODE))

  it("evolve refuses events that break the invariants", () => {
    const stateOf = (events: ReadonlyArray<unknown>) => events.reduce((s: CouponState, e) => evolveCoupon(s, e as never), coupon.initialState(CODE))
    expect(() => stateOf([redeemed(1)])).toThrow(/before Defined/)
    expect(() => stateOf([defined, redeemed(1), redeemed(1)])).toThrow(/redeemed twice/)
    expect(() => stateOf([defined, redeemed(1), redeemed(2, bob), redeemed(3, bob), redeemed(4, bob)])).toThrow(/over the limit/)
    expect(() => stateOf([defined, redeemed(1), redeemed(2), redeemed(3)])).toThrow(/per-customer/)
    expect(() => stateOf([defined, reverted(1), reverted(1)])).toThrow(/reverted twice/)
    expect(() => stateOf([{ _tag: "Defined", definition: { ...def, code: "OTHER" } }])).toThrow(/Defined for OTHER/)
  })

  it("counts entries for snapshots: remembered orders and users with uses", () => {
    const state = [defined, redeemed(1), redeemed(2, bob), reverted(2), reverted(7)].reduce((s: CouponState, e) => evolveCoupon(s, e), coupon.initialState(CODE))
    expect(coupon.snapshotEntries!(state)).toBe(3 + 1)
    if (state.status !== "defined") throw new Error("not defined")
    expect(HashMap.size(state.uses_by_user)).toBe(1)
  })
})

describe("coupon record limit", () => {
  const full = (): CouponState => {
    const base = evolveCoupon(coupon.initialState(CODE), defined)
    if (base.status !== "defined") throw new Error("not defined")
    const tombstones = Array.from({ length: couponActorLimits.maxRecords }, (_, i) => [`ord_t${i}`, { user_id: null, status: "reverted" as const }] as const)
    return { ...base, redemptions: HashMap.fromIterable(tombstones) }
  }

  it("a Redeem for a new order once the coupon remembers maxRecords orders → redemption_limit", () => {
    expect(coupon.decide(full(), redeem(1) as never, now)).toMatchObject({ _tag: "Reject", rejection: { reason: "redemption_limit", limit: couponActorLimits.maxRecords } })
  })

  it("a Revert of an unknown order then answers without a tombstone", () => {
    expect(coupon.decide(full(), { _tag: "Revert", order_id: "ord_new" }, now)).toMatchObject({ _tag: "Accept", events: [], reply: { redemption: { status: "not_redeemed" } } })
  })
})
