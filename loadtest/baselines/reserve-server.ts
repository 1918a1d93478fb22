/**
 * Baselines for `hot-sku-bench.ts`: the reservation route of the store, `POST
 * /v1/skus/{sku_id}/reservations`, served by a small uWebSockets.js app whose every reservation is
 * one durable write to a database, with no actor in between. Own process, loopback only.
 *
 *   MODE=postgres  one statement per request: `UPDATE stock SET reserved = reserved + $q WHERE sku = $1
 *                  AND on_hand - reserved >= $q` and the INSERT of the reservation row, in one CTE (one
 *                  implicit transaction, committed with the server's synchronous_commit), on a `pg`
 *                  pool of PG_POOL (10) connections. DATABASE_URL must select the bench's schema
 *                  (`?options=-c search_path=…`); the bench creates the tables.
 *   MODE=redis     one EVALSHA per request: a Lua script that checks and reserves in a hash and
 *                  XADDs the reservation event to a stream, under REDIS_PREFIX, on one ioredis connection.
 *
 * The HTTP side does what the store's gateway does for this route, in the same kind of server: read
 * the body (bounded), check the bearer token (shape, SHA-256, lookup: the store keys sessions by the
 * token's hash too), decode `{"quantity": n}` strictly, then answer 201 `{reservation_id, sku_id,
 * quantity, status, expires_at}`, 409 `out_of_stock`, 404, 401 or 400 with the store's error shape.
 * `GET /v1/skus/{sku_id}/stock` answers `{sku_id, available_quantity, stock_status}`.
 *
 *   MODE=postgres|redis PORT=0 TOKENS_FILE=… node --import tsx loadtest/baselines/reserve-server.ts
 *   prints "listening <port>"; SIGTERM lets in-flight requests finish (at most 5 s) and exits.
 *
 * TOKENS_FILE holds one bearer token per line; the owner of a reservation is `u_<line number>`.
 */
import { createHash, randomUUID } from "node:crypto"
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { Redis } from "ioredis"
import uWS from "uWebSockets.js"

// ---------------------------------------------------------------- storage

interface ReserveOutcome {
  readonly _tag: "reserved" | "out_of_stock" | "not_found"
  readonly available?: number
}

interface Backend {
  readonly reserve: (sku: string, quantity: number, reservationId: string, owner: string, expiresAt: string) => Promise<ReserveOutcome>
  readonly available: (sku: string) => Promise<number | undefined>
  readonly close: () => Promise<void>
}

/** The part of `pg` used here (a dependency of @effect/sql-pg; no type package is installed). */
export interface PgPool {
  query(config: { name?: string; text: string; values?: ReadonlyArray<unknown> }): Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>
  on(event: "error", listener: (error: Error) => void): void
  end(): Promise<void>
}
interface PgModule {
  Pool: new (config: Record<string, unknown>) => PgPool
}
export const pgPool = (config: Record<string, unknown>): PgPool => new (createRequire(import.meta.url)("pg") as PgModule).Pool(config)

/** Tables the bench creates in its schema (exported so that it creates exactly these). */
export const postgresTables = `
CREATE TABLE stock (sku text PRIMARY KEY, on_hand bigint NOT NULL, reserved bigint NOT NULL DEFAULT 0, CHECK (reserved >= 0 AND reserved <= on_hand));
CREATE TABLE reservations (reservation_id text PRIMARY KEY, sku text NOT NULL, owner text NOT NULL, quantity integer NOT NULL, expires_at timestamptz NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
`

const RESERVE_SQL = `WITH taken AS (
  UPDATE stock SET reserved = reserved + $2 WHERE sku = $1 AND on_hand - reserved >= $2 RETURNING sku
)
INSERT INTO reservations (reservation_id, sku, owner, quantity, expires_at)
SELECT $3, sku, $4, $2, $5 FROM taken
RETURNING reservation_id`

const postgresBackend = (url: string, poolSize: number, applicationName: string): Backend => {
  // idleTimeoutMillis 0: connections stay open between measurements (and keep their backend pids).
  const pool = pgPool({ connectionString: url, max: poolSize, idleTimeoutMillis: 0, application_name: applicationName })
  pool.on("error", (error) => console.error(`postgres pool: ${error.message}`))
  const available = async (sku: string) => {
    const { rows } = await pool.query({ name: "available", text: "SELECT on_hand - reserved AS available FROM stock WHERE sku = $1", values: [sku] })
    return rows[0] === undefined ? undefined : Number(rows[0]["available"])
  }
  return {
    reserve: async (sku, quantity, reservationId, owner, expiresAt) => {
      // Named: prepared once per connection, like any tuned client would.
      const result = await pool.query({ name: "reserve", text: RESERVE_SQL, values: [sku, quantity, reservationId, owner, expiresAt] })
      if (result.rowCount === 1) return { _tag: "reserved" }
      const left = await available(sku)
      return left === undefined ? { _tag: "not_found" } : { _tag: "out_of_stock", available: left }
    },
    available,
    close: () => pool.end()
  }
}

