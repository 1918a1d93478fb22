import { describe, expect, it } from "vitest"
import { type DeciderRow, runRow } from "../../test/support/decider-table.ts"
import { address } from "../orders/order-fixtures.ts"
import { apiStatusOf, type Checkout, checkout, type CheckoutCommand, type CheckoutEvent, type Failure, pendingUndos, type Plan } from "./checkout.ts"

const at = new Date(0).toISOString()
const checkoutId = "co_AAAAAAAAAAAAAAAAAAAAAA"

const plan = (coupon: string | null = "SAVE10"): Plan => ({
  user_id: "u_AAAAAAAAAAAAAAAAAAAA",
  cart_id: "cart_AAAAAAAAAAAAAAAAAAAAAA",
  order_id: "ord_AAAAAAAAAAAAAAAAAAAAAA",
  payment_id: "pay_AAAAAAAAAAAAAAAAAAAAAA",
  reservation_id: checkoutId,
  currency: "INR",
  lines: [
    { sku_id: "sku_1", product_id: "p_1", seller_id: "s_1", title: "Headphones", quantity: 2, unit_price: 5_000 },
    { sku_id: "sku_2", product_id: "p_2", seller_id: "s_1", title: "Case", quantity: 1, unit_price: 1_000 }
  ],
  totals: { subtotal: 11_000, discount: 1_000, shipping: 500, tax: 900, total: 11_400 },
  tax_inclusive: false,
  shipping_address: address,
  shipping_option_id: "standard",
  coupon_code: coupon,
  payment_method: { payment_method_id: "pm_AAAAAAAAAAAAAAAAAAAA", type: "card", token: "tok_1", vpa: null },
  client_ip: "127.0.0.1",
  hold_expires_at_ms: 600_000
})

const holds = [
  { sku_id: "sku_1", quantity: 2, lines: [{ warehouse_id: "wh_main", quantity: 2 }] },
  { sku_id: "sku_2", quantity: 1, lines: [{ warehouse_id: "wh_main", quantity: 1 }] }
]
const allow = { verdict: "allow" as const, reasons: [] }
const refused = (status: number, code: string): Failure => ({ status, code, message: `${code}!`, details: { reason: code } })
const coupon = refused(422, "coupon_invalid")
const stock = refused(409, "out_of_stock")
const declined = refused(402, "payment_declined")
const lost = refused(409, "out_of_stock")

const ev = {
  started: (p = plan()): CheckoutEvent => ({ _tag: "Started", plan: p, at }),
  couponRedeemed: { _tag: "CouponRedeemed", at } as CheckoutEvent,
  reserved: { _tag: "Reserved", holds, at } as CheckoutEvent,
  risk: { _tag: "RiskAssessed", risk: allow, at } as CheckoutEvent,
  authorized: { _tag: "PaymentAuthorized", at } as CheckoutEvent,
  awaiting: { _tag: "PaymentAwaiting", reason: "pending", at } as CheckoutEvent,
  confirmed: { _tag: "Confirmed", at } as CheckoutEvent,
  orderPlaced: { _tag: "OrderPlaced", at } as CheckoutEvent,
  cartCleared: { _tag: "CartCleared", at } as CheckoutEvent,
  failed: (failure: Failure, extra: Partial<Extract<CheckoutEvent, { _tag: "Failed" }>> = {}): CheckoutEvent => ({ _tag: "Failed", failure, ...extra, at }),
  voided: { _tag: "PaymentVoided", at } as CheckoutEvent,
  released: { _tag: "HoldsReleased", at } as CheckoutEvent,
  reverted: { _tag: "CouponReverted", at } as CheckoutEvent
}

const cmd = (failure: Failure) => ({ status: failure.status, code: failure.code, message: failure.message, details: failure.details })

