import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { ParseResult, Schema } from "effect"
import { type ProviderConfig, parseMsRange } from "./config.ts"
import { type Outcome, ProviderCore, type RequestIdentity } from "./core.ts"
import { type Answer, BodyTooLarge, errorAnswer, readBody, sendAnswer } from "./http.ts"
import * as Wire from "./wire.ts"

/**
 * The payment-provider simulator over HTTP (node:http). Routes (provider/README.md):
 *
 *   POST /v1/tokens                        card → 201 token
 *   GET  /v1/tokens/{token}
 *   POST /v1/payments                      authorize → 201 payment (authorized, declined or pending)
 *   GET  /v1/payments?reference=…          payments of a reference, newest first
 *   GET  /v1/payments/{id}
 *   POST /v1/payments/{id}/capture         {amount?}
 *   POST /v1/payments/{id}/void
 *   POST /v1/payments/{id}/refunds         {amount?, reason?} → 201 {refund, payment}
 *   POST /v1/test/payments/{id}/settle     {outcome, decline_code?}   (test routes)
 *   POST /v1/test/settings                 change latency, faults, webhooks at run time
 *   GET  /v1/test/stats
 *   GET  /healthz
 *
 * Writes honour `Idempotency-Key`. Errors are `{error: {code, message, details}}`.
 */

export interface RunningProvider {
  readonly port: number
  readonly url: string
  readonly core: ProviderCore
  close(): Promise<void>
}

const maxUrlBytes = 8 * 1024
const paymentIdPattern = "pay_[A-Za-z0-9]{1,64}"
const tokenIdPattern = "tok_[A-Za-z0-9]{1,64}"

interface Context {
  readonly identity: RequestIdentity
  readonly params: ReadonlyArray<string>
  readonly query: URLSearchParams
  readonly body: unknown
  readonly now: Date
}

interface Route {
  readonly method: "GET" | "POST"
  readonly pattern: RegExp
  /** Test routes skip injected latency and errors. */
  readonly test?: boolean
  readonly handle: (context: Context) => Promise<Outcome | Answer>
}

const strict = { errors: "all", onExcessProperty: "error" } as const

/** Decoded body, or the 400 naming each bad field. With `redact`, values are never echoed (card data). */
const decode = <A, I>(schema: Schema.Schema<A, I>, body: unknown, redact = false): A | Answer => {
  const result = Schema.decodeUnknownEither(schema, strict)(body)
  if (result._tag === "Right") return result.right
  const issues = ParseResult.ArrayFormatter.formatErrorSync(result.left).map((issue) => ({
    path: issue.path.join("."),
    message: redact ? (issue._tag === "Unexpected" ? "unknown field" : issue._tag === "Missing" ? "is missing" : "has the wrong type or format") : issue.message
  }))
  return errorAnswer(400, "invalid_request", "the request body is not valid", { issues })
}

const isAnswer = (value: unknown): value is Answer =>
  value !== null && typeof value === "object" && "status" in value && "body" in value && !("answer" in value)

