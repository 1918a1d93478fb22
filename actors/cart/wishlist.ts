import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker, InvalidCommand, ProductId, Rfc3339Utc, SkuId, wishlistLimits } from "./fields.ts"

/**
 * Actor "wishlist", id = the user id. SKUs a shopper saved for later, newest first. Current
 * price and stock are joined in by the gateway on read; "move to cart" is the gateway sending
 * `AddItem` to the cart and then `Remove` here.
 */

export const WishlistItem = Schema.Struct({ sku_id: SkuId, product_id: ProductId, added_at: Rfc3339Utc })
export type WishlistItem = typeof WishlistItem.Type

export const Wishlist = Schema.Struct({
  user_id: Schema.String,
  /** Newest first (by when the add was accepted); distinct `sku_id`. */
  items: Schema.Array(WishlistItem).pipe(Schema.maxItems(wishlistLimits.maxItems))
})
export type Wishlist = typeof Wishlist.Type

export const WishlistCommand = Schema.Union(
  Schema.TaggedStruct("Add", { sku_id: SkuId, product_id: ProductId, added_at: Rfc3339Utc }),
  Schema.TaggedStruct("Remove", { sku_id: SkuId }),
  Schema.TaggedStruct("Get", {})
)
export type WishlistCommand = typeof WishlistCommand.Type

export const WishlistEvent = Schema.Union(
  Schema.TaggedStruct("Added", { sku_id: SkuId, product_id: ProductId, added_at: Rfc3339Utc }),
  Schema.TaggedStruct("Removed", { sku_id: SkuId })
)
export type WishlistEvent = typeof WishlistEvent.Type

/** A new SKU beyond `wishlistLimits.maxItems`. Map to 422 `wishlist_limit`. */
export class WishlistLimit extends Schema.TaggedError<WishlistLimit>()("WishlistLimit", {
  reason: Schema.Literal("wishlist_limit"),
  limit: Schema.Number
}) {}

export const WishlistRejection = Schema.Union(InvalidCommand, WishlistLimit)
export type WishlistRejection = typeof WishlistRejection.Type

const checkCommand = commandChecker(WishlistCommand)

export const decideWishlist = (state: Wishlist, command: WishlistCommand): Decision<WishlistEvent, Wishlist, WishlistRejection> => {
  const invalid = checkCommand(command)
  if (invalid !== undefined) return reject(invalid)
  const has = (skuId: string) => state.items.some((i) => i.sku_id === skuId)
  switch (command._tag) {
    case "Get":
      return accept([], state)
    case "Add": {
      // Already there (a retry, or a second click): keep the first add and its place.
      if (has(command.sku_id)) return accept([], state)
      if (state.items.length >= wishlistLimits.maxItems) return reject(new WishlistLimit({ reason: "wishlist_limit", limit: wishlistLimits.maxItems }))
      const { _tag, ...item } = command
      const event: WishlistEvent = { _tag: "Added", ...item }
      return accept([event], evolveWishlist(state, event))
    }
    case "Remove": {
      if (!has(command.sku_id)) return accept([], state)
      const event: WishlistEvent = { _tag: "Removed", sku_id: command.sku_id }
      return accept([event], evolveWishlist(state, event))
    }
  }
}

export const evolveWishlist = (state: Wishlist, event: WishlistEvent): Wishlist => {
  let next: Wishlist
  switch (event._tag) {
    case "Added": {
      const { _tag, ...item } = event
      next = { ...state, items: [item, ...state.items] }
      break
    }
    case "Removed":
      next = { ...state, items: state.items.filter((i) => i.sku_id !== event.sku_id) }
      break
  }
  if (next.items.length > wishlistLimits.maxItems) throw new Error(`wishlist ${state.user_id}: ${next.items.length} items`)
  if (new Set(next.items.map((i) => i.sku_id)).size !== next.items.length) throw new Error(`wishlist ${state.user_id}: duplicate sku_id`)
  return next
}

export const wishlist: ActorDefinition<Wishlist, WishlistCommand, WishlistEvent, Wishlist, WishlistRejection> = {
  name: "wishlist",
  state: Wishlist,
  command: WishlistCommand,
  event: WishlistEvent,
  reply: Wishlist,
  rejection: WishlistRejection,
  initialState: (id) => ({ user_id: id, items: [] }),
  decide: (state, command) => decideWishlist(state, command),
  evolve: evolveWishlist,
  limits: { mailboxCapacity: 64, snapshotEveryEvents: 100 }
}
