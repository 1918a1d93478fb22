import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { codecFor } from "../../runtime/actor.ts"
import { type Payment, payment, type PaymentCommand, type PaymentState, type ProviderFacts } from "./payment.ts"
import { amount, createCard, paymentId } from "./payment-fixtures.ts"

/**
 * Any sequence of commands — decisions, provider answers, webhooks out of order and twice,
 * reconciling reads, impossible facts — keeps the money invariants, and every command sent again
 * (at once or after anything else happened) changes nothing.
 */

const stateCodec = codecFor(payment.state)
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

const someAmount = fc.constantFrom(1, 1_000, 3_000, 6_000, amount, amount + 1)
const refundId = fc.integer({ min: 0, max: 5 }).map((i) => `rf_${i}`)
const providerPaymentId = fc.constantFrom("pp_1", "pp_1", "pp_1", "pp_2")
const code = fc.constantFrom("card_declined", "insufficient_funds", "timeout")

/** Mostly facts the provider could state, sometimes impossible ones. */
const facts: fc.Arbitrary<ProviderFacts> = fc
  .record({
    version: fc.integer({ min: 1, max: 40 }),
    status: fc.constantFrom<ProviderFacts["status"]>("pending", "authorized", "declined", "captured", "partially_refunded", "refunded", "voided"),
    captured: fc.integer({ min: 1, max: amount }),
    refundShare: fc.double({ min: 0, max: 1, noNaN: true }),
    pid: providerPaymentId,
    broken: fc.integer({ min: 0, max: 9 }).map((n) => n === 0)
  })
  .map(({ version, status, captured, refundShare, pid, broken }) => {
    const capturedFamily = status === "captured" || status === "partially_refunded" || status === "refunded"
    const amountCaptured = capturedFamily ? captured : 0
    const amountRefunded =
      status === "refunded" ? amountCaptured : status === "partially_refunded" ? Math.min(amountCaptured - 1, Math.max(1, Math.floor(amountCaptured * refundShare))) : 0
    const base: ProviderFacts = { provider_payment_id: pid, version, status, amount, amount_captured: amountCaptured, amount_refunded: Math.max(0, amountRefunded) }
    return broken ? { ...base, amount_refunded: base.amount_captured + 1 } : base
  })

const command: fc.Arbitrary<PaymentCommand> = fc.oneof(
  fc.constant<PaymentCommand>({ _tag: "Get" }),
  fc.constant<PaymentCommand>(createCard),
  fc.tuple(providerPaymentId, fc.constantFrom(amount, amount, 1_000)).map(([pid, n]): PaymentCommand => ({ _tag: "RecordAuthorization", provider_payment_id: pid, amount: n })),
  code.map((c): PaymentCommand => ({ _tag: "RecordDecline", code: c, provider_payment_id: "pp_1" })),
  providerPaymentId.map((pid): PaymentCommand => ({ _tag: "RecordPending", provider_payment_id: pid })),
  fc.constant<PaymentCommand>({ _tag: "RecordOutcomeUnknown", reason: "timeout" }),
  fc.option(someAmount, { nil: undefined }).map((n): PaymentCommand => (n === undefined ? { _tag: "Capture" } : { _tag: "Capture", amount: n })),
  someAmount.map((n): PaymentCommand => ({ _tag: "RecordCaptured", amount: n })),
  fc.constant<PaymentCommand>({ _tag: "Void" }),
  fc.constant<PaymentCommand>({ _tag: "RecordVoided" }),
  fc.tuple(refundId, someAmount).map(([id, n]): PaymentCommand => ({ _tag: "Refund", refund_id: id, amount: n })),
  refundId.map((id): PaymentCommand => ({ _tag: "RecordRefunded", refund_id: id })),
  fc.tuple(refundId, code).map(([id, c]): PaymentCommand => ({ _tag: "RecordRefundFailed", refund_id: id, code: c })),
  fc.tuple(fc.integer({ min: 0, max: 30 }), facts).map(([n, f]): PaymentCommand => ({ _tag: "ApplyWebhook", event_id: `evt_${n}`, facts: f })),
  facts.map((f): PaymentCommand => ({ _tag: "Reconcile", facts: f }))
)

