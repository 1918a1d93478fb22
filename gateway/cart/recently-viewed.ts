import { Effect, Schema } from "effect"
import { ProductId } from "../../actors/cart/fields.ts"
import { recentlyViewed } from "../../actors/cart/recently-viewed.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { invalidRequest } from "../api-error.ts"
import type { Caller } from "../route.ts"

const isProductId = Schema.is(ProductId)

/**
 * Remember that a signed-in shopper looked at a product (GET /v1/products/{id} calls this).
 * Best effort: it never fails the read that called it. Anonymous callers and ids the list cannot
 * hold are ignored. It waits for the view to be durable (sub-millisecond when the actor is in
 * memory); fork it to answer without waiting.
 */
export const recordProductView = (caller: Caller | undefined, productId: string, nowMs: number): Effect.Effect<void, never, Actors> => {
  if (caller === undefined || !isProductId(productId)) return Effect.void
  return callActor(recentlyViewed, caller.userId, { _tag: "Viewed", product_id: productId, at: new Date(nowMs).toISOString() }, nowMs, (r) =>
    invalidRequest(r.message)
  ).pipe(Effect.asVoid, Effect.catchAllCause((cause) => Effect.logWarning("recording a product view failed", cause)))
}

/** The shopper's recently viewed products, most recent first. */
export const recentlyViewedOf = (caller: Caller, nowMs: number) =>
  callActor(recentlyViewed, caller.userId, { _tag: "Get" }, nowMs, (r) => invalidRequest(r.message))
