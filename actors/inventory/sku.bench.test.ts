import { describe, expect, it } from "vitest"
import { codecFor } from "../../runtime/actor.ts"
import { MIN, SKU, T0 } from "./sku-fixtures.ts"
import type { SkuCommand } from "./sku-schema.ts"
import { assertFullInvariants, holdCount, settledCount } from "./sku-state.ts"
import { sku, type SkuState } from "./sku.ts"

/**
 * Micro-benchmark of the hot path as the host runs it: decide → encode events → evolve →
 * nextTimer, on one SKU already holding 10,000 live holds. Prints timings; asserts only results.
 */

const eventCodec = codecFor(sku.event)
const stateCodec = codecFor(sku.state)

const run = (state: SkuState, commands: ReadonlyArray<SkuCommand>, nowMs: number): SkuState => {
  for (const command of commands) {
    const decision = sku.decide(state, command, nowMs)
    if (decision._tag !== "Accept") throw new Error(`rejected: ${JSON.stringify(decision.rejection)}`)
    for (const event of decision.events) {
      eventCodec.encode(event)
      state = sku.evolve(state, event)
    }
    sku.nextTimer!(state)
  }
  return state
}

const reserves = (from: number, n: number): Array<SkuCommand> =>
  Array.from({ length: n }, (_, i) => ({
    _tag: "Reserve",
    reservation_id: `res_${(from + i).toString(36).padStart(8, "0")}`,
    quantity: 1 + ((from + i) % 3),
    owner: `u_${(from + i) % 5_000}`,
    // Deadlines spread over ten minutes, not in arrival order, as with many checkouts.
    expires_at_ms: T0 + MIN + (((from + i) * 7_919) % (10 * MIN))
  }))

describe("sku hot path benchmark", () => {
  it("20,000 Reserve commands on one SKU with 10,000 live holds", () => {
    let state = sku.initialState(SKU)
    state = run(state, [{ _tag: "Register", seller_id: "s_1" }, { _tag: "Receive", warehouse_id: "wh_main", quantity: 1_000_000, ref: "po-1" }], T0)
    state = run(state, reserves(0, 10_000), T0)
    expect(holdCount(state)).toBe(10_000)

    const batch = reserves(10_000, 20_000)
    const began = performance.now()
    const cpu = process.cpuUsage()
    state = run(state, batch, T0)
    const elapsedMs = performance.now() - began
    const reserveCpu = process.cpuUsage(cpu)
    expect(holdCount(state)).toBe(30_000)

    // Settle a third of them (confirm / release) and expire what is due, the other hot commands.
    const settleBegan = performance.now()
    const settleCpuFrom = process.cpuUsage()
    const settle: Array<SkuCommand> = []
    for (let i = 0; i < 10_000; i++) {
      const id = `res_${i.toString(36).padStart(8, "0")}`
      settle.push(i % 2 === 0 ? { _tag: "Confirm", reservation_id: id } : { _tag: "Release", reservation_id: id })
    }
    state = run(state, settle, T0)
    const settleMs = performance.now() - settleBegan
    const settleCpu = process.cpuUsage(settleCpuFrom)
    const µs = (usage: NodeJS.CpuUsage, n: number) => ((usage.user + usage.system) / n).toFixed(1)

    const encodeCpuFrom = process.cpuUsage()
    const json = JSON.stringify(stateCodec.encode(state))
    const encodeCpu = process.cpuUsage(encodeCpuFrom)
    const encoded: unknown = JSON.parse(json)
    const decodeCpuFrom = process.cpuUsage()
    const decoded = stateCodec.decode(encoded)
    const decodeCpu = process.cpuUsage(decodeCpuFrom)
    const ms = (usage: NodeJS.CpuUsage) => ((usage.user + usage.system) / 1000).toFixed(0)
    assertFullInvariants(decoded)

    console.log(
      `sku bench: 20,000 Reserve (10,000 → 30,000 live holds) in ${elapsedMs.toFixed(0)} ms wall ` +
        `(${((elapsedMs * 1000) / 20_000).toFixed(1)} µs each, ${Math.round(20_000 / (elapsedMs / 1000)).toLocaleString("en")}/s; CPU ${µs(reserveCpu, 20_000)} µs each); ` +
        `10,000 Confirm/Release in ${settleMs.toFixed(0)} ms wall (CPU ${µs(settleCpu, 10_000)} µs each); ` +
        `snapshot of ${holdCount(state).toLocaleString("en")} holds + ${settledCount(state).toLocaleString("en")} settled: ` +
        `${(json.length / 1e6).toFixed(1)} MB, encode+JSON ${ms(encodeCpu)} ms CPU, decode+checks ${ms(decodeCpu)} ms CPU`
    )
  })
})
