import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker, InvalidCommand } from "../cart/fields.ts"
import type { PaymentSummary } from "../payments/fields.ts"
import { type Compensation, type Hold, OrderId, type OrderItem, orderLimits, type PlacedItem, type Totals } from "./fields.ts"
import {
  HoldLimit,
  InvalidReturn,
  InvalidTransition,
  Order,
  OrderCommand,
  OrderEvent,
  OrderExists,
  OrderIdConflict,
  OrderNotFound,
  OrderRefundRefused,
  OrderRejection,
  OrderState,
  type Place,
  ReturnWindowClosed
} from "./order-schema.ts"
import { canMove, cancellableStatuses, holdableStatuses, type OrderStatus } from "./order-status.ts"

export * from "./order-schema.ts"

/**
 * Actor "order", id = the order id (`ord_…`, minted by the checkout saga before it sends `Place`).
 *
 * The durable business record of one purchase and its explicit state machine (order-status.ts):
 * pending_payment → placed → fulfilling → shipped → delivered → closed, with cancelled,
 * payment_failed, return_requested → returned → refunded, and exception (held for an operator).
 * Every transition is an event and a timeline entry `{at, status, note}`; a command not allowed in
 * the current status is refused with `invalid_transition` naming the status.
 *
 * The order records what other actors did; it moves no money and no stock itself. `Cancel`
 * (until shipped) answers, in the order's `cancellation.compensation`, what the saga must undo:
 * void the authorization or refund the capture, and return each line's stock.
 *
 * `Place` carries everything as the checkout priced it (lines, address snapshot, totals, the
 * payment summary, a fraud review if the rules asked for one) and is idempotent: the same
 * placement again replies the order, other data is `order_exists`. A fraud review holds the order
 * in `exception` as soon as it is placed (or when its pending payment is authorized); an
 * operator releases it (back to where it was held) or cancels it. Every other command is
 * idempotent too: asking for the status the order is already in (same data) changes nothing.
 */

type OrderDecision = Decision<OrderEvent, Order, OrderRejection>
type CommandOf<Tag extends OrderCommand["_tag"]> = Extract<OrderCommand, { _tag: Tag }>

const checkCommand = commandChecker(OrderCommand)
const isOrderId = Schema.is(OrderId)

const unchanged = (order: Order): OrderDecision => accept([], order)
const emit = (order: Order, ...events: ReadonlyArray<OrderEvent>): OrderDecision =>
  accept(events, events.reduce((s: OrderState, e) => evolveOrder(s, e), order) as Order)
const forbidden = (order: Order, command: string, message = `not allowed while the order is ${order.status}`): OrderDecision =>
  reject(new InvalidTransition({ reason: "invalid_transition", status: order.status, command, message }))
const invalid = (message: string) => reject(new InvalidCommand({ reason: "invalid_command", message }))

/** Timeline notes are bounded like every other text. */
const note = (text: string) => (text.length > 500 ? `${text.slice(0, 499)}…` : text)

export const lineTotal = (item: PlacedItem) => item.unit_price * item.quantity

/** The rule of API.md, checked on every placement: a wrong total is the caller's bug, never stored. */
export const totalsProblem = (items: ReadonlyArray<PlacedItem>, totals: Totals, taxInclusive: boolean): string | undefined => {
  const subtotal = items.reduce((sum, item) => sum + lineTotal(item), 0)
  if (subtotal !== totals.subtotal) return `subtotal ${totals.subtotal} is not the sum of the lines (${subtotal})`
  if (totals.discount > totals.subtotal + totals.shipping) return `discount ${totals.discount} is above subtotal + shipping`
  const expected = totals.subtotal - totals.discount + totals.shipping + (taxInclusive ? 0 : totals.tax)
  if (totals.total !== expected) return `total ${totals.total} is not subtotal − discount + shipping${taxInclusive ? "" : " + tax"} (${expected})`
  if (taxInclusive && totals.tax > totals.total) return `included tax ${totals.tax} is above the total`
  return undefined
}

