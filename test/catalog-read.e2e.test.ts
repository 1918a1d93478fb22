/**
 * The catalog's read side end to end: the real store (runStore on a fresh Postgres schema, or
 * embedded storage with STORE_TEST_STORAGE=embedded) over real HTTP with fetch. Products created
 * and changed through the seller routes show on `GET /v1/products/{id}` and in search within 1 s
 * (stock included), search filters, sorts, pages and facets, typo tolerance, autocomplete, bad
 * parameters as 400s with their paths, the cart reading the same catalog, recently viewed
 * products, and the lag metrics.
 */
import { randomBytes } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { sellerIdOfUser } from "../gateway/inventory/sellers.ts"
import { startStoreWithHost, type StoreWithHost } from "./support/inventory.ts"
import { type Account, type Answer, call, defaultStorage, isErrorShape, signUp, type TestStorage, uniqueEmail } from "./support/store.ts"

type Json = Record<string, unknown>

const expectError = (res: Answer, status: number, code: string) => {
  expect(res.status, res.text).toBe(status)
  expect(isErrorShape(res.json), res.text).toBe(true)
  expect((res.json as { error: { code: string } }).error.code, res.text).toBe(code)
}
const issuesOf = (res: Answer) => ((res.json as { error: { details: Json } }).error.details["issues"] ?? []) as Array<{ path: string; message: string }>
const expectInvalid = (res: Answer, ...paths: Array<string>) => {
  expectError(res, 400, "invalid_request")
  for (const path of paths) expect(issuesOf(res).map((i) => i.path), res.text).toContain(path)
}

interface SearchBody {
  results: Array<Json & { product_id: string }>
  total: number
  facets: { brand: Array<{ value: string; count: number }>; category: Array<{ value: string; count: number }>; price: Array<{ min: number; max: number; count: number }>; stock_status: Array<{ value: string; count: number }> }
  page: number
  page_size: number
}

/**
 * Retry `check` until it passes or the lag budget has gone by. The read side may lag writes by up
 * to 1 s under normal load (API.md); the budget is 2 s because test machines run many suites at once.
 */
const withinOneSecond = async <A>(check: () => Promise<A>): Promise<A> => {
  const deadline = Date.now() + 2_000
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((r) => setTimeout(r, 25))
    }
  }
}

