import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { codecFor } from "../../runtime/actor.ts"
import { order, type Order, type OrderCommand, type OrderState } from "./order.ts"
import { indexEntryOf, OrderIndexEntry } from "./order-index.ts"
import { orderId, payment, place, states, total } from "./order-fixtures.ts"
import { canMove, orderStatuses } from "./order-status.ts"
import { orderView } from "./order-view.ts"

/**
 * Any sequence of order commands moves the status only along the edges of the state machine,
 * keeps one timeline entry per transition ending in the current status, keeps refunds within
 * the total, and every command sent again at once changes nothing.
 */

const stateCodec = codecFor(order.state)
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value))
const isIndexEntry = (value: unknown) => {
  try {
    codecFor(OrderIndexEntry).decode(value)
    return true
  } catch {
    return false
  }
}

const placement = fc.constantFrom<OrderCommand>(place(), place("pending"), place("authorized", { reasons: ["velocity_user"] }), place("pending", { reasons: ["amount"] }))
const paymentSummary = fc.constantFrom(
  payment("authorized"),
  payment("captured", total),
  payment("captured", 6_000),
  payment("partially_refunded", total, 1_000),
  payment("refunded", total, total),
  payment("voided"),
  payment("failed")
)

const command: fc.Arbitrary<OrderCommand> = fc.oneof(
  placement,
  fc.constant<OrderCommand>({ _tag: "Get" }),
  paymentSummary.map((p): OrderCommand => ({ _tag: "MarkPaymentAuthorized", payment: p })),
  fc.constant<OrderCommand>({ _tag: "MarkPaymentFailed", code: "card_declined" }),
  paymentSummary.map((p): OrderCommand => ({ _tag: "RecordPayment", payment: p })),
  fc.constantFrom<OrderCommand>({ _tag: "Cancel", by: "customer", reason: "changed my mind" }, { _tag: "Cancel", by: "operator", reason: "fraud" }),
  fc.constant<OrderCommand>({ _tag: "StartFulfilment" }),
  fc.constantFrom("shp_1", "shp_2").map((id): OrderCommand => ({ _tag: "Ship", shipment_id: id, carrier: "BlueDart", tracking_number: "BD1" })),
  fc.constant<OrderCommand>({ _tag: "Deliver" }),
  fc.constant<OrderCommand>({ _tag: "Close" }),
  fc.tuple(fc.constantFrom("ret_1", "ret_2"), fc.integer({ min: 1, max: 3 })).map(([id, q]): OrderCommand => ({ _tag: "RequestReturn", return_id: id, items: [{ sku_id: "sku_1", quantity: q, reason: "too loud" }] })),
  fc.constantFrom("ret_1", "ret_2").map((id): OrderCommand => ({ _tag: "MarkReturned", return_id: id })),
  fc.tuple(fc.integer({ min: 0, max: 4 }), fc.constantFrom(1, 2_000, 5_000, total), fc.constantFrom(undefined, "ret_1")).map(
    ([n, amount, ret]): OrderCommand => (ret === undefined ? { _tag: "MarkRefunded", refund_id: `rf_${n}`, amount } : { _tag: "MarkRefunded", refund_id: `rf_${n}`, amount, return_id: ret })
  ),
  fc.constantFrom("operator", "fulfilment_failed").map((reason): OrderCommand => ({ _tag: "Hold", reason, note: "look" })),
  fc.constant<OrderCommand>({ _tag: "ReleaseHold", note: "fine" })
)

describe("order properties", () => {
  it("status moves only along allowed edges; timeline, refunds and replays hold", () => {
    const reached = new Set<string>()
    fc.assert(
      fc.property(fc.oneof(placement, fc.constantFrom(...orderStatuses)), fc.array(command, { maxLength: 50 }), (start, rest) => {
        // Start from a placement, or from an order already in some status (so every status is explored).
        let state: OrderState = order.initialState(orderId)
        const commands = typeof start === "string" ? rest : [start, ...rest]
        if (typeof start === "string") for (const e of states[start]) state = order.evolve(state, e)
        for (const c of commands) {
          const before = state
          const decision = order.decide(state, c, 0)
          if (decision._tag === "Reject") continue
          for (const event of decision.events) {
            const from = state.status
            state = order.evolve(state, event)
            if (from !== "new" && state.status !== from) expect(canMove(from, state.status), `${from} → ${state.status}`).toBe(true)
          }
          const now = state as Order
          if (decision.events.length > 0) reached.add(now.status)
          expect(decision.reply).toEqual(now)
          // One entry per event that moves or records (PaymentRecorded adds none); the last is the current status.
          expect(now.timeline.at(-1)?.status).toBe(now.status)
          if (before.status !== "new") {
            const added = decision.events.filter((e) => e._tag !== "PaymentRecorded").length
            expect(now.timeline.length - before.timeline.length).toBe(added)
          }
          expect(now.refunds.reduce((s, r) => s + r.amount, 0)).toBeLessThanOrEqual(now.totals.total)
          // Sent again at once: nothing more.
          const again = order.decide(now, c, 0)
          if (again._tag === "Accept") expect(again.events).toEqual([])
          expect(() => orderView(now)).not.toThrow()
          expect(isIndexEntry(indexEntryOf(now))).toBe(true)
        }
        expect(json(stateCodec.encode(stateCodec.decode(json(stateCodec.encode(state)))))).toEqual(json(stateCodec.encode(state)))
      }),
      { numRuns: Number(process.env["PROPERTY_RUNS"] ?? 500) }
    )
    // The generator reaches every status.
    expect([...reached].sort()).toEqual([...orderStatuses].sort())
  })
})
