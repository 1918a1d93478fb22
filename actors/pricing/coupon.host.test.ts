import { afterEach, describe, expect, it } from "vitest"
import { ActorHost, type HostPorts } from "../../runtime/host.ts"
import { makeMemoryJournal, makeMemoryPositionStore, makeMemorySnapshotStore } from "../../storage/memory.ts"
import { coupon, type CouponReply } from "./coupon.ts"
import { coupon as definition } from "./pricing-fixtures.ts"

/** The coupon actor on a real host with in-memory storage: concurrent shoppers, retries, crash and restart. */
const hosts: Array<ActorHost> = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()))
})

const ports = (): HostPorts => ({ journal: makeMemoryJournal(), snapshots: makeMemorySnapshotStore(), positions: makeMemoryPositionStore() })
const start = async (p: HostPorts) => {
  const host = new ActorHost(p, [coupon], { shardCount: 4, timerRetryMs: 10, checkpointEveryMs: 60_000, passivationSweepMs: 60_000 }, undefined, () => {})
  await host.start()
  hosts.push(host)
  return host
}
/** Abandon a host without stopping it (no final snapshots or checkpoints): the in-memory kill -9. */
const crash = (host: ActorHost) => {
  hosts.splice(hosts.indexOf(host), 1)
  ;(host as unknown as { stopping: boolean }).stopping = true
}

const CODE = "FLASH50"
const user = (i: number) => `u_shopper${String(i).padStart(10, "0")}`
const redeem = (host: ActorHost, order: number, shopper: number) =>
  host.ask<CouponReply>(coupon, CODE, { _tag: "Redeem", order_id: `ord_${order}`, user_id: user(shopper), order_amount: 10_000 }).then(
    (r) => r.redemption?.status ?? "none",
    (e: { reason?: string }) => e.reason ?? String(e)
  )
const get = (host: ActorHost) => host.ask<CouponReply>(coupon, CODE, { _tag: "Get" })

describe("coupon actor on the host", () => {
  it("1,000 concurrent redemptions (half of them retried at once) for 100 uses → exactly 100, one per customer", async () => {
    const host = await start(ports())
    await host.ask(coupon, CODE, { _tag: "Define", definition: definition({ code: CODE, usage_limit: 100, per_customer_limit: 1 }) })
    // 1,000 orders by 500 shoppers (two orders each), every other order retried concurrently.
    const attempts = Array.from({ length: 1_000 }, (_, i) => redeem(host, i, i % 500))
    const retries = Array.from({ length: 500 }, (_, i) => redeem(host, i * 2, (i * 2) % 500))
    const outcomes = await Promise.all([...attempts, ...retries])
    const first = outcomes.slice(0, 1_000)
    expect(first.filter((o) => o === "redeemed")).toHaveLength(100)
    expect(first.filter((o) => o !== "redeemed").every((o) => o === "usage_limit_reached" || o === "customer_limit_reached")).toBe(true)
    // A retry answers what its first attempt got (the first attempts were decided first).
    outcomes.slice(1_000).forEach((o, i) => expect(o).toBe(first[i * 2]))
    expect((await get(host)).coupon).toMatchObject({ uses: 100, remaining_uses: 0 })
  })

  it("uses survive a crash (journal replay) and a restart (snapshot); reverts after recovery give uses back", async () => {
    const p = ports()
    const first = await start(p)
    await first.ask(coupon, CODE, { _tag: "Define", definition: definition({ code: CODE, usage_limit: 5, per_customer_limit: 2 }) })
    for (let i = 0; i < 4; i++) expect(await redeem(first, i, i % 2)).toBe("redeemed")
    await first.ask(coupon, CODE, { _tag: "Revert", order_id: "ord_99" })
    crash(first)

    const second = await start(p)
    expect((await get(second)).coupon).toMatchObject({ uses: 4 })
    expect(await redeem(second, 0, 0)).toBe("redeemed") // a retry from before the crash: no second use
    expect(await redeem(second, 99, 3)).toBe("reverted") // the tombstone survived
    expect(await redeem(second, 10, 0)).toBe("customer_limit_reached")
    await second.ask(coupon, CODE, { _tag: "Revert", order_id: "ord_0" })
    await second.stop()
    hosts.splice(hosts.indexOf(second), 1)

    const third = await start(p)
    expect((await get(third)).coupon).toMatchObject({ uses: 3, remaining_uses: 2 })
    expect(await redeem(third, 10, 0)).toBe("redeemed")
    expect(await redeem(third, 11, 4)).toBe("redeemed")
    expect(await redeem(third, 12, 5)).toBe("usage_limit_reached")
  })
})
