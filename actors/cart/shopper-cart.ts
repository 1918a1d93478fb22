import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { CartId, commandChecker, InvalidCommand } from "./fields.ts"

/**
 * Actor "shopper-cart", id = the shopper: a user id (`u_…`) or an anonymous shopper
 * (`anon_…`, derived by the gateway from the cart token it handed out). Which cart the shopper
 * has: one cart for life, so an order that empties the cart leaves its `cart_id` unchanged.
 *
 * `Assign` is create-if-absent: the gateway mints a fresh cart id with every `Assign` (randomness
 * lives at the edge) and the first one wins; later ones are answered with the cart already there.
 * An anonymous shopper's cart is `Retire`d once it has been merged into an account at sign-in:
 * its token then leads nowhere (no second merge of a cart that may have changed since, no access
 * to a cart that now lives on in the account).
 */

export const ShopperCart = Schema.Struct({
  shopper: Schema.String,
  /** null until the first `Assign`. */
  cart_id: Schema.NullOr(CartId),
  /** The account cart this (anonymous) cart was merged into; null while it is in use. */
  merged_into: Schema.NullOr(CartId)
})
export type ShopperCart = typeof ShopperCart.Type

export const ShopperCartCommand = Schema.Union(
  Schema.TaggedStruct("Assign", { cart_id: CartId }),
  Schema.TaggedStruct("Retire", { merged_into: CartId }),
  Schema.TaggedStruct("Get", {})
)
export type ShopperCartCommand = typeof ShopperCartCommand.Type

export const ShopperCartEvent = Schema.Union(
  Schema.TaggedStruct("CartAssigned", { cart_id: CartId }),
  Schema.TaggedStruct("CartRetired", { merged_into: CartId })
)
export type ShopperCartEvent = typeof ShopperCartEvent.Type

/** `Assign` after `Retire`: the shopper's cart was merged into an account. Map to 404. */
export class CartRetired extends Schema.TaggedError<CartRetired>()("CartRetired", {
  reason: Schema.Literal("cart_retired"),
  merged_into: CartId
}) {}

/** `Retire` before any cart was assigned. Map to 404. */
export class NoCart extends Schema.TaggedError<NoCart>()("NoCart", {
  reason: Schema.Literal("no_cart")
}) {}

export const ShopperCartRejection = Schema.Union(InvalidCommand, CartRetired, NoCart)
export type ShopperCartRejection = typeof ShopperCartRejection.Type

const checkCommand = commandChecker(ShopperCartCommand)

export const decideShopperCart = (state: ShopperCart, command: ShopperCartCommand): Decision<ShopperCartEvent, ShopperCart, ShopperCartRejection> => {
  const invalid = checkCommand(command)
  if (invalid !== undefined) return reject(invalid)
  switch (command._tag) {
    case "Get":
      return accept([], state)
    case "Assign": {
      if (state.merged_into !== null) return reject(new CartRetired({ reason: "cart_retired", merged_into: state.merged_into }))
      if (state.cart_id !== null) return accept([], state)
      const event: ShopperCartEvent = { _tag: "CartAssigned", cart_id: command.cart_id }
      return accept([event], evolveShopperCart(state, event))
    }
    case "Retire": {
      if (state.cart_id === null) return reject(new NoCart({ reason: "no_cart" }))
      // A retry of the same retirement, or a second sign-in with the same token: already done.
      if (state.merged_into !== null) return accept([], state)
      if (command.merged_into === state.cart_id) return reject(new InvalidCommand({ reason: "invalid_command", message: "a cart cannot be merged into itself" }))
      const event: ShopperCartEvent = { _tag: "CartRetired", merged_into: command.merged_into }
      return accept([event], evolveShopperCart(state, event))
    }
  }
}

export const evolveShopperCart = (state: ShopperCart, event: ShopperCartEvent): ShopperCart => {
  switch (event._tag) {
    case "CartAssigned":
      if (state.cart_id !== null) throw new Error(`shopper-cart ${state.shopper}: a second cart assigned`)
      return { ...state, cart_id: event.cart_id }
    case "CartRetired":
      if (state.cart_id === null || state.merged_into !== null) throw new Error(`shopper-cart ${state.shopper}: retired without a cart in use`)
      return { ...state, merged_into: event.merged_into }
  }
}

export const shopperCart: ActorDefinition<ShopperCart, ShopperCartCommand, ShopperCartEvent, ShopperCart, ShopperCartRejection> = {
  name: "shopper-cart",
  state: ShopperCart,
  command: ShopperCartCommand,
  event: ShopperCartEvent,
  reply: ShopperCart,
  rejection: ShopperCartRejection,
  initialState: (id) => ({ shopper: id, cart_id: null, merged_into: null }),
  decide: (state, command) => decideShopperCart(state, command),
  evolve: evolveShopperCart,
  // Two events in a shopper's life at most: snapshots only on passivation matter.
  limits: { mailboxCapacity: 64, snapshotEveryEvents: 100 }
}
