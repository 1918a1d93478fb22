import { createHash, randomBytes } from "node:crypto"
import { Cause, type Effect, Exit, type Fiber, Option, Runtime, SchemaAST } from "effect"
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
import { hasCallbacks } from "./auth/authenticate-with.ts"
import { BodyDeadlines } from "./body-deadlines.ts"
import type { HttpMetrics, RouteSeries } from "./http-metrics.ts"
import { type Decoder, decodeInput, decoderOf, encoderOf, isPlainObject, jsonProblem, parseQuery } from "./pipeline-input.ts"
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

interface CompiledRoute {
  readonly decodeParams: Decoder | undefined
  readonly decodeQuery: Decoder | undefined
  readonly decodeBody: Decoder | undefined
  readonly encodeSuccess: ((a: unknown) => unknown) | undefined
  readonly series: RouteSeries
}

/**
 * Per-request state: everything copied out of uWS (the `req` object is invalid once the uWS
 * callback returns), and what each step found, for the next.
 */
class Exchange {
  aborted = false
  done = false
  routeId = "unmatched"
  route: AnyRoute | undefined = undefined
  compiled: CompiledRoute | undefined = undefined
  pathParams: Record<string, string> | undefined = undefined
  nowMs = 0
  ip = ""
  rawBody: Buffer | undefined = undefined
  /** While the body arrives: its chunks (the reader's state lives here, not in closures). */
  chunks: Array<Buffer> | undefined = undefined
  bodySize = 0
  constructor(
    readonly res: uWS.HttpResponse,
    readonly method: Method,
    readonly url: string,
    readonly rawQuery: string,
    readonly headers: Record<string, string>,
    readonly requestId: string,
    readonly startedAt: number,
    /** A HEAD request: its answer has headers only (a body would be read as the next response). */
    readonly head: boolean
  ) {}
}

/** What a handler's exit becomes on the wire. */
interface Outcome {
  readonly status: number
  readonly payload: unknown
  readonly headers: Readonly<Record<string, string>> | undefined
  readonly error: ApiError | undefined
  readonly raw: Reply<unknown>["raw"]
}

const JSON_TYPE = "application/json; charset=utf-8"
const utf8 = new TextDecoder("utf-8", { fatal: true })
const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/
const bearerPattern = /^Bearer [A-Za-z0-9._~+/=-]{16,512}$/
const jsonContentType = /^application\/json\s*(;|$)/i

const requestIdPrefix = `${randomBytes(4).toString("hex")}-`
let requestCounter = 0

/** Methods as uWS reports them (case-sensitive) → route methods, without a `toLowerCase` per request. */
const methods: Readonly<Record<string, string>> = { GET: "get", POST: "post", PUT: "put", PATCH: "patch", DELETE: "delete", HEAD: "head" }

const statusLines: Array<string> = []
const statusLineOf = (status: number) => (statusLines[status] ??= statusLine(status))
const lengthTexts: Array<string> = []

const allowed = { ok: true } as const

/** The headers of the request being copied (one static callback for `req.forEach`, not a closure per request). */
let collecting: Record<string, string> = {}
let collectedBytes = 0
const collectHeader = (k: string, v: string) => {
  collectedBytes += k.length + v.length + 4
  collecting[k] = v
}
const headerless: Readonly<Record<string, string>> = Object.freeze({})

/**
 * The request pipeline: limits → route → rate limit → body → auth → decode → idempotency →
 * handler → encode → respond. Everything a handler needs is copied out of uWS before anything
 * waits (DESIGN convention 8); every failure ends in one error funnel.
 *
 * Written as steps that call the next one, not as one async function: a request whose every step
 * can finish at once (no body to wait for, the session and account in memory, a handler that
 * returns a value or calls back before returning) is answered inside the uWS callback, with no
 * promise, fiber or `onAborted` closure. Any step may instead wait (a body, an actor that must be
 * loaded, a handler that runs long): the request then goes on from its callback. Idempotent
 * requests take the slow road through `serveIdempotent`.
 */
