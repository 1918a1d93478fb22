import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { codecFor } from "../../runtime/actor.ts"
import { MIN, SKU, T0 } from "./sku-fixtures.ts"
import type { SkuCommand, SkuEvent } from "./sku-schema.ts"
import { assertFullInvariants, availableOf, encodeSkuState, holdCount, holdsByDeadline, statusFor, viewOf } from "./sku-state.ts"
import { sku, type SkuState } from "./sku.ts"

/**
 * Any interleaving of reserve / confirm / release / expire / extend / receive / adjust / set /
 * damage / return / in-transit / subscribe, with random quantities, times, owners and ids drawn
 * from small pools (so replays, conflicts and contention happen), keeps every invariant.
 */

const stateCodec = codecFor(sku.state)
const eventCodec = codecFor(sku.event)
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

const reservationId = fc.integer({ min: 0, max: 15 }).map((i) => `r${i}`)
const owner = fc.constantFrom("u_0", "u_1", "u_2")
const warehouse = fc.constantFrom("wh_a", "wh_b", "wh_c")
const ref = fc.integer({ min: 0, max: 24 }).map((i) => `f${i}`)
const ttl = fc.integer({ min: 1, max: 5 * MIN })

/** A command given the current time (deadlines are relative to it). */
type Step = { readonly dtMs: number; readonly make: (nowMs: number) => SkuCommand }

const command: fc.Arbitrary<(nowMs: number) => SkuCommand> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ id: reservationId, q: fc.integer({ min: 1, max: 6 }), owner, partial: fc.boolean(), wh: fc.option(warehouse, { nil: undefined }), ttl }).map(
    (r) => (now: number): SkuCommand => ({
      _tag: "Reserve",
      reservation_id: r.id,
      quantity: r.q,
      owner: r.owner,
      expires_at_ms: now + r.ttl,
      ...(r.partial ? { mode: "partial" as const } : {}),
      ...(r.wh === undefined ? {} : { warehouse_id: r.wh })
    })
  ) },
  { weight: 5, arbitrary: reservationId.map((id) => (): SkuCommand => ({ _tag: "Confirm", reservation_id: id })) },
  { weight: 2, arbitrary: reservationId.map((id) => (): SkuCommand => ({ _tag: "Release", reservation_id: id })) },
  { weight: 2, arbitrary: fc.tuple(reservationId, ttl).map(([id, t]) => (now: number): SkuCommand => ({ _tag: "Extend", reservation_id: id, expires_at_ms: now + t })) },
  { weight: 2, arbitrary: fc.constant((): SkuCommand => ({ _tag: "Expire" })) },
  { weight: 1, arbitrary: reservationId.map((id) => (): SkuCommand => ({ _tag: "GetReservation", reservation_id: id })) },
  { weight: 4, arbitrary: fc.tuple(warehouse, fc.integer({ min: 1, max: 8 }), ref).map(([wh, q, r]) => (): SkuCommand => ({ _tag: "Receive", warehouse_id: wh, quantity: q, ref: r })) },
  {
    weight: 2,
    arbitrary: fc.tuple(warehouse, fc.integer({ min: -6, max: 6 }).filter((d) => d !== 0), ref).map(([wh, d, r]) => (): SkuCommand => ({ _tag: "Adjust", warehouse_id: wh, delta: d, ref: r }))
  },
  {
    weight: 2,
    arbitrary: fc.tuple(warehouse, fc.integer({ min: 0, max: 12 }), fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }), ref).map(
      ([wh, level, expected, r]) => (): SkuCommand => ({ _tag: "SetOnHand", warehouse_id: wh, on_hand: level, ref: r, ...(expected === undefined ? {} : { expected_on_hand: expected }) })
    )
  },
  { weight: 1, arbitrary: fc.tuple(warehouse, fc.integer({ min: 1, max: 4 }), ref).map(([wh, q, r]) => (): SkuCommand => ({ _tag: "Damage", warehouse_id: wh, quantity: q, ref: r })) },
  { weight: 1, arbitrary: fc.tuple(warehouse, fc.integer({ min: 1, max: 4 }), ref).map(([wh, q, r]) => (): SkuCommand => ({ _tag: "ReturnToStock", warehouse_id: wh, quantity: q, ref: r })) },
  { weight: 1, arbitrary: fc.tuple(warehouse, fc.integer({ min: 0, max: 9 }), ref).map(([wh, n, r]) => (): SkuCommand => ({ _tag: "SetInTransit", warehouse_id: wh, in_transit: n, ref: r })) },
  { weight: 1, arbitrary: owner.map((u) => (): SkuCommand => ({ _tag: "Subscribe", user_id: u })) },
  { weight: 1, arbitrary: owner.map((u) => (): SkuCommand => ({ _tag: "Unsubscribe", user_id: u })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 6 }).map((t) => (): SkuCommand => ({ _tag: "SetLowStockThreshold", low_stock_threshold: t })) }
)

const step: fc.Arbitrary<Step> = fc.record({ dtMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 * MIN })), make: command })

const scenario = fc.record({
  perUserLimit: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null, freq: 2 }),
  steps: fc.array(step, { minLength: 1, maxLength: 120, size: "max" })
})

