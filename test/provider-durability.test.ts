/**
 * The simulator keeps what it acknowledged. It runs as its own process (`provider/main.ts`,
 * bundled once) while workers tokenize, authorize, capture and refund through our client and
 * record every acknowledged answer; it is killed with SIGKILL at random moments and restarted
 * on the same data folder. Afterwards every acknowledged token and payment is there with at
 * least the acknowledged version, idempotency keys still replay (no second charge for a key
 * whose answer was lost in a crash), the fingerprint key survives, a torn last line is cut off
 * and a damaged line stops the start. The data file never holds a card number or a CVC. Also:
 * compaction of the data file keeps the state (in-process).
 */
import { randomUUID } from "node:crypto"
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit } from "effect"
import { build } from "esbuild"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { defaultProviderClientConfig, makeProviderClient, type ProviderClient } from "../provider/client.ts"
import { cards, startTestProvider, validCard } from "../provider/testing.ts"
import type { Payment } from "../provider/wire.ts"
import { repoRoot, RestartableChild } from "./support/child.ts"

const run = mkdtempSync(join(tmpdir(), "provider-durability-"))
const bundle = join(run, "provider.mjs")
const startTimeoutMs = 15_000
const kills = 6
const workers = 12
const killGapMs = { min: 150, max: 500 }

beforeAll(async () => {
  symlinkSync(join(repoRoot, "node_modules"), join(run, "node_modules"), "dir")
  await build({
    entryPoints: [join(repoRoot, "provider/main.ts")],
    outfile: bundle,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning"
  })
})
afterAll(() => rmSync(run, { recursive: true, force: true }))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1))

const clientOf = (port: number, maxAttempts = 1) =>
  makeProviderClient({ ...defaultProviderClientConfig, baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 3_000, maxAttempts, retryBaseMs: 20 })

const everyFile = (dir: string): string =>
  readdirSync(dir, { withFileTypes: true })
    .map((entry) => (entry.isDirectory() ? everyFile(join(dir, entry.name)) : readFileSync(join(dir, entry.name), "utf8")))
    .join("\n")

interface Acked {
  readonly payment: Payment
  readonly reference: string
  readonly authorizeKey: string
  readonly token: string
}

