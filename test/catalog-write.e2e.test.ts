/**
 * The catalog's write side end to end: the real store (runStore on a fresh Postgres schema, or
 * embedded storage with STORE_TEST_STORAGE=embedded) over real HTTP with fetch. Seller
 * registration and approval (the seller role works on the same token at once), suspension,
 * categories with attribute schemas and the public tree, products with SKUs created and replaced
 * by their sellers or by admins, attribute violations with their paths, other sellers' products,
 * unapproved sellers, stock on the new SKUs through the inventory routes, strict bodies and
 * idempotent replays.
 */
import { randomBytes } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { categoryTree, categoryTreeActorId } from "../actors/catalog/category-tree.ts"
import { sellerIdOfUser } from "../gateway/inventory/sellers.ts"
import { startStoreWithHost, type StoreWithHost } from "./support/inventory.ts"
import { type Account, type Answer, call, defaultStorage, isErrorShape, signUp, type TestStorage, uniqueEmail } from "./support/store.ts"

type Json = Record<string, unknown>
const json = (res: Answer) => res.json as Json

const expectError = (res: Answer, status: number, code: string) => {
  expect(res.status, res.text).toBe(status)
  expect(isErrorShape(res.json), res.text).toBe(true)
  expect((res.json as { error: { code: string } }).error.code, res.text).toBe(code)
}
const errorOf = (res: Answer) => (res.json as { error: { message: string; details: Json } }).error
const issuesOf = (res: Answer) => (errorOf(res).details["issues"] ?? []) as Array<{ path: string; message: string; code?: string }>
const expectInvalid = (res: Answer, ...paths: Array<string>) => {
  expectError(res, 400, "invalid_request")
  for (const path of paths) expect(issuesOf(res).map((i) => i.path), res.text).toContain(path)
}

const phoneSchema = {
  ram_gb: { type: "number", required: true },
  colour: { type: "enum", values: ["black", "blue"], required: true },
  waterproof: { type: "boolean" },
  model: { type: "string" }
}

