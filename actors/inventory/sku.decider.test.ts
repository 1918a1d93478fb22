import { describe, expect, it } from "vitest"
import { codecFor } from "../../runtime/actor.ts"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { confirm, history, MIN, receive, register, release, reserve, SKU, stateOf, T0 } from "./sku-fixtures.ts"
import { skuLimits, type SkuEvent } from "./sku-schema.ts"
import { assertFullInvariants } from "./sku-state.ts"
import { sku } from "./sku.ts"

const codec = codecFor(sku.state)
const DEADLINE = T0 + 10 * MIN
const stocked = history(register(), receive(10)) // wh_main: 10 on hand, in_stock
const multi = history(register(), receive(4, "wh_a"), receive(6, "wh_b"), receive(6, "wh_c"))

const reserved = (
  reservation_id: string,
  quantity: number,
  available_after: number,
  extra: Partial<Omit<Extract<SkuEvent, { _tag: "Reserved" }>, "_tag">> = {}
): SkuEvent => ({
  _tag: "Reserved",
  reservation_id,
  owner: "u_1",
  requested: quantity,
  quantity,
  mode: "all_or_nothing",
  warehouse_id: null,
  lines: [{ warehouse_id: "wh_main", quantity }],
  expires_at_ms: DEADLINE,
  at_ms: T0,
  available_after,
  ...extra
})
const settled = (
  tag: "Confirmed" | "Released" | "ReservationExpired",
  reservation_id: string,
  quantity: number,
  available_after: number,
  at_ms = T0
): SkuEvent => ({ _tag: tag, reservation_id, owner: "u_1", quantity, lines: [{ warehouse_id: "wh_main", quantity }], at_ms, available_after })
const status = (from: string, to: string, available: number) => ({ _tag: "StockStatusChanged", from, to, available })
const moved = (ref: string, on_hand_after: number, available_after: number) => ({ warehouse_id: "wh_main", ref, at_ms: T0, on_hand_after, available_after })

const held = history(register(), receive(10), reserve("r1", 3)) // r1 holds 3, available 7
const late = DEADLINE + 1

