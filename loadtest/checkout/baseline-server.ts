/**
 * Baseline of the checkout benchmark: the same three routes the virtual shoppers use
 * (`POST /v1/cart/items`, `DELETE /v1/cart/items/{sku_id}`, `POST /v1/checkout`), done the
 * classic way on Postgres behind the same kind of uWebSockets.js server, no actor in between:
 *
 *   cart      one INSERT … ON CONFLICT DO UPDATE of the (user, sku) row
 *   checkout  tx 1: the cart rows FOR UPDATE, each SKU's stock row decremented under its row lock
 *            (`reserved += q WHERE on_hand - reserved >= q`, in SKU order), the order and its lines
 *            inserted as pending, the cart emptied; then the payment at the same provider simulator
 *            (authorize, then capture, each with an idempotency key derived from the order);
 *            tx 2: the reserved units become sold (on_hand −, reserved −), the order placed. A
 *            declined payment releases the units and fails the order (402). The order id derives
 *            from (user, Idempotency-Key): the same key answers the same order.
 *
 * It does less than the store (no pricing tables, tax, shipping, coupons, fraud rules, saga
 * record or resume after a crash): a floor for what "the same work" costs on one database.
 *
 *   PORT=0 DATABASE_URL=…(search_path of the bench's schema) SHOPPERS_FILE=… PROVIDER_URL=… \
 *     node --import tsx loadtest/checkout/baseline-server.ts      → prints "listening <port>"
 *
 * SHOPPERS_FILE: JSON [{token, user_id, card_token}]. Tables: `baselineTables` (the bench creates them).
 */
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import uWS from "uWebSockets.js"
import { pgPool } from "../baselines/reserve-server.ts"
import { jsonClient } from "./http.ts"

export const baselineTables = `
CREATE TABLE stock (sku text PRIMARY KEY, price bigint NOT NULL, on_hand bigint NOT NULL, reserved bigint NOT NULL DEFAULT 0, CHECK (reserved >= 0 AND reserved <= on_hand));
CREATE TABLE cart_items (user_id text NOT NULL, sku text NOT NULL, quantity integer NOT NULL, PRIMARY KEY (user_id, sku));
CREATE TABLE orders (order_id text PRIMARY KEY, user_id text NOT NULL, status text NOT NULL, total bigint NOT NULL, payment_id text, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE order_items (order_id text NOT NULL, sku text NOT NULL, quantity integer NOT NULL, unit_price bigint NOT NULL, PRIMARY KEY (order_id, sku));
`

export const baselineOrderIdOf = (userId: string, key: string) => `bord_${createHash("sha256").update(`${userId}\u0000${key}`).digest().subarray(0, 16).toString("base64url")}`

interface PgClient {
  query(config: { name?: string; text: string; values?: ReadonlyArray<unknown> }): Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>
  release(error?: Error): void
}

class Refusal {
  constructor(
    readonly status: string,
    readonly body: string
  ) {}
}

const JSON_TYPE = "application/json; charset=utf-8"
const MAX_BODY_BYTES = 16 * 1024
const errorBody = (code: string, message: string, details?: unknown) => JSON.stringify({ error: details === undefined ? { code, message } : { code, message, details } })