/** A payment summary an order can stand on: pending with nothing authorized, or authorized for exactly the total. */
const paymentProblem = (payment: PaymentSummary, total: number, allowed: ReadonlyArray<PaymentSummary["status"]>): string | undefined => {
  if (!allowed.includes(payment.status)) return `payment status ${payment.status} (expected ${allowed.join(" or ")})`
  if (payment.captured_amount > payment.authorized_amount || payment.refunded_amount > payment.captured_amount) return "payment amounts out of order"
  if (payment.status === "pending") return payment.authorized_amount === 0 ? undefined : "a pending payment with an authorized amount"
  if (payment.status === "authorized" || payment.status === "captured") {
    return payment.authorized_amount === total ? undefined : `payment authorized for ${payment.authorized_amount}, order total ${total}`
  }
  return undefined
}

const paymentMismatch = (order: Order, payment: PaymentSummary) =>
  payment.payment_id !== order.payment.payment_id || payment.method !== order.payment.method
    ? reject(new OrderIdConflict({ reason: "payment_mismatch", id: payment.payment_id }))
    : undefined

/** Payment statuses in lifecycle order: a summary that would move back is older than the one shown. */
const paymentRank: Record<PaymentSummary["status"], number> = {
  pending: 0,
  authorized: 1,
  failed: 1,
  voided: 2,
  captured: 3,
  partially_refunded: 4,
  refunded: 5
}

const isCancellable = (order: Order) =>
  cancellableStatuses.includes(order.status) || (order.status === "exception" && order.hold !== null && cancellableStatuses.includes(order.hold.held_from))

/** What the saga must undo when the order is cancelled now. */
export const compensationOf = (order: Order): Compensation => {
  const p = order.payment
  const action = p.status === "captured" || p.status === "partially_refunded" ? "refund" : p.status === "authorized" || p.status === "pending" ? "void" : "none"
  return {
    payment: action,
    refund_amount: action === "refund" ? p.captured_amount - p.refunded_amount : 0,
    release_stock: order.items.map((i) => ({ sku_id: i.sku_id, quantity: i.quantity, reservation_id: i.reservation_id ?? null }))
  }
}

const reviewHold = (reasons: ReadonlyArray<string>): Hold => ({ held_from: "placed", reason: "fraud_review", note: note(`held for review: ${reasons.join(", ")}`) })

