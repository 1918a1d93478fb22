/**
 * The checkout saga end to end: the real store (runStore on a fresh Postgres schema, or embedded
 * storage with STORE_TEST_STORAGE=embedded) and the real payment-provider simulator, both over
 * HTTP. Each test uses its own shopper and products, and checks the outcome where it lives: the
 * checkout's answer, the cart, the SKU's exact stock, the coupon's uses and the provider's own
 * record of charges.
 */
import { createServer } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { checkoutIdsOf } from "../gateway/checkout/ids.ts"
import { cards, startTestProvider, type TestProvider } from "../provider/testing.ts"
import {
  addToCart,
  body,
  checkoutBody,
  eventually,
  expectError,
  newShopper,
  postCheckout,
  providerPayments,
  Shop,
  type Shopper
} from "./checkout.support.ts"
import { call, defaultStorage, type RunningStore, startStore, type TestStorage, uniqueEmail } from "./support/store.ts"

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })

describe("checkout over HTTP", () => {
  let storage: TestStorage
  let provider: TestProvider
  let providerPort: number
  let store: RunningStore
  let base: string
  let shop: Shop

  const shopper = (withCards: Record<string, string> = { card: cards.approve }) => newShopper(base, provider.url, withCards)
  const getCheckout = (s: Shopper, id: string) => call(base, "GET", `/v1/checkout/${id}`, { token: s.token })
  const cartOf = async (s: Shopper) => body(await call(base, "GET", "/v1/cart", { token: s.token }))

  beforeAll(async () => {
    storage = await defaultStorage()
    providerPort = await freePort()
    // Every answer about the slow card comes after 2.5 s: a timeout for our 1 s client.
    provider = await startTestProvider({ port: providerPort, slowCardDelayMs: 2_500 })
    const adminEmail = uniqueEmail("checkout-admin")
    store = await startStore({
      ...storage.env,
      ADMIN_EMAIL: adminEmail,
      ADMIN_PASSWORD: "admin-password-1",
      PAYMENT_PROVIDER_URL: provider.url,
      PAYMENT_PROVIDER_TIMEOUT_MS: "1000",
      PAYMENT_PROVIDER_MAX_ATTEMPTS: "1",
      PAYMENT_RECONCILE_ATTEMPTS: "1",
      PAYMENT_RECONCILE_DELAY_MS: "0",
      PAYMENT_CAPTURE: "on_shipment",
      CHECKOUT_RESUME_EVERY_MS: "200",
      // Amounts decide the fraud verdict here; the velocity rules are out of the way (every test shares 127.0.0.1 and the test cards).
      FRAUD_AMOUNT_REVIEW_ABOVE: "2000000",
      FRAUD_AMOUNT_REJECT_ABOVE: "8000000",
      FRAUD_CARD_ATTEMPTS_REVIEW: "100000",
      FRAUD_CARD_ATTEMPTS_REJECT: "100000",
      FRAUD_IP_ATTEMPTS_REVIEW: "100000",
      FRAUD_IP_ATTEMPTS_REJECT: "100000",
      FRAUD_DECLINES_REVIEW: "100000",
      FRAUD_CARD_TESTING_SMALL_DECLINES: "100000"
    })
    base = store.base
    shop = new Shop(() => base)
    await shop.setUp(adminEmail, "admin-password-1")
  }, 120_000)

  afterAll(async () => {
    await store?.stop()
    await provider?.dispose()
    await storage?.cleanup()
  })

  it("happy path: quote, checkout, order placed; stock sold, cart emptied, one authorization at the provider", async () => {
    const s = await shopper()
    const { skuIds } = await shop.product([50_000, 20_000], 10)
    const [a, b] = skuIds as [string, string]
    await addToCart(base, s, a, 2)
    await addToCart(base, s, b, 1)

    const quote = await call(base, "POST", "/v1/checkout/quote", { token: s.token, body: { cart_id: s.cartId, shipping_address_id: s.addressId } })
    expect(quote.status, quote.text).toBe(200)
    const q = body(quote)
    expect(q["subtotal"]).toBe(120_000)
    expect(q["total"]).toBe(q["subtotal"] - q["discount"] + q["shipping"] + q["tax"])
    expect(q["shipping_options"].length).toBeGreaterThan(0)

    const key = "happy-1"
    const placed = await postCheckout(base, s, checkoutBody(s, "card"), key)
    expect(placed.status, placed.text).toBe(201)
    const ids = checkoutIdsOf(s.userId, key)
    expect(placed.json).toEqual({ checkout_id: ids.checkoutId, status: "order_placed", order_id: ids.orderId, order_preview_total: q["total"], currency: "INR" })

    const status = await getCheckout(s, ids.checkoutId)
    expect(status.status, status.text).toBe(200)
    expect(body(status)).toMatchObject({ status: "order_placed", order_id: ids.orderId, order_preview_total: q["total"] })
    expect((await cartOf(s))["items"]).toEqual([])
    expect([await shop.available(a), await shop.available(b)]).toEqual([8, 9])
    const charges = await providerPayments(provider.url, ids.paymentId)
    expect(charges.map((p) => [p["status"], p["amount"]])).toEqual([["authorized", q["total"]]])
    const theOrder = await call(base, "GET", `/v1/orders/${ids.orderId}`, { token: s.token })
    expect(theOrder.status, theOrder.text).toBe(200)
    expect(body(theOrder)).toMatchObject({
      order_id: ids.orderId,
      status: "placed",
      totals: { subtotal: q["subtotal"], discount: q["discount"], shipping: q["shipping"], tax: q["tax"], total: q["total"] },
      payment: { status: "authorized", method: "card", authorized_amount: q["total"], captured_amount: 0 }
    })
    expect(body(theOrder)["items"].map((i: { sku_id: string; quantity: number }) => [i.sku_id, i.quantity]).sort()).toEqual([[a, 2], [b, 1]].sort())
  })

  it("a checkout the fraud rules send to review is placed, with the order held in exception", async () => {
    const s = await shopper()
    const { skuIds } = await shop.product([2_500_000], 3)
    await addToCart(base, s, skuIds[0]!, 1)
    const key = "review"
    const res = await postCheckout(base, s, checkoutBody(s, "card"), key)
    expect(res.status, res.text).toBe(201)
    expect(body(res)["status"]).toBe("order_placed")
    const theOrder = await call(base, "GET", `/v1/orders/${checkoutIdsOf(s.userId, key).orderId}`, { token: s.token })
    expect(theOrder.status, theOrder.text).toBe(200)
    expect(body(theOrder)["status"]).toBe("exception")
    expect(await shop.available(skuIds[0]!)).toBe(2)
  })

  it("the same key twice: one checkout, one order, one charge; header and body key must agree; a key is required", async () => {
    const s = await shopper()
    const { skuIds } = await shop.product([30_000], 5)
    await addToCart(base, s, skuIds[0]!, 1)
    const payload = checkoutBody(s, "card")
    const first = await postCheckout(base, s, { ...payload, idempotency_key: "same-key" }, null)
    expect(first.status, first.text).toBe(201)
    const again = await postCheckout(base, s, payload, "same-key")
    expect(again.status, again.text).toBe(201)
    expect(again.json).toEqual(first.json)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    const ids = checkoutIdsOf(s.userId, "same-key")
    expect(await providerPayments(provider.url, ids.paymentId)).toHaveLength(1)
    expect(await shop.available(skuIds[0]!)).toBe(4)

    expectError(await postCheckout(base, s, { ...payload, idempotency_key: "one" }, "other"), 400, "invalid_request")
    expectError(await postCheckout(base, s, payload, null), 400, "invalid_request")
    // A new key is a new checkout: the cart is empty now.
    expectError(await postCheckout(base, s, payload, "next-key"), 422, "cart_empty")
  })

  it("a second checkout of the same cart under another key while the first is under way is 409 checkout_in_progress", async () => {
    const s = await shopper({ card: cards.pending })
    const { skuIds } = await shop.product([30_000], 5)
    await addToCart(base, s, skuIds[0]!, 1)
    const first = await postCheckout(base, s, checkoutBody(s, "card"), "double-1")
    expect(body(first)["status"], first.text).toBe("pending_payment")
    const second = await postCheckout(base, s, checkoutBody(s, "cod"), "double-2")
    expectError(second, 409, "checkout_in_progress")
    expect(body(second)["error"]["details"]["checkout_id"]).toBe(body(first)["checkout_id"])
    const ids = checkoutIdsOf(s.userId, "double-1")
    const [payment] = await providerPayments(provider.url, ids.paymentId)
    const settled = await fetch(`${provider.url}/v1/test/payments/${payment!["payment_id"]}/settle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: "authorized" })
    })
    expect(settled.status).toBe(200)
    const done = await eventually(
      () => getCheckout(s, ids.checkoutId),
      (r) => body(r)["status"] === "order_placed",
      20_000
    )
    expect(body(done)["status"]).toBe("order_placed")
    // The cart is free again (and empty): one order, one unit sold.
    expectError(await postCheckout(base, s, checkoutBody(s, "cod"), "double-3"), 422, "cart_empty")
    expect(await shop.available(skuIds[0]!)).toBe(4)
  })

  it("a SKU in a live flash sale needs an admission token: none is 403 admission_required, a forged one 403 admission_invalid, nothing held", async () => {
    const s = await shopper()
    const { skuIds } = await shop.product([9_900], 10)
    const saleId = `co-sale-${Date.now().toString(36)}`
    const created = await shop.post("/v1/admin/sales", shop.admin, {
      sale_id: saleId,
      sku_ids: [skuIds[0]],
      starts_at: new Date(Date.now() - 1_000).toISOString(),
      admit_per_minute: 10,
      max_active: 10,
      per_user_limit: 2,
      mode: "fifo"
    })
    expect(created.status, created.text).toBe(201)
    await addToCart(base, s, skuIds[0]!, 1)
    const without = await postCheckout(base, s, checkoutBody(s, "cod"))
    expectError(without, 403, "admission_required")
    expect(body(without)["error"]["details"]["sale_id"]).toBe(saleId)
    const forged = await call(base, "POST", "/v1/checkout", {
      token: s.token,
      body: checkoutBody(s, "cod"),
      headers: { "idempotency-key": "forged-admission", "x-admission-token": "at1.k1.eyJzIjoieCJ9.AAAA" }
    })
    expectError(forged, 403, "admission_invalid")
    expect(await shop.available(skuIds[0]!)).toBe(10)
    expect((await cartOf(s))["items"]).toHaveLength(1)
  })

  it("out of stock names every short SKU and releases what was held", async () => {
    const s = await shopper()
    const { skuIds } = await shop.product([10_000, 12_000], 5)
    const [a, b] = skuIds as [string, string]
    await addToCart(base, s, a, 2)
    await addToCart(base, s, b, 4)
    await shop.stock(b, 1)
    const res = await postCheckout(base, s, checkoutBody(s, "card"))
    expectError(res, 409, "out_of_stock")
    expect(body(res)["error"]["details"]["skus"]).toEqual([{ sku_id: b, requested: 4, available: 1 }])
    expect([await shop.available(a), await shop.available(b)]).toEqual([5, 1])
    expect((await cartOf(s))["items"]).toHaveLength(2)
  })

  it("a declined card: 402 payment_declined, holds released, the coupon's use given back", async () => {
    const s = await shopper({ card: cards.decline, good: cards.approve })
    await shop.defineCoupon({ code: "DECLINE10", benefit: { kind: "order_percentage", percent_bps: 1000 }, usage_limit: 1 })
    const { skuIds } = await shop.product([40_000], 3)
    await addToCart(base, s, skuIds[0]!, 2)
    const res = await postCheckout(base, s, checkoutBody(s, "card", { coupon_code: "decline10" }))
    expectError(res, 402, "payment_declined")
    expect(body(res)["error"]["details"]).toMatchObject({ reason: "declined", decline_code: "card_declined" })
    expect(await shop.available(skuIds[0]!)).toBe(3)
    // The single use of the coupon came back: the same shopper can use it with another card.
    const retry = await postCheckout(base, s, checkoutBody(s, "good", { coupon_code: "DECLINE10" }))
    expect(retry.status, retry.text).toBe(201)
    expect(body(retry)["order_preview_total"]).toBeLessThan(80_000 + 20_000)
  })

  it("a fraud rejection is 402 payment_declined with reason risk, and nothing is charged", async () => {
    const s = await shopper()
    const { skuIds } = await shop.product([4_500_000], 3)
    await addToCart(base, s, skuIds[0]!, 2)
    const key = "risky"
    const res = await postCheckout(base, s, checkoutBody(s, "card"), key)
    expectError(res, 402, "payment_declined")
    expect(body(res)["error"]["details"]["reason"]).toBe("risk")
    expect(await providerPayments(provider.url, checkoutIdsOf(s.userId, key).paymentId)).toEqual([])
    expect(await shop.available(skuIds[0]!)).toBe(3)
  })

  it("a coupon used up is 422 coupon_invalid and nothing is held", async () => {
    const first = await shopper()
    const second = await shopper()
    await shop.defineCoupon({ code: "ONCEONLY", benefit: { kind: "order_fixed", amount: 5_000 }, usage_limit: 1 })
    const { skuIds } = await shop.product([25_000], 10)
    await addToCart(base, first, skuIds[0]!, 1)
    await addToCart(base, second, skuIds[0]!, 1)
    const used = await postCheckout(base, first, checkoutBody(first, "cod", { coupon_code: "ONCEONLY" }))
    expect(used.status, used.text).toBe(201)
    const refused = await postCheckout(base, second, checkoutBody(second, "cod", { coupon_code: "ONCEONLY" }))
    expectError(refused, 422, "coupon_invalid")
    expect(body(refused)["error"]["details"]["reason"]).toBe("usage_limit_reached")
    expect(await shop.available(skuIds[0]!)).toBe(9)
  })

  it("a price change since the item was added is 422 price_changed with the new quote; accepting it places the order", async () => {
    const s = await shopper()
    const { productId, skuIds, listing } = await shop.product([50_000], 10)
    const sku = skuIds[0]!
    await addToCart(base, s, sku, 2)
    const changed = await call(base, "PUT", `/v1/seller/products/${productId}`, { token: shop.seller.token, body: { ...listing, skus: [{ sku_id: sku, price: 45_000 }] } })
    expect(changed.status, changed.text).toBe(200)
    const seen = await eventually(
      () => call(base, "GET", "/v1/cart", { token: s.token }),
      (res) => body(res)["subtotal"] === 90_000
    )
    expect(body(seen)["subtotal"]).toBe(90_000)
    const res = await postCheckout(base, s, checkoutBody(s, "cod"))
    expectError(res, 422, "price_changed")
    const details = body(res)["error"]["details"]
    expect(details["changes"]).toEqual([{ sku_id: sku, previous_unit_price: 50_000, unit_price: 45_000 }])
    expect(details["quote"]["subtotal"]).toBe(90_000)
    expect(await shop.available(sku)).toBe(10)
    const accepted = await postCheckout(base, s, checkoutBody(s, "cod", { expected_total: details["quote"]["total"] }))
    expect(accepted.status, accepted.text).toBe(201)
    expect(body(accepted)).toMatchObject({ status: "order_placed", order_preview_total: details["quote"]["total"] })
    // A stale expected_total is refused the same way.
    await addToCart(base, s, sku, 1)
    expectError(await postCheckout(base, s, checkoutBody(s, "cod", { expected_total: 1 })), 422, "price_changed")
  })

  it("another user's cart, address, payment method or checkout is 404", async () => {
    const owner = await shopper()
    const intruder = await shopper()
    const { skuIds } = await shop.product([10_000], 10)
    await addToCart(base, owner, skuIds[0]!, 1)
    await addToCart(base, intruder, skuIds[0]!, 1)
    expectError(await postCheckout(base, intruder, { ...checkoutBody(intruder, "cod"), cart_id: owner.cartId }), 404, "not_found")
    expectError(await postCheckout(base, intruder, { ...checkoutBody(intruder, "cod"), shipping_address_id: owner.addressId }), 404, "not_found")
    expectError(await postCheckout(base, intruder, { ...checkoutBody(intruder, "cod"), payment_method_id: owner.methods["card"] }), 404, "not_found")
    expectError(
      await call(base, "POST", "/v1/checkout/quote", { token: intruder.token, body: { cart_id: owner.cartId, shipping_address_id: intruder.addressId } }),
      404,
      "not_found"
    )
    const placed = await postCheckout(base, owner, checkoutBody(owner, "cod"))
    expect(placed.status, placed.text).toBe(201)
    expectError(await getCheckout(intruder, body(placed)["checkout_id"]), 404, "not_found")
    expectError(await getCheckout(intruder, "co_nope"), 404, "not_found")
    expect(await shop.available(skuIds[0]!)).toBe(9)
  })

  it("a payment pending at the provider answers pending_payment; the saga places the order once it settles", async () => {
    const s = await shopper({ card: cards.pending })
    const { skuIds } = await shop.product([15_000], 4)
    await addToCart(base, s, skuIds[0]!, 1)
    const key = "pending-ok"
    const res = await postCheckout(base, s, checkoutBody(s, "card"), key)
    expect(res.status, res.text).toBe(201)
    expect(body(res)).toMatchObject({ status: "pending_payment", order_preview_total: expect.any(Number) })
    expect(body(res)["order_id"]).toBeUndefined()
    const ids = checkoutIdsOf(s.userId, key)
    const [payment] = await providerPayments(provider.url, ids.paymentId)
    const settled = await fetch(`${provider.url}/v1/test/payments/${payment!["payment_id"]}/settle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: "authorized" })
    })
    expect(settled.status).toBe(200)
    const done = await eventually(
      () => getCheckout(s, ids.checkoutId),
      (r) => body(r)["status"] !== "pending_payment",
      20_000
    )
    expect(body(done)).toMatchObject({ status: "order_placed", order_id: ids.orderId })
    expect(await shop.available(skuIds[0]!)).toBe(3)
  })

  it("a pending payment that is then declined ends failed, with the stock released", async () => {
    const s = await shopper({ card: cards.pending })
    const { skuIds } = await shop.product([15_000], 4)
    await addToCart(base, s, skuIds[0]!, 2)
    const key = "pending-declined"
    const res = await postCheckout(base, s, checkoutBody(s, "card"), key)
    expect(body(res)["status"], res.text).toBe("pending_payment")
    expect(await shop.available(skuIds[0]!)).toBe(2)
    const ids = checkoutIdsOf(s.userId, key)
    const [payment] = await providerPayments(provider.url, ids.paymentId)
    await fetch(`${provider.url}/v1/test/payments/${payment!["payment_id"]}/settle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: "declined", decline_code: "do_not_honor" })
    })
    const done = await eventually(
      () => getCheckout(s, ids.checkoutId),
      (r) => body(r)["status"] !== "pending_payment",
      20_000
    )
    expect(body(done)).toMatchObject({ status: "failed", failure: { code: "payment_declined" } })
    expect(await shop.available(skuIds[0]!)).toBe(4)
  })

  it("a slow provider (no answer in time) is reconciled by reference: one authorization, order placed", async () => {
    const s = await shopper({ card: cards.slow })
    const { skuIds } = await shop.product([15_000], 4)
    await addToCart(base, s, skuIds[0]!, 1)
    const key = "slow"
    const res = await postCheckout(base, s, checkoutBody(s, "card"), key)
    expect(res.status, res.text).toBe(201)
    const ids = checkoutIdsOf(s.userId, key)
    const done = await eventually(
      () => getCheckout(s, ids.checkoutId),
      (r) => body(r)["status"] === "order_placed",
      20_000
    )
    expect(body(done)["status"]).toBe("order_placed")
    expect((await providerPayments(provider.url, ids.paymentId)).map((p) => p["status"])).toEqual(["authorized"])
  })

  it("the provider down: 201 pending_payment; once it is back the saga carries on and places the order", async () => {
    const s = await shopper()
    const { skuIds } = await shop.product([15_000], 4)
    await addToCart(base, s, skuIds[0]!, 1)
    await provider.close()
    try {
      const key = "provider-down"
      const res = await postCheckout(base, s, checkoutBody(s, "card"), key)
      expect(res.status, res.text).toBe(201)
      expect(body(res)["status"]).toBe("pending_payment")
      const ids = checkoutIdsOf(s.userId, key)
      expect(body(await getCheckout(s, ids.checkoutId))["status"]).toBe("pending_payment")
      provider = await provider.restart({ port: providerPort })
      const done = await eventually(
        () => getCheckout(s, ids.checkoutId),
        (r) => body(r)["status"] !== "pending_payment",
        40_000
      )
      expect(body(done)).toMatchObject({ status: "order_placed", order_id: ids.orderId })
      expect(await providerPayments(provider.url, ids.paymentId)).toHaveLength(1)
    } finally {
      if (!(await fetch(`${provider.url}/healthz`).then((r) => r.ok, () => false))) provider = await provider.restart({ port: providerPort })
    }
  }, 60_000)
})
