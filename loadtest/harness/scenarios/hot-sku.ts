/**
 * `hot-sku`: reservations of 1 unit on one SKU (POST /v1/skus/{sku_id}/reservations) by a pool
 * of shoppers; stock 200,000 (under the store's 250,000 live holds per SKU; with --requests N: N/2,
 * so it sells out half-way). 409 out_of_stock once
 * it is gone is the store's answer, not a failure.
 *
 * Audit: no oversell (reserved ≤ on_hand, available ≥ 0), every acknowledged reservation present
 * (acknowledged ≤ reserved ≤ acknowledged + unanswered), and when stock remains, nothing was
 * refused out_of_stock.
 */
import { expectStatus } from "../http.ts"
import { adminToken, setUpShoppers, skuStock } from "./shop.ts"
import { check, type Scenario, type Workload } from "./types.ts"

export const hotSku: Scenario = {
  name: "hot-sku",
  describe: "1-unit reservations on one SKU",
  storeEnv: { DEMO_CATALOG: "off" },
  setUp: async (ctx): Promise<Workload> => {
    const admin = await adminToken(ctx.http, ctx.target)
    const stock = ctx.requests !== undefined ? Math.max(1, Math.floor(ctx.requests / 2)) : 200_000
    const skuId = `sku_loadtest_${Date.now().toString(36)}`
    expectStatus("POST /v1/admin/skus", await ctx.http.request("POST", "/v1/admin/skus", { token: admin, body: { sku_id: skuId, seller_id: "s_loadtest" } }), 200, 201)
    expectStatus("stock", await ctx.http.request("POST", "/v1/seller/inventory", { token: admin, body: { sku_id: skuId, warehouse_id: "wh_main", on_hand: stock } }), 200)
    const shoppers = await setUpShoppersLite(ctx, Math.min(100, Math.max(4, ctx.connections)))
    let acked = 0
    let unanswered = 0
    let refused = 0
    return {
      operation: async (i) => {
        const res = await ctx.http.request("POST", `/v1/skus/${skuId}/reservations`, { token: shoppers[i % shoppers.length]!, body: { quantity: 1 } })
        if (res.status === 201) acked++
        else if (res.code === "out_of_stock") refused++
        else if (res.status === 0 || res.status >= 500) unanswered++
        return { kind: "reserve", status: res.status, code: res.code, ok: res.status === 201 || res.code === "out_of_stock" }
      },
      audit: async () => {
        const s = await skuStock(ctx.http, admin, skuId)
        return [
          check("no oversell", s.reserved <= s.on_hand && s.available >= 0 && s.on_hand === stock, `on_hand ${s.on_hand} (set ${stock}), reserved ${s.reserved}, available ${s.available}`),
          check("every acknowledged reservation present", s.reserved >= acked && s.reserved <= acked + unanswered, `${acked} acknowledged, ${unanswered} unanswered, ${s.reserved} reserved`),
          check("refused only when sold out", refused === 0 || s.available === 0, `${refused} refused out_of_stock, ${s.available} available`)
        ]
      },
      facts: { skuId, stock, shoppers: shoppers.length }
    }
  }
}

/** Shoppers that only need a token. */
const setUpShoppersLite = async (ctx: Parameters<Scenario["setUp"]>[0], count: number) => (await setUpShoppers(ctx.http, ctx.target, count, false)).map((s) => s.token)
