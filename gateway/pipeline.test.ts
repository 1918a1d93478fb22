/**
 * The request pipeline end to end, over real HTTP against a uWS gateway on 127.0.0.1: limits,
 * routing, decoding, auth, idempotency, the error funnel, rate limits and metrics.
 */
import { createRequire } from "node:module"
import http from "node:http"
import net from "node:net"
import { Effect, Schema } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { MailboxFull, StorageUnavailable } from "../runtime/errors.ts"
import { type ApiError, conflict, notFound } from "./api-error.ts"
import type { RateLimiter } from "./ports.ts"
import { type AnyRoute, route } from "./route.ts"
import { bearer, memoryIdempotency, startTestGateway, type TestGateway, tokens } from "./testing.ts"

interface PromMetric {
  readonly name: string
  readonly type: string
  readonly metrics: ReadonlyArray<{ readonly value?: string; readonly labels?: Record<string, string>; readonly count?: string }>
}
const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (text: string) => Array<PromMetric>

// ---------------------------------------------------------------------------------------------
// Routes under test

const Item = Schema.Struct({
  name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(50)),
  qty: Schema.Int.pipe(Schema.between(1, 100))
})

const echo = route({
  operationId: "testEcho",
  method: "post",
  path: "/v1/test/echo",
  summary: "Echo a strictly decoded body",
  tags: ["test"],
  access: "public",
  rateClass: "write",
  idempotency: "none",
  body: Item,
  success: { status: 200, schema: Item, description: "the body" },
  errors: [],
  handler: (r) => Effect.succeed({ body: r.body })
})

const getThing = route({
  operationId: "testGetThing",
  method: "get",
  path: "/v1/test/things/{thing_id}",
  summary: "A path parameter and a query",
  tags: ["test"],
  access: "public",
  rateClass: "read",
  idempotency: "none",
  params: Schema.Struct({ thing_id: Schema.String.pipe(Schema.pattern(/^t_[a-z0-9]{1,20}$/)) }),
  query: Schema.Struct({
    limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 100))),
    q: Schema.optional(Schema.String.pipe(Schema.maxLength(20)))
  }),
  success: { status: 200, description: "the thing" },
  errors: [[404, "not_found"]],
  handler: (r) =>
    r.params.thing_id === "t_missing"
      ? Effect.fail(notFound("no such thing"))
      : Effect.succeed({ body: { thing_id: r.params.thing_id, limit: r.query.limit ?? 20, q: r.query.q ?? null } })
})

const whoami = route({
  operationId: "testWhoami",
  method: "get",
  path: "/v1/test/me",
  summary: "Needs a signed-in user",
  tags: ["test"],
  access: "user",
  rateClass: "read",
  idempotency: "none",
  success: { status: 200, description: "the caller" },
  errors: [[401, "unauthenticated"]],
  handler: (r) => Effect.succeed({ body: { user_id: r.caller!.userId, roles: r.caller!.roles } })
})

const maybeWho = route({
  operationId: "testMaybeWho",
  method: "get",
  path: "/v1/test/maybe-me",
  summary: "Anyone; identified when a token is sent",
  tags: ["test"],
  access: "optional",
  rateClass: "read",
  idempotency: "none",
  success: { status: 200, description: "the caller or null" },
  errors: [],
  handler: (r) => Effect.succeed({ body: { user_id: r.caller?.userId ?? null } })
})

let adminActions = 0
const adminAction = route({
  operationId: "testAdminAction",
  method: "post",
  path: "/v1/test/admin/things/{thing_id}/approve",
  summary: "An action POST for admins only; takes no body or {}",
  tags: ["test"],
  access: ["admin"],
  rateClass: "write",
  idempotency: "optional",
  params: Schema.Struct({ thing_id: Schema.String }),
  success: { status: 200, description: "approved" },
  errors: [[403, "forbidden"]],
  handler: (r) => Effect.sync(() => ({ body: { thing_id: r.params.thing_id, approved: true, n: ++adminActions } }))
})

const logout = route({
  operationId: "testLogout",
  method: "post",
  path: "/v1/test/logout",
  summary: "An action POST with a 204",
  tags: ["test"],
  access: "user",
  rateClass: "write",
  idempotency: "none",
  success: { status: 204, description: "done" },
  errors: [],
  handler: () => Effect.succeed({ body: undefined })
})

/** Counts its executions; `sku` "missing" fails with a stored 404, "flaky" fails once with a retryable 503. */
let orders = 0
let flaky = 0
const createOrder = route({
  operationId: "testCreateOrder",
  method: "post",
  path: "/v1/test/orders",
  summary: "Idempotent by an optional key",
  tags: ["test"],
  access: "optional",
  rateClass: "write",
  idempotency: "optional",
  body: Schema.Struct({ sku: Schema.String.pipe(Schema.maxLength(20)), qty: Schema.Int.pipe(Schema.between(1, 100)) }),
  success: { status: 201, description: "created" },
  errors: [[404, "not_found"]],
  handler: (r) =>
    Effect.suspend(() => {
      if (r.body.sku === "missing") return Effect.fail(notFound("no such sku"))
      if (r.body.sku === "flaky" && flaky++ === 0) {
        return Effect.fail({ _tag: "Unavailable", retryAfterMs: 3000 } as unknown as ApiError)
      }
      const n = ++orders
      return Effect.succeed({ body: { order_id: `ord_${n}`, sku: r.body.sku, qty: r.body.qty, user_id: r.caller?.userId ?? null, key: r.idempotencyKey ?? null } })
    })
})

