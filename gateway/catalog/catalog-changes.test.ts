import { describe, expect, it } from "vitest"
import type { Product } from "../../actors/catalog/product.ts"
import type { JournalBatch, JournalEvent } from "../../runtime/ports.ts"
import { CatalogChanges } from "./catalog-changes.ts"

const product = (id: string, title: string): Product => ({
  product_id: id,
  seller_id: "s_1",
  title,
  description: "",
  brand: "Acme",
  category_id: "cat_1",
  attributes: {},
  images: [],
  skus: [{ sku_id: `sku_${id}`, attributes: {}, price: 100, currency: "INR" }],
  created_at: "2025-01-01T00:00:00.000Z",
  updated_at: "2025-01-01T00:00:00.000Z"
})

let position = 0
const batch = (atMs: number, ...events: Array<JournalEvent>): JournalBatch => ({ position: ++position, atMs, events })
const e = (actor: string, seq: number, event: unknown): JournalEvent => ({ actor, seq, event })

describe("catalog changes", () => {
  it("keeps the latest listing per product and remembers a creation among the folded events", () => {
    const c = new CatalogChanges()
    c.applyBatch(batch(10, e("product/p_a", 1, { _tag: "ProductCreated", product: product("p_a", "One") })))
    c.applyBatch(batch(20, e("product/p_a", 2, { _tag: "ProductUpdated", product: product("p_a", "Two"), removed_sku_ids: [] })))
    // a batch delivered again (at least once) does not move it back
    c.applyBatch(batch(10, e("product/p_a", 1, { _tag: "ProductCreated", product: product("p_a", "One") })))
    expect(c.products.get("p_a")).toMatchObject({ seq: 2, created: true, product: { title: "Two" } })
    expect(c.oldestAtMs).toBe(10)
  })

  it("folds SKU events into available units and threshold, each from its latest event", () => {
    const c = new CatalogChanges()
    c.applyBatch(
      batch(
        5,
        e("sku/sku_x", 1, { _tag: "Registered", seller_id: "s_1", low_stock_threshold: 3 }),
        e("sku/sku_x", 2, { _tag: "Received", warehouse_id: "wh", ref: "r", at_ms: 1, on_hand_after: 10, available_after: 10, quantity: 10 }),
        e("sku/sku_x", 3, { _tag: "StockStatusChanged", from: "out_of_stock", to: "in_stock", available: 10 }),
        e("sku/sku_x", 4, { _tag: "Subscribed", user_id: "u" }),
        e("sku/sku_y", 7, { _tag: "LowStockThresholdSet", low_stock_threshold: 9 })
      )
    )
    c.applyBatch(batch(6, e("sku/sku_x", 5, { _tag: "Reserved", available_after: 8 })))
    expect(c.stock.get("sku_x")).toEqual({ sku_id: "sku_x", seq: 5, available: 8, low_stock_threshold: 3 })
    expect(c.stock.get("sku_y")).toEqual({ sku_id: "sku_y", seq: 7, available: undefined, low_stock_threshold: 9 })
    const later = new CatalogChanges()
    later.applyBatch(batch(7, e("sku/sku_y", 8, { _tag: "Adjusted", available_after: 4 })))
    c.merge(later)
    expect(c.stock.get("sku_y")).toEqual({ sku_id: "sku_y", seq: 8, available: 4, low_stock_threshold: 9 })
  })

  it("records categories, ignores other actors, and skips undecodable events with a log line", () => {
    const logged: Array<string> = []
    const c = new CatalogChanges((m) => logged.push(m))
    c.applyBatch(
      batch(
        1,
        e("category/cat_a", 1, { _tag: "CategoryCreated", name: "Audio", parent_id: null, created_at: "2025-01-01T00:00:00Z" }),
        e("cart/c_1", 1, { _tag: "ItemAdded" }),
        e("product/p_bad", 1, { _tag: "ProductCreated", product: { nope: true } })
      )
    )
    expect([...c.categories.values()]).toEqual([{ category_id: "cat_a", seq: 1, name: "Audio", parent_id: null }])
    expect(c.products.size).toBe(0)
    expect(logged).toHaveLength(1)
    const idle = new CatalogChanges()
    idle.applyBatch(batch(1, e("session/s", 1, { _tag: "Opened" })))
    expect(idle.isEmpty).toBe(true)
    expect(idle.oldestAtMs).toBe(Infinity)
  })
})
