import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import {
  CartId,
  cartLimits,
  commandChecker,
  Currency,
  InvalidCommand,
  OrderId,
  OwnerId,
  ProductId,
  ProductTitle,
  Quantity,
  QuantityOrZero,
  SkuId,
  UnitPrice
} from "./fields.ts"

/**
 * Actor "cart", id = the cart id (`cart_…`, ≥ 96 random bits, chosen by the gateway).
 *
 * A shopper's basket: lines of SKUs with a quantity and the unit price seen when the line was
 * added (the snapshot `revalidate` compares current prices against). The cart belongs to one
 * `owner` (a user id or an anonymous session id); the gateway checks the caller against it.
 * Prices and titles come in the commands: the gateway looks them up, the actor never does.
 * Adding never reserves stock (the gateway refuses `out_of_stock` before sending `AddItem`).
 *
 * Limits: 100 lines, 1..100 units per line, one currency per cart.
 */

export const CartLine = Schema.Struct({
  sku_id: SkuId,
  product_id: ProductId,
  title: ProductTitle,
  quantity: Quantity,
  /** Unit price when the line was last added to (refreshed by `AddItem`, kept by `Merge` and `SetQuantity`). */
  unit_price: UnitPrice
})
export type CartLine = typeof CartLine.Type

/** Units a `Merge` could not take, and why. */
export const DroppedQuantity = Schema.Struct({
  sku_id: SkuId,
  quantity: Quantity,
  reason: Schema.Literal("quantity_limit", "cart_limit", "currency_mismatch")
})
export type DroppedQuantity = typeof DroppedQuantity.Type

export const RememberedMerge = Schema.Struct({ from_cart_id: CartId, dropped: Schema.Array(DroppedQuantity).pipe(Schema.maxItems(cartLimits.maxLines)) })

export const Cart = Schema.Struct({
  status: Schema.Literal("open"),
  cart_id: CartId,
  owner: OwnerId,
  /** The store currency at `Open`; every price in the cart is in it. */
  currency: Currency,
  /** In the order they were first added. */
  lines: Schema.Array(CartLine).pipe(Schema.maxItems(cartLimits.maxLines)),
  /** Orders that emptied the cart, most recent last (for idempotent `Clear`). */
  cleared_order_ids: Schema.Array(OrderId).pipe(Schema.maxItems(cartLimits.maxRememberedOrders)),
  /** Anonymous carts merged in, most recent last, with what they dropped (for idempotent `Merge`). */
  merges: Schema.Array(RememberedMerge).pipe(Schema.maxItems(cartLimits.maxRememberedMerges))
})
export type Cart = typeof Cart.Type

/** Before `Open`: the id exists only as an address. */
export const NewCart = Schema.Struct({ status: Schema.Literal("new"), cart_id: Schema.String })
export type NewCart = typeof NewCart.Type

export const CartState = Schema.Union(NewCart, Cart)
export type CartState = typeof CartState.Type

export const Open = Schema.TaggedStruct("Open", { owner: OwnerId, currency: Currency })
export const AddItem = Schema.TaggedStruct("AddItem", {
  sku_id: SkuId,
  product_id: ProductId,
  title: ProductTitle,
  quantity: Quantity,
  unit_price: UnitPrice,
  currency: Currency,
  /**
   * `Open` first, in the same decision (a shopper's first add: one command instead of two). An
   * open cart of another owner is refused as `Open` refuses it; one opened in another currency
   * is added to as it is (the add itself then checks the currency).
   */
  open: Schema.optional(Schema.Struct({ owner: OwnerId, currency: Currency }))
})
export const SetQuantity = Schema.TaggedStruct("SetQuantity", { sku_id: SkuId, quantity: QuantityOrZero })
export const RemoveItem = Schema.TaggedStruct("RemoveItem", { sku_id: SkuId })
export const MergeLine = Schema.Struct({
  sku_id: SkuId,
  product_id: ProductId,
  title: ProductTitle,
  quantity: Quantity,
  unit_price: UnitPrice,
  currency: Currency
})
export type MergeLine = typeof MergeLine.Type
export const Merge = Schema.TaggedStruct("Merge", {
  /** The anonymous cart being merged in: the idempotency key of the merge. */
  from_cart_id: CartId,
  from_lines: Schema.Array(MergeLine).pipe(
    Schema.maxItems(cartLimits.maxLines),
    Schema.filter((lines) => new Set(lines.map((l) => l.sku_id)).size === lines.length, { message: () => "from_lines must have distinct sku_id" })
  )
})
export const Clear = Schema.TaggedStruct("Clear", { order_id: OrderId })
export const GetCart = Schema.TaggedStruct("Get", {})

