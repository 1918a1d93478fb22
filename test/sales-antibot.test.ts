/**
 * Waiting-room defences and the random pre-queue end to end (issue 7): with the operator's proof
 * of work on (SALE_POW=on, cheap 10-bit challenges) and rate limits on (two joins per account),
 * over real WebSocket shoppers against the real store.
 */
import { createHash } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { leadingZeroBits, solveChallenge } from "../gateway/sales/pow.ts"
import { createShoppers, startStoreWithHost, type StoreWithHost } from "./support/inventory.ts"
import { type Admin, createSale, createSku, openQueue, type QueueSocket, tokenClaims, uniqueSaleId } from "./support/sales.ts"
import { type Account, call, defaultStorage, type TestStorage, uniqueEmail } from "./support/store.ts"

const BITS = 10

describe("waiting room: proof of work, join limits, random pre-queue", () => {
  let storage: TestStorage
  let store: StoreWithHost
  let admin: Admin
  let shoppers: Array<Account>
  let saleId: string
  const sockets: Array<QueueSocket> = []
  const adminEmail = uniqueEmail("antibot-admin")
  const stamp = Date.now().toString(36)

  /** Open a socket and wait for its challenge. */
  const challenged = async (shopper: Account, sale = saleId) => {
    const s = openQueue(store.base, sale, shopper.token)
    sockets.push(s)
    const challenge = await s.waitFor("challenge")
    expect(challenge).toMatchObject({ type: "challenge", algorithm: "sha256", difficulty_bits: BITS })
    return { s, prefix: challenge["prefix"] as string }
  }
  const solvedJoin = async (shopper: Account, sale = saleId) => {
    const { s, prefix } = await challenged(shopper, sale)
    s.send({ type: "join", pow: { prefix, solution: solveChallenge(prefix, BITS) } })
    return s
  }

  beforeAll(async () => {
    storage = await defaultStorage()
    store = await startStoreWithHost({
      ...storage.env,
      ADMIN_EMAIL: adminEmail,
      ADMIN_PASSWORD: "admin-password-1",
      SALE_TICK_MS: "100",
      SALE_POW: "on",
      SALE_POW_BITS: String(BITS),
      RATE_LIMITS: "on",
      RATE_LIMIT_WS_JOIN_CAPACITY: "2",
      RATE_LIMIT_WS_JOIN_REFILL_PER_SECOND: "0.001"
    })
    const login = await call(store.base, "POST", "/v1/auth/login", { body: { email: adminEmail, password: "admin-password-1" } })
    admin = { token: (login.json as { token: string }).token, userId: (login.json as { user_id: string }).user_id }
    shoppers = await createShoppers(store, 30)
    await createSku(store.base, admin, `sku_pow_${stamp}`, 100)
    saleId = uniqueSaleId("pow")
    await createSale(store.base, admin, saleId, { sku_ids: [`sku_pow_${stamp}`], starts_at: new Date(Date.now() + 3_600_000).toISOString() })
  }, 60_000)
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate()
    await store?.stop()
    await storage?.cleanup()
  })

  it("a join without a proof, with a wrong one or with another socket's challenge is refused (4400); a solved one queues", async () => {
    const missing = await challenged(shoppers[0]!)
    missing.s.send({ type: "join" })
    expect(await missing.s.closed).toMatchObject({ code: 4400 })
    expect(missing.s.messages.at(-1)).toMatchObject({ type: "error", code: "invalid_message" })

    const wrong = await challenged(shoppers[1]!)
    // The first candidate that does not have the required zero bits.
    let bad = 0
    while (leadingZeroBits(createHash("sha256").update(wrong.prefix + String(bad)).digest()) >= BITS) bad++
    wrong.s.send({ type: "join", pow: { prefix: wrong.prefix, solution: String(bad) } })
    expect(await wrong.s.closed).toMatchObject({ code: 4400 })

    const a = await challenged(shoppers[2]!)
    const b = await challenged(shoppers[2]!)
    b.s.send({ type: "join", pow: { prefix: a.prefix, solution: solveChallenge(a.prefix, BITS) } })
    expect(await b.s.closed).toMatchObject({ code: 4400 })

    const good = await solvedJoin(shoppers[3]!)
    expect(await good.waitFor("queued")).toMatchObject({ type: "queued", position: 1, ahead: 0 })
  })

  it("joins are limited per account: the third within the burst closes with 4429", async () => {
    const shopper = shoppers[4]!
    const first = await solvedJoin(shopper)
    await first.waitFor("queued")
    const second = await solvedJoin(shopper)
    await second.waitFor("queued")
    const third = await solvedJoin(shopper)
    expect(await third.closed).toMatchObject({ code: 4429 })
    expect(third.messages.at(-1)).toMatchObject({ type: "error", code: "rate_limited" })
    // The place is still the one the first join got.
    expect(second.messages.find((m) => m.type === "queued")).toMatchObject({ position: first.messages.find((m) => m.type === "queued")!["position"] })
  })

  it("random_prequeue: the pre-queue is shuffled at the start, later arrivals join the end in order", async () => {
    await createSku(store.base, admin, `sku_shuffle_${stamp}`, 100)
    const shuffled = uniqueSaleId("shuffle")
    await createSale(store.base, admin, shuffled, {
      sku_ids: [`sku_shuffle_${stamp}`],
      starts_at: new Date(Date.now() + 2_500).toISOString(),
      mode: "random_prequeue",
      admit_per_minute: 60_000,
      max_active: 100
    })
    const early = shoppers.slice(10, 22)
    const earlySockets: Array<QueueSocket> = []
    for (const shopper of early) {
      const s = await solvedJoin(shopper, shuffled)
      await s.waitFor("queued")
      earlySockets.push(s)
    }
    const tokens = await Promise.all(earlySockets.map((s) => s.waitFor("admitted", { timeoutMs: 15_000 })))
    const order = tokens.map((m) => tokenClaims(m["admission_token"] as string)).sort((x, y) => x.tokenId - y.tokenId)
    expect(order.map((c) => c.tokenId)).toEqual(early.map((_, i) => i + 1))
    expect([...order.map((c) => c.userId)].sort()).toEqual(early.map((s) => s.userId).sort())
    expect(order.map((c) => c.userId)).not.toEqual(early.map((s) => s.userId))

    const late = shoppers.slice(22, 25)
    const lateTokens: Array<number> = []
    for (const shopper of late) {
      const s = await solvedJoin(shopper, shuffled)
      lateTokens.push(tokenClaims((await s.waitFor("admitted", { timeoutMs: 15_000 }))["admission_token"] as string).tokenId)
    }
    expect(lateTokens).toEqual([13, 14, 15])
  }, 40_000)
})