const routes = (core: ProviderCore): ReadonlyArray<Route> => [
  {
    method: "POST",
    pattern: /^\/v1\/tokens$/,
    handle: async ({ identity, body, now }) => {
      const card = decode(Wire.TokenRequest, body, true)
      return isAnswer(card) ? card : core.tokenize(identity, card, now)
    }
  },
  { method: "GET", pattern: new RegExp(`^/v1/tokens/(${tokenIdPattern})$`), handle: ({ params }) => core.token(params[0]!) },
  {
    method: "POST",
    pattern: /^\/v1\/payments$/,
    handle: async ({ identity, body, now }) => {
      const input = decode(Wire.AuthorizeRequest, body)
      return isAnswer(input) ? input : core.authorize(identity, input, now)
    }
  },
  {
    method: "GET",
    pattern: /^\/v1\/payments$/,
    handle: async ({ query }) => {
      const reference = query.get("reference")
      if (reference === null || reference === "" || reference.length > 200) {
        return errorAnswer(400, "invalid_request", "query parameter reference (1..200 characters) is required")
      }
      return core.paymentsOfReference(reference)
    }
  },
  { method: "GET", pattern: new RegExp(`^/v1/payments/(${paymentIdPattern})$`), handle: ({ params }) => core.payment(params[0]!) },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/payments/(${paymentIdPattern})/capture$`),
    handle: async ({ identity, params, body, now }) => {
      const input = decode(Wire.CaptureRequest, body)
      return isAnswer(input) ? input : core.capture(identity, params[0]!, input, now)
    }
  },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/payments/(${paymentIdPattern})/void$`),
    handle: async ({ identity, params, body, now }) => {
      const input = decode(Wire.EmptyRequest, body)
      return isAnswer(input) ? input : core.voidPayment(identity, params[0]!, now)
    }
  },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/payments/(${paymentIdPattern})/refunds$`),
    handle: async ({ identity, params, body, now }) => {
      const input = decode(Wire.RefundRequest, body)
      return isAnswer(input) ? input : core.refund(identity, params[0]!, input, now)
    }
  },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/test/payments/(${paymentIdPattern})/settle$`),
    test: true,
    handle: async ({ identity, params, body, now }) => {
      const input = decode(Wire.SettleRequest, body)
      return isAnswer(input) ? input : core.settle(identity, params[0]!, input, now)
    }
  },
  {
    method: "POST",
    pattern: /^\/v1\/test\/settings$/,
    test: true,
    handle: async ({ body }) => {
      const input = decode(Wire.SettingsRequest, body)
      if (isAnswer(input)) return input
      applySettings(core, input)
      return { status: 200, body: visibleSettings(core) }
    }
  },
  { method: "GET", pattern: /^\/v1\/test\/stats$/, test: true, handle: async () => ({ status: 200, body: core.stats }) }
]

const applySettings = (core: ProviderCore, input: Wire.SettingsRequest) => {
  const settings = core.settings
  if (input.latency_ms !== undefined) settings.latency = parseMsRange("latency_ms", input.latency_ms)
  if (input.slow_card_delay_ms !== undefined) settings.slowCardDelayMs = input.slow_card_delay_ms
  if (input.error_rate !== undefined) settings.errorRate = input.error_rate
  if (input.error_after_commit_rate !== undefined) settings.errorAfterCommitRate = input.error_after_commit_rate
  if (input.webhook_url !== undefined) settings.webhookUrl = input.webhook_url ?? undefined
  if (input.webhook_delay_ms !== undefined) settings.webhookDelay = parseMsRange("webhook_delay_ms", input.webhook_delay_ms)
  if (input.webhook_duplicate_probability !== undefined) settings.webhookDuplicateProbability = input.webhook_duplicate_probability
}

const visibleSettings = (core: ProviderCore) => {
  const s = core.settings
  return {
    latency_ms: `${s.latency.minMs}-${s.latency.maxMs}`,
    slow_card_delay_ms: s.slowCardDelayMs,
    error_rate: s.errorRate,
    error_after_commit_rate: s.errorAfterCommitRate,
    webhook_url: s.webhookUrl ?? null,
    webhook_delay_ms: `${s.webhookDelay.minMs}-${s.webhookDelay.maxMs}`,
    webhook_duplicate_probability: s.webhookDuplicateProbability
  }
}

const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/