export class Pipeline<R> {
  private readonly compiled = new Map<AnyRoute, CompiledRoute>()
  private readonly unmatched: RouteSeries
  private readonly bodyDeadlines: BodyDeadlines<Exchange>
  private inFlight = 0
  /** The request whose uWS callback is running: uWS has corked its response already. */
  private inCallback: Exchange | undefined = undefined
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
            : encoderOf(route.success.schema),
        series: deps.metrics.route(route.operationId)
      })
    }
    this.unmatched = deps.metrics.route("unmatched")
    this.fork = Runtime.runFork(deps.runtime)
    this.bodyDeadlines = new BodyDeadlines(deps.limits.bodyTimeoutMs, (x) => {
      x.chunks = undefined
      if (x.aborted) return this.finish(x, 499)
      this.fail(x, new ApiError({ status: 408, code: "request_timeout", message: "the body did not arrive in time", details: {} }), true)
    })
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
    // Copy everything out of `req` now: it is invalid after this callback returns.
    const raw = req.getCaseSensitiveMethod()
    const method = (methods[raw] ?? raw.toLowerCase()) as Method
    const url = req.getUrl()
    const rawQuery = req.getQuery() ?? ""
    const headers: Record<string, string> = (collecting = {})
    collectedBytes = 0
    req.forEach(collectHeader)
    const headerBytes = collectedBytes
    const x = new Exchange(res, method, url, rawQuery, headers, requestIdPrefix + (++requestCounter).toString(36), performance.now(), method === ("head" as string))
    this.inFlight++
    this.inCallback = x
    try {
      if (this.closing) this.fail(x, unavailable("the server is shutting down; retry", 1), true)
      else this.start(x, headerBytes)
    } catch (defect) {
      this.defect(x, defect)
    }
    this.inCallback = undefined
    // Answered already (the common case): uWS needs no abort handler. Otherwise the request goes on
    // after this callback returns, and uWS requires one now.
    if (!x.done) res.onAborted(() => this.aborted(x))
  }

  private aborted(x: Exchange) {
    x.aborted = true
    // A body that stops arriving never completes: the request ends here.
    if (x.chunks !== undefined) {
      x.chunks = undefined
      this.bodyDeadlines.delete(x)
      this.finish(x, 499)
    }
  }

  /** Limits, route, client address, rate limit by IP; then the body (when the method has one) or identity. */
  private start(x: Exchange, headerBytes: number): void {
    const { limits, rateLimiter } = this.deps
    if (x.url.length + x.rawQuery.length + 1 > limits.maxUrlBytes) return this.fail(x, uriTooLong(limits.maxUrlBytes))
    if (headerBytes > limits.maxHeaderBytes) return this.fail(x, headersTooLarge(limits.maxHeaderBytes))
    // Methods no route uses (HEAD, OPTIONS, …) fall through the router: 405 with the path's methods, or 404.
    const match = this.deps.router.match(x.method, x.url)
    if (match._tag === "not_found") return this.fail(x, notFound("no such route"))
    if (match._tag === "bad_path") return this.fail(x, invalidRequest("the path is not valid percent-encoding"))
    if (match._tag === "method_not_allowed") return this.fail(x, methodNotAllowed(match.allowed))
    const route = match.route
    x.route = route
    x.routeId = route.operationId
    x.compiled = this.compiled.get(route)!
    x.pathParams = match.params
    x.nowMs = Date.now()
    // The client address costs a native call: read it (while `res` is surely valid) only where
    // something uses it: IP rate limits, anonymous idempotency scopes (a request that may carry a
    // key), handlers that ask for it.
    const limited = rateLimiter !== unlimited && route.rateClass !== "health"
    const keyed = route.idempotency !== "none" && (x.headers["idempotency-key"] !== undefined || route.idempotencyBodyField !== undefined)
    if (limited || keyed || route.needsClientIp === true) x.ip = Buffer.from(x.res.getRemoteAddressAsText()).toString()

    const byIp = limited ? rateLimiter.take(route.rateClass, `ip:${x.ip}`, x.nowMs) : allowed
    if (!byIp.ok) return this.fail(x, rateLimited(byIp.retryAfterSeconds))

    // Body first (it must be consumed in any case), then identity.
    if (x.method !== "get" && x.method !== "delete") {
      const declared = Number(x.headers["content-length"] ?? "0")
      if (declared > limits.maxBodyBytes) return this.fail(x, payloadTooLarge(limits.maxBodyBytes), true)
      return this.readBody(x)
    }
    this.identify(x)
  }

  private readBody(x: Exchange) {
    const limit = this.deps.limits.maxBodyBytes
    x.chunks = []
    this.bodyDeadlines.add(x)
    x.res.onData((chunk, isLast) => {
      const chunks = x.chunks
      if (chunks === undefined) return
      x.bodySize += chunk.byteLength
      if (x.bodySize > limit) {
        x.chunks = undefined
        this.bodyDeadlines.delete(x)
        return this.step(x, () => this.fail(x, payloadTooLarge(limit), true))
      }
      // The chunk's memory is reused by uWS after this callback: copy it.
      chunks.push(Buffer.from(new Uint8Array(chunk)))
      if (isLast) {
        x.chunks = undefined
        this.bodyDeadlines.delete(x)
        x.rawBody = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
        this.step(x, () => this.identify(x))
      }
    })
  }

  /** Who is calling: the bearer token, when the route looks at it. */
  private identify(x: Exchange): void {
    if (x.aborted) return this.finish(x, 499)
    const route = x.route!
    const authorization = x.headers["authorization"]
    if (authorization === undefined || route.access === "public") return this.authorize(x, undefined)
    if (!bearerPattern.test(authorization)) return this.fail(x, unauthenticated("the Authorization header must be 'Bearer <token>'"))
    const token = authorization.slice(7)
    const authenticator = this.deps.authenticator
    const known = (caller: Caller | undefined) => {
      try {
        this.authenticated(x, caller)
      } catch (defect) {
        this.defect(x, defect)
      }
    }
    const failed = (error: unknown) => {
      try {
        this.fail(x, toApiError(error, x.requestId, this.deps.log))
      } catch (defect) {
        this.defect(x, defect)
      }
    }
    if (hasCallbacks(authenticator)) authenticator.authenticateWith(token, x.nowMs, known, failed)
    else authenticator.authenticate(token, x.nowMs).then(known, failed)
  }

  private authenticated(x: Exchange, caller: Caller | undefined): void {
    if (caller === undefined) return this.fail(x, unauthenticated("the token is unknown, expired or revoked"))
    this.authorize(x, caller)
  }

  /** Access rules and the caller's rate limit; then decode and go on. */
  private authorize(x: Exchange, caller: Caller | undefined): void {
    const route = x.route!
    if (route.access !== "public" && route.access !== "optional") {
      if (caller === undefined) return this.fail(x, unauthenticated())
      if (route.access !== "user" && !route.access.some((role) => caller.roles.includes(role))) {
        return this.fail(x, forbidden(`this route needs the role ${route.access.join(" or ")}`))
      }
    }
    if (caller !== undefined) {
      const byUser = this.deps.rateLimiter.take(route.rateClass, `user:${caller.userId}`, x.nowMs)
      if (!byUser.ok) return this.fail(x, rateLimited(byUser.retryAfterSeconds))
    }
    this.decode(x, caller)
  }

  /** Decode every input with the route's schemas (unknown fields are errors), then idempotency and the handler. */
  private decode(x: Exchange, caller: Caller | undefined): void {
    const route = x.route!
    const compiled = x.compiled!
    const limits = this.deps.limits
    const issues: Array<Issue> = []
    const params = decodeInput(compiled.decodeParams, x.pathParams, "path", issues)
    const query = decodeInput(compiled.decodeQuery, parseQuery(x.rawQuery, issues), "query", issues)
    let body: unknown = undefined
    let bodyText: string | undefined
    const rawBody = x.rawBody
    if (rawBody !== undefined && rawBody.length > 0) {
      const contentType = x.headers["content-type"] ?? ""
      if (!jsonContentType.test(contentType)) {
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
    let idempotencyKey = x.headers["idempotency-key"]
    if (route.idempotencyBodyField !== undefined && isPlainObject(body)) {
      const alias = body[route.idempotencyBodyField]
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
    const request: RouteRequest<unknown, unknown, unknown> = {
      params,
      query,
      body,
      caller,
      headers: x.headers,
      ip: x.ip,
      requestId: x.requestId,
      nowMs: x.nowMs,
      idempotencyKey,
      bodyText
    }
    const guard = route.idempotency !== "none" && idempotencyKey !== undefined ? this.deps.idempotency : undefined
    if (guard !== undefined) {
      this.serveIdempotent(x, guard, idempotencyKey!, request).catch((defect: unknown) => this.defect(x, defect))
      return
    }
    this.run(route, request, (exit) => {
      try {
        this.answer(x, this.outcomeOf(x, exit))
      } catch (defect) {
        this.defect(x, defect)
      }
    })
  }

  /** Claim the key, run the handler, store its answer for replays, answer. */
  private async serveIdempotent(x: Exchange, guard: IdempotencyGuard, idempotencyKey: string, request: RouteRequest<unknown, unknown, unknown>): Promise<void> {
    const route = x.route!
    const scope = request.caller !== undefined ? `u:${request.caller.userId}` : `ip:${x.ip}`
    const body = request.body
    // The body alias is the key, not part of the request: header-only and alias-only retries are the same request.
    const hashed = route.idempotencyBodyField !== undefined && isPlainObject(body) ? { ...body, [route.idempotencyBodyField]: undefined } : body
    const requestHash = createHash("sha256").update(`${x.method} ${x.url}?${x.rawQuery}\n${JSON.stringify(hashed ?? null)}`).digest("base64url")
    let begun
    try {
      begun = await guard.begin(scope, idempotencyKey, requestHash, x.nowMs)
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
    const attempt = begun.attempt
    const exit = await new Promise<Exit.Exit<unknown, ApiError>>((resolve) => this.run(route, request, resolve))
    const outcome = this.outcomeOf(x, exit)
    const status = outcome.status
    const storable = status !== 429 && status !== 503 && status < 500
    try {
      if (storable) await guard.complete(scope, idempotencyKey, requestHash, attempt, status, outcome.error === undefined ? outcome.payload : errorBody(outcome.error), Date.now())
      else await guard.abandon(scope, idempotencyKey, requestHash, attempt)
    } catch (failure) {
      // The effect happened but its answer could not be recorded: the client must not see success
      // it cannot replay; a retry finds the key in progress until its lease runs out.
      return this.fail(x, toApiError(failure, x.requestId, this.deps.log))
    }
    this.answer(x, outcome)
  }

  /**
   * Run the route's work and call `then` with its exit, exactly once, maybe before returning: the
   * fiber-less `direct` handler when the route has one; else the Effect handler, whose result is
   * taken as is when it is already an exit (`Effect.succeed(…)`), and otherwise run in a fiber that
   * usually finishes at once (a read of an actor in memory). A throw is a defect like any other.
   */
  private run(route: AnyRoute, request: RouteRequest<unknown, unknown, unknown>, then: (exit: Exit.Exit<unknown, ApiError>) => void): void {
    if (route.direct !== undefined) {
      let called = false
      const once = (exit: Exit.Exit<unknown, ApiError>) => {
        if (called) return
        called = true
        then(exit)
      }
      try {
        route.direct(request, this.deps.runtime.context, once)
      } catch (defect) {
        once(Exit.die(defect))
      }
      return
    }
    let effect: Effect.Effect<unknown, ApiError, R>
    try {
      effect = route.handler(request)
    } catch (defect) {
      return then(Exit.die(defect))
    }
    if (Exit.isExit(effect)) return then(effect as Exit.Exit<unknown, ApiError>)
    const fiber = this.fork(effect)
    const exit = fiber.unsafePoll()
    if (exit !== null) then(exit)
    else fiber.addObserver(then)
  }

  /** The status, body and headers a handler's exit becomes; a reply that does not match its schema is a logged 500. */
  private outcomeOf(x: Exchange, exit: Exit.Exit<unknown, ApiError>): Outcome {
    const route = x.route!
    if (Exit.isFailure(exit)) {
      const error = causeToApiError(exit.cause, x.requestId, this.deps.log)
      return { status: error.status, payload: undefined, headers: undefined, error, raw: undefined }
    }
    const reply = exit.value as Reply<unknown>
    const encode = x.compiled!.encodeSuccess
    try {
      const payload = encode === undefined ? reply.body : encode(reply.body)
      return { status: reply.status ?? route.success.status, payload, headers: reply.headers, error: undefined, raw: reply.raw }
    } catch (defect) {
      this.deps.log(`request ${x.requestId}: the ${route.operationId} reply does not match its schema`, defect)
      return { status: 500, payload: undefined, headers: undefined, error: internal(x.requestId), raw: undefined }
    }
  }

  private answer(x: Exchange, outcome: Outcome) {
    if (outcome.error !== undefined) return this.fail(x, outcome.error)
    if (outcome.raw !== undefined) return this.respondRaw(x, outcome.status, outcome.raw.contentType, outcome.raw.text)
    this.respond(x, outcome.status, outcome.payload, outcome.headers)
  }

  /** Run a step that continues a request from a callback: a throw is a defect of that request. */
  private step(x: Exchange, fn: () => void) {
    try {
      fn()
    } catch (defect) {
      this.defect(x, defect)
    }
  }

  private defect(x: Exchange, defect: unknown) {
    this.deps.log(`request ${x.requestId} failed unexpectedly`, defect)
    this.fail(x, internal(x.requestId))
  }

  private respond(x: Exchange, status: number, payload: unknown, headers: Readonly<Record<string, string>> = headerless, close = false) {
    if (x.done) return
    if (x.aborted) return this.finish(x, status)
    const body = status === 204 ? undefined : JSON.stringify(payload)
    // uWS writes `Connection: close` itself when asked to close.
    const closing = close || this.closing
    // Inside its uWS callback a response is corked already; after that, cork the writes (one send).
    if (this.inCallback === x) writeAnswer(x, status, body, headers, closing)
    else x.res.cork(() => writeAnswer(x, status, body, headers, closing))
    this.finish(x, status)
  }

  private respondRaw(x: Exchange, status: number, contentType: string, text: string) {
    if (x.done) return
    if (x.aborted) return this.finish(x, status)
    x.res.cork(() => {
      x.res.writeStatus(statusLineOf(status)).writeHeader("content-type", contentType).writeHeader("x-request-id", x.requestId).end(text, this.closing)
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
    const series = x.compiled === undefined ? this.unmatched : x.compiled.series
    series.observe(status, performance.now() - x.startedAt)
    if (--this.inFlight === 0 && this.drainWaiters.length > 0) {
      const waiters = this.drainWaiters
      this.drainWaiters = []
      for (const w of waiters) w()
    }
  }
}

const writeAnswer = (x: Exchange, status: number, body: string | undefined, headers: Readonly<Record<string, string>>, closing: boolean) => {
  const res = x.res
  res.writeStatus(statusLineOf(status))
  if (body !== undefined) res.writeHeader("content-type", JSON_TYPE)
  res.writeHeader("x-request-id", x.requestId)
  for (const k in headers) res.writeHeader(k, headers[k]!)
  if (x.head) {
    // Not `endWithoutBody(length)`: uWS 20.30 then waits for that many body bytes, the response never
    // completes, and the next request on the kept-alive connection gets no answer. (An explicit
    // `undefined` length is read as a number; a closing answer may report 0, its connection ends.)
    if (closing) res.endWithoutBody(0, true)
    else {
      const length = body === undefined ? 0 : Buffer.byteLength(body)
      res.writeHeader("content-length", (lengthTexts[length] ??= String(length)))
      res.endWithoutBody()
    }
  } else res.end(body, closing)
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
