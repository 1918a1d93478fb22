import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { payment } from "../actors/payments/payment.ts"
import { wallet, type Wallet } from "../actors/payments/wallet.ts"
import { defaultPaymentsConfig } from "../gateway/payments/config.ts"
import { type AuthorizeInput, paymentSteps, type PaymentStepServices } from "../gateway/payments/payment-steps.ts"
import { defaultProviderClientConfig, makeProviderClient, PaymentProvider, type ProviderClient, type ProviderClientConfig } from "../provider/client.ts"
import { cards, validCard } from "../provider/testing.ts"
import { ActorHost } from "../runtime/host.ts"
import { Actors } from "../runtime/service.ts"
import { makeMemoryJournal, makeMemoryPositionStore, makeMemorySnapshotStore } from "../storage/memory.ts"
import { RestartableChild } from "./support/child.ts"

/**
 * The payment steps against the simulator run as its own process (`provider/main.ts`), over
 * HTTP, with the payment and wallet actors on a real host: every test card's path, lost answers
 * reconciled without a second charge, retries of every step idempotent.
 */

const run = mkdtempSync(join(tmpdir(), "payments-steps-"))
const provider = new RestartableChild(
  ["--import", "tsx", "provider/main.ts"],
  { PROVIDER_DATA_DIR: join(run, "provider"), PROVIDER_WEBHOOK_URL: "", PROVIDER_SLOW_CARD_DELAY_MS: "1500", PROVIDER_FSYNC: "off" },
  join(run, "provider.log.txt")
)
let host: ActorHost
let baseUrl = ""
const clients: Array<{ close(): void }> = []
let client: ProviderClient

const clientWith = (overrides: Partial<ProviderClientConfig> = {}) => {
  const made = makeProviderClient({ ...defaultProviderClientConfig, baseUrl, retryBaseMs: 20, timeoutMs: 3_000, ...overrides })
  clients.push(made)
  return made.client
}

beforeAll(async () => {
  const port = await provider.start(60_000)
  baseUrl = `http://127.0.0.1:${port}`
  client = clientWith()
  host = new ActorHost(
    { journal: makeMemoryJournal(), snapshots: makeMemorySnapshotStore(), positions: makeMemoryPositionStore() },
    [payment, wallet],
    { shardCount: 4 },
    undefined,
    () => {}
  )
  await host.start()
})

afterAll(async () => {
  for (const made of clients) made.close()
  await host?.stop()
  await provider.stop()
  rmSync(run, { recursive: true, force: true })
})

const steps = paymentSteps({ ...defaultPaymentsConfig, reconcileDelayMs: 50 })
const runWith = <A, E>(effect: Effect.Effect<A, E, PaymentStepServices>, using: ProviderClient = client) =>
  Effect.runPromise(effect.pipe(Effect.provideService(Actors, host), Effect.provideService(PaymentProvider, using)))
const exitWith = <A, E>(effect: Effect.Effect<A, E, PaymentStepServices>, using: ProviderClient = client) =>
  Effect.runPromiseExit(effect.pipe(Effect.provideService(Actors, host), Effect.provideService(PaymentProvider, using)))

const newId = (prefix: string) => `${prefix}_${randomBytes(16).toString("base64url")}`
const userId = newId("u")
const tokenOf = async (card: string) => (await Effect.runPromise(client.tokenize(validCard(card)))).token
const cardPayment = async (card: string, amount = 10_000): Promise<AuthorizeInput> => ({
  payment_id: newId("pay"),
  reference: newId("co"),
  user_id: userId,
  amount,
  currency: "INR",
  method: "card",
  token: await tokenOf(card)
})
const atProvider = (input: AuthorizeInput) => Effect.runPromise(client.paymentsOfReference(input.payment_id))