export const CartCommand = Schema.Union(Open, AddItem, SetQuantity, RemoveItem, Merge, Clear, GetCart)
export type CartCommand = typeof CartCommand.Type

export const CartEvent = Schema.Union(
  Schema.TaggedStruct("Opened", { owner: OwnerId, currency: Currency }),
  /** `quantity` units added to the line (created if new); the snapshot fields replace the line's. */
  Schema.TaggedStruct("ItemAdded", { sku_id: SkuId, product_id: ProductId, title: ProductTitle, quantity: Quantity, unit_price: UnitPrice }),
  Schema.TaggedStruct("QuantitySet", { sku_id: SkuId, quantity: Quantity }),
  Schema.TaggedStruct("ItemRemoved", { sku_id: SkuId }),
  /** `added` units go to existing lines (keeping their snapshot) or new lines; `dropped` did not fit. */
  Schema.TaggedStruct("Merged", {
    from_cart_id: CartId,
    added: Schema.Array(CartLine).pipe(Schema.maxItems(cartLimits.maxLines)),
    dropped: Schema.Array(DroppedQuantity).pipe(Schema.maxItems(cartLimits.maxLines))
  }),
  Schema.TaggedStruct("Cleared", { order_id: OrderId })
)
export type CartEvent = typeof CartEvent.Type

/** Every command replies the cart; `dropped` is what a `Merge` could not take (empty otherwise). */
export const CartReply = Schema.Struct({ cart: Cart, dropped: Schema.Array(DroppedQuantity) })
export type CartReply = typeof CartReply.Type

/** Any command but `Open` on a cart never opened. Map to 404. */
export class CartNotFound extends Schema.TaggedError<CartNotFound>()("CartNotFound", {
  reason: Schema.Literal("not_found")
}) {}
/** `Open` of an existing cart for another owner. Map to 404 (someone else's cart). */
export class CartOwnerMismatch extends Schema.TaggedError<CartOwnerMismatch>()("CartOwnerMismatch", {
  reason: Schema.Literal("owner_mismatch")
}) {}
/** `Open` or `AddItem` in another currency than the cart's. Map to 409 `conflict`. */
export class CartCurrencyMismatch extends Schema.TaggedError<CartCurrencyMismatch>()("CartCurrencyMismatch", {
  reason: Schema.Literal("currency_mismatch"),
  currency: Currency
}) {}
/** A line would go past `cartLimits.maxQuantity` units. Map to 422 `quantity_limit`. */
export class QuantityLimit extends Schema.TaggedError<QuantityLimit>()("QuantityLimit", {
  reason: Schema.Literal("quantity_limit"),
  sku_id: SkuId,
  /** Units in the line now. */
  quantity: Schema.Number,
  limit: Schema.Number
}) {}
/** A line beyond `cartLimits.maxLines`. Map to 422 `cart_limit`. */
export class CartLimit extends Schema.TaggedError<CartLimit>()("CartLimit", {
  reason: Schema.Literal("cart_limit"),
  limit: Schema.Number
}) {}
/** `SetQuantity` > 0 for a SKU not in the cart. Map to 404. */
export class NotInCart extends Schema.TaggedError<NotInCart>()("NotInCart", {
  reason: Schema.Literal("not_in_cart"),
  sku_id: SkuId
}) {}

export const CartRejection = Schema.Union(InvalidCommand, CartNotFound, CartOwnerMismatch, CartCurrencyMismatch, QuantityLimit, CartLimit, NotInCart)
export type CartRejection = typeof CartRejection.Type

type CartDecision = Decision<CartEvent, CartReply, CartRejection>

const checkCommand = commandChecker(CartCommand)
const isCartId = Schema.is(CartId)

const notFound = () => reject(new CartNotFound({ reason: "not_found" }))
const lineOf = (cart: Cart, skuId: string) => cart.lines.find((l) => l.sku_id === skuId)
const replyOf = (cart: Cart, dropped: ReadonlyArray<DroppedQuantity> = []): CartReply => ({ cart, dropped })

