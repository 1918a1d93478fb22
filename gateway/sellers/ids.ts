import { createHash } from "node:crypto"
import { randomId } from "../auth/tokens.ts"

/**
 * Ids the gateway mints for categories, products and SKUs (randomness lives here, never in an
 * actor): 128 random bits, or, when the request carries an `Idempotency-Key`, 132 bits derived
 * from (user, key, what). A retry of a request whose first attempt died half-way (its idempotency
 * lease expired) then names the same objects, and each actor step is idempotent by id, so the
 * retry completes the work instead of leaving a second, half-made copy.
 */

const derived = (prefix: string, userId: string, key: string, what: string) =>
  `${prefix}${createHash("sha256").update(`${userId}\n${key}\n${what}`, "utf8").digest("base64url").slice(0, 22)}`

const mint = (prefix: string, userId: string, key: string | undefined, what: string) =>
  key === undefined ? randomId(prefix) : derived(prefix, userId, key, what)

/** `cat_…`: a category the operator did not name. */
export const categoryIdFor = (userId: string, key: string | undefined): string => mint("cat_", userId, key, "category")

/** `p_…`: a new product. */
export const productIdFor = (userId: string, key: string | undefined): string => mint("p_", userId, key, "product")

/** `sku_…`: the SKU at `index` of a create or update of `productId` that did not name its sku_id. */
export const skuIdFor = (userId: string, key: string | undefined, productId: string, index: number): string =>
  mint("sku_", userId, key, `sku\n${productId}\n${index}`)