let checkouts = 0
const checkout = route({
  operationId: "testCheckout",
  method: "post",
  path: "/v1/test/checkout",
  summary: "Requires an idempotency key, header or body alias",
  tags: ["test"],
  access: "user",
  rateClass: "write",
  idempotency: "required",
  idempotencyBodyField: "idempotency_key",
  body: Schema.Struct({ cart_id: Schema.String, idempotency_key: Schema.optional(Schema.String) }),
  success: { status: 201, description: "checkout" },
  errors: [],
  handler: (r) => Effect.sync(() => ({ body: { checkout_id: `co_${++checkouts}`, cart_id: r.body.cart_id, key: r.idempotencyKey } }))
})

/** A handler gated by the test: `gate.started` resolves when it runs, `gate.release()` lets it answer. */
const makeGate = () => {
  let release!: () => void
  let started!: () => void
  const gate = {
    released: new Promise<void>((r) => (release = r)),
    started: new Promise<void>((r) => (started = r)),
    release: () => release(),
    markStarted: () => started()
  }
  return gate
}
let gate = makeGate()
let slowRuns = 0
const slow = route({
  operationId: "testSlow",
  method: "post",
  path: "/v1/test/slow",
  summary: "Answers when the test says so",
  tags: ["test"],
  access: "optional",
  rateClass: "write",
  idempotency: "optional",
  body: Schema.Struct({ n: Schema.Number }),
  success: { status: 201, description: "done" },
  errors: [],
  handler: (r) =>
    Effect.promise(async () => {
      slowRuns++
      gate.markStarted()
      await gate.released
      return { body: { n: r.body.n, runs: slowRuns } }
    })
})

const dies = route({
  operationId: "testDies",
  method: "get",
  path: "/v1/test/die",
  summary: "A defect",
  tags: ["test"],
  access: "public",
  rateClass: "read",
  idempotency: "none",
  success: { status: 200, description: "never" },
  errors: [],
  handler: () => Effect.die(new Error("secret internals: password=hunter2 at db.internal:5432"))
})

const throws = route({
  operationId: "testThrows",
  method: "post",
  path: "/v1/test/throws",
  summary: "A handler that throws instead of returning an Effect",
  tags: ["test"],
  access: "user",
  rateClass: "write",
  idempotency: "optional",
  success: { status: 200, description: "never" },
  errors: [],
  handler: () => {
    throw new Error("thrown synchronously: secret=hunter2")
  }
})

const badReply = route({
  operationId: "testBadReply",
  method: "get",
  path: "/v1/test/bad-reply",
  summary: "A reply that does not match its schema",
  tags: ["test"],
  access: "public",
  rateClass: "read",
  idempotency: "none",
  success: { status: 200, schema: Item, description: "never" },
  errors: [],
  handler: () => Effect.succeed({ body: { name: "x", qty: "not a number" } as unknown as typeof Item.Type })
})

const failures: Record<string, () => unknown> = {
  unavailable: () => ({ _tag: "Unavailable", retryAfterMs: 2000 }),
  mailbox: () => new MailboxFull({ actor: "sku/1", capacity: 10, message: "full" }),
  storage: () => new StorageUnavailable({ store: "journal", message: "connection refused to 10.0.0.7" }),
  conflict: () => conflict("out_of_stock", "none left", { skus: [{ sku_id: "sku_1", requested: 2, available: 0 }] }),
  weird: () => ({ _tag: "SomethingInternal", secret: "hunter2" })
}
const fails = route({
  operationId: "testFails",
  method: "get",
  path: "/v1/test/fail/{kind}",
  summary: "Typed failures of several kinds",
  tags: ["test"],
  access: "public",
  rateClass: "read",
  idempotency: "none",
  params: Schema.Struct({ kind: Schema.Literal("unavailable", "mailbox", "storage", "conflict", "weird") }),
  success: { status: 200, description: "never" },
  errors: [[503, "unavailable"]],
  handler: (r) => Effect.fail(failures[r.params.kind]!() as ApiError)
})

const routes: ReadonlyArray<AnyRoute<never>> = [echo, getThing, whoami, maybeWho, adminAction, logout, createOrder, checkout, slow, dies, throws, badReply, fails]

// ---------------------------------------------------------------------------------------------
// HTTP helpers

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: unknown
}

let gw: TestGateway

const call = async (path: string, init: RequestInit = {}): Promise<Answer> => {
  const res = await fetch(`${gw.base}${path}`, init)
  const text = await res.text()
  let json: unknown = undefined
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json }
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) })

/** A request through node:http, for what fetch refuses to send. */
const rawHttp = (
  port: number,
  options: { method: string; path: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string }
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> =>
  new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: options.method, path: options.path, headers: options.headers, agent: false }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }))
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end(options.body)
  })

/** Raw bytes over TCP; resolves with everything the server sent until it closed or `waitMs` passed. */
const rawTcp = (port: number, bytes: string | Buffer, waitMs = 2000): Promise<{ text: string; closedByServer: boolean }> =>
  new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(bytes))
    let text = ""
    let settled = false
    const done = (closedByServer: boolean) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ text, closedByServer })
    }
    const timer = setTimeout(() => done(false), waitMs)
    socket.on("data", (d: Buffer) => (text += d.toString("latin1")))
    socket.on("end", () => done(true))
    socket.on("close", () => done(true))
    socket.on("error", () => done(true))
  })

/** Status line and JSON body of a raw HTTP/1.1 response. */
const parseRaw = (text: string) => {
  const [head = "", body = ""] = text.split("\r\n\r\n", 2)
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? "0")
  const headers: Record<string, Array<string>> = {}
  for (const line of head.split("\r\n").slice(1)) {
    const i = line.indexOf(":")
    const k = line.slice(0, i).trim().toLowerCase()
    ;(headers[k] ??= []).push(line.slice(i + 1).trim())
  }
  return { status, headers, json: JSON.parse(body) as unknown }
}

