import { Agent, request } from "node:http"
import { Agent as HttpsAgent, request as httpsRequest } from "node:https"
import { Context, Effect, Layer, Schema } from "effect"
import * as Wire from "./wire.ts"

/**
 * Our side's client of the payment provider (the simulator or a real one with the same API).
 * Every write carries the caller's idempotency key and is retried with that same key on
 * connection errors, timeouts, 429 and 5xx (bounded attempts, exponential backoff with
 * jitter), so a retry never charges twice. Outcomes are typed:
 *
 * - `PaymentDeclined` / `PaymentPending`: the provider answered; the payment exists.
 * - `ProviderRejected`: a 4xx (bad input, wrong state, refund above captured, key reused…).
 * - `ProviderOutcomeUnknown` (writes): no answer after every attempt; the write may or may not
 *   have happened. Reconcile with `paymentsOfReference` / `getPayment`, or retry later with the
 *   same key.
 * - `ProviderUnavailable` (reads): no answer; nothing changed.
 */

export interface ProviderClientConfig {
  readonly baseUrl: string
  readonly apiKey?: string | undefined
  /** Per attempt. */
  readonly timeoutMs: number
  /** Attempts in all (1 = no retry). */
  readonly maxAttempts: number
  readonly retryBaseMs: number
  readonly retryMaxMs: number
  /** Connections kept to the provider at most. */
  readonly maxSockets: number
  readonly maxResponseBytes: number
}

export const defaultProviderClientConfig = {
  timeoutMs: 5_000,
  maxAttempts: 3,
  retryBaseMs: 100,
  retryMaxMs: 2_000,
  maxSockets: 256,
  maxResponseBytes: 1024 * 1024
} as const

