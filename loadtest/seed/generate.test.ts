import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { Email, UserId } from "../../actors/accounts/fields.ts"
import { AttributeSchema } from "../../actors/catalog/attributes.ts"
import { CategoryId, SellerId } from "../../actors/catalog/fields.ts"
import { listingAttributeIssues, ProductCommand } from "../../actors/catalog/product.ts"
import { WarehouseId } from "../../actors/warehouses/warehouses.ts"
import {
  checkSeedOptions,
  defaultSeedOptions,
  productAt,
  productsOf,
  schemaOf,
  type SeedOptions,
  seedCategories,
  seedSellers,
  seedWarehouses
} from "./generate.ts"
import { priceIn } from "./prices.ts"
import { rngFor } from "./prng.ts"
import { leafCategories } from "./taxonomy/index.ts"

const options: SeedOptions = { ...defaultSeedOptions, seed: 42, products: 3_000, warehouses: 3 }
const catalog = [...productsOf(options)]
const isCreate = Schema.is(ProductCommand)

describe("the random streams", () => {
  it("repeat for the same seed and path and differ otherwise", () => {
    const draw = (seed: number, ...path: Array<string | number>) => {
      const r = rngFor(seed, ...path)
      return Array.from({ length: 8 }, () => r.next())
    }
    expect(draw(42, "product", 7)).toEqual(draw(42, "product", 7))
    expect(draw(42, "product", 7)).not.toEqual(draw(43, "product", 7))
    expect(draw(42, "product", 7)).not.toEqual(draw(42, "product", 8))
    const r = rngFor(1, "ints")
    for (let i = 0; i < 1_000; i++) {
      const n = r.int(3, 5)
      expect(n >= 3 && n <= 5 && Number.isInteger(n)).toBe(true)
    }
  })
})

