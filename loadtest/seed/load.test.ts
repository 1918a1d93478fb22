import { afterEach, describe, expect, it } from "vitest"
import { user, type User } from "../../actors/accounts/user.ts"
import { categoryTree, categoryTreeActorId, type CategoryNode } from "../../actors/catalog/category-tree.ts"
import { product, type Product } from "../../actors/catalog/product.ts"
import { seller, type SellerView } from "../../actors/catalog/seller.ts"
import type { SkuView } from "../../actors/inventory/sku-schema.ts"
import { sku } from "../../actors/inventory/sku.ts"
import { type Warehouse, warehouses, warehousesActorId } from "../../actors/warehouses/warehouses.ts"
import { sellerIdOfUser } from "../../gateway/inventory/sellers.ts"
import { storeActors } from "../../gateway/store.ts"
import { ActorHost, type HostPorts } from "../../runtime/host.ts"
import { makeMemoryJournal, makeMemoryPositionStore, makeMemorySnapshotStore } from "../../storage/memory.ts"
import { productAt, productsOf, type SeedOptions, seedCategories, seedSellers } from "./generate.ts"
import { type CatalogLoadSettings, loadCatalog, lockedPasswordHash, storeHasNoCatalog } from "./load.ts"

const options: SeedOptions = { seed: 7, products: 120, warehouses: 3, currency: "INR" }
const settings: CatalogLoadSettings = { concurrency: 16, sellerPasswordHash: lockedPasswordHash, log: undefined, progressEveryMs: 1_000 }

const hosts: Array<ActorHost> = []
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.stop()
})

const memoryPorts = (): HostPorts => ({ journal: makeMemoryJournal(), snapshots: makeMemorySnapshotStore(), positions: makeMemoryPositionStore() })
const startHost = async (ports: HostPorts) => {
  const host = new ActorHost(ports, storeActors, { shardCount: 8, checkpointEveryMs: 60_000, passivationSweepMs: 60_000 }, undefined, () => {})
  await host.start()
  hosts.push(host)
  return host
}

