/**
 * `checkout`: each operation is one shopper's purchase: add a SKU to the cart, POST /v1/checkout
 * with an Idempotency-Key, poll GET /v1/checkout/{id} until order_placed (or failed). Paid by card
 * at the simulator when the store has one (embedded), else cash on delivery.
 *
 * Audit (every attempt, by the ids the key derives): every acknowledged order exists, is placed
 * and has the total answered; per SKU, the units sold (stock at start − available now) are the
 * units of the orders that exist; nothing is left reserved (every hold confirmed or released);
 * one charge per order and none without (card payments, asked of the provider by reference).
 */
import { randomBytes } from "node:crypto"
import { checkoutIdsOf } from "../../../gateway/checkout/ids.ts"
import { rngFor } from "../../seed/prng.ts"
import type { Sample } from "../recorder.ts"
import { inParallel, sleep } from "../http.ts"
import { paymentAudit, type CheckoutAttempt } from "./payments.ts"
import { setUpShop, setUpShoppers, ShopperPool, type Shopper, skuStock } from "./shop.ts"
import { check, type AuditCheck, type Scenario, type Workload } from "./types.ts"

/** Order states that mean the order was placed (and may have moved on). */
const placedStates = new Set(["placed", "fulfilling", "shipped", "delivered", "closed"])

