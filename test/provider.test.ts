/**
 * The payment-provider simulator and our client over real HTTP on loopback: every test card,
 * tokenization checks, authorize/capture/void/refund rules, idempotency (replay, 422 on another
 * body, concurrent requests with one key charging once), the client's typed failures, retries
 * with the same key after an error or a dropped connection, timeouts reconciled by reference,
 * injected latency and errors, and clear 4xx answers for bad input.
 */
import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  defaultProviderClientConfig,
  PaymentDeclined,
  PaymentPending,
  PaymentProvider,
  PaymentProviderLive,
  ProviderOutcomeUnknown,
  ProviderRejected,
  ProviderUnavailable
} from "../provider/client.ts"
import { ProviderState } from "../provider/state.ts"
import { cards, exitOf, failureOf, startTestProvider, type TestProvider, validCard } from "../provider/testing.ts"
import type { Payment } from "../provider/wire.ts"

let provider: TestProvider

beforeAll(async () => {
  provider = await startTestProvider({ slowCardDelayMs: 3_000 })
})
afterAll(async () => {
  await provider?.dispose()
})

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const key = () => `key-${randomUUID()}`

interface Raw {
  readonly status: number
  readonly json: { error?: { code: string; message: string; details: Record<string, unknown> } } & Record<string, unknown>
  readonly headers: Headers
}

const http = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Raw> => {
  const res = await fetch(provider.url + path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) })
  })
  const text = await res.text()
  return { status: res.status, json: text === "" ? {} : JSON.parse(text), headers: res.headers }
}

const expectError = (res: Raw, status: number, code: string) => {
  expect(res.status, JSON.stringify(res.json)).toBe(status)
  expect(res.json.error?.code, JSON.stringify(res.json)).toBe(code)
  expect(typeof res.json.error?.message).toBe("string")
}

const tokenOf = async (number: string) => (await run(provider.client.tokenize(validCard(number)))).token

const authorize = async (number: string, amount = 10_000, reference = `chk_${randomUUID()}`) => {
  const token = await tokenOf(number)
  return { reference, token, exit: await exitOf(provider.client.authorize({ token, amount, currency: "INR", reference }, key())) }
}

const authorized = async (amount = 10_000) => {
  const { exit } = await authorize(cards.approve, amount)
  if (exit._tag !== "Success") throw new Error("authorization failed")
  return exit.value
}

describe("tokenization", () => {
  it("answers 201 with brand, last4 and a fingerprint that is the same for the same card", async () => {
    const first = await http("POST", "/v1/tokens", validCard(cards.approve))
    expect(first.status).toBe(201)
    expect(first.json).toMatchObject({ brand: "visa", last4: "4242" })
    expect(String(first.json["token"])).toMatch(/^tok_/)
    const again = await run(provider.client.tokenize(validCard(cards.approve)))
    expect(again.token).not.toBe(first.json["token"])
    expect(again.fingerprint).toBe(first.json["fingerprint"])
    const other = await run(provider.client.tokenize(validCard(cards.mastercard)))
    expect(other.brand).toBe("mastercard")
    expect(other.fingerprint).not.toBe(again.fingerprint)
    expect((await run(provider.client.tokenize(validCard(cards.amex)))).brand).toBe("amex")
    expect((await run(provider.client.getToken(again.token))).last4).toBe("4242")
  })

  it("refuses bad cards with a 400 naming the problem, never echoing the number", async () => {
    const year = new Date().getUTCFullYear()
    const cases: Array<[unknown, string]> = [
      [{ ...validCard(cards.approve), card_number: "4242424242424241" }, "invalid_number"],
      [{ ...validCard(cards.approve), card_number: "4242" }, "invalid_number"],
      [{ ...validCard(cards.approve), card_number: "4242-4242-4242-4242" }, "invalid_number"],
      [{ ...validCard(cards.approve), exp_month: 13 }, "invalid_expiry"],
      [{ ...validCard(cards.approve), exp_year: year + 50 }, "invalid_expiry"],
      [{ ...validCard(cards.approve), exp_year: year - 1 }, "expired_card"],
      [{ ...validCard(cards.approve), cvc: "12" }, "invalid_cvc"],
      [{ ...validCard(cards.amex), cvc: "123" }, "invalid_cvc"],
      [{ ...validCard(cards.approve), card_number: 4242424242424242 }, "invalid_request"],
      [{ ...validCard(cards.approve), extra: true }, "invalid_request"],
      [{ exp_month: 1, exp_year: year + 1, cvc: "123" }, "invalid_request"]
    ]
    for (const [body, code] of cases) {
      const res = await http("POST", "/v1/tokens", body)
      expectError(res, 400, code)
      expect(JSON.stringify(res.json)).not.toContain("4242424242424242")
    }
    // This month's card is still valid.
    const now = new Date()
    const current = await http("POST", "/v1/tokens", { ...validCard(cards.approve), exp_month: now.getUTCMonth() + 1, exp_year: now.getUTCFullYear() })
    expect(current.status).toBe(201)
  })
})

