/**
 * The cart, wishlist and recently-viewed routes on a real gateway over HTTP, with a real actor host
 * on in-memory storage and an in-memory CatalogReader the tests change (prices, stock, listings).
 * Adding checks price and stock as the catalog read model knows them (in memory; the SKU actors
 * are not asked). Fast; the whole store is in test/cart.e2e.test.ts.
 */
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cart } from "../../actors/cart/cart.ts"
import { cartLimits, recentlyViewedLimits } from "../../actors/cart/fields.ts"
import { recentlyViewed } from "../../actors/cart/recently-viewed.ts"
import { shopperCart } from "../../actors/cart/shopper-cart.ts"
import { wishlist } from "../../actors/cart/wishlist.ts"
import { sku } from "../../actors/inventory/sku.ts"
import { ActorHost } from "../../runtime/host.ts"
import { Actors } from "../../runtime/service.ts"
import { makeMemoryJournal, makeMemoryPositionStore, makeMemorySnapshotStore } from "../../storage/memory.ts"
import type { CatalogReader, SkuListing } from "../catalog/catalog-reader.ts"
import type { AnyRoute } from "../route.ts"
import { cartRoutes } from "../routes/cart.ts"
import { wishlistRoutes } from "../routes/wishlist.ts"
import { bearer, callers, startTestGateway, type TestGateway } from "../testing.ts"
import { anonymousShopperOf } from "./ids.ts"
import { recordProductView } from "./recently-viewed.ts"
import { mergeCartAtSignIn } from "./sign-in.ts"

// ---------------------------------------------------------------- fixtures

/** The catalog as the tests set it: listings by SKU, changed in place. */
const listings = new Map<string, SkuListing>()
const catalog: CatalogReader = {
  skus: (ids) => Effect.sync(() => new Map(ids.flatMap((id) => (listings.has(id) ? [[id, listings.get(id)!] as const] : []))))
}
const list = (skuId: string, fields: Partial<SkuListing> = {}) =>
  listings.set(skuId, {
    sku_id: skuId,
    product_id: `p_${skuId.slice(4)}`,
    seller_id: "s_1",
    title: `Product ${skuId.slice(4)}`,
    price: 1000,
    currency: "INR",
    attributes: {},
    available_quantity: 10,
    stock_status: "in_stock",
    ...fields
  })

const deps = { catalog, config: { storeCurrency: "INR" } }
let host: ActorHost
let gateway: TestGateway

