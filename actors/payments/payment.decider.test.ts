import { describe, expect, it } from "vitest"
import { type DeciderRow, runRow } from "../../test/support/decider-table.ts"
import { payment, type PaymentCommand, type PaymentEvent } from "./payment.ts"
import {
  amount,
  at,
  authorizedEvent,
  captureRequested,
  capturedEvent,
  created,
  createCard,
  declinedEvent,
  facts,
  paymentId,
  pendingEvent,
  refundFailed,
  refundRequested,
  refundSucceeded,
  states,
  unknownEvent,
  userId,
  voidRequested
} from "./payment-fixtures.ts"

type StateName = keyof typeof states

/** Every command of the payment actor in one canonical form, with the one event it emits when accepted. */
const commands = {
  RecordAuthorization: [{ _tag: "RecordAuthorization", provider_payment_id: "pp_1", amount }, authorizedEvent()],
  RecordDecline: [{ _tag: "RecordDecline", code: "card_declined", provider_payment_id: "pp_1" }, declinedEvent],
  RecordPending: [{ _tag: "RecordPending", provider_payment_id: "pp_1" }, pendingEvent],
  RecordOutcomeUnknown: [{ _tag: "RecordOutcomeUnknown", reason: "timeout" }, unknownEvent],
  Capture: [{ _tag: "Capture" }, captureRequested()],
  RecordCaptured: [{ _tag: "RecordCaptured", amount }, capturedEvent()],
  Void: [{ _tag: "Void" }, voidRequested],
  RecordVoided: [{ _tag: "RecordVoided" }, { _tag: "Voided", at }],
  Refund: [{ _tag: "Refund", refund_id: "rf_2", amount: 2_000 }, refundRequested("rf_2", 2_000)],
  RecordRefunded: [{ _tag: "RecordRefunded", refund_id: "rf_1" }, refundSucceeded("rf_1")],
  RecordRefundFailed: [{ _tag: "RecordRefundFailed", refund_id: "rf_1", code: "provider_error" }, refundFailed("rf_1")],
  ApplyWebhook: [
    { _tag: "ApplyWebhook", event_id: "evt_9", facts: facts(9, "captured", amount) },
    { _tag: "ProviderStateApplied", event_id: "evt_9", facts: facts(9, "captured", amount), at }
  ],
  Reconcile: [{ _tag: "Reconcile", facts: facts(9, "captured", amount) }, { _tag: "ProviderStateApplied", event_id: null, facts: facts(9, "captured", amount), at }],
  Get: [{ _tag: "Get" }, undefined]
} as const satisfies Record<string, readonly [PaymentCommand, PaymentEvent | undefined]>

type CommandName = keyof typeof commands
/** `E`: emits the command's event; `S`: accepted, nothing changes (a replay or a late answer); otherwise the rejection reason. */
type Outcome = "E" | "S" | string

const X = "invalid_transition"
const NF = "refund_not_found"