describe("test cards", () => {
  it("4242424242424242 authorizes", async () => {
    const { exit, reference } = await authorize(cards.approve, 12_345)
    expect(exit._tag).toBe("Success")
    const payment = (exit as { value: Payment }).value
    expect(payment).toMatchObject({ status: "authorized", amount: 12_345, currency: "INR", reference, amount_captured: 0, version: 1 })
    expect(payment.card.last4).toBe("4242")
  })

  it("4000000000000002 is declined with card_declined, 4000000000009995 with insufficient_funds", async () => {
    for (const [number, code] of [
      [cards.decline, "card_declined"],
      [cards.insufficientFunds, "insufficient_funds"]
    ] as const) {
      const { exit, reference } = await authorize(number)
      const failure = failureOf(exit)
      expect(failure).toBeInstanceOf(PaymentDeclined)
      expect((failure as PaymentDeclined).declineCode).toBe(code)
      // The declined payment exists at the provider and can be read back.
      const [stored] = await run(provider.client.paymentsOfReference(reference))
      expect(stored).toMatchObject({ status: "declined", decline_code: code, payment_id: (failure as PaymentDeclined).paymentId })
    }
  })

  it("4000000000003220 stays pending until the simulator is told to settle it", async () => {
    const { exit } = await authorize(cards.pending)
    const failure = failureOf(exit)
    expect(failure).toBeInstanceOf(PaymentPending)
    const paymentId = (failure as PaymentPending).paymentId
    expect((await run(provider.client.getPayment(paymentId))).status).toBe("pending")
    // A pending payment cannot be captured.
    const capture = failureOf(await exitOf(provider.client.capture(paymentId, undefined, key())))
    expect(capture).toMatchObject({ _tag: "ProviderRejected", status: 409, code: "payment_not_capturable" })
    const settled = await http("POST", `/v1/test/payments/${paymentId}/settle`, { outcome: "authorized" })
    expect(settled.status).toBe(200)
    expect(settled.json).toMatchObject({ status: "authorized", version: 2 })
    expectError(await http("POST", `/v1/test/payments/${paymentId}/settle`, { outcome: "declined" }), 409, "payment_not_pending")
    expect((await run(provider.client.capture(paymentId, undefined, key()))).status).toBe("captured")

    const second = failureOf((await authorize(cards.pending)).exit) as PaymentPending
    const declined = await http("POST", `/v1/test/payments/${second.paymentId}/settle`, { outcome: "declined", decline_code: "authentication_failed" })
    expect(declined.json).toMatchObject({ status: "declined", decline_code: "authentication_failed" })
    expectError(await http("POST", `/v1/test/payments/${second.paymentId}/settle`, { outcome: "maybe" }), 400, "invalid_request")
  })

  it("4000000000000259 answers late: the client times out with an unknown outcome and reconciles by reference", async () => {
    const slowClient = provider.clientWith({ timeoutMs: 300, maxAttempts: 2 })
    const token = await tokenOf(cards.slow)
    const reference = `chk_${randomUUID()}`
    const started = Date.now()
    const exit = await exitOf(slowClient.authorize({ token, amount: 5_000, currency: "INR", reference }, key()))
    const failure = failureOf(exit)
    expect(failure).toBeInstanceOf(ProviderOutcomeUnknown)
    expect(failure).toMatchObject({ reason: "timeout", attempts: 2 })
    expect(Date.now() - started).toBeLessThan(2_500)
    // The authorization did happen, once, although two attempts were made.
    const found = await run(slowClient.paymentsOfReference(reference))
    expect(found.map((p) => p.status)).toEqual(["authorized"])
    // A patient client gets the answer.
    const patient = provider.clientWith({ timeoutMs: 5_000 })
    const late = await run(patient.authorize({ token, amount: 5_000, currency: "INR", reference: `chk_${randomUUID()}` }, key()))
    expect(late.status).toBe("authorized")
  })

  it("4000000000000119 charges and answers 500; the client's retry with the same key gets the authorization, charged once", async () => {
    const token = await tokenOf(cards.errorAfterCharge)
    const reference = `chk_${randomUUID()}`
    const idempotencyKey = key()
    const raw = await http("POST", "/v1/payments", { token, amount: 700, currency: "INR", reference }, { "idempotency-key": idempotencyKey })
    expectError(raw, 500, "internal")
    const payment = await run(provider.client.authorize({ token, amount: 700, currency: "INR", reference }, idempotencyKey))
    expect(payment.status).toBe("authorized")
    expect((await run(provider.client.paymentsOfReference(reference))).map((p) => p.payment_id)).toEqual([payment.payment_id])

    // Through the client alone: the first attempt sees the 500, the retry the real answer.
    const reference2 = `chk_${randomUUID()}`
    const viaClient = await run(provider.client.authorize({ token, amount: 700, currency: "INR", reference: reference2 }, key()))
    expect(viaClient.status).toBe("authorized")
    expect(await run(provider.client.paymentsOfReference(reference2))).toHaveLength(1)
  })

  it("4000000000000127 charges and drops the connection; the retry gets the authorization, charged once", async () => {
    const token = await tokenOf(cards.dropAfterCharge)
    const reference = `chk_${randomUUID()}`
    const payment = await run(provider.client.authorize({ token, amount: 900, currency: "INR", reference }, key()))
    expect(payment.status).toBe("authorized")
    expect(await run(provider.client.paymentsOfReference(reference))).toHaveLength(1)
    // Without retries the caller learns only that the outcome is unknown.
    const once = provider.clientWith({ maxAttempts: 1 })
    const reference2 = `chk_${randomUUID()}`
    const failure = failureOf(await exitOf(once.authorize({ token, amount: 900, currency: "INR", reference: reference2 }, key())))
    expect(failure).toMatchObject({ _tag: "ProviderOutcomeUnknown", reason: "connection", attempts: 1 })
    expect((await run(once.paymentsOfReference(reference2))).map((p) => p.status)).toEqual(["authorized"])
  })
})