describe("kill -9 of the simulator process", () => {
  it("keeps every acknowledged token, payment and idempotency answer across crashes", async () => {
    const dataDir = join(run, "data")
    const child = new RestartableChild([bundle], { PROVIDER_DATA_DIR: dataDir, PROVIDER_WEBHOOK_URL: "" }, join(run, "provider.log.txt"))
    let port = await child.start(startTimeoutMs)
    let made = clientOf(port)

    const usedNumbers = [cards.approve, cards.mastercard, cards.amex, cards.pending]
    const tokens = new Map<string, { fingerprint: string; last4: string }>()
    for (const number of usedNumbers) {
      const token = await Effect.runPromise(made.client.tokenize(validCard(number)))
      tokens.set(token.token, { fingerprint: token.fingerprint, last4: token.last4 })
    }
    const approveTokens = [...tokens.keys()].slice(0, 3)

    /** The newest acknowledged state of each payment. */
    const acked = new Map<string, Acked>()
    /** Authorizations sent whose answer never came (unknown outcome): reference → key and body. */
    const unknown = new Map<string, { key: string; token: string }>()
    const note = (entry: Acked) => {
      const known = acked.get(entry.payment.payment_id)
      if (known === undefined || known.payment.version < entry.payment.version) acked.set(entry.payment.payment_id, entry)
    }

    const worker = async (client: ProviderClient, running: () => boolean) => {
      while (running()) {
        const token = approveTokens[between(0, approveTokens.length - 1)]!
        const reference = `chk_${randomUUID()}`
        const authorizeKey = `auth-${reference}`
        const authorized = await Effect.runPromiseExit(client.authorize({ token, amount: 1_000, currency: "INR", reference }, authorizeKey))
        if (Exit.isFailure(authorized)) {
          unknown.set(reference, { key: authorizeKey, token })
          continue
        }
        const base = { reference, authorizeKey, token }
        note({ ...base, payment: authorized.value })
        const captured = await Effect.runPromiseExit(client.capture(authorized.value.payment_id, 800, `cap-${reference}`))
        if (Exit.isFailure(captured)) continue
        note({ ...base, payment: captured.value })
        const refunded = await Effect.runPromiseExit(client.refund(authorized.value.payment_id, 300, `ref-${reference}`))
        if (Exit.isSuccess(refunded)) note({ ...base, payment: refunded.value.payment })
      }
    }

    for (let round = 0; round < kills; round++) {
      let going = true
      const load = Array.from({ length: workers }, () => worker(made.client, () => going))
      await sleep(between(killGapMs.min, killGapMs.max))
      // Requests in flight now are cut off by the kill; none start after it.
      going = false
      await child.kill()
      await Promise.all(load)
      made.close()
      port = await child.start(startTimeoutMs)
      made = clientOf(port)
    }
    expect(child.unexpectedExits).toEqual([])
    expect(acked.size).toBeGreaterThan(20)
    console.log(`provider durability: ${acked.size} acknowledged payments, ${unknown.size} lost answers, ${kills} kills`)

    const client = clientOf(port, 3).client
    // Every acknowledged payment is there, at least as far as acknowledged.
    for (const entry of acked.values()) {
      const stored = await Effect.runPromise(client.getPayment(entry.payment.payment_id))
      expect(stored.version).toBeGreaterThanOrEqual(entry.payment.version)
      if (stored.version === entry.payment.version) expect(stored).toEqual(entry.payment)
      expect(stored.amount_refunded).toBeLessThanOrEqual(stored.amount_captured)
      // The authorization's key still replays the same payment: no second charge.
      const replay = await Effect.runPromise(client.authorize({ token: entry.token, amount: 1_000, currency: "INR", reference: entry.reference }, entry.authorizeKey))
      expect(replay.payment_id).toBe(entry.payment.payment_id)
    }
    // A lost answer is retried with its key: at most one payment per reference, ever.
    for (const [reference, lost] of unknown) {
      await Effect.runPromise(client.authorize({ token: lost.token, amount: 1_000, currency: "INR", reference }, lost.key))
      expect(await Effect.runPromise(client.paymentsOfReference(reference))).toHaveLength(1)
    }
    // Tokens survive with the same fingerprint, and the fingerprint key too.
    for (const [token, view] of tokens) {
      expect(await Effect.runPromise(client.getToken(token))).toMatchObject(view)
    }
    const again = await Effect.runPromise(client.tokenize(validCard(cards.approve)))
    expect(again.fingerprint).toBe(tokens.get(approveTokens[0]!)!.fingerprint)

    // A torn last line (a write cut short) is dropped at start; the rest is intact.
    const somePayment = [...acked.values()][0]!.payment.payment_id
    await child.stop()
    appendFileSync(join(dataDir, "provider.log"), '{"t":"commit","payment":{"payment_id":"pay_torn","sta')
    port = await child.start(startTimeoutMs)
    const afterTorn = clientOf(port, 3).client
    expect((await Effect.runPromise(afterTorn.getPayment(somePayment))).payment_id).toBe(somePayment)
    expect(Exit.isFailure(await Effect.runPromiseExit(afterTorn.getPayment("pay_torn")))).toBe(true)
    await child.stop()

    // No card number, CVC or card field anywhere in the data folder.
    const stored = everyFile(dataDir)
    expect(stored.length).toBeGreaterThan(1000)
    for (const number of [...usedNumbers, cards.approve]) expect(stored).not.toContain(number)
    expect(stored).not.toContain("card_number")
    expect(stored).not.toContain('"cvc"')

    // A damaged line in the middle stops the start with a message instead of serving half the state.
    const lines = readFileSync(join(dataDir, "provider.log"), "utf8").split("\n")
    lines[1] = "{damaged"
    writeFileSync(join(dataDir, "provider.log"), lines.join("\n"))
    await expect(child.start(startTimeoutMs)).rejects.toThrow(/exited before READY/)
    expect(readFileSync(child.logPath, "utf8")).toMatch(/line 2 is not JSON/)
  })
})

describe("compaction", () => {
  it("rewrites the data file as a snapshot when it grows, and the state survives a restart", async () => {
    const provider = await startTestProvider({ compactAtBytes: 8 * 1024, webhookUrl: undefined })
    try {
      const token = (await Effect.runPromise(provider.client.tokenize(validCard(cards.approve)))).token
      const payments: Array<Payment> = []
      for (let i = 0; i < 40; i++) {
        const payment = await Effect.runPromise(provider.client.authorize({ token, amount: 500, currency: "INR", reference: `c${i}` }, `k${i}`))
        payments.push(await Effect.runPromise(provider.client.capture(payment.payment_id, 400, `c${i}`)))
      }
      expect(provider.core.stats.data_file.compactions).toBeGreaterThan(0)
      const restarted = await provider.restart()
      try {
        for (const payment of payments) expect(await Effect.runPromise(restarted.client.getPayment(payment.payment_id))).toEqual(payment)
        const replay = await Effect.runPromise(restarted.client.authorize({ token, amount: 500, currency: "INR", reference: "c0" }, "k0"))
        expect(replay.payment_id).toBe(payments[0]!.payment_id)
      } finally {
        await restarted.dispose()
      }
    } catch (error) {
      await provider.dispose().catch(() => undefined)
      throw error
    }
  })
})
