/**
 * `npm start` (gateway/main.ts as a child process) without PAYMENT_PROVIDER_URL: it runs the
 * payment-provider simulator itself, with its data in DATA_DIR/provider, points the simulator's
 * webhooks at the store, and stops it on shutdown. A card checkout then works out of the box,
 * and what the simulator acknowledged is still there after a restart.
 */
import { createServer } from "node:net"
import { afterAll, describe, expect, it } from "vitest"
import { cards } from "../provider/testing.ts"
import { addToCart, body, checkoutBody, newShopper, postCheckout, Shop } from "./checkout.support.ts"
import { call, embeddedStorage, spawnStore, type StoreProcess, uniqueEmail } from "./support/store.ts"

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
  })

const reachable = async (url: string) => {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) })).ok
  } catch {
    return false
  }
}

describe("npm start with the bundled payment provider", () => {
  const storage = embeddedStorage()
  let store: StoreProcess | undefined

  afterAll(async () => {
    await store?.kill()
    await storage.cleanup()
  })

  it("starts the simulator on PROVIDER_PORT, takes a card checkout through it, receives its webhooks, and stops it on SIGTERM", async () => {
    const providerPort = await freePort()
    const adminEmail = uniqueEmail("start-admin")
    const env = { ...storage.env, PROVIDER_PORT: String(providerPort), ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: "admin-password-1", FRAUD_RULES: "off" }
    store = await spawnStore(env)
    const providerUrl = `http://127.0.0.1:${providerPort}`
    expect(store.output()).toContain(`payment provider simulator on ${providerUrl}`)

    const shop = new Shop(() => store!.base)
    await shop.setUp(adminEmail, "admin-password-1")
    const shopper = await newShopper(store.base, providerUrl, { card: cards.approve })
    const { skuIds } = await shop.product([25_000], 5)
    await addToCart(store.base, shopper, skuIds[0]!, 1)
    const placed = await postCheckout(store.base, shopper, checkoutBody(shopper, "card"))
    expect(placed.status, placed.text).toBe(201)
    const orderId = body(placed)["order_id"]
    const order = await call(store.base, "GET", `/v1/orders/${orderId}`, { token: shopper.token })
    // PAYMENT_CAPTURE defaults to immediate.
    expect(body(order)).toMatchObject({ status: "placed", payment: { method: "card", status: "captured" } })
    const total = body(order)["totals"]["total"]
    const cancelled = await call(store.base, "POST", `/v1/orders/${orderId}/cancel`, { token: shopper.token })
    expect(cancelled.status, cancelled.text).toBe(200)
    expect(body(cancelled)).toMatchObject({ status: "cancelled", payment: { status: "refunded", refunded_amount: total } })

    // The simulator's webhooks reach the store (authorized, captured, refunded at least).
    const deadline = Date.now() + 20_000
    let stats: { webhooks: { delivered: number; failed_attempts: number } } | undefined
    for (;;) {
      stats = (await (await fetch(`${providerUrl}/v1/test/stats`)).json()) as typeof stats
      if (stats!.webhooks.delivered >= 3 || Date.now() > deadline) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(stats!.webhooks.delivered).toBeGreaterThanOrEqual(3)
    expect(stats!.webhooks.failed_attempts).toBe(0)

    const token = (await (await fetch(`${providerUrl}/v1/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ card_number: cards.approve, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: "123" })
    })).json()) as { token: string }

    store.signal("SIGTERM")
    expect((await store.exited).code).toBe(0)
    expect(await reachable(providerUrl)).toBe(false)

    // Restarted on the same DATA_DIR: the simulator still knows the token it acknowledged.
    store = await spawnStore(env)
    expect((await fetch(`${providerUrl}/v1/tokens/${token.token}`)).status).toBe(200)
    await store.kill()
    store = undefined
  })

  it("uses PAYMENT_PROVIDER_URL when set and starts no simulator", async () => {
    const other = embeddedStorage()
    try {
      const providerPort = await freePort()
      const running = await spawnStore({ ...other.env, PROVIDER_PORT: String(providerPort), PAYMENT_PROVIDER_URL: "http://127.0.0.1:9" })
      try {
        expect(running.output()).not.toContain("payment provider simulator on")
        expect(await reachable(`http://127.0.0.1:${providerPort}`)).toBe(false)
      } finally {
        await running.kill()
      }
    } finally {
      await other.cleanup()
    }
  })
})
