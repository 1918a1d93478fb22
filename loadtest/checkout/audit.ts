/**
 * The checkout benchmark's audit, after the load and once every flow has ended:
 *
 *   acknowledged  every checkout answered order_placed is an order (GET /v1/orders/{id}: placed,
 *                 its total the one answered) — for the baseline, a placed row
 *   no strays     the orders that exist are exactly the acknowledged ones plus those of
 *                 checkouts whose answer was lost (each shopper's order list, read to the end)
 *   stock         per SKU: on_hand at the start − on_hand now = units in placed orders, and
 *                 nothing left reserved
 *   payments      read from the provider simulator's own data file once it has stopped: each
 *                 placed order has exactly one payment with its reference, captured for its
 *                 total; no payment is authorized or captured without a placed order
 */
import { readFileSync } from "node:fs"
import path from "node:path"
import { checkoutIdsOf } from "../../gateway/checkout/ids.ts"
import type { Payment } from "../../provider/payment.ts"
import { type LogRecord, ProviderState } from "../../provider/state.ts"
import type { PgPool } from "../baselines/reserve-server.ts"
import { baselineOrderIdOf } from "./baseline-server.ts"
import { inParallel, type JsonClient, short } from "./http.ts"
import type { BenchShop, BenchShopper } from "./setup.ts"
import type { Attempt } from "./shopper-loop.ts"

export interface AuditResult {
  readonly target: string
  readonly attempts: number
  readonly acknowledged: number
  /** Orders that exist (acknowledged + found for checkouts whose answer was lost). */
  readonly orders: number
  readonly ackedMissing: number
  readonly strayOrders: number
  readonly skusChecked: number
  readonly stockMismatches: number
  readonly leftReserved: number
  readonly payments: number
  readonly ordersWithoutOneCapture: number
  readonly chargesWithoutOrder: number
  readonly problems: ReadonlyArray<string>
  readonly passed: boolean
}

/** The simulator's state as its data file holds it (read after it stopped). */
export const providerPaymentsFromLog = (dataDir: string): Array<Payment> => {
  const state = new ProviderState()
  for (const line of readFileSync(path.join(dataDir, "provider.log"), "utf8").split("\n")) {
    if (line.trim() === "") continue
    state.apply(JSON.parse(line) as LogRecord)
  }
  return [...state.payments.values()]
}

const charged = new Set(["authorized", "captured", "partially_refunded"])