/** Every command in one canonical form, with the events it emits where it is accepted with events. */
const commands: Record<string, readonly [CheckoutCommand, ReadonlyArray<CheckoutEvent>]> = {
  Start: [{ _tag: "Start", plan: plan() }, [ev.started()]],
  RecordCouponRedeemed: [{ _tag: "RecordCouponRedeemed" }, [ev.couponRedeemed]],
  RecordCouponRefused: [{ _tag: "RecordCouponRefused", ...cmd(coupon) }, [ev.failed(coupon)]],
  RecordReserved: [{ _tag: "RecordReserved", holds }, [ev.reserved]],
  RecordReserveRefused: [{ _tag: "RecordReserveRefused", ...cmd(stock) }, [ev.failed(stock)]],
  RecordRisk: [{ _tag: "RecordRisk", risk: allow }, [ev.risk]],
  RecordPaymentAuthorized: [{ _tag: "RecordPaymentAuthorized" }, [ev.authorized]],
  RecordPaymentAwaiting: [{ _tag: "RecordPaymentAwaiting", reason: "pending" }, [ev.awaiting]],
  RecordPaymentDeclined: [{ _tag: "RecordPaymentDeclined", ...cmd(declined) }, [ev.failed(declined, { payment: "declined" })]],
  RecordPaymentAbandoned: [{ _tag: "RecordPaymentAbandoned", ...cmd(declined) }, [ev.failed(declined)]],
  RecordConfirmed: [{ _tag: "RecordConfirmed" }, [ev.confirmed]],
  RecordConfirmFailed: [{ _tag: "RecordConfirmFailed", confirmed: ["sku_1"], ...cmd(lost) }, [ev.failed(lost, { confirmed: ["sku_1"] })]],
  RecordOrderPlaced: [{ _tag: "RecordOrderPlaced" }, [ev.orderPlaced]],
  RecordCartCleared: [{ _tag: "RecordCartCleared" }, [ev.cartCleared]],
  RecordPaymentVoided: [{ _tag: "RecordPaymentVoided" }, [ev.voided]],
  RecordHoldsReleased: [{ _tag: "RecordHoldsReleased" }, [ev.released]],
  RecordCouponReverted: [{ _tag: "RecordCouponReverted" }, [ev.reverted]],
  Get: [{ _tag: "Get" }, []]
}

const toPayment = [ev.started(), ev.couponRedeemed, ev.reserved, ev.risk]
const toConfirm = [...toPayment, ev.authorized]

/** Canonical states by their history. */
const states: Record<string, ReadonlyArray<CheckoutEvent>> = {
  new: [],
  coupon: [ev.started()],
  reserve: [ev.started(), ev.couponRedeemed],
  fraud: [ev.started(), ev.couponRedeemed, ev.reserved],
  payment: toPayment,
  awaiting: [...toPayment, ev.awaiting],
  confirm: toConfirm,
  order: [...toConfirm, ev.confirmed],
  cart: [...toConfirm, ev.confirmed, ev.orderPlaced],
  completed: [...toConfirm, ev.confirmed, ev.orderPlaced, ev.cartCleared],
  undoVoid: [...toPayment, ev.awaiting, ev.failed(declined)],
  undoRelease: [...toPayment, ev.failed(declined, { payment: "declined" })],
  undoRevert: [ev.started(), ev.couponRedeemed, ev.failed(stock)],
  failed: [ev.started(), ev.failed(coupon)],
  failedAfterUndo: [ev.started(), ev.couponRedeemed, ev.failed(stock), ev.reverted]
}

/**
 * `E`: emits the command's events; `S`: accepted, nothing changes; `X`: invalid_transition; `N`: not_found.
 * (RecordConfirmFailed names sku_1: in states that hold no stock that SKU is unknown, hence X.)
 */
const N = "N"
const cols = Object.keys(commands)
// prettier-ignore
const matrix: Record<string, string> = {
  //             Start CR CF RS RF RK PA PW PD PB CO CX OP CC PV HR Rv Get
  new:          "E     N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N  N",
  coupon:       "S     E  E  X  X  X  X  X  X  X  X  X  X  X  X  X  X  S",
  reserve:      "S     S  X  E  E  X  X  X  X  X  X  X  X  X  X  X  X  S",
  fraud:        "S     S  X  S  X  E  X  X  X  X  X  X  X  X  X  X  X  S",
  payment:      "S     S  X  S  X  S  E  E  E  E  X  X  X  X  X  X  X  S",
  awaiting:     "S     S  X  S  X  S  E  S  E  E  X  X  X  X  X  X  X  S",
  confirm:      "S     S  X  S  X  S  S  S  X  X  E  E  X  X  X  X  X  S",
  order:        "S     S  X  S  X  S  S  S  X  X  S  X  E  X  X  X  X  S",
  cart:         "S     S  X  S  X  S  S  S  X  X  S  X  S  E  X  X  X  S",
  completed:    "S     S  X  S  X  S  S  S  X  X  S  X  S  S  X  X  X  S",
  undoVoid:     "S     S  S  S  S  S  X  S  S  S  X  S  X  X  E  X  X  S",
  undoRelease:  "S     S  S  S  S  S  X  S  S  S  X  S  X  X  X  E  X  S",
  undoRevert:   "S     S  S  X  S  X  X  S  S  S  X  X  X  X  X  X  E  S",
  failed:       "S     X  S  X  S  X  X  S  S  S  X  X  X  X  X  X  X  S",
  failedAfterUndo: "S  S  S  X  S  X  X  S  S  S  X  X  X  X  X  X  S  S"
}

