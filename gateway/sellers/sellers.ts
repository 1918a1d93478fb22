import { Effect } from "effect"
import { seller, type SellerCommand, type SellerView } from "../../actors/catalog/seller.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { type ApiError, forbidden } from "../api-error.ts"
import { isAdmin, sellerIdOf } from "../inventory/sellers.ts"
import type { Caller } from "../route.ts"
import { sellerRejection } from "./errors.ts"

/** Ask a seller actor; its rejections become API errors. */
export const askSeller = (sellerId: string, command: SellerCommand, nowMs: number): Effect.Effect<SellerView, ApiError, Actors> =>
  callActor(seller, sellerId, command, nowMs, sellerRejection(sellerId))

const notApproved = (s: SellerView, own: boolean) =>
  forbidden(
    own
      ? `your seller account is ${s.status === "pending_review" ? "pending review by an operator" : s.status}; only approved sellers may list products`
      : `seller ${s.seller_id} is ${s.status}; only approved sellers may list products`
  )

/**
 * The seller a listing is made for, checked to be approved: the caller's own, or, for an admin, the
 * one named in the body. A non-admin naming another seller is 403; a caller who never registered
 * is 403 with a pointer to registration; an admin naming an unknown seller is 404.
 */
export const listingSeller = (caller: Caller, named: string | undefined, nowMs: number): Effect.Effect<SellerView, ApiError, Actors> =>
  Effect.gen(function* () {
    const own = sellerIdOf(caller)
    const sellerId = named ?? own
    const acting = sellerId !== own
    if (acting && !isAdmin(caller)) return yield* Effect.fail(forbidden("only an admin may list products for another seller; leave out seller_id"))
    const found = yield* askSeller(sellerId, { _tag: "Get" }, nowMs).pipe(
      Effect.mapError((e) =>
        e.status === 404 && !acting
          ? forbidden(
              isAdmin(caller)
                ? "an admin lists products for a seller by giving its seller_id"
                : "you are not a seller; register with POST /v1/seller/register and wait for approval"
            )
          : e
      )
    )
    if (found.status !== "approved") return yield* Effect.fail(notApproved(found, !acting))
    return found
  })

/**
 * Refuses a caller whose seller account is suspended (403), for stock changes: a seller that was
 * never registered (the role granted directly by an operator) has no standing to lose and passes.
 */
export const notSuspended = (caller: Caller, nowMs: number): Effect.Effect<void, ApiError, Actors> =>
  askSeller(sellerIdOf(caller), { _tag: "Get" }, nowMs).pipe(
    Effect.flatMap((found) => (found.status === "suspended" ? Effect.fail(forbidden(`your seller account is suspended; stock changes are refused until an operator approves it again`)) : Effect.void)),
    Effect.catchIf(
      (e) => e.status === 404,
      () => Effect.void
    )
  )