/** What every command does in every state: the whole state machine, forbidden moves included. */
const matrix: Record<StateName, Record<CommandName, Outcome>> = {
  // prettier-ignore
  created: { RecordAuthorization: "E", RecordDecline: "E", RecordPending: "E", RecordOutcomeUnknown: "E", Capture: X, RecordCaptured: X, Void: "E", RecordVoided: "E", Refund: X, RecordRefunded: NF, RecordRefundFailed: NF, ApplyWebhook: "E", Reconcile: "E", Get: "S" },
  pending: { RecordAuthorization: "E", RecordDecline: "E", RecordPending: "S", RecordOutcomeUnknown: "S", Capture: X, RecordCaptured: X, Void: "E", RecordVoided: "E", Refund: X, RecordRefunded: NF, RecordRefundFailed: NF, ApplyWebhook: "E", Reconcile: "E", Get: "S" },
  unknown: { RecordAuthorization: "E", RecordDecline: "E", RecordPending: "E", RecordOutcomeUnknown: "S", Capture: X, RecordCaptured: X, Void: "E", RecordVoided: "E", Refund: X, RecordRefunded: NF, RecordRefundFailed: NF, ApplyWebhook: "E", Reconcile: "E", Get: "S" },
  authorized: { RecordAuthorization: "S", RecordDecline: X, RecordPending: "S", RecordOutcomeUnknown: "S", Capture: "E", RecordCaptured: "E", Void: "E", RecordVoided: "E", Refund: X, RecordRefunded: NF, RecordRefundFailed: NF, ApplyWebhook: "E", Reconcile: "E", Get: "S" },
  capturing: { RecordAuthorization: "S", RecordDecline: X, RecordPending: "S", RecordOutcomeUnknown: "S", Capture: "S", RecordCaptured: "E", Void: "capture_in_progress", RecordVoided: "E", Refund: X, RecordRefunded: NF, RecordRefundFailed: NF, ApplyWebhook: "E", Reconcile: "E", Get: "S" },
  voiding: { RecordAuthorization: "S", RecordDecline: X, RecordPending: "S", RecordOutcomeUnknown: "S", Capture: "void_in_progress", RecordCaptured: "E", Void: "S", RecordVoided: "E", Refund: X, RecordRefunded: NF, RecordRefundFailed: NF, ApplyWebhook: "E", Reconcile: "E", Get: "S" },
  captured: { RecordAuthorization: "S", RecordDecline: X, RecordPending: "S", RecordOutcomeUnknown: "S", Capture: "S", RecordCaptured: "S", Void: X, RecordVoided: X, Refund: "E", RecordRefunded: NF, RecordRefundFailed: NF, ApplyWebhook: "E", Reconcile: "E", Get: "S" },
  refunding: { RecordAuthorization: "S", RecordDecline: X, RecordPending: "S", RecordOutcomeUnknown: "S", Capture: "S", RecordCaptured: "S", Void: X, RecordVoided: X, Refund: "E", RecordRefunded: "E", RecordRefundFailed: "E", ApplyWebhook: "E", Reconcile: "E", Get: "S" },
  partially_refunded: { RecordAuthorization: "S", RecordDecline: X, RecordPending: "S", RecordOutcomeUnknown: "S", Capture: "S", RecordCaptured: "S", Void: X, RecordVoided: X, Refund: "E", RecordRefunded: "S", RecordRefundFailed: "refund_settled", ApplyWebhook: "E", Reconcile: "E", Get: "S" },
  refunded: { RecordAuthorization: "S", RecordDecline: X, RecordPending: "S", RecordOutcomeUnknown: "S", Capture: "S", RecordCaptured: "S", Void: X, RecordVoided: X, Refund: "refund_exceeds_captured", RecordRefunded: "S", RecordRefundFailed: "refund_settled", ApplyWebhook: "E", Reconcile: "E", Get: "S" },
  voided: { RecordAuthorization: "S", RecordDecline: X, RecordPending: "S", RecordOutcomeUnknown: "S", Capture: X, RecordCaptured: X, Void: "S", RecordVoided: "S", Refund: X, RecordRefunded: NF, RecordRefundFailed: NF, ApplyWebhook: "E", Reconcile: "E", Get: "S" },
  failed: { RecordAuthorization: X, RecordDecline: "S", RecordPending: "S", RecordOutcomeUnknown: "S", Capture: X, RecordCaptured: X, Void: "S", RecordVoided: X, Refund: X, RecordRefunded: NF, RecordRefundFailed: NF, ApplyWebhook: "E", Reconcile: "E", Get: "S" }
}

const matrixRows: ReadonlyArray<DeciderRow> = Object.entries(matrix).flatMap(([stateName, outcomes]) =>
  Object.entries(outcomes).map(([commandName, outcome]): DeciderRow => {
    const [command, event] = commands[commandName as CommandName]
    return {
      name: `${stateName} + ${commandName} → ${outcome === "E" ? event?._tag : outcome === "S" ? "no events" : outcome}`,
      id: paymentId,
      given: states[stateName as StateName],
      when: command,
      then: outcome === "E" ? [event] : outcome === "S" ? [] : { reason: outcome }
    }
  })
)

