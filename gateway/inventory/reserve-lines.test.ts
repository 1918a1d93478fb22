import { Effect, Either } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import type { ReservationView, SkuView } from "../../actors/inventory/sku-schema.ts"
import { sku } from "../../actors/inventory/sku.ts"
import { ActorHost } from "../../runtime/host.ts"
import { Actors } from "../../runtime/service.ts"
import { makeMemoryJournal, makeMemoryPositionStore, makeMemorySnapshotStore } from "../../storage/memory.ts"
import { type LineRequest, orderLines, reserveLines, reserveLinesApiError, type ReserveLinesOptions } from "./reserve-lines.ts"

/** reserveLines on a real host (in-memory storage): every line a real SKU actor. */
const hosts: Array<ActorHost> = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()))
})

const start = async () => {
  const host = new ActorHost(
    { journal: makeMemoryJournal(), snapshots: makeMemorySnapshotStore(), positions: makeMemoryPositionStore() },
    [sku],
    { shardCount: 4, checkpointEveryMs: 60_000, passivationSweepMs: 60_000 },
    undefined,
    () => {}
  )
  await host.start()
  hosts.push(host)
  return host
}

const stock = async (host: ActorHost, units: Readonly<Record<string, number>>) => {
  for (const [id, quantity] of Object.entries(units)) {
    await host.ask(sku, id, { _tag: "Register", seller_id: "s_1" })
    if (quantity > 0) await host.ask(sku, id, { _tag: "Receive", warehouse_id: "wh_main", quantity, ref: `po-${id}` })
  }
}
const view = (host: ActorHost, id: string) => host.ask<SkuView>(sku, id, { _tag: "Get" })
const options = (reservationId: string, owner = "u_1"): ReserveLinesOptions => ({ owner, reservationId, expiresAtMs: Date.now() + 60_000, nowMs: Date.now() })
const run = (host: ActorHost, lines: ReadonlyArray<LineRequest>, o: ReserveLinesOptions) =>
  Effect.runPromise(Effect.either(reserveLines(lines, o)).pipe(Effect.provideService(Actors, host)))