const rows: ReadonlyArray<DeciderRow> = Object.entries(matrix).flatMap(([stateName, line]) => {
  const outcomes = line.trim().split(/\s+/)
  expect(outcomes.length).toBe(cols.length)
  return cols.map((name, i): DeciderRow => {
    const [command, events] = commands[name]!
    const outcome = outcomes[i]!
    const then = outcome === "E" ? events : outcome === "S" ? [] : outcome === N ? { reason: "not_found" } : { reason: "invalid_transition" }
    return { name: `${stateName} × ${name} → ${outcome}`, given: states[stateName]!, when: command, then, id: checkoutId }
  })
})

const stateAfter = (events: ReadonlyArray<CheckoutEvent>) => events.reduce((s, e) => checkout.evolve(s, e), checkout.initialState(checkoutId)) as Checkout

describe("checkout decider: every command in every state", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_, row) => {
    runRow(checkout, row, checkoutId)
  })
})

describe("checkout decider: paths", () => {
  it("without a coupon the saga starts at reserve and never reverts", () => {
    const s = stateAfter([ev.started(plan(null))])
    expect([s.status, s.step, s.coupon]).toEqual(["running", "reserve", "none"])
    runRow(checkout, { name: "coupon step skipped", given: [ev.started(plan(null))], when: { _tag: "RecordCouponRedeemed" }, then: { reason: "invalid_transition" }, id: checkoutId })
  })

  it("the happy path ends completed with the order id shown", () => {
    const s = stateAfter(states["completed"]!)
    expect([s.status, s.step, apiStatusOf(s), s.holds_state, s.confirmed]).toEqual(["completed", null, "order_placed", "confirmed", ["sku_1", "sku_2"]])
  })

  it("a payment awaiting its outcome shows pending_payment", () => {
    expect(apiStatusOf(stateAfter(states["awaiting"]!))).toBe("pending_payment")
  })

  it("a fraud rejection records the risk and fails with 402 payment_declined reason risk, then releases and reverts", () => {
    const risk = { verdict: "reject" as const, reasons: [{ rule: "amount", verdict: "reject" as const, detail: "too much" }] }
    const failure: Failure = { status: 402, code: "payment_declined", message: "the payment was declined by the store's risk checks", details: { reason: "risk", rules: ["amount"] } }
    runRow(checkout, { name: "reject", given: states["fraud"]!, when: { _tag: "RecordRisk", risk }, then: [{ _tag: "RiskAssessed", risk, at }, ev.failed(failure)], id: checkoutId })
    const s = stateAfter([...states["fraud"]!, { _tag: "RiskAssessed", risk, at }, ev.failed(failure)])
    expect([s.status, s.undo, pendingUndos(s)]).toEqual(["compensating", "release", ["release", "revert"]])
  })

  it("a review lets the saga go on to the payment", () => {
    const risk = { verdict: "review" as const, reasons: [{ rule: "amount", verdict: "review" as const, detail: "large" }] }
    const s = stateAfter([...states["fraud"]!, { _tag: "RiskAssessed", risk, at }])
    expect([s.status, s.step, s.risk?.verdict]).toEqual(["running", "payment", "review"])
  })

  it("compensation runs void → release → revert, then failed", () => {
    let s = stateAfter(states["undoVoid"]!)
    expect(pendingUndos(s)).toEqual(["void", "release", "revert"])
    s = stateAfter([...states["undoVoid"]!, ev.voided])
    expect(s.undo).toBe("release")
    s = stateAfter([...states["undoVoid"]!, ev.voided, ev.released])
    expect(s.undo).toBe("revert")
    s = stateAfter([...states["undoVoid"]!, ev.voided, ev.released, ev.reverted])
    expect([s.status, s.undo, apiStatusOf(s), s.failure?.code]).toEqual(["failed", null, "failed", "payment_declined"])
  })

  it("a declined payment is not voided; a coupon refused leaves nothing to undo", () => {
    expect(pendingUndos(stateAfter(states["undoRelease"]!))).toEqual(["release", "revert"])
    expect(stateAfter(states["failed"]!).status).toBe("failed")
  })

  it("a lost hold after the payment: void, then release (returning the units sold), then revert", () => {
    const s = stateAfter([...toConfirm, ev.failed(lost, { confirmed: ["sku_1"] })])
    expect([pendingUndos(s), s.confirmed]).toEqual([["void", "release", "revert"], ["sku_1"]])
  })

  it("a confirm failure naming a SKU the checkout never held is refused", () => {
    runRow(checkout, {
      name: "unknown sku",
      given: toConfirm,
      when: { _tag: "RecordConfirmFailed", confirmed: ["sku_9"], ...cmd(lost) },
      then: { reason: "invalid_transition" },
      id: checkoutId
    })
  })

  it("a malformed command is invalid_command", () => {
    runRow(checkout, { name: "bad", given: [], when: { _tag: "Start", plan: { ...plan(), lines: [] } }, then: { reason: "invalid_command" }, id: checkoutId })
  })
})
