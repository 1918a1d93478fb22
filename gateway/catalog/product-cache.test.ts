import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import type { Product } from "../../actors/catalog/product.ts"
import { StorageUnavailable } from "../../runtime/errors.ts"
import { MetricsRegistry } from "../../runtime/metrics.ts"
import type { StoredProduct } from "../../storage/postgres/catalog-reads.ts"
import { ProductCache, type ProductSource } from "./product-cache.ts"

const doc = (id: string, title: string, skus: Array<string> = [`sku_${id}`]): Product => ({
  product_id: id,
  seller_id: "s_1",
  title,
  description: "",
  brand: "Acme",
  category_id: "cat_1",
  attributes: {},
  images: [],
  skus: skus.map((sku_id) => ({ sku_id, attributes: {}, price: 100, currency: "INR" })),
  created_at: "2025-01-01T00:00:00.000Z",
  updated_at: "2025-01-01T00:00:00.000Z"
})

/** A read model in memory whose reads can be held until released, to interleave them with changes. */
const source = () => {
  const rows = new Map<string, StoredProduct>()
  const gates: Array<() => void> = []
  let held = false
  let reads = 0
  let failing = false
  const gate = () => (held ? new Promise<void>((r) => gates.push(r)) : Promise.resolve())
  const s: ProductSource = {
    load: (ids) =>
      Effect.promise(async () => {
        reads++
        const snapshot = ids.map((id) => rows.get(id)).filter((r) => r !== undefined)
        await gate()
        return snapshot
      }).pipe(Effect.flatMap((r) => (failing ? Effect.fail(new StorageUnavailable({ store: "test", message: "down" })) : Effect.succeed(r)))),
    productsOfSkus: (skus) =>
      Effect.promise(async () => {
        const found = new Map<string, string>()
        for (const r of rows.values()) for (const s of (r.doc as Product).skus) if (skus.includes(s.sku_id)) found.set(s.sku_id, r.product_id)
        await gate()
        return found
      }),
    scan: (after, limit) =>
      Effect.promise(async () => {
        reads++
        const page = [...rows.values()]
          .filter((r) => r.product_id > after)
          .sort((a, b) => (a.product_id < b.product_id ? -1 : 1))
          .slice(0, limit)
        await gate()
        return page
      })
  }
  return {
    s,
    put: (p: Product, available = 5) =>
      rows.set(p.product_id, {
        product_id: p.product_id,
        doc: p,
        rating: 0,
        review_count: 0,
        stock: p.skus.map((k) => ({ sku_id: k.sku_id, available, stock_status: available > 5 ? "in_stock" : available > 0 ? "low_stock" : "out_of_stock" }))
      }),
    hold: () => (held = true),
    release: () => {
      held = false
      for (const g of gates.splice(0)) g()
    },
    reads: () => reads,
    fail: (on: boolean) => (failing = on)
  }
}

const cacheOn = (s: ProductSource, maxProducts = 100) => new ProductCache(s, { maxProducts, maxAbsent: 100, delivery: { min_days: 1, max_days: 3 } }, new MetricsRegistry())
const title = (c: ProductCache, id: string) => Effect.runPromise(c.get(id)).then((p) => (p === null ? null : (JSON.parse(p.json) as { title: string }).title))
const tick = () => new Promise((r) => setTimeout(r, 0))

