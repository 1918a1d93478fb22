import { HashSet, RedBlackTree } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { codecFor } from "../../runtime/actor.ts"
import { sale } from "./sale.ts"
import { config, E1, join, MIN, SEC, T0, tick } from "./sale-fixtures.ts"
import type { SaleCommand, SaleConfig, SaleEvent } from "./sale-schema.ts"
import { type DefinedSale, invariantProblems, memberOf, type SaleState } from "./sale-state.ts"

/**
 * Any interleaving of joins, reconnects, disconnects, ticks, claims, completions, pauses and
 * shadow-bans, over a small pool of users and two gateway epochs, keeps the queue's promises:
 * no 60 s window ever holds more admissions than `admit_per_minute`, never more than
 * `max_active` at once, a waiting shopper's position never moves back (except at the shuffle of
 * a random_prequeue start, and for a shopper whose ban is lifted), the state survives a snapshot
 * round trip, and in FIFO mode with everyone present admission order is join order.
 */

const stateCodec = codecFor(sale.state)
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value))
const user = fc.integer({ min: 0, max: 14 }).map((i) => `u_${i}`)
const epoch = fc.constantFrom(E1, "epoch2")

type Make = (s: DefinedSale) => SaleCommand
const command: fc.Arbitrary<{ dtMs: number; make: Make }> = fc.record({
  dtMs: fc.integer({ min: 0, max: 20 * SEC }),
  make: fc.oneof(
    { weight: 8, arbitrary: fc.tuple(user, epoch).map(([u, e]): Make => () => join(u, e)) },
    { weight: 3, arbitrary: fc.tuple(user, epoch).map(([u, e]): Make => () => ({ _tag: "Leave", user_id: u, epoch: e })) },
    { weight: 10, arbitrary: epoch.map((e): Make => () => tick(e)) },
    {
      weight: 3,
      arbitrary: fc.tuple(user, fc.constantFrom("co_1", "co_2")).map(([u, key]): Make => (s) => ({ _tag: "Claim", user_id: u, token_id: memberOf(s, u)?.token_id ?? 1, claim_key: key }))
    },
    { weight: 3, arbitrary: user.map((u): Make => (s) => ({ _tag: "Complete", user_id: u, token_id: memberOf(s, u)?.token_id ?? 1 })) },
    { weight: 1, arbitrary: fc.constantFrom<Make>(() => ({ _tag: "Pause" }), () => ({ _tag: "Resume" })) },
    { weight: 1, arbitrary: fc.tuple(user, fc.boolean()).map(([u, b]): Make => () => ({ _tag: "SetBanned", user_ids: [u], banned: b })) }
  )
})

const positions = (s: DefinedSale): Map<string, number> => {
  const out = new Map<string, number>()
  let ahead = 0
  for (const [, u] of s.line) {
    out.set(u, ahead + 1)
    if (!HashSet.has(s.banned, u)) ahead++
  }
  return out
}

const settings = fc.record({
  admit_per_minute: fc.integer({ min: 1, max: 30 }),
  max_active: fc.integer({ min: 1, max: 6 }),
  mode: fc.constantFrom("fifo" as const, "random_prequeue" as const),
  session_ms: fc.constantFrom(MIN, 2 * MIN),
  grace_ms: fc.constantFrom(30 * SEC, 5 * MIN)
})

const run = (c: SaleConfig, steps: ReadonlyArray<{ dtMs: number; make: Make }>, check: (before: DefinedSale, after: DefinedSale, events: ReadonlyArray<SaleEvent>, nowMs: number) => void) => {
  let state: SaleState = sale.evolve(sale.initialState(c.sale_id), { _tag: "Defined", config: c })
  let now = T0 - MIN
  for (const step of steps) {
    now += step.dtMs
    const before = state as DefinedSale
    const decision = sale.decide(before, step.make(before), now)
    if (decision._tag === "Reject") continue
    state = decision.events.reduce(sale.evolve, before)
    check(before, state as DefinedSale, decision.events, now)
  }
  return state as DefinedSale
}

describe("sale properties", () => {
  it("rate, max_active, positions and snapshots hold under any interleaving", () => {
    fc.assert(
      fc.property(settings, fc.array(command, { minLength: 1, maxLength: 120 }), (overrides, steps) => {
        const c = config(overrides)
        const admissions: Array<{ at: number; count: number }> = []
        run(c, steps, (before, after, events, now) => {
          expect(invariantProblems(after)).toEqual([])
          expect(HashSet.size(after.active)).toBeLessThanOrEqual(c.max_active)
          for (const e of events) if (e._tag === "Admitted") admissions.push({ at: e.at_ms, count: e.admissions.length })
          const inWindow = admissions.filter((a) => a.at > now - 60 * SEC).reduce((n, a) => n + a.count, 0)
          expect(inWindow).toBeLessThanOrEqual(c.admit_per_minute)
          const shuffled = c.mode === "random_prequeue" && events.some((e) => e._tag === "Started")
          const unbanned = new Set(events.flatMap((e) => (e._tag === "BannedSet" && !e.banned ? e.user_ids : [])))
          if (!shuffled) {
            const was = positions(before)
            for (const [u, p] of positions(after)) {
              const old = was.get(u)
              if (old !== undefined && !unbanned.has(u)) expect(p, `${u} moved back`).toBeLessThanOrEqual(old)
            }
          }
        })
      }),
      { numRuns: 300 }
    )
  })

  it("a snapshot round trip gives the same state", () => {
    fc.assert(
      fc.property(settings, fc.array(command, { minLength: 1, maxLength: 80 }), (overrides, steps) => {
        const final = run(config(overrides), steps, () => {})
        const encoded = json(stateCodec.encode(final))
        const decoded = stateCodec.decode(encoded) as DefinedSale
        expect(json(stateCodec.encode(decoded))).toEqual(encoded)
        expect(Array.from(RedBlackTree.values(decoded.line))).toEqual(Array.from(RedBlackTree.values(final.line)))
      }),
      { numRuns: 100 }
    )
  })

  it("FIFO with everyone present: admission order is join order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(user.map((u) => ({ dtMs: 100, make: (): SaleCommand => join(u) })), fc.integer({ min: 0, max: 5 * SEC }).map((dtMs) => ({ dtMs, make: (): SaleCommand => tick() }))), {
          maxLength: 100
        }),
        (steps) => {
          const c = config({ admit_per_minute: 20, max_active: 100_000, session_ms: 30 * MIN })
          const joinOrder: Array<string> = []
          const admitOrder: Array<string> = []
          run(c, steps.map((s) => ({ dtMs: s.dtMs, make: s.make })), (_b, _a, events) => {
            for (const e of events) {
              if (e._tag === "Joined") joinOrder.push(e.user_id)
              if (e._tag === "Admitted") admitOrder.push(...e.admissions.map((a) => a.user_id))
            }
          })
          expect(admitOrder).toEqual(joinOrder.slice(0, admitOrder.length))
        }
      ),
      { numRuns: 200 }
    )
  })
})
