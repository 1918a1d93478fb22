import { createHash, randomBytes } from "node:crypto"
import { Cause, Effect, Either, Exit, type Fiber, Option, ParseResult, Runtime, Schema, SchemaAST } from "effect"
import type uWS from "uWebSockets.js"
import {
  ApiError,
  errorBody,
  forbidden,
  headersTooLarge,
  internal,
  invalidRequest,
  type Issue,
  methodNotAllowed,
  notFound,
  payloadTooLarge,
  rateLimited,
  statusLine,
  unauthenticated,
  unavailable,
  uriTooLong
} from "./api-error.ts"
import { quickCheckOf } from "./fast-decode.ts"
import type { HttpMetrics } from "./http-metrics.ts"
import { type Authenticator, type IdempotencyGuard, type RateLimiter, unlimited } from "./ports.ts"
import type { AnyRoute, Caller, Method, Reply, RouteRequest } from "./route.ts"
import type { Router } from "./router.ts"

export interface HttpLimits {
  readonly maxBodyBytes: number
  readonly maxUrlBytes: number
  readonly maxHeaderBytes: number
  /** A body that has not fully arrived after this long is answered 408 and the connection closed. */
  readonly bodyTimeoutMs: number
  /** Arrays and objects nested deeper than this are refused (400) before decoding: formatting the issues of a deeper value overflows the stack. */
  readonly maxJsonDepth: number
}

export const defaultHttpLimits: HttpLimits = {
  maxBodyBytes: 64 * 1024,
  maxUrlBytes: 8 * 1024,
  maxHeaderBytes: 16 * 1024,
  bodyTimeoutMs: 10_000,
  maxJsonDepth: 64
}

export interface PipelineDeps<R> {
  readonly router: Router
  readonly runtime: Runtime.Runtime<R>
  readonly authenticator: Authenticator
  readonly idempotency: IdempotencyGuard | undefined
  readonly rateLimiter: RateLimiter
  readonly metrics: HttpMetrics
  readonly limits: HttpLimits
  readonly log: (message: string, detail?: unknown) => void
}

/** Per-request state that outlives the uWS callback (the `req` object does not). */
interface Exchange {
  readonly res: uWS.HttpResponse
  aborted: boolean
  done: boolean
  readonly requestId: string
  readonly startedAt: number
  routeId: string
  /** A HEAD request: its answer has headers only (a body would be read as the next response). */
  head: boolean
}

const JSON_TYPE = "application/json; charset=utf-8"
const utf8 = new TextDecoder("utf-8", { fatal: true })
const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/

const requestIdPrefix = randomBytes(4).toString("hex")
let requestCounter = 0

interface CompiledRoute {
  readonly decodeParams: ((u: unknown) => ReturnType<ReturnType<typeof Schema.decodeUnknownEither>>) | undefined
  readonly decodeQuery: ((u: unknown) => ReturnType<ReturnType<typeof Schema.decodeUnknownEither>>) | undefined
  readonly decodeBody: ((u: unknown) => ReturnType<ReturnType<typeof Schema.decodeUnknownEither>>) | undefined
  readonly encodeSuccess: ((a: unknown) => unknown) | undefined
}

const strict = { errors: "all", onExcessProperty: "error" } as const

type Decoder = (u: unknown) => ReturnType<ReturnType<typeof Schema.decodeUnknownEither>>

/**
 * Replies are checked against the route's schema (a mismatch is a 500). Without transformations,
 * encoding only checks: a reply the quick check accepts is its own encoding.
 */
const encoderOf = (schema: Schema.Schema<unknown, unknown, never>): ((a: unknown) => unknown) => {
  const encode = Schema.encodeSync(schema)
  const quick = SchemaAST.typeAST(schema.ast) === schema.ast ? quickCheckOf(schema.ast) : undefined
  return quick === undefined ? encode : (a) => (quick(a) ? a : encode(a))
}

/** The strict decode, behind a quick check of inputs that need no transformation (gateway/fast-decode.ts). */
const decoderOf = (schema: Schema.Schema<unknown, unknown, never>): Decoder => {
  const decode = Schema.decodeUnknownEither(schema, strict)
  const quick = quickCheckOf(schema.ast)
  return quick === undefined ? decode : (u) => (quick(u) ? Either.right(u) : decode(u))
}
const allowed = { ok: true } as const