/** From PAYMENT_PROVIDER_URL (required), PAYMENT_PROVIDER_API_KEY, PAYMENT_PROVIDER_TIMEOUT_MS, PAYMENT_PROVIDER_MAX_ATTEMPTS. */
export const providerClientConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): ProviderClientConfig => {
  const baseUrl = env["PAYMENT_PROVIDER_URL"]
  if (baseUrl === undefined || !/^https?:\/\//.test(baseUrl)) throw new Error(`PAYMENT_PROVIDER_URL must be an http(s) URL, got "${baseUrl}"`)
  const int = (name: string, fallback: number, min: number, max: number) => {
    const value = env[name] ? Number(env[name]) : fallback
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer in ${min}..${max}, got "${env[name]}"`)
    return value
  }
  return {
    ...defaultProviderClientConfig,
    baseUrl,
    apiKey: env["PAYMENT_PROVIDER_API_KEY"] || undefined,
    timeoutMs: int("PAYMENT_PROVIDER_TIMEOUT_MS", defaultProviderClientConfig.timeoutMs, 1, 600_000),
    maxAttempts: int("PAYMENT_PROVIDER_MAX_ATTEMPTS", defaultProviderClientConfig.maxAttempts, 1, 20)
  }
}

// Failures

export class PaymentDeclined extends Schema.TaggedError<PaymentDeclined>()("PaymentDeclined", {
  paymentId: Schema.String,
  declineCode: Schema.String,
  payment: Wire.Payment
}) {}

/** The authorization waits for the shopper (3-D-Secure-like); a webhook or a read tells the end. */
export class PaymentPending extends Schema.TaggedError<PaymentPending>()("PaymentPending", {
  paymentId: Schema.String,
  payment: Wire.Payment
}) {}

export class ProviderRejected extends Schema.TaggedError<ProviderRejected>()("ProviderRejected", {
  status: Schema.Number,
  code: Schema.String,
  message: Schema.String
}) {}

const TransportReason = Schema.Literal("timeout", "connection", "server_error", "bad_response")

export class ProviderOutcomeUnknown extends Schema.TaggedError<ProviderOutcomeUnknown>()("ProviderOutcomeUnknown", {
  reason: TransportReason,
  message: Schema.String,
  attempts: Schema.Number
}) {}

export class ProviderUnavailable extends Schema.TaggedError<ProviderUnavailable>()("ProviderUnavailable", {
  reason: TransportReason,
  message: Schema.String,
  attempts: Schema.Number
}) {}

export type WriteFailure = ProviderRejected | ProviderOutcomeUnknown
export type ReadFailure = ProviderRejected | ProviderUnavailable

export interface CardDetails {
  readonly card_number: string
  readonly exp_month: number
  readonly exp_year: number
  readonly cvc: string
}

export interface ProviderClient {
  /** For tests and demos: cards are tokenized by the shopper's device, never by our server. */
  readonly tokenize: (card: CardDetails, idempotencyKey?: string) => Effect.Effect<Wire.CardToken, WriteFailure>
  readonly getToken: (token: string) => Effect.Effect<Wire.CardToken, ReadFailure>
  /** Succeeds only with an authorized payment. */
  readonly authorize: (
    input: Wire.AuthorizeRequest,
    idempotencyKey: string
  ) => Effect.Effect<Wire.Payment, PaymentDeclined | PaymentPending | WriteFailure>
  readonly capture: (paymentId: string, amount: number | undefined, idempotencyKey: string) => Effect.Effect<Wire.Payment, WriteFailure>
  readonly voidPayment: (paymentId: string, idempotencyKey: string) => Effect.Effect<Wire.Payment, WriteFailure>
  readonly refund: (paymentId: string, amount: number | undefined, idempotencyKey: string) => Effect.Effect<Wire.RefundResult, WriteFailure>
  readonly getPayment: (paymentId: string) => Effect.Effect<Wire.Payment, ReadFailure>
  /** Every payment made with this reference, newest first: how a lost answer is reconciled. */
  readonly paymentsOfReference: (reference: string) => Effect.Effect<ReadonlyArray<Wire.Payment>, ReadFailure>
}

export class PaymentProvider extends Context.Tag("provider/PaymentProvider")<PaymentProvider, ProviderClient>() {}

/** The client over HTTP; its connections close with the scope. */
export const PaymentProviderLive = (config: ProviderClientConfig) =>
  Layer.scoped(
    PaymentProvider,
    Effect.acquireRelease(
      Effect.sync(() => makeProviderClient(config)),
      (made) => Effect.sync(() => made.close())
    ).pipe(Effect.map((made) => made.client))
  )

// Transport

interface RawAnswer {
  readonly status: number
  readonly text: string
}

interface TransportFailure {
  readonly reason: Schema.Schema.Type<typeof TransportReason>
  readonly message: string
}

const retryable = (status: number) => status === 429 || status >= 500

export const makeProviderClient = (config: ProviderClientConfig): { readonly client: ProviderClient; close(): void } => {
  const base = new URL(config.baseUrl)
  const https = base.protocol === "https:"
  const agent = https
    ? new HttpsAgent({ keepAlive: true, maxSockets: config.maxSockets })
    : new Agent({ keepAlive: true, maxSockets: config.maxSockets })
  const send = https ? httpsRequest : request
  const prefix = base.pathname.replace(/\/$/, "")

  const once = (method: string, path: string, body: string | undefined, idempotencyKey: string | undefined) =>
    Effect.async<RawAnswer, TransportFailure>((resume) => {
      let settled = false
      const finish = (result: Effect.Effect<RawAnswer, TransportFailure>) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resume(result)
      }
      const headers: Record<string, string> = { accept: "application/json" }
      if (body !== undefined) {
        headers["content-type"] = "application/json"
        headers["content-length"] = String(Buffer.byteLength(body))
      }
      if (idempotencyKey !== undefined) headers["idempotency-key"] = idempotencyKey
      if (config.apiKey !== undefined) headers["authorization"] = `Bearer ${config.apiKey}`
      const req = send({ protocol: base.protocol, hostname: base.hostname, port: base.port, path: prefix + path, method, headers, agent }, (res) => {
        const chunks: Array<Buffer> = []
        let size = 0
        res.on("data", (chunk: Buffer) => {
          size += chunk.length
          if (size > config.maxResponseBytes) {
            res.destroy()
            finish(Effect.fail({ reason: "bad_response", message: `answer exceeds ${config.maxResponseBytes} bytes` }))
            return
          }
          chunks.push(chunk)
        })
        res.once("end", () => finish(Effect.succeed({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") })))
        res.once("error", (error) => finish(Effect.fail({ reason: "connection", message: error.message })))
        res.once("close", () => {
          if (!res.complete) finish(Effect.fail({ reason: "connection", message: "the connection closed mid-answer" }))
        })
      })
      const timer = setTimeout(() => {
        req.destroy()
        finish(Effect.fail({ reason: "timeout", message: `no answer within ${config.timeoutMs} ms` }))
      }, config.timeoutMs)
      req.once("error", (error) => finish(Effect.fail({ reason: "connection", message: error.message })))
      req.end(body)
      return Effect.sync(() => {
        settled = true
        clearTimeout(timer)
        req.destroy()
      })
    })

  const backoffMs = (attempt: number) => Math.min(config.retryMaxMs, config.retryBaseMs * 2 ** (attempt - 1)) * (0.5 + Math.random())

  /** One call with bounded retries; any 2xx or non-retryable 4xx ends it. */
  const call = (method: string, path: string, body: unknown, idempotencyKey: string | undefined) => {
    const text = body === undefined ? undefined : JSON.stringify(body)
    const attempt = (n: number): Effect.Effect<RawAnswer, TransportFailure & { readonly attempts: number }> =>
      once(method, path, text, idempotencyKey).pipe(
        Effect.flatMap((raw) =>
          retryable(raw.status) ? Effect.fail<TransportFailure>({ reason: "server_error", message: `HTTP ${raw.status}: ${raw.text.slice(0, 200)}` }) : Effect.succeed(raw)
        ),
        Effect.catchAll((failure) =>
          n < config.maxAttempts ? Effect.sleep(backoffMs(n)).pipe(Effect.zipRight(attempt(n + 1))) : Effect.fail({ ...failure, attempts: n })
        )
      )
    return attempt(1)
  }

  const rejectionOf = (raw: RawAnswer): ProviderRejected => {
    try {
      const body = Schema.decodeUnknownSync(Wire.ErrorBody)(JSON.parse(raw.text))
      return new ProviderRejected({ status: raw.status, code: body.error.code, message: body.error.message })
    } catch {
      return new ProviderRejected({ status: raw.status, code: `http_${raw.status}`, message: raw.text.slice(0, 200) })
    }
  }

  const decodeAnswer = <A, I>(schema: Schema.Schema<A, I>, raw: RawAnswer): A | undefined => {
    try {
      return Schema.decodeUnknownSync(schema)(JSON.parse(raw.text))
    } catch {
      return undefined
    }
  }

  const write = <A, I>(schema: Schema.Schema<A, I>, path: string, body: unknown, idempotencyKey: string | undefined): Effect.Effect<A, WriteFailure> =>
    call("POST", path, body, idempotencyKey).pipe(
      Effect.mapError((failure) => new ProviderOutcomeUnknown(failure)),
      Effect.flatMap((raw): Effect.Effect<A, WriteFailure> => {
        if (raw.status >= 300) return Effect.fail(rejectionOf(raw))
        const value = decodeAnswer(schema, raw)
        return value === undefined
          ? Effect.fail(new ProviderOutcomeUnknown({ reason: "bad_response", message: `unexpected answer: ${raw.text.slice(0, 200)}`, attempts: 1 }))
          : Effect.succeed(value)
      })
    )

  const read = <A, I>(schema: Schema.Schema<A, I>, path: string): Effect.Effect<A, ReadFailure> =>
    call("GET", path, undefined, undefined).pipe(
      Effect.mapError((failure) => new ProviderUnavailable(failure)),
      Effect.flatMap((raw): Effect.Effect<A, ReadFailure> => {
        if (raw.status >= 300) return Effect.fail(rejectionOf(raw))
        const value = decodeAnswer(schema, raw)
        return value === undefined
          ? Effect.fail(new ProviderUnavailable({ reason: "bad_response", message: `unexpected answer: ${raw.text.slice(0, 200)}`, attempts: 1 }))
          : Effect.succeed(value)
      })
    )

  const segment = (id: string) => encodeURIComponent(id)

  const client: ProviderClient = {
    tokenize: (card, idempotencyKey) => write(Wire.CardToken, "/v1/tokens", card, idempotencyKey),
    getToken: (token) => read(Wire.CardToken, `/v1/tokens/${segment(token)}`),
    authorize: (input, idempotencyKey) =>
      write(Wire.Payment, "/v1/payments", input, idempotencyKey).pipe(
        Effect.flatMap((payment): Effect.Effect<Wire.Payment, PaymentDeclined | PaymentPending> => {
          if (payment.status === "declined") {
            return Effect.fail(new PaymentDeclined({ paymentId: payment.payment_id, declineCode: payment.decline_code ?? "card_declined", payment }))
          }
          if (payment.status === "pending") return Effect.fail(new PaymentPending({ paymentId: payment.payment_id, payment }))
          return Effect.succeed(payment)
        })
      ),
    capture: (paymentId, amount, idempotencyKey) =>
      write(Wire.Payment, `/v1/payments/${segment(paymentId)}/capture`, amount === undefined ? {} : { amount }, idempotencyKey),
    voidPayment: (paymentId, idempotencyKey) => write(Wire.Payment, `/v1/payments/${segment(paymentId)}/void`, {}, idempotencyKey),
    refund: (paymentId, amount, idempotencyKey) =>
      write(Wire.RefundResult, `/v1/payments/${segment(paymentId)}/refunds`, amount === undefined ? {} : { amount }, idempotencyKey),
    getPayment: (paymentId) => read(Wire.Payment, `/v1/payments/${segment(paymentId)}`),
    paymentsOfReference: (reference) =>
      read(Wire.PaymentList, `/v1/payments?reference=${encodeURIComponent(reference)}`).pipe(Effect.map((list) => list.data))
  }
  return { client, close: () => agent.destroy() }
}