/** KEYS[1] the SKU's stock hash {on_hand, reserved}, KEYS[2] its event stream; ARGV quantity, id, owner, expires_at. */
const RESERVE_LUA = `
local stock = redis.call('HMGET', KEYS[1], 'on_hand', 'reserved')
if not stock[1] then return {-1, 0} end
local q = tonumber(ARGV[1])
local available = tonumber(stock[1]) - tonumber(stock[2] or '0')
if available < q then return {0, available} end
redis.call('HINCRBY', KEYS[1], 'reserved', q)
redis.call('XADD', KEYS[2], '*', 'type', 'Reserved', 'reservation_id', ARGV[2], 'owner', ARGV[3], 'quantity', ARGV[1], 'expires_at', ARGV[4])
return {1, available - q}
`

/** Key names shared with the bench (which sets the stock up and audits it). */
export const redisKeys = (prefix: string, sku: string) => ({ stock: `${prefix}:stock:${sku}`, events: `${prefix}:events:${sku}` })

type ReserveCommand = (stockKey: string, eventsKey: string, quantity: number, id: string, owner: string, expiresAt: string) => Promise<[number, number]>

const redisBackend = (url: string, prefix: string): Backend => {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: true })
  redis.on("error", (error: Error) => console.error(`redis: ${error.message}`))
  // defineCommand: EVALSHA, with EVAL once if the script is not cached yet.
  redis.defineCommand("reserveHot", { numberOfKeys: 2, lua: RESERVE_LUA })
  const reserveHot = (redis as unknown as { reserveHot: ReserveCommand }).reserveHot.bind(redis)
  const available = async (sku: string) => {
    const [onHand, reserved] = await redis.hmget(redisKeys(prefix, sku).stock, "on_hand", "reserved")
    return onHand === null ? undefined : Number(onHand) - Number(reserved ?? 0)
  }
  return {
    reserve: async (sku, quantity, reservationId, owner, expiresAt) => {
      const keys = redisKeys(prefix, sku)
      const [code, left] = await reserveHot(keys.stock, keys.events, quantity, reservationId, owner, expiresAt)
      return code === 1 ? { _tag: "reserved" } : code === 0 ? { _tag: "out_of_stock", available: left } : { _tag: "not_found" }
    },
    available,
    close: async () => {
      try {
        await redis.quit()
      } catch {
        redis.disconnect()
      }
    }
  }
}

// ---------------------------------------------------------------- HTTP

const JSON_TYPE = "application/json; charset=utf-8"
const MAX_BODY_BYTES = 64 * 1024
const MAX_QUANTITY = 10_000
const RESERVATION_TTL_MS = 10 * 60_000
const tokenShape = /^[A-Za-z0-9_-]{43}$/
const skuShape = /^sku_[A-Za-z0-9_-]{1,64}$/

/** Session "table": SHA-256 of the token → owner. */
const sessionsFrom = (file: string): Map<string, string> => {
  const sessions = new Map<string, string>()
  readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .forEach((token, i) => sessions.set(createHash("sha256").update(token, "utf8").digest("hex"), `u_${i + 1}`))
  return sessions
}

const errorBody = (code: string, message: string, details?: unknown) =>
  JSON.stringify({ error: details === undefined ? { code, message } : { code, message, details } })

