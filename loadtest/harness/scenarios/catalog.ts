/**
 * `browse`, `cart` and `mixed` over the demo catalog (200 products of seed 2024, what a fresh
 * `npm start` loads; `--target` must have it too):
 *   browse  product pages 60 %, search 25 % (seed/search-mix: brands, kinds, typos, filters, sorts,
 *           pages), autocomplete 15 %, products uniform
 *   cart    POST /v1/cart/items {sku_id, quantity: 1}, shoppers and SKUs spread
 *   mixed   a day-like mix: 90 % reads (product pages with Zipf(1) popularity, search,
 *           autocomplete), 10 % writes (cart adds of the popular products' SKUs)
 * Audit of the cart writes: every shopper's cart read back holds at least the acknowledged adds
 * of each SKU and at most those plus the adds left unanswered.
 */
import { demoCatalogOptions } from "../../seed/demo.ts"
import { productAt } from "../../seed/generate.ts"
import { rngFor } from "../../seed/prng.ts"
import { autocompletePaths, searchPaths } from "../../seed/search-mix.ts"
import type { Outcome } from "../driver.ts"
import { inParallel, sleep } from "../http.ts"
import { setUpShoppers, type Shopper } from "./shop.ts"
import { check, type Scenario, type ScenarioContext, type Workload } from "./types.ts"

const demo = demoCatalogOptions("INR")
const catalog = () => Array.from({ length: demo.products }, (_, i) => productAt(demo, i))

const ok2xx = (status: number) => status >= 200 && status < 300

/** A read of a path: ok when 2xx (a 404 of a product the catalog lists is an error). */
const read = (ctx: ScenarioContext, kind: string, path: string) => async (): Promise<Outcome> => {
  const res = await ctx.http.request("GET", path)
  return { kind, status: res.status, code: res.code, ok: ok2xx(res.status) }
}

/** Waits until the catalog's last product is listed (the demo catalog is loaded before the store announces itself; the read model may lag). */
const catalogReady = async (ctx: ScenarioContext, productIds: ReadonlyArray<string>) => {
  for (let attempt = 0; ; attempt++) {
    const res = await ctx.http.request("GET", `/v1/products/${productIds[productIds.length - 1]}`)
    if (res.status === 200) return
    if (attempt > 300) throw new Error(`the demo catalog is not there (GET /v1/products/${productIds[productIds.length - 1]} answered ${res.status}); a --target must run with the demo catalog`)
    await sleep(100)
  }
}

