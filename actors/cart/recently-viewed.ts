import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker, InvalidCommand, ProductId, recentlyViewedLimits, Rfc3339Utc } from "./fields.ts"

/**
 * Actor "recently-viewed", id = the user id. The products a shopper looked at, most recent
 * first, de-duplicated (viewing again moves a product to the front) and bounded: the least
 * recently viewed falls off. Order is by arrival of `Viewed`, not by `at` (a late, older view
 * still moves its product to the front; the list answers "what did they just look at").
 */

export const ViewedProduct = Schema.Struct({ product_id: ProductId, at: Rfc3339Utc })
export type ViewedProduct = typeof ViewedProduct.Type

export const RecentlyViewed = Schema.Struct({
  user_id: Schema.String,
  items: Schema.Array(ViewedProduct).pipe(Schema.maxItems(recentlyViewedLimits.maxItems))
})
export type RecentlyViewed = typeof RecentlyViewed.Type

export const RecentlyViewedCommand = Schema.Union(
  Schema.TaggedStruct("Viewed", { product_id: ProductId, at: Rfc3339Utc }),
  Schema.TaggedStruct("Get", {})
)
export type RecentlyViewedCommand = typeof RecentlyViewedCommand.Type

export const RecentlyViewedEvent = Schema.Union(Schema.TaggedStruct("Viewed", { product_id: ProductId, at: Rfc3339Utc }))
export type RecentlyViewedEvent = typeof RecentlyViewedEvent.Type

export const RecentlyViewedRejection = Schema.Union(InvalidCommand)
export type RecentlyViewedRejection = typeof RecentlyViewedRejection.Type

const checkCommand = commandChecker(RecentlyViewedCommand)

export const decideRecentlyViewed = (
  state: RecentlyViewed,
  command: RecentlyViewedCommand
): Decision<RecentlyViewedEvent, RecentlyViewed, RecentlyViewedRejection> => {
  const invalid = checkCommand(command)
  if (invalid !== undefined) return reject(invalid)
  switch (command._tag) {
    case "Get":
      return accept([], state)
    case "Viewed": {
      const front = state.items[0]
      // The same view again (a retry, a reload in the same instant) changes nothing.
      if (front !== undefined && front.product_id === command.product_id && front.at === command.at) return accept([], state)
      const event: RecentlyViewedEvent = { _tag: "Viewed", product_id: command.product_id, at: command.at }
      return accept([event], evolveRecentlyViewed(state, event))
    }
  }
}

export const evolveRecentlyViewed = (state: RecentlyViewed, event: RecentlyViewedEvent): RecentlyViewed => {
  const rest = state.items.filter((i) => i.product_id !== event.product_id)
  const items = [{ product_id: event.product_id, at: event.at }, ...rest].slice(0, recentlyViewedLimits.maxItems)
  if (new Set(items.map((i) => i.product_id)).size !== items.length) throw new Error(`recently-viewed ${state.user_id}: duplicate product_id`)
  return { ...state, items }
}

export const recentlyViewed: ActorDefinition<RecentlyViewed, RecentlyViewedCommand, RecentlyViewedEvent, RecentlyViewed, RecentlyViewedRejection> = {
  name: "recently-viewed",
  state: RecentlyViewed,
  command: RecentlyViewedCommand,
  event: RecentlyViewedEvent,
  reply: RecentlyViewed,
  rejection: RecentlyViewedRejection,
  initialState: (id) => ({ user_id: id, items: [] }),
  decide: (state, command) => decideRecentlyViewed(state, command),
  evolve: evolveRecentlyViewed,
  limits: { mailboxCapacity: 64, snapshotEveryEvents: 200 }
}
