import type { SkuCommand, SkuEvent } from "./sku-schema.ts"
import { sku, type SkuState } from "./sku.ts"

/** Command builders and history helpers shared by the SKU tests (test helper). */

export const SKU = "sku_test"
/** A fixed "now" for the tables; deadlines are relative to it. */
export const T0 = 1_700_000_000_000
export const MIN = 60_000

export const register = (seller_id = "s_1", low_stock_threshold?: number): SkuCommand =>
  low_stock_threshold === undefined ? { _tag: "Register", seller_id } : { _tag: "Register", seller_id, low_stock_threshold }
export const receive = (quantity: number, warehouse_id = "wh_main", ref = `recv-${warehouse_id}-${quantity}`): SkuCommand => ({
  _tag: "Receive",
  warehouse_id,
  quantity,
  ref
})
export const reserve = (
  reservation_id: string,
  quantity: number,
  extra: Partial<Omit<Extract<SkuCommand, { _tag: "Reserve" }>, "_tag">> = {}
): SkuCommand => ({ _tag: "Reserve", reservation_id, quantity, expires_at_ms: T0 + 10 * MIN, owner: "u_1", ...extra })
export const confirm = (reservation_id: string): SkuCommand => ({ _tag: "Confirm", reservation_id })
export const release = (reservation_id: string): SkuCommand => ({ _tag: "Release", reservation_id })

/** Decide and apply commands in order (at `T0` unless given `[command, nowMs]`); returns the events. A rejection throws. */
export const history = (...steps: ReadonlyArray<SkuCommand | readonly [SkuCommand, number]>): Array<SkuEvent> => {
  let state: SkuState = sku.initialState(SKU)
  const events: Array<SkuEvent> = []
  for (const step of steps) {
    const [command, nowMs] = Array.isArray(step) ? (step as readonly [SkuCommand, number]) : [step as SkuCommand, T0]
    const decision = sku.decide(state, command, nowMs)
    if (decision._tag === "Reject") throw new Error(`history: ${command._tag} rejected: ${JSON.stringify(decision.rejection)}`)
    for (const e of decision.events) {
      state = sku.evolve(state, e)
      events.push(e)
    }
  }
  return events
}

export const stateOf = (events: ReadonlyArray<SkuEvent>, id = SKU): SkuState => events.reduce(sku.evolve, sku.initialState(id))
