import { describe, expect, it } from "vitest"
import { order, type Order } from "./order.ts"
import { ev, orderId, states } from "./order-fixtures.ts"
import { orderSummaryOf, orderView } from "./order-view.ts"

describe("order view", () => {
  it("has the fields of GET /v1/orders/{order_id} and nothing internal", () => {
    const shipped = [...states.shipped, ev.held("shipped")].reduce(order.evolve, order.initialState(orderId)) as Order
    const view = orderView(shipped)
    expect(Object.keys(view).sort()).toEqual(
      ["created_at", "currency", "hold", "items", "order_id", "payment", "refunds", "returns", "shipments", "shipping_address", "status", "timeline", "totals", "updated_at"].sort()
    )
    expect(view.payment).toEqual({ status: "authorized", method: "card", authorized_amount: 11_400, captured_amount: 0, refunded_amount: 0 })
    expect(view.totals).toEqual({ subtotal: 11_000, discount: 1_000, shipping: 500, tax: 900, total: 11_400 })
    expect(view.items[0]).toEqual({ sku_id: "sku_1", product_id: "p_1", seller_id: "s_1", title: "Headphones", quantity: 2, unit_price: 5_000, line_total: 10_000 })
    expect(view.items[1]).not.toHaveProperty("reservation_id")
    expect(view.shipments[0]).toMatchObject({ shipment_id: "shp_1", status: "shipped", carrier: "BlueDart", tracking_number: "BD123456789IN", events: [{ status: "shipped" }] })
    expect(view.timeline.map((t) => t.status)).toEqual(["placed", "fulfilling", "shipped", "exception"])
    expect(view.hold).toEqual({ reason: "operator", note: "check address" })
    expect(JSON.stringify(view)).not.toMatch(/reservation_id|holds_total|review|compensation/)
  })

  it("summarizes an order for the list, counting units", () => {
    const placed = states.placed.reduce(order.evolve, order.initialState(orderId)) as Order
    expect(orderSummaryOf(placed)).toEqual({ order_id: orderId, status: "placed", total: 11_400, currency: "INR", created_at: placed.created_at, item_count: 3 })
  })
})