export const decideOrder = (state: OrderState, command: OrderCommand, nowMs: number): OrderDecision => {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) throw new Error(`order ${state.order_id}: nowMs ${nowMs} is not a time`)
  const problem = checkCommand(command)
  if (problem !== undefined) return reject(problem)
  const at = new Date(nowMs).toISOString()
  if (command._tag === "Place") return decidePlace(state, command, at)
  if (state.status === "new") return reject(new OrderNotFound({ reason: "not_found" }))
  const order = state
  switch (command._tag) {
    case "Get":
      return unchanged(order)
    case "MarkPaymentAuthorized": {
      const wrong = paymentMismatch(order, command.payment) ?? payProblem(command.payment, order.totals.total, ["authorized", "captured"])
      if (wrong !== undefined) return wrong
      if (order.status === "pending_payment") {
        const authorized: OrderEvent = { _tag: "PaymentAuthorized", payment: command.payment, at, note: "payment authorized" }
        if (order.review === null) return emit(order, authorized)
        const hold = reviewHold(order.review.reasons)
        return emit(order, authorized, { _tag: "Held", hold, at, note: hold.note })
      }
      if (order.status === "payment_failed" || order.status === "cancelled") return forbidden(order, command._tag, `the order is ${order.status}: void this payment`)
      return unchanged(order)
    }
    case "MarkPaymentFailed":
      if (order.status === "pending_payment") return emit(order, { _tag: "PaymentFailed", code: command.code, at, note: `payment failed: ${command.code}` })
      return order.status === "payment_failed" ? unchanged(order) : forbidden(order, command._tag)
    case "RecordPayment": {
      const wrong = paymentMismatch(order, command.payment) ?? payProblem(command.payment, order.totals.total, ["pending", "authorized", "captured", "partially_refunded", "refunded", "voided", "failed"])
      if (wrong !== undefined) return wrong
      const known = order.payment
      const next = command.payment
      const older =
        paymentRank[next.status] < paymentRank[known.status] || next.captured_amount < known.captured_amount || next.refunded_amount < known.refunded_amount
      const same = next.status === known.status && next.authorized_amount === known.authorized_amount && next.captured_amount === known.captured_amount && next.refunded_amount === known.refunded_amount
      return older || same ? unchanged(order) : emit(order, { _tag: "PaymentRecorded", payment: next, at })
    }
    case "Cancel": {
      if (order.status === "cancelled") return unchanged(order)
      if (!isCancellable(order)) return forbidden(order, command._tag, order.status === "exception" ? `held from ${order.hold?.held_from}, past shipping` : `an order is cancelled only until it ships`)
      const cancellation = { by: command.by, reason: command.reason, at, compensation: compensationOf(order) }
      return emit(order, { _tag: "Cancelled", cancellation, at, note: note(`cancelled by ${command.by}: ${command.reason}`) })
    }
    case "StartFulfilment":
      if (order.status === "placed") return emit(order, { _tag: "FulfilmentStarted", at, note: "fulfilment started" })
      return order.status === "fulfilling" ? unchanged(order) : forbidden(order, command._tag)
    case "Ship":
      return decideShip(order, command, at)
    case "Deliver":
      if (order.status === "shipped") return emit(order, { _tag: "Delivered", at_ms: nowMs, at, note: "delivered" })
      return order.status === "delivered" ? unchanged(order) : forbidden(order, command._tag)
    case "Close":
      if (order.status === "delivered" || order.status === "refunded") return emit(order, { _tag: "Closed", at, note: "closed" })
      return order.status === "closed" ? unchanged(order) : forbidden(order, command._tag)
    case "RequestReturn":
      return decideReturn(order, command, nowMs, at)
    case "MarkReturned": {
      const ret = order.returns.find((r) => r.return_id === command.return_id)
      if (ret === undefined) return reject(new OrderIdConflict({ reason: "return_not_found", id: command.return_id }))
      if (order.status === "return_requested") return emit(order, { _tag: "ReturnReceived", return_id: command.return_id, at, note: `return ${command.return_id} received` })
      return ret.status !== "requested" ? unchanged(order) : forbidden(order, command._tag)
    }
    case "MarkRefunded":
      return decideRefund(order, command, at)
    case "Hold": {
      if (order.status === "exception") return order.hold?.reason === command.reason ? unchanged(order) : forbidden(order, command._tag, "the order is already held")
      if (!holdableStatuses.includes(order.status)) return forbidden(order, command._tag)
      if (order.holds_total >= orderLimits.maxHolds) return reject(new HoldLimit({ reason: "hold_limit", limit: orderLimits.maxHolds }))
      const hold: Hold = { held_from: order.status, reason: command.reason, note: command.note }
      return emit(order, { _tag: "Held", hold, at, note: note(`held (${command.reason}): ${command.note}`) })
    }
    case "ReleaseHold":
      if (order.status !== "exception" || order.hold === null) return forbidden(order, command._tag, "the order is not held")
      return emit(order, { _tag: "HoldReleased", to: order.hold.held_from, at, note: note(`hold released: ${command.note}`) })
  }
}

const payProblem = (payment: PaymentSummary, total: number, allowed: ReadonlyArray<PaymentSummary["status"]>) => {
  const problem = paymentProblem(payment, total, allowed)
  return problem === undefined ? undefined : invalid(problem)
}