describe("capture, void and refund", () => {
  it("captures in full once; a second capture is 409", async () => {
    const payment = await authorized(10_000)
    const captured = await run(provider.client.capture(payment.payment_id, undefined, key()))
    expect(captured).toMatchObject({ status: "captured", amount_captured: 10_000, version: 2 })
    const again = failureOf(await exitOf(provider.client.capture(payment.payment_id, undefined, key())))
    expect(again).toMatchObject({ _tag: "ProviderRejected", status: 409, code: "payment_not_capturable" })
  })

  it("captures part of an authorization, never more than it", async () => {
    const payment = await authorized(10_000)
    const over = failureOf(await exitOf(provider.client.capture(payment.payment_id, 10_001, key())))
    expect(over).toMatchObject({ status: 422, code: "amount_exceeds_authorized" })
    const partial = await run(provider.client.capture(payment.payment_id, 6_000, key()))
    expect(partial).toMatchObject({ status: "captured", amount: 10_000, amount_captured: 6_000 })
    // Refunds are bounded by what was captured, not what was authorized.
    const refund = failureOf(await exitOf(provider.client.refund(payment.payment_id, 6_001, key())))
    expect(refund).toMatchObject({ status: 422, code: "refund_exceeds_captured" })
  })

  it("voids an authorization; a voided payment cannot be captured or refunded", async () => {
    const payment = await authorized()
    expect((await run(provider.client.voidPayment(payment.payment_id, key()))).status).toBe("voided")
    expect(failureOf(await exitOf(provider.client.capture(payment.payment_id, undefined, key())))).toMatchObject({ code: "payment_not_capturable" })
    expect(failureOf(await exitOf(provider.client.refund(payment.payment_id, undefined, key())))).toMatchObject({ code: "payment_not_refundable" })
    expect(failureOf(await exitOf(provider.client.voidPayment(payment.payment_id, key())))).toMatchObject({ status: 409, code: "payment_not_voidable" })
  })

  it("refunds partially and in full, never above what was captured; a refund is idempotent by key", async () => {
    const payment = await authorized(10_000)
    await run(provider.client.capture(payment.payment_id, 8_000, key()))
    const refundKey = key()
    const first = await run(provider.client.refund(payment.payment_id, 3_000, refundKey))
    expect(first.payment).toMatchObject({ status: "partially_refunded", amount_refunded: 3_000 })
    const replay = await run(provider.client.refund(payment.payment_id, 3_000, refundKey))
    expect(replay.refund.refund_id).toBe(first.refund.refund_id)
    expect((await run(provider.client.getPayment(payment.payment_id))).amount_refunded).toBe(3_000)
    expect(failureOf(await exitOf(provider.client.refund(payment.payment_id, 5_001, key())))).toMatchObject({
      status: 422,
      code: "refund_exceeds_captured"
    })
    const rest = await run(provider.client.refund(payment.payment_id, undefined, key()))
    expect(rest.refund.amount).toBe(5_000)
    expect(rest.payment).toMatchObject({ status: "refunded", amount_refunded: 8_000 })
    expect(rest.payment.refunds).toHaveLength(2)
    expect(failureOf(await exitOf(provider.client.refund(payment.payment_id, 1, key())))).toMatchObject({ code: "payment_not_refundable" })
  })

  it("many concurrent refunds on one payment never exceed the captured amount", async () => {
    const payment = await authorized(10_000)
    await run(provider.client.capture(payment.payment_id, 10_000, key()))
    const exits = await Promise.all(Array.from({ length: 30 }, () => exitOf(provider.client.refund(payment.payment_id, 700, key()))))
    const succeeded = exits.filter((exit) => exit._tag === "Success").length
    expect(succeeded).toBe(14)
    const final = await run(provider.client.getPayment(payment.payment_id))
    expect(final.amount_refunded).toBe(9_800)
    for (const exit of exits) if (exit._tag === "Failure") expect(failureOf(exit)).toMatchObject({ code: "refund_exceeds_captured" })
  })
})