/** A SKU listed in the catalog with `units` in stock at its actor. */
let skuCounter = 0
const stocked = async (units: number, fields: Partial<SkuListing> = {}) => {
  const id = `sku_t${++skuCounter}`
  await host.ask(sku, id, { _tag: "Register", seller_id: "s_1" })
  if (units > 0) await host.ask(sku, id, { _tag: "Receive", warehouse_id: "wh_main", quantity: units, ref: `po-${id}` })
  list(id, { available_quantity: units, stock_status: units > 0 ? "in_stock" : "out_of_stock", ...fields })
  return id
}

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly json: Json
}
const call = async (method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Answer> => {
  const headers: Record<string, string> = { ...options.headers }
  if (options.body !== undefined) headers["content-type"] = "application/json"
  const res = await fetch(`${gateway.base}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: typeof options.body === "string" ? options.body : JSON.stringify(options.body) })
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, json: text === "" ? {} : (JSON.parse(text) as Json) }
}
const as = (who: "alice" | "bob") => bearer(who)
const anon = (token: string) => ({ "x-cart-token": token })
const add = (headers: Record<string, string>, skuId: string, quantity = 1, extra: Json = {}) => call("POST", "/v1/cart/items", { headers, body: { sku_id: skuId, quantity, ...extra } })
const expectError = (res: Answer, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.json)).toBe(status)
  expect(Object.keys(res.json)).toEqual(["error"])
  expect(res.json["error"].code).toBe(code)
}
const linesOf = (res: Answer) => (res.json["items"] as Array<Json>).map((i) => [i["sku_id"], i["quantity"]])

/** Run the routes on the test gateway with this test's actor host. */
const onHost = (routes: ReadonlyArray<AnyRoute<Actors>>): ReadonlyArray<AnyRoute<never>> =>
  routes.map(({ direct: _direct, ...r }): AnyRoute<never> => ({ ...r, handler: (request) => Effect.provideService(r.handler(request), Actors, host) }))

beforeAll(async () => {
  host = new ActorHost(
    { journal: makeMemoryJournal(), snapshots: makeMemorySnapshotStore(), positions: makeMemoryPositionStore() },
    [cart, shopperCart, wishlist, recentlyViewed, sku],
    { shardCount: 4, checkpointEveryMs: 60_000, passivationSweepMs: 60_000 },
    undefined,
    () => {}
  )
  await host.start()
  gateway = await startTestGateway(onHost([...cartRoutes(deps), ...wishlistRoutes(deps)]))
})
afterAll(async () => {
  await gateway?.shutdown()
  await host?.stop()
})

// ---------------------------------------------------------------- tests

describe("a signed-in shopper's cart", () => {
  it("exists from the first read: empty, in the store currency, with a cart_id that never changes", async () => {
    const first = await call("GET", "/v1/cart", { headers: as("alice") })
    expect(first.status).toBe(200)
    expect(first.json).toEqual({ cart_id: expect.stringMatching(/^cart_[A-Za-z0-9_-]{22}$/), items: [], subtotal: 0, currency: "INR", warnings: [] })
    expect((await call("GET", "/v1/cart", { headers: as("alice") })).json["cart_id"]).toBe(first.json["cart_id"])
    const bobs = await call("GET", "/v1/cart", { headers: as("bob") })
    expect(bobs.json["cart_id"]).not.toBe(first.json["cart_id"])
  })

  it("add, add again (quantities add up), set a quantity, set 0 to remove, delete (idempotent)", async () => {
    const a = await stocked(50)
    const b = await stocked(50, { price: 250 })
    const added = await add(as("bob"), a, 2)
    expect(added.status).toBe(200)
    expect(added.json["items"]).toEqual([{ sku_id: a, product_id: `p_${a.slice(4)}`, title: `Product ${a.slice(4)}`, quantity: 2, unit_price: 1000, line_total: 2000, stock_status: "in_stock" }])
    expect(added.json).toMatchObject({ subtotal: 2000, currency: "INR", warnings: [] })
    expect(added.headers.get("x-cart-token")).toBeNull()
    expect(added.json["cart_token"]).toBeUndefined()
    expect(linesOf(await add(as("bob"), a, 3))).toEqual([[a, 5]])
    const both = await add(as("bob"), b, 4)
    expect(linesOf(both)).toEqual([[a, 5], [b, 4]])
    expect(both.json["subtotal"]).toBe(5 * 1000 + 4 * 250)

    const patched = await call("PATCH", `/v1/cart/items/${b}`, { headers: as("bob"), body: { quantity: 7 } })
    expect(patched.status).toBe(200)
    expect(linesOf(patched)).toEqual([[a, 5], [b, 7]])
    expect(linesOf(await call("PATCH", `/v1/cart/items/${a}`, { headers: as("bob"), body: { quantity: 1 } }))).toEqual([[a, 1], [b, 7]])
    expect(linesOf(await call("PATCH", `/v1/cart/items/${a}`, { headers: as("bob"), body: { quantity: 0 } }))).toEqual([[b, 7]])
    const removed = await call("DELETE", `/v1/cart/items/${b}`, { headers: as("bob") })
    expect(removed.status).toBe(200)
    expect(removed.json).toMatchObject({ items: [], subtotal: 0 })
    expect((await call("DELETE", `/v1/cart/items/${b}`, { headers: as("bob") })).status).toBe(200)
    expect((await call("PATCH", `/v1/cart/items/${b}`, { headers: as("bob"), body: { quantity: 0 } })).status).toBe(200)
    expectError(await call("PATCH", `/v1/cart/items/${b}`, { headers: as("bob"), body: { quantity: 3 } }), 404, "not_found")
  })

  it("after an order empties the cart its cart_id stays the same", async () => {
    const a = await stocked(5)
    const before = await add(as("alice"), a, 1)
    await host.ask(cart, before.json["cart_id"] as string, { _tag: "Clear", order_id: "ord_1" })
    const after = await call("GET", "/v1/cart", { headers: as("alice") })
    expect(after.json).toMatchObject({ cart_id: before.json["cart_id"], items: [], subtotal: 0 })
  })
})

describe("what may be added", () => {
  it("a SKU no product lists is 404; one with nothing available as the catalog knows it is 409 out_of_stock (the SKU actor is not asked)", async () => {
    expectError(await add(as("alice"), "sku_never_listed", 1), 404, "not_found")
    const empty = await stocked(0)
    const refused = await add(as("alice"), empty, 2)
    expectError(refused, 409, "out_of_stock")
    expect(refused.json["error"].details).toEqual({ skus: [{ sku_id: empty, requested: 2, available: 0 }] })
    // The read model lags the actor (by up to ~1 s): its word counts. It still shows stock the actor no longer has → accepted
    // (adding reserves nothing; checkout reserves at the actor)…
    const soldOut = await stocked(0, { available_quantity: 7, stock_status: "in_stock" })
    expect((await add(as("alice"), soldOut, 1)).status).toBe(200)
    // …and shows none where the actor has some → refused until it catches up.
    const restocked = await stocked(3, { available_quantity: 0, stock_status: "out_of_stock" })
    expectError(await add(as("alice"), restocked, 1), 409, "out_of_stock")
    list(restocked, { available_quantity: 3, stock_status: "in_stock" })
    const ok = await add(as("alice"), restocked, 1)
    expect(ok.status).toBe(200)
    expect(ok.json["warnings"]).toEqual([])
    // Listed, never stocked: nothing available.
    list("sku_unregistered", { available_quantity: 0, stock_status: "out_of_stock" })
    expectError(await add(as("alice"), "sku_unregistered", 1), 409, "out_of_stock")
    // Priced in another currency than the store's.
    const dollars = await stocked(5, { currency: "USD" })
    expectError(await add(as("alice"), dollars, 1), 409, "conflict")
    for (const id of [soldOut, restocked]) await call("DELETE", `/v1/cart/items/${id}`, { headers: as("alice") })
  })

  it("more stock than is available may be in the cart (nothing is reserved); 100 units per SKU, then 422 quantity_limit", async () => {
    const a = await stocked(1)
    expect(linesOf(await add(as("bob"), a, 60))).toEqual([[a, 60]])
    expect(linesOf(await add(as("bob"), a, 40))).toEqual([[a, 100]])
    const over = await add(as("bob"), a, 1)
    expectError(over, 422, "quantity_limit")
    expect(over.json["error"].details).toMatchObject({ sku_id: a, quantity: 100, limit: 100 })
    expect((await call("GET", `/v1/cart`, { headers: as("bob") })).json["warnings"]).toContainEqual(expect.objectContaining({ code: "low_stock", sku_id: a }))
    await call("DELETE", `/v1/cart/items/${a}`, { headers: as("bob") })
  })

  it(`${cartLimits.maxLines} lines, then 422 cart_limit`, async () => {
    const token = (await add({}, await stocked(5), 1)).json["cart_token"] as string
    for (let i = 1; i < cartLimits.maxLines; i++) expect((await add(anon(token), await stocked(5), 1)).status).toBe(200)
    expect((await call("GET", "/v1/cart", { headers: anon(token) })).json["items"]).toHaveLength(cartLimits.maxLines)
    const over = await add(anon(token), await stocked(5), 1)
    expectError(over, 422, "cart_limit")
    expect(over.json["error"].details).toEqual({ limit: cartLimits.maxLines })
  })

  it("bad requests are 400 in the error shape, with the problem's path; user_id must be the caller's (403)", async () => {
    const a = await stocked(5)
    const issues = (res: Answer) => (res.json["error"].details.issues as Array<{ path: string }>).map((i) => i.path)
    for (const quantity of [0, 101, 1.5, -1, "2", null]) {
      const res = await add(as("alice"), a, quantity as number)
      expectError(res, 400, "invalid_request")
      expect(issues(res)).toContain("body.quantity")
    }
    const unknown = await add(as("alice"), a, 1, { price: 1 })
    expectError(unknown, 400, "invalid_request")
    expect(issues(unknown)).toContain("body.price")
    expect(issues(await call("POST", "/v1/cart/items", { headers: as("alice"), body: { sku_id: "abc", quantity: 1 } }))).toContain("body.sku_id")
    expectError(await call("POST", "/v1/cart/items", { headers: as("alice"), body: { quantity: 1 } }), 400, "invalid_request")
    expectError(await call("POST", "/v1/cart/items", { headers: as("alice"), body: "[1]" }), 400, "invalid_request")
    for (const quantity of [101, -1, 2.5]) expectError(await call("PATCH", `/v1/cart/items/${a}`, { headers: as("alice"), body: { quantity } }), 400, "invalid_request")
    expectError(await call("PATCH", `/v1/cart/items/${a}`, { headers: as("alice"), body: { quantity: 1, sku_id: a } }), 400, "invalid_request")
    expectError(await call("DELETE", "/v1/cart/items/not-a-sku", { headers: as("alice") }), 400, "invalid_request")

    expectError(await add(as("alice"), a, 1, { user_id: callers.bob.userId }), 403, "forbidden")
    expectError(await add({}, a, 1, { user_id: callers.bob.userId }), 403, "forbidden")
    expect((await add(as("alice"), a, 1, { user_id: callers.alice.userId })).status).toBe(200)
    expectError(await call("GET", "/v1/cart", { headers: { authorization: "Bearer tok_unknown_0123456789abcdef" } }), 401, "unauthenticated")
  })
})

describe("prices and stock as of now", () => {
  it("a price change since adding shows the new price and a price_changed warning; stock and listing changes too", async () => {
    const a = await stocked(10, { price: 1000 })
    const b = await stocked(10, { price: 500 })
    const c = await stocked(10)
    await add(as("alice"), a, 2)
    await add(as("alice"), b, 3)
    await add(as("alice"), c, 1)
    list(a, { price: 1200 })
    list(b, { price: 500, available_quantity: 0, stock_status: "out_of_stock" })
    listings.delete(c)
    const view = await call("GET", "/v1/cart", { headers: as("alice") })
    const item = (id: string) => (view.json["items"] as Array<Json>).find((i) => i["sku_id"] === id)
    expect(item(a)).toMatchObject({ quantity: 2, unit_price: 1200, line_total: 2400, stock_status: "in_stock" })
    expect(item(b)).toMatchObject({ unit_price: 500, stock_status: "out_of_stock" })
    expect(item(c)).toMatchObject({ unit_price: 1000, stock_status: "out_of_stock" })
    const warnings = view.json["warnings"] as Array<Json>
    expect(warnings).toContainEqual({ code: "price_changed", sku_id: a, previous_unit_price: 1000, unit_price: 1200, message: expect.any(String) })
    expect(warnings).toContainEqual({ code: "out_of_stock", sku_id: b, message: expect.any(String) })
    expect(warnings).toContainEqual({ code: "unavailable", sku_id: c, message: expect.any(String) })
    // Adding again takes the price as of now: the warning goes away.
    await add(as("alice"), a, 1)
    const again = await call("GET", "/v1/cart", { headers: as("alice") })
    expect((again.json["warnings"] as Array<Json>).filter((w) => w["sku_id"] === a)).toEqual([])
    for (const id of [a, b, c]) await call("DELETE", `/v1/cart/items/${id}`, { headers: as("alice") })
  })

  it("raising a quantity needs stock now (409); lowering never does", async () => {
    const a = await stocked(2)
    await add(as("bob"), a, 2)
    await host.ask(sku, a, { _tag: "SetOnHand", warehouse_id: "wh_main", on_hand: 0, ref: `zero-${a}` })
    list(a, { available_quantity: 0, stock_status: "out_of_stock" })
    expectError(await call("PATCH", `/v1/cart/items/${a}`, { headers: as("bob"), body: { quantity: 3 } }), 409, "out_of_stock")
    expect(linesOf(await call("PATCH", `/v1/cart/items/${a}`, { headers: as("bob"), body: { quantity: 1 } }))).toEqual([[a, 1]])
    await call("DELETE", `/v1/cart/items/${a}`, { headers: as("bob") })
  })
})

describe("anonymous carts", () => {
  it("the first add starts a cart and answers its token once (body and header); the token reads and changes it", async () => {
    expectError(await call("GET", "/v1/cart"), 404, "not_found")
    expectError(await call("PATCH", "/v1/cart/items/sku_x", { body: { quantity: 1 } }), 404, "not_found")
    expectError(await call("DELETE", "/v1/cart/items/sku_x"), 404, "not_found")
    const a = await stocked(5)
    const started = await add({}, a, 2)
    expect(started.status).toBe(200)
    const token = started.json["cart_token"] as string
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(started.headers.get("x-cart-token")).toBe(token)
    expect(started.json["cart_id"]).toMatch(/^cart_/)

    const next = await add(anon(token), a, 1)
    expect(next.json["cart_token"]).toBeUndefined()
    expect(next.json["cart_id"]).toBe(started.json["cart_id"])
    expect(linesOf(next)).toEqual([[a, 3]])
    expect(linesOf(await call("GET", "/v1/cart", { headers: anon(token) }))).toEqual([[a, 3]])
    expect(linesOf(await call("PATCH", `/v1/cart/items/${a}`, { headers: anon(token), body: { quantity: 1 } }))).toEqual([[a, 1]])

    // Another shopper's token is another cart; a token never handed out, or a malformed one, is no cart.
    const other = (await add({}, a, 1)).json
    expect(other["cart_id"]).not.toBe(started.json["cart_id"])
    expectError(await call("GET", "/v1/cart", { headers: anon("A".repeat(43)) }), 404, "not_found")
    expectError(await add(anon("B".repeat(43)), a, 1), 404, "not_found")
    expectError(await call("GET", "/v1/cart", { headers: anon("short") }), 400, "invalid_request")
    // With a bearer token the account's cart is used; the anonymous one is untouched.
    expect((await call("GET", "/v1/cart", { headers: { ...as("bob"), ...anon(token) } })).json["cart_id"]).not.toBe(started.json["cart_id"])
  })

  it("a refused add starts no cart", async () => {
    const empty = await stocked(0)
    const refused = await add({}, empty, 1)
    expectError(refused, 409, "out_of_stock")
    expect(refused.headers.get("x-cart-token")).toBeNull()
  })

  it("signing in merges the anonymous cart into the account's (once), and the token stops working", async () => {
    const a = await stocked(100)
    const b = await stocked(100)
    const signIn = mergeCartAtSignIn(deps)
    const run = (userId: string, headers: Record<string, string>) => Effect.runPromise(signIn(userId, headers, Date.now()).pipe(Effect.provideService(Actors, host)))
    const mine = await call("GET", "/v1/cart", { headers: as("alice") })
    for (const item of mine.json["items"] as Array<Json>) await call("DELETE", `/v1/cart/items/${item["sku_id"]}`, { headers: as("alice") })
    await add(as("alice"), a, 90)

    const token = (await add({}, a, 20)).json["cart_token"] as string
    await add(anon(token), b, 3)
    await run(callers.alice.userId, anon(token))
    const merged = await call("GET", "/v1/cart", { headers: as("alice") })
    expect(merged.json["cart_id"]).toBe(mine.json["cart_id"])
    expect(linesOf(merged)).toEqual([[a, 100], [b, 3]])
    expectError(await call("GET", "/v1/cart", { headers: anon(token) }), 404, "not_found")
    expectError(await add(anon(token), b, 1), 404, "not_found")

    // A second sign-in with the same token, a token never handed out, a malformed one or none: nothing changes.
    await run(callers.alice.userId, anon(token))
    await run(callers.bob.userId, anon(token))
    await run(callers.alice.userId, anon("C".repeat(43)))
    await run(callers.alice.userId, anon("bad"))
    await run(callers.alice.userId, {})
    expect(linesOf(await call("GET", "/v1/cart", { headers: as("alice") }))).toEqual([[a, 100], [b, 3]])
    expect(await host.ask(shopperCart, anonymousShopperOf(token), { _tag: "Get" })).toMatchObject({ merged_into: mine.json["cart_id"] })
    for (const id of [a, b]) await call("DELETE", `/v1/cart/items/${id}`, { headers: as("alice") })
  })
})

describe("wishlist", () => {
  it("add (idempotent, newest first) with current price and stock, remove, both paths list it", async () => {
    const a = await stocked(4, { price: 700 })
    const b = await stocked(0)
    expectError(await call("GET", "/v1/wishlist"), 401, "unauthenticated")
    expect((await call("GET", "/v1/wishlist", { headers: as("bob") })).json).toEqual({ items: [] })
    expectError(await call("POST", "/v1/wishlist/items", { headers: as("bob"), body: { sku_id: "sku_nope" } }), 404, "not_found")
    expectError(await call("POST", "/v1/wishlist/items", { headers: as("bob"), body: { sku_id: a, quantity: 1 } }), 400, "invalid_request")
    await call("POST", "/v1/wishlist/items", { headers: as("bob"), body: { sku_id: a } })
    const both = await call("POST", "/v1/wishlist/items", { headers: as("bob"), body: { sku_id: b } })
    expect(both.status).toBe(200)
    expect(both.json["items"]).toEqual([
      { sku_id: b, product_id: `p_${b.slice(4)}`, added_at: expect.any(String), listed: true, title: `Product ${b.slice(4)}`, price: 1000, currency: "INR", available_quantity: 0, stock_status: "out_of_stock" },
      { sku_id: a, product_id: `p_${a.slice(4)}`, added_at: expect.any(String), listed: true, title: `Product ${a.slice(4)}`, price: 700, currency: "INR", available_quantity: 4, stock_status: "in_stock" }
    ])
    expect((await call("POST", "/v1/wishlist/items", { headers: as("bob"), body: { sku_id: a } })).json["items"].map((i: Json) => i["sku_id"])).toEqual([b, a])
    list(a, { price: 650 })
    listings.delete(b)
    const now = await call("GET", "/v1/wishlist/items", { headers: as("bob") })
    expect(now.json["items"][0]).toMatchObject({ sku_id: b, listed: false, title: null, price: null, currency: null, available_quantity: 0, stock_status: "out_of_stock" })
    expect(now.json["items"][1]).toMatchObject({ sku_id: a, price: 650 })
    expect((await call("DELETE", `/v1/wishlist/items/${b}`, { headers: as("bob") })).json["items"].map((i: Json) => i["sku_id"])).toEqual([a])
    expect((await call("DELETE", `/v1/wishlist/items/${b}`, { headers: as("bob") })).status).toBe(200)
    expect((await call("GET", "/v1/wishlist", { headers: as("alice") })).json).toEqual({ items: [] })
    await call("DELETE", `/v1/wishlist/items/${a}`, { headers: as("bob") })
  })

  it("move to cart adds one unit and removes it from the wishlist; a refused add leaves the wishlist as it was", async () => {
    const a = await stocked(3)
    const b = await stocked(0)
    await call("POST", "/v1/wishlist/items", { headers: as("alice"), body: { sku_id: a } })
    await call("POST", "/v1/wishlist/items", { headers: as("alice"), body: { sku_id: b } })
    const moved = await call("POST", `/v1/wishlist/items/${a}/move-to-cart`, { headers: as("alice") })
    expect(moved.status).toBe(200)
    expect((moved.json["cart"]["items"] as Array<Json>).find((i) => i["sku_id"] === a)).toMatchObject({ quantity: 1 })
    expect(moved.json["wishlist"]["items"].map((i: Json) => i["sku_id"])).toEqual([b])
    expectError(await call("POST", `/v1/wishlist/items/${a}/move-to-cart`, { headers: as("alice") }), 404, "not_found")
    expectError(await call("POST", `/v1/wishlist/items/${b}/move-to-cart`, { headers: as("alice") }), 409, "out_of_stock")
    expect((await call("GET", "/v1/wishlist", { headers: as("alice") })).json["items"].map((i: Json) => i["sku_id"])).toEqual([b])
    expectError(await call("POST", `/v1/wishlist/items/${b}/move-to-cart`, { headers: as("bob") }), 404, "not_found")
    expectError(await call("POST", `/v1/wishlist/items/${b}/move-to-cart`), 401, "unauthenticated")
    await call("DELETE", `/v1/cart/items/${a}`, { headers: as("alice") })
  })
})

describe("recently viewed", () => {
  it(`keeps the last ${recentlyViewedLimits.maxItems} products viewed, most recent first, each once; anonymous views are not kept`, async () => {
    expectError(await call("GET", "/v1/me/recently-viewed"), 401, "unauthenticated")
    const record = (userId: string | undefined, productId: string, nowMs: number) =>
      Effect.runPromise(recordProductView(userId === undefined ? undefined : { ...callers.alice, userId }, productId, nowMs).pipe(Effect.provideService(Actors, host)))
    const t0 = Date.parse("2025-03-01T10:00:00Z")
    const total = recentlyViewedLimits.maxItems + 5
    for (let i = 0; i < total; i++) await record(callers.alice.userId, `p_${i}`, t0 + i * 1000)
    await record(callers.alice.userId, "p_10", t0 + total * 1000)
    await record(callers.alice.userId, "not a product id/", t0)
    await record(undefined, "p_anon", t0)
    const seen = await call("GET", "/v1/me/recently-viewed", { headers: as("alice") })
    expect(seen.status).toBe(200)
    const items = seen.json["items"] as Array<Json>
    expect(items).toHaveLength(recentlyViewedLimits.maxItems)
    expect(items[0]).toEqual({ product_id: "p_10", viewed_at: new Date(t0 + total * 1000).toISOString() })
    expect(items[1]).toEqual({ product_id: `p_${total - 1}`, viewed_at: new Date(t0 + (total - 1) * 1000).toISOString() })
    expect(new Set(items.map((i) => i["product_id"])).size).toBe(items.length)
    expect(items.map((i) => i["product_id"])).not.toContain("p_0")
    expect((await call("GET", "/v1/me/recently-viewed", { headers: as("bob") })).json).toEqual({ items: [] })
  })
})