/** Payment checks over the references of one target (`prefix`): one capture per placed order, no charge without one. */
const paymentChecks = (payments: ReadonlyArray<Payment>, prefix: string, placed: ReadonlyMap<string, number>, problems: Array<string>) => {
  const byReference = new Map<string, Array<Payment>>()
  for (const p of payments) {
    if (!p.reference.startsWith(prefix)) continue
    const list = byReference.get(p.reference) ?? []
    list.push(p)
    byReference.set(p.reference, list)
  }
  let ordersWithoutOneCapture = 0
  for (const [reference, total] of placed) {
    const list = byReference.get(reference) ?? []
    const captured = list.filter((p) => p.status === "captured" && p.amount_captured === total)
    if (list.length !== 1 || captured.length !== 1) {
      ordersWithoutOneCapture++
      if (problems.length < 20) problems.push(`order paid by ${reference}: ${list.length} payments (${list.map((p) => `${p.status} ${p.amount_captured}/${total}`).join(", ")})`)
    }
  }
  let chargesWithoutOrder = 0
  let count = 0
  for (const [reference, list] of byReference) {
    count += list.length
    if (placed.has(reference)) continue
    const live = list.filter((p) => charged.has(p.status))
    if (live.length > 0) {
      chargesWithoutOrder += live.length
      if (problems.length < 20) problems.push(`payment ${reference} is ${live.map((p) => p.status).join(", ")} without a placed order`)
    }
  }
  return { ordersWithoutOneCapture, chargesWithoutOrder, payments: count }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const auditStore = async (
  target: string,
  api: JsonClient,
  shop: BenchShop,
  shoppers: ReadonlyArray<BenchShopper>,
  attempts: ReadonlyArray<Attempt>,
  payments: () => Promise<ReadonlyArray<Payment>>
): Promise<AuditResult> => {
  const problems: Array<string> = []
  const note = (p: string) => void (problems.length < 20 && problems.push(p))
  const sold = new Map<string, number>()
  /** Our payment id → order total, for every placed order. */
  const placed = new Map<string, number>()
  const expectedOrders = new Set<string>()
  let ackedMissing = 0
  const acknowledged = attempts.filter((a) => a.outcome === "order_placed")
  // A lost answer: ask the checkout where it ended.
  for (const a of attempts.filter((a) => a.outcome === "unknown")) {
    const shopper = shoppers[a.shopper]!
    const ids = checkoutIdsOf(shopper.userId, a.key)
    const res = await api.request("GET", `/v1/checkout/${ids.checkoutId}`, { token: shopper.token })
    if (res.status === 200 && (res.body as { status: string }).status === "order_placed") expectedOrders.add(ids.orderId)
  }
  for (const a of acknowledged) expectedOrders.add(a.orderId!)
  const orderOwner = new Map<string, { shopper: BenchShopper; paymentId: string }>()
  for (const a of attempts) {
    const shopper = shoppers[a.shopper]!
    const ids = checkoutIdsOf(shopper.userId, a.key)
    orderOwner.set(ids.orderId, { shopper, paymentId: ids.paymentId })
  }
  await inParallel([...expectedOrders], 32, async (orderId) => {
    const { shopper, paymentId } = orderOwner.get(orderId)!
    const res = await api.request("GET", `/v1/orders/${orderId}`, { token: shopper.token })
    const order = res.body as { status?: string; items?: Array<{ sku_id: string; quantity: number }>; totals?: { total: number } }
    if (res.status !== 200 || order.status !== "placed") {
      ackedMissing++
      return note(`order ${orderId}: ${res.status} ${short(res.body)}`)
    }
    for (const item of order.items ?? []) sold.set(item.sku_id, (sold.get(item.sku_id) ?? 0) + item.quantity)
    placed.set(paymentId, order.totals!.total)
  })
  // Every shopper's orders, to the end of the list: nothing placed that nobody knows of.
  let listed = 0
  const used = [...new Set(attempts.map((a) => a.shopper))].map((i) => shoppers[i]!)
  await inParallel(used, 16, async (shopper) => {
    let cursor: string | null = null
    for (let page = 0; page < 10_000; page++) {
      const res = await api.request("GET", `/v1/orders?limit=100${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`, { token: shopper.token })
      if (res.status !== 200) return note(`GET /v1/orders: ${res.status} ${short(res.body)}`)
      const body = res.body as { orders: Array<{ order_id: string }>; next_cursor: string | null }
      for (const o of body.orders) {
        listed++
        if (!expectedOrders.has(o.order_id)) note(`order ${o.order_id} exists but no checkout of the run ended with it`)
      }
      cursor = body.next_cursor
      if (cursor === null) break
    }
  })
  const strayOrders = Math.max(0, listed - expectedOrders.size)
  // Stock: holds of failed checkouts are released by their compensation; give a straggler a few seconds.
  const skus = [...shop.skus, shop.hotSku]
  let stockMismatches = 0
  let leftReserved = 0
  await inParallel(skus, 16, async (sku) => {
    for (let tries = 0; ; tries++) {
      const res = await api.request("GET", `/v1/seller/inventory/${sku.skuId}`, { token: shop.sellerToken })
      const stock = res.body as { on_hand: number; reserved: number }
      const want = sku.onHand - (sold.get(sku.skuId) ?? 0)
      if (res.status === 200 && stock.on_hand === want && stock.reserved === 0) return
      if (tries < 20) {
        await sleep(500)
        continue
      }
      if (res.status !== 200 || stock.on_hand !== want) stockMismatches++
      if (res.status === 200 && stock.reserved !== 0) leftReserved += stock.reserved
      return note(`SKU ${sku.skuId}: on_hand ${stock.on_hand} (want ${want}), reserved ${stock.reserved}`)
    }
  })
  const pay = paymentChecks(await payments(), "pay_", placed, problems)
  const result = {
    target,
    attempts: attempts.length,
    acknowledged: acknowledged.length,
    orders: expectedOrders.size,
    ackedMissing,
    strayOrders,
    skusChecked: skus.length,
    stockMismatches,
    leftReserved,
    ...pay
  }
  return { ...result, problems, passed: problems.length === 0 && ackedMissing === 0 && strayOrders === 0 && stockMismatches === 0 && leftReserved === 0 && pay.ordersWithoutOneCapture === 0 && pay.chargesWithoutOrder === 0 }
}

export const auditBaseline = async (
  pool: PgPool,
  shop: BenchShop,
  skuIds: ReadonlyArray<string>,
  shoppers: ReadonlyArray<BenchShopper>,
  attempts: ReadonlyArray<Attempt>,
  payments: () => Promise<ReadonlyArray<Payment>>
): Promise<AuditResult> => {
  const problems: Array<string> = []
  const note = (p: string) => void (problems.length < 20 && problems.push(p))
  const { rows } = await pool.query({ text: "SELECT order_id, status, total FROM orders", values: [] })
  const db = new Map(rows.map((r) => [String(r["order_id"]), { status: String(r["status"]), total: Number(r["total"]) }]))
  const acknowledged = attempts.filter((a) => a.outcome === "order_placed")
  let ackedMissing = 0
  for (const a of acknowledged) {
    if (db.get(a.orderId!)?.status !== "placed") {
      ackedMissing++
      note(`acknowledged order ${a.orderId} is ${db.get(a.orderId!)?.status ?? "missing"}`)
    }
  }
  const lost = new Set(attempts.filter((a) => a.outcome === "unknown").map((a) => baselineOrderIdOf(shoppers[a.shopper]!.userId, a.key)))
  const ackedIds = new Set(acknowledged.map((a) => a.orderId!))
  let strayOrders = 0
  const placed = new Map<string, number>()
  for (const [orderId, o] of db) {
    if (o.status === "pending") note(`order ${orderId} is still pending`)
    if (o.status !== "placed") continue
    placed.set(orderId, o.total)
    if (!ackedIds.has(orderId) && !lost.has(orderId)) {
      strayOrders++
      note(`order ${orderId} is placed but no checkout of the run ended with it`)
    }
  }
  const stock = await pool.query({
    text: `SELECT s.sku, s.on_hand, s.reserved, COALESCE((SELECT sum(i.quantity) FROM order_items i JOIN orders o USING (order_id) WHERE i.sku = s.sku AND o.status = 'placed'), 0) AS sold FROM stock s`,
    values: []
  })
  const initial = new Map<string, number>(skuIds.map((id, i) => [id, i === skuIds.length - 1 ? shop.hotSku.onHand : shop.skus[i]!.onHand]))
  let stockMismatches = 0
  let leftReserved = 0
  for (const r of stock.rows) {
    const want = (initial.get(String(r["sku"])) ?? NaN) - Number(r["sold"])
    if (Number(r["on_hand"]) !== want) {
      stockMismatches++
      note(`baseline SKU ${r["sku"]}: on_hand ${r["on_hand"]}, want ${want}`)
    }
    leftReserved += Number(r["reserved"])
  }
  if (leftReserved > 0) note(`baseline: ${leftReserved} units left reserved`)
  const pay = paymentChecks(await payments(), "bord_", placed, problems)
  return {
    target: "baseline",
    attempts: attempts.length,
    acknowledged: acknowledged.length,
    orders: placed.size,
    ackedMissing,
    strayOrders,
    skusChecked: stock.rows.length,
    stockMismatches,
    leftReserved,
    ...pay,
    problems,
    passed: problems.length === 0
  }
}
