import { cp, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqlClient } from "@effect/sql"
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import { Journal, PositionStore, SnapshotStore } from "../runtime/ports.ts"
import { storageContract } from "./contract.ts"
import { EmbeddedStorageLive } from "./embedded.ts"

const dirs: Array<string> = []
const freshDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "embedded-storage-"))
  dirs.push(dir)
  return dir
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

let started: Array<{ readonly dispose: () => Promise<void> }> = []
afterEach(async () => {
  await Promise.all(started.map((rt) => rt.dispose()))
  started = []
})

/** Starts the embedded store now, so the corruption hooks can reach its database through the same connection. */
const startEmbedded = async (dataDir: string) => {
  const rt = ManagedRuntime.make(EmbeddedStorageLive({ dataDir }))
  started.push(rt)
  const runtime = await rt.runtime()
  const sql = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
    rt.runPromise(Effect.flatMap(SqlClient.SqlClient, f))
  return { rt, context: runtime.context, sql }
}

/**
 * initdb takes ~1.5 s per directory; the contract's stores start from a copy of one migrated,
 * closed directory instead (which also runs every one of them through the reopen path).
 */
let template: Promise<string> | undefined
const templateDir = () =>
  (template ??= (async () => {
    const dir = await freshDir()
    await ManagedRuntime.make(EmbeddedStorageLive({ dataDir: dir })).pipe(async (rt) => {
      await rt.runtime()
      await rt.dispose()
    })
    return dir
  })())

const copyOfTemplate = async () => {
  const dataDir = await freshDir()
  await cp(await templateDir(), dataDir, { recursive: true })
  return dataDir
}

storageContract("embedded", async () => {
  const { context, sql } = await startEmbedded(await copyOfTemplate())
  return {
    layer: Layer.succeedContext(context),
    corruptNextBatch: async (shard) => {
      await sql(
        (sql) => sql`
          WITH bumped AS (UPDATE journal_shards SET head = head + 1 WHERE shard = ${shard} RETURNING shard, head)
          INSERT INTO journal_batches (shard, position, at_ms, payload)
          SELECT shard, head, 0, ${Buffer.from("not msgpack")}::bytea FROM bumped`
      )
    },
    corruptSnapshot: async (actor) => {
      await sql(
        (sql) => sql`
          INSERT INTO snapshots (actor, shard, seq, position, timer_at_ms, state)
          VALUES (${actor}, 0, 1, 1, NULL, ${Buffer.from([0x93, 0x01])}::bytea)`
      )
    }
  }
})

describe("embedded storage", () => {
  it("keeps its data across closing and reopening the same directory", async () => {
    const dataDir = await freshDir()
    const write = ManagedRuntime.make(EmbeddedStorageLive({ dataDir }))
    await write.runPromise(
      Effect.gen(function* () {
        const j = yield* Journal
        const e = yield* j.acquire(5)
        yield* j.append(5, e, 1_700_000_000_000, [{ actor: "sku/1", seq: 1, event: { _tag: "Stocked", n: 3 } }])
        yield* (yield* SnapshotStore).save([
          { actor: "sku/1", shard: 5, seq: 1, position: 1, timerAtMs: 1_800_000_000_000, state: { n: 3 } }
        ])
        yield* (yield* PositionStore).set("recovery", 5, 1)
      })
    )
    await write.dispose()

    const read = ManagedRuntime.make(EmbeddedStorageLive({ dataDir }))
    try {
      const out = await read.runPromise(
        Effect.gen(function* () {
          const j = yield* Journal
          return {
            batches: yield* j.read(5, 0, 10),
            epoch: yield* j.acquire(5),
            snapshot: yield* (yield* SnapshotStore).load("sku/1"),
            timers: yield* (yield* SnapshotStore).timers(5, Number.MAX_SAFE_INTEGER, 100),
            position: yield* (yield* PositionStore).get("recovery", 5)
          }
        })
      )
      expect(out.batches).toEqual([
        { position: 1, atMs: 1_700_000_000_000, events: [{ actor: "sku/1", seq: 1, event: { _tag: "Stocked", n: 3 } }] }
      ])
      expect(out.epoch).toBe(2)
      expect(out.snapshot?.state).toEqual({ n: 3 })
      expect(out.timers).toEqual([{ actor: "sku/1", atMs: 1_800_000_000_000 }])
      expect(out.position).toBe(1)
    } finally {
      await read.dispose()
    }
  })

  it("pg_trgm is loaded and created by the migrations", async () => {
    const { sql } = await startEmbedded(await copyOfTemplate())
    const rows = await sql((sql) => sql<{ s: number }>`SELECT similarity('sneakers', 'sneaker') AS s`)
    expect(rows[0]!.s).toBeGreaterThan(0.5)
  })

  it("a directory already open refuses a second instance with StorageUnavailable", async () => {
    const dataDir = await copyOfTemplate()
    await startEmbedded(dataDir)
    const exit = await Effect.runPromiseExit(Layer.build(EmbeddedStorageLive({ dataDir })).pipe(Effect.scoped))
    expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("StorageUnavailable")
    expect(JSON.stringify(exit)).toContain("already open")
  })
})
