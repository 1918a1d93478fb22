import { Effect } from "effect"
import type { Actors } from "../../runtime/service.ts"
import type { ApiError } from "../api-error.ts"
import { type CartDeps, cartService } from "./carts.ts"
import { cartTokenHeader, isWellFormedCartToken } from "./ids.ts"

/** What the sign-in routes run once credentials are checked (gateway/routes/accounts.ts). */
export type OnSignIn = (userId: string, headers: Readonly<Record<string, string>>, nowMs: number) => Effect.Effect<void, ApiError, Actors>

/**
 * Merge the anonymous cart of the request's `X-Cart-Token` into the account's cart. A missing,
 * malformed, unknown or already merged token changes nothing and never fails the sign-in; only a
 * store that cannot answer now (503) does, so that the client retries the sign-in and the merge
 * happens (it is idempotent).
 */
export const mergeCartAtSignIn = (deps: CartDeps): OnSignIn => {
  const carts = cartService(deps)
  return (userId, headers, nowMs) => {
    const token = headers[cartTokenHeader]
    if (token === undefined || !isWellFormedCartToken(token)) return Effect.void
    return carts.mergeAtSignIn(token, userId, nowMs).pipe(Effect.catchIf((e) => e.status !== 503, () => Effect.void))
  }
}
