import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker, InvalidCommand } from "../cart/fields.ts"
import { Currency } from "../payments/fields.ts"
import { Money, OrderId } from "./fields.ts"
import type { Order } from "./order-schema.ts"
import { OrderStatus } from "./order-status.ts"
import { orderSummaryOf } from "./order-view.ts"

/**
 * Actor "order-index", id = the user id: the shopper's orders, newest first, for
 * `GET /v1/orders?cursor=&limit=`. The order saga (or a projection of order events) sends
 * `Record` with the order's summary after each transition; `version` (the order's timeline
 * length) orders the updates, so a late one never overwrites a newer one.
 *
 * Sorted by (created_at, order_id), newest first. The cursor names the last row of a page, so
 * pages stay stable while new orders arrive at the top. Bounded: the newest
 * `orderIndexLimits.maxOrders` orders are listed; older ones drop off the end (they remain
 * readable by id).
 */

export const orderIndexLimits = {
  /** Orders listed per shopper; the oldest drop off beyond it. */
  maxOrders: 1_000,
  /** Largest `limit` of one page. */
  maxPageSize: 100
} as const

/** `toISOString()` output exactly, so the strings sort as the instants do. */
export const IsoMillis = Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/))

export const OrderIndexEntry = Schema.Struct({
  order_id: OrderId,
  status: OrderStatus,
  total: Money,
  currency: Currency,
  created_at: IsoMillis,
  item_count: Schema.Number.pipe(Schema.int(), Schema.between(1, 10_000)),
  version: Schema.Number.pipe(Schema.int(), Schema.between(1, Number.MAX_SAFE_INTEGER))
})
export type OrderIndexEntry = typeof OrderIndexEntry.Type

export const OrderIndex = Schema.Struct({
  user_id: Schema.String,
  /** Newest first. */
  orders: Schema.Array(OrderIndexEntry).pipe(Schema.maxItems(orderIndexLimits.maxOrders))
})
export type OrderIndex = typeof OrderIndex.Type

export const Cursor = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,200}$/))

export const OrderIndexCommand = Schema.Union(
  Schema.TaggedStruct("Record", { entry: OrderIndexEntry }),
  Schema.TaggedStruct("List", { cursor: Schema.NullOr(Cursor), limit: Schema.Number.pipe(Schema.int(), Schema.between(1, orderIndexLimits.maxPageSize)) })
)
export type OrderIndexCommand = typeof OrderIndexCommand.Type

export const OrderIndexEvent = Schema.Union(Schema.TaggedStruct("Recorded", { entry: OrderIndexEntry }))
export type OrderIndexEvent = typeof OrderIndexEvent.Type

export const OrderListItem = Schema.Struct({
  order_id: OrderId,
  status: OrderStatus,
  total: Money,
  currency: Currency,
  created_at: IsoMillis,
  item_count: Schema.Number
})

export const OrderIndexReply = Schema.Union(
  Schema.TaggedStruct("Page", { orders: Schema.Array(OrderListItem), next_cursor: Schema.NullOr(Cursor) }),
  Schema.TaggedStruct("Recorded", { order_id: OrderId })
)
export type OrderIndexReply = typeof OrderIndexReply.Type

/** A cursor this index did not make. Map to 400 `invalid_request`. */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {
  reason: Schema.Literal("invalid_cursor")
}) {}

export const OrderIndexRejection = Schema.Union(InvalidCommand, InvalidCursor)
export type OrderIndexRejection = typeof OrderIndexRejection.Type

type IndexDecision = Decision<OrderIndexEvent, OrderIndexReply, OrderIndexRejection>

/** The entry `Record` takes for an order in its current state. */
export const indexEntryOf = (order: Order): OrderIndexEntry => ({ ...orderSummaryOf(order), order_id: order.order_id as OrderIndexEntry["order_id"], version: order.timeline.length })

interface Key {
  readonly created_at: string
  readonly order_id: string
}

