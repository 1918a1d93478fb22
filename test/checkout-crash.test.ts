/**
 * The checkout saga against the real server process (`node --import tsx gateway/main.ts`),
 * killed with SIGKILL while checkouts are in flight and restarted on the same storage, with the
 * payment-provider simulator running on (its own HTTP server, as a real provider would).
 *
 *   - checkouts cut off at any step finish after the restart — driven by the resumer from the step
 *     their checkout actor recorded, or by the shopper's retry with the same key — and every one
 *     ends consistent: order placed, one payment at the provider captured once, stock sold
 *     exactly once, cart empty;
 *   - a checkout waiting for its payment when the server dies is finished by the resumer alone,
 *     with no client request, once the provider settles the payment.
 */
import { createServer } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { checkoutIdsOf } from "../gateway/checkout/ids.ts"
import { cards, startTestProvider, type TestProvider } from "../provider/testing.ts"
import { addToCart, body, checkoutBody, eventually, newShopper, postCheckout, providerPayments, Shop, type Shopper, sleep } from "./checkout.support.ts"
import { call, defaultStorage, spawnStore, type StoreProcess, type TestStorage, uniqueEmail } from "./support/store.ts"

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })

const SHOPPERS_PER_ROUND = 8
const STOCK = 100

describe("checkout with kill -9 of the server mid-saga", () => {
  let storage: TestStorage
  let provider: TestProvider
  let server: StoreProcess | undefined
  let shop: Shop
  let base = ""
  const adminEmail = uniqueEmail("checkout-crash-admin")
  const env = () => ({
    ...storage.env,
    ADMIN_EMAIL: adminEmail,
    ADMIN_PASSWORD: "admin-password-1",
    PAYMENT_PROVIDER_URL: provider.url,
    PAYMENT_PROVIDER_TIMEOUT_MS: "2000",
    PAYMENT_RECONCILE_DELAY_MS: "50",
    CHECKOUT_RESUME_EVERY_MS: "200",
    FRAUD_RULES: "off",
    // A request cut off by the kill leaves its key "in progress": a short lease lets the retry take over soon.
    IDEMPOTENCY_LEASE_MS: "2000"
  })
  const start = async () => {
    server = await spawnStore(env())
    base = server.base
  }

  beforeAll(async () => {
    storage = await defaultStorage()
    provider = await startTestProvider({ port: await freePort() })
    await start()
    shop = new Shop(() => base)
    await shop.setUp(adminEmail, "admin-password-1")
  }, 120_000)

  afterAll(async () => {
    await server?.kill()
    await provider?.dispose()
    await storage?.cleanup()
  })

  it("checkouts cut off by kill -9 (two kills, at different points) finish after the restarts, each with one order, one charge and its stock sold once", async () => {
    const { skuIds } = await shop.product([20_000, 7_000], STOCK)
    const [a, b] = skuIds as [string, string]
    const all: Array<{ s: Shopper; key: string; qa: number; method: string }> = []
    const answeredBefore: Array<string> = []
    // When the server dies in each round: as the first checkout is answered, or after a while (other saga steps).
    const killPoints: ReadonlyArray<(inFlight: ReadonlyArray<Promise<number>>) => Promise<unknown>> = [
      (inFlight) => Promise.race([Promise.race(inFlight), sleep(3_000)]),
      () => sleep(400)
    ]
    for (const [round, killPoint] of killPoints.entries()) {
      const shoppers: typeof all = []
      for (let i = 0; i < SHOPPERS_PER_ROUND; i++) {
        const s = await newShopper(base, provider.url, { card: cards.approve })
        const qa = 1 + (i % 3)
        await addToCart(base, s, a, qa)
        await addToCart(base, s, b, 1)
        shoppers.push({ s, key: `crash-${round}-${i}`, qa, method: i % 2 === 0 ? "card" : "cod" })
      }
      // All at once; the server dies while they run.
      const inFlight = shoppers.map(({ s, key, method }) => postCheckout(base, s, checkoutBody(s, method), key).then((r) => r.status, () => 0))
      await killPoint(inFlight)
      await server!.kill()
      answeredBefore.push((await Promise.all(inFlight)).join(","))
      await start()
      all.push(...shoppers)
    }

    for (const { s, key, method } of all) {
      const ids = checkoutIdsOf(s.userId, key)
      // The shopper retries with the same key until it gets an answer that is not "try again".
      const answer = await eventually(
        () => postCheckout(base, s, checkoutBody(s, method), key),
        (r) => r.status !== 503 && r.status !== 409,
        30_000
      )
      expect(answer.status, answer.text).toBe(201)
      const done = await eventually(
        () => call(base, "GET", `/v1/checkout/${ids.checkoutId}`, { token: s.token }),
        (r) => body(r)["status"] === "order_placed",
        20_000
      )
      expect(body(done), `answers before the kills: ${answeredBefore.join(" | ")}`).toMatchObject({ status: "order_placed", order_id: ids.orderId })
      expect((await call(base, "GET", "/v1/cart", { token: s.token })).json).toMatchObject({ items: [] })
      // One payment per card checkout, captured once (PAYMENT_CAPTURE defaults to immediate); none for cash on delivery.
      const charges = await providerPayments(provider.url, ids.paymentId)
      expect(charges.map((p) => [p["status"], p["amount_captured"] === p["amount"]])).toEqual(method === "card" ? [["captured", true]] : [])
    }
    const soldA = all.reduce((n, x) => n + x.qa, 0)
    expect([await shop.available(a), await shop.available(b)]).toEqual([STOCK - soldA, STOCK - all.length])
  }, 150_000)

  it("a checkout waiting for its payment when the server dies is finished by the resumer once the provider settles", async () => {
    const s = await newShopper(base, provider.url, { card: cards.pending })
    const { skuIds } = await shop.product([9_000], 5)
    await addToCart(base, s, skuIds[0]!, 2)
    const key = "pending-at-kill"
    const res = await postCheckout(base, s, checkoutBody(s, "card"), key)
    expect(body(res)["status"], res.text).toBe("pending_payment")
    await server!.kill()
    const ids = checkoutIdsOf(s.userId, key)
    const [payment] = await providerPayments(provider.url, ids.paymentId)
    const settled = await fetch(`${provider.url}/v1/test/payments/${payment!["payment_id"]}/settle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: "authorized" })
    })
    expect(settled.status).toBe(200)
    await start()
    // No POST again: only reads, while the resumer does the rest.
    const done = await eventually(
      () => call(base, "GET", `/v1/checkout/${ids.checkoutId}`, { token: s.token }),
      (r) => body(r)["status"] === "order_placed",
      30_000
    )
    expect(body(done)).toMatchObject({ status: "order_placed", order_id: ids.orderId })
    expect(await shop.available(skuIds[0]!)).toBe(3)
    expect((await call(base, "GET", "/v1/cart", { token: s.token })).json).toMatchObject({ items: [] })
  }, 90_000)
})