const isStatusEvent = (e: SkuEvent) => e._tag === "StockStatusChanged"

const check = (state: SkuState, perUserLimit: number | null) => {
  // 0 ≤ reserved ≤ on_hand per warehouse, counts are integers, reserved = Σ live hold lines,
  // conservation of Σ on_hand + sold + damaged + adjusted_out = received + adjusted_in + returned.
  assertFullInvariants(state)
  for (const w of state.warehouses) {
    expect(w.reserved).toBeGreaterThanOrEqual(0)
    expect(w.reserved).toBeLessThanOrEqual(w.on_hand)
  }
  expect(state.stock_status).toBe(statusFor(availableOf(state), state.low_stock_threshold))
  if (perUserLimit !== null) for (const usage of state.book.read().usage.values()) expect(usage.held + usage.bought).toBeLessThanOrEqual(perUserLimit)
}

const roundTrips = (state: SkuState) => {
  const encoded = json(stateCodec.encode(state))
  const decoded = stateCodec.decode(encoded)
  expect(json(encodeSkuState(decoded))).toEqual(encoded)
  expect(viewOf(decoded)).toEqual(viewOf(state))
  expect(sku.nextTimer!(decoded)).toEqual(sku.nextTimer!(state))
}

describe("sku properties", () => {
  it("any interleaving keeps stock, holds, limits and conservation consistent; replays change nothing; state round-trips", () => {
    fc.assert(
      fc.property(scenario, ({ perUserLimit, steps }) => {
        let now = T0
        let state = sku.evolve(sku.initialState(SKU), { _tag: "Registered", seller_id: "s_1", low_stock_threshold: 3 })
        if (perUserLimit !== null) state = sku.evolve(state, { _tag: "PurchaseLimitSet", per_user_limit: perUserLimit })
        // An independent ledger built from the events alone.
        const model = { holds: new Map<string, number>(), sold: 0, inflow: 0, outflow: 0 }
        for (const s of steps) {
          now += s.dtMs
          const cmd = s.make(now)
          const before = state
          const decision = sku.decide(state, cmd, now)
          if (decision._tag === "Reject") {
            expect(decision.rejection.reason).not.toBe("invalid_command")
          } else {
            for (const e of decision.events) {
              expect(eventCodec.decode(json(eventCodec.encode(e)))).toEqual(e)
              state = sku.evolve(state, e)
              if ("available_after" in e) expect(e.available_after).toBe(availableOf(state))
              switch (e._tag) {
                case "Reserved":
                  model.holds.set(e.reservation_id, e.quantity)
                  break
                case "Confirmed":
                  model.sold += model.holds.get(e.reservation_id)!
                  model.holds.delete(e.reservation_id)
                  break
                case "Released":
                case "ReservationExpired":
                  model.holds.delete(e.reservation_id)
                  break
                case "Received":
                case "Returned":
                  model.inflow += e.quantity
                  break
                case "Damaged":
                  model.outflow += e.quantity
                  break
                case "Adjusted":
                case "OnHandSet":
                  if (e.delta > 0) model.inflow += e.delta
                  else model.outflow -= e.delta
                  break
              }
            }
            // The status is published exactly when it changes.
            expect(decision.events.some(isStatusEvent)).toBe(before.stock_status !== state.stock_status)
          }
          check(state, perUserLimit)
          expect(state.reserved).toBe([...model.holds.values()].reduce((a, b) => a + b, 0))
          expect(holdCount(state)).toBe(model.holds.size)
          expect(state.counters.sold).toBe(model.sold)
          // sold + reserved + available is conserved against what came in and went out.
          expect(state.counters.sold + state.reserved + availableOf(state)).toBe(model.inflow - model.outflow)
          if (cmd._tag === "Expire") for (const hold of holdsByDeadline(state)) expect(hold.expires_at_ms).toBeGreaterThan(now)
          // Deciding the same command again at once is a replay: never new events.
          const replay = sku.decide(state, cmd, now)
          if (replay._tag === "Accept") expect(replay.events).toEqual([])
        }
        roundTrips(state)
      }),
      { numRuns: 400 }
    )
  })

  it("the encoded state round-trips mid-scenario too (holds, settled ids, refs, usage)", () => {
    fc.assert(
      fc.property(scenario, ({ perUserLimit, steps }) => {
        let now = T0
        let state = sku.evolve(sku.initialState(SKU), { _tag: "Registered", seller_id: "s_1", low_stock_threshold: 3 })
        if (perUserLimit !== null) state = sku.evolve(state, { _tag: "PurchaseLimitSet", per_user_limit: perUserLimit })
        steps.forEach((s, i) => {
          now += s.dtMs
          const decision = sku.decide(state, s.make(now), now)
          if (decision._tag === "Accept") state = decision.events.reduce(sku.evolve, state)
          if (i % 7 === 0) {
            roundTrips(state)
            // Continuing from the decoded state decides exactly as the original would.
            const decoded = stateCodec.decode(json(stateCodec.encode(state)))
            const probe = s.make(now)
            expect(json(sku.decide(decoded, probe, now))).toEqual(json(sku.decide(state, probe, now)))
          }
        })
      }),
      { numRuns: 200 }
    )
  })
})