describe("payment steps against the simulator process", () => {
  it("authorizes, captures and refunds a card; every step run twice charges and refunds once", async () => {
    const input = await cardPayment(cards.approve)
    const first = await runWith(steps.authorize(input))
    expect(first).toMatchObject({ _tag: "Authorized", payment: { status: "authorized", authorized_amount: 10_000 } })
    expect(await runWith(steps.authorize(input))).toMatchObject({ _tag: "Authorized", payment: { provider_payment_id: first.payment.provider_payment_id } })
    expect(await atProvider(input)).toHaveLength(1)

    expect(await runWith(steps.capture(input.payment_id))).toMatchObject({ _tag: "Done", payment: { status: "captured", captured_amount: 10_000 } })
    expect(await runWith(steps.capture(input.payment_id))).toMatchObject({ _tag: "Done", payment: { status: "captured" } })
    expect(await runWith(steps.refund(input.payment_id, "rf_a", 3_000))).toMatchObject({ _tag: "Done", payment: { status: "partially_refunded", refunded_amount: 3_000 } })
    expect(await runWith(steps.refund(input.payment_id, "rf_a", 3_000))).toMatchObject({ _tag: "Done", payment: { refunded_amount: 3_000 } })
    const [record] = await atProvider(input)
    expect(record).toMatchObject({ status: "partially_refunded", amount_captured: 10_000, amount_refunded: 3_000 })

    const tooMuch = await exitWith(steps.refund(input.payment_id, "rf_b", 7_001))
    expect(Exit.isFailure(tooMuch) && tooMuch.cause._tag === "Fail" ? tooMuch.cause.error : undefined).toMatchObject({ reason: "refund_exceeds_captured", refundable: 7_000 })
    expect(await runWith(steps.refund(input.payment_id, "rf_b", 7_000))).toMatchObject({ _tag: "Done", payment: { status: "refunded", refunded_amount: 10_000 } })
    expect((await atProvider(input))[0]).toMatchObject({ status: "refunded", amount_refunded: 10_000 })
  })

  it("declines with the provider's code and never authorizes on a retry", async () => {
    const declined = await cardPayment(cards.decline)
    expect(await runWith(steps.authorize(declined))).toMatchObject({ _tag: "Declined", code: "card_declined", payment: { status: "failed" } })
    const poor = await cardPayment(cards.insufficientFunds)
    expect(await runWith(steps.authorize(poor))).toMatchObject({ _tag: "Declined", code: "insufficient_funds" })
    expect(await runWith(steps.authorize(poor))).toMatchObject({ _tag: "Declined", code: "insufficient_funds" })
    expect(await atProvider(poor)).toHaveLength(1)
    // Releasing a declined payment is nothing to do.
    expect(await runWith(steps.voidAuthorization(poor.payment_id))).toMatchObject({ _tag: "Done", payment: { status: "failed" } })
  })

  it("an answer lost after the charge (500, dropped connection) is replayed under the same key: one payment", async () => {
    for (const card of [cards.errorAfterCharge, cards.dropAfterCharge]) {
      const input = await cardPayment(card)
      expect(await runWith(steps.authorize(input))).toMatchObject({ _tag: "Authorized" })
      expect(await atProvider(input)).toHaveLength(1)
    }
  })

  it("a timed-out authorization is reconciled by reading the provider, not by charging again", async () => {
    const input = await cardPayment(cards.slow)
    const impatient = clientWith({ timeoutMs: 200, maxAttempts: 1 })
    const outcome = await runWith(steps.authorize(input), impatient)
    expect(outcome).toMatchObject({ _tag: "Authorized", payment: { status: "authorized", reconcile_needed: false } })
    expect(await atProvider(input)).toHaveLength(1)
    // Void it with the impatient client too: the void answers at once (only the authorization is slow).
    expect(await runWith(steps.voidAuthorization(input.payment_id))).toMatchObject({ _tag: "Done", payment: { status: "voided" } })
    expect((await atProvider(input))[0]).toMatchObject({ status: "voided" })
  })

  it("a provider that cannot be reached leaves the payment to reconcile; the next attempt finishes it once", async () => {
    const input = await cardPayment(cards.approve)
    const nowhere = clientWith({ baseUrl: "http://127.0.0.1:9", maxAttempts: 1, timeoutMs: 500 })
    const outcome = await runWith(steps.authorize(input), nowhere)
    expect(outcome).toMatchObject({ _tag: "ProviderUnavailable", payment: { status: "pending", reconcile_needed: true } })
    expect(await atProvider(input)).toHaveLength(0)
    expect(await runWith(steps.authorize(input))).toMatchObject({ _tag: "Authorized", payment: { status: "authorized" } })
    expect(await runWith(steps.authorize(input))).toMatchObject({ _tag: "Authorized" })
    expect(await atProvider(input)).toHaveLength(1)
  })

  it("voiding a payment whose authorization was never answered pins it down at the provider and voids it", async () => {
    const input = await cardPayment(cards.approve)
    const nowhere = clientWith({ baseUrl: "http://127.0.0.1:9", maxAttempts: 1, timeoutMs: 500 })
    await runWith(steps.authorize(input), nowhere)
    expect(await runWith(steps.voidAuthorization(input.payment_id))).toMatchObject({ _tag: "Done", payment: { status: "voided" } })
    const records = await atProvider(input)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ status: "voided" })
    // A late authorize of the same payment changes nothing.
    expect(await runWith(steps.authorize(input))).toMatchObject({ _tag: "Voided" })
  })

  it("a 3-D-Secure-like pending payment is settled by reconciling with the provider", async () => {
    const input = await cardPayment(cards.pending)
    const pending = await runWith(steps.authorize(input))
    expect(pending).toMatchObject({ _tag: "Pending", payment: { status: "pending" } })
    const response = await fetch(`${baseUrl}/v1/test/payments/${pending.payment.provider_payment_id}/settle`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: "authorized" })
    })
    expect(response.status).toBe(200)
    expect(await runWith(steps.reconcile(input.payment_id))).toMatchObject({ status: "authorized", authorized_amount: 10_000 })
    expect(await runWith(steps.authorize(input))).toMatchObject({ _tag: "Authorized" })
  })

  it("a captured payment is refused a void (refund it instead)", async () => {
    const input = await cardPayment(cards.approve)
    await runWith(steps.authorize(input))
    await runWith(steps.capture(input.payment_id, 4_000))
    const exit = await exitWith(steps.voidAuthorization(input.payment_id))
    expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined).toMatchObject({ reason: "invalid_transition", status: "captured" })
    expect((await atProvider(input))[0]).toMatchObject({ status: "captured", amount_captured: 4_000 })
  })

  it("wallet payments debit store credit, decline without enough, and give it back on void and refund", async () => {
    const owner = newId("u")
    await host.ask(wallet, owner, { _tag: "Credit", credit_id: "topup_1", amount: 5_000, currency: "INR", reason: "top_up" })
    const base = { user_id: owner, currency: "INR", method: "wallet" as const }
    const big = { ...base, payment_id: newId("pay"), reference: newId("co"), amount: 6_000 }
    expect(await runWith(steps.authorize(big))).toMatchObject({ _tag: "Declined", code: "insufficient_funds" })
    const voided = { ...base, payment_id: newId("pay"), reference: newId("co"), amount: 2_000 }
    expect(await runWith(steps.authorize(voided))).toMatchObject({ _tag: "Authorized" })
    expect(await host.ask<Wallet>(wallet, owner, { _tag: "Get" })).toMatchObject({ balance: 3_000 })
    expect(await runWith(steps.voidAuthorization(voided.payment_id))).toMatchObject({ _tag: "Done", payment: { status: "voided" } })
    expect(await runWith(steps.voidAuthorization(voided.payment_id))).toMatchObject({ _tag: "Done" })
    expect(await host.ask<Wallet>(wallet, owner, { _tag: "Get" })).toMatchObject({ balance: 5_000 })
    const kept = { ...base, payment_id: newId("pay"), reference: newId("co"), amount: 4_000 }
    await runWith(steps.authorize(kept))
    await runWith(steps.capture(kept.payment_id))
    expect(await runWith(steps.refund(kept.payment_id, "rf_1", 1_500))).toMatchObject({ _tag: "Done", payment: { status: "partially_refunded" } })
    expect(await runWith(steps.refund(kept.payment_id, "rf_1", 1_500))).toMatchObject({ _tag: "Done" })
    expect(await host.ask<Wallet>(wallet, owner, { _tag: "Get" })).toMatchObject({ balance: 2_500 })
  })

  it("cash on delivery is authorized as owed and captured when collected; UPI is refused as unsupported", async () => {
    const cod = { payment_id: newId("pay"), reference: newId("co"), user_id: userId, amount: 900, currency: "INR", method: "cod" as const, capture_mode: "on_shipment" as const }
    expect(await runWith(steps.authorize(cod))).toMatchObject({ _tag: "Authorized", payment: { capture_mode: "on_shipment" } })
    expect(await runWith(steps.capture(cod.payment_id))).toMatchObject({ _tag: "Done", payment: { status: "captured", captured_amount: 900 } })
    const upi = await exitWith(steps.authorize({ ...cod, payment_id: newId("pay"), method: "upi", vpa: "shopper@okbank" }))
    expect(Exit.isFailure(upi) && upi.cause._tag === "Fail" ? upi.cause.error : undefined).toMatchObject({ _tag: "PaymentMethodUnsupported" })
  })
})
