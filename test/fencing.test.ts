import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import { Redis } from "ioredis"
import { afterAll, describe, expect, it } from "vitest"
import { ActorHost } from "../runtime/host.ts"
import { shardOf } from "../runtime/sharding.ts"
import { makeMemoryPositionStore, makeMemorySnapshotStore } from "../storage/memory.ts"
import { makeRedisJournal } from "../storage/redis/journal.ts"
import { ledger } from "./support/ledger.ts"

const url = process.env["REDIS_URL_TEST"] ?? "redis://127.0.0.1:6379"
const prefix = `test:fencing:${randomUUID()}`
const clients: Array<Redis> = []
const hosts: Array<ActorHost> = []

afterAll(async () => {
  for (const h of hosts) await h.stop()
  const admin = new Redis(url)
  let cursor = "0"
  do {
    const [next, keys] = await admin.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000)
    if (keys.length > 0) await admin.del(...keys)
    cursor = next
  } while (cursor !== "0")
  await admin.quit()
  await Promise.all(clients.map((c) => c.quit()))
})

describe("fencing on a real Redis journal", () => {
  it("two hosts compete for one shard: after the newer one takes it, only the newer one ever writes", async () => {
    const snapshots = makeMemorySnapshotStore()
    const positions = makeMemoryPositionStore()
    const journalOf = () => {
      const redis = new Redis(url)
      clients.push(redis)
      return makeRedisJournal(redis, { prefix })
    }
    const shardCount = 8
    const shard = shardOf("ledger/contested", shardCount)
    const older = new ActorHost({ journal: journalOf(), snapshots, positions }, [ledger], { shardCount }, undefined, () => {})
    await older.start()
    hosts.push(older)

    // The older host is busy writing when the newer one takes the shard over.
    let stop = false
    const olderAcks: Array<string> = []
    const olderLoop = (async () => {
      for (let i = 0; !stop && i < 5_000; i++) {
        const id = `old-${i}`
        try {
          await older.ask(ledger, "contested", { _tag: "Deposit", id, amount: 1 })
          olderAcks.push(id)
        } catch {
          await new Promise((r) => setTimeout(r, 2))
        }
      }
    })()
    await new Promise((r) => setTimeout(r, 100))
    const newer = new ActorHost({ journal: journalOf(), snapshots, positions }, [ledger], { shardCount, ownedShards: [shard] }, undefined, () => {})
    await newer.start()
    hosts.push(newer)
    const newerAcks: Array<string> = []
    for (let i = 0; i < 50; i++) {
      await newer.ask(ledger, "contested", { _tag: "Deposit", id: `new-${i}`, amount: 1 })
      newerAcks.push(`new-${i}`)
    }
    stop = true
    await olderLoop

    expect(older.ownedShards()).not.toContain(shard)
    const journal = journalOf()
    const batches = await Effect.runPromise(journal.read(shard, 0, 100_000))
    const ids = batches.flatMap((b) => b.events.filter((e) => e.actor === "ledger/contested").map((e) => (e.event as { id: string }).id))
    const firstNew = ids.findIndex((id) => id.startsWith("new-"))
    // Nothing of the older host lands after the newer host's first write, every ack of either host is there exactly once.
    expect(ids.slice(firstNew).every((id) => id.startsWith("new-"))).toBe(true)
    for (const id of [...olderAcks, ...newerAcks]) expect(ids.filter((x) => x === id)).toHaveLength(1)
    const seqs = batches.flatMap((b) => b.events.filter((e) => e.actor === "ledger/contested").map((e) => e.seq))
    expect(seqs).toEqual(seqs.map((_, i) => i + 1))
    expect(await newer.ask(ledger, "contested", { _tag: "Read" })).toEqual({ balance: ids.length, seen: ids.length })
  })
})