const rows: ReadonlyArray<DeciderRow> = [
  // ------------------------------------------------------------ Register
  { name: "Register", given: [], when: register(), then: [{ _tag: "Registered", seller_id: "s_1", low_stock_threshold: 5 }], reply: { seller_id: "s_1", stock_status: "out_of_stock", available: 0 } },
  { name: "Register with a threshold", given: [], when: register("s_1", 20), then: [{ _tag: "Registered", seller_id: "s_1", low_stock_threshold: 20 }] },
  { name: "Register again, same seller → no events", given: stocked, when: register(), then: [], reply: { seller_id: "s_1", available: 10 } },
  { name: "Register again, same seller and threshold → no events", given: history(register("s_1", 20)), when: register("s_1", 20), then: [] },
  { name: "Register by another seller → already_registered", given: stocked, when: register("s_2"), then: { reason: "already_registered" } },
  { name: "Register again with another threshold → already_registered", given: stocked, when: register("s_1", 9), then: { reason: "already_registered" } },
  { name: "Register on an id that is not a SKU id → invalid_command", id: "order_1", given: [], when: register(), then: { reason: "invalid_command" } },
  // ------------------------------------------------------------ unregistered, malformed
  { name: "Get before Register → not_found", given: [], when: { _tag: "Get" }, then: { reason: "not_found" } },
  { name: "Reserve before Register → not_found", given: [], when: reserve("r1", 1), nowMs: T0, then: { reason: "not_found" } },
  { name: "Receive before Register → not_found", given: [], when: receive(1), then: { reason: "not_found" } },
  { name: "Reserve 0 units → invalid_command", given: stocked, when: reserve("r1", 0), nowMs: T0, then: { reason: "invalid_command" } },
  { name: "Reserve over the per-command limit → invalid_command", given: stocked, when: reserve("r1", skuLimits.maxReserveQuantity + 1), nowMs: T0, then: { reason: "invalid_command" } },
  { name: "Reserve with a `|` in the id → invalid_command", given: stocked, when: reserve("r|1", 1), nowMs: T0, then: { reason: "invalid_command" } },
  { name: "Adjust by 0 → invalid_command", given: stocked, when: { _tag: "Adjust", warehouse_id: "wh_main", delta: 0, ref: "a" }, then: { reason: "invalid_command" } },
  { name: "Receive over the per-command limit → invalid_command", given: stocked, when: receive(skuLimits.maxMovementQuantity + 1), then: { reason: "invalid_command" } },
  { name: "Unknown command → invalid_command", given: stocked, when: { _tag: "Teleport" }, then: { reason: "invalid_command" } },
  // ------------------------------------------------------------ Get
  {
    name: "Get replies the view",
    given: multi,
    when: { _tag: "Get" },
    then: [],
    reply: {
      sku_id: SKU,
      seller_id: "s_1",
      warehouses: [
        { warehouse_id: "wh_a", on_hand: 4, reserved: 0, available: 4, damaged: 0, in_transit: 0 },
        { warehouse_id: "wh_b", on_hand: 6, reserved: 0, available: 6, damaged: 0, in_transit: 0 },
        { warehouse_id: "wh_c", on_hand: 6, reserved: 0, available: 6, damaged: 0, in_transit: 0 }
      ],
      on_hand: 16,
      reserved: 0,
      available: 16,
      stock_status: "in_stock",
      per_user_limit: null,
      live_holds: 0
    }
  },
  // ------------------------------------------------------------ SetLowStockThreshold, SetPurchaseLimit
  {
    name: "SetLowStockThreshold that changes the status",
    given: stocked,
    when: { _tag: "SetLowStockThreshold", low_stock_threshold: 10 },
    then: [{ _tag: "LowStockThresholdSet", low_stock_threshold: 10 }, status("in_stock", "low_stock", 10)],
    reply: { stock_status: "low_stock", low_stock_threshold: 10 }
  },
  { name: "SetLowStockThreshold, status unchanged", given: stocked, when: { _tag: "SetLowStockThreshold", low_stock_threshold: 2 }, then: [{ _tag: "LowStockThresholdSet", low_stock_threshold: 2 }] },
  { name: "SetLowStockThreshold to the same value → no events", given: stocked, when: { _tag: "SetLowStockThreshold", low_stock_threshold: 5 }, then: [] },
  { name: "SetPurchaseLimit", given: stocked, when: { _tag: "SetPurchaseLimit", per_user_limit: 2 }, then: [{ _tag: "PurchaseLimitSet", per_user_limit: 2 }], reply: { per_user_limit: 2 } },
  { name: "SetPurchaseLimit again, same → no events", given: history(register(), { _tag: "SetPurchaseLimit", per_user_limit: 2 }), when: { _tag: "SetPurchaseLimit", per_user_limit: 2 }, then: [] },
  { name: "SetPurchaseLimit null lifts it", given: history(register(), { _tag: "SetPurchaseLimit", per_user_limit: 2 }), when: { _tag: "SetPurchaseLimit", per_user_limit: null }, then: [{ _tag: "PurchaseLimitSet", per_user_limit: null }] },
  { name: "SetPurchaseLimit 0 → invalid_command", given: stocked, when: { _tag: "SetPurchaseLimit", per_user_limit: 0 }, then: { reason: "invalid_command" } },
  // ------------------------------------------------------------ Reserve
  {
    name: "Reserve 3 of 10",
    given: stocked,
    when: reserve("r1", 3),
    nowMs: T0,
    then: [reserved("r1", 3, 7)],
    reply: { reservation_id: "r1", status: "held", quantity: 3, requested: 3, lines: [{ warehouse_id: "wh_main", quantity: 3 }], expires_at_ms: DEADLINE, available: 7 }
  },
  { name: "Reserve into low stock publishes the status", given: stocked, when: reserve("r1", 6), nowMs: T0, then: [reserved("r1", 6, 4), status("in_stock", "low_stock", 4)] },
  { name: "Reserve the last units publishes out_of_stock", given: stocked, when: reserve("r1", 10), nowMs: T0, then: [reserved("r1", 10, 0), status("in_stock", "out_of_stock", 0)] },
  {
    name: "Reserve across warehouses: most available first, ties by id",
    given: multi,
    when: reserve("r1", 14),
    nowMs: T0,
    then: [
      reserved("r1", 14, 2, {
        lines: [
          { warehouse_id: "wh_b", quantity: 6 },
          { warehouse_id: "wh_c", quantity: 6 },
          { warehouse_id: "wh_a", quantity: 2 }
        ]
      }),
      status("in_stock", "low_stock", 2)
    ]
  },
  {
    name: "Reserve from one warehouse",
    given: multi,
    when: reserve("r1", 3, { warehouse_id: "wh_a" }),
    nowMs: T0,
    then: [reserved("r1", 3, 13, { warehouse_id: "wh_a", lines: [{ warehouse_id: "wh_a", quantity: 3 }] })]
  },
  { name: "Reserve more than one warehouse has → out_of_stock", given: multi, when: reserve("r1", 5, { warehouse_id: "wh_a" }), nowMs: T0, then: { reason: "out_of_stock", requested: 5, available: 4 } },
  { name: "Reserve from an unknown warehouse → out_of_stock", given: multi, when: reserve("r1", 1, { warehouse_id: "wh_x" }), nowMs: T0, then: { reason: "out_of_stock", requested: 1, available: 0 } },
  { name: "Reserve more than available → out_of_stock", given: held, when: reserve("r2", 8), nowMs: T0, then: { reason: "out_of_stock", requested: 8, available: 7 } },
  {
    name: "Reserve partial takes what is available",
    given: held,
    when: reserve("r2", 9, { mode: "partial" }),
    nowMs: T0,
    then: [reserved("r2", 7, 0, { requested: 9, mode: "partial" }), status("in_stock", "out_of_stock", 0)],
    reply: { status: "held", requested: 9, quantity: 7 }
  },
  { name: "Reserve partial with nothing available → out_of_stock", given: history(register(), receive(2), reserve("r1", 2)), when: reserve("r2", 1, { mode: "partial" }), nowMs: T0, then: { reason: "out_of_stock", requested: 1, available: 0 } },
  { name: "Reserve replay, same data → no events, same hold", given: held, when: reserve("r1", 3), nowMs: T0 + 1, then: [], reply: { status: "held", quantity: 3, available: 7 } },
  { name: "Reserve replay with a restamped deadline → the first deadline stands", given: held, when: reserve("r1", 3, { expires_at_ms: DEADLINE + MIN }), nowMs: T0, then: [], reply: { expires_at_ms: DEADLINE } },
  { name: "Reserve replay, other quantity → reservation_conflict", given: held, when: reserve("r1", 4), nowMs: T0, then: { reason: "reservation_conflict", reservation_id: "r1" } },
  { name: "Reserve replay, other owner → reservation_conflict", given: held, when: reserve("r1", 3, { owner: "u_2" }), nowMs: T0, then: { reason: "reservation_conflict" } },
  { name: "Reserve replay, other mode → reservation_conflict", given: held, when: reserve("r1", 3, { mode: "partial" }), nowMs: T0, then: { reason: "reservation_conflict" } },
  { name: "Reserve replay after its deadline → reservation_expired", given: held, when: reserve("r1", 3), nowMs: late, then: { reason: "reservation_expired" } },
  { name: "Reserve replay after Confirm → the confirmed hold", given: history(register(), receive(10), reserve("r1", 3), confirm("r1")), when: reserve("r1", 3), nowMs: T0, then: [], reply: { status: "confirmed", quantity: 3 } },
  { name: "Reserve replay after Confirm, other data → reservation_conflict", given: history(register(), receive(10), reserve("r1", 3), confirm("r1")), when: reserve("r1", 2), nowMs: T0, then: { reason: "reservation_conflict" } },
  { name: "Reserve replay after Release → reservation_released", given: history(register(), receive(10), reserve("r1", 3), release("r1")), when: reserve("r1", 3), nowMs: T0, then: { reason: "reservation_released" } },
  { name: "Reserve replay after expiry → reservation_expired", given: history(register(), receive(10), reserve("r1", 3), [{ _tag: "Expire" }, late]), when: reserve("r1", 3), nowMs: late, then: { reason: "reservation_expired" } },
  { name: "Reserve after a Release of the unknown id → reservation_released", given: history(register(), receive(10), release("r1")), when: reserve("r1", 3), nowMs: T0, then: { reason: "reservation_released" } },
  { name: "Reserve with a deadline not after now → invalid_expiry", given: stocked, when: reserve("r1", 1, { expires_at_ms: T0 }), nowMs: T0, then: { reason: "invalid_expiry", after_ms: T0, max_ms: T0 + skuLimits.maxHoldMs } },
  { name: "Reserve with a deadline too far ahead → invalid_expiry", given: stocked, when: reserve("r1", 1, { expires_at_ms: T0 + skuLimits.maxHoldMs + 1 }), nowMs: T0, then: { reason: "invalid_expiry" } },
  {
    name: "Reserve beyond the per-user limit (held by another id) → purchase_limit",
    given: history(register(), receive(10), { _tag: "SetPurchaseLimit", per_user_limit: 2 }, reserve("r1", 1)),
    when: reserve("r2", 2),
    nowMs: T0,
    then: { reason: "purchase_limit", limit: 2, already: 1 }
  },
  {
    name: "Reserve beyond the per-user limit (bought before) → purchase_limit",
    given: history(register(), receive(10), { _tag: "SetPurchaseLimit", per_user_limit: 2 }, reserve("r1", 2), confirm("r1")),
    when: reserve("r2", 1),
    nowMs: T0,
    then: { reason: "purchase_limit", limit: 2, already: 2 }
  },
  {
    name: "Reserve in partial mode is held to the per-user limit as asked → purchase_limit",
    given: history(register(), receive(10), { _tag: "SetPurchaseLimit", per_user_limit: 2 }),
    when: reserve("r1", 3, { mode: "partial" }),
    nowMs: T0,
    then: { reason: "purchase_limit", limit: 2, already: 0 }
  },
  {
    name: "Reserve within the limit after a release frees the owner's units",
    given: history(register(), receive(10), { _tag: "SetPurchaseLimit", per_user_limit: 2 }, reserve("r1", 2), release("r1")),
    when: reserve("r2", 2),
    nowMs: T0,
    then: [reserved("r2", 2, 8)]
  },
  { name: "Reserve by another owner is not counted against u_1", given: history(register(), receive(10), { _tag: "SetPurchaseLimit", per_user_limit: 2 }, reserve("r1", 2)), when: reserve("r2", 2, { owner: "u_2" }), nowMs: T0, then: [reserved("r2", 2, 6, { owner: "u_2" })] },
  {
    name: "A limit set while holds are live counts what each owner holds",
    given: history(register(), receive(10), reserve("r1", 2), { _tag: "SetPurchaseLimit", per_user_limit: 2 }),
    when: reserve("r2", 1),
    nowMs: T0,
    then: { reason: "purchase_limit", limit: 2, already: 2 }
  },
  {
    name: "Purchases made before a limit was set do not count",
    given: history(register(), receive(10), reserve("r1", 2), confirm("r1"), { _tag: "SetPurchaseLimit", per_user_limit: 2 }),
    when: reserve("r2", 2),
    nowMs: T0,
    then: [reserved("r2", 2, 6)]
  },
  // ------------------------------------------------------------ Confirm
  { name: "Confirm a hold (available unchanged)", given: held, when: confirm("r1"), nowMs: T0 + MIN, then: [settled("Confirmed", "r1", 3, 7, T0 + MIN)], reply: { status: "confirmed", quantity: 3, available: 7 } },
  { name: "Confirm again → the same reply, no events", given: history(register(), receive(10), reserve("r1", 3), confirm("r1")), when: confirm("r1"), nowMs: T0, then: [], reply: { status: "confirmed", quantity: 3 } },
  { name: "Confirm after its deadline → reservation_expired", given: held, when: confirm("r1"), nowMs: DEADLINE, then: { reason: "reservation_expired", reservation_id: "r1" } },
  { name: "Confirm after expiry → reservation_expired", given: history(register(), receive(10), reserve("r1", 3), [{ _tag: "Expire" }, late]), when: confirm("r1"), nowMs: late, then: { reason: "reservation_expired" } },
  { name: "Confirm after Release → reservation_released", given: history(register(), receive(10), reserve("r1", 3), release("r1")), when: confirm("r1"), nowMs: T0, then: { reason: "reservation_released" } },
  { name: "Confirm after a Release of the unknown id → reservation_released", given: history(register(), release("r1")), when: confirm("r1"), nowMs: T0, then: { reason: "reservation_released" } },
  { name: "Confirm an unknown id → reservation_not_found", given: stocked, when: confirm("r9"), nowMs: T0, then: { reason: "reservation_not_found", reservation_id: "r9" } },
  // ------------------------------------------------------------ Release
  { name: "Release a hold", given: held, when: release("r1"), nowMs: T0, then: [settled("Released", "r1", 3, 10)], reply: { status: "released", available: 10 } },
  {
    name: "Release back into stock: status and back-in-stock subscribers",
    given: history(register(), receive(3), reserve("r1", 3), { _tag: "Subscribe", user_id: "u_7" }),
    when: release("r1"),
    nowMs: T0,
    then: [settled("Released", "r1", 3, 3), status("out_of_stock", "low_stock", 3), { _tag: "BackInStock", subscribers: ["u_7"], available: 3 }]
  },
  { name: "Release after its deadline (timer not yet run) still frees it", given: held, when: release("r1"), nowMs: late, then: [settled("Released", "r1", 3, 10, late)] },
  { name: "Release again → same reply, no events", given: history(register(), receive(10), reserve("r1", 3), release("r1")), when: release("r1"), nowMs: T0, then: [], reply: { status: "released", quantity: 3 } },
  { name: "Release after expiry → replies expired, no events", given: history(register(), receive(10), reserve("r1", 3), [{ _tag: "Expire" }, late]), when: release("r1"), nowMs: late, then: [], reply: { status: "expired" } },
  { name: "Release after Confirm → reservation_confirmed", given: history(register(), receive(10), reserve("r1", 3), confirm("r1")), when: release("r1"), nowMs: T0, then: { reason: "reservation_confirmed" } },
  { name: "Release an unknown id records it", given: stocked, when: release("r9"), nowMs: T0, then: [{ _tag: "ReleaseRecorded", reservation_id: "r9", at_ms: T0 }], reply: { status: "released", quantity: 0 } },
  { name: "Release an unknown id again → no events", given: history(register(), release("r9")), when: release("r9"), nowMs: T0, then: [], reply: { status: "released", quantity: 0 } },
  // ------------------------------------------------------------ Extend
  {
    name: "Extend a hold",
    given: held,
    when: { _tag: "Extend", reservation_id: "r1", expires_at_ms: DEADLINE + 5 * MIN },
    nowMs: T0,
    then: [{ _tag: "Extended", reservation_id: "r1", expires_at_ms: DEADLINE + 5 * MIN, at_ms: T0 }],
    reply: { status: "held", expires_at_ms: DEADLINE + 5 * MIN }
  },
  { name: "Extend may shorten a hold", given: held, when: { _tag: "Extend", reservation_id: "r1", expires_at_ms: T0 + MIN }, nowMs: T0, then: [{ _tag: "Extended", reservation_id: "r1", expires_at_ms: T0 + MIN, at_ms: T0 }] },
  { name: "Extend to the same deadline → no events", given: held, when: { _tag: "Extend", reservation_id: "r1", expires_at_ms: DEADLINE }, nowMs: T0, then: [] },
  { name: "Extend to a deadline not after now → invalid_expiry", given: held, when: { _tag: "Extend", reservation_id: "r1", expires_at_ms: T0 + MIN }, nowMs: T0 + MIN, then: { reason: "invalid_expiry" } },
  { name: "Extend too far → invalid_expiry", given: held, when: { _tag: "Extend", reservation_id: "r1", expires_at_ms: T0 + skuLimits.maxHoldMs + 1 }, nowMs: T0, then: { reason: "invalid_expiry" } },
  { name: "Extend after its deadline → reservation_expired", given: held, when: { _tag: "Extend", reservation_id: "r1", expires_at_ms: late + MIN }, nowMs: late, then: { reason: "reservation_expired" } },
  { name: "Extend after Confirm → reservation_confirmed", given: history(register(), receive(10), reserve("r1", 3), confirm("r1")), when: { _tag: "Extend", reservation_id: "r1", expires_at_ms: DEADLINE + MIN }, nowMs: T0, then: { reason: "reservation_confirmed" } },
  { name: "Extend after Release → reservation_released", given: history(register(), receive(10), reserve("r1", 3), release("r1")), when: { _tag: "Extend", reservation_id: "r1", expires_at_ms: DEADLINE + MIN }, nowMs: T0, then: { reason: "reservation_released" } },
  { name: "Extend after expiry → reservation_expired", given: history(register(), receive(10), reserve("r1", 3), [{ _tag: "Expire" }, late]), when: { _tag: "Extend", reservation_id: "r1", expires_at_ms: late + MIN }, nowMs: late, then: { reason: "reservation_expired" } },
  { name: "Extend an unknown id → reservation_not_found", given: stocked, when: { _tag: "Extend", reservation_id: "r9", expires_at_ms: DEADLINE }, nowMs: T0, then: { reason: "reservation_not_found" } },
  // ------------------------------------------------------------ Expire
  { name: "Expire with nothing due → no events", given: held, when: { _tag: "Expire" }, nowMs: DEADLINE - 1, then: [], reply: { expired: 0, available: 7 } },
  {
    name: "Expire releases every due hold, earliest first",
    given: history(register(), receive(10), reserve("r2", 4, { expires_at_ms: T0 + 2 * MIN }), reserve("r1", 3, { expires_at_ms: T0 + MIN }), reserve("r3", 3)),
    when: { _tag: "Expire" },
    nowMs: T0 + 2 * MIN,
    then: [settled("ReservationExpired", "r1", 3, 3, T0 + 2 * MIN), settled("ReservationExpired", "r2", 4, 7, T0 + 2 * MIN), status("out_of_stock", "in_stock", 7)],
    reply: { expired: 2, available: 7 }
  },
  // ------------------------------------------------------------ GetReservation
  { name: "GetReservation of a hold", given: held, when: { _tag: "GetReservation", reservation_id: "r1" }, nowMs: T0, then: [], reply: { reservation_id: "r1", owner: "u_1", status: "held", quantity: 3, expires_at_ms: DEADLINE } },
  { name: "GetReservation past its deadline says expired", given: held, when: { _tag: "GetReservation", reservation_id: "r1" }, nowMs: DEADLINE, then: [], reply: { status: "expired" } },
  { name: "GetReservation of a confirmed one", given: history(register(), receive(10), reserve("r1", 3), confirm("r1")), when: { _tag: "GetReservation", reservation_id: "r1" }, nowMs: T0, then: [], reply: { status: "confirmed" } },
  { name: "GetReservation of an unknown id → reservation_not_found", given: stocked, when: { _tag: "GetReservation", reservation_id: "r9" }, nowMs: T0, then: { reason: "reservation_not_found" } },
  { name: "GetReservation of a recorded release → reservation_not_found", given: history(register(), release("r9")), when: { _tag: "GetReservation", reservation_id: "r9" }, nowMs: T0, then: { reason: "reservation_not_found" } },
  // ------------------------------------------------------------ Receive
  {
    name: "Receive into a new warehouse",
    given: history(register()),
    when: receive(10, "wh_main", "po-1"),
    nowMs: T0,
    then: [{ _tag: "Received", ...moved("po-1", 10, 10), quantity: 10 }, status("out_of_stock", "in_stock", 10)],
    reply: { warehouses: [{ warehouse_id: "wh_main", on_hand: 10, available: 10 }], stock_status: "in_stock" }
  },
  {
    name: "Receive with back-in-stock subscribers",
    given: history(register(), { _tag: "Subscribe", user_id: "u_7" }, { _tag: "Subscribe", user_id: "u_8" }),
    when: receive(2, "wh_main", "po-1"),
    nowMs: T0,
    then: [{ _tag: "Received", ...moved("po-1", 2, 2), quantity: 2 }, status("out_of_stock", "low_stock", 2), { _tag: "BackInStock", subscribers: ["u_7", "u_8"], available: 2 }]
  },
  { name: "Receive replay, same ref and data → no events", given: history(register(), receive(10, "wh_main", "po-1")), when: receive(10, "wh_main", "po-1"), nowMs: T0, then: [], reply: { on_hand: 10 } },
  { name: "Receive replay, same ref, other quantity → ref_conflict", given: history(register(), receive(10, "wh_main", "po-1")), when: receive(11, "wh_main", "po-1"), nowMs: T0, then: { reason: "ref_conflict", ref: "po-1" } },
  { name: "A ref reused by another operation → ref_conflict", given: history(register(), receive(10, "wh_main", "po-1")), when: { _tag: "ReturnToStock", warehouse_id: "wh_main", quantity: 10, ref: "po-1" }, nowMs: T0, then: { reason: "ref_conflict" } },
  {
    name: "Receive into a warehouse beyond the limit → too_many_warehouses",
    given: history(register(), ...Array.from({ length: skuLimits.maxWarehouses }, (_, i) => receive(1, `wh_${i}`))),
    when: receive(1, "wh_new"),
    nowMs: T0,
    then: { reason: "too_many_warehouses", limit: skuLimits.maxWarehouses }
  },
  // ------------------------------------------------------------ Adjust
  { name: "Adjust up", given: stocked, when: { _tag: "Adjust", warehouse_id: "wh_main", delta: 5, ref: "a1" }, nowMs: T0, then: [{ _tag: "Adjusted", ...moved("a1", 15, 15), delta: 5 }] },
  { name: "Adjust down to what is reserved", given: held, when: { _tag: "Adjust", warehouse_id: "wh_main", delta: -7, ref: "a1" }, nowMs: T0, then: [{ _tag: "Adjusted", ...moved("a1", 3, 0), delta: -7 }, status("in_stock", "out_of_stock", 0)] },
  { name: "Adjust below what is reserved → below_reserved", given: held, when: { _tag: "Adjust", warehouse_id: "wh_main", delta: -8, ref: "a1" }, nowMs: T0, then: { reason: "below_reserved", warehouse_id: "wh_main", on_hand: 10, reserved: 3 } },
  { name: "Adjust an unknown warehouse down → below_reserved", given: stocked, when: { _tag: "Adjust", warehouse_id: "wh_x", delta: -1, ref: "a1" }, nowMs: T0, then: { reason: "below_reserved", on_hand: 0, reserved: 0 } },
  { name: "Adjust replay → no events", given: history(register(), receive(10), { _tag: "Adjust", warehouse_id: "wh_main", delta: -1, ref: "a1" }), when: { _tag: "Adjust", warehouse_id: "wh_main", delta: -1, ref: "a1" }, nowMs: T0, then: [] },
  // ------------------------------------------------------------ SetOnHand
  { name: "SetOnHand", given: stocked, when: { _tag: "SetOnHand", warehouse_id: "wh_main", on_hand: 4, ref: "c1" }, nowMs: T0, then: [{ _tag: "OnHandSet", ...moved("c1", 4, 4), delta: -6, expected_on_hand: null }, status("in_stock", "low_stock", 4)] },
  {
    name: "SetOnHand with a matching expected_on_hand",
    given: stocked,
    when: { _tag: "SetOnHand", warehouse_id: "wh_main", on_hand: 12, expected_on_hand: 10, ref: "c1" },
    nowMs: T0,
    then: [{ _tag: "OnHandSet", ...moved("c1", 12, 12), delta: 2, expected_on_hand: 10 }]
  },
  { name: "SetOnHand with a stale expected_on_hand → stock_conflict", given: stocked, when: { _tag: "SetOnHand", warehouse_id: "wh_main", on_hand: 12, expected_on_hand: 9, ref: "c1" }, nowMs: T0, then: { reason: "stock_conflict", warehouse_id: "wh_main", on_hand: 10 } },
  { name: "SetOnHand below what is reserved → below_reserved", given: held, when: { _tag: "SetOnHand", warehouse_id: "wh_main", on_hand: 2, ref: "c1" }, nowMs: T0, then: { reason: "below_reserved", on_hand: 10, reserved: 3 } },
  { name: "SetOnHand to the current level still records the count", given: stocked, when: { _tag: "SetOnHand", warehouse_id: "wh_main", on_hand: 10, ref: "c1" }, nowMs: T0, then: [{ _tag: "OnHandSet", ...moved("c1", 10, 10), delta: 0, expected_on_hand: null }] },
  {
    name: "SetOnHand replay (its expected_on_hand now stale) → no events",
    given: history(register(), receive(10), { _tag: "SetOnHand", warehouse_id: "wh_main", on_hand: 12, expected_on_hand: 10, ref: "c1" }),
    when: { _tag: "SetOnHand", warehouse_id: "wh_main", on_hand: 12, expected_on_hand: 10, ref: "c1" },
    nowMs: T0,
    then: [],
    reply: { on_hand: 12 }
  },
  // ------------------------------------------------------------ Damage, ReturnToStock, SetInTransit
  {
    name: "Damage",
    given: stocked,
    when: { _tag: "Damage", warehouse_id: "wh_main", quantity: 2, ref: "d1" },
    nowMs: T0,
    then: [{ _tag: "Damaged", ...moved("d1", 8, 8), quantity: 2 }],
    reply: { damaged: 2, warehouses: [{ warehouse_id: "wh_main", on_hand: 8, damaged: 2 }] }
  },
  { name: "Damage below what is reserved → below_reserved", given: held, when: { _tag: "Damage", warehouse_id: "wh_main", quantity: 8, ref: "d1" }, nowMs: T0, then: { reason: "below_reserved", reserved: 3 } },
  { name: "ReturnToStock", given: stocked, when: { _tag: "ReturnToStock", warehouse_id: "wh_main", quantity: 1, ref: "ret-1" }, nowMs: T0, then: [{ _tag: "Returned", ...moved("ret-1", 11, 11), quantity: 1 }] },
  { name: "SetInTransit", given: stocked, when: { _tag: "SetInTransit", warehouse_id: "wh_main", in_transit: 40, ref: "t1" }, nowMs: T0, then: [{ _tag: "InTransitSet", warehouse_id: "wh_main", ref: "t1", at_ms: T0, in_transit: 40 }], reply: { in_transit: 40, available: 10 } },
  { name: "SetInTransit replay → no events", given: history(register(), { _tag: "SetInTransit", warehouse_id: "wh_main", in_transit: 40, ref: "t1" }), when: { _tag: "SetInTransit", warehouse_id: "wh_main", in_transit: 40, ref: "t1" }, nowMs: T0, then: [] },
  { name: "SetInTransit replay, other level → ref_conflict", given: history(register(), { _tag: "SetInTransit", warehouse_id: "wh_main", in_transit: 40, ref: "t1" }), when: { _tag: "SetInTransit", warehouse_id: "wh_main", in_transit: 41, ref: "t1" }, nowMs: T0, then: { reason: "ref_conflict" } },
  // ------------------------------------------------------------ Subscribe, Unsubscribe
  { name: "Subscribe while out of stock", given: history(register()), when: { _tag: "Subscribe", user_id: "u_7" }, nowMs: T0, then: [{ _tag: "Subscribed", user_id: "u_7" }], reply: { user_id: "u_7", subscribed: true, available: 0 } },
  { name: "Subscribe again → no events", given: history(register(), { _tag: "Subscribe", user_id: "u_7" }), when: { _tag: "Subscribe", user_id: "u_7" }, nowMs: T0, then: [], reply: { subscribed: true } },
  { name: "Subscribe while in stock → nothing to wait for", given: stocked, when: { _tag: "Subscribe", user_id: "u_7" }, nowMs: T0, then: [], reply: { subscribed: false, available: 10 } },
  {
    name: "Subscribe beyond the limit → subscriber_limit",
    given: history(register(), ...Array.from({ length: skuLimits.maxSubscribers }, (_, i) => ({ _tag: "Subscribe" as const, user_id: `u_${i}` }))),
    when: { _tag: "Subscribe", user_id: "u_new" },
    nowMs: T0,
    then: { reason: "subscriber_limit", limit: skuLimits.maxSubscribers }
  },
  { name: "Unsubscribe", given: history(register(), { _tag: "Subscribe", user_id: "u_7" }), when: { _tag: "Unsubscribe", user_id: "u_7" }, nowMs: T0, then: [{ _tag: "Unsubscribed", user_id: "u_7" }], reply: { subscribed: false } },
  { name: "Unsubscribe when not subscribed → no events", given: history(register()), when: { _tag: "Unsubscribe", user_id: "u_7" }, nowMs: T0, then: [] }
]

