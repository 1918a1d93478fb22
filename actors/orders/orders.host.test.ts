import { afterEach, describe, expect, it } from "vitest"
import { ActorHost } from "../../runtime/host.ts"
import { makeMemoryJournal, makeMemoryPositionStore, makeMemorySnapshotStore } from "../../storage/memory.ts"
import { riskCounter, riskCounterKey } from "../fraud/counters.ts"
import { payment, paymentSummaryOf, type Payment } from "../payments/payment.ts"
import { wallet } from "../payments/wallet.ts"
import { order, type Order } from "./order.ts"
import { indexEntryOf, orderIndex } from "./order-index.ts"
import { checkoutId, orderId, paymentId, place, total, userId } from "./order-fixtures.ts"

/** The order, payment, wallet, index and risk-counter actors on a real host (in-memory storage): schemas encode, restarts recover. */
const hosts: ActorHost[] = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()))
})

const ports = () => ({ journal: makeMemoryJournal(), snapshots: makeMemorySnapshotStore(), positions: makeMemoryPositionStore() })
const start = async (p: ReturnType<typeof ports>) => {
  const host = new ActorHost(p, [order, orderIndex, payment, wallet, riskCounter], { shardCount: 4, timerRetryMs: 10 }, undefined, () => {})
  await host.start()
  hosts.push(host)
  return host
}

describe("order and payment actors on the host", () => {
  it("a card checkout's records, a cancellation with its compensation, and recovery after a restart", async () => {
    const p = ports()
    const host = await start(p)
    await host.ask(riskCounter, riskCounterKey.user(userId), { _tag: "Record", event_id: `${checkoutId}:attempt`, outcome: "attempt", small: false })
    await host.ask(payment, paymentId, { _tag: "Create", method: "card", user_id: userId, reference: checkoutId, amount: total, currency: "INR", token: "tok_visa", capture_mode: "immediate" })
    const authorized = await host.ask<Payment>(payment, paymentId, { _tag: "RecordAuthorization", provider_payment_id: "pp_1", amount: total })
    const placed = await host.ask<Order>(order, orderId, { ...place(), payment: paymentSummaryOf(authorized) })
    expect(placed.status).toBe("placed")
    await host.ask(orderIndex, userId, { _tag: "Record", entry: indexEntryOf(placed) })
    await host.ask(payment, paymentId, { _tag: "Capture" })
    const captured = await host.ask<Payment>(payment, paymentId, { _tag: "RecordCaptured", amount: total })
    await host.ask(order, orderId, { _tag: "RecordPayment", payment: paymentSummaryOf(captured) })
    const cancelled = await host.ask<Order>(order, orderId, { _tag: "Cancel", by: "customer", reason: "changed my mind" })
    expect(cancelled.cancellation?.compensation).toMatchObject({ payment: "refund", refund_amount: total })
    await host.ask(payment, paymentId, { _tag: "Refund", refund_id: `${orderId}:cancel`, amount: total })
    await host.ask(payment, paymentId, { _tag: "RecordRefunded", refund_id: `${orderId}:cancel` })
    await host.ask(order, orderId, { _tag: "MarkRefunded", refund_id: `${orderId}:cancel`, amount: total })
    await host.ask(orderIndex, userId, { _tag: "Record", entry: indexEntryOf(await host.ask<Order>(order, orderId, { _tag: "Get" })) })

    await host.stop()
    hosts.splice(0)
    const again = await start(p)
    expect(await again.ask(payment, paymentId, { _tag: "Get" })).toMatchObject({ status: "refunded", captured_amount: total, refunded_amount: total })
    expect(await again.ask(order, orderId, { _tag: "Get" })).toMatchObject({ status: "cancelled", refunds: [{ amount: total }] })
    expect(await again.ask(orderIndex, userId, { _tag: "List", cursor: null, limit: 20 })).toMatchObject({ orders: [{ order_id: orderId, status: "cancelled" }], next_cursor: null })
    expect(await again.ask(riskCounter, riskCounterKey.user(userId), { _tag: "Count", window_ms: 60_000 })).toMatchObject({ attempts: 1 })
    await expect(again.ask(payment, paymentId, { _tag: "Refund", refund_id: "rf_more", amount: 1 })).rejects.toMatchObject({ reason: "refund_exceeds_captured", refundable: 0 })
  })
})