export const startProvider = async (config: ProviderConfig): Promise<RunningProvider> => {
  const core = await ProviderCore.open(config)
  const table = routes(core)
  const sleeping = new Set<{ timer: NodeJS.Timeout; wake: () => void }>()
  let inFlight = 0
  let closing = false

  /** Sleeps that end early (at once) when the server closes. */
  const sleep = (ms: number) =>
    ms <= 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const entry = {
            timer: setTimeout(() => {
              sleeping.delete(entry)
              resolve()
            }, ms),
            wake: resolve
          }
          sleeping.add(entry)
        })

  const serve = async (req: IncomingMessage): Promise<Outcome | Answer> => {
    const rawUrl = req.url ?? "/"
    if (Buffer.byteLength(rawUrl) > maxUrlBytes) return errorAnswer(414, "uri_too_long", `URL exceeds ${maxUrlBytes} bytes`)
    const url = new URL(rawUrl, "http://provider.invalid")
    const path = url.pathname
    if (path === "/healthz") return { status: 200, body: { status: core.broken ? "broken" : "ok" } }
    if (config.apiKey !== undefined && req.headers.authorization !== `Bearer ${config.apiKey}`) {
      return errorAnswer(401, "unauthenticated", "Authorization: Bearer <api key> is required")
    }
    const matching = table.filter((route) => route.pattern.test(path) && (config.testRoutes || route.test !== true))
    if (matching.length === 0) return errorAnswer(404, "not_found", "no such route")
    const route = matching.find((candidate) => candidate.method === req.method)
    if (route === undefined) {
      const allowed = [...new Set(matching.map((candidate) => candidate.method))].sort()
      return errorAnswer(405, "method_not_allowed", `method not allowed; use ${allowed.join(", ")}`, { allowed }, { allow: allowed.join(", ") })
    }
    if (core.broken) return errorAnswer(503, "unavailable", "the data file cannot be written", {}, { "retry-after": "5" })
    let body: unknown = {}
    if (route.method === "POST") {
      const text = await readBody(req, config.maxBodyBytes)
      if (text.trim() !== "") {
        try {
          body = JSON.parse(text)
        } catch {
          return errorAnswer(400, "invalid_json", "the request body is not valid JSON")
        }
      }
    }
    const keyHeader = req.headers["idempotency-key"]
    if (keyHeader !== undefined && (typeof keyHeader !== "string" || !idempotencyKeyPattern.test(keyHeader))) {
      return errorAnswer(400, "invalid_request", "Idempotency-Key must be 1..255 visible ASCII characters")
    }
    if (route.test !== true) {
      await sleep(core.random.inRange(core.settings.latency))
      if (route.method === "POST" && core.random.chance(core.settings.errorRate)) {
        return errorAnswer(503, "unavailable", "injected failure: nothing happened, retry", {}, { "retry-after": "1" })
      }
    }
    const identity: RequestIdentity = { method: route.method, path, idempotencyKey: keyHeader }
    return route.handle({ identity, params: route.pattern.exec(path)!.slice(1), query: url.searchParams, body, now: new Date() })
  }

  const server = createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    if (closing || inFlight >= config.maxInFlight) {
      sendAnswer(res, errorAnswer(503, "unavailable", closing ? "shutting down" : "too many requests in flight", {}, { "retry-after": "1" }))
      return
    }
    inFlight++
    serve(req)
      .then(
        async (result) => {
          const outcome: Outcome = isAnswer(result) ? { answer: result } : result
          if (outcome.delayMs !== undefined) await sleep(outcome.delayMs)
          if (outcome.fault === "drop") {
            res.socket?.destroy()
            return
          }
          if (outcome.fault === "error") {
            sendAnswer(res, errorAnswer(500, "internal", "injected failure after the request took effect"))
            return
          }
          sendAnswer(res, outcome.answer)
        },
        (error: unknown) => {
          if (error instanceof BodyTooLarge) {
            sendAnswer(res, errorAnswer(413, "payload_too_large", error.message, { limit_bytes: error.limitBytes }, { connection: "close" }))
            return
          }
          // Never log request bodies (card data); the error's message only.
          console.error(`provider: ${req.method} ${req.url?.split("?")[0]} failed: ${error instanceof Error ? error.message : String(error)}`)
          sendAnswer(res, errorAnswer(503, "unavailable", "the request could not be completed; its outcome is unknown", {}, { "retry-after": "1" }))
        }
      )
      .finally(() => inFlight--)
  })
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  server.requestTimeout = 120_000

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(config.port, config.host, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    port,
    url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`,
    core,
    close: async () => {
      closing = true
      for (const entry of sleeping) {
        clearTimeout(entry.timer)
        entry.wake()
      }
      sleeping.clear()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      setTimeout(() => server.closeAllConnections(), 2_000).unref()
      await closed
      await core.close()
    }
  }
}
