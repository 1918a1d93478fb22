/**
 * The simulator's webhooks against a real receiver on loopback: every delivery is signed and
 * verifies; deliveries come late, twice and out of order (seeded), and `WebhookInbox` sorts
 * them into new, duplicate and stale so the last word per payment is its newest version; a
 * failing receiver gets retries with backoff up to the bound; undelivered events survive a
 * restart; the queue is bounded. The verifier refuses tampered, foreign, stale and malformed
 * deliveries.
 */
import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { signWebhook } from "../provider/signature.ts"
import { cards, eventually, exitOf, failureOf, startTestProvider, startWebhookReceiver, type TestProvider, validCard } from "../provider/testing.ts"
import { type InboxVerdict, verifyWebhook, WebhookInbox, WebhookRejected } from "../provider/webhook-verifier.ts"
import type { WebhookEvent } from "../provider/wire.ts"

const secret = "whsec_test_secret"
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const key = () => `key-${randomUUID()}`

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

const setUp = async (overrides: Parameters<typeof startTestProvider>[0] = {}) => {
  const receiver = await startWebhookReceiver()
  const provider = await startTestProvider({ webhookUrl: receiver.url, webhookSecret: secret, ...overrides })
  cleanups.push(() => receiver.close(), () => provider.dispose())
  return { receiver, provider }
}

const verified = (header: string | undefined, body: string) => run(verifyWebhook({ secrets: [secret] }, header, body))

/** Authorize, capture 60 %, refund 10 %: three events per payment. */
const lifecycle = async (provider: TestProvider, token: string) => {
  const payment = await run(provider.client.authorize({ token, amount: 1_000, currency: "INR", reference: `chk_${randomUUID()}` }, key()))
  await run(provider.client.capture(payment.payment_id, 600, key()))
  await run(provider.client.refund(payment.payment_id, 100, key()))
  return payment.payment_id
}

