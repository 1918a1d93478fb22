/**
 * The catalog read model against real storage (a fresh Postgres schema, and embedded PGlite):
 * products, SKUs, stock and categories written through their actors reach the product cache,
 * the CatalogReader, search and autocomplete; updates and stock changes replace what was there;
 * everything applied twice (projection positions reset) changes nothing; a restart rebuilds the
 * in-memory indexes from the tables.
 */
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { ProductView } from "../gateway/catalog/product-view.ts"
import {
  createCategory,
  createProduct,
  openReadSide,
  type ReadSide,
  readSideStorage,
  type ReadSideStorage,
  reserve,
  setStock,
  simpleProduct,
  updateProduct
} from "./catalog-read.support.ts"

const viewOf = async (side: ReadSide, id: string): Promise<ProductView | null> => {
  const cached = await Effect.runPromise(side.model.products.get(id))
  return cached === null ? null : (JSON.parse(cached.json) as ProductView)
}

interface SearchJson {
  results: Array<{ product_id: string; price: number; stock_status: string }>
  total: number
  facets: { brand: Array<{ value: string; count: number }>; category: Array<{ value: string; count: number }>; price: Array<{ min: number; max: number; count: number }>; stock_status: Array<{ value: string; count: number }> }
}
const search = async (side: ReadSide, q: string, filters?: string, sort: "relevance" | "price_asc" | "price_desc" | "rating" | "newest" = "relevance", page = 1, pageSize = 20) =>
  JSON.parse(await Effect.runPromise(side.model.search.search({ q, filters, sort, page, pageSize }))) as SearchJson
const ids = (r: SearchJson) => r.results.map((x) => x.product_id)

/** Poll until `check` passes (the projection is asynchronous), at most `ms`. */
const eventually = async (check: () => Promise<void>, ms = 3_000) => {
  const deadline = Date.now() + ms
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}

