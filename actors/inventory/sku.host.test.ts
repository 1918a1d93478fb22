import { afterEach, describe, expect, it } from "vitest"
import { ActorHost, type HostPorts } from "../../runtime/host.ts"
import { makeMemoryJournal, makeMemoryPositionStore, makeMemorySnapshotStore } from "../../storage/memory.ts"
import type { ReservationView, SkuView } from "./sku-schema.ts"
import { sku } from "./sku.ts"

/** The SKU actor on a real host with in-memory storage: schemas encode, durable timers fire, restarts recover. */
const hosts: Array<ActorHost> = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()))
})

const ports = (): HostPorts => ({ journal: makeMemoryJournal(), snapshots: makeMemorySnapshotStore(), positions: makeMemoryPositionStore() })
const start = async (p: HostPorts) => {
  const host = new ActorHost(p, [sku], { shardCount: 4, timerRetryMs: 10, checkpointEveryMs: 60_000, passivationSweepMs: 60_000 }, undefined, () => {})
  await host.start()
  hosts.push(host)
  return host
}
/** Abandon a host without stopping it (no final snapshots or checkpoints): the in-memory kill -9. */
const crash = (host: ActorHost) => {
  hosts.splice(hosts.indexOf(host), 1)
  ;(host as unknown as { stopping: boolean }).stopping = true
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const ID = "sku_hot"
const setUp = async (host: ActorHost, units: number) => {
  await host.ask(sku, ID, { _tag: "Register", seller_id: "s_1" })
  await host.ask(sku, ID, { _tag: "Receive", warehouse_id: "wh_main", quantity: units, ref: "po-1" })
}
const reserve = (host: ActorHost, id: string, quantity: number, ttlMs: number, owner = "u_1") =>
  host.ask<ReservationView>(sku, ID, { _tag: "Reserve", reservation_id: id, quantity, owner, expires_at_ms: Date.now() + ttlMs })
const view = (host: ActorHost) => host.ask<SkuView>(sku, ID, { _tag: "Get" })

describe("sku actor on the host", () => {
  it("a short hold is released by the durable timer", async () => {
    const host = await start(ports())
    await setUp(host, 5)
    expect(await reserve(host, "r1", 2, 150)).toMatchObject({ status: "held", quantity: 2, available: 3 })
    expect(await view(host)).toMatchObject({ available: 3, reserved: 2, live_holds: 1 })
    await sleep(400)
    expect(await view(host)).toMatchObject({ available: 5, reserved: 0, live_holds: 0, stock_status: "low_stock" })
    expect(await host.ask(sku, ID, { _tag: "GetReservation", reservation_id: "r1" })).toMatchObject({ status: "expired" })
    await expect(host.ask(sku, ID, { _tag: "Confirm", reservation_id: "r1" })).rejects.toMatchObject({ reason: "reservation_expired" })
  })

  it("holds are released after a crash (journal tail) and after a graceful restart (snapshot timers)", async () => {
    const p = ports()
    const first = await start(p)
    await setUp(first, 10)
    await reserve(first, "r1", 3, 300)
    await reserve(first, "r2", 1, 60_000)
    crash(first)
    const second = await start(p)
    expect(await view(second)).toMatchObject({ available: 6, live_holds: 2 })
    await sleep(600)
    expect(await view(second)).toMatchObject({ available: 9, live_holds: 1 })

    await reserve(second, "r3", 4, 300)
    await second.stop()
    hosts.splice(hosts.indexOf(second), 1)
    const third = await start(p)
    // Not loaded yet: its timer comes from the stored snapshot, fires, loads the actor and expires r3.
    await sleep(600)
    expect(await view(third)).toMatchObject({ available: 9, live_holds: 1 })
    expect(await third.ask(sku, ID, { _tag: "GetReservation", reservation_id: "r3" })).toMatchObject({ status: "expired" })
    expect(await third.ask(sku, ID, { _tag: "Confirm", reservation_id: "r2" })).toMatchObject({ status: "confirmed" })
    expect(await view(third)).toMatchObject({ on_hand: 9, available: 9, live_holds: 0 })
  })

  it("a flash sale: 100 units, 1,000 concurrent shoppers with retries → exactly 100 holds, no oversell", async () => {
    const host = await start(ports())
    await setUp(host, 100)
    const attempts = Array.from({ length: 1_000 }, (_, i) => reserve(host, `res-${i}`, 1, 60_000, `u_${i}`).then(
      (r) => r.status,
      (e: { reason?: string }) => e.reason
    ))
    // Half the shoppers retry with the same reservation id at the same time.
    const retries = Array.from({ length: 500 }, (_, i) => reserve(host, `res-${i * 2}`, 1, 60_000, `u_${i * 2}`).then(
      (r) => r.status,
      (e: { reason?: string }) => e.reason
    ))
    const outcomes = await Promise.all(attempts)
    const retried = await Promise.all(retries)
    expect(outcomes.filter((o) => o === "held")).toHaveLength(100)
    expect(outcomes.filter((o) => o === "out_of_stock")).toHaveLength(900)
    // A retry gets the answer of its first attempt (held) or, if that one was refused, a refusal.
    retried.forEach((o, i) => expect(o).toBe(outcomes[i * 2]))
    expect(await view(host)).toMatchObject({ on_hand: 100, reserved: 100, available: 0, stock_status: "out_of_stock", live_holds: 100 })
  })
})