/** Newest first: later `created_at` first, then larger `order_id`. Negative when `a` lists before `b`. */
const compare = (a: Key, b: Key) =>
  a.created_at !== b.created_at ? (a.created_at > b.created_at ? -1 : 1) : a.order_id === b.order_id ? 0 : a.order_id > b.order_id ? -1 : 1

export const encodeCursor = (key: Key) => Buffer.from(`${key.created_at}|${key.order_id}`, "utf8").toString("base64url")

const isIsoMillis = Schema.is(IsoMillis)
const isOrderId = Schema.is(OrderId)

export const decodeCursor = (cursor: string): Key | undefined => {
  const text = Buffer.from(cursor, "base64url").toString("utf8")
  const bar = text.indexOf("|")
  const key = { created_at: text.slice(0, bar), order_id: text.slice(bar + 1) }
  return bar > 0 && isIsoMillis(key.created_at) && isOrderId(key.order_id) && encodeCursor(key) === cursor ? key : undefined
}

const checkCommand = commandChecker(OrderIndexCommand)

export const decideOrderIndex = (state: OrderIndex, command: OrderIndexCommand): IndexDecision => {
  const problem = checkCommand(command)
  if (problem !== undefined) return reject(problem)
  switch (command._tag) {
    case "Record": {
      const { entry } = command
      const recorded = { _tag: "Recorded", order_id: entry.order_id } as const
      const known = state.orders.find((o) => o.order_id === entry.order_id)
      if (known !== undefined && known.version >= entry.version) return accept([], recorded)
      const oldest = state.orders.at(-1)
      // A new order older than every listed one of a full index would drop off at once.
      if (known === undefined && state.orders.length >= orderIndexLimits.maxOrders && oldest !== undefined && compare(entry, oldest) > 0) {
        return accept([], recorded)
      }
      return accept([{ _tag: "Recorded", entry }], recorded)
    }
    case "List": {
      let start = 0
      if (command.cursor !== null) {
        const after = decodeCursor(command.cursor)
        if (after === undefined) return reject(new InvalidCursor({ reason: "invalid_cursor" }))
        start = state.orders.findIndex((o) => compare(o, after) > 0)
        if (start < 0) start = state.orders.length
      }
      const page = state.orders.slice(start, start + command.limit)
      const last = page.at(-1)
      const more = start + page.length < state.orders.length
      return accept([], {
        _tag: "Page",
        orders: page.map(({ version: _version, ...row }) => row),
        next_cursor: more && last !== undefined ? encodeCursor(last) : null
      })
    }
  }
}

export const evolveOrderIndex = (state: OrderIndex, event: OrderIndexEvent): OrderIndex => {
  const rest = state.orders.filter((o) => o.order_id !== event.entry.order_id)
  const at = rest.findIndex((o) => compare(event.entry, o) < 0)
  const orders = at < 0 ? [...rest, event.entry] : [...rest.slice(0, at), event.entry, ...rest.slice(at)]
  const next = { ...state, orders: orders.slice(0, orderIndexLimits.maxOrders) }
  for (let i = 1; i < next.orders.length; i++) {
    if (compare(next.orders[i - 1]!, next.orders[i]!) >= 0) throw new Error(`order-index ${state.user_id}: not sorted newest first at ${i}`)
  }
  return next
}

export const orderIndex: ActorDefinition<OrderIndex, OrderIndexCommand, OrderIndexEvent, OrderIndexReply, OrderIndexRejection> = {
  name: "order-index",
  state: OrderIndex,
  command: OrderIndexCommand,
  event: OrderIndexEvent,
  reply: OrderIndexReply,
  rejection: OrderIndexRejection,
  initialState: (id) => ({ user_id: id, orders: [] }),
  decide: (state, command) => decideOrderIndex(state, command),
  evolve: evolveOrderIndex,
  limits: { mailboxCapacity: 128, snapshotEveryEvents: 200 }
}