const main = () => {
  const pool = pgPool({
    connectionString: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test",
    max: Number(process.env["PG_POOL"] ?? 20),
    idleTimeoutMillis: 0,
    application_name: "checkout-baseline"
  }) as ReturnType<typeof pgPool> & { connect(): Promise<PgClient> }
  pool.on("error", (error) => console.error(`postgres pool: ${error.message}`))
  const provider = jsonClient(process.env["PROVIDER_URL"]!, 1024, 10_000)
  const shoppers = new Map<string, { user_id: string; card_token: string }>()
  for (const s of JSON.parse(readFileSync(process.env["SHOPPERS_FILE"]!, "utf8")) as Array<{ token: string; user_id: string; card_token: string }>) {
    shoppers.set(createHash("sha256").update(s.token).digest("hex"), s)
  }
  const who = (authorization: string) => shoppers.get(createHash("sha256").update(authorization.startsWith("Bearer ") ? authorization.slice(7) : "").digest("hex"))

  const inTx = async <A>(f: (c: PgClient) => Promise<A>): Promise<A> => {
    const client = await pool.connect()
    try {
      await client.query({ text: "BEGIN" })
      const out = await f(client)
      await client.query({ text: "COMMIT" })
      client.release()
      return out
    } catch (error) {
      await client.query({ text: "ROLLBACK" }).catch(() => undefined)
      client.release()
      throw error
    }
  }

  const addToCart = async (userId: string, body: unknown) => {
    const b = body as { sku_id?: unknown; quantity?: unknown }
    if (typeof b?.sku_id !== "string" || typeof b.quantity !== "number" || !Number.isInteger(b.quantity) || b.quantity < 1 || b.quantity > 100) {
      throw new Refusal("400 Bad Request", errorBody("invalid_request", "body must be {sku_id, quantity: 1..100}"))
    }
    const r = await pool.query({
      name: "add",
      text: `INSERT INTO cart_items (user_id, sku, quantity) SELECT $1, sku, $3 FROM stock WHERE sku = $2
             ON CONFLICT (user_id, sku) DO UPDATE SET quantity = cart_items.quantity + EXCLUDED.quantity RETURNING quantity`,
      values: [userId, b.sku_id, b.quantity]
    })
    if (r.rowCount !== 1) throw new Refusal("404 Not Found", errorBody("not_found", "no such SKU"))
    return { cart_id: `bcart_${userId}`, sku_id: b.sku_id, quantity: r.rows[0]!["quantity"] }
  }

  const checkout = async (userId: string, cardToken: string, key: string) => {
    const orderId = baselineOrderIdOf(userId, key)
    type Line = { sku: string; quantity: number; price: number }
    const reserved = await inTx(async (c) => {
      const existing = await c.query({ name: "existing", text: "SELECT status, total FROM orders WHERE order_id = $1", values: [orderId] })
      if (existing.rows[0] !== undefined) return { existing: existing.rows[0] as { status: string; total: string } }
      const cart = await c.query({ name: "cart", text: "SELECT sku, quantity FROM cart_items WHERE user_id = $1 ORDER BY sku FOR UPDATE", values: [userId] })
      if (cart.rows.length === 0) throw new Refusal("422 Unprocessable Entity", errorBody("cart_empty", "the cart is empty"))
      const lines: Array<Line> = []
      for (const row of cart.rows) {
        const q = Number(row["quantity"])
        const taken = await c.query({ name: "take", text: "UPDATE stock SET reserved = reserved + $2 WHERE sku = $1 AND on_hand - reserved >= $2 RETURNING price", values: [row["sku"], q] })
        if (taken.rowCount !== 1) throw new Refusal("409 Conflict", errorBody("out_of_stock", "not enough stock", { skus: [{ sku_id: row["sku"], requested: q }] }))
        lines.push({ sku: String(row["sku"]), quantity: q, price: Number(taken.rows[0]!["price"]) })
      }
      const total = lines.reduce((n, l) => n + l.quantity * l.price, 0)
      await c.query({ name: "order", text: "INSERT INTO orders (order_id, user_id, status, total) VALUES ($1, $2, 'pending', $3)", values: [orderId, userId, total] })
      for (const l of lines) await c.query({ name: "line", text: "INSERT INTO order_items (order_id, sku, quantity, unit_price) VALUES ($1, $2, $3, $4)", values: [orderId, l.sku, l.quantity, l.price] })
      await c.query({ name: "empty", text: "DELETE FROM cart_items WHERE user_id = $1", values: [userId] })
      return { lines, total }
    })
    if ("existing" in reserved) {
      const e = reserved.existing
      if (e.status === "placed") return { checkout_id: orderId, status: "order_placed", order_id: orderId, order_preview_total: Number(e.total), currency: "INR" }
      throw new Refusal(e.status === "failed" ? "402 Payment Required" : "409 Conflict", errorBody(e.status === "failed" ? "payment_declined" : "idempotency_in_progress", `the order is ${e.status}`))
    }
    const auth = await provider.request("POST", "/v1/payments", {
      body: { token: cardToken, amount: reserved.total, currency: "INR", reference: orderId },
      headers: { "idempotency-key": `bauth-${orderId}` }
    })
    const payment = auth.body as { payment_id?: string; status?: string }
    if (auth.status !== 201 || payment.status !== "authorized") {
      await inTx(async (c) => {
        for (const l of reserved.lines) await c.query({ name: "release", text: "UPDATE stock SET reserved = reserved - $2 WHERE sku = $1", values: [l.sku, l.quantity] })
        await c.query({ name: "fail", text: "UPDATE orders SET status = 'failed' WHERE order_id = $1", values: [orderId] })
      })
      throw new Refusal("402 Payment Required", errorBody("payment_declined", `the payment was not authorized (${auth.status} ${payment.status ?? ""})`))
    }
    const capture = await provider.request("POST", `/v1/payments/${payment.payment_id}/capture`, { body: {}, headers: { "idempotency-key": `bcap-${orderId}` } })
    if (capture.status !== 200) throw new Error(`capture answered ${capture.status}`)
    await inTx(async (c) => {
      for (const l of reserved.lines) await c.query({ name: "sell", text: "UPDATE stock SET on_hand = on_hand - $2, reserved = reserved - $2 WHERE sku = $1", values: [l.sku, l.quantity] })
      await c.query({ name: "place", text: "UPDATE orders SET status = 'placed', payment_id = $2 WHERE order_id = $1", values: [orderId, payment.payment_id] })
    })
    return { checkout_id: orderId, status: "order_placed", order_id: orderId, order_preview_total: reserved.total, currency: "INR" }
  }

  let inFlight = 0
  const answer = (res: uWS.HttpResponse, state: { aborted: boolean }, status: string, body: string) => {
    inFlight--
    if (state.aborted) return
    res.cork(() => res.writeStatus(status).writeHeader("content-type", JSON_TYPE).end(body))
  }
  const serve = (
    method: "post" | "del",
    pattern: string,
    handle: (shopper: { user_id: string; card_token: string }, body: unknown, param: string, key: string) => Promise<unknown>,
    okStatus: string
  ) =>
    app[method](pattern, (res, req) => {
      const shopper = who(req.getHeader("authorization"))
      const key = req.getHeader("idempotency-key")
      const param = decodeURIComponent(req.getParameter(0) ?? "")
      const state = { aborted: false }
      res.onAborted(() => (state.aborted = true))
      inFlight++
      const chunks: Array<Buffer> = []
      let size = 0
      res.onData((chunk, isLast) => {
        size += chunk.byteLength
        if (size > MAX_BODY_BYTES) return
        chunks.push(Buffer.from(new Uint8Array(chunk)))
        if (!isLast) return
        if (shopper === undefined) return answer(res, state, "401 Unauthorized", errorBody("unauthenticated", "a valid bearer token is required"))
        let body: unknown = null
        try {
          const text = Buffer.concat(chunks).toString("utf8")
          body = text === "" ? null : JSON.parse(text)
        } catch {
          return answer(res, state, "400 Bad Request", errorBody("invalid_request", "the body is not JSON"))
        }
        handle(shopper, body, param, key).then(
          (out) => answer(res, state, okStatus, JSON.stringify(out)),
          (error: unknown) => {
            if (error instanceof Refusal) return answer(res, state, error.status, error.body)
            console.error(`baseline ${pattern}: ${error instanceof Error ? error.message : String(error)}`)
            answer(res, state, "503 Service Unavailable", errorBody("unavailable", "try again"))
          }
        )
      })
    })

  const app = uWS.App()
  serve("post", "/v1/cart/items", (s, body) => addToCart(s.user_id, body), "200 OK")
  serve(
    "del",
    "/v1/cart/items/:sku",
    async (s, _b, sku) => {
      await pool.query({ name: "remove", text: "DELETE FROM cart_items WHERE user_id = $1 AND sku = $2", values: [s.user_id, sku] })
      return { removed: sku }
    },
    "200 OK"
  )
  serve(
    "post",
    "/v1/checkout",
    (s, _b, _p, key) => {
      if (key === "" || key.length > 255) return Promise.reject(new Refusal("400 Bad Request", errorBody("invalid_request", "an Idempotency-Key header is required")))
      return checkout(s.user_id, s.card_token, key)
    },
    "201 Created"
  )
  app.any("/*", (res) => void res.cork(() => res.writeStatus("404 Not Found").writeHeader("content-type", JSON_TYPE).end(errorBody("not_found", "no such route"))))
  app.listen("127.0.0.1", Number(process.env["PORT"] ?? 0), (socket) => {
    if (!socket) {
      console.error("checkout baseline: cannot listen")
      process.exit(1)
    }
    console.log(`listening ${uWS.us_socket_local_port(socket)}`)
    const stop = () => {
      uWS.us_listen_socket_close(socket)
      const waited = Date.now()
      const poll = setInterval(() => {
        if (inFlight > 0 && Date.now() - waited < 5000) return
        clearInterval(poll)
        provider.close()
        void pool.end().finally(() => process.exit(0))
      }, 50)
    }
    process.once("SIGTERM", stop)
    process.once("SIGINT", stop)
  })
}

const isEntryPoint = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isEntryPoint) main()
