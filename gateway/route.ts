import type { Context, Effect, Exit, Schema } from "effect"
import type { ApiError } from "./api-error.ts"

export type Method = "get" | "post" | "put" | "patch" | "delete"
export type Role = "customer" | "seller" | "admin"

/** Who may call a route: anyone, anyone (identified when a token is sent), a signed-in user, or certain roles. */
export type Access = "public" | "optional" | "user" | ReadonlyArray<Role>

/** Token-bucket class the route draws from (gateway/rate-limit.ts). */
export type RateClass = "auth" | "read" | "write" | "health"

export interface Caller {
  readonly userId: string
  readonly roles: ReadonlyArray<Role>
  readonly sessionId: string
  /** The account as read when authenticating this request (saves a second read for /v1/me). */
  readonly email?: string
  readonly name?: string
}

/** What a handler sees: decoded, validated inputs and the request's facts, copied out of uWS. */
export interface RouteRequest<Params, Query, Body> {
  readonly params: Params
  readonly query: Query
  readonly body: Body
  readonly caller: Caller | undefined
  readonly headers: Readonly<Record<string, string>>
  /** The client address; "" unless the route declares `needsClientIp` or uses rate limits or idempotency. */
  readonly ip: string
  readonly requestId: string
  /** Stamped once when the request arrived; passed on to commands as their `now`. */
  readonly nowMs: number
  /** The idempotency key of the request (header, or the body alias where a route allows it). */
  readonly idempotencyKey: string | undefined
  /** The JSON body as received (UTF-8 text), for signature checks over the exact bytes (provider webhooks). */
  readonly bodyText?: string | undefined
}

export interface Reply<Success> {
  readonly status?: number
  readonly body: Success
  readonly headers?: Readonly<Record<string, string>>
  /** A non-JSON answer (the Prometheus text of /metrics); `body` is then ignored. */
  readonly raw?: { readonly contentType: string; readonly text: string }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySchema<A> = Schema.Schema<A, any, never>

/**
 * A route, declared once as data: used to decode requests, to encode responses and to generate
 * the OpenAPI document.
 */
export interface RouteSpec<Params, Query, Body, Success, R> {
  readonly operationId: string
  readonly method: Method
  /** OpenAPI-style template: `/v1/orders/{order_id}`. */
  readonly path: string
  readonly summary: string
  readonly tags: ReadonlyArray<string>
  readonly access: Access
  readonly rateClass: RateClass
  /**
   * `none`: not idempotent by key (reads, deletes). `optional`: an `Idempotency-Key` is honoured
   * when sent. `required`: a request without a key is 400.
   */
  readonly idempotency: "none" | "optional" | "required"
  /** The handler reads `ip` (fraud rules, audit): the gateway copies the client address for it. */
  readonly needsClientIp?: boolean
  /** A body field accepted as an alias of the `Idempotency-Key` header (the seed's checkout body). */
  readonly idempotencyBodyField?: string
  readonly params?: AnySchema<Params>
  readonly query?: AnySchema<Query>
  /** Without a body schema the route takes no body, or `{}`. */
  readonly body?: AnySchema<Body>
  readonly success: { readonly status: number; readonly schema?: AnySchema<Success>; readonly description: string }
  /** Error codes the route may answer with, by status, for the OpenAPI document. */
  readonly errors: ReadonlyArray<readonly [status: number, code: string]>
  readonly handler: (request: RouteRequest<Params, Query, Body>) => Effect.Effect<Reply<Success>, ApiError, R>
  /**
   * Optional, for the hottest routes: the handler's work without an Effect fiber. It gets the
   * request, the services of the gateway's runtime, and `done`, which it calls exactly once (maybe
   * before returning) with what `handler` would have ended with. The pipeline then runs this
   * instead of `handler`; build `handler` from it (`handlerOf` in gateway/direct.ts) so the two never differ.
   */
  readonly direct?: DirectHandler<Params, Query, Body, Success, R>
}

export type DirectHandler<Params, Query, Body, Success, R> = (
  request: RouteRequest<Params, Query, Body>,
  services: Context.Context<R>,
  done: (exit: Exit.Exit<Reply<Success>, ApiError>) => void
) => void

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute<R = any> = RouteSpec<any, any, any, any, R>

/** Declare a route; the identity function, there to infer the handler's types from the schemas. */
export const route = <Params = Record<string, never>, Query = Record<string, never>, Body = undefined, Success = unknown, R = never>(
  spec: RouteSpec<Params, Query, Body, Success, R>
): RouteSpec<Params, Query, Body, Success, R> => spec

/** Errors every route can answer with, documented once. */
export const commonErrors: ReadonlyArray<readonly [number, string]> = [
  [400, "invalid_request"],
  [413, "payload_too_large"],
  [429, "rate_limited"],
  [503, "unavailable"]
]
