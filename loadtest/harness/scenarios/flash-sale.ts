/**
 * `flash-sale`: the waiting room and the checkout (gateway/sales/README.md). Shoppers (each with
 * the sale's SKU in the cart, paying cash on delivery) open the sale's queue WebSocket, join, and
 * once admitted check out with the admission token; stock is half the shoppers, so the second
 * half is told sold_out. One operation is one shopper's journey (join → queued → admitted →
 * order_placed, or sold_out): the run has exactly as many operations as shoppers.
 *
 * Audit: no oversell (orders ≤ stock; units sold = orders), nothing left reserved, every shopper
 * got an order or was told sold out / out of stock, every acknowledged order present.
 */
import { randomBytes } from "node:crypto"
import WebSocket from "ws"
import { checkoutIdsOf } from "../../../gateway/checkout/ids.ts"
import type { Outcome } from "../driver.ts"
import { expectStatus, inParallel, sleep } from "../http.ts"
import type { Sample } from "../recorder.ts"
import { setUpShop, setUpShoppers, type Shopper, skuStock } from "./shop.ts"
import { check, type Scenario, type Workload } from "./types.ts"

type Message = { type: string; admission_token?: string; position?: number }

/** Join the queue; resolves with the admission token, or the reason there is none. */
const queue = (wsUrl: string, shopper: Shopper, parts: Array<Sample>, timeoutMs: number) =>
  new Promise<{ token: string } | { end: string }>((resolve) => {
    const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${shopper.token}` } })
    let sentAt = 0
    const timer = setTimeout(() => finish({ end: "queue_timeout" }), timeoutMs)
    const finish = (r: { token: string } | { end: string }) => {
      clearTimeout(timer)
      ws.terminate()
      resolve(r)
    }
    ws.on("open", () => {
      sentAt = performance.now()
      ws.send(JSON.stringify({ type: "join" }))
    })
    ws.on("error", () => finish({ end: "ws_error" }))
    ws.on("close", () => finish({ end: "ws_closed" }))
    ws.on("message", (data) => {
      let m: Message
      try {
        m = JSON.parse(String(data)) as Message
      } catch {
        return
      }
      if (m.type === "queued") parts.push({ kind: "join", ms: performance.now() - sentAt, status: 200, code: undefined, ok: true })
      else if (m.type === "admitted" && m.admission_token !== undefined) finish({ token: m.admission_token })
      else if (m.type === "sold_out" || m.type === "ended") finish({ end: m.type })
      else if (m.type === "error") finish({ end: "ws_error" })
    })
  })

export const flashSale: Scenario = {
  name: "flash-sale",
  describe: "waiting room (WebSocket join → admitted) + checkout with the admission token; stock = half the shoppers",
  storeEnv: { DEMO_CATALOG: "off", SALE_TICK_MS: "250" },
  setUp: async (ctx): Promise<Workload> => {
    const count = ctx.requests ?? Math.min(2000, ctx.connections * 2)
    const stock = Math.max(1, Math.floor(count / 2))
    ctx.log(`setting up a flash sale of ${stock} units for ${count} shoppers…`)
    const shop = await setUpShop(ctx.http, ctx.target, 1, stock)
    const sku = shop.skus[0]!
    const shoppers = await setUpShoppers(ctx.http, ctx.target, count, false)
    await inParallel(shoppers, 8, async (s) => expectStatus("cart add", await ctx.http.request("POST", "/v1/cart/items", { token: s.token, body: { sku_id: sku.skuId, quantity: 1 } }), 200))
    const saleId = `lt-${Date.now().toString(36)}${randomBytes(2).toString("hex")}`
    expectStatus(
      "POST /v1/admin/sales",
      await ctx.http.request("POST", "/v1/admin/sales", {
        token: shop.adminToken,
        body: { sale_id: saleId, sku_ids: [sku.skuId], starts_at: new Date(Date.now() + 1500).toISOString(), admit_per_minute: 60_000, max_active: 1000, per_user_limit: 1, mode: "fifo" }
      }),
      201
    )
    const wsUrl = `${ctx.target.base.replace(/^http/, "ws")}/v1/sales/${saleId}/queue`
    const ordered: Array<Shopper> = []
    const outcomes = new Map<string, number>()
    const count1 = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1)

    const operation = async (i: number): Promise<Outcome> => {
      const shopper = shoppers[i]!
      const parts: Array<Sample> = []
      const queued = await queue(wsUrl, shopper, parts, 120_000)
      if ("end" in queued) {
        count1(queued.end)
        return { kind: "journey", status: queued.end === "sold_out" ? 409 : 0, code: queued.end, ok: queued.end === "sold_out", parts }
      }
      const t = performance.now()
      const res = await ctx.http.request("POST", "/v1/checkout", {
        token: shopper.token,
        body: { cart_id: shopper.cartId, shipping_address_id: shopper.addressId, payment_method_id: shopper.paymentMethodId },
        headers: { "idempotency-key": `lt-sale-${shopper.userId}`, "x-admission-token": queued.token }
      })
      parts.push({ kind: "checkout-post", ms: performance.now() - t, status: res.status, code: res.code, ok: res.status === 201 || res.code === "out_of_stock" })
      if (res.status === 201 && res.json.status === "order_placed") {
        ordered.push(shopper)
        count1("order_placed")
        return { kind: "journey", status: 201, ok: true, parts }
      }
      count1(res.code ?? `checkout_${String(res.json?.status)}`)
      return { kind: "journey", status: res.status, code: res.code, ok: res.code === "out_of_stock", parts }
    }

    const audit = async () => {
      let missing = 0
      await inParallel(ordered, 16, async (s) => {
        const res = await ctx.http.request("GET", `/v1/orders/${checkoutIdsOf(s.userId, `lt-sale-${s.userId}`).orderId}`, { token: s.token })
        if (res.status !== 200) missing++
      })
      let st = await skuStock(ctx.http, shop.sellerToken, sku.skuId)
      for (let round = 0; round < 40 && st.reserved > 0; round++) {
        await sleep(500)
        st = await skuStock(ctx.http, shop.sellerToken, sku.skuId)
      }
      const told = (outcomes.get("order_placed") ?? 0) + (outcomes.get("sold_out") ?? 0) + (outcomes.get("out_of_stock") ?? 0)
      return [
        check("no oversell", ordered.length <= stock && stock - st.available === ordered.length && st.available >= 0, `${ordered.length} orders for ${stock} units; available now ${st.available}`),
        check("reservations all confirmed or released", st.reserved === 0, `${st.reserved} units still reserved`),
        check("every acknowledged order is present", missing === 0, `${ordered.length} acknowledged, ${missing} missing`),
        check("every shopper got an order or was told sold out", told === count, `${JSON.stringify(Object.fromEntries(outcomes))}`)
      ]
    }
    return { operation, audit, fixedOperations: count, facts: { saleId, skuId: sku.skuId, stock, shoppers: count } }
  }
}
