import { describe, expect, it } from "vitest"
import { type DeciderRow, runRow } from "../../test/support/decider-table.ts"
import { orderLimits } from "./fields.ts"
import { order, type OrderCommand, type OrderEvent } from "./order.ts"
import { address, at, compensation, ev, orderId, payment, place, placed, placedItems, states, total, totals } from "./order-fixtures.ts"
import { type OrderStatus, orderStatuses } from "./order-status.ts"

/** Every command in one canonical form, with the event it emits when accepted in a given status. */
const commands: Record<string, readonly [OrderCommand, (from: OrderStatus) => ReadonlyArray<OrderEvent>]> = {
  Place: [place(), () => [placed()]],
  MarkPaymentAuthorized: [{ _tag: "MarkPaymentAuthorized", payment: payment("authorized") }, () => [ev.paymentAuthorized]],
  MarkPaymentFailed: [{ _tag: "MarkPaymentFailed", code: "card_declined" }, () => [ev.paymentFailed]],
  RecordPayment: [{ _tag: "RecordPayment", payment: payment("captured", total) }, () => [ev.paymentRecorded(payment("captured", total))]],
  Cancel: [{ _tag: "Cancel", by: "customer", reason: "changed my mind" }, () => [ev.cancelled()]],
  StartFulfilment: [{ _tag: "StartFulfilment" }, () => [ev.fulfilmentStarted]],
  Ship: [{ _tag: "Ship", shipment_id: "shp_1", carrier: "BlueDart", tracking_number: "BD123456789IN" }, () => [ev.shipped]],
  Deliver: [{ _tag: "Deliver" }, () => [ev.delivered]],
  Close: [{ _tag: "Close" }, () => [ev.closed]],
  RequestReturn: [{ _tag: "RequestReturn", return_id: "ret_1", items: [{ sku_id: "sku_1", quantity: 1, reason: "too loud" }] }, () => [ev.returnRequested]],
  MarkReturned: [{ _tag: "MarkReturned", return_id: "ret_1" }, () => [ev.returnReceived]],
  MarkRefunded: [{ _tag: "MarkRefunded", refund_id: "rf_1", amount: 5_000, return_id: "ret_1" }, () => [ev.refunded("rf_1", 5_000, "ret_1")]],
  Hold: [{ _tag: "Hold", reason: "operator", note: "check address" }, (from) => [ev.held(from)]],
  ReleaseHold: [{ _tag: "ReleaseHold", note: "ok" }, () => [ev.released("placed")]],
  Get: [{ _tag: "Get" }, () => []]
}

