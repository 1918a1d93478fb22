import { Effect } from "effect"
import { type Warehouse, warehouses, warehousesActorId, type WarehousesRejection } from "../../actors/warehouses/warehouses.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { ApiError, conflict, unprocessable } from "../api-error.ts"

export const warehousesRejection = (r: WarehousesRejection): ApiError => {
  switch (r.reason) {
    case "warehouse_exists":
      return conflict("conflict", `warehouse ${r.warehouse.warehouse_id} already exists`, { warehouse: r.warehouse })
    case "warehouse_limit":
      return unprocessable("warehouse_limit", `at most ${r.limit} warehouses`, { limit: r.limit })
  }
}

const unknownWarehouse = (warehouseId: string) =>
  new ApiError({ status: 404, code: "not_found", message: `no such warehouse: ${warehouseId}`, details: { warehouse_id: warehouseId } })

/**
 * The warehouses registry as the gateway uses it. Warehouses are never removed, so the ids seen to
 * exist are cached for the life of the process: checking a stock change's warehouse costs an actor
 * call only the first time an id is seen (or for an id that does not exist).
 */
export const warehouseDirectory = () => {
  const known = new Set<string>()
  const list = (nowMs: number): Effect.Effect<ReadonlyArray<Warehouse>, ApiError, Actors> =>
    callActor(warehouses, warehousesActorId, { _tag: "List" }, nowMs, warehousesRejection).pipe(
      Effect.map((reply) => {
        const all = (reply as { readonly warehouses: ReadonlyArray<Warehouse> }).warehouses
        for (const w of all) known.add(w.warehouse_id)
        return all
      })
    )
  return {
    list,
    create: (warehouse: Warehouse, nowMs: number): Effect.Effect<Warehouse, ApiError, Actors> =>
      callActor(warehouses, warehousesActorId, { _tag: "Create", warehouse }, nowMs, warehousesRejection).pipe(
        Effect.map((reply) => {
          known.add(warehouse.warehouse_id)
          return reply as Warehouse
        })
      ),
    /** Succeeds when the warehouse exists; 404 `not_found` (with `details.warehouse_id`) when it does not. */
    require: (warehouseId: string, nowMs: number): Effect.Effect<void, ApiError, Actors> =>
      known.has(warehouseId)
        ? Effect.void
        : Effect.flatMap(list(nowMs), () =>
            known.has(warehouseId) ? Effect.void : Effect.fail(unknownWarehouse(warehouseId))
          )
  }
}

export type WarehouseDirectory = ReturnType<typeof warehouseDirectory>
