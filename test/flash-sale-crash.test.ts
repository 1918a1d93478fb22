/**
 * The flash sale against the real server process (`node --import tsx gateway/main.ts`, what
 * `npm start` runs), killed with SIGKILL mid-sale and restarted on the same storage (issue 4,
 * "Proof"): 100 units, 2,000 shoppers (up to 200 at a time), every one with an Idempotency-Key,
 * many retrying with it. Shoppers whose request got no answer send it again, with the same key,
 * once the server is back.
 *
 *   - every reservation acknowledged (201) before the kill is there after the restart: its owner
 *     reads it as `held`;
 *   - at no point are more units held than there are (sampled throughout), and at the end exactly
 *     100 distinct reservations exist, each acknowledged to its shopper, every answer of a key the
 *     same; everyone else got 409 out_of_stock; nothing is a 5xx.
 *
 * Shoppers, the SKU and its stock are set up first by an in-process store on the same storage
 * (stopped before the server process starts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sellerIdOfUser } from "../gateway/inventory/sellers.ts"
import { auditSale, createShoppers, pool, planFor, shop, sleep, startStoreWithHost, type Target } from "./support/inventory.ts"
import { type Account, call, defaultStorage, spawnStore, type StoreProcess, type TestStorage, uniqueEmail } from "./support/store.ts"

const STOCK = 100
const SHOPPERS = 2_000
const AT_ONCE = 200
/** The kill comes when this many holds have been acknowledged. */
const KILL_AFTER_HELD = 30

describe("flash sale with kill -9 of the server mid-sale", () => {
  let storage: TestStorage
  let server: StoreProcess | undefined
  let shoppers: Array<Account>
  let adminToken: string
  const adminEmail = uniqueEmail("crash-admin")
  const skuId = `sku_crash_${Date.now().toString(36)}`
  const env = () => ({
    ...storage.env,
    ADMIN_EMAIL: adminEmail,
    ADMIN_PASSWORD: "admin-password-1",
    RATE_LIMITS: "off",
    // A request cut off by the kill leaves its idempotency key "in progress": a short lease lets the
    // retry take it over soon (the reservation id derived from the key keeps that retry idempotent).
    IDEMPOTENCY_LEASE_MS: "2000"
  })

  beforeAll(async () => {
    storage = await defaultStorage()
    const setup = await startStoreWithHost(env())
    try {
      const login = await call(setup.base, "POST", "/v1/auth/login", { body: { email: adminEmail, password: "admin-password-1" } })
      const admin = login.json as { token: string; user_id: string }
      adminToken = admin.token
      shoppers = await createShoppers(setup, SHOPPERS)
      expect((await call(setup.base, "POST", "/v1/admin/skus", { token: admin.token, body: { sku_id: skuId, seller_id: sellerIdOfUser(admin.user_id) } })).status).toBe(201)
      const stocked = await call(setup.base, "POST", "/v1/seller/inventory", {
        token: admin.token,
        body: { sku_id: skuId, warehouse_id: "wh_main", movement: "receive", quantity: STOCK }
      })
      expect(stocked.status, stocked.text).toBe(200)
    } finally {
      await setup.stop()
    }
  }, 40_000)
  afterAll(async () => {
    await server?.kill()
    await storage?.cleanup()
  })

  it("every acknowledged reservation survives; never more held than stock; exactly 100 in the end", async () => {
    server = await spawnStore(env())
    const firstPid = server.pid
    let up: Promise<void> = Promise.resolve()
    let restarted: Promise<void> | undefined
    const target: Target = { base: () => server!.base, ready: () => up }

    const ackedBeforeKill: Array<{ shopper: Account; reservationId: string }> = []
    let killed = false
    const crashAndRestart = async () => {
      let back!: () => void
      up = new Promise<void>((resolve) => (back = resolve))
      killed = true
      const startedAt = Date.now()
      await server!.kill()
      server = await spawnStore(env())
      console.log(`killed pid ${firstPid} (SIGKILL) after ${ackedBeforeKill.length} acknowledged holds; pid ${server.pid} listening ${Date.now() - startedAt} ms later`)
      back()
    }
    const onHeld = (shopper: Account, answer: { json: unknown }) => {
      if (killed) return
      ackedBeforeKill.push({ shopper, reservationId: (answer.json as { reservation_id: string }).reservation_id })
      if (ackedBeforeKill.length === KILL_AFTER_HELD) restarted = crashAndRestart()
    }

    // Never more held than stock: sample the SKU while the sale runs (whenever the server is up).
    let sampling = true
    const samples: Array<{ on_hand: number; reserved: number; available: number }> = []
    const sampler = (async () => {
      while (sampling) {
        await up
        try {
          const res = await call(target.base(), "GET", `/v1/seller/inventory/${skuId}`, { token: adminToken })
          if (res.status === 200) samples.push(res.json as { on_hand: number; reserved: number; available: number })
        } catch {
          // the server is being killed or restarted
        }
        await sleep(50)
      }
    })()

    const started = Date.now()
    // Every shopper sends an Idempotency-Key (a lost answer is retried with it).
    const outcomes = await pool(shoppers, AT_ONCE, (shopper, i) =>
      shop(target, skuId, shopper, planFor(i), { retryLost: true, onHeld, deadlineMs: 60_000 })
    )
    await restarted
    sampling = false
    await sampler
    const lost = outcomes.reduce((n, o) => n + o.lost, 0)
    console.log(`sale over ${Date.now() - started} ms: ${lost} requests got no answer and were sent again; ${samples.length} stock samples`)

    expect(killed).toBe(true)
    expect(server.pid).not.toBe(firstPid)
    expect(ackedBeforeKill).toHaveLength(KILL_AFTER_HELD)

    // Every hold acknowledged before the kill is there, held, for its owner.
    const after = await pool(ackedBeforeKill, 30, async (a) => {
      const res = await call(target.base(), "GET", `/v1/skus/${skuId}/reservations/${a.reservationId}`, { token: a.shopper.token })
      return { status: res.status, body: res.json as { reservation_id?: string; status?: string } }
    })
    for (const [i, r] of after.entries()) {
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      expect(r.body).toMatchObject({ reservation_id: ackedBeforeKill[i]!.reservationId, status: "held" })
    }

    // Answers agree per key, all 201 or 409 out_of_stock, and exactly the stock was sold.
    const audit = auditSale(outcomes, skuId)
    expect(audit.problems).toEqual([])
    expect(audit.reservationIds.size).toBe(STOCK)
    expect(audit.held).toHaveLength(STOCK)
    expect(audit.refused).toHaveLength(SHOPPERS - STOCK)
    for (const a of ackedBeforeKill) expect(audit.reservationIds.has(a.reservationId)).toBe(true)

    expect(samples.length).toBeGreaterThan(0)
    for (const s of samples) {
      expect(s.reserved).toBeLessThanOrEqual(STOCK)
      expect(s.on_hand).toBe(STOCK)
      expect(s.available).toBe(s.on_hand - s.reserved)
    }
    const final = (await call(target.base(), "GET", `/v1/seller/inventory/${skuId}`, { token: adminToken })).json
    expect(final).toMatchObject({ on_hand: STOCK, reserved: STOCK, available: 0, live_holds: STOCK })
    expect((await call(target.base(), "GET", `/v1/skus/${skuId}/stock`)).json).toEqual({ sku_id: skuId, available_quantity: 0, stock_status: "out_of_stock" })
  }, 90_000)
})