const samePlacement = (order: Order, command: Place, items: ReadonlyArray<OrderItem>) =>
  order.checkout_id === command.checkout_id &&
  order.user_id === command.user_id &&
  order.currency === command.currency &&
  order.tax_inclusive === command.tax_inclusive &&
  order.payment.payment_id === command.payment.payment_id &&
  JSON.stringify(order.items) === JSON.stringify(items) &&
  JSON.stringify(order.shipping_address) === JSON.stringify(command.shipping_address) &&
  JSON.stringify(order.totals) === JSON.stringify(command.totals)

const decidePlace = (state: OrderState, command: Place, at: string): OrderDecision => {
  if (!isOrderId(state.order_id)) throw new Error(`order actor id "${state.order_id}" is not an order id (ord_ + ≥ 96 random bits)`)
  const totals = totalsProblem(command.items, command.totals, command.tax_inclusive)
  if (totals !== undefined) return invalid(totals)
  const payment = payProblem(command.payment, command.totals.total, ["pending", "authorized", "captured"])
  if (payment !== undefined) return payment
  const items: ReadonlyArray<OrderItem> = command.items.map((i) => ({ ...i, line_total: lineTotal(i) }))
  if (state.status !== "new") return samePlacement(state, command, items) ? unchanged(state) : reject(new OrderExists({ reason: "order_exists" }))
  const { _tag, ...placed } = command
  const status = command.payment.status === "pending" ? "pending_payment" : "placed"
  const placedEvent: OrderEvent = {
    _tag: "Placed",
    ...placed,
    items,
    status,
    at,
    note: status === "placed" ? "order placed" : "order placed; waiting for the payment"
  }
  const placedOrder = evolveOrder(state, placedEvent) as Order
  if (status === "placed" && command.review !== null) {
    const hold = reviewHold(command.review.reasons)
    const held: OrderEvent = { _tag: "Held", hold, at, note: hold.note }
    return accept([placedEvent, held], evolveOrder(placedOrder, held) as Order)
  }
  return accept([placedEvent], placedOrder)
}

const decideShip = (order: Order, command: CommandOf<"Ship">, at: string): OrderDecision => {
  if (order.status === "fulfilling") {
    const shipment = {
      shipment_id: command.shipment_id,
      status: "shipped" as const,
      carrier: command.carrier,
      tracking_number: command.tracking_number,
      events: [{ at, status: "shipped" as const, note: "handed to the carrier" }]
    }
    return emit(order, { _tag: "Shipped", shipment, at, note: `shipped with ${command.carrier}, tracking ${command.tracking_number}` })
  }
  const shipped = order.shipments[0]
  const same = shipped !== undefined && shipped.shipment_id === command.shipment_id && shipped.carrier === command.carrier && shipped.tracking_number === command.tracking_number
  return order.status === "shipped" && same ? unchanged(order) : forbidden(order, "Ship")
}

const decideReturn = (order: Order, command: CommandOf<"RequestReturn">, nowMs: number, at: string): OrderDecision => {
  const earlier = order.returns.find((r) => r.return_id === command.return_id)
  if (earlier !== undefined) return JSON.stringify(earlier.items) === JSON.stringify(command.items) ? unchanged(order) : forbidden(order, command._tag, "this return was requested with other items")
  if (order.status !== "delivered") return forbidden(order, command._tag, order.returns.length > 0 ? "an order takes one return" : "only a delivered order can be returned")
  for (const item of command.items) {
    const ordered = order.items.find((i) => i.sku_id === item.sku_id)?.quantity ?? 0
    if (item.quantity > ordered) return reject(new InvalidReturn({ reason: "invalid_return", sku_id: item.sku_id, ordered }))
  }
  const closesAtMs = (order.delivered_at_ms ?? nowMs) + orderLimits.returnWindowMs
  if (nowMs > closesAtMs) return reject(new ReturnWindowClosed({ reason: "return_window_closed", closed_at: new Date(closesAtMs).toISOString() }))
  return emit(order, { _tag: "ReturnRequested", return_id: command.return_id, items: command.items, at, note: `return ${command.return_id} requested` })
}