describe("loading the catalog through the actors", () => {
  it("writes categories, sellers, warehouses, SKUs with stock and products that read back as generated", async () => {
    const host = await startHost(memoryPorts())
    expect(await storeHasNoCatalog(host)).toBe(true)
    const report = await loadCatalog(host, options, settings)
    expect(report.products).toBe(options.products)
    expect(report.skus).toBe([...productsOf(options)].reduce((n, p) => n + p.skus.length, 0))
    expect(report.events).toBeGreaterThan(report.skus)
    expect(await storeHasNoCatalog(host)).toBe(false)

    const tree = await host.ask<{ categories: ReadonlyArray<CategoryNode> }>(categoryTree, categoryTreeActorId, { _tag: "Get" })
    const flat = tree.categories.flatMap((top) => [top, ...top.children])
    expect(flat.map((c) => c.category_id).sort()).toEqual(seedCategories.map((c) => c.category_id).sort())

    const stored = await host.ask<{ warehouses: ReadonlyArray<Warehouse> }>(warehouses, warehousesActorId, { _tag: "List" })
    expect(stored.warehouses.map((w) => w.warehouse_id)).toEqual(["wh_main", "wh_mumbai", "wh_delhi"])

    for (const s of seedSellers) {
      const view = await host.ask<SellerView>(seller, s.seller_id, { _tag: "Get" })
      expect(view.status).toBe("approved")
      expect(view.seller_id).toBe(sellerIdOfUser(s.user_id))
      const account = await host.ask<User>(user, s.user_id, { _tag: "Get" })
      expect(account.roles).toContain("seller")
      expect(account.email).toBe(s.email)
    }

    for (const p of productsOf(options)) {
      const listed = await host.ask<Product>(product, p.product_id, { _tag: "Get" })
      expect(listed).toMatchObject({ title: p.title, brand: p.brand, seller_id: p.seller_id, category_id: p.category_id, created_at: p.created_at })
      expect(listed.skus.map((s) => s.sku_id)).toEqual(p.skus.map((s) => s.sku_id))
      for (const s of p.skus) {
        const view = await host.ask<SkuView>(sku, s.sku_id, { _tag: "Get" })
        expect(view.seller_id).toBe(p.seller_id)
        expect(view.available).toBe(s.stock.reduce((n, l) => n + l.quantity, 0))
        expect(view.warehouses.map((w) => w.warehouse_id).sort()).toEqual(s.stock.map((l) => l.warehouse_id).sort())
      }
    }
  })

  it("is idempotent: a second run, also after a restart on the same storage, appends no event and does not fail", async () => {
    const ports = memoryPorts()
    const first = await startHost(ports)
    await loadCatalog(first, options, settings)
    const again = await loadCatalog(first, options, settings)
    expect(again).toMatchObject({ products: options.products, events: 0, productsKept: 0, receives: 0 })

    // A seller changes one seeded product and sells out a seeded SKU: a rerun leaves both alone.
    const changed = productAt(options, 3)
    const current = await first.ask<Product>(product, changed.product_id, { _tag: "Get" })
    const { product_id: _id, created_at: _c, updated_at: _u, ...listing } = current
    await first.ask(product, changed.product_id, { _tag: "Update", ...listing, title: `${current.title} (new)`, updated_at: new Date().toISOString() })
    const stocked = [...productsOf(options)].flatMap((p) => p.skus).find((s) => s.stock.length > 0)!
    const line = stocked.stock[0]!
    await first.ask(sku, stocked.sku_id, { _tag: "SetOnHand", warehouse_id: line.warehouse_id, on_hand: 0, ref: "sold-out" })
    await first.stop()
    hosts.splice(hosts.indexOf(first), 1)

    const second = await startHost(ports)
    const rerun = await loadCatalog(second, options, settings)
    expect(rerun).toMatchObject({ products: options.products, events: 0, productsKept: 1, receives: 0 })
    expect((await second.ask<Product>(product, changed.product_id, { _tag: "Get" })).title).toBe(`${current.title} (new)`)
    const view = await second.ask<SkuView>(sku, stocked.sku_id, { _tag: "Get" })
    expect(view.warehouses.find((w) => w.warehouse_id === line.warehouse_id)!.on_hand).toBe(0)
  })

  it("completes a product whose load was cut off after its SKUs were registered and partly stocked", async () => {
    const host = await startHost(memoryPorts())
    const cut = [...productsOf(options)].find((p) => p.skus.some((s) => s.stock.length >= 2))!
    const sku0 = cut.skus.find((s) => s.stock.length >= 2)!
    const first = sku0.stock[0]!
    await host.ask(sku, sku0.sku_id, { _tag: "Register", seller_id: cut.seller_id })
    await host.ask(sku, sku0.sku_id, { _tag: "Receive", warehouse_id: first.warehouse_id, quantity: first.quantity, ref: `catalog-seed:${first.warehouse_id}` })
    await loadCatalog(host, options, settings)
    const view = await host.ask<SkuView>(sku, sku0.sku_id, { _tag: "Get" })
    expect(view.available).toBe(sku0.stock.reduce((n, l) => n + l.quantity, 0))
    expect((await host.ask<Product>(product, cut.product_id, { _tag: "Get" })).title).toBe(cut.title)
  })

  it("adds the products of a larger run to a smaller one", async () => {
    const host = await startHost(memoryPorts())
    await loadCatalog(host, { ...options, products: 40 }, settings)
    const more = await loadCatalog(host, { ...options, products: 60 }, settings)
    expect(more.products).toBe(60)
    expect(more.events).toBeGreaterThan(0)
    const last = productAt(options, 59)
    expect((await host.ask<Product>(product, last.product_id, { _tag: "Get" })).title).toBe(last.title)
    expect((await loadCatalog(host, { ...options, products: 60 }, settings)).events).toBe(0)
  })
})