/** `E`: emits the command's events; `S`: accepted, nothing changes (a replay); otherwise the rejection reason. */
const X = "invalid_transition"
const NR = "return_not_found"
// prettier-ignore
const matrix: Record<OrderStatus, Record<keyof typeof commands, string>> = {
  pending_payment: { Place: "S", MarkPaymentAuthorized: "E", MarkPaymentFailed: "E", RecordPayment: "E", Cancel: "E", StartFulfilment: X, Ship: X, Deliver: X, Close: X, RequestReturn: X, MarkReturned: NR, MarkRefunded: NR, Hold: X, ReleaseHold: X, Get: "S" },
  placed: { Place: "S", MarkPaymentAuthorized: "S", MarkPaymentFailed: X, RecordPayment: "E", Cancel: "E", StartFulfilment: "E", Ship: X, Deliver: X, Close: X, RequestReturn: X, MarkReturned: NR, MarkRefunded: NR, Hold: "E", ReleaseHold: X, Get: "S" },
  fulfilling: { Place: "S", MarkPaymentAuthorized: "S", MarkPaymentFailed: X, RecordPayment: "E", Cancel: "E", StartFulfilment: "S", Ship: "E", Deliver: X, Close: X, RequestReturn: X, MarkReturned: NR, MarkRefunded: NR, Hold: "E", ReleaseHold: X, Get: "S" },
  shipped: { Place: "S", MarkPaymentAuthorized: "S", MarkPaymentFailed: X, RecordPayment: "E", Cancel: X, StartFulfilment: X, Ship: "S", Deliver: "E", Close: X, RequestReturn: X, MarkReturned: NR, MarkRefunded: NR, Hold: "E", ReleaseHold: X, Get: "S" },
  delivered: { Place: "S", MarkPaymentAuthorized: "S", MarkPaymentFailed: X, RecordPayment: "E", Cancel: X, StartFulfilment: X, Ship: X, Deliver: "S", Close: "E", RequestReturn: "E", MarkReturned: NR, MarkRefunded: NR, Hold: "E", ReleaseHold: X, Get: "S" },
  closed: { Place: "S", MarkPaymentAuthorized: "S", MarkPaymentFailed: X, RecordPayment: "E", Cancel: X, StartFulfilment: X, Ship: X, Deliver: X, Close: "S", RequestReturn: X, MarkReturned: NR, MarkRefunded: NR, Hold: X, ReleaseHold: X, Get: "S" },
  cancelled: { Place: "S", MarkPaymentAuthorized: X, MarkPaymentFailed: X, RecordPayment: "E", Cancel: "S", StartFulfilment: X, Ship: X, Deliver: X, Close: X, RequestReturn: X, MarkReturned: NR, MarkRefunded: NR, Hold: X, ReleaseHold: X, Get: "S" },
  payment_failed: { Place: "S", MarkPaymentAuthorized: X, MarkPaymentFailed: "S", RecordPayment: "E", Cancel: X, StartFulfilment: X, Ship: X, Deliver: X, Close: X, RequestReturn: X, MarkReturned: NR, MarkRefunded: NR, Hold: X, ReleaseHold: X, Get: "S" },
  return_requested: { Place: "S", MarkPaymentAuthorized: "S", MarkPaymentFailed: X, RecordPayment: "E", Cancel: X, StartFulfilment: X, Ship: X, Deliver: X, Close: X, RequestReturn: "S", MarkReturned: "E", MarkRefunded: X, Hold: "E", ReleaseHold: X, Get: "S" },
  returned: { Place: "S", MarkPaymentAuthorized: "S", MarkPaymentFailed: X, RecordPayment: "E", Cancel: X, StartFulfilment: X, Ship: X, Deliver: X, Close: X, RequestReturn: "S", MarkReturned: "S", MarkRefunded: "E", Hold: "E", ReleaseHold: X, Get: "S" },
  refunded: { Place: "S", MarkPaymentAuthorized: "S", MarkPaymentFailed: X, RecordPayment: "E", Cancel: X, StartFulfilment: X, Ship: X, Deliver: X, Close: "E", RequestReturn: "S", MarkReturned: "S", MarkRefunded: "S", Hold: X, ReleaseHold: X, Get: "S" },
  exception: { Place: "S", MarkPaymentAuthorized: "S", MarkPaymentFailed: X, RecordPayment: "E", Cancel: "E", StartFulfilment: X, Ship: X, Deliver: X, Close: X, RequestReturn: X, MarkReturned: NR, MarkRefunded: NR, Hold: X, ReleaseHold: "E", Get: "S" }
}

const matrixRows: ReadonlyArray<DeciderRow> = orderStatuses.flatMap((status) =>
  Object.entries(matrix[status]).map(([name, outcome]): DeciderRow => {
    const [command, events] = commands[name]!
    const emitted = events(status)
    return {
      name: `${status} + ${name} → ${outcome === "E" ? emitted.map((e) => e._tag).join(", ") : outcome === "S" ? "no events" : outcome}`,
      given: states[status],
      when: command,
      then: outcome === "E" ? emitted : outcome === "S" ? [] : outcome === X ? { reason: X, status } : { reason: outcome }
    }
  })
)

const given = states
const withPayment = (status: Parameters<typeof payment>[0], captured = 0, refunded = 0) => [placed(), ev.paymentRecorded(payment(status, captured, refunded))]

