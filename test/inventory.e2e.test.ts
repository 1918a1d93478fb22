/**
 * Inventory end to end: the real store (runStore on a fresh Postgres schema, or embedded storage
 * with STORE_TEST_STORAGE=embedded) over real HTTP with fetch. Warehouses, SKU registration and
 * purchase limits (admin), stock changes by sellers on their own SKUs (compare-and-set,
 * below_reserved, idempotent retries), the public stock read, reservations (ids derived from the
 * Idempotency-Key, owner-only reads and releases, purchase limits across keys) and back-in-stock
 * subscriptions; bad input, wrong roles and other people's objects.
 */
import { createHash, randomBytes } from "node:crypto"
import { Validator } from "@seriousme/openapi-schema-validator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sellerIdOfUser } from "../gateway/inventory/sellers.ts"
import { grantSeller, startStoreWithHost, type StoreWithHost } from "./support/inventory.ts"
import { type Account, type Answer, call, defaultStorage, isErrorShape, signUp, type TestStorage, uniqueEmail } from "./support/store.ts"

const expectError = (res: Answer, status: number, code: string) => {
  expect(res.status, res.text).toBe(status)
  expect(isErrorShape(res.json), res.text).toBe(true)
  expect((res.json as { error: { code: string } }).error.code, res.text).toBe(code)
}
const detailsOf = (res: Answer) => (res.json as { error: { details: Record<string, unknown> } }).error.details
const issuePaths = (res: Answer): Array<string> => ((detailsOf(res)["issues"] ?? []) as Array<{ path: string }>).map((i) => i.path)
const expectInvalid = (res: Answer, ...paths: Array<string>) => {
  expectError(res, 400, "invalid_request")
  for (const path of paths) expect(issuePaths(res), res.text).toContain(path)
}

type Json = Record<string, unknown>
const json = (res: Answer) => res.json as Json

/** The seller id of a seller account (derived from its user id). */
const sellerIdOf = (account: Account) => sellerIdOfUser(account.userId)

let skuCounter = 0
const newSkuId = (tag = "e2e") => `sku_${tag}_${process.pid}_${++skuCounter}_${randomBytes(3).toString("hex")}`