const decideRefund = (order: Order, command: CommandOf<"MarkRefunded">, at: string): OrderDecision => {
  const returnId = command.return_id ?? null
  const earlier = order.refunds.find((r) => r.refund_id === command.refund_id)
  if (earlier !== undefined) {
    return earlier.amount === command.amount && (returnId === null || earlier.return_id === returnId)
      ? unchanged(order)
      : reject(new OrderIdConflict({ reason: "refund_id_reused", id: command.refund_id }))
  }
  if (returnId !== null && !order.returns.some((r) => r.return_id === returnId)) return reject(new OrderIdConflict({ reason: "return_not_found", id: returnId }))
  const forReturn = order.status === "returned" && (returnId === null || order.returns.some((r) => r.return_id === returnId && r.status === "received"))
  const afterCancel = order.status === "cancelled" && returnId === null
  if (!forReturn && !afterCancel) return forbidden(order, command._tag, "refunds follow a received return or a cancellation")
  const refunded = order.refunds.reduce((sum, r) => sum + r.amount, 0)
  const refundable = order.totals.total - refunded
  if (command.amount > refundable) return reject(new OrderRefundRefused({ reason: "refund_exceeds_total", refundable }))
  if (order.refunds.length >= orderLimits.maxRefunds) return reject(new OrderRefundRefused({ reason: "refund_limit", refundable }))
  const refund = {
    refund_id: command.refund_id,
    amount: command.amount,
    status: "succeeded" as const,
    created_at: at,
    return_id: forReturn ? (order.returns[0]?.return_id ?? null) : null
  }
  return emit(order, { _tag: "Refunded", refund, at, note: `refunded ${command.amount} ${order.currency}` })
}

// Evolve

const withEntry = (order: Order, status: OrderStatus, at: string, entryNote: string, event: string): Order => {
  if (status !== order.status && !canMove(order.status, status)) throw new Error(`order ${order.order_id}: ${event} cannot move ${order.status} → ${status}`)
  return { ...order, status, timeline: [...order.timeline, { at, status, note: entryNote }], updated_at: at }
}

