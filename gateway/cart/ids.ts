import { hash } from "node:crypto"
import { randomBase64url, randomId } from "../auth/tokens.ts"

/**
 * Ids and secrets of carts. Randomness lives here, in the gateway: the cart actors receive these
 * values inside commands and never generate them.
 *
 * A shopper without an account holds a cart token (like a session token: 256 random bits, shown
 * once, never stored). The shopper-cart actor of that anonymous shopper is keyed by a hash of the
 * token, so the token itself is in no journal, and nobody who reads a cart id can use it as a key.
 */

/** The header an anonymous shopper sends its cart token in, and the store answers a new one in. */
export const cartTokenHeader = "x-cart-token"

/** `cart_…`: 128 random bits, base64url (22 characters). */
export const newCartId = (): string => randomId("cart_")

/** A cart token: 32 random bytes, base64url (43 characters). */
export const newCartToken = (): string => randomBase64url(32)

/** Cheap shape check before any lookup: a token we minted is exactly 43 base64url characters. */
export const isWellFormedCartToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token)

/** The anonymous shopper a cart token stands for: `anon_` + hex SHA-256 of the token (the shopper-cart and cart owner id). */
export const anonymousShopperOf = (token: string): string => `anon_${hash("sha256", token, "hex")}`
