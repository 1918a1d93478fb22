/**
 * A flash sale over HTTP against the real store (runStore on a fresh Postgres schema, or embedded
 * storage with STORE_TEST_STORAGE=embedded): one SKU with 100 units, 2,000 signed-up shoppers at
 * once, each asking for 1 unit; most retry with the same Idempotency-Key, at the same time and one
 * after another (issue 4, "Proof").
 *
 *   1. With the default reservation TTL (10 min, so nothing expires during the sale): exactly 100
 *      distinct reservations, every shopper's answers agree (a replay of a key is the same
 *      reservation), everyone else gets 409 out_of_stock, nothing is a 5xx.
 *   2. The store restarts on the same storage with RESERVATION_TTL_MS=2000: the 100 holds are all
 *      still there; a second sale on another SKU with 100 units sells out, its holds expire on
 *      their own, and the stock route shows 100 available again.
 *
 * Shoppers are created through the signup code path without HTTP (their sessions are real and
 * durable); every reservation goes over HTTP.
 */
import { createHash } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sellerIdOfUser } from "../gateway/inventory/sellers.ts"
import { auditSale, createShoppers, fixedTarget, planFor, pool, shop, sleep, startStoreWithHost, type StoreWithHost } from "./support/inventory.ts"
import { type Account, call, defaultStorage, type TestStorage, uniqueEmail } from "./support/store.ts"

const STOCK = 100
const SHOPPERS = 2_000
const SHORT_TTL_MS = 2_000

