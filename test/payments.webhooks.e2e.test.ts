/**
 * The provider's signed webhooks into the store, over real HTTP: the simulator (its own process)
 * delivers every event twice with random delays, so events arrive late, duplicated and out of
 * order; hand-made deliveries cover what the simulator never sends (bad signatures, old
 * versions, someone else's payment). The payment actor must end where the provider is, and a
 * delivery that is late or repeated must change nothing.
 */
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { payment, type Payment } from "../actors/payments/payment.ts"
import { defaultPaymentsConfig } from "../gateway/payments/config.ts"
import { paymentSteps } from "../gateway/payments/payment-steps.ts"
import { webhookPath } from "../gateway/payments/webhook-route.ts"
import { runStore, storeSettingsFromEnv } from "../gateway/store.ts"
import { defaultProviderClientConfig, makeProviderClient, PaymentProvider } from "../provider/client.ts"
import { signWebhook } from "../provider/signature.ts"
import { cards, validCard } from "../provider/testing.ts"
import type * as Wire from "../provider/wire.ts"
import type { ActorHost } from "../runtime/host.ts"
import { Actors } from "../runtime/service.ts"
import { RestartableChild } from "./support/child.ts"
import { type Answer, call, defaultStorage, testDefaults, type TestStorage } from "./support/store.ts"