export const decideCart = (state: CartState, command: CartCommand): CartDecision => {
  const invalid = checkCommand(command)
  if (invalid !== undefined) return reject(invalid)
  if (command._tag === "Open") {
    if (!isCartId(state.cart_id)) throw new Error(`cart actor id "${state.cart_id}" is not a cart id (cart_ + ≥ 96 random bits)`)
    if (state.status === "open") {
      if (state.owner !== command.owner) return reject(new CartOwnerMismatch({ reason: "owner_mismatch" }))
      if (state.currency !== command.currency) return reject(new CartCurrencyMismatch({ reason: "currency_mismatch", currency: state.currency }))
      return accept([], replyOf(state))
    }
    return acceptWith(state, { _tag: "Opened", owner: command.owner, currency: command.currency })
  }
  if (command._tag === "AddItem" && command.open !== undefined) return openThenAdd(state, command, command.open)
  if (state.status === "new") return notFound()
  switch (command._tag) {
    case "Get":
      return accept([], replyOf(state))
    case "AddItem": {
      if (command.currency !== state.currency) return reject(new CartCurrencyMismatch({ reason: "currency_mismatch", currency: state.currency }))
      const line = lineOf(state, command.sku_id)
      if (line === undefined && state.lines.length >= cartLimits.maxLines) return reject(new CartLimit({ reason: "cart_limit", limit: cartLimits.maxLines }))
      if (line !== undefined && line.quantity + command.quantity > cartLimits.maxQuantity) {
        return reject(new QuantityLimit({ reason: "quantity_limit", sku_id: line.sku_id, quantity: line.quantity, limit: cartLimits.maxQuantity }))
      }
      const { _tag, currency: _currency, open: _open, ...item } = command
      return acceptWith(state, { _tag: "ItemAdded", ...item })
    }
    case "SetQuantity": {
      const line = lineOf(state, command.sku_id)
      if (command.quantity === 0) return line === undefined ? accept([], replyOf(state)) : acceptWith(state, { _tag: "ItemRemoved", sku_id: command.sku_id })
      if (line === undefined) return reject(new NotInCart({ reason: "not_in_cart", sku_id: command.sku_id }))
      if (line.quantity === command.quantity) return accept([], replyOf(state))
      return acceptWith(state, { _tag: "QuantitySet", sku_id: command.sku_id, quantity: command.quantity })
    }
    case "RemoveItem":
      return lineOf(state, command.sku_id) === undefined ? accept([], replyOf(state)) : acceptWith(state, { _tag: "ItemRemoved", sku_id: command.sku_id })
    case "Merge": {
      if (command.from_cart_id === state.cart_id) return reject(new InvalidCommand({ reason: "invalid_command", message: "a cart cannot be merged into itself" }))
      const earlier = state.merges.find((m) => m.from_cart_id === command.from_cart_id)
      if (earlier !== undefined) return accept([], replyOf(state, earlier.dropped))
      const event = planMerge(state, command.from_cart_id, command.from_lines)
      return acceptWith(state, event, event.dropped)
    }
    case "Clear":
      return state.cleared_order_ids.includes(command.order_id) ? accept([], replyOf(state)) : acceptWith(state, { _tag: "Cleared", order_id: command.order_id })
  }
}

/** `Open` (as its own command would), then the add on the cart that leads to; the events of both, or the first rejection. */
const openThenAdd = (state: CartState, command: Extract<CartCommand, { _tag: "AddItem" }>, open: { owner: string; currency: string }): CartDecision => {
  const { open: _open, ...add } = command
  const opened = decideCart(state, { _tag: "Open", ...open })
  if (opened._tag === "Reject") return opened.rejection.reason === "currency_mismatch" ? decideCart(state, add) : opened
  const openedState = opened.events.reduce<CartState>(evolveCart, state)
  const added = decideCart(openedState, add)
  return added._tag === "Reject" ? added : accept([...opened.events, ...added.events], added.reply)
}

/**
 * Merge an anonymous cart's lines into this one, in the order given. Quantities of a SKU already
 * here add up, capped at `maxQuantity` (the rest is dropped as `quantity_limit`); a new SKU
 * takes a free line while there is one (otherwise the whole line is dropped as `cart_limit`);
 * a line in another currency is dropped as `currency_mismatch`. Existing lines keep their
 * price snapshot; new lines bring the anonymous cart's.
 */
export const planMerge = (cart: Cart, fromCartId: string, fromLines: ReadonlyArray<MergeLine>): Extract<CartEvent, { _tag: "Merged" }> => {
  const added: Array<CartLine> = []
  const dropped: Array<DroppedQuantity> = []
  let lineCount = cart.lines.length
  for (const from of fromLines) {
    const { currency, ...line } = from
    if (currency !== cart.currency) {
      dropped.push({ sku_id: from.sku_id, quantity: from.quantity, reason: "currency_mismatch" })
      continue
    }
    const existing = lineOf(cart, from.sku_id)
    if (existing === undefined) {
      if (lineCount >= cartLimits.maxLines) {
        dropped.push({ sku_id: from.sku_id, quantity: from.quantity, reason: "cart_limit" })
      } else {
        added.push(line)
        lineCount += 1
      }
      continue
    }
    const room = cartLimits.maxQuantity - existing.quantity
    const taken = Math.min(room, from.quantity)
    if (taken > 0) added.push({ ...existing, quantity: taken })
    if (taken < from.quantity) dropped.push({ sku_id: from.sku_id, quantity: from.quantity - taken, reason: "quantity_limit" })
  }
  return { _tag: "Merged", from_cart_id: fromCartId, added, dropped }
}

