import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker, InvalidCommand } from "../cart/fields.ts"
import { CheckoutId } from "../orders/fields.ts"

/**
 * Actor "open-checkouts", id = a bucket number (`0`..`buckets − 1`, by a hash of the checkout id):
 * the checkouts that are not settled yet. A checkout is added before its saga starts and removed
 * once it is completed or failed, so after a crash the resumer (gateway/checkout/resumer.ts) finds
 * every saga a dead process left half way, without scanning the journal.
 *
 * Bounded: a bucket holds at most `maxPerBucket` ids; one more is `bucket_full` (503 at the edge:
 * that many checkouts in flight means the sagas are not finishing).
 */

export const openCheckoutsLimits = {
  buckets: 16,
  maxPerBucket: 10_000
} as const

export const bucketOf = (checkoutId: string): string => {
  let h = 0
  for (let i = 0; i < checkoutId.length; i++) h = (h * 31 + checkoutId.charCodeAt(i)) | 0
  return String((h >>> 0) % openCheckoutsLimits.buckets)
}

export const OpenCheckouts = Schema.Struct({
  bucket: Schema.String,
  /** Oldest first. */
  ids: Schema.Array(CheckoutId).pipe(Schema.maxItems(openCheckoutsLimits.maxPerBucket))
})
export type OpenCheckouts = typeof OpenCheckouts.Type

export const OpenCheckoutsCommand = Schema.Union(
  Schema.TaggedStruct("Add", { checkout_id: CheckoutId }),
  Schema.TaggedStruct("Remove", { checkout_id: CheckoutId }),
  Schema.TaggedStruct("List", {})
)
export type OpenCheckoutsCommand = typeof OpenCheckoutsCommand.Type

export const OpenCheckoutsEvent = Schema.Union(
  Schema.TaggedStruct("Added", { checkout_id: CheckoutId }),
  Schema.TaggedStruct("Removed", { checkout_id: CheckoutId })
)
export type OpenCheckoutsEvent = typeof OpenCheckoutsEvent.Type

export class BucketFull extends Schema.TaggedError<BucketFull>()("BucketFull", {
  reason: Schema.Literal("bucket_full"),
  limit: Schema.Number
}) {}

export const OpenCheckoutsRejection = Schema.Union(InvalidCommand, BucketFull)
export type OpenCheckoutsRejection = typeof OpenCheckoutsRejection.Type

const checkCommand = commandChecker(OpenCheckoutsCommand)

export const decideOpenCheckouts = (
  state: OpenCheckouts,
  command: OpenCheckoutsCommand
): Decision<OpenCheckoutsEvent, OpenCheckouts, OpenCheckoutsRejection> => {
  const problem = checkCommand(command)
  if (problem !== undefined) return reject(problem)
  switch (command._tag) {
    case "List":
      return accept([], state)
    case "Add": {
      if (state.ids.includes(command.checkout_id)) return accept([], state)
      if (state.ids.length >= openCheckoutsLimits.maxPerBucket) return reject(new BucketFull({ reason: "bucket_full", limit: openCheckoutsLimits.maxPerBucket }))
      const event: OpenCheckoutsEvent = { _tag: "Added", checkout_id: command.checkout_id }
      return accept([event], evolveOpenCheckouts(state, event))
    }
    case "Remove": {
      if (!state.ids.includes(command.checkout_id)) return accept([], state)
      const event: OpenCheckoutsEvent = { _tag: "Removed", checkout_id: command.checkout_id }
      return accept([event], evolveOpenCheckouts(state, event))
    }
  }
}

export const evolveOpenCheckouts = (state: OpenCheckouts, event: OpenCheckoutsEvent): OpenCheckouts => {
  switch (event._tag) {
    case "Added":
      return { ...state, ids: [...state.ids, event.checkout_id] }
    case "Removed":
      return { ...state, ids: state.ids.filter((id) => id !== event.checkout_id) }
  }
}

export const openCheckouts: ActorDefinition<OpenCheckouts, OpenCheckoutsCommand, OpenCheckoutsEvent, OpenCheckouts, OpenCheckoutsRejection> = {
  name: "open-checkouts",
  state: OpenCheckouts,
  command: OpenCheckoutsCommand,
  event: OpenCheckoutsEvent,
  reply: OpenCheckouts,
  rejection: OpenCheckoutsRejection,
  initialState: (bucket) => ({ bucket, ids: [] }),
  decide: (state, command) => decideOpenCheckouts(state, command),
  evolve: evolveOpenCheckouts,
  snapshotEntries: (state) => state.ids.length,
  limits: { mailboxCapacity: 4096, snapshotEveryEvents: 1000 }
}
