/**
 * The waiting room across a restart (issue 7, "Proof"): 1,000 shoppers queue in a FIFO pre-queue,
 * the store stops and starts again on the same storage (fresh Postgres schema), and every
 * shopper who reconnects within the grace gets exactly the place it had: nobody reordered or
 * dropped (admission follows those places: the ranks the positions come from are what the actor
 * admits by, see actors/sales/sale.property.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createShoppers, pool, startStoreWithHost, type StoreWithHost } from "./support/inventory.ts"
import { type Admin, createSale, createSku, joinQueue, type QueueSocket, saleState, uniqueSaleId } from "./support/sales.ts"
import { type Account, call, defaultStorage, type TestStorage, uniqueEmail } from "./support/store.ts"

const SHOPPERS = 1_000

describe("waiting room: a restart with 1,000 queued keeps every position", () => {
  let storage: TestStorage
  let store: StoreWithHost
  let admin: Admin
  let shoppers: Array<Account>
  const sockets: Array<QueueSocket> = []
  const adminEmail = uniqueEmail("restart-admin")
  const env = () => ({ ...storage.env, ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: "admin-password-1", SALE_TICK_MS: "200", SALE_RECONNECT_GRACE_MS: "120000" })

  beforeAll(async () => {
    storage = await defaultStorage()
    store = await startStoreWithHost(env())
    const login = await call(store.base, "POST", "/v1/auth/login", { body: { email: adminEmail, password: "admin-password-1" } })
    admin = { token: (login.json as { token: string }).token, userId: (login.json as { user_id: string }).user_id }
    shoppers = await createShoppers(store, SHOPPERS)
  }, 90_000)
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate()
    await store?.stop()
    await storage?.cleanup()
  })

  it("same places after the restart, over the WebSocket and the polling fallback", async () => {
    const skuId = `sku_restart_${Date.now().toString(36)}`
    await createSku(store.base, admin, skuId, 5_000)
    const saleId = uniqueSaleId("restart")
    await createSale(store.base, admin, saleId, { sku_ids: [skuId], starts_at: new Date(Date.now() + 3_600_000).toISOString(), admit_per_minute: 60_000, max_active: 10 })

    const before = new Map<string, number>()
    await pool(shoppers, 100, async (shopper) => {
      const s = await joinQueue(store.base, saleId, shopper.token)
      sockets.push(s)
      before.set(shopper.userId, s.messages[0]!["position"] as number)
    })
    const places = [...before.values()].sort((a, b) => a - b)
    expect(places).toEqual(Array.from({ length: SHOPPERS }, (_, i) => i + 1))
    expect(await saleState(store.base, saleId)).toMatchObject({ state: "prequeue", queued: SHOPPERS })

    await store.stop()
    for (const s of sockets.splice(0)) s.ws.terminate()
    store = await startStoreWithHost(env())
    expect(await saleState(store.base, saleId)).toMatchObject({ state: "prequeue", queued: SHOPPERS })

    const after = new Map<string, number>()
    const reconnected = await pool(shoppers, 100, async (shopper) => {
      const s = await joinQueue(store.base, saleId, shopper.token)
      sockets.push(s)
      after.set(shopper.userId, s.messages[0]!["position"] as number)
      return [shopper.userId, s] as const
    })
    for (const shopper of shoppers) expect(after.get(shopper.userId), shopper.userId).toBe(before.get(shopper.userId))
    expect(await saleState(store.base, saleId)).toMatchObject({ queued: SHOPPERS })

    const byPosition = [...reconnected].sort((a, b) => before.get(a[0])! - before.get(b[0])!)
    const polled = await call(store.base, "GET", `/v1/sales/${saleId}/queue/status`, { token: shoppers.find((s) => s.userId === byPosition[499]![0])!.token })
    expect(polled.json).toMatchObject({ type: "position", position: 500, ahead: 499 })
  }, 120_000)
})