describe("reserveLines", () => {
  it("orders lines by sku_id and merges duplicates", () => {
    expect(orderLines([{ sku_id: "sku_c", quantity: 1 }, { sku_id: "sku_a", quantity: 2 }, { sku_id: "sku_c", quantity: 3 }])).toEqual([
      { sku_id: "sku_a", quantity: 2 },
      { sku_id: "sku_c", quantity: 4 }
    ])
  })

  it("reserves every line under one reservation id; a retry replays the same holds", async () => {
    const host = await start()
    await stock(host, { sku_a: 5, sku_b: 5, sku_c: 5 })
    const lines = [{ sku_id: "sku_c", quantity: 1 }, { sku_id: "sku_a", quantity: 2 }, { sku_id: "sku_b", quantity: 3 }, { sku_id: "sku_a", quantity: 1 }]
    const o = options("co_1")
    const first = await run(host, lines, o)
    expect(Either.isRight(first)).toBe(true)
    const taken = Either.getOrThrow(first)
    expect(taken.map((t) => [t.sku_id, t.quantity, t.reservation_id])).toEqual([
      ["sku_a", 3, "co_1"],
      ["sku_b", 3, "co_1"],
      ["sku_c", 1, "co_1"]
    ])
    expect(taken[0]!.lines).toEqual([{ warehouse_id: "wh_main", quantity: 3 }])
    const again = await run(host, lines, { ...o, nowMs: o.nowMs + 10 })
    expect(Either.getOrThrow(again)).toEqual(taken)
    expect((await view(host, "sku_a")).available).toBe(2)
    expect((await view(host, "sku_b")).available).toBe(2)
    expect((await view(host, "sku_c")).available).toBe(4)
    expect(await host.ask<ReservationView>(sku, "sku_b", { _tag: "GetReservation", reservation_id: "co_1" })).toMatchObject({ status: "held", owner: "u_1" })
  })

  it("all or nothing: the first short line releases what was taken, and every short line is reported", async () => {
    const host = await start()
    // Sorted: sku_a (fine, taken), sku_b (short: fails), sku_c (short: reported from Get), sku_d (fine: not reported).
    await stock(host, { sku_a: 5, sku_b: 1, sku_c: 0, sku_d: 9 })
    const lines = [{ sku_id: "sku_d", quantity: 2 }, { sku_id: "sku_c", quantity: 1 }, { sku_id: "sku_b", quantity: 2 }, { sku_id: "sku_a", quantity: 4 }]
    const result = await run(host, lines, options("co_2"))
    expect(Either.isLeft(result)).toBe(true)
    const error = Either.getLeft(result).pipe((o) => (o._tag === "Some" ? o.value : undefined))!
    expect(error).toMatchObject({
      _tag: "LinesOutOfStock",
      skus: [
        { sku_id: "sku_b", requested: 2, available: 1 },
        { sku_id: "sku_c", requested: 1, available: 0 }
      ]
    })
    for (const [id, available] of [["sku_a", 5], ["sku_b", 1], ["sku_c", 0], ["sku_d", 9]] as const) {
      expect(await view(host, id)).toMatchObject({ available, reserved: 0, live_holds: 0 })
    }
    // The released hold stays released: a retry with the same id does not take stock again.
    expect(await host.ask<ReservationView>(sku, "sku_a", { _tag: "GetReservation", reservation_id: "co_2" })).toMatchObject({ status: "released" })
    const api = reserveLinesApiError(error)
    expect(api).toMatchObject({ status: 409, code: "out_of_stock", details: { skus: error._tag === "LinesOutOfStock" ? error.skus : [] } })
  })

  it("any other rejection (unknown SKU, purchase limit) releases what was taken and names the line", async () => {
    const host = await start()
    await stock(host, { sku_a: 5, sku_c: 5 })
    const unknown = await run(host, [{ sku_id: "sku_a", quantity: 1 }, { sku_id: "sku_b", quantity: 1 }], options("co_3"))
    expect(Either.getLeft(unknown).pipe((o) => (o._tag === "Some" ? o.value : undefined))).toMatchObject({
      _tag: "LineRejected",
      sku_id: "sku_b",
      rejection: { reason: "not_found" }
    })
    expect(await view(host, "sku_a")).toMatchObject({ available: 5, live_holds: 0 })

    await host.ask(sku, "sku_c", { _tag: "SetPurchaseLimit", per_user_limit: 2 })
    const limited = await run(host, [{ sku_id: "sku_a", quantity: 1 }, { sku_id: "sku_c", quantity: 3 }], options("co_4"))
    const error = Either.getLeft(limited).pipe((o) => (o._tag === "Some" ? o.value : undefined))!
    expect(error).toMatchObject({ _tag: "LineRejected", sku_id: "sku_c", rejection: { reason: "purchase_limit", limit: 2, already: 0 } })
    expect(reserveLinesApiError(error)).toMatchObject({ status: 422, code: "purchase_limit", details: { limit: 2, already: 0 } })
    expect(await view(host, "sku_a")).toMatchObject({ available: 5, live_holds: 0 })
  })

  it("two carts racing for the last unit of two SKUs in opposite orders: exactly one gets both, never a unit each", async () => {
    const host = await start()
    for (let round = 0; round < 50; round++) {
      const x = `sku_x${round}`
      const y = `sku_y${round}`
      await stock(host, { [x]: 1, [y]: 1 })
      const [one, two] = await Promise.all([
        run(host, [{ sku_id: x, quantity: 1 }, { sku_id: y, quantity: 1 }], options(`co_one_${round}`, "u_one")),
        run(host, [{ sku_id: y, quantity: 1 }, { sku_id: x, quantity: 1 }], options(`co_two_${round}`, "u_two"))
      ])
      expect([one, two].filter(Either.isRight)).toHaveLength(1)
      const loser = [one, two].find(Either.isLeft)!
      expect(Either.getLeft(loser).pipe((o) => (o._tag === "Some" ? o.value._tag : undefined))).toBe("LinesOutOfStock")
      expect(await view(host, x)).toMatchObject({ available: 0, live_holds: 1 })
      expect(await view(host, y)).toMatchObject({ available: 0, live_holds: 1 })
    }
  })

  it("no lines: nothing to do", async () => {
    const host = await start()
    expect(Either.getOrThrow(await run(host, [], options("co_5")))).toEqual([])
  })
})
