/**
 * Cart, wishlist and recently viewed end to end: the real store (runStore on a fresh Postgres
 * schema, or embedded storage with STORE_TEST_STORAGE=embedded) over real HTTP with fetch, on
 * products a seller lists through the seller routes and stocks through the inventory routes. The
 * cart reads the catalog read model (which may lag writes by up to ~1 s: first adds and price
 * changes are waited for) and checks stock at the SKU actors (never lagging).
 *
 * Then durability: a spawned store (`node gateway/main.ts`) is killed with SIGKILL right after
 * acknowledging adds, and restarted on the same storage: every acknowledged add is there.
 */
import { randomBytes } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cartLimits, recentlyViewedLimits } from "../actors/cart/fields.ts"
import { sellerIdOfUser } from "../gateway/inventory/sellers.ts"
import {
  type Account,
  type Answer,
  call,
  defaultStorage,
  isErrorShape,
  postgresStorage,
  type RunningStore,
  signUp,
  spawnStore,
  startStore,
  type StoreProcess,
  type TestStorage,
  uniqueEmail
} from "./support/store.ts"

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const expectError = (res: Answer, status: number, code: string) => {
  expect(res.status, res.text).toBe(status)
  expect(isErrorShape(res.json), res.text).toBe(true)
  expect((res.json as { error: { code: string } }).error.code, res.text).toBe(code)
}
const body = (res: Answer) => res.json as Json
const linesOf = (res: Answer) => (body(res)["items"] as Array<Json>).map((i) => [i["sku_id"], i["quantity"]])
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Ask until `done` holds (the catalog read model lags writes by up to ~1 s); the last answer either way. */
const eventually = async (ask: () => Promise<Answer>, done: (res: Answer) => boolean, timeoutMs = 10_000): Promise<Answer> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const res = await ask()
    if (done(res) || Date.now() > deadline) return res
    await sleep(50)
  }
}

/** A store with an admin, an approved seller and a category: enough to list and stock products. */
class Shop {
  admin = ""
  seller!: Account
  categoryId = ""
  constructor(readonly base: () => string) {}

  post = (path: string, token: string | undefined, payload?: unknown, headers: Record<string, string> = {}) =>
    call(this.base(), "POST", path, { token, headers, ...(payload === undefined ? {} : { body: payload }) })

  async setUp(adminEmail: string, adminPassword: string) {
    const login = await this.post("/v1/auth/login", undefined, { email: adminEmail, password: adminPassword })
    expect(login.status, login.text).toBe(200)
    this.admin = body(login)["token"]
    this.seller = await signUp(this.base(), "cart-seller")
    expect((await this.post("/v1/seller/register", this.seller.token, { display_name: "Cart test shop" })).status).toBe(201)
    expect((await this.post(`/v1/admin/sellers/${sellerIdOfUser(this.seller.userId)}/approve`, this.admin)).status).toBe(200)
    const category = await this.post("/v1/admin/categories", this.admin, { name: `Cart things ${randomBytes(3).toString("hex")}` })
    expect(category.status, category.text).toBe(201)
    this.categoryId = body(category)["category_id"]
  }

  /** A product with one SKU per price, each with `onHand` units in wh_main. */
  async product(prices: ReadonlyArray<number>, onHand: number, title = `Thing ${randomBytes(3).toString("hex")}`) {
    const listing = { title, brand: "Acme", category_id: this.categoryId, skus: prices.map((price) => ({ price })) }
    const created = await this.post("/v1/seller/products", this.seller.token, listing)
    expect(created.status, created.text).toBe(201)
    const product = body(created) as { product_id: string; skus: Array<{ sku_id: string }> }
    if (onHand > 0) for (const s of product.skus) await this.stock(s.sku_id, onHand)
    return { productId: product.product_id, skuIds: product.skus.map((s) => s.sku_id), listing }
  }

  async stock(skuId: string, onHand: number) {
    const res = await this.post("/v1/seller/inventory", this.seller.token, { sku_id: skuId, warehouse_id: "wh_main", on_hand: onHand })
    expect(res.status, res.text).toBe(200)
  }