/** Asserts the exact error shape of API.md and returns the error. */
const expectError = (
  answer: { status: number; json: unknown; headers?: unknown },
  status: number,
  code: string
): { code: string; message: string; details: Record<string, unknown> } => {
  expect(answer.status, JSON.stringify(answer.json)).toBe(status)
  const body = answer.json as { error: { code: string; message: string; details: Record<string, unknown> } }
  expect(Object.keys(body)).toEqual(["error"])
  expect(Object.keys(body.error).sort()).toEqual(["code", "details", "message"])
  expect(body.error.code).toBe(code)
  expect(typeof body.error.message).toBe("string")
  expect(body.error.message.length).toBeGreaterThan(0)
  expect(typeof body.error.details).toBe("object")
  expect(body.error.details).not.toBeNull()
  if (answer.headers instanceof Headers) expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8")
  return body.error
}

const issuesOf = (answer: Answer) => {
  const error = expectError(answer, 400, "invalid_request")
  const issues = error.details["issues"] as Array<{ path: string; message: string }>
  expect(Array.isArray(issues)).toBe(true)
  for (const issue of issues) {
    expect(Object.keys(issue).sort()).toEqual(["message", "path"])
    expect(typeof issue.message).toBe("string")
  }
  return issues
}

const metricsText = async () => (await call("/metrics")).text

beforeAll(async () => {
  gw = await startTestGateway(routes)
})
afterAll(async () => {
  await gw.shutdown()
})
// Whatever a test did, the server goes on serving.
afterEach(async () => {
  const health = await call("/healthz")
  expect(health.status).toBe(200)
  expect(health.json).toEqual({ status: "ok" })
})

// ---------------------------------------------------------------------------------------------

describe("routing", () => {
  it("serves a route and JSON with the documented content type and a request id", async () => {
    const a = await post("/v1/test/echo", { name: "pen", qty: 2 })
    expect(a.status).toBe(200)
    expect(a.json).toEqual({ name: "pen", qty: 2 })
    expect(a.headers.get("content-type")).toBe("application/json; charset=utf-8")
    expect(a.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/)
  })

  it("answers 404 not_found for an unknown route", async () => {
    expectError(await call("/v1/nope"), 404, "not_found")
    expectError(await call("/v1/test/things/t_1/extra"), 404, "not_found")
    expectError(await call("/", { method: "PUT" }), 404, "not_found")
  })

  it("answers 405 method_not_allowed with an Allow header for a known path", async () => {
    const a = await call("/v1/test/echo", { method: "DELETE" })
    const e = expectError(a, 405, "method_not_allowed")
    expect(e.details["allowed"]).toEqual(["POST"])
    expect(a.headers.get("allow")).toBe("POST")
    const b = await call("/v1/test/things/t_1", { method: "PATCH" })
    expectError(b, 405, "method_not_allowed")
    expect(b.headers.get("allow")).toBe("GET")
  })

  it("answers 405 for methods no route uses, listing the path's own methods (and 404 off the map)", async () => {
    const options = await call("/healthz", { method: "OPTIONS" })
    expect(expectError(options, 405, "method_not_allowed").details["allowed"]).toEqual(["GET"])
    expect(options.headers.get("allow")).toBe("GET")
    const head = await rawHttp(gw.port, { method: "HEAD", path: "/v1/test/echo" })
    expect(head.status).toBe(405)
    expect(head.headers["allow"]).toBe("POST")
    expectError(await call("/v1/nope", { method: "OPTIONS" }), 404, "not_found")
  })

  it("ignores one trailing slash and decodes percent-encoded path parameters", async () => {
    expect((await call("/healthz/")).status).toBe(200)
    const a = await call("/v1/test/things/t_%61bc")
    expect(a.status).toBe(200)
    expect((a.json as { thing_id: string }).thing_id).toBe("t_abc")
  })

  it("answers 400 for a path parameter that is not valid percent-encoding", async () => {
    expectError(await call("/v1/test/things/%E0%A4%A"), 400, "invalid_request")
  })
})