const rows: ReadonlyArray<DeciderRow> = [
  // Place
  {
    name: "Place with an authorized payment → placed",
    given: [],
    when: place(),
    then: [placed()],
    reply: { status: "placed", order_id: orderId, totals, timeline: [{ at, status: "placed", note: "order placed" }], payment: { status: "authorized", authorized_amount: total } }
  },
  { name: "Place with a pending payment → pending_payment", given: [], when: place("pending"), then: [placed("pending_payment")], reply: { status: "pending_payment" } },
  { name: "Place with a captured payment → placed", given: [], when: { ...place(), payment: payment("captured", total) } as OrderCommand, then: [{ ...placed(), payment: payment("captured", total) } as OrderEvent] },
  {
    name: "Place with a fraud review → placed, then held in exception",
    given: [],
    when: place("authorized", { reasons: ["velocity_user", "amount"] }),
    then: [placed("placed", { reasons: ["velocity_user", "amount"] }), ev.held("placed", "fraud_review", "velocity_user, amount")],
    reply: { status: "exception", hold: { held_from: "placed", reason: "fraud_review" }, review: null, holds_total: 1 }
  },
  {
    name: "Place pending with a review: the review waits for the authorization",
    given: [],
    when: place("pending", { reasons: ["address_mismatch"] }),
    then: [placed("pending_payment", { reasons: ["address_mismatch"] })],
    reply: { status: "pending_payment", review: { reasons: ["address_mismatch"] } }
  },
  {
    name: "MarkPaymentAuthorized with a review waiting → placed, then held",
    given: [placed("pending_payment", { reasons: ["address_mismatch"] })],
    when: { _tag: "MarkPaymentAuthorized", payment: payment("authorized") },
    then: [ev.paymentAuthorized, ev.held("placed", "fraud_review", "address_mismatch")],
    reply: { status: "exception", timeline: [{ status: "pending_payment" }, { status: "placed" }, { status: "exception" }] }
  },
  { name: "Place again with other items → order_exists", given: given.placed, when: { ...place(), items: [placedItems[0]!], totals: { ...totals, subtotal: 10_000, total: 10_400 }, payment: { ...payment("authorized"), authorized_amount: 10_400 } } as OrderCommand, then: { reason: "order_exists" } },
  { name: "Place again from another checkout → order_exists", given: given.placed, when: { ...place(), checkout_id: "co_BBBBBBBBBBBBBBBBBBBBBB" } as OrderCommand, then: { reason: "order_exists" } },
  { name: "Place again after the order moved on → no events", given: given.delivered, when: place(), then: [] },
  { name: "Place with a subtotal that is not the sum of the lines → invalid_command", given: [], when: { ...place(), totals: { ...totals, subtotal: 11_001 } } as OrderCommand, then: { reason: "invalid_command" } },
  { name: "Place with a wrong total → invalid_command", given: [], when: { ...place(), totals: { ...totals, total: total + 1 } } as OrderCommand, then: { reason: "invalid_command" } },
  { name: "Place with a discount above subtotal + shipping → invalid_command", given: [], when: { ...place(), totals: { subtotal: 11_000, discount: 12_000, shipping: 500, tax: 500, total: 0 } } as OrderCommand, then: { reason: "invalid_command" } },
  {
    name: "Place with prices including tax: tax is not added",
    given: [],
    when: { ...place(), tax_inclusive: true, totals: { ...totals, total: 10_500 }, payment: { ...payment("authorized"), authorized_amount: 10_500 } } as OrderCommand,
    then: [{ ...placed(), tax_inclusive: true, totals: { ...totals, total: 10_500 }, payment: { ...payment("authorized"), authorized_amount: 10_500 } } as OrderEvent]
  },
  { name: "Place with a payment authorized for another amount → invalid_command", given: [], when: { ...place(), payment: { ...payment("authorized"), authorized_amount: total - 1 } } as OrderCommand, then: { reason: "invalid_command" } },
  { name: "Place with a failed payment → invalid_command", given: [], when: place("failed"), then: { reason: "invalid_command" } },
  { name: "Place with the same SKU twice → invalid_command", given: [], when: { ...place(), items: [placedItems[0]!, placedItems[0]!] } as OrderCommand, then: { reason: "invalid_command" } },
  { name: "Place with no items → invalid_command", given: [], when: { ...place(), items: [] } as OrderCommand, then: { reason: "invalid_command" } },
  { name: "Place with a malformed shipping country → invalid_command", given: [], when: { ...place(), shipping_address: { ...address, country: "XX" } } as OrderCommand, then: { reason: "invalid_command" } },
  { name: "Get an order never placed → not_found", given: [], when: { _tag: "Get" }, then: { reason: "not_found" } },
  { name: "Cancel an order never placed → not_found", given: [], when: { _tag: "Cancel", by: "customer", reason: "x" }, then: { reason: "not_found" } },
  { name: "An unknown command → invalid_command", given: given.placed, when: { _tag: "Explode" }, then: { reason: "invalid_command" } },
  // Payment
  { name: "MarkPaymentAuthorized for another amount → invalid_command", given: given.pending_payment, when: { _tag: "MarkPaymentAuthorized", payment: { ...payment("authorized"), authorized_amount: 1 } }, then: { reason: "invalid_command" } },
  { name: "MarkPaymentAuthorized of another payment → payment_mismatch", given: given.pending_payment, when: { _tag: "MarkPaymentAuthorized", payment: { ...payment("authorized"), payment_id: "pay_BBBBBBBBBBBBBBBBBBBBBB" } }, then: { reason: "payment_mismatch" } },
  { name: "MarkPaymentFailed shows the payment failed", given: given.pending_payment, when: { _tag: "MarkPaymentFailed", code: "card_declined" }, then: [ev.paymentFailed], reply: { status: "payment_failed", payment: { status: "failed" } } },
  { name: "RecordPayment older than the one shown → no events", given: withPayment("captured", total), when: { _tag: "RecordPayment", payment: payment("authorized") }, then: [] },
  { name: "RecordPayment with the same summary → no events", given: withPayment("captured", total), when: { _tag: "RecordPayment", payment: payment("captured", total) }, then: [] },
  { name: "RecordPayment of a refund", given: withPayment("captured", total), when: { _tag: "RecordPayment", payment: payment("partially_refunded", total, 100) }, then: [ev.paymentRecorded(payment("partially_refunded", total, 100))], reply: { payment: { refunded_amount: 100 } } },
  { name: "RecordPayment with refunded above captured → invalid_command", given: given.placed, when: { _tag: "RecordPayment", payment: payment("captured", 100, 200) }, then: { reason: "invalid_command" } },
  // Cancel and its compensation
  { name: "Cancel an authorized order: void, return the stock", given: given.placed, when: { _tag: "Cancel", by: "customer", reason: "changed my mind" }, then: [ev.cancelled()], reply: { status: "cancelled", cancellation: { compensation: compensation("void") } } },
  { name: "Cancel a captured order: refund what was captured", given: withPayment("captured", total), when: { _tag: "Cancel", by: "customer", reason: "changed my mind" }, then: [ev.cancelled(compensation("refund", total))] },
  { name: "Cancel a partly refunded order: refund the rest", given: withPayment("partially_refunded", total, 400), when: { _tag: "Cancel", by: "customer", reason: "changed my mind" }, then: [ev.cancelled(compensation("refund", total - 400))] },
  { name: "Cancel an order whose payment was voided: nothing to give back", given: withPayment("voided"), when: { _tag: "Cancel", by: "customer", reason: "changed my mind" }, then: [ev.cancelled(compensation("none"))] },
  {
    name: "An operator cancels an order held for review",
    given: given.exception,
    when: { _tag: "Cancel", by: "operator", reason: "fraud confirmed" },
    then: [{ _tag: "Cancelled", cancellation: { by: "operator", reason: "fraud confirmed", at, compensation: compensation("void") }, at, note: "cancelled by operator: fraud confirmed" }],
    reply: { status: "cancelled", hold: null }
  },
  { name: "Cancel an order held after shipping → invalid_transition", given: [...given.shipped, ev.held("shipped")], when: { _tag: "Cancel", by: "operator", reason: "x" }, then: { reason: "invalid_transition", status: "exception" } },
  { name: "Cancel with a blank reason → invalid_command", given: given.placed, when: { _tag: "Cancel", by: "customer", reason: "  " }, then: { reason: "invalid_command" } },
  { name: "A long cancellation reason is cut in the timeline note", given: given.placed, when: { _tag: "Cancel", by: "customer", reason: "x".repeat(500) }, then: [{ ...ev.cancelled(), cancellation: { by: "customer", reason: "x".repeat(500), at, compensation: compensation() }, note: `cancelled by customer: ${"x".repeat(476)}…` } as OrderEvent] },
  // Refunds
  { name: "MarkRefunded after a cancellation stays cancelled", given: [...withPayment("captured", total), ev.cancelled(compensation("refund", total))], when: { _tag: "MarkRefunded", refund_id: "rf_c", amount: total }, then: [ev.refunded("rf_c", total, null)], reply: { status: "cancelled", refunds: [{ refund_id: "rf_c", return_id: null }], timeline: [{ status: "placed" }, { status: "cancelled" }, { status: "cancelled", note: `refunded ${total} INR` }] } },
  { name: "MarkRefunded above the total → refund_exceeds_total", given: given.returned, when: { _tag: "MarkRefunded", refund_id: "rf_1", amount: total + 1 }, then: { reason: "refund_exceeds_total", refundable: total } },
  { name: "MarkRefunded without a return id refunds the received return", given: given.returned, when: { _tag: "MarkRefunded", refund_id: "rf_1", amount: 5_000 }, then: [ev.refunded("rf_1", 5_000, "ret_1")], reply: { status: "refunded", returns: [{ status: "refunded", refund_id: "rf_1" }] } },
  { name: "MarkRefunded again with another amount → refund_id_reused", given: given.refunded, when: { _tag: "MarkRefunded", refund_id: "rf_1", amount: 4_000 }, then: { reason: "refund_id_reused" } },
  { name: "MarkRefunded again without the return id → no events", given: given.refunded, when: { _tag: "MarkRefunded", refund_id: "rf_1", amount: 5_000 }, then: [] },
  { name: "MarkRefunded for another return → return_not_found", given: given.returned, when: { _tag: "MarkRefunded", refund_id: "rf_1", amount: 5_000, return_id: "ret_2" }, then: { reason: "return_not_found" } },
  {
    name: `The ${orderLimits.maxRefunds + 1}st refund → refund_limit`,
    given: [...withPayment("captured", total), ev.cancelled(compensation("refund", total)), ...Array.from({ length: orderLimits.maxRefunds }, (_, i) => ev.refunded(`rf_${i}`, 1, null))],
    when: { _tag: "MarkRefunded", refund_id: "rf_x", amount: 1 },
    then: { reason: "refund_limit" }
  },
  // Shipping and returns
  { name: "Ship records the shipment", given: given.fulfilling, when: commands.Ship![0], then: [ev.shipped], reply: { shipments: [{ shipment_id: "shp_1", status: "shipped", carrier: "BlueDart" }] } },
  { name: "Ship another shipment after shipping → invalid_transition", given: given.shipped, when: { _tag: "Ship", shipment_id: "shp_2", carrier: "DHL", tracking_number: "X1" }, then: { reason: "invalid_transition", status: "shipped" } },
  { name: "Deliver marks the shipment delivered", given: given.shipped, when: { _tag: "Deliver" }, then: [ev.delivered], reply: { shipments: [{ status: "delivered", events: [{ status: "shipped" }, { status: "delivered" }] }] } },
  { name: "RequestReturn of more units than ordered → invalid_return", given: given.delivered, when: { _tag: "RequestReturn", return_id: "ret_1", items: [{ sku_id: "sku_2", quantity: 2, reason: "broken" }] }, then: { reason: "invalid_return", sku_id: "sku_2", ordered: 1 } },
  { name: "RequestReturn of a SKU not in the order → invalid_return", given: given.delivered, when: { _tag: "RequestReturn", return_id: "ret_1", items: [{ sku_id: "sku_9", quantity: 1, reason: "x" }] }, then: { reason: "invalid_return", ordered: 0 } },
  { name: "RequestReturn on the last day of the window", given: given.delivered, nowMs: orderLimits.returnWindowMs, when: commands.RequestReturn![0], then: [{ ...ev.returnRequested, at: new Date(orderLimits.returnWindowMs).toISOString() } as OrderEvent] },
  { name: "RequestReturn after the window → return_window_closed", given: given.delivered, nowMs: orderLimits.returnWindowMs + 1, when: commands.RequestReturn![0], then: { reason: "return_window_closed", closed_at: new Date(orderLimits.returnWindowMs).toISOString() } },
  { name: "A second return with another id → invalid_transition", given: given.return_requested, when: { _tag: "RequestReturn", return_id: "ret_2", items: [{ sku_id: "sku_2", quantity: 1, reason: "x" }] }, then: { reason: "invalid_transition" } },
  { name: "The same return id with other items → invalid_transition", given: given.return_requested, when: { _tag: "RequestReturn", return_id: "ret_1", items: [{ sku_id: "sku_2", quantity: 1, reason: "x" }] }, then: { reason: "invalid_transition" } },
  { name: "MarkReturned of another return → return_not_found", given: given.return_requested, when: { _tag: "MarkReturned", return_id: "ret_2" }, then: { reason: "return_not_found" } },
  // Holds
  { name: "Hold a shipped order and release it back to shipped", given: [...given.shipped, ev.held("shipped")], when: { _tag: "ReleaseHold", note: "ok" }, then: [ev.released("shipped")], reply: { status: "shipped", hold: null } },
  { name: "Hold again for the same reason → no events", given: [...given.placed, ev.held("placed")], when: { _tag: "Hold", reason: "operator", note: "again" }, then: [] },
  {
    name: `The ${orderLimits.maxHolds + 1}th hold → hold_limit`,
    given: [...given.placed, ...Array.from({ length: orderLimits.maxHolds }, () => [ev.held("placed"), ev.released("placed")]).flat()],
    when: { _tag: "Hold", reason: "operator", note: "again" },
    then: { reason: "hold_limit", limit: orderLimits.maxHolds }
  },
  { name: "Hold with a malformed reason → invalid_command", given: given.placed, when: { _tag: "Hold", reason: "Not A Code", note: "x" }, then: { reason: "invalid_command" } },
  { name: "A fulfilment failure holds a fulfilling order", given: given.fulfilling, when: { _tag: "Hold", reason: "fulfilment_failed", note: "warehouse rejected the pick list" }, then: [ev.held("fulfilling", "fulfilment_failed", "warehouse rejected the pick list")] }
]

