/**
 * The measured part of the checkout benchmark: a closed loop of `concurrency` virtual shoppers,
 * each a signed-up shopper of its own, each doing add-to-cart (1 unit) → POST /v1/checkout (a
 * fresh Idempotency-Key) → GET /v1/checkout/{id} every 20 ms while pending_payment → next. A 503
 * or a lost answer is retried with the same key (as a client must), at most `maxRetries` times.
 *
 * A flow counts when it completes inside the measured interval. That interval begins after the
 * warm-up once every virtual shopper has completed a flow (a steady state: with flows slower than
 * the warm-up, the first ones would otherwise all end together), at most `maxSettleMs` later; at
 * its end no flow starts and those under way are finished (drained) so the audit sees every
 * outcome.
 * Every attempted key is kept with its outcome for the audit.
 */
import { randomBytes } from "node:crypto"
import { Histogram } from "../histogram.ts"
import type { BenchShopper } from "./setup.ts"
import { type JsonClient } from "./http.ts"

export interface Attempt {
  readonly shopper: number
  readonly key: string
  readonly skuId: string
  /** order_placed: acknowledged with an order id; failed: an error answer (4xx); unknown: no final answer (errors, retries used up). */
  outcome: "order_placed" | "failed" | "unknown"
  orderId?: string
  checkoutId?: string
  failureCode?: string
}

export interface LoopResult {
  readonly concurrency: number
  readonly measuredS: number
  /** Flows that ended order_placed inside the measured interval. */
  readonly placed: number
  readonly failed: number
  readonly unknown: number
  /** Answers that were neither 2xx nor an expected 4xx (5xx, timeouts, connection errors), retries included. */
  readonly errors: number
  readonly retried: number
  readonly pendingAnswers: number
  readonly checkoutsPerS: number
  /** add-to-cart → order placed. */
  readonly flow: Histogram
  /** The POST /v1/checkout request alone (the first attempt of a key). */
  readonly checkout: Histogram
  readonly addToCart: Histogram
  readonly failureCodes: Record<string, number>
  readonly sampleErrors: Array<string>
  /** When the measured interval began, from the start of the run (warm-up and settling). */
  readonly settleS: number
  /** Client process CPU over the measured interval, in cores. */
  readonly clientCores: number
}