describe("limits", () => {
  it("answers 414 uri_too_long for a URL over 8 KiB, and serves one just under", async () => {
    const under = await call(`/v1/test/things/t_1?q=${"a".repeat(8000)}`)
    // under the URL limit, so the query schema speaks (q is at most 20 characters)
    expect(issuesOf(under).map((i) => i.path)).toEqual(["query.q"])
    const a = await call(`/v1/test/things/t_1?q=${"a".repeat(8 * 1024)}`)
    const e = expectError(a, 414, "uri_too_long")
    expect(e.details).toEqual({ limit_bytes: 8192 })
    expectError(await call(`/v1/${"x".repeat(9000)}`), 414, "uri_too_long")
  })

  it("answers 431 headers_too_large for headers over 16 KiB", async () => {
    const a = await rawHttp(gw.port, { method: "GET", path: "/healthz", headers: { "x-padding": "a".repeat(17 * 1024) } })
    expect(a.status).toBe(431)
    const e = expectError({ status: a.status, json: JSON.parse(a.text) }, 431, "headers_too_large")
    expect(e.details).toEqual({ limit_bytes: 16384 })
    // spread over many headers too
    const many: http.OutgoingHttpHeaders = {}
    for (let i = 0; i < 40; i++) many[`x-h${i}`] = "b".repeat(500)
    const b = await rawHttp(gw.port, { method: "GET", path: "/healthz", headers: many })
    expect(b.status).toBe(431)
    expect(b.headers["content-type"]).toBe("application/json; charset=utf-8")
    // and 15 KiB is fine
    const c = await rawHttp(gw.port, { method: "GET", path: "/healthz", headers: { "x-padding": "a".repeat(15 * 1024) } })
    expect(c.status).toBe(200)
  })

  it("takes a body of exactly 64 KiB and answers 413 payload_too_large one byte over (content-length)", async () => {
    const json = JSON.stringify({ name: "pen", qty: 1 })
    const exact = json + " ".repeat(64 * 1024 - json.length)
    expect(Buffer.byteLength(exact)).toBe(65536)
    const ok = await post("/v1/test/echo", exact)
    expect(ok.status).toBe(200)
    const over = await post("/v1/test/echo", exact + " ")
    const e = expectError(over, 413, "payload_too_large")
    expect(e.details).toEqual({ limit_bytes: 65536 })
    expect(over.headers.get("connection")).toBe("close")
    const big = await post("/v1/test/echo", { name: "a".repeat(200_000), qty: 1 })
    expectError(big, 413, "payload_too_large")
  })

  it("answers 413 when a chunked body grows past the limit", async () => {
    const chunk = new TextEncoder().encode(`{"name":"${"a".repeat(8 * 1024)}`)
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= 40) return controller.close()
        sent++
        controller.enqueue(chunk)
        await new Promise((r) => setTimeout(r, 2))
      }
    })
    const a = await call("/v1/test/echo", { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" } as RequestInit)
    expectError(a, 413, "payload_too_large")
    // a small chunked body is read in full
    const small = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"name":'))
        controller.enqueue(new TextEncoder().encode('"pen","qty":3}'))
        controller.close()
      }
    })
    const b = await call("/v1/test/echo", { method: "POST", headers: { "content-type": "application/json" }, body: small, duplex: "half" } as RequestInit)
    expect(b.status).toBe(200)
    expect(b.json).toEqual({ name: "pen", qty: 3 })
  })

  it("answers 413 from a declared content-length before the body arrives", async () => {
    const { text, closedByServer } = await rawTcp(
      gw.port,
      "POST /v1/test/echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 10000000\r\n\r\n{"
    )
    const answer = parseRaw(text)
    expectError(answer, 413, "payload_too_large")
    expect(answer.headers["connection"]).toEqual(["close"])
    expect(closedByServer).toBe(true)
  })

  it("answers 408 and closes when a body does not arrive in time", async () => {
    const g = await startTestGateway(routes, { limits: { bodyTimeoutMs: 200 } })
    try {
      const started = Date.now()
      const { text, closedByServer } = await rawTcp(
        g.port,
        "POST /v1/test/echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"name\":"
      )
      expectError(parseRaw(text), 408, "request_timeout")
      expect(closedByServer).toBe(true)
      expect(Date.now() - started).toBeLessThan(1500)
      expect((await fetch(`${g.base}/healthz`)).status).toBe(200)
    } finally {
      await g.shutdown()
    }
  })
})