describe("sku decider", () => {
  for (const row of rows) it(row.name, () => void runRow(sku, row, SKU))

  it("Expire releases at most expirePerCommand holds per command; the timer stays due for the rest", () => {
    const n = skuLimits.expirePerCommand + 5
    const holds = history(register(), receive(n), ...Array.from({ length: n }, (_, i) => reserve(`r${i}`, 1, { owner: `u_${i}`, expires_at_ms: T0 + MIN })))
    let state = stateOf(holds)
    const first = sku.decide(state, { _tag: "Expire" }, T0 + MIN)
    if (first._tag !== "Accept") throw new Error("expected Accept")
    expect(first.reply).toEqual({ expired: skuLimits.expirePerCommand, available: skuLimits.expirePerCommand })
    state = first.events.reduce(sku.evolve, state)
    expect(sku.nextTimer!(state)).toEqual({ atMs: T0 + MIN, command: { _tag: "Expire" } })
    const second = sku.decide(state, { _tag: "Expire" }, T0 + MIN)
    if (second._tag !== "Accept") throw new Error("expected Accept")
    expect(second.reply).toEqual({ expired: 5, available: n })
    state = second.events.reduce(sku.evolve, state)
    expect(sku.nextTimer!(state)).toBeUndefined()
    assertFullInvariants(state)
  })

  it(`Reserve beyond ${skuLimits.maxLiveHolds} live holds → too_many_holds`, () => {
    const n = skuLimits.maxLiveHolds
    const events: Array<SkuEvent> = [...history(register(), receive(skuLimits.maxMovementQuantity))]
    for (let i = 0; i < n; i++) {
      events.push({ ...(reserved(`r${i}`, 1, skuLimits.maxMovementQuantity - i - 1) as Extract<SkuEvent, { _tag: "Reserved" }>), owner: `u_${i % 1000}` })
    }
    runRow(sku, { name: "too many holds", given: events, when: reserve("one-more", 1), nowMs: T0, then: { reason: "too_many_holds", limit: n } }, SKU)
  })

  it("nextTimer is the earliest deadline", () => {
    const state = stateOf(history(register(), receive(10), reserve("b", 1, { expires_at_ms: T0 + 3 * MIN }), reserve("a", 1, { expires_at_ms: T0 + 2 * MIN })))
    expect(sku.nextTimer!(state)).toEqual({ atMs: T0 + 2 * MIN, command: { _tag: "Expire" } })
    expect(sku.nextTimer!(stateOf(stocked))).toBeUndefined()
  })

  it("settled ids are remembered for at least maxSettled more settlements, then forgotten a generation at a time", () => {
    const max = skuLimits.maxSettled
    const recorded = (n: number): Array<SkuEvent> => [
      ...history(register()),
      ...Array.from({ length: n }, (_, i): SkuEvent => ({ _tag: "ReleaseRecorded", reservation_id: `x${i}`, at_ms: T0 + i }))
    ]
    const answer = (state: ReturnType<typeof stateOf>, id: string) => {
      const d = sku.decide(state, confirm(id), T0)
      return d._tag === "Reject" ? d.rejection.reason : "accepted"
    }
    // x0 is still known after `max` later settlements…
    const full = stateOf(recorded(2 * max))
    expect(answer(full, "x0")).toBe("reservation_released")
    // …and the oldest generation (x0 … x{max-1}) is dropped when the 2·max+1st arrives.
    const rotated = stateOf(recorded(2 * max + 1))
    expect(answer(rotated, "x0")).toBe("reservation_not_found")
    expect(answer(rotated, `x${max - 1}`)).toBe("reservation_not_found")
    expect(answer(rotated, `x${max}`)).toBe("reservation_released")
    expect(answer(rotated, `x${2 * max}`)).toBe("reservation_released")
  })

  it("settled ids are kept at least half the retention and dropped once older than the retention", () => {
    const R = skuLimits.settledRetentionMs
    const at = (...times: Array<[string, number]>) =>
      stateOf([...history(register()), ...times.map(([id, t]): SkuEvent => ({ _tag: "ReleaseRecorded", reservation_id: id, at_ms: t }))])
    const answer = (state: ReturnType<typeof stateOf>, id: string) => {
      const d = sku.decide(state, confirm(id), T0)
      return d._tag === "Reject" ? d.rejection.reason : "accepted"
    }
    const halfLater = at(["old", T0], ["new", T0 + R / 2])
    expect(answer(halfLater, "old")).toBe("reservation_released")
    const muchLater = at(["old", T0], ["new", T0 + R])
    expect(answer(muchLater, "old")).toBe("reservation_not_found")
    expect(answer(muchLater, "new")).toBe("reservation_released")
    // A generation closes by the age of its first entry but is dropped only by the age of its newest.
    const spread = at(["a", T0], ["b", T0 + R / 2 - 1], ["c", T0 + R])
    expect(answer(spread, "b")).toBe("reservation_released")
  })

  it("evolve refuses events that break an invariant (a defect)", () => {
    const state = stateOf(held)
    const over = { ...(reserved("r2", 8, -1) as object) } as SkuEvent
    expect(() => sku.evolve(state, over)).toThrow(/invariant broken/)
    expect(() => sku.evolve(state, settled("Confirmed", "nope", 1, 7))).toThrow(/not held/)
    expect(() => sku.evolve(stateOf([]), reserved("r1", 1, 0))).toThrow(/before Registered/)
  })

  it("a snapshot that breaks an invariant does not decode", () => {
    const state = stateOf(held)
    const encoded = JSON.parse(JSON.stringify(codec.encode(state))) as { warehouses: Array<{ reserved: number }> }
    encoded.warehouses[0]!.reserved = 4
    expect(() => codec.decode(encoded)).toThrow(/reserved 4 ≠ Σ live hold lines 3/)
  })
})
