import { JSONSchema, type Schema } from "effect"
import type { AnyRoute } from "./route.ts"

type JsonSchema = JSONSchema.JsonSchema7

export interface OpenApiInfo {
  readonly title: string
  readonly version: string
  /** Free text; the WebSocket protocol is described here (OpenAPI has no WebSocket operations). */
  readonly description: string
}

const errorSchema: JsonSchema = {
  type: "object",
  required: ["error"],
  additionalProperties: false,
  properties: {
    error: {
      type: "object",
      required: ["code", "message", "details"],
      additionalProperties: false,
      properties: {
        code: { type: "string", description: "machine-readable error code" },
        message: { type: "string", description: "human readable" },
        details: { type: "object", description: "code-specific details; `issues` for invalid_request" }
      }
    }
  }
} as unknown as JsonSchema

/**
 * Effect marks `Schema.Unknown`, `Schema.Any` and `Schema.Object` with `$id: "/schemas/unknown"` (and the like);
 * a document holding one twice is invalid (a `$id` must be unique), so those markers are dropped: the schema left
 * (`{ title: "unknown" }`) accepts any value, as meant.
 */
const withoutEffectIds = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(withoutEffectIds)
  if (node === null || typeof node !== "object") return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === "$id" && typeof value === "string" && value.startsWith("/schemas/")) continue
    out[key] = withoutEffectIds(value)
  }
  return out
}

/**
 * The OpenAPI 3.1 document, generated from the same route declarations (and Schemas) that
 * decode requests and encode responses, so the document cannot drift from the server.
 */
export const openApiDocument = (routes: ReadonlyArray<AnyRoute>, info: OpenApiInfo): Record<string, unknown> => {
  const definitions: Record<string, JsonSchema> = {}
  const toJson = (schema: Schema.Schema<unknown, unknown, never>): JsonSchema =>
    withoutEffectIds(JSONSchema.fromAST(schema.ast, { definitions, definitionPath: "#/components/schemas/", target: "openApi3.1" })) as JsonSchema

  const parametersOf = (schema: Schema.Schema<unknown, unknown, never> | undefined, where: "path" | "query") => {
    if (schema === undefined) return []
    // A named struct (an `identifier` annotation) comes back as a $ref: parameters need its properties.
    let json = toJson(schema) as { $ref?: string; properties?: Record<string, JsonSchema>; required?: Array<string> }
    while (json.$ref?.startsWith("#/components/schemas/") === true && definitions[json.$ref.slice("#/components/schemas/".length)] !== undefined) {
      json = definitions[json.$ref.slice("#/components/schemas/".length)] as typeof json
    }
    return Object.entries(json.properties ?? {}).map(([name, s]) => ({
      name,
      in: where,
      required: where === "path" || (json.required ?? []).includes(name),
      schema: s
    }))
  }

  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of routes) {
    const responses: Record<string, unknown> = {
      [String(route.success.status)]:
        route.success.schema === undefined
          ? { description: route.success.description }
          : { description: route.success.description, content: { "application/json": { schema: toJson(route.success.schema) } } }
    }
    const byStatus = new Map<number, Array<string>>()
    for (const [status, code] of route.errors) byStatus.set(status, [...(byStatus.get(status) ?? []), code])
    for (const [status, codes] of byStatus) {
      responses[String(status)] = {
        description: `error codes: ${codes.join(", ")}`,
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } }
      }
    }
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [...route.tags],
      parameters: [
        ...parametersOf(route.params, "path"),
        ...parametersOf(route.query, "query"),
        ...(route.idempotency === "none"
          ? []
          : [
              {
                name: "Idempotency-Key",
                in: "header",
                required: route.idempotency === "required" && route.idempotencyBodyField === undefined,
                description: "1..255 printable ASCII; same key + same request replays the stored answer",
                schema: { type: "string", minLength: 1, maxLength: 255 }
              }
            ])
      ],
      responses
    }
    if (route.access !== "public") operation["security"] = route.access === "optional" ? [{}, { bearer: [] }] : [{ bearer: [] }]
    if (route.body !== undefined) {
      operation["requestBody"] = { required: true, content: { "application/json": { schema: toJson(route.body) } } }
    }
    ;(paths[route.path] ??= {})[route.method] = operation
  }
  return {
    openapi: "3.1.0",
    info: { title: info.title, version: info.version, description: info.description },
    servers: [{ url: "/" }],
    paths,
    components: {
      schemas: { ...(withoutEffectIds(definitions) as Record<string, JsonSchema>), Error: errorSchema },
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "token from /v1/auth/login or /v1/auth/signup" } }
    }
  }
}