describe("sellers, categories and seller products over HTTP", () => {
  let storage: TestStorage
  let store: StoreWithHost
  let base: string
  let admin: string
  let sellerA: Account
  let sellerB: Account
  let shopper: Account
  let electronics: string
  let phones: string
  let freeForm: string

  const post = (path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) =>
    call(base, "POST", path, { token, headers, ...(body === undefined ? {} : { body }) })
  const put = (path: string, token: string, body: unknown) => call(base, "PUT", path, { token, body })
  const get = (path: string, token?: string) => call(base, "GET", path, { token })

  const register = (who: Account, body: Json = { display_name: `Shop of ${who.name}` }, headers: Record<string, string> = {}) =>
    post("/v1/seller/register", who.token, body, headers)
  const approve = (sellerId: string, token = admin) => post(`/v1/admin/sellers/${sellerId}/approve`, token)
  /** A fresh account registered and approved as a seller. */
  const approvedSeller = async (tag: string) => {
    const account = await signUp(base, tag)
    expect((await register(account)).status).toBe(201)
    expect((await approve(sellerIdOfUser(account.userId))).status).toBe(200)
    return account
  }

  const phone = (overrides: Json = {}): Json => ({
    title: "Pixel 9",
    description: "A phone.\nWith a camera.",
    brand: "Google",
    category_id: phones,
    attributes: { waterproof: true },
    images: ["https://img.example.com/pixel9.jpg"],
    skus: [
      { attributes: { colour: "black", ram_gb: 8 }, price: 7_999_900, currency: "INR" },
      { attributes: { colour: "blue", ram_gb: 12 }, price: 8_999_900, currency: "INR" }
    ],
    ...overrides
  })
  const createProduct = async (token: string, body: Json = phone(), headers: Record<string, string> = {}) => {
    const res = await post("/v1/seller/products", token, body, headers)
    expect(res.status, res.text).toBe(201)
    return res.json as { product_id: string; seller_id: string; skus: Array<{ sku_id: string; price: number }> } & Json
  }
  const stock = (token: string, skuId: string, onHand: number) => post("/v1/seller/inventory", token, { sku_id: skuId, warehouse_id: "wh_main", on_hand: onHand })

  beforeAll(async () => {
    storage = await defaultStorage()
    const adminEmail = uniqueEmail("catalog-admin")
    store = await startStoreWithHost({ ...storage.env, ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: "admin-password-1" })
    base = store.base
    const login = await call(base, "POST", "/v1/auth/login", { body: { email: adminEmail, password: "admin-password-1" } })
    expect(login.status, login.text).toBe(200)
    admin = (login.json as { token: string }).token
    shopper = await signUp(base, "shopper")
    sellerA = await signUp(base, "seller-a", "Asha Seller")
    sellerB = await signUp(base, "seller-b", "Bela Seller")
    electronics = json(await post("/v1/admin/categories", admin, { name: `Electronics ${randomBytes(3).toString("hex")}` }))["category_id"] as string
    const created = await post("/v1/admin/categories", admin, { name: "Phones", parent_id: electronics, attribute_schema: phoneSchema })
    expect(created.status, created.text).toBe(201)
    phones = json(created)["category_id"] as string
    freeForm = json(await post("/v1/admin/categories", admin, { name: "Misc", parent_id: electronics }))["category_id"] as string
  })
  afterAll(async () => {
    await store?.stop()
    await storage?.cleanup()
  })

  describe("seller registration and approval", () => {
    it("a user registers (201 pending_review, seller id derived from the user id); the same registration again is 201, other details 409", async () => {
      const body = { display_name: "Asha's Gadgets", legal_name: "Asha Gadgets Pvt Ltd", country: "IN" }
      const first = await register(sellerA, body)
      expect(first.status, first.text).toBe(201)
      const sellerId = sellerIdOfUser(sellerA.userId)
      expect(sellerId).toBe(`s_${sellerA.userId.slice(2)}`)
      expect(first.json).toEqual({ seller_id: sellerId, user_id: sellerA.userId, ...body, status: "pending_review" })
      const again = await register(sellerA, body)
      expect(again.status, again.text).toBe(201)
      expect(again.json).toEqual(first.json)
      const other = await register(sellerA, { ...body, display_name: "Another name" })
      expectError(other, 409, "conflict")
      expect((errorOf(other).details["seller"] as Json)["display_name"]).toBe(body.display_name)

      const mine = await get("/v1/seller/me", sellerA.token)
      expect(mine.status, mine.text).toBe(200)
      expect(mine.json).toEqual(first.json)
      expectError(await get("/v1/seller/me", shopper.token), 404, "not_found")
      expectError(await get("/v1/seller/me"), 401, "unauthenticated")
    })

    it("registration bodies are strict", async () => {
      expectInvalid(await register(shopper, {}), "body.display_name")
      expectInvalid(await register(shopper, { display_name: "" }), "body.display_name")
      expectInvalid(await register(shopper, { display_name: "x".repeat(101) }), "body.display_name")
      expectInvalid(await register(shopper, { display_name: "Shop", country: "India" }), "body.country")
      expectInvalid(await register(shopper, { display_name: "Shop", status: "approved" }), "body.status")
      expectInvalid(await register(shopper, { display_name: "Shop", user_id: sellerA.userId }), "body.user_id")
      expectInvalid(await register(shopper, { display_name: "Shop", seller_id: sellerIdOfUser(sellerA.userId) }), "body.seller_id")
      expectError(await get("/v1/seller/me", shopper.token), 404, "not_found")
    })

    it("before approval the seller may not list products (403, saying why) nor change stock", async () => {
      const res = await post("/v1/seller/products", sellerA.token, phone())
      expectError(res, 403, "forbidden")
      expect(errorOf(res).message).toContain("pending review")
      expectError(await stock(sellerA.token, "sku_nothing_here", 1), 403, "forbidden")
      const never = await post("/v1/seller/products", shopper.token, phone())
      expectError(never, 403, "forbidden")
      expect(errorOf(never).message).toContain("/v1/seller/register")
    })

    it("only admins approve; unknown sellers are 404; approval grants the seller role to the same token at once", async () => {
      const sellerId = sellerIdOfUser(sellerA.userId)
      for (const token of [sellerA.token, shopper.token]) expectError(await approve(sellerId, token), 403, "forbidden")
      expectError(await approve(sellerId, "x".repeat(43)), 401, "unauthenticated")
      expectError(await approve(sellerIdOfUser(shopper.userId)), 404, "not_found")
      expectInvalid(await approve("u_not_a_seller_id"), "path.seller_id")
      expectInvalid(await post(`/v1/admin/sellers/${sellerId}/approve`, admin, { status: "approved" }), "body")
      expect(((await get("/v1/me", sellerA.token)).json as { roles: Array<string> }).roles).not.toContain("seller")

      const approved = await post(`/v1/admin/sellers/${sellerId}/approve`, admin, {})
      expect(approved.status, approved.text).toBe(200)
      expect(approved.json).toMatchObject({ seller_id: sellerId, status: "approved" })
      expect(((await get("/v1/me", sellerA.token)).json as { roles: Array<string> }).roles).toEqual(["customer", "seller"])
      const again = await approve(sellerId)
      expect(again.status, again.text).toBe(200)
      expect(json(await get("/v1/seller/me", sellerA.token))["status"]).toBe("approved")
      expect(json(await get(`/v1/admin/sellers/${sellerId}`, admin))["status"]).toBe("approved")
      expectError(await get(`/v1/admin/sellers/${sellerId}`, sellerA.token), 403, "forbidden")
      expectError(await get(`/v1/admin/sellers/${sellerIdOfUser(shopper.userId)}`, admin), 404, "not_found")

      expect((await register(sellerB)).status).toBe(201)
      expect((await approve(sellerIdOfUser(sellerB.userId))).status).toBe(200)
    })

    it("a registration with an Idempotency-Key is replayed; the key with another body is 422", async () => {
      const account = await signUp(base, "keyed")
      const key = `reg-${randomBytes(4).toString("hex")}`
      const first = await register(account, { display_name: "Keyed" }, { "idempotency-key": key })
      expect(first.status, first.text).toBe(201)
      const replay = await register(account, { display_name: "Keyed" }, { "idempotency-key": key })
      expect(replay.status).toBe(201)
      expect(replay.headers.get("idempotent-replayed")).toBe("true")
      expect(replay.json).toEqual(first.json)
      expectError(await register(account, { display_name: "Other" }, { "idempotency-key": key }), 422, "idempotency_key_reused")
    })
  })

  describe("categories", () => {
    it("admins create categories with attribute schemas; anyone reads the tree and a category", async () => {
      const one = await get(`/v1/categories/${phones}`)
      expect(one.status, one.text).toBe(200)
      expect(one.json).toMatchObject({ category_id: phones, name: "Phones", parent_id: electronics, attribute_schema: phoneSchema })
      expect(Date.parse(json(one)["created_at"] as string)).toBeGreaterThan(Date.now() - 600_000)
      expect(json(await get(`/v1/categories/${electronics}`))).not.toHaveProperty("attribute_schema")

      const tree = await get("/v1/categories")
      expect(tree.status, tree.text).toBe(200)
      const top = (tree.json as { categories: Array<Json & { children: Array<Json> }> }).categories.find((c) => c["category_id"] === electronics)!
      expect(top).toMatchObject({ category_id: electronics, parent_id: null })
      expect(top.children.map((c) => c["category_id"])).toEqual([phones, freeForm])
      expect(top.children[0]).toEqual({ category_id: phones, name: "Phones", parent_id: electronics, children: [] })
      expect(phones).toMatch(/^cat_[A-Za-z0-9_-]{22}$/)
    })

    it("an operator may choose the id: the same again is 201, another name for it 409; a sibling name is 409; an unknown parent is 404", async () => {
      const id = `cat_seed_${randomBytes(4).toString("hex")}`
      const body = { category_id: id, name: "Tablets", parent_id: electronics, attribute_schema: { size_in: { type: "number" } } }
      const first = await post("/v1/admin/categories", admin, body)
      expect(first.status, first.text).toBe(201)
      expect(json(first)["category_id"]).toBe(id)
      const again = await post("/v1/admin/categories", admin, body)
      expect(again.status, again.text).toBe(201)
      expect(again.json).toEqual(first.json)
      expectError(await post("/v1/admin/categories", admin, { ...body, name: "Slates" }), 409, "conflict")
      expectError(await post("/v1/admin/categories", admin, { ...body, attribute_schema: { size_in: { type: "string" } } }), 409, "conflict")
      const sibling = await post("/v1/admin/categories", admin, { name: "TABLETS", parent_id: electronics })
      expectError(sibling, 409, "conflict")
      expect((errorOf(sibling).details["category"] as Json)["category_id"]).toBe(id)
      const orphan = await post("/v1/admin/categories", admin, { name: "Orphans", parent_id: "cat_nowhere" })
      expectError(orphan, 404, "not_found")
      expect(errorOf(orphan).details).toEqual({ field: "parent_id", parent_id: "cat_nowhere" })
      expectError(await get("/v1/categories/cat_nowhere"), 404, "not_found")
    })

    it("a category left half-made (claimed in the tree, never created: its creator died) is completed by the next create of its name", async () => {
      const orphanId = `cat_orphan_${randomBytes(4).toString("hex")}`
      await store.host.ask(categoryTree, categoryTreeActorId, { _tag: "Add", category_id: orphanId, name: "Cameras", parent_id: electronics })
      expectError(await get(`/v1/categories/${orphanId}`), 404, "not_found")
      const completed = await post("/v1/admin/categories", admin, { name: "cameras", parent_id: electronics, attribute_schema: { megapixels: { type: "number" } } })
      expect(completed.status, completed.text).toBe(201)
      expect(completed.json).toMatchObject({ category_id: orphanId, name: "Cameras", parent_id: electronics, attribute_schema: { megapixels: { type: "number" } } })
      expect(json(await get(`/v1/categories/${orphanId}`))["category_id"]).toBe(orphanId)
      // Now that it exists, the name is taken as usual.
      expectError(await post("/v1/admin/categories", admin, { name: "Cameras", parent_id: electronics }), 409, "conflict")
    })

    it("category bodies and schemas are strict; only admins create", async () => {
      const create = (body: unknown, token = admin) => post("/v1/admin/categories", token, body)
      expectInvalid(await create({}), "body.name")
      expectInvalid(await create({ name: "X", parent_id: "p_1" }), "body.parent_id")
      expectInvalid(await create({ name: "X", category_id: "electronics" }), "body.category_id")
      expectInvalid(await create({ name: "X", attribute_schema: { colour: { type: "enum" } } }), "body.attribute_schema.colour")
      expectInvalid(await create({ name: "X", attribute_schema: { colour: { type: "string", values: ["a"] } } }), "body.attribute_schema.colour")
      expectInvalid(await create({ name: "X", attribute_schema: { Colour: { type: "string" } } }), "body.attribute_schema")
      expectInvalid(await create({ name: "X", attribute_schema: { colour: { type: "colour" } } }), "body.attribute_schema.colour.type")
      expectInvalid(await create({ name: "X", attribute_schema: { colour: { type: "string", required: false } } }), "body.attribute_schema.colour.required")
      expectInvalid(await create({ name: "X", attribute_schema: { colour: { type: "string", indexed: true } } }), "body.attribute_schema.colour.indexed")
      expectInvalid(await create({ name: "X", children: [] }), "body.children")
      for (const token of [sellerA.token, shopper.token]) expectError(await create({ name: "Nope" }, token), 403, "forbidden")
      expectError(await post("/v1/admin/categories", undefined, { name: "Nope" }), 401, "unauthenticated")
      expectInvalid(await get("/v1/categories/electronics"), "path.category_id")
    })

    it("a category create with an Idempotency-Key is replayed with the same id", async () => {
      const key = `cat-${randomBytes(4).toString("hex")}`
      const body = { name: `Keyed ${key}`, parent_id: electronics }
      const first = await post("/v1/admin/categories", admin, body, { "idempotency-key": key })
      expect(first.status, first.text).toBe(201)
      const replay = await post("/v1/admin/categories", admin, body, { "idempotency-key": key })
      expect(replay.headers.get("idempotent-replayed")).toBe("true")
      expect(replay.json).toEqual(first.json)
      expectError(await post("/v1/admin/categories", admin, { ...body, name: "Changed" }, { "idempotency-key": key }), 422, "idempotency_key_reused")
    })
  })

  describe("products", () => {
    it("an approved seller lists a product with SKUs (201, ids minted) and sets stock on its new SKUs at once", async () => {
      const created = await createProduct(sellerA.token)
      expect(created.product_id).toMatch(/^p_[A-Za-z0-9_-]{22}$/)
      expect(created).toMatchObject({
        seller_id: sellerIdOfUser(sellerA.userId),
        title: "Pixel 9",
        description: "A phone.\nWith a camera.",
        brand: "Google",
        category_id: phones,
        attributes: { waterproof: true },
        images: ["https://img.example.com/pixel9.jpg"]
      })
      expect(created.skus).toHaveLength(2)
      for (const s of created.skus) expect(s.sku_id).toMatch(/^sku_[A-Za-z0-9_-]{22}$/)
      expect(created.skus.map((s) => s.price)).toEqual([7_999_900, 8_999_900])
      expect(created.skus[0]).toEqual({ sku_id: created.skus[0]!.sku_id, attributes: { colour: "black", ram_gb: 8 }, price: 7_999_900, currency: "INR" })
      expect(created["created_at"]).toBe(created["updated_at"])

      const stocked = await stock(sellerA.token, created.skus[0]!.sku_id, 10)
      expect(stocked.status, stocked.text).toBe(200)
      expect(stocked.json).toMatchObject({ sku_id: created.skus[0]!.sku_id, seller_id: sellerIdOfUser(sellerA.userId), on_hand: 10, available: 10 })
      expect(json(await get(`/v1/skus/${created.skus[0]!.sku_id}/stock`))).toEqual({ sku_id: created.skus[0]!.sku_id, available_quantity: 10, stock_status: "in_stock" })
      // Another seller may not touch the new SKU's stock.
      expectError(await stock(sellerB.token, created.skus[1]!.sku_id, 5), 404, "not_found")

      const read = await get(`/v1/seller/products/${created.product_id}`, sellerA.token)
      expect(read.status, read.text).toBe(200)
      expect(read.json).toEqual(created)
    })

    it("optional fields default (description, attributes, images; SKU attributes and currency); free-form categories take any attribute", async () => {
      const created = await createProduct(sellerA.token, {
        title: "Cable",
        brand: "Generic",
        category_id: freeForm,
        skus: [{ price: 19_900 }, { price: 29_900, attributes: { "Length m": 2, braided: true, colour: "red" } }]
      })
      expect(created).toMatchObject({ description: "", attributes: {}, images: [] })
      expect(created.skus[0]).toMatchObject({ attributes: {}, currency: "INR" })
      expect(created.skus[1]).toMatchObject({ attributes: { "Length m": 2, braided: true, colour: "red" } })
    })

    it("attribute violations are 400 invalid_request with the path and code of each problem; nothing is registered", async () => {
      const skuId = `sku_bad_${randomBytes(4).toString("hex")}`
      const res = await post(
        "/v1/seller/products",
        sellerA.token,
        phone({
          attributes: { waterproof: "yes", weight_g: 180 },
          skus: [
            { sku_id: skuId, attributes: { colour: "pink", ram_gb: 8 }, price: 100 },
            { attributes: { colour: "blue" }, price: 100 },
            { attributes: { colour: "black", ram_gb: "8" }, price: 100 }
          ]
        })
      )
      expectError(res, 400, "invalid_request")
      const issues = issuesOf(res)
      const byPath = Object.fromEntries(issues.map((i) => [i.path, i.code]))
      expect(byPath).toEqual({
        "body.attributes.waterproof": "wrong_type",
        "body.attributes.weight_g": "unknown_attribute",
        "body.skus.0.attributes.colour": "not_in_enum",
        "body.skus.1.attributes.ram_gb": "required",
        "body.skus.2.attributes.ram_gb": "wrong_type"
      })
      for (const i of issues) expect(i.message.length).toBeGreaterThan(0)
      expectError(await get(`/v1/skus/${skuId}/stock`), 404, "not_found")
      // A SKU attribute overrides the product's: the product's colour counts for every SKU that has none.
      const merged = await createProduct(
        sellerA.token,
        phone({ attributes: { colour: "black" }, skus: [{ attributes: { ram_gb: 4 }, price: 100 }, { attributes: { ram_gb: 6, colour: "blue" }, price: 200 }] })
      )
      expect(merged.skus).toHaveLength(2)
    })

    it("an unknown category is 404; another currency is 422; bodies are strict and bounded", async () => {
      const unknown = await post("/v1/seller/products", sellerA.token, phone({ category_id: "cat_nowhere" }))
      expectError(unknown, 404, "not_found")
      expect(errorOf(unknown).details).toEqual({ field: "category_id", category_id: "cat_nowhere" })
      const usd = await post("/v1/seller/products", sellerA.token, phone({ skus: [{ attributes: { colour: "black", ram_gb: 8 }, price: 100, currency: "USD" }] }))
      expectError(usd, 422, "currency_not_supported")
      expect(errorOf(usd).details).toMatchObject({ currency: "INR", issues: [{ path: "body.skus.0.currency" }] })

      const create = (body: Json) => post("/v1/seller/products", sellerA.token, body)
      const sku = { attributes: { colour: "black", ram_gb: 8 }, price: 100 }
      expectInvalid(await create(phone({ price: 100 })), "body.price")
      expectInvalid(await create(phone({ status: "active" })), "body.status")
      expectInvalid(await create(phone({ product_id: "p_mine" })), "body.product_id")
      expectInvalid(await create(phone({ skus: [{ ...sku, on_hand: 5 }] })), "body.skus.0.on_hand")
      expectInvalid(await create(phone({ skus: [] })), "body.skus")
      expectInvalid(await create(phone({ skus: Array.from({ length: 101 }, () => sku) })), "body.skus")
      expectInvalid(await create(phone({ skus: [{ ...sku, sku_id: "sku_twice" }, { ...sku, sku_id: "sku_twice" }] })), "body.skus.1.sku_id")
      expectInvalid(await create(phone({ skus: [{ ...sku, sku_id: "nope" }] })), "body.skus.0.sku_id")
      expectInvalid(await create(phone({ skus: [{ ...sku, price: -1 }] })), "body.skus.0.price")
      expectInvalid(await create(phone({ skus: [{ ...sku, price: 10.5 }] })), "body.skus.0.price")
      expectInvalid(await create(phone({ skus: [{ ...sku, currency: "inr" }] })), "body.skus.0.currency")
      expectInvalid(await create(phone({ title: "" })), "body.title")
      expectInvalid(await create(phone({ title: "t".repeat(201) })), "body.title")
      expectInvalid(await create(phone({ images: ["ftp://x/y.jpg"] })), "body.images.0")
      expectInvalid(await create(phone({ images: Array.from({ length: 21 }, (_, i) => `https://img.example.com/${i}.jpg`) })), "body.images")
      expectInvalid(await create(phone({ attributes: { __proto__x: 1 } })), "body.attributes")
      expectInvalid(await create(phone({ attributes: { nested: { a: 1 } } })), "body.attributes.nested")
      expectInvalid(await create(phone({ category_id: "phones" })), "body.category_id")
      const { brand: _brand, ...noBrand } = phone()
      expectInvalid(await create(noBrand), "body.brand")
      expectError(await post("/v1/seller/products", undefined, phone()), 401, "unauthenticated")
    })

    it("a seller may not list for another seller (403) but may name itself; a SKU id of another seller is 409", async () => {
      const forOther = await post("/v1/seller/products", sellerA.token, phone({ seller_id: sellerIdOfUser(sellerB.userId) }))
      expectError(forOther, 403, "forbidden")
      const forSelf = await createProduct(sellerA.token, phone({ seller_id: sellerIdOfUser(sellerA.userId) }))
      expect(forSelf.seller_id).toBe(sellerIdOfUser(sellerA.userId))

      const theirs = await createProduct(sellerB.token)
      const taken = await post("/v1/seller/products", sellerA.token, phone({ skus: [{ sku_id: theirs.skus[0]!.sku_id, attributes: { colour: "black", ram_gb: 8 }, price: 1 }] }))
      expectError(taken, 409, "conflict")
      expect(errorOf(taken).details).toEqual({ sku_id: theirs.skus[0]!.sku_id, path: "body.skus.0.sku_id" })
    })

    it("another seller's product is 404 to read and to replace, like one that does not exist; admins read and replace any", async () => {
      const mine = await createProduct(sellerA.token)
      const path = `/v1/seller/products/${mine.product_id}`
      for (const token of [sellerB.token, shopper.token]) {
        expectError(await get(path, token), 404, "not_found")
        expectError(await put(path, token, phone({ title: "Hijacked" })), 404, "not_found")
      }
      expectError(await get(`/v1/seller/products/p_${randomBytes(16).toString("base64url")}`, sellerA.token), 404, "not_found")
      expectError(await put(`/v1/seller/products/p_${randomBytes(16).toString("base64url")}`, sellerA.token, phone()), 404, "not_found")
      expectInvalid(await get("/v1/seller/products/sku_1", sellerA.token), "path.product_id")
      expect(json(await get(path, sellerA.token))["title"]).toBe("Pixel 9")

      expect(json(await get(path, admin))["product_id"]).toBe(mine.product_id)
      const byAdmin = await put(path, admin, phone({ title: "Pixel 9 (moderated)", skus: mine.skus.map((s, i) => ({ sku_id: s.sku_id, attributes: { colour: "black", ram_gb: 8 + i }, price: s.price })) }))
      expect(byAdmin.status, byAdmin.text).toBe(200)
      expect(byAdmin.json).toMatchObject({ title: "Pixel 9 (moderated)", seller_id: sellerIdOfUser(sellerA.userId) })
    })

    it("the seller replaces its listing: kept SKUs keep their ids and stock, new ones are minted and registered, left-out ones leave the listing", async () => {
      const created = await createProduct(sellerA.token)
      const [first, second] = created.skus
      expect((await stock(sellerA.token, first!.sku_id, 7)).status).toBe(200)
      const replaced = await put(`/v1/seller/products/${created.product_id}`, sellerA.token, {
        ...phone({ title: "Pixel 9 Pro", attributes: {} }),
        skus: [
          { sku_id: first!.sku_id, attributes: { colour: "black", ram_gb: 8 }, price: 7_499_900 },
          { attributes: { colour: "blue", ram_gb: 16 }, price: 9_999_900 }
        ]
      })
      expect(replaced.status, replaced.text).toBe(200)
      const body = replaced.json as { title: string; attributes: Json; skus: Array<{ sku_id: string; price: number }>; created_at: string; updated_at: string }
      expect(body.title).toBe("Pixel 9 Pro")
      expect(body.attributes).toEqual({})
      expect(body.skus[0]).toMatchObject({ sku_id: first!.sku_id, price: 7_499_900 })
      expect(body.skus[1]!.sku_id).not.toBe(second!.sku_id)
      expect(body.created_at).toBe(created["created_at"])
      expect(Date.parse(body.updated_at)).toBeGreaterThanOrEqual(Date.parse(body.created_at))
      expect(json(await get(`/v1/skus/${first!.sku_id}/stock`))["available_quantity"]).toBe(7)
      expect((await stock(sellerA.token, body.skus[1]!.sku_id, 3)).status).toBe(200)
      expect(json(await get(`/v1/seller/products/${created.product_id}`, sellerA.token))).toEqual(body)

      const invalid = await put(`/v1/seller/products/${created.product_id}`, sellerA.token, phone({ skus: [{ attributes: { colour: "green", ram_gb: 8 }, price: 1 }] }))
      expectInvalid(invalid, "body.skus.0.attributes.colour")
      expectInvalid(await put(`/v1/seller/products/${created.product_id}`, sellerA.token, phone({ seller_id: sellerIdOfUser(sellerB.userId) })), "body.seller_id")
      expectError(await put(`/v1/seller/products/${created.product_id}`, sellerA.token, phone({ category_id: "cat_nowhere" })), 404, "not_found")
    })

    it("admins list for any approved seller with seller_id; that seller manages the stock; unknown or unapproved sellers are refused", async () => {
      const forB = await createProduct(admin, phone({ seller_id: sellerIdOfUser(sellerB.userId), title: "Listed by ops" }))
      expect(forB.seller_id).toBe(sellerIdOfUser(sellerB.userId))
      expect((await stock(sellerB.token, forB.skus[0]!.sku_id, 4)).status).toBe(200)
      expectError(await stock(sellerA.token, forB.skus[0]!.sku_id, 4), 404, "not_found")
      expect(json(await get(`/v1/seller/products/${forB.product_id}`, sellerB.token))["title"]).toBe("Listed by ops")
      expectError(await get(`/v1/seller/products/${forB.product_id}`, sellerA.token), 404, "not_found")

      const withoutSeller = await post("/v1/seller/products", admin, phone())
      expectError(withoutSeller, 403, "forbidden")
      expect(errorOf(withoutSeller).message).toContain("seller_id")
      expectError(await post("/v1/seller/products", admin, phone({ seller_id: sellerIdOfUser(shopper.userId) })), 404, "not_found")
      const pending = await signUp(base, "pending")
      expect((await register(pending)).status).toBe(201)
      const refused = await post("/v1/seller/products", admin, phone({ seller_id: sellerIdOfUser(pending.userId) }))
      expectError(refused, 403, "forbidden")
      expect(errorOf(refused).message).toContain("pending_review")
    })

    it("a suspended seller may not list, replace or restock products until approved again; admins still may", async () => {
      const seller = await approvedSeller("suspended")
      const sellerId = sellerIdOfUser(seller.userId)
      const listed = await createProduct(seller.token)
      const skuId = listed.skus[0]!.sku_id
      expect((await stock(seller.token, skuId, 5)).status).toBe(200)
      const suspended = await post(`/v1/admin/sellers/${sellerId}/suspend`, admin)
      expect(suspended.status, suspended.text).toBe(200)
      expect(json(suspended)["status"]).toBe("suspended")
      expectError(await post(`/v1/admin/sellers/${sellerId}/suspend`, seller.token), 403, "forbidden")
      const create = await post("/v1/seller/products", seller.token, phone())
      expectError(create, 403, "forbidden")
      expect(errorOf(create).message).toContain("suspended")
      expectError(await put(`/v1/seller/products/${listed.product_id}`, seller.token, phone({ title: "x" })), 403, "forbidden")
      expect((await put(`/v1/seller/products/${listed.product_id}`, admin, phone({ title: "Fixed by ops" }))).status).toBe(200)
      const restock = await stock(seller.token, skuId, 9)
      expectError(restock, 403, "forbidden")
      expect(errorOf(restock).message).toContain("suspended")
      expect((await stock(admin, skuId, 7)).status).toBe(200)
      expect((await approve(sellerId)).status).toBe(200)
      expect((await stock(seller.token, skuId, 8)).status).toBe(200)
      expect((await put(`/v1/seller/products/${listed.product_id}`, seller.token, phone({ title: "Back" }))).status).toBe(200)
    })

    it("a create with an Idempotency-Key is replayed (same product, same SKUs); the key with another body is 422", async () => {
      const key = `prod-${randomBytes(4).toString("hex")}`
      const first = await post("/v1/seller/products", sellerA.token, phone(), { "idempotency-key": key })
      expect(first.status, first.text).toBe(201)
      const replay = await post("/v1/seller/products", sellerA.token, phone(), { "idempotency-key": key })
      expect(replay.status).toBe(201)
      expect(replay.headers.get("idempotent-replayed")).toBe("true")
      expect(replay.json).toEqual(first.json)
      expectError(await post("/v1/seller/products", sellerA.token, phone({ title: "Other" }), { "idempotency-key": key }), 422, "idempotency_key_reused")
      // Without a key, the same body twice is two products.
      const a = await createProduct(sellerA.token)
      const b = await createProduct(sellerA.token)
      expect(a.product_id).not.toBe(b.product_id)
    })

    it("the OpenAPI document lists the seller, category and product routes", async () => {
      const doc = (await get("/v1/openapi.json")).json as { paths: Record<string, Record<string, { operationId: string }>> }
      const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId))
      for (const id of [
        "registerSeller",
        "getMySeller",
        "getSeller",
        "approveSeller",
        "suspendSeller",
        "createCategory",
        "listCategories",
        "getCategory",
        "createProduct",
        "updateProduct",
        "getSellerProduct"
      ]) {
        expect(ids).toContain(id)
      }
    })
  })
})