describe("flash sale: 100 units, 2,000 shoppers", () => {
  let storage: TestStorage
  let store: StoreWithHost
  let admin: { token: string; userId: string }
  let shoppers: Array<Account>
  const adminEmail = uniqueEmail("flash-admin")
  const stamp = Date.now().toString(36)
  const skuId = `sku_flash_${stamp}`
  const expirySkuId = `sku_flash_expiry_${stamp}`
  const winners: Array<{ token: string; reservationId: string }> = []

  const env = (overrides: Record<string, string> = {}) => ({ ...storage.env, ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: "admin-password-1", RATE_LIMITS: "off", ...overrides })
  const stockOf = async (id: string) => (await call(store.base, "GET", `/v1/skus/${id}/stock`)).json as { available_quantity: number; stock_status: string }
  const sellerView = async (id: string) => (await call(store.base, "GET", `/v1/seller/inventory/${id}`, { token: admin.token })).json as Record<string, unknown>
  const createSku = async (id: string) => {
    expect((await call(store.base, "POST", "/v1/admin/skus", { token: admin.token, body: { sku_id: id, seller_id: sellerIdOfUser(admin.userId) } })).status).toBe(201)
    const stocked = await call(store.base, "POST", "/v1/seller/inventory", {
      token: admin.token,
      body: { sku_id: id, warehouse_id: "wh_main", movement: "receive", quantity: STOCK }
    })
    expect(stocked.status, stocked.text).toBe(200)
  }

  beforeAll(async () => {
    storage = await defaultStorage()
    store = await startStoreWithHost(env())
    const login = await call(store.base, "POST", "/v1/auth/login", { body: { email: adminEmail, password: "admin-password-1" } })
    admin = { token: (login.json as { token: string }).token, userId: (login.json as { user_id: string }).user_id }
    const started = Date.now()
    shoppers = await createShoppers(store, SHOPPERS)
    console.log(`created ${shoppers.length} shoppers in ${Date.now() - started} ms`)
    await createSku(skuId)
  }, 30_000)
  afterAll(async () => {
    await store?.stop()
    await storage?.cleanup()
  })

  it("exactly 100 reservations, the same one for every retry of a key; everyone else 409 out_of_stock; no 5xx", async () => {
    expect(new Set(shoppers.map((s) => s.userId)).size).toBe(SHOPPERS)
    const started = Date.now()
    // Every shopper at once (each with up to three requests in flight).
    const outcomes = await pool(shoppers, SHOPPERS, (shopper, i) => shop(fixedTarget(store.base), skuId, shopper, planFor(i)))
    const requests = outcomes.reduce((n, o) => n + o.answers.length, 0)
    console.log(`sale: ${requests} reservation requests from ${SHOPPERS} shoppers answered in ${Date.now() - started} ms`)

    const audit = auditSale(outcomes, skuId)
    const byPlan = (list: ReadonlyArray<{ plan: string }>) => list.reduce<Record<string, number>>((m, o) => ({ ...m, [o.plan]: (m[o.plan] ?? 0) + 1 }), {})
    console.log(`held by plan ${JSON.stringify(byPlan(audit.held))}, refused by plan ${JSON.stringify(byPlan(audit.refused))}`)
    expect(audit.problems).toEqual([])
    expect(audit.reservationIds.size).toBe(STOCK)
    expect(audit.held).toHaveLength(STOCK)
    expect(audit.refused).toHaveLength(SHOPPERS - STOCK)
    // The id of a keyed reservation derives from (user, key): a retry is the same reservation at the SKU.
    for (const o of audit.held.filter((h) => h.key !== undefined)) {
      const expected = `res_${createHash("sha256").update(`${o.shopper.userId}\n${o.key}`).digest("base64url").slice(0, 22)}`
      expect((o.answers[0]!.json as { reservation_id: string }).reservation_id).toBe(expected)
    }
    // Whatever the race made of the retries above: every winner and a hundred losers now retry their key,
    // three at once and once more after that. Each gets its first answer again, replayed.
    const retried = [...audit.held, ...audit.refused.slice(0, 100)]
    const again = await pool(retried, retried.length, (o) =>
      shop(fixedTarget(store.base), skuId, o.shopper, "concurrent_retries", { key: o.key! }).then(async (c) => ({
        o,
        answers: [...c.answers, ...(await shop(fixedTarget(store.base), skuId, o.shopper, "once", { key: o.key! })).answers]
      }))
    )
    for (const { o, answers } of again) {
      for (const a of answers) {
        expect(a.status).toBe(o.answers[0]!.status)
        expect(a.json).toEqual(o.answers[0]!.json)
        expect(a.headers.get("idempotent-replayed")).toBe("true")
      }
    }
    expect(audit.held.some((o) => o.plan === "concurrent_retries") || audit.held.some((o) => o.plan === "sequential_retries")).toBe(true)

    expect(await stockOf(skuId)).toEqual({ sku_id: skuId, available_quantity: 0, stock_status: "out_of_stock" })
    expect(await sellerView(skuId)).toMatchObject({ on_hand: STOCK, reserved: STOCK, available: 0, live_holds: STOCK })
    for (const o of audit.held) winners.push({ token: o.shopper.token, reservationId: (o.answers[0]!.json as { reservation_id: string }).reservation_id })
    const first = winners[0]!
    const mine = await call(store.base, "GET", `/v1/skus/${skuId}/reservations/${first.reservationId}`, { token: first.token })
    expect(mine.json).toMatchObject({ reservation_id: first.reservationId, status: "held", quantity: 1 })
  }, 45_000)

  it("after a restart with RESERVATION_TTL_MS=2000 the holds are still there; a new sale's holds expire and the stock comes back", async () => {
    expect(winners).toHaveLength(STOCK)
    await store.stop()
    store = await startStoreWithHost(env({ RESERVATION_TTL_MS: String(SHORT_TTL_MS) }))
    // Every acknowledged hold survived (taken with the 10-minute TTL).
    const held = await pool(winners, 50, async (w) => (await call(store.base, "GET", `/v1/skus/${skuId}/reservations/${w.reservationId}`, { token: w.token })).json)
    expect(held.filter((r) => (r as { status?: string }).status === "held")).toHaveLength(STOCK)
    expect(await stockOf(skuId)).toMatchObject({ available_quantity: 0 })

    await createSku(expirySkuId)
    const started = Date.now()
    const outcomes = await pool(shoppers.slice(0, 500), 500, (shopper) => shop(fixedTarget(store.base), expirySkuId, shopper, "once_without_key"))
    const taken = outcomes.filter((o) => o.answers[0]!.status === 201)
    // Holds may expire during the burst (2 s), so more than 100 may succeed over time, never more than 100 at once.
    expect(taken.length).toBeGreaterThanOrEqual(STOCK)
    expect(outcomes.every((o) => o.answers[0]!.status === 201 || o.answers[0]!.status === 409), JSON.stringify(outcomes.map((o) => o.answers[0]!.status))).toBe(true)
    const view = await sellerView(expirySkuId)
    expect(view["reserved"] as number).toBeLessThanOrEqual(STOCK)

    const lastExpiry = Math.max(...taken.map((o) => Date.parse((o.answers[0]!.json as { expires_at: string }).expires_at)))
    await sleep(Math.max(0, lastExpiry - Date.now()))
    let stock = await stockOf(expirySkuId)
    for (const until = Date.now() + 10_000; stock.available_quantity !== STOCK && Date.now() < until; ) {
      await sleep(100)
      stock = await stockOf(expirySkuId)
    }
    console.log(`second sale: ${taken.length} holds taken; all ${STOCK} units back ${Date.now() - started} ms after it began`)
    expect(stock).toEqual({ sku_id: expirySkuId, available_quantity: STOCK, stock_status: "in_stock" })
    expect(await sellerView(expirySkuId)).toMatchObject({ on_hand: STOCK, reserved: 0, live_holds: 0 })
    const one = taken[0]!
    const id = (one.answers[0]!.json as { reservation_id: string }).reservation_id
    expect((await call(store.base, "GET", `/v1/skus/${expirySkuId}/reservations/${id}`, { token: one.shopper.token })).json).toMatchObject({ status: "expired" })
    // The first sale's holds (10-minute TTL) are untouched.
    expect(await stockOf(skuId)).toMatchObject({ available_quantity: 0 })
  }, 30_000)
})