  /**
   * Add to the cart, waiting for the SKU and its stock to reach the catalog read model (a 404, or a
   * 409 out_of_stock for a SKU that was stocked, before that changes nothing).
   */
  addWhenListed(headers: Record<string, string>, skuId: string, quantity = 1, token?: string) {
    return eventually(
      () => call(this.base(), "POST", "/v1/cart/items", { token, headers, body: { sku_id: skuId, quantity } }),
      (res) => res.status !== 404 && res.status !== 409
    )
  }
}

describe("cart, wishlist and recently viewed over HTTP", () => {
  let storage: TestStorage
  let store: RunningStore
  let base: string
  let shop: Shop
  let shopper: Account
  let other: Account

  const get = (path: string, token?: string, headers: Record<string, string> = {}) => call(base, "GET", path, { token, headers })
  const add = (token: string | undefined, skuId: string, quantity: number, extra: Json = {}, headers: Record<string, string> = {}) =>
    call(base, "POST", "/v1/cart/items", { token, headers, body: { sku_id: skuId, quantity, ...extra } })
  const patch = (token: string | undefined, skuId: string, payload: unknown, headers: Record<string, string> = {}) =>
    call(base, "PATCH", `/v1/cart/items/${skuId}`, { token, headers, body: payload })
  const remove = (token: string | undefined, skuId: string, headers: Record<string, string> = {}) => call(base, "DELETE", `/v1/cart/items/${skuId}`, { token, headers })
  const emptyCart = async (token: string) => {
    for (const item of body(await get("/v1/cart", token))["items"] as Array<Json>) expect((await remove(token, item["sku_id"])).status).toBe(200)
  }

  beforeAll(async () => {
    storage = await defaultStorage()
    const adminEmail = uniqueEmail("cart-admin")
    store = await startStore({ ...storage.env, ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: "admin-password-1" })
    base = store.base
    shop = new Shop(() => base)
    await shop.setUp(adminEmail, "admin-password-1")
    shopper = await signUp(base, "cart-shopper")
    other = await signUp(base, "cart-other")
  })
  afterAll(async () => {
    await store?.stop()
    await storage?.cleanup()
  })

  it("a shopper adds, adds again, changes and removes items; the cart_id never changes", async () => {
    const fresh = await get("/v1/cart", shopper.token)
    expect(fresh.status, fresh.text).toBe(200)
    expect(fresh.json).toEqual({ cart_id: expect.stringMatching(/^cart_[A-Za-z0-9_-]{22}$/), items: [], subtotal: 0, currency: "INR", warnings: [] })
    const { productId, skuIds, listing } = await shop.product([129_900, 99_900], 20)
    const [a, b] = skuIds as [string, string]

    const added = await shop.addWhenListed({}, a, 2, shopper.token)
    expect(added.status, added.text).toBe(200)
    expect(body(added)["items"]).toEqual([{ sku_id: a, product_id: productId, title: listing.title, quantity: 2, unit_price: 129_900, line_total: 259_800, stock_status: "in_stock" }])
    expect(body(added)).toMatchObject({ cart_id: body(fresh)["cart_id"], subtotal: 259_800, currency: "INR", warnings: [] })
    expect(linesOf(await add(shopper.token, a, 1))).toEqual([[a, 3]])
    const both = await shop.addWhenListed({}, b, 1, shopper.token)
    expect(linesOf(both)).toEqual([[a, 3], [b, 1]])
    expect(body(both)["subtotal"]).toBe(3 * 129_900 + 99_900)
    // The seed's request shape: user_id may be sent, and must be the caller's.
    expect((await add(shopper.token, b, 1, { user_id: shopper.userId })).status).toBe(200)
    expectError(await add(shopper.token, b, 1, { user_id: other.userId }), 403, "forbidden")

    expect(linesOf(await patch(shopper.token, b, { quantity: 5 }))).toEqual([[a, 3], [b, 5]])
    expect(linesOf(await patch(shopper.token, a, { quantity: 0 }))).toEqual([[b, 5]])
    expectError(await patch(shopper.token, a, { quantity: 2 }), 404, "not_found")
    const removed = await remove(shopper.token, b)
    expect(removed.status).toBe(200)
    expect(removed.json).toEqual({ cart_id: body(fresh)["cart_id"], items: [], subtotal: 0, currency: "INR", warnings: [] })
    expect((await remove(shopper.token, b)).status).toBe(200)
  })

  it("limits: quantity 1..100 in a request (400), 100 units per SKU (422 quantity_limit), 100 SKUs (422 cart_limit)", async () => {
    const many = await shop.product(Array.from({ length: cartLimits.maxLines }, (_, i) => 1_000 + i), 0)
    const one = await shop.product([5_000], 0)
    const skus = [...many.skuIds, ...one.skuIds]
    // Stock each SKU (available: nothing is reserved by a cart, one unit is enough for any quantity).
    await Promise.all(skus.map((s) => shop.stock(s, 1)))
    const token = other.token
    for (const quantity of [0, 101, -1, 1.5]) expectError(await add(token, skus[0]!, quantity), 400, "invalid_request")
    expectError(await patch(token, skus[0]!, { quantity: 101 }), 400, "invalid_request")

    expect(linesOf(await shop.addWhenListed({}, skus[0]!, 100, token))).toEqual([[skus[0], 100]])
    const over = await add(token, skus[0]!, 1)
    expectError(over, 422, "quantity_limit")
    expect(body(over)["error"]["details"]).toMatchObject({ sku_id: skus[0], quantity: 100, limit: 100 })

    for (const skuId of skus.slice(1, cartLimits.maxLines)) expect((await shop.addWhenListed({}, skuId, 1, token)).status).toBe(200)
    const full = await get("/v1/cart", token)
    expect(body(full)["items"]).toHaveLength(cartLimits.maxLines)
    const tooMany = await shop.addWhenListed({}, skus[cartLimits.maxLines]!, 1, token)
    expectError(tooMany, 422, "cart_limit")
    expect(body(tooMany)["error"]["details"]).toEqual({ limit: cartLimits.maxLines })
    await emptyCart(token)
  })

  it("a SKU with nothing available is 409 out_of_stock (nothing reserved by carts); an unknown SKU is 404", async () => {
    const { skuIds } = await shop.product([10_000], 1)
    const [s] = skuIds as [string]
    // The SKU is listed with one unit: a cart takes more than available, reserving nothing.
    expect(linesOf(await shop.addWhenListed({}, s, 3, shopper.token))).toEqual([[s, 3]])
    expect((await call(base, "GET", `/v1/skus/${s}/stock`)).json).toMatchObject({ available_quantity: 1 })
    await shop.stock(s, 0)
    // The add checks stock as the catalog read model knows it (in memory), so once that caught up.
    const refused = await eventually(
      () => add(other.token, s, 2),
      (res) => res.status !== 200
    )
    expectError(refused, 409, "out_of_stock")
    expect(body(refused)["error"]["details"]).toEqual({ skus: [{ sku_id: s, requested: 2, available: 0 }] })
    // The shopper who has it sees it out of stock (once the read model caught up).
    const warned = await eventually(
      () => get("/v1/cart", shopper.token),
      (res) => (body(res)["warnings"] as Array<Json>).some((w) => w["code"] === "out_of_stock" && w["sku_id"] === s)
    )
    expect(body(warned)["items"]).toContainEqual(expect.objectContaining({ sku_id: s, stock_status: "out_of_stock" }))
    expectError(await add(shopper.token, `sku_${randomBytes(8).toString("hex")}`, 1), 404, "not_found")
    await emptyCart(shopper.token)
  })

  it("after a price change the cart shows the new price with a price_changed warning", async () => {
    const { productId, skuIds, listing } = await shop.product([50_000], 10)
    const [s] = skuIds as [string]
    await shop.addWhenListed({}, s, 2, shopper.token)
    const changed = await call(base, "PUT", `/v1/seller/products/${productId}`, {
      token: shop.seller.token,
      body: { ...listing, skus: [{ sku_id: s, price: 45_000 }] }
    })
    expect(changed.status, changed.text).toBe(200)
    const view = await eventually(
      () => get("/v1/cart", shopper.token),
      // The read model may lag (≤ 1 s, more on a loaded machine): wait for the new price, not for any warning.
      (res) => (body(res)["warnings"] as Array<Json>).some((w) => w["code"] === "price_changed")
    )
    expect(body(view)["items"]).toEqual([expect.objectContaining({ sku_id: s, quantity: 2, unit_price: 45_000, line_total: 90_000 })])
    expect(body(view)["subtotal"]).toBe(90_000)
    expect(body(view)["warnings"]).toEqual([{ code: "price_changed", sku_id: s, previous_unit_price: 50_000, unit_price: 45_000, message: expect.any(String) }])
    await emptyCart(shopper.token)
  })

  it("bodies are strict: unknown fields and wrong types are 400 with their paths", async () => {
    const { skuIds } = await shop.product([1_000], 5)
    const [s] = skuIds as [string]
    const paths = (res: Answer) => ((body(res)["error"]["details"]["issues"] ?? []) as Array<{ path: string }>).map((i) => i.path)
    for (const [payload, path] of [
      [{ sku_id: s, quantity: 1, unit_price: 1 }, "body.unit_price"],
      [{ sku_id: s, quantity: 1, cart_id: "cart_AAAAAAAAAAAAAAAAAAAAAA" }, "body.cart_id"],
      [{ sku_id: s, quantity: "1" }, "body.quantity"],
      [{ sku_id: "nope", quantity: 1 }, "body.sku_id"],
      [{ quantity: 1 }, "body.sku_id"]
    ] as const) {
      const res = await call(base, "POST", "/v1/cart/items", { token: shopper.token, body: payload })
      expectError(res, 400, "invalid_request")
      expect(paths(res)).toContain(path)
    }
    const patched = await patch(shopper.token, s, { quantity: 1, price: 5 })
    expectError(patched, 400, "invalid_request")
    expect(paths(patched)).toContain("body.price")
    expectError(await call(base, "POST", "/v1/wishlist/items", { token: shopper.token, body: { sku_id: s, note: "x" } }), 400, "invalid_request")
    expectError(await get("/v1/cart", undefined, { "x-cart-token": "not-a-token" }), 400, "invalid_request")
  })

  it("anonymous carts: the token is the only way in; a made-up or merged token is 404, and nobody else's cart is ever shown", async () => {
    expectError(await get("/v1/cart"), 404, "not_found")
    const { skuIds } = await shop.product([2_000, 3_000], 10)
    const [a, b] = skuIds as [string, string]
    const started = await shop.addWhenListed({}, a, 2)
    expect(started.status, started.text).toBe(200)
    const token = body(started)["cart_token"] as string
    expect(started.headers.get("x-cart-token")).toBe(token)
    const mine = { "x-cart-token": token }
    expect(linesOf(await shop.addWhenListed(mine, b, 1))).toEqual([[a, 2], [b, 1]])
    expect(body(await get("/v1/cart", undefined, mine))["cart_id"]).toBe(body(started)["cart_id"])
    expectError(await get("/v1/cart", undefined, { "x-cart-token": randomBytes(32).toString("base64url") }), 404, "not_found")
    // A signed-in shopper's requests go to their own cart whatever X-Cart-Token they send.
    const withBoth = await get("/v1/cart", other.token, mine)
    expect(body(withBoth)["cart_id"]).not.toBe(body(started)["cart_id"])
    expect(JSON.stringify(withBoth.json)).not.toContain(a)
  })

  it("logging in with X-Cart-Token merges the anonymous cart into the account's; the login answer is unchanged; signing up does the same", async () => {
    const { skuIds } = await shop.product([4_000, 6_000], 200)
    const [a, b] = skuIds as [string, string]
    const account = await signUp(base, "cart-merge")
    const accountCart = body(await get("/v1/cart", account.token))["cart_id"]
    await shop.addWhenListed({}, a, 95, account.token)

    const anonymous = await shop.addWhenListed({}, a, 10)
    const token = body(anonymous)["cart_token"] as string
    await shop.addWhenListed({ "x-cart-token": token }, b, 2)
    const login = await call(base, "POST", "/v1/auth/login", { body: { email: account.email, password: account.password }, headers: { "x-cart-token": token } })
    expect(login.status, login.text).toBe(200)
    expect(Object.keys(body(login)).sort()).toEqual(["expires_at", "token", "user_id"])
    const merged = await get("/v1/cart", body(login)["token"])
    expect(body(merged)["cart_id"]).toBe(accountCart)
    expect(linesOf(merged)).toEqual([[a, 100], [b, 2]])
    expectError(await get("/v1/cart", undefined, { "x-cart-token": token }), 404, "not_found")
    // Logging in again with the same token merges nothing twice.
    const again = await call(base, "POST", "/v1/auth/login", { body: { email: account.email, password: account.password }, headers: { "x-cart-token": token } })
    expect(again.status).toBe(200)
    expect(linesOf(await get("/v1/cart", account.token))).toEqual([[a, 100], [b, 2]])
    // Wrong credentials with a cart token: 401 as always, and the cart is not merged anywhere.
    const second = body(await shop.addWhenListed({}, b, 1)) as Json
    const wrong = await call(base, "POST", "/v1/auth/login", { body: { email: account.email, password: "wrong-password" }, headers: { "x-cart-token": second["cart_token"] } })
    expectError(wrong, 401, "unauthenticated")
    expect(linesOf(await get("/v1/cart", undefined, { "x-cart-token": second["cart_token"] }))).toEqual([[b, 1]])

    const email = uniqueEmail("cart-signup")
    const signup = await call(base, "POST", "/v1/auth/signup", { body: { email, password: "signup-password-1", name: "New" }, headers: { "x-cart-token": second["cart_token"] } })
    expect(signup.status, signup.text).toBe(201)
    expect(Object.keys(body(signup)).sort()).toEqual(["expires_at", "token", "user_id"])
    expect(linesOf(await get("/v1/cart", body(signup)["token"]))).toEqual([[b, 1]])
  })

  it("wishlist: add with current price and stock, move one to the cart, remove", async () => {
    const { skuIds } = await shop.product([7_000, 8_000], 3)
    const [a, b] = skuIds as [string, string]
    const account = await signUp(base, "wisher")
    expectError(await get("/v1/wishlist"), 401, "unauthenticated")
    const first = await eventually(
      () => call(base, "POST", "/v1/wishlist/items", { token: account.token, body: { sku_id: a } }),
      (res) => res.status !== 404
    )
    expect(first.status, first.text).toBe(200)
    const addedB = await call(base, "POST", "/v1/wishlist/items", { token: account.token, body: { sku_id: b } })
    expect(addedB.status, addedB.text).toBe(200)
    // Stock on the wishlist comes from the read model, which may lag the stock change by a moment.
    const listed = await eventually(
      () => get("/v1/wishlist/items", account.token),
      (res) => (body(res)["items"] as Array<Json>).every((i) => i["available_quantity"] === 3)
    )
    expect(body(listed)["items"]).toEqual([
      expect.objectContaining({ sku_id: b, listed: true, price: 8_000, currency: "INR", available_quantity: 3, stock_status: "low_stock" }),
      expect.objectContaining({ sku_id: a, listed: true, price: 7_000 })
    ])
    expect(body(await get("/v1/wishlist/items", account.token))).toEqual(body(listed))
    const moved = await call(base, "POST", `/v1/wishlist/items/${a}/move-to-cart`, { token: account.token })
    expect(moved.status, moved.text).toBe(200)
    expect(linesOf({ ...moved, json: body(moved)["cart"] })).toEqual([[a, 1]])
    expect(body(moved)["wishlist"]["items"].map((i: Json) => i["sku_id"])).toEqual([b])
    expect(linesOf(await get("/v1/cart", account.token))).toEqual([[a, 1]])
    expectError(await call(base, "POST", `/v1/wishlist/items/${a}/move-to-cart`, { token: account.token }), 404, "not_found")
    expectError(await call(base, "POST", `/v1/wishlist/items/${b}/move-to-cart`, { token: other.token }), 404, "not_found")
    const removed = await call(base, "DELETE", `/v1/wishlist/items/${b}`, { token: account.token })
    expect(body(removed)).toEqual({ items: [] })
  })

  it(`recently viewed: product pages a shopper opens, most recent first, at most ${recentlyViewedLimits.maxItems}`, async () => {
    const account = await signUp(base, "viewer")
    expectError(await get("/v1/me/recently-viewed"), 401, "unauthenticated")
    const { productId: firstId } = await shop.product([1_000], 0)
    const page = await eventually(
      () => get(`/v1/products/${firstId}`, account.token),
      (res) => res.status === 200
    )
    expect(page.status, page.text).toBe(200)
    const ids = [firstId]
    for (let i = 0; i < recentlyViewedLimits.maxItems + 2; i++) ids.push((await shop.product([1_000 + i], 0)).productId)
    for (const id of ids.slice(1)) {
      const res = await eventually(
        () => get(`/v1/products/${id}`, account.token),
        (r) => r.status === 200
      )
      expect(res.status, res.text).toBe(200)
    }
    // The product page answers without waiting for the view to be recorded.
    const expected = ids.slice(-recentlyViewedLimits.maxItems).reverse()
    const seen = await eventually(
      () => get("/v1/me/recently-viewed", account.token),
      (res) => res.status === 200 && JSON.stringify((body(res)["items"] as Array<Json>).map((i) => i["product_id"])) === JSON.stringify(expected)
    )
    expect(seen.status, seen.text).toBe(200)
    const items = body(seen)["items"] as Array<Json>
    expect(items).toHaveLength(recentlyViewedLimits.maxItems)
    expect(items.map((i) => i["product_id"])).toEqual(expected)
    expect(items[0]).toEqual({ product_id: ids.at(-1), viewed_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) })
    expect(body(await get("/v1/me/recently-viewed", other.token))["items"]).not.toContainEqual(expect.objectContaining({ product_id: firstId }))
  })
})

