import type { Caller } from "../route.ts"

/**
 * The seller a caller acts as. Until sellers exist as accounts of their own (seller registration,
 * the next issue), a seller's seller id is their user id. This is the one place to change then.
 */
export const sellerIdOf = (caller: Caller): string => caller.userId

/** Admins act on every seller's SKUs; a seller only on their own. */
export const mayManage = (caller: Caller, skuSellerId: string): boolean =>
  caller.roles.includes("admin") || sellerIdOf(caller) === skuSellerId
