/**
 * The waiting room end to end (issue 7): the real store (runStore on a fresh Postgres schema),
 * real WebSocket shoppers, the admin routes over HTTP. Ticks every 100 ms and a 3 s reconnect
 * grace keep the suite short; nothing here measures time.
 */
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sku as skuActor } from "../actors/inventory/sku.ts"
import { MetricsRegistry } from "../runtime/metrics.ts"
import { AdmissionGate } from "../gateway/sales/admission.ts"
import { SaleMetrics } from "../gateway/sales/metrics.ts"
import { KeyRing } from "../gateway/sales/tokens.ts"
import { createShoppers, startStoreWithHost, type StoreWithHost } from "./support/inventory.ts"
import {
  type Admin,
  createSale,
  createSku,
  eventually,
  joinQueue,
  type Message,
  openQueue,
  type QueueSocket,
  saleState,
  tokenClaims,
  uniqueSaleId
} from "./support/sales.ts"
import { type Account, call, defaultStorage, isErrorShape, type TestStorage, uniqueEmail } from "./support/store.ts"

describe("flash sales: the waiting room", () => {
  let storage: TestStorage
  let store: StoreWithHost
  let admin: Admin
  let shoppers: Array<Account>
  let gate: AdmissionGate
  const sockets: Array<QueueSocket> = []
  const adminEmail = uniqueEmail("sale-admin")
  const stamp = Date.now().toString(36)
  const sku = (tag: string) => `sku_${tag}_${stamp}`
  const join = async (shopper: Account, saleId: string, first = "queued") => {
    const s = await joinQueue(store.base, saleId, shopper.token, first)
    sockets.push(s)
    return s
  }
  const openSale = async (tag: string, stock: number, options: Partial<Parameters<typeof createSale>[3]> = {}) => {
    const skuId = sku(tag)
    await createSku(store.base, admin, skuId, stock)
    const saleId = uniqueSaleId(tag)
    await createSale(store.base, admin, saleId, { sku_ids: [skuId], ...options })
    return { saleId, skuId }
  }

  beforeAll(async () => {
    storage = await defaultStorage()
    store = await startStoreWithHost({
      ...storage.env,
      ADMIN_EMAIL: adminEmail,
      ADMIN_PASSWORD: "admin-password-1",
      SALE_TICK_MS: "100",
      SALE_PUSH_EVERY_MS: "1000",
      SALE_RECONNECT_GRACE_MS: "3000"
    })
    const login = await call(store.base, "POST", "/v1/auth/login", { body: { email: adminEmail, password: "admin-password-1" } })
    admin = { token: (login.json as { token: string }).token, userId: (login.json as { user_id: string }).user_id }
    shoppers = await createShoppers(store, 60)
    const keys = new KeyRing(store.host)
    await keys.load()
    gate = new AdmissionGate({ host: store.host, keys, metrics: new SaleMetrics(new MetricsRegistry()) })
  }, 60_000)
  afterAll(async () => {
    for (const s of sockets) s.ws.terminate()
    await store?.stop()
    await storage?.cleanup()
  })

  it("admin routes: create (201), duplicate (409), bad bodies (400), roles (401/403), unknown SKU (404), read", async () => {
    const skuId = sku("admin")
    await createSku(store.base, admin, skuId, 5)
    const saleId = uniqueSaleId("admin")
    const body = { sale_id: saleId, sku_ids: [skuId], starts_at: new Date(Date.now() + 60_000).toISOString(), admit_per_minute: 60, max_active: 10, per_user_limit: 2, mode: "fifo" }
    const created = await call(store.base, "POST", "/v1/admin/sales", { token: admin.token, body })
    expect(created.status, created.text).toBe(201)
    expect(created.json).toMatchObject({ sale_id: saleId, state: "prequeue", queued: 0, active: 0, admitted_total: 0, session_minutes: 5 })
    const again = await call(store.base, "POST", "/v1/admin/sales", { token: admin.token, body })
    expect(again.status).toBe(409)
    expect(isErrorShape(again.json)).toBe(true)
    for (const bad of [{ ...body, sale_id: "Upper Case" }, { ...body, admit_per_minute: 0 }, { ...body, price: 1 }, { ...body, mode: "lottery" }, { ...body, starts_at: "tomorrow" }, { ...body, ends_at: body.starts_at }, { ...body, session_minutes: 31 }]) {
      const res = await call(store.base, "POST", "/v1/admin/sales", { token: admin.token, body: { ...bad, sale_id: bad.sale_id === saleId ? uniqueSaleId("bad") : bad.sale_id } })
      expect(res.status, JSON.stringify(bad)).toBe(400)
      expect((res.json as { error: { code: string } }).error.code).toBe("invalid_request")
    }
    expect((await call(store.base, "POST", "/v1/admin/sales", { token: shoppers[0]!.token, body: { ...body, sale_id: uniqueSaleId() } })).status).toBe(403)
    expect((await call(store.base, "POST", "/v1/admin/sales", { body: { ...body, sale_id: uniqueSaleId() } })).status).toBe(401)
    const unknownSku = await call(store.base, "POST", "/v1/admin/sales", { token: admin.token, body: { ...body, sale_id: uniqueSaleId(), sku_ids: ["sku_nope_" + stamp] } })
    expect(unknownSku.status).toBe(404)
    const taken = await call(store.base, "POST", "/v1/admin/sales", { token: admin.token, body: { ...body, sale_id: uniqueSaleId() } })
    expect(taken.status).toBe(409)
    expect((taken.json as { error: { code: string } }).error.code).toBe("sku_in_sale")
    expect((await call(store.base, "GET", `/v1/sales/${saleId}`)).json).toMatchObject({ sale_id: saleId, state: "prequeue" })
    expect((await call(store.base, "GET", `/v1/sales/nope-${stamp}`)).status).toBe(404)
    // The sale's per-user limit is the SKU's purchase limit now.
    expect((await call(store.base, "GET", `/v1/seller/inventory/${skuId}`, { token: admin.token })).json).toMatchObject({ per_user_limit: 2 })
  })

  it("WebSocket refusals: no token (4401), unknown sale (4404), bad messages (4400), each after an error frame", async () => {
    const { saleId } = await openSale("refuse", 5)
    const anonymous = openQueue(store.base, saleId, undefined)
    expect(await anonymous.closed).toMatchObject({ code: 4401 })
    expect(anonymous.messages).toEqual([expect.objectContaining({ type: "error", code: "unauthenticated" })])
    const unknown = openQueue(store.base, `nope-${stamp}`, shoppers[0]!.token)
    expect(await unknown.closed).toMatchObject({ code: 4404 })
    expect(unknown.messages[0]).toMatchObject({ type: "error", code: "not_found" })
    for (const bad of ["not json", JSON.stringify({ type: "jump" }), JSON.stringify([1])]) {
      const s = openQueue(store.base, saleId, shoppers[0]!.token)
      await s.opened
      s.send(bad)
      expect(await s.closed).toMatchObject({ code: 4400 })
      expect(s.messages.at(-1)).toMatchObject({ type: "error", code: "invalid_message" })
    }
    const polled = await call(store.base, "GET", `/v1/sales/${saleId}/queue/status`, { token: shoppers[0]!.token })
    expect(polled.status).toBe(404)
  })

  it("FIFO: positions by arrival, one place per user, admission in join order, positions only move forward", async () => {
    const { saleId } = await openSale("fifo", 100, { starts_at: new Date(Date.now() + 2_500).toISOString(), admit_per_minute: 300, max_active: 100 })
    const crowd = shoppers.slice(0, 15)
    const byUser = new Map<string, QueueSocket>()
    for (const [i, shopper] of crowd.entries()) {
      const s = await join(shopper, saleId)
      byUser.set(shopper.userId, s)
      expect(s.messages[0]).toEqual({ type: "queued", position: i + 1, ahead: i, eta_seconds: null })
    }
    // A second connection of the first shopper: the same place, no new one.
    const twin = await join(crowd[0]!, saleId)
    expect(twin.messages[0]).toMatchObject({ type: "queued", position: 1 })
    expect(await saleState(store.base, saleId)).toMatchObject({ state: "prequeue", queued: 15 })
    // The polling fallback answers the same payload.
    const polled = await call(store.base, "GET", `/v1/sales/${saleId}/queue/status`, { token: crowd[4]!.token })
    expect(polled.json).toEqual({ type: "position", position: 5, ahead: 4, eta_seconds: null })

    const admitted = await Promise.all(crowd.map((s) => byUser.get(s.userId)!.waitFor("admitted", { timeoutMs: 20_000 })))
    const order = admitted.map((m) => tokenClaims(m["admission_token"] as string))
    expect(order.map((c) => c.userId)).toEqual(crowd.map((s) => s.userId))
    expect(order.map((c) => c.tokenId)).toEqual(crowd.map((_, i) => i + 1))
    for (const c of order) expect(c.saleId).toBe(saleId)
    expect((await twin.waitFor("admitted")).admission_token).toBe(admitted[0]!.admission_token)
    for (const s of byUser.values()) {
      const positions = s.messages.filter((m) => m.type === "queued" || m.type === "position").map((m) => m["position"] as number)
      for (let i = 1; i < positions.length; i++) expect(positions[i]!).toBeLessThanOrEqual(positions[i - 1]!)
    }
    const state = await saleState(store.base, saleId)
    expect(state).toMatchObject({ state: "open", queued: 0, active: 15, admitted_total: 15 })
    expect(state["admitted_last_minute"]).toBeLessThanOrEqual(300)
  }, 40_000)

  it("pause and resume: sockets hear it, nobody is admitted while paused", async () => {
    const { saleId } = await openSale("pause", 100, { admit_per_minute: 120, max_active: 100 })
    const paused = await call(store.base, "POST", `/v1/admin/sales/${saleId}/pause`, { token: admin.token })
    expect(paused.json).toMatchObject({ state: "paused" })
    const crowd = await Promise.all(shoppers.slice(15, 20).map((s) => join(s, saleId)))
    for (const s of crowd) await s.waitFor("paused")
    // Several ticks later, still nobody admitted.
    await new Promise((r) => setTimeout(r, 600))
    expect(await saleState(store.base, saleId)).toMatchObject({ state: "paused", admitted_total: 0, queued: 5 })
    expect((await call(store.base, "POST", `/v1/admin/sales/${saleId}/resume`, { token: admin.token })).json).toMatchObject({ state: "open" })
    for (const s of crowd) await s.waitFor("resumed")
    await crowd[0]!.waitFor("admitted")
    expect((await call(store.base, "POST", `/v1/admin/sales/${saleId}/pause`, { token: shoppers[0]!.token })).status).toBe(403)
  }, 30_000)

  it("max_active bounds the admitted; a completed checkout frees its slot for the next in line", async () => {
    const { saleId, skuId } = await openSale("active", 100, { admit_per_minute: 6_000, max_active: 2 })
    const crowd = shoppers.slice(20, 25)
    const s = [] as Array<QueueSocket>
    for (const shopper of crowd) s.push(await join(shopper, saleId))
    const first = await s[0]!.waitFor("admitted")
    await s[1]!.waitFor("admitted")
    await new Promise((r) => setTimeout(r, 500))
    expect(await saleState(store.base, saleId)).toMatchObject({ active: 2, admitted_total: 2, queued: 3 })
    expect(s[2]!.messages.some((m) => m.type === "admitted")).toBe(false)
    const admission = await Effect.runPromise(gate.checkAdmission({ userId: crowd[0]!.userId, skuIds: [skuId], token: first["admission_token"] as string, claimKey: "co_test_1", nowMs: Date.now() }))
    expect(admission).toMatchObject({ saleId, userId: crowd[0]!.userId, tokenId: 1 })
    await Effect.runPromise(gate.completeAdmission(admission!, Date.now()))
    await s[2]!.waitFor("admitted")
    expect(await saleState(store.base, saleId)).toMatchObject({ active: 2, admitted_total: 3 })
  }, 30_000)

  it("admission tokens: required, bound to user and sale, single use, signed (forgeries refused), survive a key rotation", async () => {
    const { saleId, skuId } = await openSale("tokens", 100, { admit_per_minute: 6_000, max_active: 10 })
    const [owner, thief] = [shoppers[25]!, shoppers[26]!]
    const socket = await join(owner, saleId)
    const token = (await socket.waitFor("admitted"))["admission_token"] as string
    const check = (userId: string, t: string | undefined, claimKey = "co_a", skuIds = [skuId]) =>
      Effect.runPromise(Effect.either(gate.checkAdmission({ userId, skuIds, token: t, claimKey, nowMs: Date.now() })))
    const failure = (e: Awaited<ReturnType<typeof check>>) => (e._tag === "Left" ? { status: e.left.status, code: e.left.code, reason: e.left.details["reason"] } : e.right)

    expect(failure(await check(owner.userId, undefined))).toMatchObject({ status: 403, code: "admission_required" })
    expect(failure(await check(thief.userId, token))).toMatchObject({ status: 403, code: "admission_invalid", reason: "wrong_user" })
    const [v, kid, payload, mac] = token.split(".")
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), u: thief.userId })).toString("base64url")
    expect(failure(await check(thief.userId, `${v}.${kid}.${forged}.${mac}`))).toMatchObject({ code: "admission_invalid", reason: "bad_signature" })
    expect(failure(await check(owner.userId, "at1.kzzz.e30.AAAA"))).toMatchObject({ code: "admission_invalid", reason: "unknown_key" })
    expect(failure(await check(owner.userId, "nonsense"))).toMatchObject({ code: "admission_invalid", reason: "malformed" })
    // A SKU in no sale needs no token.
    const plain = sku("plain")
    await createSku(store.base, admin, plain, 3)
    const free = await check(owner.userId, undefined, "co_x", [plain])
    expect(free._tag === "Right" && free.right === undefined).toBe(true)

    // The thief's attempts did not use the owner's token up; a key rotation does not strand it.
    const rotated = await call(store.base, "POST", "/v1/admin/admission-keys/rotate", { token: admin.token })
    expect(rotated.status).toBe(200)
    expect((rotated.json as { key_id: string }).key_id).not.toBe(kid)
    const claimed = await check(owner.userId, token, "co_a")
    expect(claimed._tag).toBe("Right")
    // The same checkout again (a retry) is fine; another checkout with the same token is not.
    expect((await check(owner.userId, token, "co_a"))._tag).toBe("Right")
    expect(failure(await check(owner.userId, token, "co_b"))).toMatchObject({ code: "admission_invalid", reason: "used" })
    // A failed checkout gives it back; a placed order uses it up for good.
    if (claimed._tag === "Right") await Effect.runPromise(gate.releaseAdmission(claimed.right!, Date.now()))
    const second = await check(owner.userId, token, "co_b")
    expect(second._tag).toBe("Right")
    if (second._tag === "Right") await Effect.runPromise(gate.completeAdmission(second.right!, Date.now()))
    expect(failure(await check(owner.userId, token, "co_c"))).toMatchObject({ code: "admission_invalid", reason: "used" })
    // Tokens issued after the rotation carry the new key id.
    const later = await join(shoppers[27]!, saleId)
    const laterToken = (await later.waitFor("admitted"))["admission_token"] as string
    expect(tokenClaims(laterToken).keyId).toBe((rotated.json as { key_id: string }).key_id)
  }, 30_000)

  it("sold out: every queued socket hears sold_out and admission stops", async () => {
    const { saleId, skuId } = await openSale("soldout", 2, { admit_per_minute: 6_000, max_active: 1 })
    const crowd = await Promise.all(shoppers.slice(30, 40).map((s) => join(s, saleId)))
    await eventually(async () => ((await saleState(store.base, saleId))["admitted_total"] === 1 ? true : undefined))
    const emptied = await call(store.base, "POST", "/v1/seller/inventory", { token: admin.token, body: { sku_id: skuId, warehouse_id: "wh_main", on_hand: 0 } })
    expect(emptied.status, emptied.text).toBe(200)
    const heard = await Promise.all(crowd.map((s) => s.waitFor("sold_out", { timeoutMs: 2_000 })))
    expect(heard).toHaveLength(10)
    expect(await saleState(store.base, saleId)).toMatchObject({ state: "sold_out", admitted_total: 1 })
    // A newcomer hears it at once; the poll says so too.
    const late = await join(shoppers[40]!, saleId, "sold_out")
    expect(late.messages.some((m: Message) => m.type === "queued")).toBe(false)
    expect((await call(store.base, "GET", `/v1/sales/${saleId}/queue/status`, { token: shoppers[35]!.token })).json).toEqual({ type: "sold_out" })
  }, 30_000)

  it("sold out waits for held units: a hold may come back; the confirmed last unit sells the sale out", async () => {
    const { saleId, skuId } = await openSale("held", 1, { admit_per_minute: 6_000, max_active: 1 })
    const crowd = await Promise.all(shoppers.slice(46, 49).map((s) => join(s, saleId)))
    await eventually(async () => ((await saleState(store.base, saleId))["admitted_total"] === 1 ? true : undefined))
    const hold = await call(store.base, "POST", `/v1/skus/${skuId}/reservations`, { token: shoppers[46]!.token, body: { quantity: 1 } })
    expect(hold.status, hold.text).toBe(201)
    // Several ticks with nothing available but one unit held: still open.
    await new Promise((r) => setTimeout(r, 500))
    expect(await saleState(store.base, saleId)).toMatchObject({ state: "open" })
    expect(crowd.some((s) => s.messages.some((m) => m.type === "sold_out"))).toBe(false)
    await store.host.ask(skuActor, skuId, { _tag: "Confirm", reservation_id: (hold.json as { reservation_id: string }).reservation_id })
    await Promise.all(crowd.map((s) => s.waitFor("sold_out", { timeoutMs: 2_000 })))
    expect(await saleState(store.base, saleId)).toMatchObject({ state: "sold_out" })
  }, 30_000)

  it("reconnect grace: a shopper back in time keeps the place; one away too long loses it (a new join goes to the end)", async () => {
    const { saleId } = await openSale("grace", 100, { starts_at: new Date(Date.now() + 60_000).toISOString(), admit_per_minute: 6_000, max_active: 100 })
    const [a, b, c] = [shoppers[41]!, shoppers[42]!, shoppers[43]!]
    const sa = await join(a, saleId)
    const sb = await join(b, saleId)
    await join(c, saleId)
    await sa.close()
    await sb.close()
    await new Promise((r) => setTimeout(r, 1_000))
    const back = await join(a, saleId)
    expect(back.messages[0]).toMatchObject({ type: "queued", position: 1 })
    await eventually(async () => ((await saleState(store.base, saleId))["queued"] === 2 ? true : undefined), 10_000)
    const poll = await call(store.base, "GET", `/v1/sales/${saleId}/queue/status`, { token: c.token })
    expect(poll.json).toMatchObject({ type: "position", position: 2 })
    expect((await call(store.base, "GET", `/v1/sales/${saleId}/queue/status`, { token: b.token })).status).toBe(404)
    // b comes back after losing the place: a new one, at the end.
    const again = await join(b, saleId)
    expect(again.messages[0]).toMatchObject({ type: "queued", position: 3 })
  }, 30_000)

  it("a waiting socket hears its position again at least every SALE_PUSH_EVERY_MS (1 s here) while nothing changes", async () => {
    const { saleId } = await openSale("push", 10, { starts_at: new Date(Date.now() + 60_000).toISOString() })
    const s = await join(shoppers[49]!, saleId)
    const again = await s.waitFor("position", { from: 1, timeoutMs: 5_000 })
    expect(again).toEqual({ type: "position", position: 1, ahead: 0, eta_seconds: null })
    await s.waitFor("position", { from: s.messages.indexOf(again) + 1, timeoutMs: 5_000 })
  }, 20_000)

  it("shadow-ban: a flagged shopper queues and sees positions but is never admitted", async () => {
    const { saleId } = await openSale("ban", 100, { starts_at: new Date(Date.now() + 1_500).toISOString(), admit_per_minute: 6_000, max_active: 100 })
    const [bot, human] = [shoppers[44]!, shoppers[45]!]
    const banned = await call(store.base, "POST", `/v1/admin/sales/${saleId}/shadow-bans`, { token: admin.token, body: { user_ids: [bot.userId] } })
    expect(banned.status, banned.text).toBe(200)
    const sBot = await join(bot, saleId)
    const sHuman = await join(human, saleId)
    await sHuman.waitFor("admitted")
    await new Promise((r) => setTimeout(r, 500))
    expect(sBot.messages.some((m) => m.type === "admitted")).toBe(false)
    expect((await call(store.base, "GET", `/v1/sales/${saleId}/queue/status`, { token: bot.token })).json).toMatchObject({ type: "position", position: 1 })
    expect(await saleState(store.base, saleId)).toMatchObject({ queued: 1, admitted_total: 1 })
  }, 30_000)

  it("metrics: queued, active, admitted per minute, time in queue, tokens, joins", async () => {
    const text = (await call(store.base, "GET", "/metrics")).text
    for (const name of ["sale_queued", "sale_active", "sale_admitted_per_minute", "sale_time_in_queue_seconds_bucket", "sale_time_in_queue_p90_seconds", "admission_tokens_issued_total", "sale_joins_total", "ws_messages_dropped_total"]) {
      expect(text, name).toContain(name)
    }
  })
})