describe("idempotency", () => {
  it("replays the same answer for the same key and body, 422 for another body or path", async () => {
    const token = await tokenOf(cards.approve)
    const body = { token, amount: 4_200, currency: "INR", reference: `chk_${randomUUID()}` }
    const idempotencyKey = key()
    const first = await http("POST", "/v1/payments", body, { "idempotency-key": idempotencyKey })
    expect(first.status).toBe(201)
    // Same body with keys in another order and other whitespace is the same request.
    const reordered = `{ "reference": ${JSON.stringify(body.reference)}, "currency": "INR", "amount": 4200, "token": "${token}" }`
    const replay = await http("POST", "/v1/payments", reordered, { "idempotency-key": idempotencyKey })
    expect(replay.status).toBe(201)
    expect(replay.json).toEqual(first.json)
    expect(replay.headers.get("idempotent-replayed")).toBe("true")
    expectError(await http("POST", "/v1/payments", { ...body, amount: 4_201 }, { "idempotency-key": idempotencyKey }), 422, "idempotency_key_reused")
    const paymentId = String(first.json["payment_id"])
    expectError(await http("POST", `/v1/payments/${paymentId}/void`, {}, { "idempotency-key": idempotencyKey }), 422, "idempotency_key_reused")
    expect(await run(provider.client.paymentsOfReference(body.reference))).toHaveLength(1)
    // Through the client, a reused key with another body is a typed rejection.
    const reused = failureOf(await exitOf(provider.client.authorize({ ...body, amount: 1 }, idempotencyKey)))
    expect(reused).toBeInstanceOf(ProviderRejected)
    expect(reused).toMatchObject({ status: 422, code: "idempotency_key_reused" })
  })

  it("concurrent requests with one key charge once and all get the same answer", async () => {
    const token = await tokenOf(cards.approve)
    const reference = `chk_${randomUUID()}`
    const idempotencyKey = key()
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        http("POST", "/v1/payments", { token, amount: 999, currency: "INR", reference }, { "idempotency-key": idempotencyKey })
      )
    )
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]))
    expect(new Set(answers.map((a) => a.json["payment_id"])).size).toBe(1)
    expect(await run(provider.client.paymentsOfReference(reference))).toHaveLength(1)

    const payment = answers[0]!.json["payment_id"] as string
    const captureKey = key()
    const captures = await Promise.all(Array.from({ length: 10 }, () => exitOf(provider.client.capture(payment, 500, captureKey))))
    expect(captures.every((exit) => exit._tag === "Success")).toBe(true)
    expect((await run(provider.client.getPayment(payment))).version).toBe(2)
  })

  it("stores rejections too: the same key keeps answering the same 409 after the state changed", async () => {
    const payment = await authorized()
    const captureKey = key()
    await run(provider.client.voidPayment(payment.payment_id, key()))
    const first = await http("POST", `/v1/payments/${payment.payment_id}/capture`, {}, { "idempotency-key": captureKey })
    expectError(first, 409, "payment_not_capturable")
    const again = await http("POST", `/v1/payments/${payment.payment_id}/capture`, {}, { "idempotency-key": captureKey })
    expect(again.json).toEqual(first.json)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
  })

  it("tokenization honours the key without storing the card: same key and card → same token", async () => {
    const idempotencyKey = key()
    const first = await run(provider.client.tokenize(validCard(cards.approve), idempotencyKey))
    const again = await run(provider.client.tokenize(validCard(cards.approve), idempotencyKey))
    expect(again.token).toBe(first.token)
    const other = failureOf(await exitOf(provider.client.tokenize(validCard(cards.mastercard), idempotencyKey)))
    expect(other).toMatchObject({ status: 422, code: "idempotency_key_reused" })
  })
})