describe("decoding", () => {
  it("answers 400 for a body that is not JSON", async () => {
    expect(expectError(await post("/v1/test/echo", '{"name": "pen", '), 400, "invalid_request").message).toMatch(/JSON/)
    expectError(await post("/v1/test/echo", "name=pen"), 400, "invalid_request")
  })

  it("answers 400 for a body that is not valid UTF-8", async () => {
    const bytes = Buffer.concat([Buffer.from('{"name":"p'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('","qty":1}')])
    const a = await call("/v1/test/echo", { method: "POST", headers: { "content-type": "application/json" }, body: bytes })
    expect(expectError(a, 400, "invalid_request").message).toMatch(/UTF-8/)
    // through node:http too, a lone continuation byte
    const b = await rawHttp(gw.port, {
      method: "POST",
      path: "/v1/test/echo",
      headers: { "content-type": "application/json" },
      body: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0x80]), Buffer.from('","qty":1}')])
    })
    expectError({ status: b.status, json: JSON.parse(b.text) }, 400, "invalid_request")
    // valid multi-byte UTF-8 is fine
    const c = await post("/v1/test/echo", { name: "crème brûlée ✓", qty: 1 })
    expect(c.json).toEqual({ name: "crème brûlée ✓", qty: 1 })
  })

  it("rejects unknown fields with one issue per field, path and message", async () => {
    const issues = issuesOf(await post("/v1/test/echo", { name: "pen", qty: 1, price: 1, user_id: "u_bob" }))
    expect(issues.map((i) => i.path).sort()).toEqual(["body.price", "body.user_id"])
    for (const i of issues) expect(i.message.length).toBeGreaterThan(0)
  })

  it("reports wrong types for every field at once", async () => {
    const issues = issuesOf(await post("/v1/test/echo", { name: 5, qty: "3" }))
    expect(issues.map((i) => i.path).sort()).toEqual(["body.name", "body.qty"])
  })

  it("reports missing fields, and bodies that are not objects", async () => {
    expect(issuesOf(await post("/v1/test/echo", { name: "pen" })).map((i) => i.path)).toEqual(["body.qty"])
    for (const body of ["[]", "null", '"pen"', "42", "true"]) {
      expect(issuesOf(await post("/v1/test/echo", body)).map((i) => i.path)).toEqual(["body"])
    }
    // and no body at all
    const none = await call("/v1/test/echo", { method: "POST" })
    expect(issuesOf(none).map((i) => i.path)).toEqual(["body"])
  })

  it("rejects huge, fractional and out-of-range numbers and strings out of bounds", async () => {
    const cases: Array<[string, string]> = [
      ['{"name":"pen","qty":1e400}', "body.qty"],
      ['{"name":"pen","qty":123456789012345678901234567890}', "body.qty"],
      ['{"name":"pen","qty":9007199254740993}', "body.qty"],
      ['{"name":"pen","qty":1.5}', "body.qty"],
      ['{"name":"pen","qty":0}', "body.qty"],
      ['{"name":"pen","qty":101}', "body.qty"],
      ['{"name":"pen","qty":-1}', "body.qty"],
      ['{"name":"","qty":1}', "body.name"],
      [JSON.stringify({ name: "a".repeat(51), qty: 1 }), "body.name"]
    ]
    for (const [body, path] of cases) {
      expect(issuesOf(await post("/v1/test/echo", body)).map((i) => i.path), body).toEqual([path])
    }
    // the boundaries themselves are fine
    expect((await post("/v1/test/echo", { name: "a".repeat(50), qty: 100 })).status).toBe(200)
    expect((await post("/v1/test/echo", { name: "a", qty: 1 })).status).toBe(200)
  })

  it("answers 415 for a body that is not application/json", async () => {
    const body = JSON.stringify({ name: "pen", qty: 1 })
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonx"]) {
      const a = await call("/v1/test/echo", { method: "POST", headers: { "content-type": type }, body })
      expectError(a, 415, "unsupported_media_type")
    }
    // fetch labels a string body text/plain by default
    expectError(await call("/v1/test/echo", { method: "POST", body }), 415, "unsupported_media_type")
    // parameters and case are fine
    const ok = await call("/v1/test/echo", { method: "POST", headers: { "content-type": "Application/JSON; charset=utf-8" }, body })
    expect(ok.status).toBe(200)
  })

  it("decodes path parameters and the query with their schemas", async () => {
    const a = await call("/v1/test/things/t_9?limit=5&q=red%20pen")
    expect(a.status).toBe(200)
    expect(a.json).toEqual({ thing_id: "t_9", limit: 5, q: "red pen" })
    expect((await call("/v1/test/things/t_9?q=red+pen")).json).toEqual({ thing_id: "t_9", limit: 20, q: "red pen" })
    expect(issuesOf(await call("/v1/test/things/NOPE")).map((i) => i.path)).toEqual(["path.thing_id"])
    expect(issuesOf(await call("/v1/test/things/t_9?limit=abc")).map((i) => i.path)).toEqual(["query.limit"])
    expect(issuesOf(await call("/v1/test/things/t_9?limit=1000")).map((i) => i.path)).toEqual(["query.limit"])
    expect(issuesOf(await call("/v1/test/things/t_9?limit=2.5")).map((i) => i.path)).toEqual(["query.limit"])
    expect(issuesOf(await call("/v1/test/things/t_9?sort=price")).map((i) => i.path)).toEqual(["query.sort"])
    expect(issuesOf(await call("/v1/test/things/t_9?limit=1&limit=2")).map((i) => i.path)).toContain("query.limit")
    expect(issuesOf(await call("/v1/test/things/t_9?q=%E0%A4%A")).map((i) => i.path)).toEqual(["query"])
    // a route without a query schema takes no query
    expect(issuesOf(await call("/healthz?verbose=1")).map((i) => i.path)).toEqual(["query.verbose"])
    expectError(await call("/v1/test/things/t_missing"), 404, "not_found")
  })

  it("an action POST takes no body or {}, and nothing else", async () => {
    const admin = bearer("admin")
    const none = await call("/v1/test/admin/things/t_1/approve", { method: "POST", headers: admin })
    expect(none.status).toBe(200)
    expect((none.json as { approved: boolean }).approved).toBe(true)
    const empty = await post("/v1/test/admin/things/t_1/approve", {}, admin)
    expect(empty.status).toBe(200)
    const emptyText = await post("/v1/test/admin/things/t_1/approve", "", admin)
    expect(emptyText.status).toBe(200)
    expect(issuesOf(await post("/v1/test/admin/things/t_1/approve", { x: 1 }, admin)).map((i) => i.path)).toEqual(["body"])
    expect(issuesOf(await post("/v1/test/admin/things/t_1/approve", "[]", admin)).map((i) => i.path)).toEqual(["body"])
    expect(issuesOf(await post("/v1/test/admin/things/t_1/approve", "null", admin)).map((i) => i.path)).toEqual(["body"])
    // 204: no body, no content type
    const out = await call("/v1/test/logout", { method: "POST", headers: bearer("alice") })
    expect(out.status).toBe(204)
    expect(out.text).toBe("")
    expect(out.headers.get("content-type")).toBeNull()
  })
})

describe("authentication and roles", () => {
  it("answers 401 unauthenticated without a token", async () => {
    const a = await call("/v1/test/me")
    expectError(a, 401, "unauthenticated")
  })

  it("answers 401 for an Authorization header that is not 'Bearer <token>'", async () => {
    for (const value of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer short", `bearer ${tokens.alice}`, `Bearer ${tokens.alice} extra`, `Bearer ${"x".repeat(600)}`, "Bearer bad$token$characters!!"]) {
      expectError(await call("/v1/test/me", { headers: { authorization: value } }), 401, "unauthenticated")
    }
  })

  it("answers 401 for an unknown token, on user and optional routes alike", async () => {
    const unknown = { authorization: "Bearer tok_unknown_0123456789abcdef" }
    expect(expectError(await call("/v1/test/me", { headers: unknown }), 401, "unauthenticated").message).toMatch(/unknown/)
    expectError(await call("/v1/test/maybe-me", { headers: unknown }), 401, "unauthenticated")
  })

  it("identifies the caller with a valid token; optional routes also serve anonymous clients", async () => {
    expect((await call("/v1/test/me", { headers: bearer("alice") })).json).toEqual({ user_id: "u_alice", roles: ["customer"] })
    expect((await call("/v1/test/maybe-me", { headers: bearer("bob") })).json).toEqual({ user_id: "u_bob" })
    expect((await call("/v1/test/maybe-me")).json).toEqual({ user_id: null })
    // public routes ignore the header altogether
    expect((await call("/healthz", { headers: { authorization: "garbage" } })).status).toBe(200)
  })

  it("answers 403 forbidden for a wrong role, and serves the right one", async () => {
    for (const who of ["alice", "seller"] as const) {
      expectError(await call("/v1/test/admin/things/t_1/approve", { method: "POST", headers: bearer(who) }), 403, "forbidden")
    }
    expectError(await call("/v1/test/admin/things/t_1/approve", { method: "POST" }), 401, "unauthenticated")
    expect((await call("/v1/test/admin/things/t_1/approve", { method: "POST", headers: bearer("admin") })).status).toBe(200)
  })
})