export const checkout: Scenario = {
  name: "checkout",
  describe: "add to cart → POST /v1/checkout (Idempotency-Key) → poll until order_placed",
  storeEnv: { DEMO_CATALOG: "off" },
  setUp: async (ctx): Promise<Workload> => {
    const shopperCount = Math.min(200, Math.max(4, ctx.connections))
    ctx.log(`setting up a shop with 20 SKUs and ${shopperCount} shoppers…`)
    const shop = await setUpShop(ctx.http, ctx.target, 20, 1_000_000)
    const shoppers = await setUpShoppers(ctx.http, ctx.target, shopperCount, true)
    const pool = new ShopperPool(shoppers)
    const rng = rngFor(ctx.seed, "checkout")
    const attempts: Array<CheckoutAttempt & { shopper: Shopper; ackedTotal: number | undefined }> = []
    const run = randomBytes(4).toString("hex")
    const card = shoppers.some((s) => s.card)

    const operation = async (i: number) => {
      const shopper = await pool.take()
      const parts: Array<Sample> = []
      const timed = async <A extends { status: number; code: string | undefined }>(kind: string, ok: (a: A) => boolean, f: () => Promise<A>) => {
        const t = performance.now()
        const a = await f()
        parts.push({ kind, ms: performance.now() - t, status: a.status, code: a.code, ok: ok(a) })
        return a
      }
      try {
        const sku = shop.skus[rng.int(0, shop.skus.length - 1)]!
        const added = await timed("cart-add", (a) => a.status === 200, () => ctx.http.request("POST", "/v1/cart/items", { token: shopper.token, body: { sku_id: sku.skuId, quantity: 1 } }))
        if (added.status !== 200) return { kind: "checkout", status: added.status, code: added.code, ok: false, parts }
        const key = `lt-${run}-${i}`
        const attempt = { userId: shopper.userId, key, shopper, total: undefined, ackedTotal: undefined as number | undefined }
        attempts.push(attempt)
        const body = { cart_id: shopper.cartId, shipping_address_id: shopper.addressId, payment_method_id: shopper.paymentMethodId }
        let res = await timed("checkout-post", (a) => a.status === 201, () => ctx.http.request("POST", "/v1/checkout", { token: shopper.token, body, headers: { "idempotency-key": key } }))
        if (res.status === 201 && res.json.status === "pending_payment") {
          const t = performance.now()
          const id = res.json.checkout_id as string
          for (let n = 0; n < 300 && res.status === 201 && res.json.status === "pending_payment"; n++) {
            await sleep(100)
            const polled = await ctx.http.request("GET", `/v1/checkout/${id}`, { token: shopper.token })
            res = polled.status === 200 ? { ...polled, status: 201 } : polled
          }
          parts.push({ kind: "pending-until-placed", ms: performance.now() - t, status: res.status, code: res.code, ok: res.json?.status === "order_placed" })
        }
        if (res.status === 201 && res.json.status === "order_placed") {
          attempt.ackedTotal = res.json.order_preview_total as number
          return { kind: "checkout", status: 201, code: undefined, ok: true, parts }
        }
        // The cart still holds what this checkout did not buy: empty it for the shopper's next one.
        await ctx.http.request("DELETE", `/v1/cart/items/${sku.skuId}`, { token: shopper.token })
        const code = res.status === 201 ? `checkout_${String(res.json.status)}` : res.code
        return { kind: "checkout", status: res.status, code, ok: false, parts }
      } finally {
        pool.give(shopper)
      }
    }

    const audit = async (): Promise<Array<AuditCheck>> => {
      const unitsBySku = new Map<string, number>()
      let missing = 0
      let wrongTotal = 0
      let found = 0
      const examples: Array<string> = []
      await inParallel(attempts, 16, async (a) => {
        const { orderId } = checkoutIdsOf(a.userId, a.key)
        const res = await ctx.http.request("GET", `/v1/orders/${orderId}`, { token: a.shopper.token })
        if (res.status === 200) {
          found++
          a.total = res.json.totals.total as number
          for (const item of res.json.items as Array<{ sku_id: string; quantity: number }>) unitsBySku.set(item.sku_id, (unitsBySku.get(item.sku_id) ?? 0) + item.quantity)
          if (a.ackedTotal !== undefined && (!placedStates.has(res.json.status as string) || a.total !== a.ackedTotal)) {
            wrongTotal++
            if (examples.length < 5) examples.push(`${orderId}: ${String(res.json.status)}, total ${a.total}, answered ${a.ackedTotal}`)
          }
        } else if (a.ackedTotal !== undefined) {
          missing++
          if (examples.length < 5) examples.push(`${orderId}: GET answered ${res.status}`)
        }
      })
      const acked = attempts.filter((a) => a.ackedTotal !== undefined).length
      // Holds of checkouts that failed are released by their sagas: give them a moment.
      let stockProblems: Array<string> = []
      let reservedLeft = 0
      for (let round = 0; round < 40; round++) {
        stockProblems = []
        reservedLeft = 0
        await inParallel(shop.skus, 8, async (sku) => {
          const s = await skuStock(ctx.http, shop.sellerToken, sku.skuId)
          reservedLeft += s.reserved
          const sold = sku.onHand - s.available
          const inOrders = unitsBySku.get(sku.skuId) ?? 0
          if (sold !== inOrders || s.available < 0) stockProblems.push(`${sku.skuId}: ${sold} sold, ${inOrders} in orders, available ${s.available}, reserved ${s.reserved}`)
        })
        if (stockProblems.length === 0 && reservedLeft === 0) break
        await sleep(500)
      }
      const payments = card && ctx.target.providerUrl !== undefined ? await paymentAudit(ctx.target.providerUrl, attempts) : []
      return [
        ...payments,
        check("every acknowledged order is present", missing === 0 && wrongTotal === 0, `${acked} acknowledged, ${found} orders exist for ${attempts.length} attempts; ${missing} missing, ${wrongTotal} wrong${examples.length > 0 ? `: ${examples.join("; ")}` : ""}`),
        check("no oversell: units sold = units in orders", stockProblems.length === 0, `${shop.skus.length} SKUs${stockProblems.length > 0 ? `: ${stockProblems.slice(0, 5).join("; ")}` : ""}`),
        check("reservations all confirmed or released", reservedLeft === 0, `${reservedLeft} units still reserved`)
      ]
    }

    return {
      operation,
      audit,
      facts: { skus: shop.skus.length, shoppers: shoppers.length, payment: card ? "card (simulator)" : "cash on delivery" }
    }
  }
}