/** Zipf(s) over n ranks: sampling by binary search in the cumulative weights. */
export const zipf = (n: number, s = 1) => {
  const cdf = new Float64Array(n)
  let sum = 0
  for (let k = 0; k < n; k++) cdf[k] = sum += 1 / (k + 1) ** s
  return (u: number) => {
    const x = u * sum
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (cdf[mid]! < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** Cart adds by a pool of shoppers, and their audit. */
const cartWrites = async (ctx: ScenarioContext, skusOf: (shopper: number, u: number) => string) => {
  const count = Math.min(200, Math.max(10, ctx.connections))
  ctx.log(`signing up ${count} shoppers…`)
  const shoppers: ReadonlyArray<Shopper> = await setUpShoppers(ctx.http, ctx.target, count, false)
  const acked = shoppers.map(() => new Map<string, number>())
  const unanswered = shoppers.map(() => 0)
  const rng = rngFor(ctx.seed, "cart-writes")
  const add = async (i: number): Promise<Outcome> => {
    const s = i % shoppers.length
    const sku = skusOf(s, rng.next())
    const res = await ctx.http.request("POST", "/v1/cart/items", { token: shoppers[s]!.token, body: { sku_id: sku, quantity: 1 } })
    if (res.status === 200) acked[s]!.set(sku, (acked[s]!.get(sku) ?? 0) + 1)
    else if (res.status === 0 || res.status >= 500) unanswered[s]!++
    // 409 out_of_stock and 422 quantity/cart limits are the store's answers, not failures.
    return { kind: "cart-add", status: res.status, code: res.code, ok: res.status === 200 || res.status === 409 || res.status === 422 }
  }
  const audit = async () => {
    let problems = 0
    let total = 0
    const examples: Array<string> = []
    await inParallel(shoppers, 8, async (shopper, s) => {
      const res = await ctx.http.request("GET", "/v1/cart", { token: shopper.token })
      if (res.status !== 200) {
        problems++
        examples.push(`GET /v1/cart of shopper ${s}: ${res.status}`)
        return
      }
      const have = new Map<string, number>((res.json.items as Array<{ sku_id: string; quantity: number }>).map((l) => [l.sku_id, l.quantity]))
      let units = 0
      for (const q of have.values()) units += q
      let ackedUnits = 0
      for (const [sku, n] of acked[s]!) {
        ackedUnits += n
        total += n
        if ((have.get(sku) ?? 0) < n) {
          problems++
          if (examples.length < 5) examples.push(`shopper ${s} ${sku}: ${have.get(sku) ?? 0} in the cart, ${n} acknowledged`)
        }
      }
      if (units > ackedUnits + unanswered[s]!) {
        problems++
        if (examples.length < 5) examples.push(`shopper ${s}: ${units} units in the cart, ${ackedUnits} acknowledged + ${unanswered[s]} unanswered`)
      }
    })
    return [check("every acknowledged cart add is in its cart", problems === 0, `${total} acknowledged adds over ${shoppers.length} carts; ${problems} problems${examples.length > 0 ? `: ${examples.join("; ")}` : ""}`)]
  }
  return { add, audit, shoppers: shoppers.length }
}

const stocked = () => catalog().map((p) => ({ productId: p.product_id, skus: p.skus.filter((k) => k.stock.length > 0).map((k) => k.sku_id) }))

export const browse: Scenario = {
  name: "browse",
  describe: "product pages 60 %, search 25 %, autocomplete 15 % over the demo catalog",
  storeEnv: { DEMO_CATALOG: "on" },
  setUp: async (ctx): Promise<Workload> => {
    const ids = catalog().map((p) => p.product_id)
    await catalogReady(ctx, ids)
    const searches = searchPaths(ctx.seed, 2000, "INR")
    const prefixes = autocompletePaths(ctx.seed, 2000)
    const rng = rngFor(ctx.seed, "browse")
    return {
      operation: (i) => {
        const u = rng.next()
        if (u < 0.6) return read(ctx, "product", `/v1/products/${ids[rng.int(0, ids.length - 1)]}`)()
        if (u < 0.85) return read(ctx, "search", searches[i % searches.length]!)()
        return read(ctx, "autocomplete", prefixes[i % prefixes.length]!)()
      },
      audit: async () => [],
      facts: { products: ids.length, searchPaths: searches.length, autocompletePaths: prefixes.length }
    }
  }
}

export const cart: Scenario = {
  name: "cart",
  describe: "POST /v1/cart/items {sku_id, quantity: 1}, shoppers round-robin, 20 SKUs of the demo catalog per shopper",
  storeEnv: { DEMO_CATALOG: "on" },
  setUp: async (ctx): Promise<Workload> => {
    const products = stocked()
    await catalogReady(ctx, products.map((p) => p.productId))
    const skus = products.flatMap((p) => p.skus)
    // 20 SKUs per shopper: a cart holds at most 100 lines.
    const writes = await cartWrites(ctx, (s, u) => skus[(s * 20 + Math.floor(u * 20)) % skus.length]!)
    return { operation: writes.add, audit: writes.audit, facts: { skus: skus.length, shoppers: writes.shoppers } }
  }
}

export const mixed: Scenario = {
  name: "mixed",
  describe: "90 % reads (product pages with Zipf popularity, search, autocomplete), 10 % cart adds of popular products",
  storeEnv: { DEMO_CATALOG: "on" },
  setUp: async (ctx): Promise<Workload> => {
    const products = stocked()
    const rng = rngFor(ctx.seed, "mixed")
    // Popularity rank → product, shuffled by the seed (the most popular is not product 0).
    const byRank = products.map((p, k) => ({ p, key: rngFor(ctx.seed, "rank", k).next() })).sort((a, b) => a.key - b.key).map((x) => x.p)
    await catalogReady(ctx, products.map((p) => p.productId))
    const popular = zipf(byRank.length)
    const withSkus = byRank.filter((p) => p.skus.length > 0)
    const popularSku = zipf(withSkus.length)
    const searches = searchPaths(ctx.seed, 2000, "INR")
    const prefixes = autocompletePaths(ctx.seed, 2000)
    const writes = await cartWrites(ctx, (_s, u) => {
      const p = withSkus[popularSku(u)]!
      return p.skus[Math.floor(u * 1e6) % p.skus.length]!
    })
    return {
      operation: (i) => {
        const u = rng.next()
        if (u < 0.1) return writes.add(i)
        if (u < 0.6) return read(ctx, "product", `/v1/products/${byRank[popular(rng.next())]!.productId}`)()
        if (u < 0.85) return read(ctx, "search", searches[i % searches.length]!)()
        return read(ctx, "autocomplete", prefixes[i % prefixes.length]!)()
      },
      audit: writes.audit,
      facts: { products: byRank.length, zipfExponent: 1, shoppers: writes.shoppers }
    }
  }
}
