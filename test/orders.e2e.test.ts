/**
 * Orders over real HTTP: the store (runStore on a fresh Postgres schema, or embedded storage with
 * STORE_TEST_STORAGE=embedded) and the payment-provider simulator as its own process. Orders come
 * from the checkout route (card payments, confirmed stock) or straight from the actors (many
 * orders for paging, an order that shipped). Each outcome is checked where it lives: the order,
 * the list, the SKU's stock, and the provider's own record of the payment.
 */
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { order, type Order } from "../actors/orders/order.ts"
import { address, placedItems, total, totals } from "../actors/orders/order-fixtures.ts"
import { paymentSummaryOf } from "../actors/payments/payment.ts"
import { checkoutIdsOf } from "../gateway/checkout/ids.ts"
import { captureOrderPayment, placeOrder } from "../gateway/orders/place-order.ts"
import { defaultPaymentsConfig } from "../gateway/payments/config.ts"
import { paymentSteps } from "../gateway/payments/payment-steps.ts"
import { webhookPath } from "../gateway/payments/webhook-route.ts"
import { runStore, storeSettingsFromEnv } from "../gateway/store.ts"
import { defaultProviderClientConfig, makeProviderClient, PaymentProvider } from "../provider/client.ts"
import { cards } from "../provider/testing.ts"
import type { ActorHost } from "../runtime/host.ts"
import { Actors } from "../runtime/service.ts"
import { addToCart, body, checkoutBody, expectError, newShopper, postCheckout, providerPayments, Shop, type Shopper } from "./checkout.support.ts"
import { RestartableChild } from "./support/child.ts"
import { call, defaultStorage, signUp, testDefaults, type TestStorage, uniqueEmail } from "./support/store.ts"

const run = mkdtempSync(join(tmpdir(), "orders-e2e-"))
const provider = new RestartableChild(
  ["--import", "tsx", "provider/main.ts"],
  { PROVIDER_DATA_DIR: join(run, "provider"), PROVIDER_WEBHOOK_URL: "", PROVIDER_WEBHOOK_DELAY_MS: "0-200", PROVIDER_FSYNC: "off" },
  join(run, "provider.log.txt")
)
const steps = paymentSteps(defaultPaymentsConfig)
const newId = (prefix: string) => `${prefix}_${randomBytes(16).toString("base64url")}`

