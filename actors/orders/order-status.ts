import { Schema } from "effect"

/**
 * The order state machine of API.md as data: every status and the statuses it may move to.
 * `exception` holds an order for an operator (fraud review, a failed fulfilment); releasing the
 * hold returns it to the status it was held from, and an operator may cancel it if that status
 * could be cancelled. `evolve` refuses any other move, so a journal cannot describe one.
 */

export const OrderStatus = Schema.Literal(
  "pending_payment",
  "placed",
  "fulfilling",
  "shipped",
  "delivered",
  "closed",
  "cancelled",
  "payment_failed",
  "return_requested",
  "returned",
  "refunded",
  "exception"
)
export type OrderStatus = typeof OrderStatus.Type

export const orderStatuses: ReadonlyArray<OrderStatus> = OrderStatus.literals

/** Statuses an order may be held from (and is released back to). */
export const holdableStatuses: ReadonlyArray<OrderStatus> = ["placed", "fulfilling", "shipped", "delivered", "return_requested", "returned"]

/** Until it ships an order may be cancelled: the payment is voided or refunded and the stock returned. */
export const cancellableStatuses: ReadonlyArray<OrderStatus> = ["pending_payment", "placed", "fulfilling"]

export const orderTransitions: Readonly<Record<OrderStatus, ReadonlyArray<OrderStatus>>> = {
  pending_payment: ["placed", "payment_failed", "cancelled"],
  placed: ["fulfilling", "cancelled", "exception"],
  fulfilling: ["shipped", "cancelled", "exception"],
  shipped: ["delivered", "exception"],
  delivered: ["closed", "return_requested", "exception"],
  return_requested: ["returned", "exception"],
  returned: ["refunded", "exception"],
  refunded: ["closed"],
  exception: [...holdableStatuses, "cancelled"],
  closed: [],
  cancelled: [],
  payment_failed: []
}

export const canMove = (from: OrderStatus, to: OrderStatus): boolean => orderTransitions[from].includes(to)

export const isTerminal = (status: OrderStatus): boolean => orderTransitions[status].length === 0