describe("bad input and limits", () => {
  it("answers clear 4xx in the error shape", async () => {
    const token = await tokenOf(cards.approve)
    const good = { token, amount: 100, currency: "INR", reference: "chk_x" }
    expectError(await http("POST", "/v1/payments", "{not json"), 400, "invalid_json")
    for (const bad of [
      { ...good, amount: 0 },
      { ...good, amount: 1.5 },
      { ...good, amount: -3 },
      { ...good, amount: "100" },
      { ...good, currency: "inr" },
      { ...good, reference: "" },
      { ...good, reference: "r".repeat(201) },
      { ...good, token: "nope" },
      { ...good, surprise: 1 },
      { amount: 100 },
      [],
      null
    ]) {
      expectError(await http("POST", "/v1/payments", bad), 400, "invalid_request")
    }
    expectError(await http("POST", "/v1/payments", { ...good, token: "tok_doesnotexist" }), 404, "token_not_found")
    expectError(await http("GET", "/v1/payments/pay_doesnotexist"), 404, "not_found")
    expectError(await http("GET", "/v1/payments/../../etc"), 404, "not_found")
    expectError(await http("POST", "/v1/payments/pay_doesnotexist/capture", {}), 404, "not_found")
    expectError(await http("GET", "/v1/payments"), 400, "invalid_request")
    expectError(await http("GET", "/v1/nowhere"), 404, "not_found")
    const wrongMethod = await http("DELETE", "/v1/payments")
    expectError(wrongMethod, 405, "method_not_allowed")
    expect(wrongMethod.headers.get("allow")).toBe("GET, POST")
    const payment = await authorized()
    expectError(await http("POST", `/v1/payments/${payment.payment_id}/capture`, { amount: 10, extra: 1 }), 400, "invalid_request")
    expectError(await http("POST", `/v1/payments/${payment.payment_id}/void`, { amount: 1 }), 400, "invalid_request")
    expectError(await http("POST", `/v1/payments/${payment.payment_id}/refunds`, { amount: 0 }), 400, "invalid_request")
    expectError(await http("POST", "/v1/payments", good, { "idempotency-key": "k".repeat(256) }), 400, "invalid_request")
    expectError(await http("GET", `/v1/payments?reference=${"x".repeat(9000)}`), 414, "uri_too_long")
    expect(failureOf(await exitOf(provider.client.getPayment("pay_missing")))).toMatchObject({ _tag: "ProviderRejected", status: 404 })
  })

  it("refuses a body over the limit with 413", async () => {
    const res = await http("POST", "/v1/payments", { pad: "x".repeat(20_000) })
    expectError(res, 413, "payload_too_large")
  })

  it("requires the API key when one is configured", async () => {
    const locked = await startTestProvider({ apiKey: "sk_test_secret" })
    try {
      const res = await fetch(`${locked.url}/v1/tokens`, { method: "POST", body: JSON.stringify(validCard(cards.approve)) })
      expect(res.status).toBe(401)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthenticated")
      expect(failureOf(await exitOf(locked.client.tokenize(validCard(cards.approve))))).toMatchObject({ status: 401 })
      const keyed = locked.clientWith({ apiKey: "sk_test_secret" })
      expect((await run(keyed.tokenize(validCard(cards.approve)))).last4).toBe("4242")
    } finally {
      await locked.dispose()
    }
  })

  it("answers 503 beyond its capacity of tokens", async () => {
    const small = await startTestProvider({ maxTokens: 2 })
    try {
      await run(small.client.tokenize(validCard(cards.approve)))
      await run(small.client.tokenize(validCard(cards.approve)))
      const third = failureOf(await exitOf(small.clientWith({ maxAttempts: 1 }).tokenize(validCard(cards.approve))))
      expect(third).toMatchObject({ _tag: "ProviderOutcomeUnknown", reason: "server_error" })
    } finally {
      await small.dispose()
    }
  })
})