const secret = "whsec_orders_test"
const run = mkdtempSync(join(tmpdir(), "payments-webhooks-"))
const provider = new RestartableChild(
  ["--import", "tsx", "provider/main.ts"],
  {
    PROVIDER_DATA_DIR: join(run, "provider"),
    PROVIDER_FSYNC: "off",
    PROVIDER_WEBHOOK_SECRET: secret,
    PROVIDER_WEBHOOK_DELAY_MS: "0-400",
    PROVIDER_WEBHOOK_DUPLICATE_PROBABILITY: "1",
    PROVIDER_WEBHOOK_RETRY_BASE_MS: "100"
  },
  join(run, "provider.log.txt")
)
const steps = paymentSteps(defaultPaymentsConfig)
const newId = (prefix: string) => `${prefix}_${randomBytes(16).toString("base64url")}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("provider webhooks into the store", () => {
  let storage: TestStorage
  let providerUrl = ""
  let base = ""
  let host: ActorHost
  let scope: Scope.CloseableScope
  let client: ReturnType<typeof makeProviderClient>

  const onStore = <A, E>(effect: Effect.Effect<A, E, Actors | PaymentProvider>) =>
    Effect.runPromise(effect.pipe(Effect.provideService(Actors, host), Effect.provideService(PaymentProvider, client.client)))
  const paymentOf = (id: string) => host.ask<Payment>(payment, id, { _tag: "Get" })
  const providerRecord = async (providerPaymentId: string) => Effect.runPromise(client.client.getPayment(providerPaymentId))
  const settle = async (providerPaymentId: string, outcome: "authorized" | "declined") => {
    const res = await fetch(`${providerUrl}/v1/test/payments/${providerPaymentId}/settle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome })
    })
    expect(res.status).toBe(200)
  }
  const deliver = (event: unknown, options: { signWith?: string; atSeconds?: number; header?: string | null } = {}): Promise<Answer> => {
    const text = JSON.stringify(event)
    const header = options.header === undefined ? signWebhook(options.signWith ?? secret, options.atSeconds ?? Math.floor(Date.now() / 1000), text) : options.header
    return call(base, "POST", webhookPath, { body: event, headers: header === null ? {} : { "provider-signature": header } })
  }
  const eventOf = (record: Wire.Payment, type = "payment.authorized") => ({ id: newId("evt"), type, created_at: new Date().toISOString(), data: { payment: record } })
  const waitFor = async (what: string, check: () => Promise<boolean>) => {
    const deadline = Date.now() + 20_000
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
      await sleep(50)
    }
  }
  const pendingPayment = async () => {
    const token = (await Effect.runPromise(client.client.tokenize(validCard(cards.pending)))).token
    const input = { payment_id: newId("pay"), reference: newId("co"), user_id: newId("u"), amount: 7_500, currency: "INR", method: "card" as const, token }
    const outcome = await onStore(steps.authorize(input))
    expect(outcome).toMatchObject({ _tag: "Pending", payment: { status: "pending" } })
    return outcome.payment
  }

  beforeAll(async () => {
    const port = await provider.start(60_000)
    providerUrl = `http://127.0.0.1:${port}`
    client = makeProviderClient({ ...defaultProviderClientConfig, baseUrl: providerUrl, retryBaseMs: 20 })
    storage = await defaultStorage()
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries({ ...testDefaults, ...storage.env })) if (v !== undefined) env[k] = v
    Object.assign(env, { PAYMENT_PROVIDER_URL: providerUrl, PAYMENT_WEBHOOK_SECRETS: `whsec_old,${secret}` })
    scope = Effect.runSync(Scope.make())
    const started = await Effect.runPromise(Scope.extend(runStore(storeSettingsFromEnv(env)), scope))
    host = started.host
    base = `http://127.0.0.1:${started.port}`
    const pointed = await fetch(`${providerUrl}/v1/test/settings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ webhook_url: `${base}${webhookPath}` })
    })
    expect(pointed.status).toBe(200)
  }, 120_000)

  afterAll(async () => {
    if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
    client?.close()
    await provider.stop()
    await storage?.cleanup()
    rmSync(run, { recursive: true, force: true })
  })

  it("a pending authorization settled at the provider reaches the payment by webhook alone, delivered twice, late and out of order", async () => {
    const pending = await pendingPayment()
    await settle(pending.provider_payment_id!, "authorized")
    await waitFor("the authorization webhook", async () => (await paymentOf(pending.payment_id)).status === "authorized")
    // Capture and a partial refund: their webhooks (and the duplicates of all of them) race the step's own records.
    expect(await onStore(steps.capture(pending.payment_id))).toMatchObject({ _tag: "Done" })
    expect(await onStore(steps.refund(pending.payment_id, "rf_1", 2_500))).toMatchObject({ _tag: "Done" })
    const record = await providerRecord(pending.provider_payment_id!)
    await waitFor("every webhook applied", async () => (await paymentOf(pending.payment_id)).provider_version === record.version)
    await sleep(900) // the duplicates, delayed up to 400 ms each
    expect(await paymentOf(pending.payment_id)).toMatchObject({
      status: "partially_refunded",
      authorized_amount: 7_500,
      captured_amount: 7_500,
      refunded_amount: 2_500,
      provider_version: record.version,
      refunds: [{ refund_id: "rf_1", status: "succeeded" }]
    })
  })

  it("a decline settled at the provider fails the payment by webhook", async () => {
    const pending = await pendingPayment()
    await settle(pending.provider_payment_id!, "declined")
    await waitFor("the decline webhook", async () => (await paymentOf(pending.payment_id)).status === "failed")
  })

  it("signed deliveries only; a repeated or older event changes nothing; events about other payments are acknowledged and ignored", async () => {
    const pending = await pendingPayment()
    const asPending = await providerRecord(pending.provider_payment_id!)
    await settle(pending.provider_payment_id!, "authorized")
    const asAuthorized = await providerRecord(pending.provider_payment_id!)
    const event = eventOf(asAuthorized)

    const missing = await deliver(event, { header: null })
    expect([missing.status, (missing.json as { error: { code: string } }).error.code]).toEqual([401, "invalid_signature"])
    expect((await deliver(event, { signWith: "whsec_wrong" })).status).toBe(401)
    expect((await deliver(event, { atSeconds: Math.floor(Date.now() / 1000) - 3_600 })).status).toBe(401)
    expect((await deliver(event, { header: "t=1,v1=zz" })).status).toBe(401)
    expect((await deliver({ hello: "world" })).status).toBe(422)

    // Signed with the old secret of a rotation: accepted.
    const first = await deliver(event, { signWith: "whsec_old" })
    expect(first.status, first.text).toBe(200)
    expect((await paymentOf(pending.payment_id)).status).toBe("authorized")
    const again = await deliver(event)
    expect(again.json).toMatchObject({ received: true, applied: false, payment_status: "authorized" })
    // An older version under a new event id: late, so ignored.
    const late = await deliver(eventOf(asPending, "payment.pending"))
    expect(late.json).toMatchObject({ applied: false, payment_status: "authorized" })
    expect(await paymentOf(pending.payment_id)).toMatchObject({ status: "authorized", provider_version: asAuthorized.version })

    const foreign = await deliver(eventOf({ ...asAuthorized, reference: "order-42-of-another-shop" }))
    expect(foreign.json).toEqual({ received: true, applied: false, payment_status: null })
    const unknown = await deliver(eventOf({ ...asAuthorized, reference: newId("pay") }))
    expect(unknown.json).toEqual({ received: true, applied: false, payment_status: null })
    const mismatch = await deliver(eventOf({ ...asAuthorized, payment_id: "pp_someone_else", version: asAuthorized.version + 5 }))
    expect([mismatch.status, (mismatch.json as { error: { code: string } }).error.code]).toEqual([422, "webhook_refused"])
    expect(await paymentOf(pending.payment_id)).toMatchObject({ status: "authorized", provider_version: asAuthorized.version })
  })
})