const issuesOf = (error: ParseResult.ParseError, prefix: string): Array<Issue> => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error).map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((s) => s !== "").join("."),
    message: i.message
  }))
  // `Schema.optional(X)` decodes as `X | undefined`: a bad value fails both members, and the
  // "Expected undefined" half only confuses. Keep it only when it is the sole issue at its path.
  const paths = new Map<string, number>()
  for (const i of issues) paths.set(i.path, (paths.get(i.path) ?? 0) + 1)
  return issues.filter((i) => !(paths.get(i.path)! > 1 && i.message.startsWith("Expected undefined, actual")))
}

/**
 * The request pipeline: limits → route → rate limit → body → auth → decode → idempotency →
 * handler → encode → respond. Everything a handler needs is copied out of uWS before the first
 * await (DESIGN convention 8); every failure ends in one error funnel.
 */
export class Pipeline<R> {
  private readonly compiled = new Map<AnyRoute, CompiledRoute>()
  private inFlight = 0
  private closing = false
  private drainWaiters: Array<() => void> = []
  private readonly fork: <A, E>(effect: Effect.Effect<A, E, R>) => Fiber.RuntimeFiber<A, E>

  constructor(
    private readonly deps: PipelineDeps<R>,
    routes: ReadonlyArray<AnyRoute>
  ) {
    for (const route of routes) {
      this.compiled.set(route, {
        decodeParams: route.params && decoderOf(route.params),
        decodeQuery: route.query && decoderOf(route.query),
        decodeBody: route.body && decoderOf(route.body),
        // A schema without transformations or checks encodes to the value itself: skip the walk.
        encodeSuccess:
          route.success.schema === undefined || SchemaAST.encodedAST(route.success.schema.ast) === route.success.schema.ast
            ? undefined
            : encoderOf(route.success.schema)
      })
    }
    this.fork = Runtime.runFork(deps.runtime)
  }

  /** Requests being served right now. */
  get active(): number {
    return this.inFlight
  }