export const evolveOrder = (state: OrderState, event: OrderEvent): OrderState => {
  let next: Order
  if (event._tag === "Placed") {
    if (state.status !== "new") throw new Error(`order ${state.order_id}: Placed twice`)
    const { _tag, at, note: placedNote, status, review, ...placed } = event
    next = {
      ...placed,
      status,
      order_id: state.order_id,
      review: status === "pending_payment" ? review : null,
      hold: null,
      holds_total: 0,
      cancellation: null,
      shipments: [],
      refunds: [],
      returns: [],
      timeline: [{ at, status, note: placedNote }],
      delivered_at_ms: null,
      created_at: at,
      updated_at: at
    }
  } else {
    if (state.status === "new") throw new Error(`order ${state.order_id}: ${event._tag} before Placed`)
    const order = state
    switch (event._tag) {
      case "PaymentAuthorized":
        // A waiting review becomes the `Held` event decided with this one.
        next = { ...withEntry(order, "placed", event.at, event.note, event._tag), payment: event.payment, review: null }
        break
      case "PaymentFailed":
        next = { ...withEntry(order, "payment_failed", event.at, event.note, event._tag), payment: { ...order.payment, status: "failed" }, review: null }
        break
      case "PaymentRecorded":
        next = { ...order, payment: event.payment, updated_at: event.at }
        break
      case "Cancelled":
        next = { ...withEntry(order, "cancelled", event.at, event.note, event._tag), cancellation: event.cancellation, hold: null, review: null }
        break
      case "FulfilmentStarted":
        next = withEntry(order, "fulfilling", event.at, event.note, event._tag)
        break
      case "Shipped":
        next = { ...withEntry(order, "shipped", event.at, event.note, event._tag), shipments: [event.shipment] }
        break
      case "Delivered":
        next = {
          ...withEntry(order, "delivered", event.at, event.note, event._tag),
          delivered_at_ms: event.at_ms,
          shipments: order.shipments.map((s) => ({ ...s, status: "delivered" as const, events: [...s.events, { at: event.at, status: "delivered" as const, note: "delivered" }] }))
        }
        break
      case "Closed":
        next = withEntry(order, "closed", event.at, event.note, event._tag)
        break
      case "ReturnRequested":
        next = {
          ...withEntry(order, "return_requested", event.at, event.note, event._tag),
          returns: [...order.returns, { return_id: event.return_id, status: "requested", items: event.items, requested_at: event.at, refund_id: null }]
        }
        break
      case "ReturnReceived":
        next = {
          ...withEntry(order, "returned", event.at, event.note, event._tag),
          returns: order.returns.map((r) => (r.return_id === event.return_id ? { ...r, status: "received" as const } : r))
        }
        break
      case "Refunded": {
        const forReturn = event.refund.return_id !== null
        next = {
          ...withEntry(order, forReturn ? "refunded" : order.status, event.at, event.note, event._tag),
          refunds: [...order.refunds, event.refund],
          returns: order.returns.map((r) => (r.return_id === event.refund.return_id ? { ...r, status: "refunded" as const, refund_id: event.refund.refund_id } : r))
        }
        break
      }
      case "Held":
        if (event.hold.held_from !== order.status) throw new Error(`order ${order.order_id}: held from ${event.hold.held_from} while ${order.status}`)
        next = { ...withEntry(order, "exception", event.at, event.note, event._tag), hold: event.hold, holds_total: order.holds_total + 1, review: null }
        break
      case "HoldReleased":
        if (order.hold?.held_from !== event.to) throw new Error(`order ${order.order_id}: released to ${event.to}, held from ${order.hold?.held_from}`)
        next = { ...withEntry(order, event.to, event.at, event.note, event._tag), hold: null }
        break
    }
  }
  assertOrder(next)
  return next
}

export function assertOrder(order: Order) {
  const fail = (what: string) => {
    throw new Error(`order ${order.order_id}: ${what}`)
  }
  const problem = totalsProblem(order.items, order.totals, order.tax_inclusive)
  if (problem !== undefined) fail(problem)
  if (order.items.some((i) => i.line_total !== lineTotal(i))) fail("a line total is not unit price × quantity")
  const p = order.payment
  if (p.captured_amount > p.authorized_amount || p.refunded_amount > p.captured_amount) fail("payment amounts out of order")
  if (order.refunds.reduce((sum, r) => sum + r.amount, 0) > order.totals.total) fail("refunds above the total")
  if ((order.status === "exception") !== (order.hold !== null)) fail(`status ${order.status} with hold ${JSON.stringify(order.hold)}`)
  if ((order.status === "cancelled") !== (order.cancellation !== null)) fail(`status ${order.status} with cancellation ${order.cancellation !== null}`)
  if (order.review !== null && order.status !== "pending_payment") fail(`a review waiting while ${order.status}`)
  if (order.timeline.length > orderLimits.maxTimeline) fail(`${order.timeline.length} timeline entries`)
  if (order.timeline.at(-1)?.status !== order.status) fail("the last timeline entry is not the current status")
  if (order.holds_total > orderLimits.maxHolds) fail(`${order.holds_total} holds`)
}

export const order: ActorDefinition<OrderState, OrderCommand, OrderEvent, Order, OrderRejection> = {
  name: "order",
  state: OrderState,
  command: OrderCommand,
  event: OrderEvent,
  reply: Order,
  rejection: OrderRejection,
  initialState: (id) => ({ status: "new", order_id: id }),
  decide: decideOrder,
  evolve: evolveOrder,
  limits: { mailboxCapacity: 64, snapshotEveryEvents: 20 }
}