const allowedRejections = new Set([
  "not_found",
  "payment_exists",
  "invalid_transition",
  "amount_mismatch",
  "amount_exceeds_authorized",
  "refund_exceeds_captured",
  "refund_limit",
  "refund_id_reused",
  "refund_not_found",
  "refund_settled",
  "capture_in_progress",
  "void_in_progress",
  "provider_payment_mismatch",
  "invalid_provider_state"
])

const checkMoney = (p: Payment) => {
  expect(p.captured_amount).toBeLessThanOrEqual(p.authorized_amount)
  expect(p.refunded_amount).toBeLessThanOrEqual(p.captured_amount)
  const inRefunds = p.refunds.filter((r) => r.status !== "failed").reduce((s, r) => s + r.amount, 0)
  expect(inRefunds).toBeLessThanOrEqual(p.captured_amount)
  expect(p.authorized_amount).toBeLessThanOrEqual(p.amount)
}

/** Runs commands in order; returns the states after each and which commands were accepted. */
const run = (commands: ReadonlyArray<PaymentCommand>, onStep: (state: PaymentState, command: PaymentCommand, accepted: boolean, eventCount: number) => void) => {
  let state: PaymentState = payment.initialState(paymentId)
  for (const c of commands) {
    const decision = payment.decide(state, c, 0)
    if (decision._tag === "Reject") {
      expect(allowedRejections).toContain((decision.rejection as { reason: string }).reason)
      onStep(state, c, false, 0)
      continue
    }
    for (const event of decision.events) state = payment.evolve(state, event)
    expect(decision.reply).toEqual(state)
    onStep(state, c, true, decision.events.length)
  }
  return state
}

const sequences = fc.array(command, { maxLength: 60 }).map((cs) => [createCard, ...cs])

describe("payment properties", () => {
  it("captured ≤ authorized, refunded ≤ captured, refunds in flight or done ≤ captured, after any sequence", () => {
    const statuses = new Set<string>()
    fc.assert(
      fc.property(sequences, (commands) => {
        const final = run(commands, (state) => {
          if (state.status !== "new") {
            checkMoney(state)
            statuses.add(state.status)
          }
        })
        expect(json(stateCodec.encode(stateCodec.decode(json(stateCodec.encode(final)))))).toEqual(json(stateCodec.encode(final)))
      }),
      { numRuns: Number(process.env["PROPERTY_RUNS"] ?? 400) }
    )
    // The generator reaches every state.
    expect([...statuses].sort()).toEqual(["authorized", "captured", "created", "failed", "partially_refunded", "pending", "refunded", "voided"])
  })

  it("a command sent again at once changes nothing", () => {
    fc.assert(
      fc.property(sequences, (commands) => {
        run(commands, (state, c, accepted) => {
          if (!accepted) return
          const again = payment.decide(state, c, 0)
          if (again._tag === "Accept") expect(again.events).toEqual([])
        })
      }),
      { numRuns: Number(process.env["PROPERTY_RUNS"] ?? 300) }
    )
  })

  it("a command replayed later, after anything else happened, changes nothing", () => {
    fc.assert(
      fc.property(sequences, fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), (commands, picks) => {
        const accepted: Array<PaymentCommand> = []
        const final = run(commands, (_state, c, ok, eventCount) => {
          if (ok && eventCount > 0) accepted.push(c)
        })
        if (accepted.length === 0) return
        for (const pick of picks) {
          const replay = payment.decide(final, accepted[pick % accepted.length]!, 0)
          if (replay._tag === "Accept") expect(replay.events).toEqual([])
        }
      }),
      { numRuns: Number(process.env["PROPERTY_RUNS"] ?? 300) }
    )
  })
})