describe("catalog reads and search over HTTP", () => {
  let storage: TestStorage
  let store: StoreWithHost
  let base: string
  let admin: string
  let seller: Account
  let shopper: Account
  const tag = randomBytes(3).toString("hex")
  let audio: string
  let headphones: string
  let kitchen: string
  const made: Record<string, { product_id: string; skus: Array<{ sku_id: string }> }> = {}

  const get = (path: string, token?: string) => call(base, "GET", path, { token })
  const post = (path: string, token: string, body: unknown) => call(base, "POST", path, { token, body })
  const search = (params: Record<string, string>) => get(`/v1/search?${new URLSearchParams(params).toString()}`)
  const searchBody = async (params: Record<string, string>) => {
    const res = await search(params)
    expect(res.status, res.text).toBe(200)
    return res.json as SearchBody
  }
  const idsOf = (body: SearchBody) => body.results.map((r) => r.product_id)

  const list = async (key: string, body: Json) => {
    const res = await post("/v1/seller/products", seller.token, body)
    expect(res.status, res.text).toBe(201)
    made[key] = res.json as (typeof made)[string]
    return made[key]!
  }
  const stock = async (skuId: string, onHand: number) => {
    const res = await post("/v1/seller/inventory", seller.token, { sku_id: skuId, warehouse_id: "wh_main", on_hand: onHand })
    expect(res.status, res.text).toBe(200)
  }

  beforeAll(async () => {
    storage = await defaultStorage()
    const adminEmail = uniqueEmail("read-admin")
    store = await startStoreWithHost({ ...storage.env, ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: "admin-password-1" })
    base = store.base
    const login = await call(base, "POST", "/v1/auth/login", { body: { email: adminEmail, password: "admin-password-1" } })
    admin = (login.json as { token: string }).token
    seller = await signUp(base, "read-seller")
    shopper = await signUp(base, "read-shopper")
    expect((await post("/v1/seller/register", seller.token, { display_name: "Sound Shop" })).status).toBe(201)
    expect((await post(`/v1/admin/sellers/${sellerIdOfUser(seller.userId)}/approve`, admin, {})).status).toBe(200)
    const category = async (body: Json) => {
      const res = await post("/v1/admin/categories", admin, body)
      expect(res.status, res.text).toBe(201)
      return (res.json as { category_id: string }).category_id
    }
    audio = await category({ name: `Audio ${tag}` })
    headphones = await category({ name: "Headphones", parent_id: audio })
    kitchen = await category({ name: `Kitchen ${tag}` })
    await list("xm5", {
      title: "Sony WH-1000XM5 Wireless Noise Cancelling Headphones",
      description: "Industry leading noise cancellation, 30 hours of battery.",
      brand: "Sony",
      category_id: headphones,
      attributes: { wireless: true },
      images: ["https://img.example.com/xm5.jpg"],
      skus: [
        { attributes: { colour: "Black" }, price: 29990, currency: "INR" },
        { attributes: { colour: "Silver" }, price: 27990, currency: "INR" }
      ]
    })
    await list("qc", {
      title: "Bose QuietComfort Ultra Headphones",
      description: "Spatial audio and world class noise cancelling.",
      brand: "Bose",
      category_id: headphones,
      attributes: { wireless: true },
      images: [],
      skus: [{ attributes: { colour: "Black" }, price: 35900, currency: "INR" }]
    })
    await list("buds", {
      title: "Sony WF-1000XM5 Earbuds",
      description: "Small noise cancelling earbuds.",
      brand: "Sony",
      category_id: audio,
      attributes: { wireless: true },
      images: [],
      skus: [{ attributes: { colour: "Black" }, price: 19990, currency: "INR" }]
    })
    await list("kettle", {
      title: "Philips Electric Kettle 1.5 L",
      description: "Boils water fast.",
      brand: "Philips",
      category_id: kitchen,
      attributes: { capacity_l: 1.5 },
      images: [],
      skus: [{ attributes: {}, price: 1999, currency: "INR" }]
    })
    await stock(made["xm5"]!.skus[0]!.sku_id, 4)
    await stock(made["xm5"]!.skus[1]!.sku_id, 20)
    await stock(made["qc"]!.skus[0]!.sku_id, 7)
    await stock(made["kettle"]!.skus[0]!.sku_id, 50)
  }, 180_000)
  afterAll(async () => {
    await store?.stop()
    await storage?.cleanup()
  })

  it("serves a new product's page within 1 s with exactly the documented fields; unknown and malformed ids are 404", async () => {
    const xm5 = made["xm5"]!
    const page = await withinOneSecond(async () => {
      const res = await get(`/v1/products/${xm5.product_id}`)
      expect(res.status, res.text).toBe(200)
      expect((res.json as Json)["available_quantity"]).toBe(24)
      return res
    })
    expect(page.headers.get("content-type")).toBe("application/json; charset=utf-8")
    expect(page.json).toEqual({
      product_id: xm5.product_id,
      title: "Sony WH-1000XM5 Wireless Noise Cancelling Headphones",
      price: 27990,
      currency: "INR",
      stock_status: "in_stock",
      available_quantity: 24,
      seller_id: sellerIdOfUser(seller.userId),
      rating: 0,
      review_count: 0,
      description: "Industry leading noise cancellation, 30 hours of battery.",
      brand: "Sony",
      category_id: headphones,
      attributes: { wireless: true },
      images: ["https://img.example.com/xm5.jpg"],
      skus: [
        { sku_id: xm5.skus[0]!.sku_id, attributes: { colour: "Black" }, price: 29990, available_quantity: 4, stock_status: "low_stock" },
        { sku_id: xm5.skus[1]!.sku_id, attributes: { colour: "Silver" }, price: 27990, available_quantity: 20, stock_status: "in_stock" }
      ],
      delivery_estimate: { min_days: 2, max_days: 5 }
    })
    expectError(await get("/v1/products/p_doesnotexist"), 404, "not_found")
    expectError(await get("/v1/products/not-a-product"), 404, "not_found")
    expectError(await get(`/v1/products/${"p_" + "x".repeat(300)}`), 400, "invalid_request")
  })

  it("shows stock changes and listing changes on the page and in search within 1 s", async () => {
    const qc = made["qc"]!
    await stock(qc.skus[0]!.sku_id, 0)
    await withinOneSecond(async () => {
      const page = (await get(`/v1/products/${qc.product_id}`)).json as Json
      expect(page["stock_status"]).toBe("out_of_stock")
      expect(page["available_quantity"]).toBe(0)
    })
    await withinOneSecond(async () => expect(idsOf(await searchBody({ q: "headphones", filters: "in_stock:false" }))).toEqual([qc.product_id]))
    const replaced = await call(base, "PUT", `/v1/seller/products/${qc.product_id}`, {
      token: seller.token,
      body: {
        title: "Bose QuietComfort Ultra Headphones Limited Edition",
        description: "Spatial audio.",
        brand: "Bose",
        category_id: headphones,
        attributes: { wireless: true },
        images: [],
        skus: [{ sku_id: qc.skus[0]!.sku_id, attributes: { colour: "Black" }, price: 32900, currency: "INR" }]
      }
    })
    expect(replaced.status, replaced.text).toBe(200)
    await withinOneSecond(async () => {
      expect(((await get(`/v1/products/${qc.product_id}`)).json as Json)["price"]).toBe(32900)
      expect(idsOf(await searchBody({ q: "limited edition" }))).toEqual([qc.product_id])
    })
  })

  it("searches with relevance, typos, filters, sorts, pages and facets", async () => {
    const { xm5, qc, buds, kettle } = { xm5: made["xm5"]!.product_id, qc: made["qc"]!.product_id, buds: made["buds"]!.product_id, kettle: made["kettle"]!.product_id }
    await withinOneSecond(async () => expect((await searchBody({ q: "kettle" })).total).toBe(1))
    // (the Bose description lost "noise cancelling" in the update above)
    expect(idsOf(await searchBody({ q: "noise cancelling" })).sort()).toEqual([buds, xm5].sort())
    const body = await searchBody({ q: "ultra headphones" })
    expect(idsOf(body)[0]).toBe(qc)
    expect(body).toMatchObject({ page: 1, page_size: 20 })
    expect(body.results[0]).toEqual(
      expect.objectContaining({ title: expect.any(String), price: expect.any(Number), currency: "INR", seller_id: sellerIdOfUser(seller.userId), rating: 0, review_count: 0 })
    )
    expect(idsOf(await searchBody({ q: "headphnoes" })).sort()).toEqual([qc, xm5].sort())
    expect(idsOf(await searchBody({ q: "ketle" }))).toEqual([kettle])
    expect(idsOf(await searchBody({ q: "electrik kettle" }))).toEqual([kettle])
    expect(idsOf(await searchBody({ q: "sony", sort: "price_asc" }))).toEqual([buds, xm5])
    expect(idsOf(await searchBody({ q: "sony", sort: "price_desc" }))).toEqual([xm5, buds])
    expect(idsOf(await searchBody({ q: "", filters: "BRAND:SONY|bose,price:<30000", sort: "price_asc" }))).toEqual([buds, xm5])
    expect(idsOf(await searchBody({ q: "", filters: "brand:sony,price:<=19990" }))).toEqual([buds])
    expect(idsOf(await searchBody({ q: "", filters: "brand:sony,price:<19990" }))).toEqual([])
    expect(idsOf(await searchBody({ q: "", filters: `category:${audio}`, sort: "price_asc" }))).toEqual([buds, xm5, qc])
    expect(idsOf(await searchBody({ q: "", filters: "colour:silver" }))).toEqual([xm5])
    expect(idsOf(await searchBody({ q: "", filters: "capacity_l:>=1.5" }))).toEqual([kettle])
    expect(idsOf(await searchBody({ q: "", filters: "wireless:true,stock_status:in_stock" }))).toEqual(expect.arrayContaining([xm5]))
    const paged = await searchBody({ q: "", filters: `category:${audio}`, sort: "price_asc", page: "2", page_size: "2" })
    expect(paged).toMatchObject({ total: 3, page: 2, page_size: 2 })
    expect(idsOf(paged)).toEqual([qc])
    expect(paged.facets.brand).toEqual([
      { value: "Sony", count: 2 },
      { value: "Bose", count: 1 }
    ])
    expect(paged.facets.category).toEqual([
      { value: headphones, count: 2 },
      { value: audio, count: 1 }
    ])
    expect(paged.facets.price).toEqual([
      { min: 10000, max: 25000, count: 1 },
      { min: 25000, max: 50000, count: 2 }
    ])
    expect(idsOf(await searchBody({ q: "zzqqxx" }))).toEqual([])
  })

  it("refuses bad filters, sorts and pages with 400 invalid_request naming the parameter", async () => {
    expectInvalid(await search({ q: "sony", sort: "cheapest" }), "query.sort")
    expectInvalid(await search({ page: "0" }), "query.page")
    expectInvalid(await search({ page: "abc" }), "query.page")
    expectInvalid(await search({ page_size: "101" }), "query.page_size")
    expectInvalid(await search({ page: "101", page_size: "100" }), "query.page")
    expectInvalid(await search({ filters: "price:<cheap" }), "query.filters")
    expectInvalid(await search({ filters: "brand:<sony" }), "query.filters")
    expectInvalid(await search({ filters: "brnad:sony" }), "query.filters")
    expectInvalid(await search({ filters: "brand" }), "query.filters")
    expectInvalid(await search({ filters: "brand:" }), "query.filters")
    expectInvalid(await search({ filters: "in_stock:maybe" }), "query.filters")
    expectInvalid(await search({ filters: "rating:>9" }), "query.filters")
    expectInvalid(await search({ q: "x".repeat(201) }), "query.q")
    expectInvalid(await search({ unknown: "1" }), "query.unknown")
    const two = await search({ filters: "price:<cheap,brnad:x" })
    expect(issuesOf(two)).toHaveLength(2)
    expectInvalid(await get("/v1/search/autocomplete"), "query.q")
  })

  it("suggests categories, brands and product titles by word prefixes", async () => {
    const res = await get("/v1/search/autocomplete?q=head")
    expect(res.status, res.text).toBe(200)
    expect(res.json).toEqual({
      suggestions: [
        { text: "Headphones" },
        { text: "Bose QuietComfort Ultra Headphones Limited Edition", product_id: made["qc"]!.product_id },
        { text: "Sony WH-1000XM5 Wireless Noise Cancelling Headphones", product_id: made["xm5"]!.product_id }
      ]
    })
    const sony = (await get("/v1/search/autocomplete?q=SONY%20wf")).json as { suggestions: Array<Json> }
    expect(sony.suggestions).toEqual([{ text: "Sony WF-1000XM5 Earbuds", product_id: made["buds"]!.product_id }])
    expect(((await get("/v1/search/autocomplete?q=so")).json as { suggestions: Array<Json> }).suggestions[0]).toEqual({ text: "Sony" })
    expect((await get("/v1/search/autocomplete?q=")).json).toEqual({ suggestions: [] })
  })

  it("lets the cart read the same catalog, records views of signed-in shoppers, and reports the index lag", async () => {
    const kettle = made["kettle"]!
    const added = await post("/v1/cart/items", shopper.token, { sku_id: kettle.skus[0]!.sku_id, quantity: 2 })
    expect(added.status, added.text).toBe(200)
    expect((added.json as { items: Array<Json> }).items[0]).toMatchObject({ product_id: kettle.product_id, title: "Philips Electric Kettle 1.5 L", unit_price: 1999, quantity: 2 })
    expect((await get(`/v1/products/${kettle.product_id}`, shopper.token)).status).toBe(200)
    await withinOneSecond(async () => {
      const viewed = (await get("/v1/me/recently-viewed", shopper.token)).json as { items: Array<Json> }
      expect(viewed.items[0]).toMatchObject({ product_id: kettle.product_id })
    })
    const metrics = (await get("/metrics")).text
    expect(metrics).toMatch(/projection_lag_positions\{projection="catalog"\} \d+/)
    expect(metrics).toMatch(/search_index_lag_ms_count [1-9]/)
    expect(metrics).toMatch(/product_cache_lookups_total\{outcome="hit"\} [1-9]/)
    const openapi = (await get("/v1/openapi.json")).json as { paths: Record<string, unknown> }
    for (const path of ["/v1/products/{product_id}", "/v1/search", "/v1/search/autocomplete"]) expect(openapi.paths).toHaveProperty([path])
  })
})