  /**
   * Stop taking requests: from now on a request arriving on a kept-alive connection is answered
   * 503 and every answer closes its connection. Resolves when no request is in flight, or after
   * `timeoutMs`.
   */
  drain(timeoutMs: number): Promise<void> {
    this.closing = true
    if (this.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      this.drainWaiters.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  /** The uWS `any("/*")` handler. */
  handle = (res: uWS.HttpResponse, req: uWS.HttpRequest): void => {
    const x: Exchange = {
      res,
      aborted: false,
      done: false,
      requestId: `${requestIdPrefix}-${(++requestCounter).toString(36)}`,
      startedAt: performance.now(),
      routeId: "unmatched",
      head: false
    }
    res.onAborted(() => {
      x.aborted = true
    })
    // Copy everything out of `req` now: it is invalid after this callback returns.
    const method = req.getCaseSensitiveMethod().toLowerCase() as Method
    x.head = method === ("head" as string)
    const url = req.getUrl()
    const rawQuery = req.getQuery() ?? ""
    const headers: Record<string, string> = {}
    let headerBytes = 0
    req.forEach((k, v) => {
      headerBytes += k.length + v.length + 4
      headers[k] = v
    })
    this.inFlight++
    if (this.closing) return this.fail(x, unavailable("the server is shutting down; retry", 1), true)
    this.serve(x, method, url, rawQuery, headers, headerBytes).catch((defect: unknown) => {
      this.deps.log(`request ${x.requestId} failed unexpectedly`, defect)
      this.fail(x, internal(x.requestId))
    })
  }

  private async serve(
    x: Exchange,
    method: Method,
    url: string,
    rawQuery: string,
    headers: Record<string, string>,
    headerBytes: number
  ): Promise<void> {
    const { limits, rateLimiter } = this.deps
    if (url.length + rawQuery.length + 1 > limits.maxUrlBytes) return this.fail(x, uriTooLong(limits.maxUrlBytes))
    if (headerBytes > limits.maxHeaderBytes) return this.fail(x, headersTooLarge(limits.maxHeaderBytes))
    // Methods no route uses (HEAD, OPTIONS, …) fall through the router: 405 with the path's methods, or 404.
    const match = this.deps.router.match(method, url)
    if (match._tag === "not_found") return this.fail(x, notFound("no such route"))
    if (match._tag === "bad_path") return this.fail(x, invalidRequest("the path is not valid percent-encoding"))
    if (match._tag === "method_not_allowed") return this.fail(x, methodNotAllowed(match.allowed))
    const route = match.route
    x.routeId = route.operationId
    const compiled = this.compiled.get(route)!
    const nowMs = Date.now()
    // The client address costs a native call: read it (before the first await, while `res` is
    // surely valid) only where something uses it: IP rate limits, anonymous idempotency scopes
    // (a request that may carry a key), handlers that ask for it.
    const limited = rateLimiter !== unlimited && route.rateClass !== "health"
    const keyed = route.idempotency !== "none" && (headers["idempotency-key"] !== undefined || route.idempotencyBodyField !== undefined)
    const ip = limited || keyed || route.needsClientIp === true ? Buffer.from(x.res.getRemoteAddressAsText()).toString() : ""

    const byIp = limited ? rateLimiter.take(route.rateClass, `ip:${ip}`, nowMs) : allowed
    if (!byIp.ok) return this.fail(x, rateLimited(byIp.retryAfterSeconds))

    // Body first (it must be consumed in any case), then identity.
    let rawBody: Buffer | undefined
    if (method !== "get" && method !== "delete") {
      const declared = Number(headers["content-length"] ?? "0")
      if (declared > limits.maxBodyBytes) return this.fail(x, payloadTooLarge(limits.maxBodyBytes), true)
      const body = await this.readBody(x)
      if (body === "too_large") return this.fail(x, payloadTooLarge(limits.maxBodyBytes), true)
      if (body === "timeout") return
      rawBody = body
    }
    if (x.aborted) return this.finish(x, 499)

    let caller: Caller | undefined
    const authorization = headers["authorization"]
    if (authorization !== undefined && route.access !== "public") {
      const token = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/.exec(authorization)?.[1]
      if (token === undefined) return this.fail(x, unauthenticated("the Authorization header must be 'Bearer <token>'"))
      caller = await this.deps.authenticator.authenticate(token, nowMs)
      if (caller === undefined) return this.fail(x, unauthenticated("the token is unknown, expired or revoked"))
    }
    if (route.access !== "public" && route.access !== "optional") {
      if (caller === undefined) return this.fail(x, unauthenticated())
      if (route.access !== "user" && !route.access.some((role) => caller!.roles.includes(role))) {
        return this.fail(x, forbidden(`this route needs the role ${route.access.join(" or ")}`))
      }
    }
    if (caller !== undefined) {
      const byUser = rateLimiter.take(route.rateClass, `user:${caller.userId}`, nowMs)
      if (!byUser.ok) return this.fail(x, rateLimited(byUser.retryAfterSeconds))
    }

    // Decode every input with the route's schemas; unknown fields are errors.
    const issues: Array<Issue> = []
    const params = decodeInput(compiled.decodeParams, match.params, "path", issues)
    const query = decodeInput(compiled.decodeQuery, parseQuery(rawQuery, issues), "query", issues)
    let body: unknown = undefined
    let bodyText: string | undefined
    if (rawBody !== undefined && rawBody.length > 0) {
      const contentType = headers["content-type"] ?? ""
      if (!/^application\/json\s*(;|$)/i.test(contentType)) {
        return this.fail(x, new ApiError({ status: 415, code: "unsupported_media_type", message: "the body must be application/json", details: {} }))
      }
      let text: string
      try {
        text = utf8.decode(rawBody)
      } catch {
        return this.fail(x, invalidRequest("the body is not valid UTF-8"))
      }
      bodyText = text
      try {
        body = JSON.parse(text)
      } catch {
        return this.fail(x, invalidRequest("the body is not valid JSON"))
      }
      const problem = jsonProblem(body, limits.maxJsonDepth)
      if (problem !== undefined) return this.fail(x, invalidRequest(problem))
    }
    if (compiled.decodeBody !== undefined) {
      body = decodeInput(compiled.decodeBody, body, "body", issues)
    } else if (body !== undefined && !(isPlainObject(body) && Object.keys(body).length === 0)) {
      issues.push({ path: "body", message: "this route takes no body (or {})" })
    }
    if (issues.length > 0) return this.fail(x, invalidRequest("the request does not match the schema", issues))

    // Idempotency: the header, or the route's body alias; both present and different is an error.
    let idempotencyKey = headers["idempotency-key"]
    if (route.idempotencyBodyField !== undefined && isPlainObject(body)) {
      const alias = (body as Record<string, unknown>)[route.idempotencyBodyField]
      if (typeof alias === "string") {
        if (idempotencyKey !== undefined && idempotencyKey !== alias) {
          return this.fail(x, invalidRequest("the Idempotency-Key header and the body's idempotency_key differ"))
        }
        idempotencyKey = alias
      }
    }
    if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
      return this.fail(x, invalidRequest("Idempotency-Key must be 1..255 printable ASCII characters"))
    }
    if (route.idempotency === "required" && idempotencyKey === undefined) {
      return this.fail(x, invalidRequest("this route requires an Idempotency-Key header"))
    }
    const guard = route.idempotency !== "none" && idempotencyKey !== undefined ? this.deps.idempotency : undefined
    const scope = caller !== undefined ? `u:${caller.userId}` : `ip:${ip}`
    // The body alias is the key, not part of the request: header-only and alias-only retries are the same request.
    const hashed = route.idempotencyBodyField !== undefined && isPlainObject(body) ? { ...body, [route.idempotencyBodyField]: undefined } : body
    const requestHash =
      guard === undefined ? "" : createHash("sha256").update(`${method} ${url}?${rawQuery}\n${JSON.stringify(hashed ?? null)}`).digest("base64url")
    let attempt = ""
    if (guard !== undefined) {
      let begun
      try {
        begun = await guard.begin(scope, idempotencyKey!, requestHash, nowMs)
      } catch (error) {
        return this.fail(x, toApiError(error, x.requestId, this.deps.log))
      }
      if (begun._tag === "replay") return this.respond(x, begun.status, begun.body, { "idempotent-replayed": "true" })
      if (begun._tag === "in_progress") {
        const e = new ApiError({ status: 409, code: "idempotency_in_progress", message: "a request with this Idempotency-Key is still running", details: {}, retryAfterSeconds: 1 })
        return this.fail(x, e)
      }
      if (begun._tag === "not_stored") {
        return this.fail(x, new ApiError({ status: 409, code: "conflict", message: `a request with this Idempotency-Key already completed (status ${begun.status}); its answer was too large to keep`, details: { status: begun.status } }))
      }
      if (begun._tag === "reused") {
        return this.fail(x, new ApiError({ status: 422, code: "idempotency_key_reused", message: "this Idempotency-Key was used for a different request", details: {} }))
      }
      attempt = begun.attempt
    }

    const request: RouteRequest<unknown, unknown, unknown> = {
      params,
      query,
      body,
      caller,
      headers,
      ip,
      requestId: x.requestId,
      nowMs,
      idempotencyKey,
      bodyText
    }
    const exit = route.direct !== undefined ? await this.runDirect(route, request) : await this.runHandler(route, request)
    let status: number
    let payload: unknown
    let extraHeaders: Readonly<Record<string, string>> | undefined
    let error: ApiError | undefined
    if (Exit.isSuccess(exit)) {
      const reply = exit.value as Reply<unknown>
      status = reply.status ?? route.success.status
      extraHeaders = reply.headers
      try {
        payload = compiled.encodeSuccess === undefined ? reply.body : compiled.encodeSuccess(reply.body)
      } catch (defect) {
        this.deps.log(`request ${x.requestId}: the ${route.operationId} reply does not match its schema`, defect)
        error = internal(x.requestId)
        status = 500
      }
    } else {
      error = causeToApiError(exit.cause, x.requestId, this.deps.log)
      status = error.status
    }
    if (guard !== undefined) {
      const storable = status !== 429 && status !== 503 && status < 500
      try {
        if (storable) await guard.complete(scope, idempotencyKey!, requestHash, attempt, status, error === undefined ? payload : errorBody(error), Date.now())
        else await guard.abandon(scope, idempotencyKey!, requestHash, attempt)
      } catch (failure) {
        // The effect happened but its answer could not be recorded: the client must not see success
        // it cannot replay; a retry finds the key in progress until its lease runs out.
        return this.fail(x, toApiError(failure, x.requestId, this.deps.log))
      }
    }
    if (error !== undefined) return this.fail(x, error)
    const raw = Exit.isSuccess(exit) ? (exit.value as Reply<unknown>).raw : undefined
    if (raw !== undefined) return this.respondRaw(x, status, raw.contentType, raw.text)
    this.respond(x, status, payload, extraHeaders)
  }

  private runHandler(route: AnyRoute, request: RouteRequest<unknown, unknown, unknown>): Exit.Exit<unknown, ApiError> | Promise<Exit.Exit<unknown, ApiError>> {
    // Suspended, so that a handler that throws instead of returning an Effect is a defect like any other.
    // Most handlers finish synchronously (a read of an actor in memory): take the exit at once.
    const fiber = this.fork(Effect.suspend(() => route.handler(request)))
    return fiber.unsafePoll() ?? new Promise<Exit.Exit<unknown, ApiError>>((resolve) => fiber.addObserver(resolve))
  }

  /** A route's fiber-less handler (see `RouteSpec.direct`); a throw is a defect like any other. */
  private runDirect(route: AnyRoute, request: RouteRequest<unknown, unknown, unknown>): Promise<Exit.Exit<unknown, ApiError>> {
    return new Promise((resolve) => {
      try {
        route.direct!(request, this.deps.runtime.context, resolve)
      } catch (defect) {
        resolve(Exit.die(defect))
      }
    })
  }

  private readBody(x: Exchange): Promise<Buffer | "too_large" | "timeout"> {
    const limit = this.deps.limits.maxBodyBytes
    return new Promise((resolve) => {
      const chunks: Array<Buffer> = []
      let size = 0
      let settled = false
      const timer = setTimeout(() => {
        if (settled) return
        settled = true
        if (!x.aborted) {
          this.fail(x, new ApiError({ status: 408, code: "request_timeout", message: "the body did not arrive in time", details: {} }), true)
        }
        resolve("timeout")
      }, this.deps.limits.bodyTimeoutMs)
      x.res.onData((chunk, isLast) => {
        if (settled) return
        size += chunk.byteLength
        if (size > limit) {
          settled = true
          clearTimeout(timer)
          return resolve("too_large")
        }
        // The chunk's memory is reused by uWS after this callback: copy it.
        chunks.push(Buffer.from(new Uint8Array(chunk)))
        if (isLast) {
          settled = true
          clearTimeout(timer)
          resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))
        }
      })
    })
  }

  private respond(x: Exchange, status: number, payload: unknown, headers?: Readonly<Record<string, string>>, close = false) {
    if (x.done) return
    if (x.aborted) return this.finish(x, status)
    const body = status === 204 ? undefined : JSON.stringify(payload)
    // uWS writes `Connection: close` itself when asked to close.
    const closing = close || this.closing
    x.res.cork(() => {
      x.res.writeStatus(statusLine(status))
      if (body !== undefined) x.res.writeHeader("content-type", JSON_TYPE)
      x.res.writeHeader("x-request-id", x.requestId)
      if (headers !== undefined) for (const k in headers) x.res.writeHeader(k, headers[k]!)
      if (x.head) {
        // Not `endWithoutBody(length)`: uWS 20.30 then waits for that many body bytes, the response never
        // completes, and the next request on the kept-alive connection gets no answer. (An explicit
        // `undefined` length is read as a number; a closing answer may report 0, its connection ends.)
        if (closing) x.res.endWithoutBody(0, true)
        else {
          x.res.writeHeader("content-length", String(body === undefined ? 0 : Buffer.byteLength(body)))
          x.res.endWithoutBody()
        }
      } else x.res.end(body, closing)
    })
    this.finish(x, status)
  }

  private respondRaw(x: Exchange, status: number, contentType: string, text: string) {
    if (x.done) return
    if (x.aborted) return this.finish(x, status)
    x.res.cork(() => {
      x.res.writeStatus(statusLine(status)).writeHeader("content-type", contentType).writeHeader("x-request-id", x.requestId).end(text, this.closing)
    })
    this.finish(x, status)
  }

  private fail(x: Exchange, e: ApiError, close = false) {
    const headers: Record<string, string> = {}
    if (e.retryAfterSeconds !== undefined) headers["retry-after"] = String(e.retryAfterSeconds)
    // RFC 9110: a 405 carries the methods the target supports.
    if (e.status === 405 && Array.isArray(e.details["allowed"])) headers["allow"] = e.details["allowed"].join(", ")
    this.respond(x, e.status, errorBody(e), headers, close)
  }

  private finish(x: Exchange, status: number) {
    if (x.done) return
    x.done = true
    this.deps.metrics.observe(x.routeId, status, performance.now() - x.startedAt)
    if (--this.inFlight === 0 && this.drainWaiters.length > 0) {
      const waiters = this.drainWaiters
      this.drainWaiters = []
      for (const w of waiters) w()
    }
  }
}