describe("product cache", () => {
  it("reads a product once, then answers from memory; concurrent misses share one read", async () => {
    const src = source()
    src.put(doc("p_1", "One"))
    const cache = cacheOn(src.s)
    const [a, b] = await Promise.all([title(cache, "p_1"), title(cache, "p_1")])
    expect([a, b]).toEqual(["One", "One"])
    expect(await title(cache, "p_1")).toBe("One")
    expect(cache.peek("p_1")).toBeDefined()
    expect(src.reads()).toBe(1)
  })

  it("remembers absent ids until a change names them", async () => {
    const src = source()
    const cache = cacheOn(src.s)
    expect(await title(cache, "p_new")).toBeNull()
    expect(await title(cache, "p_new")).toBeNull()
    expect(src.reads()).toBe(1)
    src.put(doc("p_new", "New"))
    cache.changed(["p_new"], ["sku_p_new"], true)
    expect(await title(cache, "p_new")).toBe("New")
  })

  it("re-reads cached products a change touched, and never caches a read that raced a change", async () => {
    const src = source()
    src.put(doc("p_1", "One"))
    const cache = cacheOn(src.s)
    expect(await title(cache, "p_1")).toBe("One")
    src.put(doc("p_1", "Two"))
    cache.changed(["p_1"], [], true)
    await tick()
    await tick()
    expect(await title(cache, "p_1")).toBe("Two")

    // A miss reads the old row, the product changes (and the change is announced) before the read returns.
    src.put(doc("p_2", "Old"))
    src.hold()
    const racing = title(cache, "p_2")
    await tick()
    src.put(doc("p_2", "New"))
    cache.changed(["p_2"], [], true)
    src.release()
    expect(await racing).toBe("Old") // its caller gets what it read…
    expect(cache.peek("p_2")).toBeUndefined() // …but it is not kept
    expect(await title(cache, "p_2")).toBe("New")
  })

  it("drops re-read pages it could not refresh, and fails reads with StorageUnavailable", async () => {
    const src = source()
    src.put(doc("p_1", "One"))
    const cache = cacheOn(src.s)
    await title(cache, "p_1")
    src.fail(true)
    cache.changed(["p_1"], [], false)
    await tick()
    await tick()
    expect(cache.peek("p_1")).toBeUndefined()
    const failed = await Effect.runPromise(Effect.either(cache.get("p_1")))
    expect(failed._tag === "Left" && failed.left._tag).toBe("StorageUnavailable")
  })

  it("serves SKU listings, forgets SKUs a listing dropped, and evicts the least recently used", async () => {
    const src = source()
    src.put(doc("p_1", "One", ["sku_a", "sku_b"]))
    src.put(doc("p_2", "Two", ["sku_c"]))
    const cache = cacheOn(src.s, 1)
    const first = await Effect.runPromise(cache.skus(["sku_a", "sku_zz"]))
    expect([...first.keys()]).toEqual(["sku_a"])
    expect(first.get("sku_a")).toMatchObject({ product_id: "p_1", title: "One", price: 100, currency: "INR", available_quantity: 5, stock_status: "low_stock" })
    src.put(doc("p_1", "One", ["sku_a"]))
    cache.changed(["p_1"], ["sku_a"], true)
    await tick()
    await tick()
    expect([...(await Effect.runPromise(cache.skus(["sku_a", "sku_b"]))).keys()]).toEqual(["sku_a"])
    await title(cache, "p_2") // capacity 1: p_1 goes
    expect(cache.peek("p_1")).toBeUndefined()
    expect([...(await Effect.runPromise(cache.skus(["sku_c"]))).keys()]).toEqual(["sku_c"])
  })

  it("fills at start in pages; a complete cache also takes in new products a change names, and answers without reads", async () => {
    const src = source()
    for (let i = 0; i < 5; i++) src.put(doc(`p_${i}`, `T${i}`))
    const cache = cacheOn(src.s, 10)
    const filled = await cache.fill(2)
    expect(filled).toEqual(Either.right(5))
    expect(src.reads()).toBe(3)
    for (let i = 0; i < 5; i++) expect(cache.peek(`p_${i}`)).toBeDefined()
    expect([...(await Effect.runPromise(cache.skus(["sku_p_3"]))).keys()]).toEqual(["sku_p_3"])
    expect(src.reads()).toBe(3)
    src.put(doc("p_new", "New"))
    cache.changed(["p_new"], ["sku_p_new"], true)
    await tick()
    await tick()
    expect(cache.peek("p_new")).toBeDefined()
  })

  it("stops filling when full (then only cached products are re-read on change), and skips products changed while their page was read", async () => {
    const src = source()
    for (let i = 0; i < 5; i++) src.put(doc(`p_${i}`, `T${i}`))
    const small = cacheOn(src.s, 3)
    expect(await small.fill(2)).toEqual(Either.right(3))
    expect(small.peek("p_3")).toBeUndefined()
    src.put(doc("p_new", "New"))
    small.changed(["p_new"], [], true)
    await tick()
    await tick()
    expect(small.peek("p_new")).toBeUndefined()

    const cache = cacheOn(src.s, 10)
    src.hold()
    const filling = cache.fill(10)
    await tick()
    src.put(doc("p_2", "Changed"))
    cache.changed(["p_2"], [], true)
    src.release()
    expect(await filling).toEqual(Either.right(5))
    expect(cache.peek("p_2")).toBeUndefined()
    expect(await title(cache, "p_2")).toBe("Changed")
  })
})
