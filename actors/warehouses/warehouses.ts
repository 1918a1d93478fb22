import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { CountryCode, Rfc3339Utc, Text } from "../accounts/fields.ts"

/**
 * Actor "warehouses", one instance, id `registry`: the warehouses stock may be kept in. Tiny and
 * rarely written (an operator adds a warehouse now and then), so one actor holds them all and
 * decides "one warehouse per id" without a lock. A store starts with `wh_main` in the initial
 * state: it exists before any event, on every store, old or new.
 *
 * Warehouses are never removed or renamed here, so a gateway may cache "this id exists" forever.
 */

export const warehousesActorId = "registry"

export const warehouseLimits = {
  /** Warehouses a store may have; one more is refused with `warehouse_limit`. */
  maxWarehouses: 1_000
} as const

/** `wh_` + 1..61 url-safe characters: a valid warehouse id of the SKU actor too (≤ 64 characters). */
export const WarehouseId = Schema.String.pipe(Schema.pattern(/^wh_[A-Za-z0-9_-]{1,61}$/)).annotations({
  description: "`wh_` + 1..61 letters, digits, `_` or `-`"
})

export const Warehouse = Schema.Struct({
  warehouse_id: WarehouseId,
  name: Text(100),
  region: Text(100),
  country: CountryCode,
  /** When it was added; `null` for `wh_main`, which every store starts with. */
  created_at: Schema.NullOr(Rfc3339Utc)
})
export type Warehouse = typeof Warehouse.Type

/** The warehouse every store starts with. */
export const mainWarehouse: Warehouse = { warehouse_id: "wh_main", name: "Main warehouse", region: "default", country: "IN", created_at: null }

export const WarehousesState = Schema.Struct({ warehouses: Schema.Array(Warehouse) })
export type WarehousesState = typeof WarehousesState.Type

export const WarehousesCommand = Schema.Union(
  /** Add a warehouse; its id must be new (a second Create with the id, same data or not, is `warehouse_exists`). */
  Schema.TaggedStruct("Create", { warehouse: Warehouse }),
  /** Every warehouse, in the order they were added. */
  Schema.TaggedStruct("List", {})
)
export type WarehousesCommand = typeof WarehousesCommand.Type

export const WarehousesEvent = Schema.TaggedStruct("WarehouseCreated", { warehouse: Warehouse })
export type WarehousesEvent = typeof WarehousesEvent.Type

export const WarehousesReply = Schema.Union(Warehouse, Schema.Struct({ warehouses: Schema.Array(Warehouse) }))
export type WarehousesReply = typeof WarehousesReply.Type

/** The id is taken. 409 `conflict`; carries the existing warehouse. */
export class WarehouseExists extends Schema.TaggedError<WarehouseExists>()("WarehouseExists", {
  reason: Schema.Literal("warehouse_exists"),
  warehouse: Warehouse
}) {}
/** `maxWarehouses` exist. 422 `warehouse_limit`. */
export class WarehouseLimit extends Schema.TaggedError<WarehouseLimit>()("WarehouseLimit", {
  reason: Schema.Literal("warehouse_limit"),
  limit: Schema.Number
}) {}

export const WarehousesRejection = Schema.Union(WarehouseExists, WarehouseLimit)
export type WarehousesRejection = typeof WarehousesRejection.Type

const validate = Schema.validateSync(WarehousesCommand, { onExcessProperty: "ignore" })

export const decideWarehouses = (
  state: WarehousesState,
  command: WarehousesCommand
): Decision<WarehousesEvent, WarehousesReply, WarehousesRejection> => {
  // A malformed command is a caller bug (the gateway decodes with the same schemas): a defect.
  validate(command)
  switch (command._tag) {
    case "List":
      return accept([], { warehouses: state.warehouses })
    case "Create": {
      const existing = state.warehouses.find((w) => w.warehouse_id === command.warehouse.warehouse_id)
      if (existing !== undefined) return reject(new WarehouseExists({ reason: "warehouse_exists", warehouse: existing }))
      if (state.warehouses.length >= warehouseLimits.maxWarehouses) {
        return reject(new WarehouseLimit({ reason: "warehouse_limit", limit: warehouseLimits.maxWarehouses }))
      }
      return accept([{ _tag: "WarehouseCreated", warehouse: command.warehouse }], command.warehouse)
    }
  }
}

export const evolveWarehouses = (state: WarehousesState, event: WarehousesEvent): WarehousesState => {
  if (state.warehouses.some((w) => w.warehouse_id === event.warehouse.warehouse_id)) {
    throw new Error(`warehouses: ${event.warehouse.warehouse_id} created twice`)
  }
  return { warehouses: [...state.warehouses, event.warehouse] }
}

export const warehouses: ActorDefinition<WarehousesState, WarehousesCommand, WarehousesEvent, WarehousesReply, WarehousesRejection> = {
  name: "warehouses",
  state: WarehousesState,
  command: WarehousesCommand,
  event: WarehousesEvent,
  reply: WarehousesReply,
  rejection: WarehousesRejection,
  initialState: () => ({ warehouses: [mainWarehouse] }),
  decide: (state, command) => decideWarehouses(state, command),
  evolve: evolveWarehouses,
  limits: { mailboxCapacity: 256, snapshotEveryEvents: 100 }
}