describe.each(["postgres", "embedded"] as const)("catalog read model on %s", (kind) => {
  let storage: ReadSideStorage
  let side: ReadSide

  beforeAll(async () => {
    storage = await readSideStorage(kind)
    // No answer reuse: every search below must see the latest write.
    side = await openReadSide(storage, { searchCacheTtlMs: 0 })
    await createCategory(side.host, { category_id: "cat_electronics", name: "Electronics" })
    await createCategory(side.host, { category_id: "cat_audio", name: "Audio", parent_id: "cat_electronics" })
    await createCategory(side.host, { category_id: "cat_headphones", name: "Headphones", parent_id: "cat_audio" })
    await createCategory(side.host, { category_id: "cat_kitchen", name: "Kitchen" })
    // PGlite takes tens of seconds to start on a busy machine.
  }, 180_000)
  afterAll(async () => {
    await side?.close()
    await storage?.cleanup()
  }, 60_000)

  it("shows a new product with its SKUs, lowest price, summed stock and best status; unknown ids are absent", async () => {
    await createProduct(side.host, {
      product_id: "p_wh1000",
      seller_id: "s_sony",
      title: "Sony WH-1000XM5 Wireless Noise Cancelling Headphones",
      description: "Industry leading noise cancellation with 30 hours of battery.",
      brand: "Sony",
      category_id: "cat_headphones",
      attributes: { wireless: true, "Battery Hours": 30 },
      images: ["https://img.example.com/wh1000.jpg"],
      skus: [
        { sku_id: "sku_wh1000_black", attributes: { colour: "Black" }, price: 29990, currency: "INR", stock: 3 },
        { sku_id: "sku_wh1000_silver", attributes: { colour: "Silver" }, price: 27990, currency: "INR", stock: 12 }
      ]
    })
    expect(await side.model.caughtUp()).toBe(true)
    const view = await viewOf(side, "p_wh1000")
    expect(view).toEqual({
      product_id: "p_wh1000",
      title: "Sony WH-1000XM5 Wireless Noise Cancelling Headphones",
      price: 27990,
      currency: "INR",
      stock_status: "in_stock",
      available_quantity: 15,
      seller_id: "s_sony",
      rating: 0,
      review_count: 0,
      description: "Industry leading noise cancellation with 30 hours of battery.",
      brand: "Sony",
      category_id: "cat_headphones",
      attributes: { wireless: true, "Battery Hours": 30 },
      images: ["https://img.example.com/wh1000.jpg"],
      skus: [
        { sku_id: "sku_wh1000_black", attributes: { colour: "Black" }, price: 29990, available_quantity: 3, stock_status: "low_stock" },
        { sku_id: "sku_wh1000_silver", attributes: { colour: "Silver" }, price: 27990, available_quantity: 12, stock_status: "in_stock" }
      ],
      delivery_estimate: { min_days: 2, max_days: 5 }
    })
    expect(side.model.products.peek("p_wh1000")).toBeDefined()
    const listings = await Effect.runPromise(side.model.products.skus(["sku_wh1000_black", "sku_unknown"]))
    expect([...listings.keys()]).toEqual(["sku_wh1000_black"])
    expect(listings.get("sku_wh1000_black")).toEqual({
      sku_id: "sku_wh1000_black",
      product_id: "p_wh1000",
      seller_id: "s_sony",
      title: "Sony WH-1000XM5 Wireless Noise Cancelling Headphones",
      price: 29990,
      currency: "INR",
      attributes: { colour: "Black" },
      available_quantity: 3,
      stock_status: "low_stock"
    })
    expect(await viewOf(side, "p_nope")).toBeNull()
  })

  it("follows stock changes, listing updates and removed SKUs, in the cache and in search", async () => {
    await reserve(side.host, "sku_wh1000_silver", 2, "res_model_1")
    await eventually(async () => expect((await viewOf(side, "p_wh1000"))!.available_quantity).toBe(13))
    await setStock(side.host, "sku_wh1000_black", 0)
    await setStock(side.host, "sku_wh1000_silver", 2)
    await eventually(async () => {
      const view = (await viewOf(side, "p_wh1000"))!
      expect(view.skus.map((s) => s.stock_status)).toEqual(["out_of_stock", "out_of_stock"])
      expect(view.stock_status).toBe("out_of_stock")
    })
    expect(ids(await search(side, "", "in_stock:false"))).toContain("p_wh1000")
    expect(ids(await search(side, "", "in_stock:true"))).not.toContain("p_wh1000")

    await updateProduct(side.host, {
      product_id: "p_wh1000",
      seller_id: "s_sony",
      title: "Sony WH-1000XM5 Headphones (2024 edition)",
      description: "Now cheaper.",
      brand: "Sony",
      category_id: "cat_headphones",
      attributes: {},
      images: [],
      skus: [{ sku_id: "sku_wh1000_black", attributes: { colour: "Black" }, price: 24990, currency: "INR" }]
    })
    await eventually(async () => {
      const view = (await viewOf(side, "p_wh1000"))!
      expect(view.title).toBe("Sony WH-1000XM5 Headphones (2024 edition)")
      expect(view.price).toBe(24990)
      expect(view.skus.map((s) => s.sku_id)).toEqual(["sku_wh1000_black"])
    })
    const listings = await Effect.runPromise(side.model.products.skus(["sku_wh1000_black", "sku_wh1000_silver"]))
    expect([...listings.keys()]).toEqual(["sku_wh1000_black"])
    expect(ids(await search(side, "edition"))).toEqual(["p_wh1000"])
    expect(ids(await search(side, "cancelling"))).toEqual([])
    const [hit] = (await search(side, "sony headphones")).results
    expect(hit).toMatchObject({ product_id: "p_wh1000", price: 24990, stock_status: "out_of_stock" })
  })

  it("finds products by category names and filters by a category with its subcategories, by id or name", async () => {
    await createProduct(side.host, simpleProduct("p_kettle", { title: "Electric Kettle 1.5 L", brand: "Philips", category_id: "cat_kitchen" }, [1999]))
    await createProduct(side.host, simpleProduct("p_earbuds", { title: "Galaxy Buds Earbuds", brand: "Samsung", category_id: "cat_audio" }, [8999]))
    expect(await side.model.caughtUp()).toBe(true)
    expect(ids(await search(side, "audio")).sort()).toEqual(["p_earbuds", "p_wh1000"])
    for (const f of ["category:cat_electronics", "category:ELECTRONICS", "category:audio"]) expect(ids(await search(side, "", f)).sort(), f).toEqual(["p_earbuds", "p_wh1000"])
    expect(ids(await search(side, "", "category:headphones"))).toEqual(["p_wh1000"])
    expect(ids(await search(side, "", "category:cat_nowhere"))).toEqual([])
    const all = await search(side, "", "", "price_asc")
    expect(ids(all)).toEqual(["p_kettle", "p_earbuds", "p_wh1000"])
    expect(all.total).toBe(3)
    expect(all.facets.brand).toEqual([
      { value: "Philips", count: 1 },
      { value: "Samsung", count: 1 },
      { value: "Sony", count: 1 }
    ])
    expect(all.facets.price).toEqual([
      { min: 1000, max: 2500, count: 1 },
      { min: 5000, max: 10000, count: 1 },
      { min: 10000, max: 25000, count: 1 }
    ])
    expect(side.model.search.autocomplete("hea")).toBe(JSON.stringify({ suggestions: [{ text: "Headphones" }, { text: "Sony WH-1000XM5 Headphones (2024 edition)", product_id: "p_wh1000" }] }))
  })

  it("changes nothing when every batch is applied again, and rebuilds its indexes after a restart", { timeout: 180_000 }, async () => {
    const before = await search(side, "", "", "price_asc")
    const pageBefore = (await Effect.runPromise(side.model.products.get("p_wh1000")))!.json
    // Forget the projection's positions (nothing is being appended now, so the runner stores none before it stops).
    await side.sql((sql) => sql.unsafe(`DELETE FROM positions WHERE owner = 'projection:catalog'`))
    await side.close()
    side = await openReadSide(storage, { searchCacheTtlMs: 0 })
    expect(await side.model.caughtUp()).toBe(true)
    expect(await search(side, "", "", "price_asc")).toEqual(before)
    expect((await Effect.runPromise(side.model.products.get("p_wh1000")))!.json).toBe(pageBefore)
    const rows = await side.sql((sql) => sql.unsafe<{ n: unknown }>(`SELECT count(*) AS n FROM catalog_product_skus`))
    expect(Number(rows[0]!.n)).toBe(3)
    // Rebuilt from the tables: typo corrections, autocomplete and attribute names.
    expect(ids(await search(side, "kettel"))).toEqual(["p_kettle"])
    expect(JSON.parse(side.model.search.autocomplete("galax")).suggestions).toEqual([{ text: "Galaxy Buds Earbuds", product_id: "p_earbuds" }])
    expect(ids(await search(side, "", "colour:black"))).toEqual(["p_wh1000"])
    expect(side.registry.render()).toMatch(/projection_lag_positions\{projection="catalog"\} 0/)
    expect(side.registry.render()).toMatch(/search_index_lag_ms_count [1-9]/)
  })
})
