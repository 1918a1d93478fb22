import { describe, expect, it } from "vitest"
import {
  BelowReserved,
  InvalidExpiry,
  InvalidSkuCommand,
  OutOfStock,
  PurchaseLimitReached,
  RefConflict,
  ReservationClosed,
  ReservationConflict,
  ReservationNotFound,
  SkuAlreadyRegistered,
  SkuNotFound,
  type SkuRejection,
  StockConflict,
  SubscriberLimit,
  TooManyHolds,
  TooManyWarehouses
} from "../../actors/inventory/sku-schema.ts"
import { errorBody } from "../api-error.ts"
import { skuRejection } from "./sku-errors.ts"

/** Every rejection of the SKU actor has an answer in the error shape of API.md; none is a 5xx but too_many_holds (retryable, with Retry-After). */
const cases: ReadonlyArray<readonly [SkuRejection, number, string, Record<string, unknown>?]> = [
  [new SkuNotFound({ reason: "not_found" }), 404, "not_found"],
  [new SkuAlreadyRegistered({ reason: "already_registered" }), 409, "conflict"],
  [new OutOfStock({ reason: "out_of_stock", requested: 3, available: 1 }), 409, "out_of_stock", { skus: [{ sku_id: "sku_1", requested: 3, available: 1 }] }],
  [new PurchaseLimitReached({ reason: "purchase_limit", limit: 2, already: 2 }), 422, "purchase_limit", { limit: 2, already: 2 }],
  [new ReservationConflict({ reason: "reservation_conflict", reservation_id: "res_1" }), 422, "idempotency_key_reused"],
  [new RefConflict({ reason: "ref_conflict", ref: "op_1" }), 422, "idempotency_key_reused"],
  [new ReservationClosed({ reason: "reservation_expired", reservation_id: "res_1" }), 409, "reservation_expired", { reservation_id: "res_1" }],
  [new ReservationClosed({ reason: "reservation_released", reservation_id: "res_1" }), 409, "reservation_released", { reservation_id: "res_1" }],
  [new ReservationClosed({ reason: "reservation_confirmed", reservation_id: "res_1" }), 409, "reservation_confirmed", { reservation_id: "res_1" }],
  [new ReservationNotFound({ reason: "reservation_not_found", reservation_id: "res_1" }), 404, "not_found"],
  [new TooManyHolds({ reason: "too_many_holds", limit: 100_000 }), 503, "too_many_holds", { limit: 100_000 }],
  [new InvalidExpiry({ reason: "invalid_expiry", after_ms: 1, max_ms: 2 }), 422, "invalid_expiry"],
  [new StockConflict({ reason: "stock_conflict", warehouse_id: "wh_main", on_hand: 7 }), 409, "stock_conflict", { warehouse_id: "wh_main", on_hand: 7 }],
  [new BelowReserved({ reason: "below_reserved", warehouse_id: "wh_main", on_hand: 7, reserved: 5 }), 409, "below_reserved", { warehouse_id: "wh_main", on_hand: 7, reserved: 5 }],
  [new TooManyWarehouses({ reason: "too_many_warehouses", limit: 64 }), 422, "warehouse_limit", { limit: 64 }],
  [new SubscriberLimit({ reason: "subscriber_limit", limit: 1000 }), 422, "subscriber_limit", { limit: 1000 }],
  [new InvalidSkuCommand({ reason: "invalid_command", message: "bad" }), 400, "invalid_request"]
]

describe("SKU rejections at the edge", () => {
  it.each(cases.map((c) => [c[0].reason, c] as const))("%s", (_, [rejection, status, code, details]) => {
    const e = skuRejection("sku_1")(rejection)
    expect(e.status).toBe(status)
    expect(e.code).toBe(code)
    if (details !== undefined) expect(e.details).toEqual(details)
    expect(Object.keys(errorBody(e).error).sort()).toEqual(["code", "details", "message"])
    if (status === 503) expect(e.retryAfterSeconds).toBeGreaterThanOrEqual(1)
  })
})