const given = states
const rows: ReadonlyArray<DeciderRow> = [
  // Create
  { name: "Create a card payment", given: [], when: createCard, then: [created], reply: { status: "created", amount, authorized_amount: 0, provider_payment_id: null } },
  { name: "Create again with the same data → no events", given: given.authorized, when: createCard, then: [] },
  { name: "Create again with another amount → payment_exists", given: given.created, when: { ...createCard, amount: 9_999 }, then: { reason: "payment_exists" } },
  { name: "Create a card payment without a token → invalid_command", given: [], when: { ...createCard, token: undefined }, then: { reason: "invalid_command" } },
  { name: "Create a UPI payment without a vpa → invalid_command", given: [], when: { ...createCard, method: "upi", token: undefined }, then: { reason: "invalid_command" } },
  { name: "Create a COD payment with a token → invalid_command", given: [], when: { ...createCard, method: "cod" }, then: { reason: "invalid_command" } },
  { name: "Create with amount 0 → invalid_command", given: [], when: { ...createCard, amount: 0 }, then: { reason: "invalid_command" } },
  { name: "Create above 10^12 → invalid_command", given: [], when: { ...createCard, amount: 1e12 + 1 }, then: { reason: "invalid_command" } },
  { name: "Create with a card number as token → invalid_command", given: [], when: { ...createCard, token: "4242424242424242" }, then: { reason: "invalid_command" } },
  {
    name: "Create a UPI payment",
    given: [],
    when: { ...createCard, method: "upi", token: undefined, vpa: "ada@okbank" },
    then: [{ ...created, method: "upi", token: null, vpa: "ada@okbank" }]
  },
  { name: "Get before Create → not_found", given: [], when: { _tag: "Get" }, then: { reason: "not_found" } },
  { name: "Capture before Create → not_found", given: [], when: { _tag: "Capture" }, then: { reason: "not_found" } },
  { name: "An unknown command → invalid_command", given: given.created, when: { _tag: "Charge" }, then: { reason: "invalid_command" } },
  // Authorization outcomes
  {
    name: "RecordAuthorization for another amount → amount_mismatch",
    given: given.created,
    when: { _tag: "RecordAuthorization", provider_payment_id: "pp_1", amount: 9_000 },
    then: { reason: "amount_mismatch", expected: amount }
  },
  { name: "RecordAuthorization of a card without provider id → invalid_command", given: given.created, when: { _tag: "RecordAuthorization", amount }, then: { reason: "invalid_command" } },
  {
    name: "RecordAuthorization of another provider payment → provider_payment_mismatch",
    given: given.pending,
    when: { _tag: "RecordAuthorization", provider_payment_id: "pp_2", amount },
    then: { reason: "provider_payment_mismatch" }
  },
  {
    name: "RecordAuthorization after a lost answer clears reconcile_needed",
    given: given.unknown,
    when: { _tag: "RecordAuthorization", provider_payment_id: "pp_1", amount },
    then: [authorizedEvent()],
    reply: { status: "authorized", reconcile_needed: false, authorized_amount: amount, provider_payment_id: "pp_1" }
  },
  {
    name: "A cash-on-delivery payment is authorized for the amount owed, without a provider",
    given: [{ ...created, method: "cod", token: null }],
    when: { _tag: "RecordAuthorization", amount },
    then: [authorizedEvent(null)],
    reply: { status: "authorized", provider_payment_id: null }
  },
  { name: "RecordOutcomeUnknown marks the payment for reconciling", given: given.created, when: { _tag: "RecordOutcomeUnknown", reason: "timeout" }, then: [unknownEvent], reply: { status: "pending", reconcile_needed: true } },
  { name: "RecordPending of a wallet payment → invalid_command", given: [{ ...created, method: "wallet", token: null }], when: { _tag: "RecordPending", provider_payment_id: "pp_1" }, then: { reason: "invalid_command" } },
  { name: "RecordDecline keeps the code", given: given.pending, when: { _tag: "RecordDecline", code: "insufficient_funds" }, then: [{ ...declinedEvent, code: "insufficient_funds" }], reply: { status: "failed", decline_code: "insufficient_funds" } },
  // Capture
  { name: "Capture part of the authorization", given: given.authorized, when: { _tag: "Capture", amount: 6_000 }, then: [captureRequested(6_000)], reply: { capture_requested: 6_000 } },
  { name: "Capture above the authorization → amount_exceeds_authorized", given: given.authorized, when: { _tag: "Capture", amount: amount + 1 }, then: { reason: "amount_exceeds_authorized", expected: amount } },
  { name: "Capture again with another amount while one is in flight → capture_in_progress", given: given.capturing, when: { _tag: "Capture", amount: 6_000 }, then: { reason: "capture_in_progress" } },
  { name: "Capture again without an amount while a partial one is in flight → no events", given: [...given.authorized, captureRequested(6_000)], when: { _tag: "Capture" }, then: [] },
  { name: "Capture another amount after capturing → invalid_transition", given: given.captured, when: { _tag: "Capture", amount: 5_000 }, then: { reason: "invalid_transition", status: "captured" } },
  { name: "RecordCaptured above the authorization → amount_exceeds_authorized", given: given.authorized, when: { _tag: "RecordCaptured", amount: amount + 1 }, then: { reason: "amount_exceeds_authorized" } },
  {
    name: "RecordCaptured of part: the rest is released",
    given: given.capturing,
    when: { _tag: "RecordCaptured", amount: 6_000 },
    then: [capturedEvent(6_000)],
    reply: { status: "captured", captured_amount: 6_000, authorized_amount: amount, capture_requested: null }
  },
  { name: "RecordCaptured of another amount after capturing → invalid_transition", given: given.captured, when: { _tag: "RecordCaptured", amount: 6_000 }, then: { reason: "invalid_transition" } },
  { name: "RecordCaptured while a void is in flight: the capture won", given: given.voiding, when: { _tag: "RecordCaptured", amount }, then: [capturedEvent()], reply: { status: "captured", void_requested: false } },
  // Void
  { name: "Void an authorization", given: given.authorized, when: { _tag: "Void" }, then: [voidRequested], reply: { status: "authorized", void_requested: true } },
  { name: "RecordVoided", given: given.voiding, when: { _tag: "RecordVoided" }, then: [{ _tag: "Voided", at }], reply: { status: "voided", void_requested: false, authorized_amount: amount } },
  { name: "Void a payment the provider never answered for", given: given.unknown, when: { _tag: "Void" }, then: [voidRequested], reply: { status: "pending", reconcile_needed: true, void_requested: true } },
  { name: "Void a captured payment → invalid_transition (refund it)", given: given.captured, when: { _tag: "Void" }, then: { reason: "invalid_transition", status: "captured", command: "Void" } },
  // Refund
  { name: "Refund part", given: given.captured, when: { _tag: "Refund", refund_id: "rf_1", amount: 4_000 }, then: [refundRequested("rf_1", 4_000)], reply: { status: "captured", refunds: [{ refund_id: "rf_1", status: "requested" }] } },
  { name: "Refund everything", given: given.captured, when: { _tag: "Refund", refund_id: "rf_1", amount }, then: [refundRequested("rf_1", amount)] },
  { name: "Refund above captured → refund_exceeds_captured", given: given.captured, when: { _tag: "Refund", refund_id: "rf_1", amount: amount + 1 }, then: { reason: "refund_exceeds_captured", refundable: amount } },
  { name: "Refund counts refunds in flight", given: given.refunding, when: { _tag: "Refund", refund_id: "rf_2", amount: 7_001 }, then: { reason: "refund_exceeds_captured", refundable: 7_000 } },
  { name: "Refund counts refunds done", given: given.partially_refunded, when: { _tag: "Refund", refund_id: "rf_2", amount: 7_000 }, then: [refundRequested("rf_2", 7_000)] },
  { name: "Refund of a partial capture is bounded by the capture", given: [...given.authorized, capturedEvent(6_000)], when: { _tag: "Refund", refund_id: "rf_1", amount: 6_001 }, then: { reason: "refund_exceeds_captured", refundable: 6_000 } },
  { name: "Refund again, same id and amount → no events", given: given.refunding, when: { _tag: "Refund", refund_id: "rf_1", amount: 3_000 }, then: [] },
  { name: "Refund again, same id and amount, after it succeeded → no events", given: given.partially_refunded, when: { _tag: "Refund", refund_id: "rf_1", amount: 3_000 }, then: [] },
  { name: "Refund again, same id, another amount → refund_id_reused", given: given.refunding, when: { _tag: "Refund", refund_id: "rf_1", amount: 2_000 }, then: { reason: "refund_id_reused", refund_id: "rf_1" } },
  {
    name: "A failed refund frees its amount",
    given: [...given.refunding, refundFailed("rf_1")],
    when: { _tag: "Refund", refund_id: "rf_2", amount },
    then: [refundRequested("rf_2", amount)]
  },
  {
    name: "The 101st refund → refund_limit",
    given: [...given.captured, ...Array.from({ length: 100 }, (_, i) => refundRequested(`rf_${i}`, 1))],
    when: { _tag: "Refund", refund_id: "rf_x", amount: 1 },
    then: { reason: "refund_limit", limit: 100 }
  },
  {
    name: "RecordRefunded of the whole capture → refunded",
    given: [...given.captured, refundRequested("rf_1", amount)],
    when: { _tag: "RecordRefunded", refund_id: "rf_1" },
    then: [refundSucceeded("rf_1")],
    reply: { status: "refunded", refunded_amount: amount }
  },
  { name: "RecordRefunded of part → partially_refunded", given: given.refunding, when: { _tag: "RecordRefunded", refund_id: "rf_1" }, then: [refundSucceeded("rf_1")], reply: { status: "partially_refunded", refunded_amount: 3_000 } },
  { name: "RecordRefunded after it failed → refund_settled", given: [...given.refunding, refundFailed("rf_1")], when: { _tag: "RecordRefunded", refund_id: "rf_1" }, then: { reason: "refund_settled" } },
  { name: "RecordRefundFailed keeps the code", given: given.refunding, when: { _tag: "RecordRefundFailed", refund_id: "rf_1", code: "refund_exceeds_captured" }, then: [refundFailed("rf_1", "refund_exceeds_captured")], reply: { status: "captured", refunds: [{ status: "failed", failure_code: "refund_exceeds_captured" }] } },
  // Provider facts: webhooks and reconciling reads
  {
    name: "A webhook authorizes a pending payment",
    given: given.pending,
    when: { _tag: "ApplyWebhook", event_id: "evt_2", facts: facts(2, "authorized") },
    then: [{ _tag: "ProviderStateApplied", event_id: "evt_2", facts: facts(2, "authorized"), at }],
    reply: { status: "authorized", authorized_amount: amount, provider_version: 2, webhook_event_ids: ["evt_2"] }
  },
  {
    name: "A webhook declines a pending payment",
    given: given.pending,
    when: { _tag: "ApplyWebhook", event_id: "evt_2", facts: { ...facts(2, "declined"), decline_code: "do_not_honor" } },
    then: [{ _tag: "ProviderStateApplied", event_id: "evt_2", facts: { ...facts(2, "declined"), decline_code: "do_not_honor" }, at }],
    reply: { status: "failed", decline_code: "do_not_honor", authorized_amount: 0 }
  },
  {
    name: "The same webhook event again → no events",
    given: [...given.pending, { _tag: "ProviderStateApplied", event_id: "evt_2", facts: facts(2, "authorized"), at }],
    when: { _tag: "ApplyWebhook", event_id: "evt_2", facts: facts(2, "authorized") },
    then: []
  },
  {
    name: "An older webhook after a newer one (out of order) → no events",
    given: [...given.pending, { _tag: "ProviderStateApplied", event_id: "evt_3", facts: facts(3, "captured", amount), at }],
    when: { _tag: "ApplyWebhook", event_id: "evt_2", facts: facts(2, "authorized") },
    then: []
  },
  {
    name: "Reconcile after a lost answer: the provider authorized it",
    given: given.unknown,
    when: { _tag: "Reconcile", facts: facts(1, "authorized") },
    then: [{ _tag: "ProviderStateApplied", event_id: null, facts: facts(1, "authorized"), at }],
    reply: { status: "authorized", reconcile_needed: false, provider_payment_id: "pp_1", provider_version: 1 }
  },
  {
    name: "Reconcile after a lost answer: the provider says pending (3-D Secure)",
    given: given.unknown,
    when: { _tag: "Reconcile", facts: facts(1, "pending") },
    then: [{ _tag: "ProviderStateApplied", event_id: null, facts: facts(1, "pending"), at }],
    reply: { status: "pending", reconcile_needed: false, provider_payment_id: "pp_1" }
  },
  {
    name: "A webhook never moves a payment back: captured stays captured after an older-stage event",
    given: given.captured,
    when: { _tag: "ApplyWebhook", event_id: "evt_1", facts: facts(1, "authorized") },
    then: [{ _tag: "ProviderStateApplied", event_id: "evt_1", facts: facts(1, "authorized"), at }],
    reply: { status: "captured", captured_amount: amount, provider_version: 1 }
  },
  {
    name: "A webhook with a voided payment clears a void in flight",
    given: given.voiding,
    when: { _tag: "ApplyWebhook", event_id: "evt_2", facts: facts(2, "voided") },
    then: [{ _tag: "ProviderStateApplied", event_id: "evt_2", facts: facts(2, "voided"), at }],
    reply: { status: "voided", void_requested: false }
  },
  {
    name: "A webhook capture clears a capture in flight",
    given: [...given.authorized, captureRequested(6_000)],
    when: { _tag: "ApplyWebhook", event_id: "evt_2", facts: facts(2, "captured", 6_000) },
    then: [{ _tag: "ProviderStateApplied", event_id: "evt_2", facts: facts(2, "captured", 6_000), at }],
    reply: { status: "captured", captured_amount: 6_000, capture_requested: null }
  },
  {
    name: "A refund webhook settles the requested refunds its total covers, oldest first",
    given: [...given.captured, refundRequested("rf_1", 4_000), refundRequested("rf_2", 5_000), refundRequested("rf_3", 1_000)],
    when: { _tag: "ApplyWebhook", event_id: "evt_5", facts: facts(5, "partially_refunded", amount, 5_000) },
    then: [{ _tag: "ProviderStateApplied", event_id: "evt_5", facts: facts(5, "partially_refunded", amount, 5_000), at }],
    reply: {
      status: "partially_refunded",
      refunded_amount: 5_000,
      refunds: [{ refund_id: "rf_1", status: "succeeded" }, { refund_id: "rf_2", status: "requested" }, { refund_id: "rf_3", status: "succeeded" }]
    }
  },
  {
    name: "A refund the provider made alone still counts: refunded is the provider's total",
    given: given.captured,
    when: { _tag: "Reconcile", facts: facts(4, "partially_refunded", amount, 2_500) },
    then: [{ _tag: "ProviderStateApplied", event_id: null, facts: facts(4, "partially_refunded", amount, 2_500), at }],
    reply: { status: "partially_refunded", refunded_amount: 2_500 }
  },
  {
    name: "Provider facts about another provider payment → provider_payment_mismatch",
    given: given.authorized,
    when: { _tag: "ApplyWebhook", event_id: "evt_2", facts: facts(2, "captured", amount, 0, "pp_2") },
    then: { reason: "provider_payment_mismatch" }
  },
  { name: "Provider facts for another amount → invalid_provider_state", given: given.authorized, when: { _tag: "Reconcile", facts: { ...facts(2, "authorized"), amount: 1 } }, then: { reason: "invalid_provider_state" } },
  { name: "Provider facts refunding above captured → invalid_provider_state", given: given.captured, when: { _tag: "Reconcile", facts: facts(2, "partially_refunded", 5_000, 6_000) }, then: { reason: "invalid_provider_state" } },
  { name: "Provider facts: captured status with nothing captured → invalid_provider_state", given: given.authorized, when: { _tag: "Reconcile", facts: facts(2, "captured", 0) }, then: { reason: "invalid_provider_state" } },
  { name: "Provider facts: refunded with money left → invalid_provider_state", given: given.captured, when: { _tag: "Reconcile", facts: facts(2, "refunded", amount, 5_000) }, then: { reason: "invalid_provider_state" } },
  { name: "Provider facts: version 0 → invalid_command", given: given.authorized, when: { _tag: "Reconcile", facts: facts(0, "authorized") }, then: { reason: "invalid_command" } },
  {
    name: "Provider facts for a wallet payment → no_provider",
    given: [{ ...created, method: "wallet", token: null }],
    when: { _tag: "ApplyWebhook", event_id: "evt_1", facts: facts(1, "authorized") },
    then: { reason: "no_provider" }
  }
]

describe("payment decider: the state machine, every command in every state", () => {
  it("covers every state and command", () => {
    expect(matrixRows.length).toBe(Object.keys(states).length * Object.keys(commands).length)
  })
  for (const row of matrixRows) it(row.name, () => runRow(payment, row, paymentId))
})

describe("payment decider: rules", () => {
  for (const row of rows) it(row.name, () => runRow(payment, row, paymentId))

  it("refuses to create a payment whose actor id is not a payment id (a defect)", () => {
    expect(() => payment.decide(payment.initialState("ord_1"), createCard, 0)).toThrow(/not a payment id/)
  })

  it("an impossible event is a defect in evolve", () => {
    const state = states.authorized.reduce(payment.evolve, payment.initialState(paymentId))
    expect(() => payment.evolve(state, refundRequested("rf_1", 1))).toThrow(/exceed captured 0/)
    expect(() => payment.evolve(payment.initialState(paymentId), authorizedEvent())).toThrow(/before Created/)
  })

  it("uses the user id it was created with", () => {
    const state = payment.evolve(payment.initialState(paymentId), created)
    expect(state).toMatchObject({ user_id: userId, status: "created" })
  })
})
