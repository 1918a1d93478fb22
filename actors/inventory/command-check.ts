import { opaqueIdPattern, skuLimits, warehouseIdPattern } from "./sku-schema.ts"

/**
 * A quick structural check of the commands a hot SKU gets all the time (Reserve, Confirm, Release,
 * Extend, Expire, Get, GetReservation). It vouches only for what `SkuCommand` accepts (extra
 * fields ignored, as `decideSku` validates): a command the gateway or a timer built passes in a
 * few comparisons instead of a Schema walk, and a command it does not vouch for goes through the
 * Schema, which says exactly what is wrong. `command-check.test.ts` holds the two to agreement.
 */

const isId = (u: unknown): boolean => typeof u === "string" && opaqueIdPattern.test(u)
const isWarehouse = (u: unknown): boolean => typeof u === "string" && warehouseIdPattern.test(u)
const isIntIn = (u: unknown, min: number, max: number): boolean => typeof u === "number" && Number.isSafeInteger(u) && u >= min && u <= max
const isEpochMs = (u: unknown): boolean => isIntIn(u, 0, 8.64e15)

export const surelyValidCommand = (command: unknown): boolean => {
  if (typeof command !== "object" || command === null) return false
  const c = command as Record<string, unknown>
  switch (c["_tag"]) {
    case "Reserve": {
      const mode = c["mode"]
      const warehouse = c["warehouse_id"]
      return (
        isId(c["reservation_id"]) &&
        isIntIn(c["quantity"], 1, skuLimits.maxReserveQuantity) &&
        isEpochMs(c["expires_at_ms"]) &&
        isId(c["owner"]) &&
        (mode === undefined || mode === "all_or_nothing" || mode === "partial") &&
        (warehouse === undefined || isWarehouse(warehouse))
      )
    }
    case "Confirm":
    case "Release":
    case "GetReservation":
      return isId(c["reservation_id"])
    case "Extend":
      return isId(c["reservation_id"]) && isEpochMs(c["expires_at_ms"])
    case "Expire":
    case "Get":
      return true
    default:
      return false
  }
}