describe("more limits", () => {
  it("answers 503 past the requests in flight it takes", async () => {
    const busy = await startTestProvider({ maxInFlight: 2, slowCardDelayMs: 1_000 })
    try {
      const token = (await run(busy.client.tokenize(validCard(cards.slow)))).token
      const patient = busy.clientWith({ timeoutMs: 5_000 })
      const slow = [1, 2].map((i) => exitOf(patient.authorize({ token, amount: 1, currency: "INR", reference: `s${i}` }, key())))
      await new Promise((resolve) => setTimeout(resolve, 300))
      const res = await fetch(`${busy.url}/v1/payments/pay_x`)
      expect(res.status).toBe(503)
      expect(res.headers.get("retry-after")).toBe("1")
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unavailable")
      expect((await Promise.all(slow)).every((exit) => exit._tag === "Success")).toBe(true)
    } finally {
      await busy.dispose()
    }
  })

  it("answers 503 past its capacity of idempotency keys, and forgets keys past their retention", async () => {
    const small = await startTestProvider({ maxIdempotencyKeys: 1 })
    try {
      const once = small.clientWith({ maxAttempts: 1 })
      await run(once.tokenize(validCard(cards.approve), key()))
      expect(failureOf(await exitOf(once.tokenize(validCard(cards.approve), key())))).toMatchObject({ reason: "server_error" })
      // Without a key there is nothing to remember.
      expect((await run(once.tokenize(validCard(cards.approve)))).last4).toBe("4242")
    } finally {
      await small.dispose()
    }
    const state = new ProviderState()
    for (const [key, at] of [["old", 1_000], ["newer", 5_000]] as const) {
      state.apply({ t: "commit", answer: { key, request_hash: "h", status: 200, body: {}, at_ms: at } })
    }
    state.pruneAnswers(2_000)
    expect([...state.answers.keys()]).toEqual(["newer"])
  })

  it("serves no test routes when they are turned off", async () => {
    const production = await startTestProvider({ testRoutes: false })
    try {
      const res = await fetch(`${production.url}/v1/test/settings`, { method: "POST", body: "{}" })
      expect(res.status).toBe(404)
    } finally {
      await production.dispose()
    }
  })
})