describe("idempotency", () => {
  const key = (name: string) => `${name}-${Math.random().toString(36).slice(2)}`

  it("replays the stored status and body with Idempotent-Replayed: true, without running the handler again", async () => {
    const k = key("replay")
    const before = orders
    const first = await post("/v1/test/orders", { sku: "sku_1", qty: 2 }, { ...bearer("alice"), "idempotency-key": k })
    expect(first.status).toBe(201)
    expect(first.headers.get("idempotent-replayed")).toBeNull()
    expect((first.json as { key: string }).key).toBe(k)
    for (let i = 0; i < 3; i++) {
      const again = await post("/v1/test/orders", { sku: "sku_1", qty: 2 }, { ...bearer("alice"), "idempotency-key": k })
      expect(again.status).toBe(201)
      expect(again.text).toBe(first.text)
      expect(again.headers.get("idempotent-replayed")).toBe("true")
      expect(again.headers.get("content-type")).toBe("application/json; charset=utf-8")
    }
    expect(orders).toBe(before + 1)
    // without a key, every request runs
    await post("/v1/test/orders", { sku: "sku_1", qty: 2 }, bearer("alice"))
    await post("/v1/test/orders", { sku: "sku_1", qty: 2 }, bearer("alice"))
    expect(orders).toBe(before + 3)
  })

  it("replays a stored error answer too", async () => {
    const k = key("missing")
    const first = await post("/v1/test/orders", { sku: "missing", qty: 1 }, { ...bearer("alice"), "idempotency-key": k })
    expectError(first, 404, "not_found")
    const again = await post("/v1/test/orders", { sku: "missing", qty: 1 }, { ...bearer("alice"), "idempotency-key": k })
    expectError(again, 404, "not_found")
    expect(again.text).toBe(first.text)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
  })

  it("answers 422 idempotency_key_reused for the same key with a different request", async () => {
    const k = key("reuse")
    expect((await post("/v1/test/orders", { sku: "sku_1", qty: 1 }, { ...bearer("alice"), "idempotency-key": k })).status).toBe(201)
    const before = orders
    expectError(await post("/v1/test/orders", { sku: "sku_1", qty: 2 }, { ...bearer("alice"), "idempotency-key": k }), 422, "idempotency_key_reused")
    expectError(await post("/v1/test/slow", { n: 1 }, { ...bearer("alice"), "idempotency-key": k }), 422, "idempotency_key_reused")
    expect(orders).toBe(before)
  })

  it("answers 409 idempotency_in_progress with Retry-After while the first request runs, then replays", async () => {
    gate = makeGate()
    const k = key("slow")
    const headers = { ...bearer("alice"), "idempotency-key": k }
    const runsBefore = slowRuns
    const first = post("/v1/test/slow", { n: 7 }, headers)
    await gate.started
    const second = await post("/v1/test/slow", { n: 7 }, headers)
    const e = expectError(second, 409, "idempotency_in_progress")
    expect(e.message.length).toBeGreaterThan(0)
    expect(second.headers.get("retry-after")).toBe("1")
    // a different request with the key is still a reuse
    expectError(await post("/v1/test/slow", { n: 8 }, headers), 422, "idempotency_key_reused")
    gate.release()
    const done = await first
    expect(done.status).toBe(201)
    const replay = await post("/v1/test/slow", { n: 7 }, headers)
    expect(replay.status).toBe(201)
    expect(replay.text).toBe(done.text)
    expect(replay.headers.get("idempotent-replayed")).toBe("true")
    expect(slowRuns).toBe(runsBefore + 1)
  })

  it("scopes keys per user: the same key from two users runs twice", async () => {
    const k = key("shared")
    const before = orders
    const a = await post("/v1/test/orders", { sku: "sku_1", qty: 1 }, { ...bearer("alice"), "idempotency-key": k })
    const b = await post("/v1/test/orders", { sku: "sku_1", qty: 1 }, { ...bearer("bob"), "idempotency-key": k })
    expect(a.status).toBe(201)
    expect(b.status).toBe(201)
    expect(b.headers.get("idempotent-replayed")).toBeNull()
    expect((a.json as { user_id: string }).user_id).toBe("u_alice")
    expect((b.json as { user_id: string }).user_id).toBe("u_bob")
    expect((a.json as { order_id: string }).order_id).not.toBe((b.json as { order_id: string }).order_id)
    expect(orders).toBe(before + 2)
  })

  it("does not store 503 answers: a retry with the same key runs again", async () => {
    const k = key("flaky")
    flaky = 0
    const headers = { ...bearer("alice"), "idempotency-key": k }
    const first = await post("/v1/test/orders", { sku: "flaky", qty: 1 }, headers)
    expectError(first, 503, "unavailable")
    expect(first.headers.get("retry-after")).toBe("3")
    const second = await post("/v1/test/orders", { sku: "flaky", qty: 1 }, headers)
    expect(second.status).toBe(201)
    expect(second.headers.get("idempotent-replayed")).toBeNull()
    const third = await post("/v1/test/orders", { sku: "flaky", qty: 1 }, headers)
    expect(third.headers.get("idempotent-replayed")).toBe("true")
    expect(third.text).toBe(second.text)
  })

  it("does not store 500 answers, and a handler that throws leaves no claim behind", async () => {
    const k = key("throws")
    const headers = { ...bearer("alice"), "idempotency-key": k }
    const first = await call("/v1/test/throws", { method: "POST", headers })
    expectError(first, 500, "internal")
    expect(first.text).not.toMatch(/hunter2|thrown/)
    // not "in progress" forever, not replayed: it runs (and fails) again
    const second = await call("/v1/test/throws", { method: "POST", headers })
    expectError(second, 500, "internal")
    expect(second.headers.get("idempotent-replayed")).toBeNull()
  })

  it("answers 400 for a key that is too long, empty or not printable ASCII", async () => {
    // (uWS trims trailing bytes above 0x7f from header values, so the non-ASCII one sits inside)
    const bad = ["k".repeat(256), "", "with space", "tab\there", "ca\u00e9f"]
    for (const k of bad) {
      const a = await rawHttp(gw.port, {
        method: "POST",
        path: "/v1/test/orders",
        headers: { "content-type": "application/json", "idempotency-key": k, ...bearer("alice") },
        body: JSON.stringify({ sku: "sku_1", qty: 1 })
      })
      const e = expectError({ status: a.status, json: JSON.parse(a.text) }, 400, "invalid_request")
      expect(e.message, k).toMatch(/Idempotency-Key/)
    }
    // DEL is not printable either
    const request = (c: string) =>
      `POST /v1/test/orders HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\nidempotency-key: a${c}b\r\ncontent-length: 24\r\n\r\n{"sku":"sku_1","qty":1}\n`
    expectError(parseRaw((await rawTcp(gw.port, request("\x7f"))).text), 400, "invalid_request")
    // other control characters never reach the pipeline: uWS's parser drops such a request unanswered
    const before = orders
    expect((await rawTcp(gw.port, request("\x01"), 300)).text).toBe("")
    expect(orders).toBe(before)
    // 255 printable characters are fine
    const ok = await post("/v1/test/orders", { sku: "sku_1", qty: 1 }, { ...bearer("alice"), "idempotency-key": `${"~".repeat(200)}${key("x")}`.slice(0, 255) })
    expect(ok.status).toBe(201)
  })

  it("requires a key where the route says so: header or body alias", async () => {
    const before = checkouts
    const none = await post("/v1/test/checkout", { cart_id: "cart_1" }, bearer("alice"))
    expect(expectError(none, 400, "invalid_request").message).toMatch(/Idempotency-Key/)
    const k1 = key("hdr")
    const byHeader = await post("/v1/test/checkout", { cart_id: "cart_1" }, { ...bearer("alice"), "idempotency-key": k1 })
    expect(byHeader.status).toBe(201)
    expect((byHeader.json as { key: string }).key).toBe(k1)
    const k2 = key("body")
    const byBody = await post("/v1/test/checkout", { cart_id: "cart_1", idempotency_key: k2 }, bearer("alice"))
    expect(byBody.status).toBe(201)
    expect((byBody.json as { key: string }).key).toBe(k2)
    // both, equal: fine and the same request as either alone
    const both = await post("/v1/test/checkout", { cart_id: "cart_1", idempotency_key: k2 }, { ...bearer("alice"), "idempotency-key": k2 })
    expect(both.headers.get("idempotent-replayed")).toBe("true")
    const headerOnly = await post("/v1/test/checkout", { cart_id: "cart_1" }, { ...bearer("alice"), "idempotency-key": k2 })
    expect(headerOnly.status).toBe(201)
    expect(headerOnly.headers.get("idempotent-replayed")).toBe("true")
    expect(headerOnly.text).toBe(byBody.text)
    expect(checkouts).toBe(before + 2)
  })

  it("answers 400 when the header and the body alias differ", async () => {
    const before = checkouts
    const a = await post("/v1/test/checkout", { cart_id: "cart_1", idempotency_key: key("a") }, { ...bearer("alice"), "idempotency-key": key("b") })
    expect(expectError(a, 400, "invalid_request").message).toMatch(/differ/)
    const tooLong = await post("/v1/test/checkout", { cart_id: "cart_1", idempotency_key: "k".repeat(300) }, bearer("alice"))
    expectError(tooLong, 400, "invalid_request")
    expect(checkouts).toBe(before)
  })
})

