import { describe, expect, it } from "vitest"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { mainWarehouse, type Warehouse, warehouseLimits, warehouses, type WarehousesEvent } from "./warehouses.ts"

const pune: Warehouse = { warehouse_id: "wh_pune", name: "Pune DC", region: "MH", country: "IN", created_at: "2025-01-31T12:00:00.000Z" }
const created = (w: Warehouse): WarehousesEvent => ({ _tag: "WarehouseCreated", warehouse: w })

const rows: ReadonlyArray<DeciderRow> = [
  { name: "a new store lists wh_main", given: [], when: { _tag: "List" }, then: [], reply: { warehouses: [mainWarehouse] } },
  { name: "Create a warehouse", given: [], when: { _tag: "Create", warehouse: pune }, then: [created(pune)], reply: pune },
  { name: "List after Create, in the order added", given: [created(pune)], when: { _tag: "List" }, then: [], reply: { warehouses: [mainWarehouse, pune] } },
  {
    name: "Create with an id in use → warehouse_exists, carrying the existing one",
    given: [created(pune)],
    when: { _tag: "Create", warehouse: { ...pune, name: "Other" } },
    then: { reason: "warehouse_exists", warehouse: pune }
  },
  { name: "the same Create again is refused too", given: [created(pune)], when: { _tag: "Create", warehouse: pune }, then: { reason: "warehouse_exists" } },
  { name: "wh_main cannot be created again", given: [], when: { _tag: "Create", warehouse: { ...mainWarehouse, created_at: pune.created_at } }, then: { reason: "warehouse_exists" } }
]

describe("warehouses decider", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_, row) => {
    runRow(warehouses, row, "registry")
  })

  it(`at most ${warehouseLimits.maxWarehouses} warehouses`, () => {
    let state = warehouses.initialState("registry")
    for (let i = 1; i < warehouseLimits.maxWarehouses; i++) state = warehouses.evolve(state, created({ ...pune, warehouse_id: `wh_${i}` }))
    expect(state.warehouses).toHaveLength(warehouseLimits.maxWarehouses)
    const decision = warehouses.decide(state, { _tag: "Create", warehouse: { ...pune, warehouse_id: "wh_one_more" } }, 0)
    expect(decision).toMatchObject({ _tag: "Reject", rejection: { reason: "warehouse_limit", limit: warehouseLimits.maxWarehouses } })
  })

  it("a malformed command is a defect; evolve refuses a duplicate", () => {
    const state = warehouses.initialState("registry")
    expect(() => warehouses.decide(state, { _tag: "Create", warehouse: { ...pune, warehouse_id: "pune" } }, 0)).toThrow()
    expect(() => warehouses.decide(state, { _tag: "Create", warehouse: { ...pune, country: "in" } }, 0)).toThrow()
    expect(() => warehouses.evolve(state, created(mainWarehouse))).toThrow(/created twice/)
  })
})