describe("webhook delivery", () => {
  it("sends one signed event per change, each verifying against the shared secret", async () => {
    const { receiver, provider } = await setUp({ webhookDelay: { minMs: 0, maxMs: 0 }, webhookDuplicateProbability: 0 })
    const token = (await run(provider.client.tokenize(validCard(cards.approve)))).token
    const paymentId = await lifecycle(provider, token)
    const declined = await exitOf(
      provider.client.authorize({ token: (await run(provider.client.tokenize(validCard(cards.decline)))).token, amount: 5, currency: "INR", reference: "d" }, key())
    )
    expect(failureOf(declined)?._tag).toBe("PaymentDeclined")
    await eventually(() => receiver.received.length >= 4, 5_000, "4 deliveries")
    const events = await Promise.all(receiver.received.map((delivery) => verified(delivery.header, delivery.body)))
    const ofPayment = events.filter((event) => event.data.payment.payment_id === paymentId).sort((a, b) => a.data.payment.version - b.data.payment.version)
    expect(ofPayment.map((event) => event.type)).toEqual(["payment.authorized", "payment.captured", "payment.refunded"])
    expect(ofPayment[2]!.data.payment).toMatchObject({ status: "partially_refunded", amount_captured: 600, amount_refunded: 100, version: 3 })
    expect(events.map((event) => event.type)).toContain("payment.declined")
    expect(receiver.received[0]!.header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
    await eventually(() => provider.core.stats.undelivered_events === 0, 5_000, "every event marked delivered")
  })

  it("delivers late, twice and out of order; the inbox keeps the newest version of each payment", async () => {
    const { receiver, provider } = await setUp({ webhookDelay: { minMs: 0, maxMs: 400 }, webhookDuplicateProbability: 0.5, seed: 1234 })
    const token = (await run(provider.client.tokenize(validCard(cards.approve)))).token
    const paymentIds = await Promise.all(Array.from({ length: 10 }, () => lifecycle(provider, token)))
    const eventsSent = 30
    await eventually(() => provider.core.stats.webhooks.pending === 0, 10_000, "all deliveries done")
    const { webhooks } = provider.core.stats
    expect(webhooks.delivered).toBe(eventsSent)
    expect(webhooks.duplicates_sent).toBeGreaterThan(0)
    expect(receiver.received.length).toBe(eventsSent + webhooks.duplicates_sent)

    const inbox = new WebhookInbox()
    const verdicts: Record<InboxVerdict, number> = { new: 0, duplicate: 0, stale: 0 }
    const newest = new Map<string, number>()
    let outOfOrder = 0
    const seenVersion = new Map<string, number>()
    for (const delivery of receiver.received) {
      const event = await verified(delivery.header, delivery.body)
      const payment = event.data.payment
      if ((seenVersion.get(payment.payment_id) ?? 0) > payment.version) outOfOrder++
      seenVersion.set(payment.payment_id, Math.max(seenVersion.get(payment.payment_id) ?? 0, payment.version))
      const verdict = inbox.accept(event)
      verdicts[verdict]++
      if (verdict === "new") newest.set(payment.payment_id, payment.version)
    }
    expect(outOfOrder).toBeGreaterThan(0)
    expect(verdicts.duplicate).toBe(webhooks.duplicates_sent)
    expect(verdicts.stale).toBeGreaterThan(0)
    expect(verdicts.new + verdicts.stale).toBe(eventsSent)
    for (const paymentId of paymentIds) expect(newest.get(paymentId)).toBe(3)
  })

  it("retries a failing receiver with backoff, then delivers", async () => {
    const { receiver, provider } = await setUp({
      webhookDelay: { minMs: 0, maxMs: 0 },
      webhookDuplicateProbability: 0,
      webhookRetryBaseMs: 20,
      webhookRetryMaxMs: 100
    })
    let calls = 0
    receiver.answerWith(() => (++calls <= 3 ? 500 : 200))
    const token = (await run(provider.client.tokenize(validCard(cards.approve)))).token
    await run(provider.client.authorize({ token, amount: 10, currency: "INR", reference: "retry" }, key()))
    await eventually(() => provider.core.stats.webhooks.delivered === 1, 5_000, "the delivery after three failures")
    expect(receiver.received).toHaveLength(4)
    expect(provider.core.stats.webhooks.failed_attempts).toBe(3)
    // Backoff: the gaps between attempts grow (20, 40, 80 ms ± jitter).
    const times = receiver.received.map((delivery) => delivery.atMs)
    expect(times[3]! - times[0]!).toBeGreaterThanOrEqual(60)
    // Each attempt is signed afresh and verifies.
    for (const delivery of receiver.received) await verified(delivery.header, delivery.body)
  })

  it("gives up after the bounded number of attempts", async () => {
    const { receiver, provider } = await setUp({
      webhookDelay: { minMs: 0, maxMs: 0 },
      webhookDuplicateProbability: 0,
      webhookRetryBaseMs: 5,
      webhookRetryMaxMs: 10,
      webhookMaxAttempts: 3
    })
    receiver.answerWith(() => 503)
    const token = (await run(provider.client.tokenize(validCard(cards.approve)))).token
    await run(provider.client.authorize({ token, amount: 10, currency: "INR", reference: "give-up" }, key()))
    await eventually(() => provider.core.stats.webhooks.given_up === 1, 5_000, "giving up")
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(receiver.received).toHaveLength(3)
    expect(provider.core.stats.undelivered_events).toBe(0)
  })

  it("keeps undelivered events across a restart and delivers them afterwards", async () => {
    const receiver = await startWebhookReceiver()
    cleanups.push(() => receiver.close())
    receiver.answerWith(() => 500)
    const first = await startTestProvider({
      webhookUrl: receiver.url,
      webhookSecret: secret,
      webhookDelay: { minMs: 0, maxMs: 0 },
      webhookDuplicateProbability: 0,
      webhookRetryBaseMs: 60_000
    })
    const token = (await run(first.client.tokenize(validCard(cards.approve)))).token
    const payment = await run(first.client.authorize({ token, amount: 10, currency: "INR", reference: "restart" }, key()))
    await eventually(() => receiver.received.length === 1, 5_000, "the first, failing attempt")
    expect(first.core.stats.undelivered_events).toBe(1)
    receiver.answerWith(() => 200)
    const second = await first.restart({ webhookRetryBaseMs: 20 })
    cleanups.push(() => second.dispose())
    await eventually(() => second.core.stats.webhooks.delivered === 1, 5_000, "delivery after the restart")
    const event = await verified(receiver.received[1]!.header, receiver.received[1]!.body)
    expect(event.data.payment.payment_id).toBe(payment.payment_id)
    await eventually(() => second.core.stats.undelivered_events === 0, 5_000, "the event marked delivered")
  })

  it("takes its webhook URL from the test settings route at run time", async () => {
    const receiver = await startWebhookReceiver()
    const provider = await startTestProvider({ webhookSecret: secret, webhookDuplicateProbability: 0 })
    cleanups.push(() => receiver.close(), () => provider.dispose())
    const token = (await run(provider.client.tokenize(validCard(cards.approve)))).token
    await run(provider.client.authorize({ token, amount: 10, currency: "INR", reference: "before" }, key()))
    const set = await fetch(`${provider.url}/v1/test/settings`, { method: "POST", body: JSON.stringify({ webhook_url: receiver.url }) })
    expect(set.status).toBe(200)
    await run(provider.client.authorize({ token, amount: 10, currency: "INR", reference: "after" }, key()))
    await eventually(() => receiver.received.length === 1, 5_000, "one delivery")
    expect((await verified(receiver.received[0]!.header, receiver.received[0]!.body)).data.payment.reference).toBe("after")
    const bad = await fetch(`${provider.url}/v1/test/settings`, { method: "POST", body: JSON.stringify({ webhook_url: "ftp://x" }) })
    expect(bad.status).toBe(400)
  })

  it("bounds the deliveries waiting: past the bound an event is dropped and counted", async () => {
    const { provider } = await setUp({ webhookDelay: { minMs: 5_000, maxMs: 5_000 }, webhookDuplicateProbability: 0, webhookMaxPending: 2 })
    const token = (await run(provider.client.tokenize(validCard(cards.approve)))).token
    for (let i = 0; i < 4; i++) await run(provider.client.authorize({ token, amount: 10, currency: "INR", reference: `b${i}` }, key()))
    expect(provider.core.stats.webhooks).toMatchObject({ pending: 2, dropped: 2 })
    expect(provider.core.stats.undelivered_events).toBe(2)
  })
})

describe("webhook verifier", () => {
  const event: WebhookEvent = {
    id: "evt_1",
    type: "payment.captured",
    created_at: new Date().toISOString(),
    data: {
      payment: {
        payment_id: "pay_1",
        status: "captured",
        amount: 100,
        currency: "INR",
        reference: "r",
        token: "tok_1",
        card: { brand: "visa", last4: "4242", fingerprint: "fp_1" },
        amount_captured: 100,
        amount_refunded: 0,
        refunds: [],
        version: 2,
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString()
      }
    }
  }
  const body = JSON.stringify(event)
  const now = Math.floor(Date.now() / 1000)
  const verified = (header: string | undefined, text: string) => run(verifyWebhook({ secrets: [secret] }, header, text, now * 1000))
  const reason = async (header: string | undefined, text: string, secrets = [secret], nowMs?: number) => {
    const failure = failureOf(await exitOf(verifyWebhook({ secrets }, header, text, nowMs)))
    expect(failure).toBeInstanceOf(WebhookRejected)
    return (failure as WebhookRejected).reason
  }

  it("accepts a good signature, also from a rotated-out secret still listed", async () => {
    expect(await verified(signWebhook(secret, now, body), body)).toEqual(event)
    const rotated = await run(verifyWebhook({ secrets: ["whsec_new", secret] }, signWebhook(secret, now, body), body))
    expect(rotated.id).toBe("evt_1")
  })

  it("refuses tampered bodies, foreign secrets, stale or future timestamps, malformed headers and bodies", async () => {
    expect(await reason(signWebhook(secret, now, body), body.replace('"amount":100', '"amount":1000'))).toBe("bad_signature")
    expect(await reason(signWebhook("whsec_other", now, body), body)).toBe("bad_signature")
    expect(await reason(signWebhook(secret, now - 301, body), body, [secret], now * 1000)).toBe("stale_timestamp")
    expect(await reason(signWebhook(secret, now + 301, body), body, [secret], now * 1000)).toBe("stale_timestamp")
    expect((await run(verifyWebhook({ secrets: [secret] }, signWebhook(secret, now + 299, body), body, now * 1000))).id).toBe("evt_1")
    // A captured delivery replayed with a fresh timestamp does not verify.
    const captured = signWebhook(secret, now - 1000, body)
    expect(await reason(captured.replace(/t=\d+/, `t=${now}`), body)).toBe("bad_signature")
    expect(await reason(undefined, body)).toBe("missing_signature")
    expect(await reason("", body)).toBe("missing_signature")
    expect(await reason("v1=abc", body)).toBe("malformed_signature")
    expect(await reason(`t=${now}`, body)).toBe("malformed_signature")
    expect(await reason(`t=soon,v1=${"0".repeat(64)}`, body)).toBe("malformed_signature")
    expect(await reason("x".repeat(5000), body)).toBe("malformed_signature")
    const notAnEvent = JSON.stringify({ hello: "world" })
    expect(await reason(signWebhook(secret, now, notAnEvent), notAnEvent)).toBe("malformed_body")
    expect(await reason(signWebhook(secret, now, "{"), "{")).toBe("malformed_body")
  })

  it("the inbox bounds what it remembers", () => {
    const inbox = new WebhookInbox(2)
    const withId = (id: string, paymentId: string, version: number): WebhookEvent => ({
      ...event,
      id,
      data: { payment: { ...event.data.payment, payment_id: paymentId, version } }
    })
    expect(inbox.accept(withId("e1", "p1", 1))).toBe("new")
    expect(inbox.accept(withId("e1", "p1", 1))).toBe("duplicate")
    expect(inbox.accept(withId("e2", "p1", 3))).toBe("new")
    expect(inbox.accept(withId("e3", "p1", 2))).toBe("stale")
    // e1 has been forgotten (capacity 2): it comes back as stale, not new, thanks to the version.
    expect(inbox.accept(withId("e1", "p1", 1))).toBe("stale")
  })
})