describe("the client as an Effect layer", () => {
  it("provides PaymentProvider and closes its connections with the scope", async () => {
    const program = Effect.gen(function* () {
      const payments = yield* PaymentProvider
      const token = yield* payments.tokenize(validCard(cards.approve))
      const payment = yield* payments.authorize({ token: token.token, amount: 250, currency: "INR", reference: `chk_${randomUUID()}` }, key())
      const captured = yield* payments.capture(payment.payment_id, undefined, key())
      const refunded = yield* payments.refund(payment.payment_id, 50, key())
      return { captured, refunded }
    })
    const { captured, refunded } = await Effect.runPromise(
      program.pipe(Effect.provide(PaymentProviderLive({ ...defaultProviderClientConfig, baseUrl: provider.url })), Effect.scoped)
    )
    expect(captured.status).toBe("captured")
    expect(refunded.payment).toMatchObject({ status: "partially_refunded", amount_refunded: 50 })
  })
})

describe("client against a failing or absent provider", () => {
  it("a provider that is down: writes end with an unknown outcome, reads as unavailable, after bounded retries", async () => {
    const gone = await startTestProvider()
    const client = gone.clientWith({ maxAttempts: 3, retryBaseMs: 10, timeoutMs: 500 })
    const token = await run(client.tokenize(validCard(cards.approve)))
    await gone.dispose()
    const started = Date.now()
    const write = failureOf(await exitOf(client.authorize({ token: token.token, amount: 1, currency: "INR", reference: "r" }, key())))
    expect(write).toBeInstanceOf(ProviderOutcomeUnknown)
    expect(write).toMatchObject({ reason: "connection", attempts: 3 })
    const read = failureOf(await exitOf(client.getPayment("pay_x")))
    expect(read).toBeInstanceOf(ProviderUnavailable)
    expect(Date.now() - started).toBeLessThan(3_000)
  })

  it("injected 503s before anything happens are retried with the same key; injected errors after commit never double-charge", async () => {
    const flaky = await startTestProvider({ errorRate: 0.3, errorAfterCommitRate: 0.3, seed: 7 })
    try {
      const client = flaky.clientWith({ maxAttempts: 10, retryBaseMs: 1, retryMaxMs: 5 })
      const token = (await run(client.tokenize(validCard(cards.approve)))).token
      const references = Array.from({ length: 40 }, () => `chk_${randomUUID()}`)
      const exits = await Promise.all(references.map((reference) => exitOf(client.authorize({ token, amount: 100, currency: "INR", reference }, key()))))
      expect(exits.filter((exit) => exit._tag === "Success").length).toBeGreaterThanOrEqual(38)
      for (const reference of references) expect((await run(client.paymentsOfReference(reference))).length).toBeLessThanOrEqual(1)
      const stats = (await (await fetch(`${flaky.url}/v1/test/stats`)).json()) as { payments: number }
      expect(stats.payments).toBeLessThanOrEqual(40)
    } finally {
      await flaky.dispose()
    }
  })

  it("injects latency in the configured range", async () => {
    const slow = await startTestProvider({ latency: { minMs: 20, maxMs: 50 } })
    try {
      const token = (await run(slow.client.tokenize(validCard(cards.approve)))).token
      const durations: Array<number> = []
      for (let i = 0; i < 10; i++) {
        const started = performance.now()
        await run(slow.client.authorize({ token, amount: 100, currency: "INR", reference: `r${i}` }, key()))
        durations.push(performance.now() - started)
      }
      expect(Math.min(...durations)).toBeGreaterThanOrEqual(19)
      expect(Math.max(...durations)).toBeLessThan(1_000)
      // The test route changes it at run time.
      const changed = await fetch(`${slow.url}/v1/test/settings`, { method: "POST", body: JSON.stringify({ latency_ms: "0" }) })
      expect(((await changed.json()) as { latency_ms: string }).latency_ms).toBe("0-0")
      const bad = await fetch(`${slow.url}/v1/test/settings`, { method: "POST", body: JSON.stringify({ latency_ms: "fast" }) })
      expect(bad.status).toBe(400)
    } finally {
      await slow.dispose()
    }
  })
})