describe("inventory over HTTP", () => {
  let storage: TestStorage
  let store: StoreWithHost
  let base: string
  let admin: string
  let seller: Account
  let otherSeller: Account
  let shopper: Account
  let otherShopper: Account

  const makeSeller = async (tag: string) => {
    const account = await signUp(base, tag)
    await grantSeller(store, account.userId)
    return account
  }
  const registerSku = async (sellerId: string, body: Json = {}) => {
    const skuId = newSkuId()
    const res = await call(base, "POST", "/v1/admin/skus", { token: admin, body: { sku_id: skuId, seller_id: sellerId, ...body } })
    expect(res.status, res.text).toBe(201)
    return skuId
  }
  const change = (token: string, body: Json, headers: Record<string, string> = {}) => call(base, "POST", "/v1/seller/inventory", { token, body, headers })
  const stocked = async (units: number, owner: Account = seller, body: Json = {}) => {
    const skuId = await registerSku(sellerIdOf(owner), body)
    if (units > 0) expect((await change(owner.token, { sku_id: skuId, warehouse_id: "wh_main", movement: "receive", quantity: units })).status).toBe(200)
    return skuId
  }
  const reserve = (token: string, skuId: string, body: Json, key?: string) =>
    call(base, "POST", `/v1/skus/${skuId}/reservations`, { token, body, headers: key === undefined ? {} : { "idempotency-key": key } })
  const publicStock = async (skuId: string) => json(await call(base, "GET", `/v1/skus/${skuId}/stock`))

  beforeAll(async () => {
    storage = await defaultStorage()
    const adminEmail = uniqueEmail("inv-admin")
    store = await startStoreWithHost({ ...storage.env, ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: "admin-password-1" })
    base = store.base
    const login = await call(base, "POST", "/v1/auth/login", { body: { email: adminEmail, password: "admin-password-1" } })
    expect(login.status, login.text).toBe(200)
    admin = (login.json as { token: string }).token
    seller = await makeSeller("seller")
    otherSeller = await makeSeller("seller-b")
    shopper = await signUp(base, "shopper")
    otherShopper = await signUp(base, "shopper-b")
  })
  afterAll(async () => {
    await store?.stop()
    await storage?.cleanup()
  })

  describe("warehouses", () => {
    it("a store starts with wh_main; admins add warehouses (201), a duplicate id is 409, ids are minted when omitted", async () => {
      const first = await call(base, "GET", "/v1/admin/warehouses", { token: admin })
      expect(first.status, first.text).toBe(200)
      const listed = (first.json as { warehouses: Array<Json> }).warehouses
      expect(listed[0]).toEqual({ warehouse_id: "wh_main", name: "Main warehouse", region: "default", country: "IN", created_at: null })

      const id = `wh_pune_${randomBytes(3).toString("hex")}`
      const created = await call(base, "POST", "/v1/admin/warehouses", { token: admin, body: { warehouse_id: id, name: "Pune DC", region: "MH", country: "IN" } })
      expect(created.status, created.text).toBe(201)
      expect(created.json).toMatchObject({ warehouse_id: id, name: "Pune DC", region: "MH", country: "IN" })
      expect(Date.parse(json(created)["created_at"] as string)).toBeGreaterThan(Date.now() - 60_000)

      const duplicate = await call(base, "POST", "/v1/admin/warehouses", { token: admin, body: { warehouse_id: id, name: "Another", region: "KA", country: "IN" } })
      expectError(duplicate, 409, "conflict")
      expect(detailsOf(duplicate)["warehouse"]).toEqual(created.json)
      expectError(await call(base, "POST", "/v1/admin/warehouses", { token: admin, body: { warehouse_id: "wh_main", name: "Main", region: "x", country: "IN" } }), 409, "conflict")

      const minted = await call(base, "POST", "/v1/admin/warehouses", { token: admin, body: { name: "Berlin", region: "BE", country: "DE" } })
      expect(minted.status, minted.text).toBe(201)
      expect(json(minted)["warehouse_id"]).toMatch(/^wh_[A-Za-z0-9_-]{22}$/)

      const all = ((await call(base, "GET", "/v1/admin/warehouses", { token: admin })).json as { warehouses: Array<Json> }).warehouses
      expect(all.map((w) => w["warehouse_id"])).toEqual(expect.arrayContaining(["wh_main", id, json(minted)["warehouse_id"]]))
      expect(all.findIndex((w) => w["warehouse_id"] === id)).toBeLessThan(all.findIndex((w) => w["warehouse_id"] === json(minted)["warehouse_id"]))
    })

    it("bodies are strict; only admins may list or add", async () => {
      const good = { name: "Chennai", region: "TN", country: "IN" }
      expectInvalid(await call(base, "POST", "/v1/admin/warehouses", { token: admin, body: { ...good, country: "in" } }), "body.country")
      expectInvalid(await call(base, "POST", "/v1/admin/warehouses", { token: admin, body: { ...good, warehouse_id: "chennai" } }), "body.warehouse_id")
      expectInvalid(await call(base, "POST", "/v1/admin/warehouses", { token: admin, body: { region: "TN", country: "IN" } }), "body.name")
      expectInvalid(await call(base, "POST", "/v1/admin/warehouses", { token: admin, body: { ...good, capacity: 10 } }), "body.capacity")
      expectInvalid(await call(base, "POST", "/v1/admin/warehouses", { token: admin, body: { ...good, name: "" } }), "body.name")
      for (const token of [seller.token, shopper.token]) {
        expectError(await call(base, "POST", "/v1/admin/warehouses", { token, body: good }), 403, "forbidden")
        expectError(await call(base, "GET", "/v1/admin/warehouses", { token }), 403, "forbidden")
      }
      expectError(await call(base, "GET", "/v1/admin/warehouses"), 401, "unauthenticated")
    })
  })

  describe("SKUs (admin)", () => {
    it("registering answers 201 with the empty stock view; the same again is 201, another seller is 409", async () => {
      const skuId = newSkuId()
      const body = { sku_id: skuId, seller_id: sellerIdOf(seller), low_stock_threshold: 3 }
      const res = await call(base, "POST", "/v1/admin/skus", { token: admin, body })
      expect(res.status, res.text).toBe(201)
      expect(res.json).toEqual({
        sku_id: skuId,
        seller_id: sellerIdOf(seller),
        warehouses: [],
        on_hand: 0,
        reserved: 0,
        available: 0,
        damaged: 0,
        in_transit: 0,
        stock_status: "out_of_stock",
        low_stock_threshold: 3,
        per_user_limit: null,
        live_holds: 0
      })
      const again = await call(base, "POST", "/v1/admin/skus", { token: admin, body })
      expect(again.status, again.text).toBe(201)
      expect(again.json).toEqual(res.json)
      expectError(await call(base, "POST", "/v1/admin/skus", { token: admin, body: { ...body, seller_id: sellerIdOf(otherSeller) } }), 409, "conflict")
      expectError(await call(base, "POST", "/v1/admin/skus", { token: admin, body: { ...body, low_stock_threshold: 4 } }), 409, "conflict")
    })

    it("bad bodies are 400; sellers and customers are 403", async () => {
      expectInvalid(await call(base, "POST", "/v1/admin/skus", { token: admin, body: { sku_id: "p_1", seller_id: sellerIdOf(seller) } }), "body.sku_id")
      expectInvalid(await call(base, "POST", "/v1/admin/skus", { token: admin, body: { sku_id: newSkuId() } }), "body.seller_id")
      expectInvalid(await call(base, "POST", "/v1/admin/skus", { token: admin, body: { sku_id: newSkuId(), seller_id: "a|b" } }), "body.seller_id")
      expectInvalid(
        await call(base, "POST", "/v1/admin/skus", { token: admin, body: { sku_id: newSkuId(), seller_id: sellerIdOf(seller), low_stock_threshold: -1 } }),
        "body.low_stock_threshold"
      )
      expectInvalid(await call(base, "POST", "/v1/admin/skus", { token: admin, body: { sku_id: newSkuId(), seller_id: sellerIdOf(seller), on_hand: 5 } }), "body.on_hand")
      for (const token of [seller.token, shopper.token]) {
        expectError(await call(base, "POST", "/v1/admin/skus", { token, body: { sku_id: newSkuId(), seller_id: sellerIdOf(seller) } }), 403, "forbidden")
      }
    })
  })

  describe("stock changes", () => {
    it("a seller receives, sets (with compare-and-set), adjusts, damages, returns and marks in transit; 200 with the stock per warehouse", async () => {
      const skuId = await registerSku(sellerIdOf(seller))
      const wh = `wh_b_${randomBytes(3).toString("hex")}`
      expect((await call(base, "POST", "/v1/admin/warehouses", { token: admin, body: { warehouse_id: wh, name: "B", region: "KA", country: "IN" } })).status).toBe(201)

      const received = await change(seller.token, { sku_id: skuId, warehouse_id: "wh_main", movement: "receive", quantity: 10 })
      expect(received.status, received.text).toBe(200)
      expect(received.json).toMatchObject({
        sku_id: skuId,
        seller_id: sellerIdOf(seller),
        warehouses: [{ warehouse_id: "wh_main", on_hand: 10, reserved: 0, available: 10, damaged: 0, in_transit: 0 }],
        on_hand: 10,
        available: 10,
        stock_status: "in_stock"
      })
      const set = await change(seller.token, { sku_id: skuId, warehouse_id: "wh_main", on_hand: 12, expected_on_hand: 10 })
      expect(set.status, set.text).toBe(200)
      expect(json(set)["on_hand"]).toBe(12)
      const stale = await change(seller.token, { sku_id: skuId, warehouse_id: "wh_main", on_hand: 20, expected_on_hand: 10 })
      expectError(stale, 409, "stock_conflict")
      expect(detailsOf(stale)).toEqual({ warehouse_id: "wh_main", on_hand: 12 })
      expect(json(await change(seller.token, { sku_id: skuId, warehouse_id: "wh_main", on_hand: 11 }))["on_hand"]).toBe(11)
      expect(json(await change(seller.token, { sku_id: skuId, warehouse_id: "wh_main", delta: -1 }))["on_hand"]).toBe(10)
      const damaged = json(await change(seller.token, { sku_id: skuId, warehouse_id: "wh_main", movement: "damage", quantity: 2 }))
      expect(damaged).toMatchObject({ on_hand: 8, damaged: 2 })
      expect(json(await change(seller.token, { sku_id: skuId, warehouse_id: "wh_main", movement: "return", quantity: 1 }))["on_hand"]).toBe(9)
      expect(json(await change(seller.token, { sku_id: skuId, warehouse_id: wh, movement: "in_transit", quantity: 7 }))).toMatchObject({ in_transit: 7, available: 9 })
      const two = json(await change(seller.token, { sku_id: skuId, warehouse_id: wh, movement: "receive", quantity: 4 }))
      expect(two).toMatchObject({ on_hand: 13, available: 13 })
      expect((two["warehouses"] as Array<Json>).map((w) => [w["warehouse_id"], w["on_hand"], w["in_transit"]])).toEqual(
        expect.arrayContaining([
          ["wh_main", 9, 0],
          [wh, 4, 7]
        ])
      )
      expect(json(await change(seller.token, { sku_id: skuId, warehouse_id: wh, movement: "in_transit", quantity: 0 }))["in_transit"]).toBe(0)
      expect(await publicStock(skuId)).toEqual({ sku_id: skuId, available_quantity: 13, stock_status: "in_stock" })
      const read = await call(base, "GET", `/v1/seller/inventory/${skuId}`, { token: seller.token })
      expect(read.status, read.text).toBe(200)
      expect(json(read)["on_hand"]).toBe(13)
    })

    it("a retry with the same Idempotency-Key applies the change once; the key with another change is 422", async () => {
      const skuId = await stocked(5)
      const key = `stock-${randomBytes(4).toString("hex")}`
      const body = { sku_id: skuId, warehouse_id: "wh_main", movement: "receive", quantity: 3 }
      const first = await change(seller.token, body, { "idempotency-key": key })
      expect(first.status, first.text).toBe(200)
      const again = await change(seller.token, body, { "idempotency-key": key })
      expect(again.status).toBe(200)
      expect(again.headers.get("idempotent-replayed")).toBe("true")
      expect(again.json).toEqual(first.json)
      expect((await publicStock(skuId))["available_quantity"]).toBe(8)
      expectError(await change(seller.token, { ...body, quantity: 4 }, { "idempotency-key": key }), 422, "idempotency_key_reused")
      // Without a key every request is a new change.
      await change(seller.token, body)
      await change(seller.token, body)
      expect((await publicStock(skuId))["available_quantity"]).toBe(14)
    })

    it("exactly one of on_hand, delta, movement; every field checked; unknown fields refused", async () => {
      const skuId = await stocked(5)
      const at = { sku_id: skuId, warehouse_id: "wh_main" }
      expectInvalid(await change(seller.token, { ...at, on_hand: 5, delta: 1 }), "body.on_hand", "body.delta")
      expectInvalid(await change(seller.token, { ...at, delta: 1, movement: "receive", quantity: 1 }), "body.delta", "body.movement")
      expectInvalid(await change(seller.token, at), "body.on_hand")
      expectInvalid(await change(seller.token, { ...at, delta: 1, expected_on_hand: 5 }), "body.expected_on_hand")
      expectInvalid(await change(seller.token, { ...at, movement: "receive" }), "body.quantity")
      expectInvalid(await change(seller.token, { ...at, delta: 2, quantity: 2 }), "body.quantity")
      expectInvalid(await change(seller.token, { ...at, movement: "receive", quantity: 0 }), "body.quantity")
      expectInvalid(await change(seller.token, { ...at, movement: "damage", quantity: 2_000_000 }), "body.quantity")
      expectInvalid(await change(seller.token, { ...at, movement: "steal", quantity: 1 }), "body.movement")
      expectInvalid(await change(seller.token, { ...at, delta: 0 }), "body.delta")
      expectInvalid(await change(seller.token, { ...at, delta: 1.5 }), "body.delta")
      expectInvalid(await change(seller.token, { ...at, on_hand: -1 }), "body.on_hand")
      expectInvalid(await change(seller.token, { ...at, on_hand: "5" }), "body.on_hand")
      expectInvalid(await change(seller.token, { ...at, on_hand: 5, reserved: 0 }), "body.reserved")
      expectInvalid(await change(seller.token, { ...at, on_hand: 5, seller_id: sellerIdOf(otherSeller) }), "body.seller_id")
      expectInvalid(await change(seller.token, { sku_id: skuId, warehouse_id: "main", on_hand: 5 }), "body.warehouse_id")
      expectInvalid(await change(seller.token, { sku_id: "nope", warehouse_id: "wh_main", on_hand: 5 }), "body.sku_id")
      expect((await publicStock(skuId))["available_quantity"]).toBe(5)
    })

    it("another seller's SKU is 404 like an unknown one; an unknown warehouse is 404; admins change any SKU; customers are 403", async () => {
      const skuId = await stocked(5)
      const foreign = await change(otherSeller.token, { sku_id: skuId, warehouse_id: "wh_main", delta: 5 })
      const unknown = await change(otherSeller.token, { sku_id: newSkuId(), warehouse_id: "wh_main", delta: 5 })
      expectError(foreign, 404, "not_found")
      expectError(unknown, 404, "not_found")
      expect(foreign.text).toBe(unknown.text)
      expectError(await call(base, "GET", `/v1/seller/inventory/${skuId}`, { token: otherSeller.token }), 404, "not_found")
      // Even with a warehouse that does not exist, nothing more is revealed about another seller's SKU.
      expect((await change(otherSeller.token, { sku_id: skuId, warehouse_id: "wh_nowhere", delta: 5 })).text).toBe(unknown.text)

      const noWarehouse = await change(seller.token, { sku_id: skuId, warehouse_id: "wh_nowhere", delta: 5 })
      expectError(noWarehouse, 404, "not_found")
      expect(detailsOf(noWarehouse)).toEqual({ warehouse_id: "wh_nowhere" })

      const byAdmin = await change(admin, { sku_id: skuId, warehouse_id: "wh_main", delta: 5 })
      expect(byAdmin.status, byAdmin.text).toBe(200)
      expect(json(byAdmin)["on_hand"]).toBe(10)
      expect((await call(base, "GET", `/v1/seller/inventory/${skuId}`, { token: admin })).status).toBe(200)
      expectError(await change(shopper.token, { sku_id: skuId, warehouse_id: "wh_main", delta: 5 }), 403, "forbidden")
      expectError(await call(base, "GET", `/v1/seller/inventory/${skuId}`, { token: shopper.token }), 403, "forbidden")
      expectError(await change(admin, { sku_id: newSkuId(), warehouse_id: "wh_main", delta: 5 }), 404, "not_found")
      expectError(await call(base, "POST", "/v1/seller/inventory", { body: { sku_id: skuId, warehouse_id: "wh_main", delta: 5 } }), 401, "unauthenticated")
      expect((await publicStock(skuId))["available_quantity"]).toBe(10)
    })

    it("on_hand never goes below what is reserved: 409 below_reserved", async () => {
      const skuId = await stocked(10)
      const held = await reserve(shopper.token, skuId, { quantity: 8 })
      expect(held.status, held.text).toBe(201)
      for (const body of [{ on_hand: 5 }, { delta: -3 }, { movement: "damage", quantity: 3 }]) {
        const res = await change(seller.token, { sku_id: skuId, warehouse_id: "wh_main", ...body })
        expectError(res, 409, "below_reserved")
        expect(detailsOf(res)).toEqual({ warehouse_id: "wh_main", on_hand: 10, reserved: 8 })
      }
      expect(json(await change(seller.token, { sku_id: skuId, warehouse_id: "wh_main", on_hand: 8 }))).toMatchObject({ on_hand: 8, reserved: 8, available: 0 })
      const id = json(held)["reservation_id"] as string
      expect((await call(base, "DELETE", `/v1/skus/${skuId}/reservations/${id}`, { token: shopper.token })).status).toBe(200)
      expect(json(await change(seller.token, { sku_id: skuId, warehouse_id: "wh_main", on_hand: 0 }))).toMatchObject({ on_hand: 0, available: 0 })
    })
  })

  describe("public stock", () => {
    it("anyone reads available_quantity and stock_status; unknown is 404, malformed 400", async () => {
      const skuId = await stocked(0, seller, { low_stock_threshold: 3 })
      expect(await publicStock(skuId)).toEqual({ sku_id: skuId, available_quantity: 0, stock_status: "out_of_stock" })
      await change(seller.token, { sku_id: skuId, warehouse_id: "wh_main", movement: "receive", quantity: 3 })
      expect(await publicStock(skuId)).toEqual({ sku_id: skuId, available_quantity: 3, stock_status: "low_stock" })
      await change(seller.token, { sku_id: skuId, warehouse_id: "wh_main", movement: "receive", quantity: 1 })
      expect(await publicStock(skuId)).toEqual({ sku_id: skuId, available_quantity: 4, stock_status: "in_stock" })
      // A token is not needed, and one that is sent is not looked at.
      expect((await call(base, "GET", `/v1/skus/${skuId}/stock`, { token: shopper.token })).status).toBe(200)
      expectError(await call(base, "GET", `/v1/skus/${newSkuId()}/stock`), 404, "not_found")
      expectInvalid(await call(base, "GET", "/v1/skus/not-a-sku/stock"), "path.sku_id")
      expectError(await call(base, "POST", `/v1/skus/${skuId}/stock`), 405, "method_not_allowed")
    })
  })

  describe("reservations", () => {
    it("201 {reservation_id, sku_id, quantity, status, expires_at}; expires_at = now + RESERVATION_TTL_MS (10 min by default)", async () => {
      const skuId = await stocked(5)
      const before = Date.now()
      const res = await reserve(shopper.token, skuId, { quantity: 2 })
      expect(res.status, res.text).toBe(201)
      const body = json(res)
      expect(Object.keys(body).sort()).toEqual(["expires_at", "quantity", "requested", "reservation_id", "sku_id", "status"])
      expect(body).toMatchObject({ sku_id: skuId, quantity: 2, requested: 2, status: "held" })
      expect(body["reservation_id"]).toMatch(/^res_[A-Za-z0-9_-]{22}$/)
      const expires = Date.parse(body["expires_at"] as string)
      expect(expires).toBeGreaterThanOrEqual(before + 600_000)
      expect(expires).toBeLessThanOrEqual(Date.now() + 600_000)
      expect(await publicStock(skuId)).toMatchObject({ available_quantity: 3 })
      // Without a key, every request is a new reservation.
      const second = json(await reserve(shopper.token, skuId, { quantity: 2 }))
      expect(second["reservation_id"]).not.toBe(body["reservation_id"])
      expect(await publicStock(skuId)).toMatchObject({ available_quantity: 1, stock_status: "low_stock" })
    })

    it("an Idempotency-Key makes every retry the same reservation: its id derives from user and key", async () => {
      const skuId = await stocked(5)
      const key = `reserve-${randomBytes(4).toString("hex")}`
      const first = await reserve(shopper.token, skuId, { quantity: 1 }, key)
      expect(first.status, first.text).toBe(201)
      const expected = `res_${createHash("sha256").update(`${shopper.userId}\n${key}`).digest("base64url").slice(0, 22)}`
      expect(json(first)["reservation_id"]).toBe(expected)
      const again = await reserve(shopper.token, skuId, { quantity: 1 }, key)
      expect(again.status).toBe(201)
      expect(again.headers.get("idempotent-replayed")).toBe("true")
      expect(again.json).toEqual(first.json)
      expectError(await reserve(shopper.token, skuId, { quantity: 2 }, key), 422, "idempotency_key_reused")
      expect(await publicStock(skuId)).toMatchObject({ available_quantity: 4 })
      // The same key from another user is another reservation.
      const other = await reserve(otherShopper.token, skuId, { quantity: 1 }, key)
      expect(other.status).toBe(201)
      expect(json(other)["reservation_id"]).not.toBe(expected)
      expect(await publicStock(skuId)).toMatchObject({ available_quantity: 3 })
    })

    it("out of stock is 409 with details.skus; partial mode takes what is left", async () => {
      const skuId = await stocked(3)
      const short = await reserve(shopper.token, skuId, { quantity: 5 })
      expectError(short, 409, "out_of_stock")
      expect(detailsOf(short)).toEqual({ skus: [{ sku_id: skuId, requested: 5, available: 3 }] })
      const partial = await reserve(shopper.token, skuId, { quantity: 5, mode: "partial" })
      expect(partial.status, partial.text).toBe(201)
      expect(partial.json).toMatchObject({ quantity: 3, requested: 5, status: "held" })
      const none = await reserve(shopper.token, skuId, { quantity: 1, mode: "partial" })
      expectError(none, 409, "out_of_stock")
      expect(detailsOf(none)).toEqual({ skus: [{ sku_id: skuId, requested: 1, available: 0 }] })
    })

    it("the owner reads and releases a reservation; another user gets 404 like for an id that does not exist", async () => {
      const skuId = await stocked(5)
      const held = json(await reserve(shopper.token, skuId, { quantity: 2 }))
      const path = `/v1/skus/${skuId}/reservations/${held["reservation_id"] as string}`
      const read = await call(base, "GET", path, { token: shopper.token })
      expect(read.status, read.text).toBe(200)
      expect(read.json).toEqual(held)

      const madeUp = `/v1/skus/${skuId}/reservations/res_${randomBytes(16).toString("base64url")}`
      for (const [method, p] of [["GET", path], ["DELETE", path], ["GET", madeUp], ["DELETE", madeUp]] as const) {
        const res = await call(base, method, p, { token: otherShopper.token })
        expectError(res, 404, "not_found")
        expect(res.text).not.toContain(shopper.userId)
      }
      expect((await call(base, "GET", path, { token: otherShopper.token })).text).toBe((await call(base, "GET", madeUp, { token: otherShopper.token })).text)
      expectError(await call(base, "GET", madeUp, { token: shopper.token }), 404, "not_found")
      expectError(await call(base, "GET", `/v1/skus/${newSkuId()}/reservations/${held["reservation_id"] as string}`, { token: shopper.token }), 404, "not_found")
      expect(await publicStock(skuId)).toMatchObject({ available_quantity: 3 })

      const released = await call(base, "DELETE", path, { token: shopper.token })
      expect(released.status, released.text).toBe(200)
      expect(released.json).toEqual({ ...held, status: "released" })
      expect(await publicStock(skuId)).toMatchObject({ available_quantity: 5 })
      const twice = await call(base, "DELETE", path, { token: shopper.token })
      expect(twice.status).toBe(200)
      expect(twice.json).toEqual(released.json)
      expect(json(await call(base, "GET", path, { token: shopper.token }))["status"]).toBe("released")
      expect(await publicStock(skuId)).toMatchObject({ available_quantity: 5 })
      expectError(await call(base, "GET", path), 401, "unauthenticated")
    })

    it("a retry of a released reservation's key replays its first answer and takes no stock", async () => {
      const skuId = await stocked(5)
      const key = `released-${randomBytes(4).toString("hex")}`
      const held = json(await reserve(shopper.token, skuId, { quantity: 1 }, key))
      expect((await call(base, "DELETE", `/v1/skus/${skuId}/reservations/${held["reservation_id"] as string}`, { token: shopper.token })).status).toBe(200)
      // The idempotency record answers the retry with the stored 201 …
      expect((await reserve(shopper.token, skuId, { quantity: 1 }, key)).status).toBe(201)
      expect(await publicStock(skuId)).toMatchObject({ available_quantity: 5 })
    })

    it("bad input is 400; unknown SKU 404; anonymous 401", async () => {
      const skuId = await stocked(5)
      for (const quantity of [0, 101, 1.5, "1", null]) expectInvalid(await reserve(shopper.token, skuId, { quantity }), "body.quantity")
      expectInvalid(await reserve(shopper.token, skuId, {}), "body.quantity")
      expectInvalid(await reserve(shopper.token, skuId, { quantity: 1, mode: "some" }), "body.mode")
      expectInvalid(await reserve(shopper.token, skuId, { quantity: 1, owner: otherShopper.userId }), "body.owner")
      expectInvalid(await reserve(shopper.token, skuId, { quantity: 1, reservation_id: "res_chosen_by_client_01" }), "body.reservation_id")
      expectInvalid(await reserve(shopper.token, skuId, { quantity: 1, expires_at: "2099-01-01T00:00:00Z" }), "body.expires_at")
      expectInvalid(await reserve(shopper.token, "sku_", { quantity: 1 }), "path.sku_id")
      expectInvalid(await call(base, "GET", `/v1/skus/${skuId}/reservations/nope`, { token: shopper.token }), "path.reservation_id")
      expectError(await reserve(shopper.token, newSkuId(), { quantity: 1 }), 404, "not_found")
      expectError(await call(base, "POST", `/v1/skus/${skuId}/reservations`, { body: { quantity: 1 } }), 401, "unauthenticated")
      expect(await publicStock(skuId)).toMatchObject({ available_quantity: 5 })
    })

    it("a per-user purchase limit holds across reservations with different keys, and replays of a key still answer", async () => {
      const skuId = await stocked(20)
      const limited = await call(base, "POST", `/v1/admin/skus/${skuId}/purchase-limit`, { token: admin, body: { per_user_limit: 2 } })
      expect(limited.status, limited.text).toBe(200)
      expect(json(limited)["per_user_limit"]).toBe(2)
      const tag = randomBytes(4).toString("hex")
      const one = await reserve(shopper.token, skuId, { quantity: 1 }, `limit-1-${tag}`)
      const two = await reserve(shopper.token, skuId, { quantity: 1 }, `limit-2-${tag}`)
      expect([one.status, two.status]).toEqual([201, 201])
      const three = await reserve(shopper.token, skuId, { quantity: 1 }, `limit-3-${tag}`)
      expectError(three, 422, "purchase_limit")
      expect(detailsOf(three)).toEqual({ limit: 2, already: 2 })
      expectError(await reserve(shopper.token, skuId, { quantity: 1 }), 422, "purchase_limit")
      expectError(await reserve(shopper.token, skuId, { quantity: 2, mode: "partial" }), 422, "purchase_limit")
      // A retry of an accepted key answers its reservation, and takes nothing more.
      const retry = await reserve(shopper.token, skuId, { quantity: 1 }, `limit-1-${tag}`)
      expect(retry.status).toBe(201)
      expect(json(retry)["reservation_id"]).toBe(json(one)["reservation_id"])
      // Another user has a limit of their own.
      expect((await reserve(otherShopper.token, skuId, { quantity: 2 })).status).toBe(201)
      expect(await publicStock(skuId)).toMatchObject({ available_quantity: 16 })
      // Releasing one frees room under the limit.
      expect((await call(base, "DELETE", `/v1/skus/${skuId}/reservations/${json(two)["reservation_id"] as string}`, { token: shopper.token })).status).toBe(200)
      expect((await reserve(shopper.token, skuId, { quantity: 1 }, `limit-4-${tag}`)).status).toBe(201)
      expectError(await reserve(shopper.token, skuId, { quantity: 1 }, `limit-5-${tag}`), 422, "purchase_limit")
      // Lifting it.
      const lifted = await call(base, "POST", `/v1/admin/skus/${skuId}/purchase-limit`, { token: admin, body: { per_user_limit: null } })
      expect(json(lifted)["per_user_limit"]).toBeNull()
      expect((await reserve(shopper.token, skuId, { quantity: 5 })).status).toBe(201)
    })

    it("purchase-limit bodies are checked; only admins set limits; unknown SKU 404", async () => {
      const skuId = await stocked(1)
      const path = `/v1/admin/skus/${skuId}/purchase-limit`
      for (const per_user_limit of [0, -1, 1.5, "2", 10_001]) expectInvalid(await call(base, "POST", path, { token: admin, body: { per_user_limit } }), "body.per_user_limit")
      expectInvalid(await call(base, "POST", path, { token: admin, body: {} }), "body.per_user_limit")
      expectInvalid(await call(base, "POST", path, { token: admin, body: { per_user_limit: 1, sku_id: skuId } }), "body.sku_id")
      expectError(await call(base, "POST", path, { token: seller.token, body: { per_user_limit: 1 } }), 403, "forbidden")
      expectError(await call(base, "POST", path, { token: shopper.token, body: { per_user_limit: 1 } }), 403, "forbidden")
      expectError(await call(base, "POST", `/v1/admin/skus/${newSkuId()}/purchase-limit`, { token: admin, body: { per_user_limit: 1 } }), 404, "not_found")
    })
  })

  describe("back-in-stock subscriptions", () => {
    it("subscribe while out of stock (201 subscribed: true), unsubscribe (200 subscribed: false); in stock there is nothing to wait for", async () => {
      const skuId = await stocked(0)
      const path = `/v1/skus/${skuId}/subscriptions`
      const sub = await call(base, "POST", path, { token: shopper.token })
      expect(sub.status, sub.text).toBe(201)
      expect(sub.json).toEqual({ subscribed: true, available: 0 })
      expect((await call(base, "POST", path, { token: shopper.token, body: {} })).json).toEqual({ subscribed: true, available: 0 })
      const unsub = await call(base, "DELETE", path, { token: shopper.token })
      expect(unsub.status, unsub.text).toBe(200)
      expect(unsub.json).toEqual({ subscribed: false, available: 0 })
      expect((await call(base, "DELETE", path, { token: shopper.token })).json).toEqual({ subscribed: false, available: 0 })

      const inStock = await stocked(4)
      const now = await call(base, "POST", `/v1/skus/${inStock}/subscriptions`, { token: shopper.token })
      expect(now.status).toBe(201)
      expect(now.json).toEqual({ subscribed: false, available: 4 })

      expectError(await call(base, "POST", `/v1/skus/${newSkuId()}/subscriptions`, { token: shopper.token }), 404, "not_found")
      expectInvalid(await call(base, "POST", path, { token: shopper.token, body: { user_id: otherShopper.userId } }), "body")
      expectError(await call(base, "POST", path), 401, "unauthenticated")
    })
  })

  it("the OpenAPI document lists every inventory route and stays valid", async () => {
    const res = await call(base, "GET", "/v1/openapi.json")
    expect(res.status).toBe(200)
    const doc = res.json as { paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>> }
    const ops = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId))
    for (const id of [
      "createWarehouse",
      "listWarehouses",
      "registerSku",
      "setPurchaseLimit",
      "changeStock",
      "getSellerStock",
      "getStock",
      "reserveStock",
      "getReservation",
      "releaseReservation",
      "subscribeBackInStock",
      "unsubscribeBackInStock"
    ]) {
      expect(ops).toContain(id)
    }
    const reserveOp = doc.paths["/v1/skus/{sku_id}/reservations"]!["post"]!
    expect(Object.keys(reserveOp.responses).sort()).toEqual(expect.arrayContaining(["201", "400", "404", "409", "422", "503"]))
    expect(JSON.stringify(doc.paths["/v1/seller/inventory"])).toContain("Exactly one of")
    const result = await new Validator().validate(res.json as Parameters<Validator["validate"]>[0])
    expect(result.valid, JSON.stringify(result.errors)).toBe(true)
  })
})
