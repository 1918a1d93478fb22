import { hash, randomBytes } from "node:crypto"

/**
 * Random secrets and ids for accounts. Randomness lives here, in the gateway: actors receive
 * these values inside commands and never generate them.
 */

/** A bearer token: 32 random bytes, base64url (43 characters). Shown to the client once, never stored. */
export const newSessionToken = (): string => randomBytes(32).toString("base64url")

/** Cheap shape check before any lookup: a token we minted is exactly 43 base64url characters. */
export const isWellFormedSessionToken = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token)

/**
 * The session actor's id for a token: hex SHA-256. A plain hash (no salt, no cost) is enough for
 * 256-bit random tokens, and it lets the id be recomputed on every request.
 */
export const sessionIdOf = (token: string): string => hash("sha256", token, "hex")

/** 128 random bits, base64url (22 characters) after a type prefix. */
const randomId = (prefix: string) => `${prefix}${randomBytes(16).toString("base64url")}`

/** `u_…`: a user id (actor "user"). */
export const newUserId = (): string => randomId("u_")
/** `addr_…`: an address id. */
export const newAddressId = (): string => randomId("addr_")
/** `pm_…`: a payment method id. */
export const newPaymentMethodId = (): string => randomId("pm_")
/** One execution of an idempotent request (actor "idem", `attempt_id`). */
export const newAttemptId = (): string => randomBytes(12).toString("base64url")