describe("the catalog generator", () => {
  it("is deterministic: the same seed gives the same catalog, another seed another one", () => {
    expect([...productsOf(options, 0, 200)]).toEqual(catalog.slice(0, 200))
    const other = [...productsOf({ ...options, seed: 43 }, 0, 200)]
    expect(other.map((p) => p.product_id)).not.toEqual(catalog.slice(0, 200).map((p) => p.product_id))
    expect(other.map((p) => p.title)).not.toEqual(catalog.slice(0, 200).map((p) => p.title))
  })

  it("draws product i the same whatever the catalog size, and in any order", () => {
    expect(productAt({ ...options, products: 10 }, 5)).toEqual(catalog[5])
    expect(productAt({ ...options, products: 100_000 }, 2_999)).toEqual(catalog[2_999])
  })

  it("gives every product attributes that are valid under its category's schema", () => {
    for (const p of catalog) {
      const schema = schemaOf(p.category_id)
      expect(schema, p.category_id).toBeDefined()
      expect(listingAttributeIssues(schema, p), `${p.product_id} ${p.title}`).toEqual([])
    }
  })

  it("builds product Create commands the product actor's schema accepts", () => {
    for (const p of catalog) {
      const command = {
        _tag: "Create" as const,
        seller_id: p.seller_id,
        title: p.title,
        description: p.description,
        brand: p.brand,
        category_id: p.category_id,
        attributes: p.attributes,
        images: p.images,
        skus: p.skus.map((s) => ({ sku_id: s.sku_id, attributes: s.attributes, price: s.price, currency: s.currency })),
        attribute_schema: schemaOf(p.category_id),
        created_at: p.created_at
      }
      expect(isCreate(command), p.product_id).toBe(true)
    }
  })

  it("lists 1..4 SKUs per product with distinct attributes, positive prices in the store currency and https image URLs", () => {
    for (const p of catalog) {
      expect(p.skus.length).toBeGreaterThanOrEqual(1)
      expect(p.skus.length).toBeLessThanOrEqual(4)
      expect(new Set(p.skus.map((s) => JSON.stringify(s.attributes))).size).toBe(p.skus.length)
      for (const s of p.skus) {
        expect(s.currency).toBe("INR")
        expect(Number.isInteger(s.price) && s.price > 0).toBe(true)
        expect(s.sku_id).toMatch(/^sku_[A-Za-z0-9_-]{1,64}$/)
      }
      expect(p.images.length).toBeGreaterThanOrEqual(1)
      for (const url of p.images) expect(url).toMatch(/^https:\/\/images\.example\.com\/catalog\/[a-z-]+\/p_[A-Za-z0-9_-]{16}\/\d\.jpg$/)
      expect(p.description).toContain(p.title)
    }
    const ids = catalog.flatMap((p) => [p.product_id, ...p.skus.map((s) => s.sku_id)])
    expect(new Set(ids).size).toBe(ids.length)
  })

  it("spreads products over every leaf category and sellers over the categories they sell", () => {
    const seen = new Set(catalog.map((p) => p.category_id))
    for (const leaf of leafCategories) expect(seen.has(leaf.category_id), leaf.category_id).toBe(true)
    for (const p of catalog) {
      const seller = seedSellers.find((s) => s.seller_id === p.seller_id)!
      const parent = leafCategories.find((c) => c.category_id === p.category_id)!.parent_id
      expect(seller.sells.length === 0 || seller.sells.includes(parent)).toBe(true)
    }
    expect(new Set(catalog.map((p) => p.brand)).size).toBeGreaterThan(100)
    expect(new Set(catalog.map((p) => p.title)).size).toBeGreaterThan(catalog.length * 0.6)
  })

  it("stocks SKUs in the configured warehouses, some out of stock and some low", () => {
    const allowed = new Set(seedWarehouses(options.warehouses).map((w) => w.warehouse_id))
    const skus = catalog.flatMap((p) => p.skus)
    const totals = skus.map((s) => s.stock.reduce((sum, line) => sum + line.quantity, 0))
    for (const s of skus) {
      expect(new Set(s.stock.map((l) => l.warehouse_id)).size).toBe(s.stock.length)
      for (const line of s.stock) {
        expect(allowed.has(line.warehouse_id)).toBe(true)
        expect(Number.isInteger(line.quantity) && line.quantity >= 1).toBe(true)
      }
    }
    const share = (f: (n: number) => boolean) => totals.filter(f).length / totals.length
    expect(share((n) => n === 0)).toBeGreaterThan(0.03)
    expect(share((n) => n >= 1 && n <= 5)).toBeGreaterThan(0.05)
    expect(share((n) => n > 5)).toBeGreaterThan(0.7)
    expect(new Set(skus.flatMap((s) => s.stock.map((l) => l.warehouse_id)))).toEqual(allowed)
  })

  it("has a category tree, sellers and warehouses with valid ids and schemas", () => {
    for (const c of seedCategories) {
      expect(Schema.is(CategoryId)(c.category_id)).toBe(true)
      if (c.parent_id !== null) expect(seedCategories.findIndex((p) => p.category_id === c.parent_id)).toBeLessThan(seedCategories.indexOf(c))
      if (c.attribute_schema !== undefined) expect(() => Schema.decodeUnknownSync(AttributeSchema)(c.attribute_schema)).not.toThrow()
    }
    expect(seedCategories.filter((c) => c.parent_id === null).map((c) => c.name)).toEqual(
      expect.arrayContaining(["Electronics", "Fashion", "Grocery", "Home & Kitchen", "Books"])
    )
    for (const s of seedSellers) {
      expect(Schema.is(SellerId)(s.seller_id)).toBe(true)
      expect(Schema.is(UserId)(s.user_id)).toBe(true)
      expect(Schema.is(Email)(s.email)).toBe(true)
    }
    for (const w of seedWarehouses(9)) expect(Schema.is(WarehouseId)(w.warehouse_id)).toBe(true)
    expect(seedWarehouses(3).map((w) => w.warehouse_id)).toEqual(["wh_main", "wh_mumbai", "wh_delhi"])
  })

  it("gives grocery items a weight or volume and an expiry date, and books valid ISBN-13s", () => {
    for (const p of catalog.filter((p) => ["cat_snacks", "cat_beverages", "cat_staples"].includes(p.category_id))) {
      expect(String(p.attributes["expiry_date"])).toMatch(/^20\d\d-\d\d-\d\d$/)
      for (const s of p.skus) expect(typeof (s.attributes["weight_g"] ?? s.attributes["volume_ml"])).toBe("number")
    }
    const isbns = catalog.flatMap((p) => p.skus.map((s) => s.attributes["isbn"])).filter((v): v is string => typeof v === "string")
    expect(isbns.length).toBeGreaterThan(50)
    for (const isbn of isbns) {
      const digits = [...isbn].map(Number)
      expect(digits.reduce((s, d, i) => s + d * (i % 2 === 0 ? 1 : 3), 0) % 10).toBe(0)
    }
  })

  it("prices in minor units of the store currency with charm endings", () => {
    expect(priceIn("INR", 54_870)).toBe(5_489_900)
    expect(priceIn("INR", 503)).toBe(49_900)
    expect(priceIn("INR", 45.4)).toBe(4_500)
    expect(priceIn("USD", 54_870)).toBe(65_799)
    expect(priceIn("USD", 300)).toBe(349)
    expect(priceIn("JPY", 1_000)).toBe(1_780)
    const usd = productAt({ ...options, currency: "USD" }, 1)
    expect(usd.skus.every((s) => s.currency === "USD" && s.price % 100 === 99)).toBe(true)
    expect(usd.title).toBe(catalog[1]!.title)
  })

  it("refuses options out of range", () => {
    expect(() => checkSeedOptions({ ...options, warehouses: 0 })).toThrow(/warehouses/)
    expect(() => checkSeedOptions({ ...options, warehouses: 10 })).toThrow(/warehouses/)
    expect(() => checkSeedOptions({ ...options, products: -1 })).toThrow(/products/)
    expect(() => checkSeedOptions({ ...options, seed: 1.5 })).toThrow(/seed/)
    expect(() => checkSeedOptions({ ...options, currency: "inr" })).toThrow(/currency/)
  })
})
