/**
 * The waiting room through a kill -9 (issue 7: "durable across a restart, no one is reordered or
 * dropped"): 300 shoppers join a FIFO pre-queue of the store running as `npm start` would, and
 * the process is killed while joins are still arriving. Every shopper who had been told its place
 * (`queued`) gets exactly that place back when it reconnects to the restarted store; everyone's
 * places are unique and gapless.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { createShoppers, pool, startStoreWithHost } from "./support/inventory.ts"
import { type Admin, createSale, createSku, openQueue, type QueueSocket, uniqueSaleId } from "./support/sales.ts"
import { type Account, call, defaultStorage, spawnStore, type StoreProcess, type TestStorage, uniqueEmail } from "./support/store.ts"

const SHOPPERS = 300
const KILL_AFTER_QUEUED = 150

describe("waiting room: kill -9 while shoppers join", () => {
  let storage: TestStorage
  let server: StoreProcess | undefined
  let shoppers: Array<Account>
  let saleId: string
  const sockets: Array<QueueSocket> = []
  const adminEmail = uniqueEmail("sale-crash-admin")
  const env = () => ({ ...storage.env, ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: "admin-password-1", SALE_RECONNECT_GRACE_MS: "120000" })

  beforeAll(async () => {
    storage = await defaultStorage()
    const setup = await startStoreWithHost(env())
    try {
      const login = await call(setup.base, "POST", "/v1/auth/login", { body: { email: adminEmail, password: "admin-password-1" } })
      const admin: Admin = { token: (login.json as { token: string }).token, userId: (login.json as { user_id: string }).user_id }
      shoppers = await createShoppers(setup, SHOPPERS)
      const skuId = `sku_sale_crash_${Date.now().toString(36)}`
      await createSku(setup.base, admin, skuId, 1_000)
      saleId = uniqueSaleId("crash")
      await createSale(setup.base, admin, saleId, { sku_ids: [skuId], starts_at: new Date(Date.now() + 3_600_000).toISOString() })
    } finally {
      await setup.stop()
    }
  }, 90_000)
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate()
    await server?.kill()
    await storage?.cleanup()
  })

  it("every place told before the kill is the same after the restart; places stay unique", async () => {
    server = await spawnStore(env())
    const told = new Map<string, number>()
    let killed: Promise<void> | undefined
    const first = server
    await pool(shoppers, 50, async (shopper) => {
      if (killed !== undefined) return
      const s = openQueue(first.base, saleId, shopper.token)
      sockets.push(s)
      try {
        await s.opened
        s.send({ type: "join" })
        const queued = await s.waitFor("queued", { timeoutMs: 5_000 })
        told.set(shopper.userId, queued["position"] as number)
        if (told.size >= KILL_AFTER_QUEUED) killed ??= first.kill()
      } catch {
        // Cut off by the kill: this shopper was never told a place.
      }
    })
    await (killed ?? first.kill())
    for (const s of sockets.splice(0)) s.ws.terminate()
    expect(told.size).toBeGreaterThanOrEqual(KILL_AFTER_QUEUED)
    console.log(`${told.size} of ${SHOPPERS} shoppers had been told their place when the store was killed`)

    server = await spawnStore(env())
    const base = server.base
    const after = new Map<string, number>()
    await pool(shoppers, 50, async (shopper) => {
      const s = openQueue(base, saleId, shopper.token)
      sockets.push(s)
      await s.opened
      s.send({ type: "join" })
      after.set(shopper.userId, (await s.waitFor("queued"))["position"] as number)
    })
    for (const [userId, position] of told) expect(after.get(userId), userId).toBe(position)
    expect([...after.values()].sort((a, b) => a - b)).toEqual(Array.from({ length: SHOPPERS }, (_, i) => i + 1))
    expect((await call(base, "GET", `/v1/sales/${saleId}`)).json).toMatchObject({ queued: SHOPPERS })
  }, 120_000)
})