describe("the error funnel", () => {
  it("turns a defect into 500 internal that names only the request id, and logs it", async () => {
    const a = await call("/v1/test/die")
    const e = expectError(a, 500, "internal")
    const requestId = a.headers.get("x-request-id")!
    expect(e.message).toBe(`internal error (request ${requestId})`)
    expect(e.details).toEqual({ request_id: requestId })
    expect(a.text).not.toMatch(/hunter2|secret|db\.internal|Error:|stack|\bat /)
    expect(gw.logs.some((l) => l.message.includes(requestId) && String(l.detail).includes("hunter2"))).toBe(true)
  })

  it("turns a reply that does not match its schema into a 500", async () => {
    const a = await call("/v1/test/bad-reply")
    expectError(a, 500, "internal")
    expect(a.text).not.toMatch(/not a number/)
  })

  it("turns Unavailable, MailboxFull and StorageUnavailable into 503 with Retry-After", async () => {
    const a = await call("/v1/test/fail/unavailable")
    const e = expectError(a, 503, "unavailable")
    expect(a.headers.get("retry-after")).toBe("2")
    expect(e.details).toEqual({})
    const b = await call("/v1/test/fail/mailbox")
    expectError(b, 503, "unavailable")
    expect(b.headers.get("retry-after")).toBe("1")
    const c = await call("/v1/test/fail/storage")
    expectError(c, 503, "unavailable")
    expect(c.headers.get("retry-after")).toBe("1")
    expect(c.text).not.toMatch(/10\.0\.0\.7/)
  })

  it("passes ApiErrors through with their details, and hides unknown typed failures as 500", async () => {
    const a = await call("/v1/test/fail/conflict")
    const e = expectError(a, 409, "out_of_stock")
    expect(e.details).toEqual({ skus: [{ sku_id: "sku_1", requested: 2, available: 0 }] })
    expect(a.headers.get("retry-after")).toBeNull()
    const b = await call("/v1/test/fail/weird")
    expectError(b, 500, "internal")
    expect(b.text).not.toMatch(/hunter2|SomethingInternal/)
  })

  it("answers /readyz 503 with Retry-After until ready", async () => {
    let ready = false
    const g = await startTestGateway([], { ready: () => ready })
    try {
      const a = await fetch(`${g.base}/readyz`)
      expect(a.status).toBe(503)
      expect(a.headers.get("retry-after")).toBe("1")
      expectError({ status: a.status, json: await a.json() }, 503, "unavailable")
      ready = true
      const b = await fetch(`${g.base}/readyz`)
      expect(b.status).toBe(200)
      expect(await b.json()).toEqual({ status: "ready" })
    } finally {
      await g.shutdown()
    }
  })
})