const main = () => {
  const mode = process.env["MODE"]
  const port = Number(process.env["PORT"] ?? 0)
  const tokensFile = process.env["TOKENS_FILE"]
  if (tokensFile === undefined) throw new Error("TOKENS_FILE is required")
  const sessions = sessionsFrom(tokensFile)
  const backend =
    mode === "postgres"
      ? postgresBackend(
          process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test",
          Number(process.env["PG_POOL"] ?? 10),
          process.env["PG_APPLICATION_NAME"] ?? "reserve-baseline"
        )
      : mode === "redis"
        ? redisBackend(process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379", process.env["REDIS_PREFIX"] ?? "bench:reserve")
        : undefined
  if (backend === undefined) throw new Error(`MODE must be postgres or redis, got "${mode}"`)

  let inFlight = 0
  let closing = false
  let drained: (() => void) | undefined

  const send = (res: uWS.HttpResponse, state: { aborted: boolean }, status: string, body: string) => {
    inFlight--
    if (closing && inFlight === 0) drained?.()
    if (state.aborted) return
    res.cork(() => {
      res.writeStatus(status).writeHeader("content-type", JSON_TYPE)
      if (closing) res.writeHeader("connection", "close")
      res.end(body)
    })
  }

  const reserve = async (res: uWS.HttpResponse, state: { aborted: boolean }, sku: string, authorization: string, body: Buffer) => {
    const token = authorization.startsWith("Bearer ") ? authorization.slice(7) : ""
    const owner = tokenShape.test(token) ? sessions.get(createHash("sha256").update(token, "utf8").digest("hex")) : undefined
    if (owner === undefined) return send(res, state, "401 Unauthorized", errorBody("unauthenticated", "a valid bearer token is required"))
    if (!skuShape.test(sku)) return send(res, state, "400 Bad Request", errorBody("invalid_request", "sku_id is not a SKU id"))
    let input: unknown
    try {
      input = JSON.parse(body.toString("utf8"))
    } catch {
      return send(res, state, "400 Bad Request", errorBody("invalid_request", "the body is not JSON"))
    }
    const quantity = (input as { quantity?: unknown } | null)?.quantity
    if (
      typeof input !== "object" ||
      input === null ||
      Array.isArray(input) ||
      Object.keys(input).some((k) => k !== "quantity") ||
      typeof quantity !== "number" ||
      !Number.isInteger(quantity) ||
      quantity < 1 ||
      quantity > MAX_QUANTITY
    ) {
      return send(res, state, "400 Bad Request", errorBody("invalid_request", `body must be {"quantity": 1..${MAX_QUANTITY}}`))
    }
    const reservationId = `res_${randomUUID()}`
    const expiresAt = new Date(Date.now() + RESERVATION_TTL_MS).toISOString()
    try {
      const outcome = await backend.reserve(sku, quantity, reservationId, owner, expiresAt)
      if (outcome._tag === "reserved") {
        return send(res, state, "201 Created", JSON.stringify({ reservation_id: reservationId, sku_id: sku, quantity, status: "held", expires_at: expiresAt }))
      }
      if (outcome._tag === "not_found") return send(res, state, "404 Not Found", errorBody("not_found", "no such SKU"))
      return send(res, state, "409 Conflict", errorBody("out_of_stock", "not enough stock", { skus: [{ sku_id: sku, requested: quantity, available: outcome.available }] }))
    } catch (error) {
      console.error(`reserve ${sku}: ${error instanceof Error ? error.message : String(error)}`)
      return send(res, state, "503 Service Unavailable", errorBody("unavailable", "storage unavailable; retry"))
    }
  }

  const app = uWS.App()
  app.post("/v1/skus/:sku/reservations", (res, req) => {
    // Copy everything out of `req` before returning: it is invalid afterwards.
    const sku = decodeURIComponent(req.getParameter(0) ?? "")
    const authorization = req.getHeader("authorization")
    const state = { aborted: false }
    res.onAborted(() => {
      state.aborted = true
    })
    inFlight++
    if (closing) return send(res, state, "503 Service Unavailable", errorBody("unavailable", "shutting down"))
    const chunks: Array<Buffer> = []
    let size = 0
    res.onData((chunk, isLast) => {
      if (size < 0) return
      size += chunk.byteLength
      if (size > MAX_BODY_BYTES) {
        size = -1
        return send(res, state, "413 Payload Too Large", errorBody("payload_too_large", `at most ${MAX_BODY_BYTES} bytes`))
      }
      // The ArrayBuffer is only valid during this callback: copy it.
      chunks.push(Buffer.from(new Uint8Array(chunk)))
      if (isLast) {
        void reserve(res, state, sku, authorization, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
      }
    })
  })
  app.get("/v1/skus/:sku/stock", (res, req) => {
    const sku = decodeURIComponent(req.getParameter(0) ?? "")
    const state = { aborted: false }
    res.onAborted(() => {
      state.aborted = true
    })
    inFlight++
    backend.available(sku).then(
      (available) =>
        available === undefined
          ? send(res, state, "404 Not Found", errorBody("not_found", "no such SKU"))
          : send(res, state, "200 OK", JSON.stringify({ sku_id: sku, available_quantity: available, stock_status: available > 0 ? "in_stock" : "out_of_stock" })),
      () => send(res, state, "503 Service Unavailable", errorBody("unavailable", "storage unavailable; retry"))
    )
  })
  app.get("/healthz", (res) => {
    res.cork(() => res.writeStatus("200 OK").writeHeader("content-type", JSON_TYPE).end(JSON.stringify({ status: "ok" })))
  })
  app.any("/*", (res) => {
    res.cork(() => res.writeStatus("404 Not Found").writeHeader("content-type", JSON_TYPE).end(errorBody("not_found", "no such route")))
  })

  app.listen("127.0.0.1", port, (listenSocket) => {
    if (!listenSocket) {
      console.error(`reserve baseline: cannot listen on 127.0.0.1:${port}`)
      process.exit(1)
    }
    console.log(`listening ${uWS.us_socket_local_port(listenSocket)}`)
    const stop = () => {
      if (closing) return
      closing = true
      uWS.us_listen_socket_close(listenSocket)
      const done = new Promise<void>((resolve) => {
        if (inFlight === 0) return resolve()
        drained = resolve
        setTimeout(resolve, 5000).unref()
      })
      void done
        .then(() => backend.close())
        .then(
          () => process.exit(0),
          () => process.exit(1)
        )
    }
    process.once("SIGTERM", stop)
    process.once("SIGINT", stop)
  })
}

// The bench imports the table and key definitions above without starting a server.
const isEntryPoint = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (isEntryPoint) main()