/** Accept one event and reply the cart it leads to. */
const acceptWith = (state: CartState, event: CartEvent, dropped: ReadonlyArray<DroppedQuantity> = []): CartDecision =>
  accept([event], replyOf(evolveCart(state, event) as Cart, dropped))

const keepLast = <A>(items: ReadonlyArray<A>, max: number): ReadonlyArray<A> => (items.length > max ? items.slice(items.length - max) : items)

export const evolveCart = (state: CartState, event: CartEvent): CartState => {
  let next: Cart
  if (event._tag === "Opened") {
    if (state.status !== "new") throw new Error(`cart ${state.cart_id}: Opened twice`)
    next = { status: "open", cart_id: state.cart_id, owner: event.owner, currency: event.currency, lines: [], cleared_order_ids: [], merges: [] }
  } else {
    if (state.status !== "open") throw new Error(`cart ${state.cart_id}: ${event._tag} before Opened`)
    switch (event._tag) {
      case "ItemAdded": {
        const { _tag, ...added } = event
        next = { ...state, lines: addToLines(state.lines, added, "refresh") }
        break
      }
      case "QuantitySet":
        if (lineOf(state, event.sku_id) === undefined) throw new Error(`cart ${state.cart_id}: QuantitySet for ${event.sku_id} not in the cart`)
        next = { ...state, lines: state.lines.map((l) => (l.sku_id === event.sku_id ? { ...l, quantity: event.quantity } : l)) }
        break
      case "ItemRemoved":
        next = { ...state, lines: state.lines.filter((l) => l.sku_id !== event.sku_id) }
        break
      case "Merged": {
        let lines = state.lines
        for (const added of event.added) lines = addToLines(lines, added, "keep")
        const merges = keepLast([...state.merges, { from_cart_id: event.from_cart_id, dropped: event.dropped }], cartLimits.maxRememberedMerges)
        next = { ...state, lines, merges }
        break
      }
      case "Cleared":
        next = { ...state, lines: [], cleared_order_ids: keepLast([...state.cleared_order_ids, event.order_id], cartLimits.maxRememberedOrders) }
        break
    }
  }
  assertCart(next)
  return next
}

/** Add units to a line (appending it if new); `refresh` replaces the snapshot with the added one's. */
const addToLines = (lines: ReadonlyArray<CartLine>, added: CartLine, snapshot: "refresh" | "keep"): ReadonlyArray<CartLine> => {
  const index = lines.findIndex((l) => l.sku_id === added.sku_id)
  if (index < 0) return [...lines, added]
  return lines.map((l, i) => {
    if (i !== index) return l
    const quantity = l.quantity + added.quantity
    return snapshot === "refresh" ? { ...added, quantity } : { ...l, quantity }
  })
}

export function assertCart(cart: Cart) {
  const fail = (what: string) => {
    throw new Error(`cart ${cart.cart_id}: ${what}`)
  }
  if (cart.lines.length > cartLimits.maxLines) fail(`${cart.lines.length} lines`)
  if (new Set(cart.lines.map((l) => l.sku_id)).size !== cart.lines.length) fail("duplicate sku_id")
  for (const line of cart.lines) {
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > cartLimits.maxQuantity) fail(`quantity ${line.quantity} for ${line.sku_id}`)
  }
  if (cart.cleared_order_ids.length > cartLimits.maxRememberedOrders) fail(`${cart.cleared_order_ids.length} remembered orders`)
  if (cart.merges.length > cartLimits.maxRememberedMerges) fail(`${cart.merges.length} remembered merges`)
}

export const cart: ActorDefinition<CartState, CartCommand, CartEvent, CartReply, CartRejection> = {
  name: "cart",
  state: CartState,
  command: CartCommand,
  event: CartEvent,
  reply: CartReply,
  rejection: CartRejection,
  initialState: (id) => ({ status: "new", cart_id: id }),
  decide: (state, command) => decideCart(state, command),
  evolve: evolveCart,
  limits: { mailboxCapacity: 64, snapshotEveryEvents: 100 }
}
