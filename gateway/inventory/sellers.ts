import type { Caller } from "../route.ts"

/**
 * Which seller a user is. A user has at most one seller account, and its id is derived from the
 * user id (`u_X` → `s_X`): no index actor to keep in step, no lookup on the hot path, and another
 * user can never address it. The user id carries ≥ 96 random bits, so the seller id does too.
 */
export const sellerIdOfUser = (userId: string): string => {
  if (!userId.startsWith("u_")) throw new Error(`not a user id: ${userId}`)
  return `s_${userId.slice(2)}`
}

/** The seller a caller acts as (whether or not that seller is registered or approved). */
export const sellerIdOf = (caller: Caller): string => sellerIdOfUser(caller.userId)

export const isAdmin = (caller: Caller): boolean => caller.roles.includes("admin")

/** Admins act on every seller's SKUs and products; a seller only on their own. */
export const mayManage = (caller: Caller, sellerId: string): boolean => isAdmin(caller) || sellerIdOf(caller) === sellerId
