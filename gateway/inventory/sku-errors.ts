import type { SkuRejection } from "../../actors/inventory/sku-schema.ts"
import { ApiError, conflict, invalidRequest, notFound, unprocessable } from "../api-error.ts"

/** One short line of an out-of-stock answer: the checkout shape of API.md. */
export interface ShortLine {
  readonly sku_id: string
  readonly requested: number
  readonly available: number
}

/** 409 `out_of_stock` with `details.skus: [{sku_id, requested, available}]` (API.md, "Checkout"). */
export const outOfStock = (skus: ReadonlyArray<ShortLine>): ApiError =>
  conflict("out_of_stock", skus.length === 1 ? `only ${skus[0]!.available} of ${skus[0]!.sku_id} available` : "some items are not available in the quantity asked", {
    skus
  })

/** 503 `too_many_holds`: the SKU holds as many live reservations as it may; retry shortly. */
export const tooManyHolds = (limit: number): ApiError =>
  new ApiError({ status: 503, code: "too_many_holds", message: "too many reservations are open on this SKU; retry shortly", details: { limit }, retryAfterSeconds: 1 })

/**
 * What each SKU actor rejection means to a client. The gateway derives reservation ids and stock
 * refs from the Idempotency-Key, so an id reused with other data is a reused key (422).
 */
export const skuRejection =
  (skuId: string) =>
  (r: SkuRejection): ApiError => {
    switch (r.reason) {
      case "not_found":
        return notFound("no such SKU")
      case "already_registered":
        return conflict("conflict", "this SKU is already registered to another seller (or with another low-stock threshold)")
      case "out_of_stock":
        return outOfStock([{ sku_id: skuId, requested: r.requested, available: r.available }])
      case "purchase_limit":
        return unprocessable("purchase_limit", `at most ${r.limit} units of this SKU per customer (${r.already} already held or bought)`, {
          limit: r.limit,
          already: r.already
        })
      case "reservation_conflict":
      case "ref_conflict":
        return unprocessable("idempotency_key_reused", "this Idempotency-Key was used for a different request", {})
      case "reservation_expired":
        return conflict("reservation_expired", "the reservation has expired", { reservation_id: r.reservation_id })
      case "reservation_released":
        return conflict("reservation_released", "the reservation was released", { reservation_id: r.reservation_id })
      case "reservation_confirmed":
        return conflict("reservation_confirmed", "the reservation was already turned into a sale", { reservation_id: r.reservation_id })
      case "reservation_not_found":
        return notFound("no such reservation")
      case "too_many_holds":
        return tooManyHolds(r.limit)
      case "invalid_expiry":
        return unprocessable("invalid_expiry", "the reservation deadline is out of range", { after_ms: r.after_ms, max_ms: r.max_ms })
      case "stock_conflict":
        return conflict("stock_conflict", `on_hand in ${r.warehouse_id} is ${r.on_hand}, not the expected_on_hand`, {
          warehouse_id: r.warehouse_id,
          on_hand: r.on_hand
        })
      case "below_reserved":
        return conflict("below_reserved", `${r.reserved} units of ${r.on_hand} on hand in ${r.warehouse_id} are reserved; on_hand may not go below that`, {
          warehouse_id: r.warehouse_id,
          on_hand: r.on_hand,
          reserved: r.reserved
        })
      case "too_many_warehouses":
        return unprocessable("warehouse_limit", `a SKU may be stocked in at most ${r.limit} warehouses`, { limit: r.limit })
      case "subscriber_limit":
        return unprocessable("subscriber_limit", `at most ${r.limit} customers may wait for this SKU`, { limit: r.limit })
      case "invalid_command":
        return invalidRequest(r.message)
    }
  }
