/**
 * /v1/openapi.json, served by a running gateway: a valid OpenAPI 3.1 document (checked with an
 * independent validator) that lists every HTTP route, generated from the same Schemas that decode.
 */
import { Validator } from "@seriousme/openapi-schema-validator"
import { Effect, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { conflict } from "./api-error.ts"
import { openApiDocument } from "./openapi.ts"
import { type AnyRoute, commonErrors, route } from "./route.ts"
import { startTestGateway, type TestGateway } from "./testing.ts"

const Money = Schema.Struct({ amount: Schema.Int.pipe(Schema.nonNegative()), currency: Schema.String.pipe(Schema.length(3)) }).annotations({
  identifier: "Money"
})

const Product = Schema.Struct({
  product_id: Schema.String,
  title: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)),
  price: Money,
  tags: Schema.Array(Schema.String),
  stock_status: Schema.Literal("in_stock", "low_stock", "out_of_stock"),
  rating: Schema.NullOr(Schema.Number)
})

const routes: ReadonlyArray<AnyRoute<never>> = [
  route({
    operationId: "getProduct",
    method: "get",
    path: "/v1/test/products/{product_id}",
    summary: "A path parameter",
    tags: ["catalog"],
    access: "public",
    rateClass: "read",
    idempotency: "none",
    // named structs (an identifier) must still be documented parameter by parameter
    params: Schema.Struct({ product_id: Schema.String.pipe(Schema.pattern(/^p_[a-z0-9]+$/)) }).annotations({ identifier: "ProductParams" }),
    success: { status: 200, schema: Product, description: "the product" },
    errors: [...commonErrors, [404, "not_found"]],
    handler: (r) =>
      Effect.succeed({
        body: { product_id: r.params.product_id, title: "t", price: { amount: 1, currency: "INR" }, tags: [], stock_status: "in_stock" as const, rating: null }
      })
  }),
  route({
    operationId: "searchProducts",
    method: "get",
    path: "/v1/test/search",
    summary: "A query",
    tags: ["catalog"],
    access: "optional",
    rateClass: "read",
    idempotency: "none",
    query: Schema.Struct({
      q: Schema.String.pipe(Schema.maxLength(200)),
      page: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000))),
      sort: Schema.optional(Schema.Literal("relevance", "price_asc"))
    }).annotations({ identifier: "SearchQuery" }),
    success: { status: 200, schema: Schema.Struct({ results: Schema.Array(Product), total: Schema.Int }), description: "results" },
    errors: commonErrors,
    handler: () => Effect.succeed({ body: { results: [], total: 0 } })
  }),
  route({
    operationId: "addCartItem",
    method: "post",
    path: "/v1/test/cart/items",
    summary: "A body",
    tags: ["cart"],
    access: "user",
    rateClass: "write",
    idempotency: "optional",
    body: Schema.Struct({ sku_id: Schema.String, quantity: Schema.Int.pipe(Schema.between(1, 100)) }),
    success: { status: 200, description: "the cart" },
    errors: [...commonErrors, [401, "unauthenticated"], [409, "out_of_stock"], [409, "conflict"], [422, "idempotency_key_reused"]],
    handler: () => Effect.fail(conflict("out_of_stock", "none left"))
  }),
  route({
    operationId: "updateCartItem",
    method: "patch",
    path: "/v1/test/cart/items/{sku_id}",
    summary: "Same path, another method",
    tags: ["cart"],
    access: "user",
    rateClass: "write",
    idempotency: "none",
    params: Schema.Struct({ sku_id: Schema.String }),
    body: Schema.Struct({ quantity: Schema.Int.pipe(Schema.between(0, 100)) }),
    success: { status: 200, description: "the cart" },
    errors: commonErrors,
    handler: () => Effect.succeed({ body: {} })
  }),
  route({
    operationId: "deleteCartItem",
    method: "delete",
    path: "/v1/test/cart/items/{sku_id}",
    summary: "Delete",
    tags: ["cart"],
    access: "user",
    rateClass: "write",
    idempotency: "none",
    params: Schema.Struct({ sku_id: Schema.String }),
    success: { status: 200, description: "the cart" },
    errors: commonErrors,
    handler: () => Effect.succeed({ body: {} })
  }),
  route({
    operationId: "checkout",
    method: "post",
    path: "/v1/test/checkout",
    summary: "Idempotency required, header or body alias",
    tags: ["checkout"],
    access: "user",
    rateClass: "write",
    idempotency: "required",
    idempotencyBodyField: "idempotency_key",
    body: Schema.Struct({ cart_id: Schema.String, idempotency_key: Schema.optional(Schema.String.pipe(Schema.maxLength(255))), total: Money }),
    success: { status: 201, description: "checkout" },
    errors: commonErrors,
    handler: () => Effect.succeed({ body: {} })
  }),
  route({
    operationId: "approveSeller",
    method: "post",
    path: "/v1/test/admin/sellers/{seller_id}/approve",
    summary: "Admins only, no body",
    tags: ["admin"],
    access: ["admin"],
    rateClass: "write",
    idempotency: "optional",
    params: Schema.Struct({ seller_id: Schema.String }),
    success: { status: 200, description: "approved" },
    errors: [[403, "forbidden"]],
    handler: () => Effect.succeed({ body: {} })
  })
]