describe("order decider: the state machine, every command in every status", () => {
  it("covers every status and command", () => {
    expect(matrixRows.length).toBe(orderStatuses.length * Object.keys(commands).length)
  })
  for (const row of matrixRows) it(row.name, () => runRow(order, row, orderId))
})

describe("order decider: rules", () => {
  for (const row of rows) it(row.name, () => runRow(order, row, orderId))

  it("refuses to place an order whose actor id is not an order id (a defect)", () => {
    expect(() => order.decide(order.initialState("pay_1"), place(), 0)).toThrow(/not an order id/)
  })

  it("an event that would move along a missing edge is a defect in evolve", () => {
    const placedOrder = states.placed.reduce(order.evolve, order.initialState(orderId))
    expect(() => order.evolve(placedOrder, ev.delivered as OrderEvent)).toThrow(/placed → delivered/)
    expect(() => order.evolve(placedOrder, ev.released("placed"))).toThrow(/released to placed/)
  })

  it("the timeline has one entry per transition, the last one the current status", () => {
    const refunded = states.refunded.reduce(order.evolve, order.initialState(orderId))
    if (refunded.status === "new") throw new Error("not placed")
    expect(refunded.timeline.map((t) => t.status)).toEqual(["placed", "fulfilling", "shipped", "delivered", "return_requested", "returned", "refunded"])
  })
})
