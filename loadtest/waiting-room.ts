/**
 * Flash-sale waiting room under load (issue 7): N WebSocket shoppers join one sale within a
 * window, are admitted at the configured rate into checkouts of one SKU, and the run ends with an
 * audit: no join errors, unique positions, p50/p99 join latency (join sent → `queued`), memory per
 * idle socket of the store process, exactly `stock` orders, every other shopper told `sold_out`,
 * no oversell at the SKU.
 *
 *   ulimit -n 200000   # each socket is a file descriptor on both sides
 *   node --import tsx loadtest/waiting-room.ts --shoppers 20000 --stock 1000 --join-window-s 10 \
 *        [--admit-per-minute 6000] [--max-active 500] [--database-url postgres://…] [--keep]
 *
 * Storage: `--database-url` (a fresh schema is not created: give an empty database or schema), or
 * a temporary embedded DATA_DIR (PGlite: much slower writes; use Postgres for the big run).
 * Measured here (2 cores, shared, Postgres): 1,000 shoppers over 5 s: no join errors, unique
 * positions, join p50 71 ms / p99 486 ms (fsync-bound journal, machine busy); 400 shoppers, 100
 * units, max_active 50: join p99 75 ms, exactly 100 orders (slots freed by the checkout's
 * completeAdmission), 11 admitted too late got 409 out_of_stock, everyone told sold_out.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import WebSocket from "ws"
import { endAll, startServer, stop } from "./lib/processes.ts"

interface Options {
  readonly shoppers: number
  readonly stock: number
  readonly joinWindowS: number
  readonly admitPerMinute: number
  readonly maxActive: number
  readonly databaseUrl: string | undefined
  readonly keep: boolean
}

const option = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) return fallback
  const n = Number(process.argv[i + 1])
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1`)
  return n
}
const options: Options = {
  shoppers: option("shoppers", 2_000),
  stock: option("stock", 1_000),
  joinWindowS: option("join-window-s", 10),
  admitPerMinute: option("admit-per-minute", 6_000),
  maxActive: option("max-active", 500),
  databaseUrl: process.argv.includes("--database-url") ? process.argv[process.argv.indexOf("--database-url") + 1] : undefined,
  keep: process.argv.includes("--keep")
}

const percentile = (sorted: ReadonlyArray<number>, q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!)
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const pool = async <T>(items: ReadonlyArray<T>, limit: number, task: (item: T, i: number) => Promise<void>) => {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) await task(items[i]!, i)
  }))
}

const main = async () => {
  const dataDir = options.databaseUrl === undefined ? mkdtempSync(join(tmpdir(), "waiting-room-")) : undefined
  const admin = { email: `wr-admin-${Date.now()}@example.com`, password: "admin-password-1" }
  const server = await startServer(
    "store",
    ["--import", "tsx", "gateway/main.ts"],
    {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      ...(dataDir === undefined ? { DATABASE_URL: options.databaseUrl } : { DATA_DIR: dataDir }),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
      RATE_LIMITS: "off",
      FRAUD_RULES: "off",
      PASSWORD_HASH_LOG_N: "10",
      PASSWORD_HASH_MAX_QUEUED: "4096",
      DEMO_CATALOG: "off",
      SALE_TICK_MS: "250"
    },
    /store listening on http:\/\/[^\s:]+:(\d+)/,
    180_000
  )
  const base = `http://127.0.0.1:${server.port}`
  const http = async (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000)
    })
    const text = await res.text()
    return { status: res.status, json: (text === "" ? undefined : JSON.parse(text)) as Record<string, unknown> }
  }
  try {
    const login = await http("POST", "/v1/auth/login", undefined, { email: admin.email, password: admin.password })
    const adminToken = login.json["token"] as string
    const stamp = Date.now().toString(36)
    const seller = await http("POST", "/v1/seller/register", adminToken, { display_name: "Waiting room seller" })
    await http("POST", `/v1/admin/sellers/${seller.json["seller_id"] as string}/approve`, adminToken)
    const category = await http("POST", "/v1/admin/categories", adminToken, { name: `Flash ${stamp}` })
    const product = await http("POST", "/v1/seller/products", adminToken, { title: `Flash phone ${stamp}`, brand: "Acme", category_id: category.json["category_id"], skus: [{ price: 99_900 }] })
    if (product.status !== 201) throw new Error(`product: ${product.status} ${JSON.stringify(product.json)}`)
    const skuId = (product.json["skus"] as Array<{ sku_id: string }>)[0]!.sku_id
    const stocked = await http("POST", "/v1/seller/inventory", adminToken, { sku_id: skuId, warehouse_id: "wh_main", on_hand: options.stock })
    if (stocked.status !== 200) throw new Error(`stock: ${stocked.status} ${JSON.stringify(stocked.json)}`)
    // The cart reads the catalog projection: wait until the SKU is listed there with its stock.
    for (let i = 0; (await http("GET", `/v1/products/${product.json["product_id"] as string}`)).json["available_quantity"] !== options.stock; i++) {
      if (i > 100) throw new Error("the product never reached the catalog")
      await sleep(100)
    }

    console.log(`signing up ${options.shoppers} shoppers…`)
    const began = Date.now()
    const shoppers: Array<{ token: string; userId: string; cartId: string; addressId: string; paymentMethodId: string }> = []
    // Many at once: each step is a durable write, and concurrent writes share a group commit.
    await pool(Array.from({ length: options.shoppers }, (_, i) => i), 256, async (i) => {
      const s = await http("POST", "/v1/auth/signup", undefined, { email: `wr-${stamp}-${i}@example.com`, password: "shopper-password-1", name: `Shopper ${i}` })
      if (s.status !== 201) throw new Error(`signup: ${s.status} ${JSON.stringify(s.json)}`)
      const token = s.json["token"] as string
      const address = await http("POST", "/v1/me/addresses", token, { name: "Asha Rao", line1: "12 MG Road", city: "Bengaluru", region: "KA", postal_code: "560001", country: "IN" })
      const method = await http("POST", "/v1/me/payment-methods", token, { type: "cod" })
      const cart = await http("POST", "/v1/cart/items", token, { sku_id: skuId, quantity: 1 })
      shoppers[i] = { token, userId: s.json["user_id"] as string, cartId: cart.json["cart_id"] as string, addressId: address.json["address_id"] as string, paymentMethodId: method.json["payment_method_id"] as string }
    })
    console.log(`signed up in ${((Date.now() - began) / 1000).toFixed(1)} s`)

    const saleId = `wr-${stamp}`
    const startsAt = Date.now() + options.joinWindowS * 1000 + 5_000
    const created = await http("POST", "/v1/admin/sales", adminToken, {
      sale_id: saleId,
      sku_ids: [skuId],
      starts_at: new Date(startsAt).toISOString(),
      admit_per_minute: options.admitPerMinute,
      max_active: options.maxActive,
      per_user_limit: 1,
      mode: "fifo"
    })
    if (created.status !== 201) throw new Error(`sale: ${created.status} ${JSON.stringify(created.json)}`)

    const rssBefore = rssKb(server.pid)
    const joinLatencies: Array<number> = []
    const positions: Array<number> = []
    const joinErrors: Array<string> = []
    const outcomes = { ordered: 0, outOfStock: 0, admissionRefused: 0, otherFailure: 0, soldOutTold: 0 }
    const failures: Array<string> = []
    const sockets: Array<WebSocket> = []
    const checkouts: Array<Promise<void>> = []
    let finished = 0
    let allDone: () => void = () => {}
    const done = new Promise<void>((r) => (allDone = r))
    const finish = () => {
      if (++finished === options.shoppers) allDone()
    }

    const checkout = async (shopper: (typeof shoppers)[number], token: string) => {
      const res = await http(
        "POST",
        "/v1/checkout",
        shopper.token,
        { cart_id: shopper.cartId, shipping_address_id: shopper.addressId, payment_method_id: shopper.paymentMethodId },
        { "idempotency-key": `co-${shopper.userId}`, "x-admission-token": token }
      ).catch((e: unknown) => ({ status: 0, json: { error: String(e) } as Record<string, unknown> }))
      if (res.status === 201) outcomes.ordered++
      else if (res.status === 409) outcomes.outOfStock++
      else if (res.status === 403) outcomes.admissionRefused++
      else {
        outcomes.otherFailure++
        if (failures.length < 10) failures.push(`${res.status} ${JSON.stringify(res.json)}`)
      }
    }

    console.log(`opening ${options.shoppers} sockets over ${options.joinWindowS} s…`)
    const spacingMs = (options.joinWindowS * 1000) / options.shoppers
    const t0 = performance.now()
    for (const [i, shopper] of shoppers.entries()) {
      const due = t0 + i * spacingMs
      const wait = due - performance.now()
      if (wait > 1) await sleep(wait)
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/v1/sales/${saleId}/queue`, { headers: { authorization: `Bearer ${shopper.token}` } })
      sockets.push(ws)
      let sentAt = 0
      let settled = false
      let checkingOut = false
      const settle = () => {
        if (settled) return
        settled = true
        finish()
      }
      ws.on("open", () => {
        sentAt = performance.now()
        ws.send(JSON.stringify({ type: "join" }))
      })
      ws.on("error", (e) => {
        joinErrors.push(e.message)
        settle()
      })
      ws.on("message", (data) => {
        const m = JSON.parse(data.toString()) as Record<string, unknown>
        if (m["type"] === "queued") {
          joinLatencies.push(performance.now() - sentAt)
          positions.push(m["position"] as number)
        } else if (m["type"] === "admitted" && !settled && !checkingOut) {
          checkingOut = true
          checkouts.push(checkout(shopper, m["admission_token"] as string).then(settle))
        } else if (m["type"] === "sold_out") {
          outcomes.soldOutTold++
          // A checkout in flight decides this shopper's outcome; the report waits for it.
          if (!checkingOut) settle()
        } else if (m["type"] === "error") {
          joinErrors.push(JSON.stringify(m))
          settle()
        }
      })
    }
    console.log(`all sockets opened after ${((performance.now() - t0) / 1000).toFixed(1)} s; waiting for the sale`)
    await sleep(Math.max(0, startsAt - Date.now() - 1_000))
    const rssIdle = rssKb(server.pid)
    const timeoutMs = Math.ceil((options.shoppers / options.admitPerMinute) * 60_000) + 120_000
    await Promise.race([done, sleep(timeoutMs)])
    await Promise.race([Promise.all(checkouts), sleep(60_000)])

    const sale = (await http("GET", `/v1/sales/${saleId}`)).json
    const stock = (await http("GET", `/v1/seller/inventory/${skuId}`, adminToken)).json
    const sortedLatency = [...joinLatencies].sort((a, b) => a - b)
    const uniquePositions = new Set(positions).size === positions.length
    const report = {
      shoppers: options.shoppers,
      join_errors: joinErrors.length,
      queued_answers: positions.length,
      unique_positions: uniquePositions,
      join_latency_ms: { p50: percentile(sortedLatency, 0.5), p99: percentile(sortedLatency, 0.99), max: sortedLatency.at(-1) },
      memory_per_idle_socket_kb: Number(((rssIdle - rssBefore) / options.shoppers).toFixed(2)),
      outcomes,
      finished,
      sale,
      sku: { on_hand: stock["on_hand"], reserved: stock["reserved"], available: stock["available"] },
      failures
    }
    console.log(JSON.stringify(report, null, 2))
    const problems: Array<string> = []
    if (joinErrors.length > 0) problems.push(`${joinErrors.length} join errors, e.g. ${joinErrors[0]}`)
    if (!uniquePositions) problems.push("positions are not unique")
    if (outcomes.ordered !== options.stock) problems.push(`${outcomes.ordered} orders, expected ${options.stock}`)
    if (outcomes.ordered + outcomes.soldOutTold + outcomes.outOfStock < options.shoppers) problems.push("not every shopper got an order or was told sold_out")
    if (typeof stock["available"] === "number" && stock["available"] < 0) problems.push("oversold")
    console.log(problems.length === 0 ? "audit: OK" : `audit FAILED:\n- ${problems.join("\n- ")}`)
    for (const ws of sockets) ws.terminate()
    process.exitCode = problems.length === 0 ? 0 : 1
  } finally {
    await stop(server.child, 15_000)
    if (dataDir !== undefined && !options.keep) rmSync(dataDir, { recursive: true, force: true })
  }
}

process.once("SIGINT", () => {
  endAll("SIGTERM")
  process.exit(130)
})
main().catch((e: unknown) => {
  console.error(e)
  endAll("SIGKILL")
  process.exit(1)
})
