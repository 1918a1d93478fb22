/**
 * Seed section 36 / 12 case 4 over real HTTP, with short holds (RESERVATION_TTL_MS = 2 s) and a
 * short wait for payment outcomes (CHECKOUT_PAYMENT_WAIT_MS = 5 s), the provider simulator's
 * "pending until settled" card standing in for a slow payment:
 *
 *   - the hold expires while the payment is pending, the stock is still there: it is taken again
 *     and the order is placed;
 *   - the hold expires and someone else buys the stock meanwhile: the authorization is voided at
 *     the provider, the checkout fails with out_of_stock, and stock is conserved;
 *   - the payment never settles: the checkout gives up, voids the pending payment at the
 *     provider and releases the stock;
 *   - the provider takes 3 s to answer (CHECKOUT_ANSWER_WITHIN_MS = 1 s): the request answers
 *     pending_payment, and the saga places the order when the answer comes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { checkoutIdsOf } from "../gateway/checkout/ids.ts"
import { cards, startTestProvider, type TestProvider } from "../provider/testing.ts"
import { addToCart, body, checkoutBody, eventually, newShopper, postCheckout, providerPayments, Shop, type Shopper, sleep } from "./checkout.support.ts"
import { call, defaultStorage, type RunningStore, startStore, type TestStorage, uniqueEmail } from "./support/store.ts"

describe("checkout when the payment takes longer than the holds", () => {
  let storage: TestStorage
  let provider: TestProvider
  let store: RunningStore
  let base: string
  let shop: Shop

  const settle = async (paymentId: string, outcome: "authorized" | "declined") => {
    const [payment] = await providerPayments(provider.url, paymentId)
    const res = await fetch(`${provider.url}/v1/test/payments/${payment!["payment_id"]}/settle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome })
    })
    expect(res.status).toBe(200)
  }
  const settledStatus = (s: Shopper, checkoutId: string) =>
    eventually(
      () => call(base, "GET", `/v1/checkout/${checkoutId}`, { token: s.token }),
      (r) => body(r)["status"] !== "pending_payment",
      30_000
    )

  beforeAll(async () => {
    storage = await defaultStorage()
    // Every answer about the slow card takes 3 s; our client waits up to 10 s for it.
    provider = await startTestProvider({ slowCardDelayMs: 3_000 })
    const adminEmail = uniqueEmail("checkout-timeout-admin")
    store = await startStore({
      ...storage.env,
      ADMIN_EMAIL: adminEmail,
      ADMIN_PASSWORD: "admin-password-1",
      PAYMENT_PROVIDER_URL: provider.url,
      PAYMENT_CAPTURE: "on_shipment",
      RESERVATION_TTL_MS: "2000",
      CHECKOUT_PAYMENT_WAIT_MS: "5000",
      CHECKOUT_ANSWER_WITHIN_MS: "1000",
      PAYMENT_PROVIDER_TIMEOUT_MS: "10000",
      CHECKOUT_RESUME_EVERY_MS: "200",
      FRAUD_RULES: "off"
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

  it("a hold that expired during the payment is taken again when the stock is still there", async () => {
    const s = await newShopper(base, provider.url, { card: cards.pending })
    const { skuIds } = await shop.product([12_000], 5)
    await addToCart(base, s, skuIds[0]!, 2)
    const key = "retake"
    expect(body(await postCheckout(base, s, checkoutBody(s, "card"), key))["status"]).toBe("pending_payment")
    await sleep(2_500)
    expect(await shop.available(skuIds[0]!)).toBe(5)
    const ids = checkoutIdsOf(s.userId, key)
    await settle(ids.paymentId, "authorized")
    expect(body(await settledStatus(s, ids.checkoutId))).toMatchObject({ status: "order_placed", order_id: ids.orderId })
    expect(await shop.available(skuIds[0]!)).toBe(3)
  }, 60_000)

  it("a hold that expired while someone else bought the stock: authorization voided, failed with out_of_stock", async () => {
    const slow = await newShopper(base, provider.url, { card: cards.pending })
    const fast = await newShopper(base, provider.url)
    const { skuIds } = await shop.product([12_000], 1)
    const sku = skuIds[0]!
    await addToCart(base, slow, sku, 1)
    await addToCart(base, fast, sku, 1)
    const key = "lost-hold"
    expect(body(await postCheckout(base, slow, checkoutBody(slow, "card"), key))["status"]).toBe("pending_payment")
    expect(await shop.available(sku)).toBe(0)
    await sleep(2_500)
    const bought = await postCheckout(base, fast, checkoutBody(fast, "cod"))
    expect(bought.status, bought.text).toBe(201)
    const ids = checkoutIdsOf(slow.userId, key)
    await settle(ids.paymentId, "authorized")
    const done = await settledStatus(slow, ids.checkoutId)
    expect(body(done)).toMatchObject({ status: "failed", failure: { code: "out_of_stock", details: { skus: [{ sku_id: sku, requested: 1, available: 0 }] } } })
    expect((await providerPayments(provider.url, ids.paymentId)).map((p) => p["status"])).toEqual(["voided"])
    expect(await shop.available(sku)).toBe(0)
    // The shopper keeps the cart to try again.
    expect(body(await call(base, "GET", "/v1/cart", { token: slow.token }))["items"]).toHaveLength(1)
  }, 60_000)

  it("a payment that never settles: the checkout gives up, voids it at the provider and releases the stock", async () => {
    const s = await newShopper(base, provider.url, { card: cards.pending })
    const { skuIds } = await shop.product([12_000], 5)
    await addToCart(base, s, skuIds[0]!, 3)
    const key = "never"
    expect(body(await postCheckout(base, s, checkoutBody(s, "card"), key))["status"]).toBe("pending_payment")
    const ids = checkoutIdsOf(s.userId, key)
    const done = await settledStatus(s, ids.checkoutId)
    expect(body(done)).toMatchObject({ status: "failed", failure: { code: "payment_declined", details: { reason: "payment_timeout" } } })
    expect((await providerPayments(provider.url, ids.paymentId)).map((p) => p["status"])).toEqual(["voided"])
    expect(await shop.available(skuIds[0]!)).toBe(5)
  }, 60_000)

  it("a provider slower than CHECKOUT_ANSWER_WITHIN_MS: 201 pending_payment at once, the order placed when it answers", async () => {
    const s = await newShopper(base, provider.url, { card: cards.slow })
    const { skuIds } = await shop.product([12_000], 5)
    await addToCart(base, s, skuIds[0]!, 1)
    const key = "slow-answer"
    const res = await postCheckout(base, s, checkoutBody(s, "card"), key)
    expect(res.status, res.text).toBe(201)
    // The provider authorized at once but answers after 3 s: had the request waited, it would say order_placed.
    expect(body(res)["status"]).toBe("pending_payment")
    const ids = checkoutIdsOf(s.userId, key)
    expect(body(await settledStatus(s, ids.checkoutId))).toMatchObject({ status: "order_placed", order_id: ids.orderId })
    expect((await providerPayments(provider.url, ids.paymentId)).map((p) => p["status"])).toEqual(["authorized"])
    expect(await shop.available(skuIds[0]!)).toBe(4)
  }, 60_000)
})
