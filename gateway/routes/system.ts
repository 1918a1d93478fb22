import { Effect, Schema } from "effect"
import type { MetricsRegistry } from "../../runtime/metrics.ts"
import { unavailable } from "../api-error.ts"
import { type AnyRoute, route } from "../route.ts"

const Status = Schema.Struct({ status: Schema.String })

/** The answers of the probes, built once: a handler returning an exit is answered without a fiber. */
const alive = Effect.succeed({ body: { status: "ok" } })
const ready = Effect.succeed({ body: { status: "ready" } })

/** Liveness, readiness, metrics and the OpenAPI document: routes like any other, so they are documented too. */
export const systemRoutes = (options: {
  readonly ready: () => boolean
  readonly metrics: MetricsRegistry
  readonly openapi: () => Record<string, unknown>
}): ReadonlyArray<AnyRoute> => [
  route({
    operationId: "healthz",
    method: "get",
    path: "/healthz",
    summary: "Liveness: the process serves HTTP",
    tags: ["operations"],
    access: "public",
    rateClass: "health",
    idempotency: "none",
    success: { status: 200, schema: Status, description: "alive" },
    errors: [],
    handler: () => alive
  }),
  route({
    operationId: "readyz",
    method: "get",
    path: "/readyz",
    summary: "Readiness: migrations and recovery are done and storage is reachable",
    tags: ["operations"],
    access: "public",
    rateClass: "health",
    idempotency: "none",
    success: { status: 200, schema: Status, description: "ready" },
    errors: [[503, "unavailable"]],
    handler: () => (options.ready() ? ready : Effect.fail(unavailable("starting: recovery or migrations are not done")))
  }),
  route({
    operationId: "metrics",
    method: "get",
    path: "/metrics",
    summary: "Metrics in the Prometheus text format 0.0.4",
    tags: ["operations"],
    access: "public",
    rateClass: "health",
    idempotency: "none",
    success: { status: 200, description: "text/plain; version=0.0.4" },
    errors: [],
    handler: () => Effect.sync(() => ({ body: undefined, raw: { contentType: "text/plain; version=0.0.4; charset=utf-8", text: options.metrics.render() } }))
  }),
  route({
    operationId: "openapi",
    method: "get",
    path: "/v1/openapi.json",
    summary: "This document",
    tags: ["operations"],
    access: "public",
    rateClass: "read",
    idempotency: "none",
    success: { status: 200, description: "the OpenAPI 3.1 document" },
    errors: [],
    handler: () => Effect.sync(() => ({ body: options.openapi() }))
  })
]
