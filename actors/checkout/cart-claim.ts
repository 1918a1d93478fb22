import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker, InvalidCommand } from "../cart/fields.ts"
import { CheckoutId } from "../orders/fields.ts"

/**
 * Actor "cart-claim", id = the cart id: which checkout is buying this cart now. One checkout at a
 * time per cart, so two checkouts started with different idempotency keys (a double click) cannot
 * both buy the same lines. A checkout claims the cart before it starts and lets go once settled;
 * another claim meanwhile is refused with the holder's id (409 `checkout_in_progress` at the edge).
 * A holder that is settled, or that never started (the process died in between), is replaced by
 * naming it in `replacing` (the gateway checks which it is).
 */

const EpochMs = Schema.Number.pipe(Schema.int(), Schema.between(0, 8.64e15))

export const CartClaim = Schema.Struct({
  cart_id: Schema.String,
  checkout_id: Schema.NullOr(CheckoutId),
  claimed_at_ms: EpochMs
})
export type CartClaim = typeof CartClaim.Type

export const CartClaimCommand = Schema.Union(
  Schema.TaggedStruct("Claim", { checkout_id: CheckoutId, replacing: Schema.NullOr(CheckoutId) }),
  Schema.TaggedStruct("Release", { checkout_id: CheckoutId }),
  Schema.TaggedStruct("Get", {})
)
export type CartClaimCommand = typeof CartClaimCommand.Type

export const CartClaimEvent = Schema.Union(
  Schema.TaggedStruct("Claimed", { checkout_id: CheckoutId, at_ms: EpochMs }),
  Schema.TaggedStruct("Released", { checkout_id: CheckoutId })
)
export type CartClaimEvent = typeof CartClaimEvent.Type

/** Another checkout holds the cart. */
export class CartBusy extends Schema.TaggedError<CartBusy>()("CartBusy", {
  reason: Schema.Literal("cart_busy"),
  checkout_id: Schema.String,
  claimed_at_ms: EpochMs
}) {}

export const CartClaimRejection = Schema.Union(InvalidCommand, CartBusy)
export type CartClaimRejection = typeof CartClaimRejection.Type

const checkCommand = commandChecker(CartClaimCommand)

export const evolveCartClaim = (state: CartClaim, event: CartClaimEvent): CartClaim =>
  event._tag === "Claimed" ? { ...state, checkout_id: event.checkout_id, claimed_at_ms: event.at_ms } : { ...state, checkout_id: null }

export const decideCartClaim = (state: CartClaim, command: CartClaimCommand, nowMs: number): Decision<CartClaimEvent, CartClaim, CartClaimRejection> => {
  const problem = checkCommand(command)
  if (problem !== undefined) return reject(problem)
  const emit = (event: CartClaimEvent) => accept([event], evolveCartClaim(state, event))
  switch (command._tag) {
    case "Get":
      return accept([], state)
    case "Claim":
      if (state.checkout_id === command.checkout_id) return accept([], state)
      if (state.checkout_id === null || state.checkout_id === command.replacing) return emit({ _tag: "Claimed", checkout_id: command.checkout_id, at_ms: nowMs })
      return reject(new CartBusy({ reason: "cart_busy", checkout_id: state.checkout_id, claimed_at_ms: state.claimed_at_ms }))
    case "Release":
      return state.checkout_id === command.checkout_id ? emit({ _tag: "Released", checkout_id: command.checkout_id }) : accept([], state)
  }
}

export const cartClaim: ActorDefinition<CartClaim, CartClaimCommand, CartClaimEvent, CartClaim, CartClaimRejection> = {
  name: "cart-claim",
  state: CartClaim,
  command: CartClaimCommand,
  event: CartClaimEvent,
  reply: CartClaim,
  rejection: CartClaimRejection,
  initialState: (cartId) => ({ cart_id: cartId, checkout_id: null, claimed_at_ms: 0 }),
  decide: decideCartClaim,
  evolve: evolveCartClaim,
  limits: { mailboxCapacity: 64, snapshotEveryEvents: 100 }
}