describe("rate limiting", () => {
  it("answers 429 rate_limited with Retry-After when the limiter refuses, per IP and per user", async () => {
    const taken: Array<string> = []
    const limiter: RateLimiter = {
      take: (rateClass, key) => {
        taken.push(`${rateClass} ${key}`)
        if (rateClass === "write" && key.startsWith("ip:")) return { ok: false, retryAfterSeconds: 7 }
        if (key === "user:u_bob") return { ok: false, retryAfterSeconds: 3 }
        return { ok: true }
      }
    }
    const idempotency = memoryIdempotency()
    const g = await startTestGateway(routes, { rateLimiter: limiter, idempotency })
    try {
      const a = await fetch(`${g.base}/v1/test/orders`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": "k-limited", ...bearer("alice") },
        body: JSON.stringify({ sku: "sku_1", qty: 1 })
      })
      expect(a.headers.get("retry-after")).toBe("7")
      const e = expectError({ status: a.status, json: await a.json(), headers: a.headers }, 429, "rate_limited")
      expect(e.details).toEqual({ retry_after_seconds: 7 })
      // nothing stored for a 429
      expect(idempotency.size()).toBe(0)
      // reads pass; a limited user is refused on them
      expect((await fetch(`${g.base}/v1/test/me`, { headers: bearer("alice") })).status).toBe(200)
      const b = await fetch(`${g.base}/v1/test/me`, { headers: bearer("bob") })
      expect(b.status).toBe(429)
      expect(b.headers.get("retry-after")).toBe("3")
      expect(taken.some((t) => t.startsWith("read ip:"))).toBe(true)
      expect(taken).toContain("read user:u_alice")
      expect((await fetch(`${g.base}/healthz`)).status).toBe(200)
      expect(taken.some((t) => t.startsWith("health "))).toBe(false) // health checks are never rate limited
    } finally {
      await g.shutdown()
    }
  })
})

describe("/metrics", () => {
  it("parses as Prometheus text and counts requests by route and status", async () => {
    await post("/v1/test/echo", { name: "pen", qty: 1 })
    await post("/v1/test/echo", { name: "pen", qty: 0 })
    await call("/v1/definitely-not-here")
    await call("/v1/test/die")
    const res = await fetch(`${gw.base}/metrics`)
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/)
    const families = parsePrometheus(await res.text())
    const requests = families.find((f) => f.name === "http_requests_total")
    expect(requests?.type).toBe("COUNTER")
    const count = (routeId: string, status: string) =>
      Number(requests!.metrics.find((m) => m.labels?.["route"] === routeId && m.labels?.["status"] === status)?.value ?? "0")
    expect(count("testEcho", "200")).toBeGreaterThanOrEqual(1)
    expect(count("testEcho", "400")).toBeGreaterThanOrEqual(1)
    expect(count("unmatched", "404")).toBeGreaterThanOrEqual(1)
    expect(count("testDies", "500")).toBeGreaterThanOrEqual(1)
    expect(count("healthz", "200")).toBeGreaterThanOrEqual(1)
    const latency = families.find((f) => f.name === "http_request_duration_ms")
    expect(latency?.type).toBe("HISTOGRAM")
    // (the parser flattens labelled histograms badly, so the series themselves are checked in the text)
    expect(await metricsText()).toMatch(/^http_request_duration_ms_count\{route="testEcho",status="200"\} [1-9]\d*$/m)
    // counters move
    const before = count("testEcho", "200")
    await post("/v1/test/echo", { name: "pen", qty: 1 })
    const after = parsePrometheus(await metricsText()).find((f) => f.name === "http_requests_total")!
    expect(Number(after.metrics.find((m) => m.labels?.["route"] === "testEcho" && m.labels?.["status"] === "200")!.value)).toBe(before + 1)
  })
})