/** A UTF-16 code unit of a surrogate pair standing alone: `\ud800` is valid JSON but not Unicode. */
const loneSurrogate = /\p{Cs}/u

/**
 * What makes a parsed body unusable before any schema sees it: arrays/objects nested deeper than
 * `maxDepth` (formatting the issues of a very deep value overflows the stack), and strings or keys
 * with a lone surrogate (they cannot be stored as UTF-8: two such emails would become one).
 * Iterative: the value may be 60 000 levels deep.
 */
const jsonProblem = (value: unknown, maxDepth: number): string | undefined => {
  const stack: Array<readonly [unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (typeof v === "string") {
      if (loneSurrogate.test(v)) return "the body contains an unpaired surrogate escape (\\ud800-\\udfff): not valid Unicode"
      continue
    }
    if (typeof v !== "object" || v === null) continue
    if (depth > maxDepth) return `the body nests arrays and objects deeper than ${maxDepth} levels`
    if (Array.isArray(v)) for (const child of v) stack.push([child, depth + 1])
    else {
      for (const [key, child] of Object.entries(v)) {
        if (loneSurrogate.test(key)) return "the body contains an unpaired surrogate escape (\\ud800-\\udfff): not valid Unicode"
        stack.push([child, depth + 1])
      }
    }
  }
  return undefined
}

const isPlainObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const decodeInput = (
  decode: ((u: unknown) => ReturnType<ReturnType<typeof Schema.decodeUnknownEither>>) | undefined,
  input: unknown,
  where: string,
  issues: Array<Issue>
): unknown => {
  if (decode === undefined) {
    if (isPlainObject(input) && Object.keys(input).length > 0 && where !== "body") {
      for (const k of Object.keys(input)) issues.push({ path: `${where}.${k}`, message: "unknown parameter" })
    }
    return input
  }
  const result = decode(input ?? (where === "body" ? undefined : {}))
  if (result._tag === "Right") return result.right
  issues.push(...issuesOf(result.left, where))
  return undefined
}

const parseQuery = (raw: string, issues: Array<Issue>): Record<string, string> => {
  const out: Record<string, string> = {}
  if (raw.length === 0) return out
  for (const pair of raw.split("&")) {
    if (pair.length === 0) continue
    const eq = pair.indexOf("=")
    const rawKey = eq < 0 ? pair : pair.slice(0, eq)
    const rawValue = eq < 0 ? "" : pair.slice(eq + 1)
    try {
      const key = decodeURIComponent(rawKey.replace(/\+/g, " "))
      if (key in out) issues.push({ path: `query.${key}`, message: "given more than once" })
      out[key] = decodeURIComponent(rawValue.replace(/\+/g, " "))
    } catch {
      issues.push({ path: "query", message: "the query string is not valid percent-encoding" })
    }
  }
  return out
}

/** The error funnel for failures that are not ApiErrors: storage and mailbox trouble is 503, anything else a logged 500. */
export const toApiError = (error: unknown, requestId: string, log: (m: string, d?: unknown) => void): ApiError => {
  if (error instanceof ApiError) return error
  const tag = (error as { _tag?: unknown } | null)?._tag
  if (tag === "MailboxFull" || tag === "Unavailable" || tag === "StorageUnavailable") {
    const ms = (error as { retryAfterMs?: number }).retryAfterMs ?? 1000
    return unavailable("the service is busy or a dependency is down; retry shortly", Math.max(1, Math.ceil(ms / 1000)))
  }
  log(`request ${requestId}: unexpected failure`, error)
  return internal(requestId)
}

const causeToApiError = (cause: Cause.Cause<unknown>, requestId: string, log: (m: string, d?: unknown) => void): ApiError => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return toApiError(failure.value, requestId, log)
  log(`request ${requestId}: defect`, Cause.pretty(cause))
  return internal(requestId)
}