export interface LoopPlan {
  readonly concurrency: number
  readonly warmupMs: number
  readonly durationMs: number
  readonly maxRetries: number
  /** The SKU of a virtual shopper's next add. */
  readonly pickSku: () => string
  /** Longest wait past the warm-up for every virtual shopper to complete a flow. */
  readonly maxSettleMs: number
  /** Called when the measured interval begins and ends (CPU sampling). */
  readonly onMeasure: (phase: "start" | "end") => void
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const runShopperLoop = async (api: JsonClient, shoppers: ReadonlyArray<BenchShopper>, plan: LoopPlan, attempts: Array<Attempt>): Promise<LoopResult> => {
  if (shoppers.length < plan.concurrency) throw new Error(`${plan.concurrency} virtual shoppers need as many shoppers (have ${shoppers.length})`)
  const run = randomBytes(4).toString("hex")
  const flow = new Histogram()
  const checkout = new Histogram()
  const addToCart = new Histogram()
  const failureCodes: Record<string, number> = {}
  const sampleErrors: Array<string> = []
  let placed = 0
  let failed = 0
  let unknown = 0
  let errors = 0
  let retried = 0
  let pendingAnswers = 0
  let n = 0
  const began = performance.now()
  let measureFrom = Infinity
  let measureTo = Infinity
  let cpuAtStart: NodeJS.CpuUsage | undefined
  let cpuUsed: NodeJS.CpuUsage | undefined
  const completedOne = new Set<number>()
  let endTimer: NodeJS.Timeout | undefined
  const maybeStart = () => {
    if (measureFrom !== Infinity) return
    const now = performance.now()
    if (now < began + plan.warmupMs) return
    if (completedOne.size < plan.concurrency && now < began + plan.warmupMs + plan.maxSettleMs) return
    measureFrom = now
    measureTo = now + plan.durationMs
    cpuAtStart = process.cpuUsage()
    plan.onMeasure("start")
    endTimer = setTimeout(() => {
      cpuUsed = process.cpuUsage(cpuAtStart)
      plan.onMeasure("end")
    }, plan.durationMs)
  }
  const checker = setInterval(maybeStart, 50)
  const noteError = (what: string) => {
    errors++
    if (sampleErrors.length < 10) sampleErrors.push(what)
  }

  const oneFlow = async (s: number, shopper: BenchShopper) => {
    const t0 = performance.now()
    const skuId = plan.pickSku()
    for (let a = 0; ; a++) {
      const add = await api.request("POST", "/v1/cart/items", { token: shopper.token, body: { sku_id: skuId, quantity: 1 } }).catch((e: unknown) => ({ status: 0, body: String(e) }))
      if (add.status === 200) break
      noteError(`add to cart ${add.status} ${JSON.stringify(add.body).slice(0, 200)}`)
      if (a >= plan.maxRetries) return
      await sleep(50)
    }
    const t1 = performance.now()
    const attempt: Attempt = { shopper: s, key: `bench-${run}-${n++}`, skuId, outcome: "unknown" }
    attempts.push(attempt)
    const payload = { cart_id: shopper.cartId, shipping_address_id: shopper.addressId, payment_method_id: shopper.paymentMethodId }
    let answer: { status: number; body: unknown } | undefined
    let t2 = t1
    for (let a = 0; a <= plan.maxRetries; a++) {
      if (a > 0) retried++
      const res = await api.request("POST", "/v1/checkout", { token: shopper.token, body: payload, headers: { "idempotency-key": attempt.key } }).catch((e: unknown) => ({ status: 0, body: String(e) }))
      if (a === 0) t2 = performance.now()
      if (res.status === 201 || (res.status >= 400 && res.status < 500 && res.status !== 409) || (res.status === 409 && (res.body as { error?: { code?: string } })?.error?.code === "out_of_stock")) {
        answer = res
        break
      }
      noteError(`checkout ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`)
      await sleep(100 * (a + 1))
    }
    let body = answer?.body as { status?: string; checkout_id?: string; order_id?: string; error?: { code: string } } | undefined
    if (answer !== undefined && answer.status === 201 && body?.status === "pending_payment") {
      pendingAnswers++
      if (body.checkout_id !== undefined) attempt.checkoutId = body.checkout_id
      const deadline = performance.now() + 60_000
      while (body?.status === "pending_payment" && performance.now() < deadline) {
        await sleep(20)
        const res = await api.request("GET", `/v1/checkout/${body.checkout_id}`, { token: shopper.token }).catch((e: unknown) => ({ status: 0, body: String(e) }))
        if (res.status === 200) body = res.body as typeof body
        else noteError(`poll ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`)
      }
    }
    const t3 = performance.now()
    completedOne.add(s)
    maybeStart()
    if (answer !== undefined && answer.status === 201 && body?.status === "order_placed") {
      attempt.outcome = "order_placed"
      attempt.orderId = body.order_id!
      attempt.checkoutId = body.checkout_id!
      if (t3 >= measureFrom && t3 <= measureTo) {
        placed++
        flow.record(t3 - t0)
        checkout.record(t2 - t1)
        addToCart.record(t1 - t0)
      }
      return
    }
    const code = answer === undefined ? undefined : answer.status === 201 ? `status ${body?.status}` : (body?.error?.code ?? `http ${answer.status}`)
    if (answer !== undefined && (answer.status !== 201 || body?.status === "failed")) {
      attempt.outcome = "failed"
      attempt.failureCode = code ?? "failed"
      if (t3 >= measureFrom && t3 <= measureTo) failed++
    } else if (t3 >= measureFrom && t3 <= measureTo) unknown++
    if (code !== undefined) failureCodes[code] = (failureCodes[code] ?? 0) + 1
    // The unit stays in the cart after a failure: take it out so the next flow buys one unit.
    await api.request("DELETE", `/v1/cart/items/${skuId}`, { token: shopper.token }).catch(() => undefined)
  }

  await Promise.all(
    Array.from({ length: plan.concurrency }, async (_, s) => {
      while (performance.now() < measureTo) await oneFlow(s, shoppers[s]!)
    })
  )
  clearInterval(checker)
  if (endTimer !== undefined && cpuUsed === undefined) {
    clearTimeout(endTimer)
    cpuUsed = process.cpuUsage(cpuAtStart)
    plan.onMeasure("end")
  }
  const cpu = cpuUsed ?? { user: 0, system: 0 }
  const measuredS = plan.durationMs / 1000
  return {
    concurrency: plan.concurrency,
    measuredS,
    placed,
    failed,
    unknown,
    errors,
    retried,
    pendingAnswers,
    checkoutsPerS: placed / measuredS,
    flow,
    checkout,
    addToCart,
    failureCodes,
    sampleErrors,
    settleS: (measureFrom - began) / 1000,
    clientCores: (cpu.user + cpu.system) / 1e6 / measuredS
  }
}
