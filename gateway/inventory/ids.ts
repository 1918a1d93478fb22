import { createHash } from "node:crypto"
import { randomId } from "../auth/tokens.ts"

/**
 * Ids the gateway mints for the SKU actor (randomness lives here, never in an actor).
 *
 * With an `Idempotency-Key` the id is derived from (user, key): every retry of the request is the
 * same reservation / the same stock operation at the SKU, which is idempotent by that id, even when
 * the gateway's idempotency record is gone (lease expired after a crash, retention passed).
 */

/** 22 base64url characters of SHA-256 = 132 bits. */
const derived = (prefix: string, userId: string, key: string) =>
  `${prefix}${createHash("sha256").update(`${userId}\n${key}`, "utf8").digest("base64url").slice(0, 22)}`

/** 128 random bits, base64url. */
const random = randomId

/** `res_…`: the reservation id of a `POST …/reservations`. */
export const reservationIdFor = (userId: string, idempotencyKey: string | undefined): string =>
  idempotencyKey === undefined ? random("res_") : derived("res_", userId, idempotencyKey)

/** `op_…`: the `ref` of a stock operation (`POST /v1/seller/inventory`). */
export const stockRefFor = (userId: string, idempotencyKey: string | undefined): string =>
  idempotencyKey === undefined ? random("op_") : derived("op_", userId, idempotencyKey)

/** `wh_…`: a warehouse id the client did not choose. */
export const newWarehouseId = (): string => random("wh_")