describe("an acknowledged add survives kill -9", () => {
  let storage: TestStorage
  let child: StoreProcess | undefined

  beforeAll(async () => {
    storage = await postgresStorage()
  })
  afterAll(async () => {
    await child?.kill()
    await storage?.cleanup()
  })

  it("the account's cart and an anonymous cart are there after a SIGKILL and a restart", async () => {
    const adminEmail = uniqueEmail("cart-crash-admin")
    const env = { ...storage.env, ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: "admin-password-1" }
    child = await spawnStore(env)
    let base = child.base
    const shop = new Shop(() => base)
    await shop.setUp(adminEmail, "admin-password-1")
    const shopper = await signUp(base, "crash-shopper")
    const { skuIds } = await shop.product([11_000, 12_000], 50)
    const [a, b] = skuIds as [string, string]
    expect((await shop.addWhenListed({}, a, 1, shopper.token)).status).toBe(200)
    const anonymous = await shop.addWhenListed({}, b, 4)
    expect(anonymous.status, anonymous.text).toBe(200)
    // The last acknowledged writes, then SIGKILL at once: no graceful flush, no snapshot.
    const last = await call(base, "POST", "/v1/cart/items", { token: shopper.token, body: { sku_id: b, quantity: 7 } })
    expect(last.status, last.text).toBe(200)
    await child.kill()
    expect((await child.exited).signal).toBe("SIGKILL")

    child = await spawnStore(env)
    base = child.base
    const after = await call(base, "GET", "/v1/cart", { token: shopper.token })
    expect(after.status, after.text).toBe(200)
    expect(body(after)["cart_id"]).toBe(body(last)["cart_id"])
    expect(linesOf(after)).toEqual([[a, 1], [b, 7]])
    const anon = await call(base, "GET", "/v1/cart", { headers: { "x-cart-token": body(anonymous)["cart_token"] } })
    expect(anon.status, anon.text).toBe(200)
    expect(linesOf(anon)).toEqual([[b, 4]])
  }, 90_000)
})