describe("orders over HTTP", () => {
  let storage: TestStorage
  let providerUrl = ""
  let base = ""
  let host: ActorHost
  let scope: Scope.CloseableScope
  let client: ReturnType<typeof makeProviderClient>
  let shop: Shop
  const adminEmail = uniqueEmail("orders-admin")
  const adminPassword = "admin-password-1"

  /** Runs a gateway Effect on the store's own actor host, with a provider client of the test. */
  const onStore = <A, E>(effect: Effect.Effect<A, E, Actors | PaymentProvider>) =>
    Effect.runPromise(effect.pipe(Effect.provideService(Actors, host), Effect.provideService(PaymentProvider, client.client)))

  const get = (path: string, token?: string) => call(base, "GET", path, { token })
  const cancel = (orderId: string, token: string) => call(base, "POST", `/v1/orders/${orderId}/cancel`, { token })

  /** An order placed straight through the actors: cash on delivery, the fixtures' two lines (SKUs this store does not have). */
  const placeDirectly = async (userId: string, captureMode: "immediate" | "on_shipment" = "on_shipment"): Promise<Order> => {
    const paymentId = newId("pay")
    const checkoutId = newId("co")
    const authorized = await onStore(steps.authorize({ payment_id: paymentId, reference: checkoutId, user_id: userId, amount: total, currency: "INR", method: "cod", capture_mode: captureMode }))
    expect(authorized._tag).toBe("Authorized")
    return onStore(
      placeOrder(steps, newId("ord"), {
        _tag: "Place",
        checkout_id: checkoutId,
        user_id: userId,
        currency: "INR",
        items: placedItems,
        shipping_address: address,
        totals,
        tax_inclusive: false,
        payment: paymentSummaryOf(authorized.payment),
        review: null
      })
    )
  }

  const cardCheckout = async (s: Shopper, quantity: number) => {
    const { skuIds } = await shop.product([40_000], 10)
    const skuId = skuIds[0]!
    await addToCart(base, s, skuId, quantity)
    const key = randomBytes(8).toString("hex")
    const placed = await postCheckout(base, s, checkoutBody(s, "card"), key)
    expect(placed.status, placed.text).toBe(201)
    expect(body(placed)["status"]).toBe("order_placed")
    return { skuId, ids: checkoutIdsOf(s.userId, key) }
  }

  beforeAll(async () => {
    const port = await provider.start(60_000)
    providerUrl = `http://127.0.0.1:${port}`
    client = makeProviderClient({ ...defaultProviderClientConfig, baseUrl: providerUrl, retryBaseMs: 20 })
    storage = await defaultStorage()
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries({ ...testDefaults, ...storage.env })) if (v !== undefined) env[k] = v
    Object.assign(env, {
      ADMIN_EMAIL: adminEmail,
      ADMIN_PASSWORD: adminPassword,
      PAYMENT_PROVIDER_URL: providerUrl,
      PAYMENT_CAPTURE: "on_shipment",
      FRAUD_RULES: "off"
    })
    scope = Effect.runSync(Scope.make())
    const started = await Effect.runPromise(Scope.extend(runStore(storeSettingsFromEnv(env)), scope))
    host = started.host
    base = `http://127.0.0.1:${started.port}`
    shop = new Shop(() => base)
    await shop.setUp(adminEmail, adminPassword)
    const pointed = await fetch(`${providerUrl}/v1/test/settings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ webhook_url: `${base}${webhookPath}` })
    })
    expect(pointed.status).toBe(200)
  }, 120_000)

  afterAll(async () => {
    if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
    client?.close()
    await provider.stop()
    await storage?.cleanup()
    rmSync(run, { recursive: true, force: true })
  })

  it("a checkout's order: listed, readable by its owner and an admin only, cancelled with the authorization voided and the stock back", async () => {
    const s = await newShopper(base, providerUrl, { card: cards.approve })
    const { skuId, ids } = await cardCheckout(s, 3)
    expect(await shop.available(skuId)).toBe(7)

    const list = await get("/v1/orders", s.token)
    expect(list.status, list.text).toBe(200)
    expect(body(list)).toMatchObject({ orders: [{ order_id: ids.orderId, status: "placed", currency: "INR", item_count: 3 }], next_cursor: null })

    const read = await get(`/v1/orders/${ids.orderId}`, s.token)
    expect(read.status, read.text).toBe(200)
    const placed = body(read)
    expect(placed).toMatchObject({ order_id: ids.orderId, status: "placed", payment: { status: "authorized", method: "card", captured_amount: 0 }, shipments: [], refunds: [] })
    expect(placed["totals"]["total"]).toBe(placed["totals"]["subtotal"] - placed["totals"]["discount"] + placed["totals"]["shipping"] + placed["totals"]["tax"])
    expect(list.json).toMatchObject({ orders: [{ total: placed["totals"]["total"] }] })

    // Someone else's order is exactly like no order; an admin may read it.
    const stranger = await signUp(base, "orders-stranger")
    expectError(await get(`/v1/orders/${ids.orderId}`, stranger.token), 404, "not_found")
    expectError(await cancel(ids.orderId, stranger.token), 404, "not_found")
    expectError(await get(`/v1/orders/ord_${"x".repeat(22)}`, s.token), 404, "not_found")
    expectError(await get("/v1/orders/not-an-order-id", s.token), 404, "not_found")
    expectError(await get(`/v1/orders/${ids.orderId}`), 401, "unauthenticated")
    expect(body(await get("/v1/orders", stranger.token))).toEqual({ orders: [], next_cursor: null })
    expect((await get(`/v1/orders/${ids.orderId}`, shop.admin)).status).toBe(200)

    const cancelled = await cancel(ids.orderId, s.token)
    expect(cancelled.status, cancelled.text).toBe(200)
    expect(body(cancelled)).toMatchObject({ status: "cancelled", payment: { status: "voided", captured_amount: 0, refunded_amount: 0 } })
    expect(body(cancelled)["timeline"].map((t: { status: string }) => t.status)).toEqual(["placed", "cancelled"])
    expect(await providerPayments(providerUrl, ids.paymentId)).toMatchObject([{ status: "voided", amount_captured: 0 }])
    expect(await shop.available(skuId)).toBe(10)

    // Again: the same order, nothing undone twice.
    const again = await cancel(ids.orderId, s.token)
    expect(again.status, again.text).toBe(200)
    expect(body(again)).toEqual(body(cancelled))
    expect(await shop.available(skuId)).toBe(10)
    expect(body(await get("/v1/orders", s.token))).toMatchObject({ orders: [{ order_id: ids.orderId, status: "cancelled" }] })
    expect(await providerPayments(providerUrl, ids.paymentId)).toHaveLength(1)
  })

  it("cancelling an order whose payment was captured refunds the capture, once", async () => {
    const s = await newShopper(base, providerUrl, { card: cards.approve })
    const { skuId, ids } = await cardCheckout(s, 2)
    const current = await onStore(Effect.flatMap(Actors, (h) => Effect.promise(() => h.ask<Order>(order, ids.orderId, { _tag: "Get" }))))
    const captured = await onStore(captureOrderPayment(steps, current))
    expect(captured.payment).toMatchObject({ status: "captured", captured_amount: captured.totals.total })

    const cancelled = await cancel(ids.orderId, s.token)
    expect(cancelled.status, cancelled.text).toBe(200)
    const total = captured.totals.total
    expect(body(cancelled)).toMatchObject({ status: "cancelled", payment: { status: "refunded", captured_amount: total, refunded_amount: total }, refunds: [{ amount: total }] })
    expect((await cancel(ids.orderId, s.token)).json).toMatchObject({ refunds: [{ amount: total }] })
    expect(await providerPayments(providerUrl, ids.paymentId)).toMatchObject([{ status: "refunded", amount_captured: total, amount_refunded: total, refunds: [{ amount: total }] }])
    expect(await shop.available(skuId)).toBe(10)
  })

  it("a capture made at the provider reaches the order through the webhook", async () => {
    const s = await newShopper(base, providerUrl, { card: cards.approve })
    const { ids } = await cardCheckout(s, 1)
    const [record] = await providerPayments(providerUrl, ids.paymentId)
    await Effect.runPromise(client.client.capture(record!["payment_id"], undefined, "captured-in-the-provider-dashboard"))
    const deadline = Date.now() + 15_000
    let shown = body(await get(`/v1/orders/${ids.orderId}`, s.token))
    while (shown["payment"]["status"] !== "captured" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      shown = body(await get(`/v1/orders/${ids.orderId}`, s.token))
    }
    expect(shown).toMatchObject({ status: "placed", payment: { status: "captured", captured_amount: shown["totals"]["total"] } })
  })

  it("cancelling gives the coupon's use back", async () => {
    const code = `ONCE${randomBytes(3).toString("hex").toUpperCase()}`
    await shop.defineCoupon({ code, benefit: { kind: "order_fixed", amount: 1_000 }, usage_limit: 1 })
    const { skuIds } = await shop.product([30_000], 10)
    const [first, second] = [await newShopper(base, providerUrl), await newShopper(base, providerUrl)]
    await addToCart(base, first, skuIds[0]!, 1)
    await addToCart(base, second, skuIds[0]!, 1)
    const used = await postCheckout(base, first, checkoutBody(first, "cod", { coupon_code: code }))
    expect(used.status, used.text).toBe(201)
    expectError(await postCheckout(base, second, checkoutBody(second, "cod", { coupon_code: code })), 422, "coupon_invalid")
    const cancelled = await cancel(body(used)["order_id"], first.token)
    expect(cancelled.status, cancelled.text).toBe(200)
    expect(body(cancelled)).toMatchObject({ status: "cancelled", payment: { method: "cod", status: "voided" } })
    const reused = await postCheckout(base, second, checkoutBody(second, "cod", { coupon_code: code }))
    expect(reused.status, reused.text).toBe(201)
  })

  it("the immediate capture policy captures at placement; an order that shipped is not cancelled", async () => {
    const s = await signUp(base, "orders-shipped")
    const placed = await placeDirectly(s.userId, "immediate")
    expect(placed.payment).toMatchObject({ status: "captured", captured_amount: total })
    await host.ask(order, placed.order_id, { _tag: "StartFulfilment" })
    await host.ask(order, placed.order_id, { _tag: "Ship", shipment_id: "shp_1", carrier: "BlueDart", tracking_number: "BD1" })
    const refused = await cancel(placed.order_id, s.token)
    expectError(refused, 422, "invalid_transition")
    expect(body(refused)["error"]["details"]).toEqual({ status: "shipped" })
    expect(body(await get(`/v1/orders/${placed.order_id}`, s.token))).toMatchObject({ status: "shipped", payment: { status: "captured" } })
  })

  it("pages newest first and stay stable while new orders arrive", async () => {
    const s = await signUp(base, "orders-pages")
    const ids: Array<string> = []
    for (let i = 0; i < 23; i++) ids.push((await placeDirectly(s.userId)).order_id)
    const all = body(await get("/v1/orders?limit=100", s.token))
    expect(all["next_cursor"]).toBeNull()
    const listed: Array<{ order_id: string; created_at: string }> = all["orders"]
    expect(new Set(listed.map((o) => o.order_id))).toEqual(new Set(ids))
    for (let i = 1; i < listed.length; i++) expect(listed[i - 1]!.created_at >= listed[i]!.created_at).toBe(true)
    expect(body(await get("/v1/orders", s.token))["orders"]).toHaveLength(20)

    const first = body(await get("/v1/orders?limit=10", s.token))
    expect(first["orders"].map((o: { order_id: string }) => o.order_id)).toEqual(listed.slice(0, 10).map((o) => o.order_id))
    // A new order arrives at the top; the pages after the first still continue where it ended.
    const newest = await placeDirectly(s.userId)
    const second = body(await get(`/v1/orders?limit=10&cursor=${first["next_cursor"]}`, s.token))
    const third = body(await get(`/v1/orders?limit=10&cursor=${second["next_cursor"]}`, s.token))
    expect([...second["orders"], ...third["orders"]].map((o: { order_id: string }) => o.order_id)).toEqual(listed.slice(10).map((o) => o.order_id))
    expect(third["next_cursor"]).toBeNull()
    expect(body(await get("/v1/orders?limit=1", s.token))["orders"][0]["order_id"]).toBe(newest.order_id)

    expectError(await get("/v1/orders?cursor=bm9wZQ", s.token), 400, "invalid_request")
    expectError(await get("/v1/orders?limit=0", s.token), 400, "invalid_request")
    expectError(await get("/v1/orders?limit=101", s.token), 400, "invalid_request")
    expectError(await get("/v1/orders?limit=ten", s.token), 400, "invalid_request")
    expectError(await get("/v1/orders?page=2", s.token), 400, "invalid_request")
  })
})
