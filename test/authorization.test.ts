/**
 * Authorization, walked over every operation of the served `/v1/openapi.json`, so routes added
 * later are covered without touching this file:
 *   - with no token (or a malformed, unknown, revoked or oversized one) every non-public
 *     operation answers 401 `unauthenticated` in the error shape;
 *   - user B, with user A's object ids in the path, gets 404 — exactly the answer an id that does
 *     not exist gets (never 200, never a 403 that a made-up id would not get);
 *   - nothing B does, with A's ids in paths and bodies, ever shows B any of A's data, and no
 *     answer is a 5xx.
 * The walker collects violations instead of stopping at the first; a self-test runs it against a
 * gateway with deliberately broken routes to show it catches them.
 */
import { randomBytes } from "node:crypto"
import { Effect, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { forbidden, notFound } from "../gateway/api-error.ts"
import { route } from "../gateway/route.ts"
import { startTestGateway, tokens } from "../gateway/testing.ts"
import { type Account, type Answer, call, defaultStorage, isErrorShape, type RunningStore, sampleAddress, signUp, startStore, type TestStorage } from "./support/store.ts"

type Json = Record<string, unknown>

interface Operation {
  readonly method: string
  readonly path: string
  readonly operationId: string
  /** No security requirement, or an empty alternative in it: callable without a token. */
  readonly public: boolean
  readonly pathParams: ReadonlyArray<string>
  /** A sample body built from the request schema (A's ids in id-named fields), when the operation takes one. */
  readonly body: Json | undefined
}

/** What the walker knows: where to send, A's objects and data, and how to get a valid token of B. */
interface Walk {
  readonly base: string
  /** A's object ids by kind (`address`, `payment_method`, `order`, …). */
  readonly aIds: Readonly<Record<string, ReadonlyArray<string>>>
  /** Strings that identify A's data; none may appear in an answer to B, unless B sent it. */
  readonly aMarkers: ReadonlyArray<string>
  readonly bToken: () => Promise<string>
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI walker

/** Id kinds by the name a path parameter or body field gives them (`order_id` → order), with their prefixes (API.md). */
const idPrefixes: Readonly<Record<string, string>> = {
  address: "addr_",
  payment_method: "pm_",
  user: "u_",
  order: "ord_",
  checkout: "co_",
  cart: "cart_",
  payment: "pay_",
  return: "ret_",
  feed: "feed_",
  shipment: "shp_",
  review: "rev_",
  seller: "s_",
  product: "p_",
  sku: "sku_",
  category: "cat_",
  sale: "sale_",
  warehouse: "wh_",
  coupon: "cpn_"
}
/** Kinds that belong to one user: another user must get what an id that does not exist gets. */
const ownedKinds = new Set(["address", "payment_method", "user", "order", "checkout", "cart", "payment", "return", "feed", "shipment"])

const kindOf = (name: string): string | undefined => (name.endsWith("_id") ? name.slice(0, -3) : undefined)
const randomIdOf = (kind: string | undefined) => `${kind === undefined ? "x_" : (idPrefixes[kind] ?? `${kind}_`)}${randomBytes(16).toString("base64url")}`

const sampleStrings: Readonly<Record<string, string>> = {
  email: `walker.${randomBytes(4).toString("hex")}@example.com`,
  password: "walker-password-1",
  name: "Walker Sample",
  country: "IN",
  postal_code: "560001",
  vpa: "walker@okbank",
  token: "tok_walker",
  currency: "INR",
  q: "phone"
}

const resolveRef = (doc: Json, schema: Json): Json => {
  let s = schema
  for (let i = 0; i < 20 && typeof s["$ref"] === "string"; i++) {
    const name = (s["$ref"] as string).replace("#/components/schemas/", "")
    s = ((doc["components"] as Json)["schemas"] as Record<string, Json>)[name] ?? {}
  }
  return s
}

/** A plausible value for `schema`, with A's ids wherever a field names an id kind. */
const sample = (doc: Json, aIds: Walk["aIds"], schemaIn: Json, name: string, depth = 0): unknown => {
  const schema = resolveRef(doc, schemaIn)
  const kind = kindOf(name)
  if (kind !== undefined && (schema["type"] === "string" || schema["type"] === undefined)) return aIds[kind]?.[0] ?? randomIdOf(kind)
  if ("const" in schema) return schema["const"]
  if (Array.isArray(schema["enum"])) return schema["enum"][0]
  const alternatives = (schema["anyOf"] ?? schema["oneOf"]) as Array<Json> | undefined
  if (alternatives !== undefined) return sample(doc, aIds, alternatives.find((x) => x["type"] !== "null") ?? alternatives[0]!, name, depth + 1)
  if (depth > 8) return null
  const type = Array.isArray(schema["type"]) ? (schema["type"] as Array<string>).find((t) => t !== "null") : schema["type"]
  switch (type) {
    case "object": {
      const properties = (schema["properties"] ?? {}) as Record<string, Json>
      const required = new Set((schema["required"] ?? []) as Array<string>)
      const out: Json = {}
      for (const [key, value] of Object.entries(properties)) {
        if (required.has(key) || kindOf(key) !== undefined) out[key] = sample(doc, aIds, value, key, depth + 1)
      }
      return out
    }
    case "array": {
      const min = Number(schema["minItems"] ?? 1)
      return Array.from({ length: Math.max(1, Math.min(min, 3)) }, () => sample(doc, aIds, (schema["items"] ?? {}) as Json, name, depth + 1))
    }
    case "integer":
    case "number":
      return Math.max(1, Number(schema["minimum"] ?? 1))
    case "boolean":
      return true
    default:
      return sampleStrings[name] ?? "sample"
  }
}

const operationsOf = (doc: Json, aIds: Walk["aIds"]): ReadonlyArray<Operation> => {
  const out: Array<Operation> = []
  for (const [path, item] of Object.entries(doc["paths"] as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue
      const security = op["security"] as Array<Json> | undefined
      const parameters = (op["parameters"] ?? []) as Array<Json>
      const content = (op["requestBody"] as Json | undefined)?.["content"] as Json | undefined
      const bodySchema = (content?.["application/json"] as Json | undefined)?.["schema"] as Json | undefined
      out.push({
        method: method.toUpperCase(),
        path,
        operationId: String(op["operationId"]),
        public: security === undefined || security.some((s) => Object.keys(s).length === 0),
        pathParams: parameters.filter((p) => p["in"] === "path").map((p) => String(p["name"])),
        body: bodySchema === undefined ? undefined : (sample(doc, aIds, bodySchema, "body") as Json)
      })
    }
  }
  return out
}

const fill = (op: Operation, idFor: (param: string) => string) => op.path.replace(/\{([^}]+)\}/g, (_, param: string) => encodeURIComponent(idFor(param)))
const firstOfA = (w: Walk) => (param: string) => w.aIds[kindOf(param) ?? ""]?.[0] ?? randomIdOf(kindOf(param))

const send = (w: Walk, op: Operation, path: string, token: string | undefined, options: { headers?: Record<string, string>; body?: unknown } = {}) =>
  call(w.base, op.method, path, { token, headers: options.headers ?? {}, ...(options.body !== undefined ? { body: options.body } : op.body === undefined ? {} : { body: op.body }) })

const leaksIn = (w: Walk, answer: Answer, sent: string): Array<string> => w.aMarkers.filter((m) => answer.text.includes(m) && !sent.includes(m))
const codeOf = (answer: Answer) => (answer.json as { error?: { code?: string } } | undefined)?.error?.code

/** Problems common to every answer: a 5xx, an error not in the documented shape, A's data. */
const basicProblems = (w: Walk, what: string, answer: Answer, sent: string): Array<string> => {
  const out: Array<string> = []
  if (answer.status >= 500) out.push(`${what}: ${answer.status} ${answer.text}`)
  if (answer.status >= 400 && !isErrorShape(answer.json)) out.push(`${what}: ${answer.status} not in the error shape: ${answer.text}`)
  const leaked = leaksIn(w, answer, sent)
  if (leaked.length > 0) out.push(`${what}: shows A's data ${JSON.stringify(leaked)}: ${answer.status} ${answer.text}`)
  return out
}

/** Every non-public operation, with each kind of bad credentials: 401 unauthenticated. Public ones: no 5xx. */
const anonymousViolations = async (w: Walk, operations: ReadonlyArray<Operation>, badCredentials: ReadonlyArray<readonly [string, Record<string, string>]>) => {
  const out: Array<string> = []
  for (const op of operations) {
    const path = fill(op, firstOfA(w))
    for (const [what, headers] of badCredentials) {
      const res = await send(w, op, path, undefined, { headers })
      const label = `${op.method} ${path} with ${what}`
      out.push(...basicProblems(w, label, res, path))
      if (!op.public && (res.status !== 401 || codeOf(res) !== "unauthenticated")) out.push(`${label}: ${res.status} ${res.text} (expected 401 unauthenticated)`)
    }
  }
  return out
}

/**
 * B with A's ids in the path, once per A object of the kind: for owned kinds the answer must be
 * the one a made-up id gets (same status and code), and that must be 404 (or 403 when B may not
 * use the route at all).
 */
const ownedPathViolations = async (w: Walk, operations: ReadonlyArray<Operation>) => {
  const out: Array<string> = []
  for (const op of operations.filter((o) => o.pathParams.length > 0)) {
    const owned = op.pathParams.some((p) => ownedKinds.has(kindOf(p) ?? ""))
    const rounds = Math.max(1, ...op.pathParams.map((p) => w.aIds[kindOf(p) ?? ""]?.length ?? 1))
    for (let i = 0; i < rounds; i++) {
      const withA = fill(op, (param) => {
        const ids = w.aIds[kindOf(param) ?? ""]
        return ids === undefined ? randomIdOf(kindOf(param)) : ids[i % ids.length]!
      })
      const withRandom = fill(op, (param) => randomIdOf(kindOf(param)))
      const answerA = await send(w, op, withA, await w.bToken())
      const answerRandom = await send(w, op, withRandom, await w.bToken())
      out.push(...basicProblems(w, `${op.method} ${withA} as B`, answerA, withA), ...basicProblems(w, `${op.method} ${withRandom} as B`, answerRandom, withRandom))
      if (!owned) continue
      if (answerA.status !== answerRandom.status || codeOf(answerA) !== codeOf(answerRandom)) {
        out.push(`${op.method} ${op.path} as B: A's id answers ${answerA.status} ${codeOf(answerA)}, a made-up id ${answerRandom.status} ${codeOf(answerRandom)}`)
      }
      if (answerA.status !== 404 && answerA.status !== 403) out.push(`${op.method} ${withA} as B: ${answerA.status} ${answerA.text} (expected 404)`)
    }
  }
  return out
}

/** B on every operation, with and without an idempotency key, with `{}` and with bodies naming A as owner. */
const crossUserViolations = async (w: Walk, operations: ReadonlyArray<Operation>) => {
  const out: Array<string> = []
  for (const op of operations) {
    const path = fill(op, firstOfA(w))
    const sent = `${path} ${JSON.stringify(op.body ?? null)}`
    for (const headers of [{}, { "idempotency-key": `walk-${op.operationId}-${randomBytes(4).toString("hex")}` }]) {
      out.push(...basicProblems(w, `${op.method} ${path} as B`, await send(w, op, path, await w.bToken(), { headers }), sent))
    }
    if (op.body === undefined) continue
    out.push(...basicProblems(w, `${op.method} ${path} as B with {}`, await send(w, op, path, await w.bToken(), { body: {} }), path))
    const aUser = w.aIds["user"]?.[0] ?? randomIdOf("user")
    for (const body of [{ ...op.body, user_id: aUser }, { ...op.body, owner_id: aUser }]) {
      const text = JSON.stringify(body)
      const res = await send(w, op, path, await w.bToken(), { body })
      out.push(...basicProblems(w, `${op.method} ${path} as B with ${text}`, res, `${path} ${text}`))
      if (res.status < 400) out.push(`${op.method} ${path} as B with ${text}: ${res.status} (a body naming another owner must be refused)`)
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------

describe("authorization over every documented route", () => {
  let storage: TestStorage
  let store: RunningStore
  let operations: ReadonlyArray<Operation>
  let a: Account
  let b: Account
  let aRevokedToken: string
  const aIds: Record<string, Array<string>> = {}
  const aMarkers: Array<string> = []
  let walk: Walk

  beforeAll(async () => {
    storage = await defaultStorage()
    store = await startStore(storage.env)
    const base = store.base
    const tag = randomBytes(4).toString("hex")
    a = await signUp(base, "owner", `Anandi Owner${tag}`)
    b = await signUp(base, "other", "Bhaskar Other")
    aIds["user"] = [a.userId]
    const line1 = `${tag} Secret Owner Lane`
    for (const country of ["IN", "DE"]) {
      const res = await call(base, "POST", "/v1/me/addresses", { token: a.token, body: sampleAddress({ name: `Anandi Owner${tag}`, line1, country }) })
      expect(res.status, res.text).toBe(201)
      ;(aIds["address"] ??= []).push((res.json as { address_id: string }).address_id)
    }
    const cardToken = `tok_owner_${tag}`
    const vpa = `owner${tag}@okbank`
    for (const body of [{ type: "card", token: cardToken }, { type: "upi", vpa }, { type: "cod" }]) {
      const res = await call(base, "POST", "/v1/me/payment-methods", { token: a.token, body })
      expect(res.status, res.text).toBe(201)
      ;(aIds["payment_method"] ??= []).push((res.json as { payment_method_id: string }).payment_method_id)
    }
    const registered = await call(base, "POST", "/v1/seller/register", { token: a.token, body: { display_name: `Anandi Shop${tag}` } })
    expect(registered.status, registered.text).toBe(201)
    aIds["seller"] = [(registered.json as { seller_id: string }).seller_id]
    const revoked = await call(base, "POST", "/v1/auth/login", { body: { email: a.email, password: a.password } })
    aRevokedToken = (revoked.json as { token: string }).token
    expect((await call(base, "POST", "/v1/auth/logout", { token: aRevokedToken })).status).toBe(204)
    aMarkers.push(a.userId, a.email, a.name, a.token, a.password, line1, cardToken, vpa, `Anandi Shop${tag}`, ...Object.values(aIds).flat())

    walk = {
      base,
      aIds,
      aMarkers,
      // B's session, renewed when a walked operation (logout) revoked it.
      bToken: async () => {
        if ((await call(base, "GET", "/v1/me", { token: b.token })).status === 200) return b.token
        const res = await call(base, "POST", "/v1/auth/login", { body: { email: b.email, password: b.password } })
        expect(res.status, res.text).toBe(200)
        b = { ...b, token: (res.json as { token: string }).token }
        return b.token
      }
    }
    const doc = await call(base, "GET", "/v1/openapi.json")
    expect(doc.status).toBe(200)
    operations = operationsOf(doc.json as Json, aIds)
  })
  afterAll(async () => {
    await store?.stop()
    await storage?.cleanup()
  })

  it("the document lists the accounts routes, and A's data is there for A (the walk is not vacuous)", async () => {
    const ids = operations.map((o) => o.operationId)
    for (const id of ["signup", "login", "logout", "getMe", "addAddress", "listAddresses", "addPaymentMethod", "listPaymentMethods", "healthz"]) expect(ids).toContain(id)
    expect(operations.filter((o) => !o.public).length).toBeGreaterThanOrEqual(6)
    const mine = await call(store.base, "GET", "/v1/me/addresses", { token: a.token })
    for (const id of aIds["address"]!) expect(mine.text).toContain(id)
  })

  it("without a valid token every non-public route answers 401 unauthenticated in the error shape", async () => {
    const badCredentials: ReadonlyArray<readonly [string, Record<string, string>]> = [
      ["no Authorization", {}],
      ["a bare scheme", { authorization: "Bearer" }],
      ["another scheme", { authorization: `Basic ${Buffer.from(`${a.email}:${a.password}`).toString("base64")}` }],
      ["an unknown token", { authorization: `Bearer ${randomBytes(32).toString("base64url")}` }],
      ["a revoked token", { authorization: `Bearer ${aRevokedToken}` }],
      ["an oversized token", { authorization: `Bearer ${"a".repeat(2000)}` }]
    ]
    expect(await anonymousViolations(walk, operations, badCredentials)).toEqual([])
  })

  it("B gets 404 for A's objects in the path: the same answer as for ids that do not exist", async () => {
    expect(await ownedPathViolations(walk, operations)).toEqual([])
  })

  it("no answer to B, on any route, carries A's data; no answer is a 5xx", async () => {
    expect(await crossUserViolations(walk, operations)).toEqual([])
    // B's own views show B, and A's objects stayed A's.
    const me = await call(store.base, "GET", "/v1/me", { token: await walk.bToken() })
    expect((me.json as { user_id: string }).user_id).toBe(b.userId)
    const aAddresses = (await call(store.base, "GET", "/v1/me/addresses", { token: a.token })).json as { addresses: Array<{ address_id: string }> }
    expect(aAddresses.addresses.map((x) => x.address_id)).toEqual(aIds["address"])
    const aMethods = (await call(store.base, "GET", "/v1/me/payment-methods", { token: a.token })).json as { payment_methods: Array<{ payment_method_id: string }> }
    expect(aMethods.payment_methods.map((x) => x.payment_method_id)).toEqual(aIds["payment_method"])
  })
})

describe("the walker itself", () => {
  it("catches a route that shows A's object to B, one that tells A's ids from made-up ones, and an open route", async () => {
    const aOrder = "ord_alice_000000000000000001"
    const OrderParams = Schema.Struct({ order_id: Schema.String })
    const leaky = route({
      operationId: "leakyOrder",
      method: "get",
      path: "/v1/leaky/{order_id}",
      summary: "shows any order to anyone signed in",
      tags: ["test"],
      access: "user",
      rateClass: "read",
      idempotency: "none",
      params: OrderParams,
      success: { status: 200, description: "order" },
      errors: [],
      handler: (r) => (r.params.order_id === aOrder ? Effect.succeed({ body: { order_id: aOrder, note: "alice-secret-note" } }) : Effect.fail(notFound()))
    })
    const oracle = route({
      operationId: "oracleOrder",
      method: "get",
      path: "/v1/oracle/{order_id}",
      summary: "403 for someone else's order, 404 for none",
      tags: ["test"],
      access: "user",
      rateClass: "read",
      idempotency: "none",
      params: OrderParams,
      success: { status: 200, description: "order" },
      errors: [],
      handler: (r) => Effect.fail(r.params.order_id === aOrder ? forbidden("not yours") : notFound())
    })
    const open = route({
      operationId: "openOrder",
      method: "get",
      path: "/v1/open/{order_id}",
      summary: "needs a token but does not ask for one",
      tags: ["test"],
      access: "public",
      rateClass: "read",
      idempotency: "none",
      params: OrderParams,
      success: { status: 200, description: "order" },
      errors: [],
      handler: () => Effect.fail(notFound())
    })
    const fine = route({ ...open, operationId: "fineOrder", path: "/v1/fine/{order_id}", access: "user" })
    const gateway = await startTestGateway([leaky, oracle, open, fine])
    try {
      const doc = (await call(gateway.base, "GET", "/v1/openapi.json")).json as Json
      // The open route is documented as public: pretend the document said it needs a token.
      const operations = operationsOf(doc, { order: [aOrder] }).map((o) => (o.operationId === "openOrder" ? { ...o, public: false } : o))
      const w: Walk = { base: gateway.base, aIds: { order: [aOrder] }, aMarkers: ["alice-secret-note"], bToken: () => Promise.resolve(tokens.bob) }
      const owned = await ownedPathViolations(w, operations)
      expect(owned.some((v) => v.includes("/v1/leaky/") && v.includes("A's data"))).toBe(true)
      expect(owned.some((v) => v.includes("/v1/oracle/") && v.includes("made-up id"))).toBe(true)
      expect(owned.some((v) => v.includes("/v1/fine/"))).toBe(false)
      const anonymous = await anonymousViolations(w, operations, [["no Authorization", {}]])
      expect(anonymous.some((v) => v.includes("/v1/open/") && v.includes("expected 401"))).toBe(true)
      expect(anonymous.some((v) => v.includes("/v1/fine/"))).toBe(false)
    } finally {
      await gateway.shutdown()
    }
  })
})