let gw: TestGateway
let doc: {
  openapi: string
  info: { title: string; version: string; description: string }
  paths: Record<string, Record<string, Record<string, unknown>>>
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> }
}

beforeAll(async () => {
  gw = await startTestGateway(routes)
  const res = await fetch(`${gw.base}/v1/openapi.json`)
  expect(res.status).toBe(200)
  expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8")
  doc = (await res.json()) as typeof doc
})
afterAll(async () => {
  await gw.shutdown()
})

const operation = (path: string, method: string) => {
  const op = doc.paths[path]?.[method]
  expect(op, `${method.toUpperCase()} ${path}`).toBeDefined()
  return op as {
    operationId: string
    parameters: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>
    requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> }
    responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>
    security?: Array<Record<string, Array<string>>>
  }
}

describe("/v1/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toBe("3.1.0")
    const validator = new Validator()
    const result = await validator.validate(doc)
    expect(result.errors, JSON.stringify(result.errors, null, 2)).toBeUndefined()
    expect(result.valid).toBe(true)
    expect(validator.version).toBe("3.1")
  })

  it("lists every HTTP route, health and metrics included, and nothing else", () => {
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    const expected = [
      "GET /healthz",
      "GET /readyz",
      "GET /metrics",
      "GET /v1/openapi.json",
      ...routes.map((r) => `${r.method.toUpperCase()} ${r.path}`)
    ]
    expect(listed.sort()).toEqual(expected.sort())
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op["operationId"]))
    expect(new Set(ids).size).toBe(ids.length)
  })

  it("documents the routes it lists as served: each listed route answers something other than 404/405", async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const concrete = path.replace(/\{[^}]+\}/g, "p_1")
        const res = await fetch(`${gw.base}${concrete}`, { method: method.toUpperCase() })
        const text = await res.text()
        expect(res.status, `${method} ${path}`).not.toBe(405)
        expect(res.status === 404 && text.includes("no such route"), `${method} ${path}`).toBe(false)
      }
    }
  })

  it("describes path and query parameters from the route schemas", () => {
    const get = operation("/v1/test/products/{product_id}", "get")
    expect(get.parameters).toEqual([{ name: "product_id", in: "path", required: true, schema: expect.objectContaining({ type: "string", pattern: "^p_[a-z0-9]+$" }) }])
    const search = operation("/v1/test/search", "get")
    const byName = Object.fromEntries(search.parameters.map((p) => [p.name, p]))
    expect(Object.keys(byName).sort()).toEqual(["page", "q", "sort"])
    expect(byName["q"]!.required).toBe(true)
    expect(byName["page"]!.required).toBe(false)
    expect(byName["sort"]!.in).toBe("query")
    expect(JSON.stringify(byName["sort"]!.schema)).toContain("price_asc")
    // every templated path segment has its parameter
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
      for (const op of Object.values(ops) as Array<{ parameters: Array<{ name: string; in: string }> }>) {
        expect(op.parameters.filter((p) => p.in === "path").map((p) => p.name), path).toEqual(names)
      }
    }
  })

  it("describes request bodies strictly, as they are decoded", () => {
    const add = operation("/v1/test/cart/items", "post")
    expect(add.requestBody?.required).toBe(true)
    const schema = add.requestBody!.content["application/json"]!.schema
    expect(schema).toMatchObject({
      type: "object",
      required: ["sku_id", "quantity"],
      additionalProperties: false,
      properties: { sku_id: { type: "string" }, quantity: { minimum: 1, maximum: 100 } }
    })
    // Schema.Int is a named schema: an integer by reference
    const quantity = (schema["properties"] as Record<string, Record<string, unknown>>)["quantity"]!
    const resolved = quantity["$ref"] === undefined ? quantity : doc.components.schemas[String(quantity["$ref"]).split("/").pop()!]
    expect(resolved).toMatchObject({ type: "integer" })
    // a route without a body schema documents no body
    expect(operation("/v1/test/admin/sellers/{seller_id}/approve", "post").requestBody).toBeUndefined()
    expect(operation("/v1/test/cart/items/{sku_id}", "delete").requestBody).toBeUndefined()
  })

  it("resolves named schemas under components.schemas", () => {
    expect(doc.components.schemas["Money"]).toMatchObject({ type: "object", required: ["amount", "currency"] })
    const text = JSON.stringify(doc)
    const refs = [...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!)
    expect(refs).toContain("Money")
    for (const ref of refs) expect(doc.components.schemas[ref], ref).toBeDefined()
  })

  it("documents success and error responses with the error shape", () => {
    const add = operation("/v1/test/cart/items", "post")
    expect(Object.keys(add.responses).sort()).toEqual(["200", "400", "401", "409", "413", "422", "429", "503"])
    expect(add.responses["409"]!.description).toMatch(/out_of_stock/)
    expect(add.responses["409"]!.description).toMatch(/conflict/)
    expect(add.responses["409"]!.content!["application/json"]!.schema).toEqual({ $ref: "#/components/schemas/Error" })
    expect(doc.components.schemas["Error"]).toMatchObject({
      type: "object",
      required: ["error"],
      properties: { error: { type: "object", required: ["code", "message", "details"] } }
    })
    const get = operation("/v1/test/products/{product_id}", "get")
    expect(get.responses["200"]!.content!["application/json"]!.schema).toMatchObject({ type: "object" })
  })

  it("documents idempotency keys and security per route", () => {
    const add = operation("/v1/test/cart/items", "post")
    const key = add.parameters.find((p) => p.name === "Idempotency-Key")
    expect(key).toMatchObject({ in: "header", required: false, schema: { type: "string", minLength: 1, maxLength: 255 } })
    // required, but satisfiable by the body alias: the header itself is optional
    const co = operation("/v1/test/checkout", "post")
    expect(co.parameters.find((p) => p.name === "Idempotency-Key")?.required).toBe(false)
    expect(operation("/v1/test/products/{product_id}", "get").parameters.some((p) => p.name === "Idempotency-Key")).toBe(false)
    expect(add.security).toEqual([{ bearer: [] }])
    expect(operation("/v1/test/search", "get").security).toEqual([{}, { bearer: [] }])
    expect(operation("/v1/test/products/{product_id}", "get").security).toBeUndefined()
    expect(operation("/healthz", "get").security).toBeUndefined()
    expect(doc.components.securitySchemes["bearer"]).toMatchObject({ type: "http", scheme: "bearer" })
  })

  it("describes the WebSocket protocol in text", () => {
    expect(doc.info.description).toMatch(/WebSocket/)
  })

  it("is the same document generated directly from the routes, and valid with required idempotency keys too", async () => {
    const direct = openApiDocument(
      [
        route({
          operationId: "onlyHeader",
          method: "post",
          path: "/x",
          summary: "required, no alias",
          tags: [],
          access: "user",
          rateClass: "write",
          idempotency: "required",
          success: { status: 201, description: "ok" },
          errors: [],
          handler: () => Effect.succeed({ body: {} })
        })
      ],
      { title: "t", version: "1", description: "d" }
    ) as typeof doc
    const op = direct.paths["/x"]!["post"] as { parameters: Array<{ name: string; required: boolean }> }
    expect(op.parameters).toEqual([expect.objectContaining({ name: "Idempotency-Key", required: true })])
    expect((await new Validator().validate(direct)).valid).toBe(true)
  })

  it("stays valid when several values are free-form (Schema.Unknown in bodies and answers)", async () => {
    const Loose = Schema.Struct({ a: Schema.Unknown, b: Schema.Array(Schema.Unknown), c: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })
    const loose = (path: string) =>
      route({
        operationId: `loose${path.length}`,
        method: "post",
        path,
        summary: "free-form values",
        tags: [],
        access: "public",
        rateClass: "write",
        idempotency: "none",
        body: Loose,
        success: { status: 200, schema: Loose, description: "ok" },
        errors: [],
        handler: (r) => Effect.succeed({ body: r.body })
      })
    const document = openApiDocument([loose("/a"), loose("/bb")], { title: "t", version: "1", description: "d" })
    const result = await new Validator().validate(document)
    expect(result.valid, JSON.stringify(result.errors)).toBe(true)
    expect(JSON.stringify(document)).not.toContain('"$id"')
  })
})
