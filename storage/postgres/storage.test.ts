import { randomBytes } from "node:crypto"
import { connect, createServer, type Server, type Socket } from "node:net"
import { SqlClient } from "@effect/sql"
import { Effect, Exit, Layer, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { Journal, PositionStore, SnapshotStore } from "../../runtime/ports.ts"
import { storageContract } from "../contract.ts"
import { pgClientLayer } from "./client.ts"
import { migrate, migrationLockKey, storageMigrations } from "./migrations.ts"
import { PostgresSnapshotsLive, PostgresStorageLive } from "./storage.ts"

const baseUrl = process.env.DATABASE_URL_TEST ?? "postgres://postgres@127.0.0.1:5432/test"

/** A URL whose connections see only `schema` (plus public, where shared extensions live). */
const urlWithSchema = (schema: string) => {
  const url = new URL(baseUrl)
  url.searchParams.set("options", `-c search_path=${schema},public`)
  return url.toString()
}

const admin = ManagedRuntime.make(pgClientLayer({ url: baseUrl, maxConnections: 2 }))
const adminSql = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  admin.runPromise(Effect.flatMap(SqlClient.SqlClient, f))

const schemas: Array<string> = []
const freshSchema = async () => {
  const schema = `t_${randomBytes(6).toString("hex")}`
  await adminSql((sql) => sql.unsafe(`CREATE SCHEMA ${schema}`))
  schemas.push(schema)
  return schema
}

// pg_trgm is database-wide: create it once in public (under the migration lock, other test
// files migrate concurrently), so dropping a test schema never drops the extension.
let sharedSetup: Promise<unknown> | undefined
const shared = () =>
  (sharedSetup ??= adminSql((sql) =>
    sql.withTransaction(
      Effect.zipRight(
        sql`SELECT pg_advisory_xact_lock(${migrationLockKey}::bigint)`,
        sql`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`
      )
    )
  ))

afterAll(async () => {
  await adminSql((sql) =>
    Effect.forEach(schemas, (s) => sql.unsafe(`DROP SCHEMA IF EXISTS ${s} CASCADE`), { discard: true })
  )
  await admin.dispose()
})

/** The contract may corrupt data before the store under test first ran (and migrated), so migrate here too. */
const migrateSchema = (schema: string) =>
  adminSql((sql) =>
    sql.withTransaction(
      Effect.zipRight(
        sql.unsafe(`SET LOCAL search_path TO ${schema}, public`),
        Effect.provideService(migrate(), SqlClient.SqlClient, sql)
      )
    )
  )

storageContract("postgres", async () => {
  await shared()
  const schema = await freshSchema()
  return {
    layer: PostgresStorageLive({ url: urlWithSchema(schema), maxConnections: 4 }),
    corruptNextBatch: async (shard) => {
      await migrateSchema(schema)
      await adminSql(
        (sql) => sql`
          WITH bumped AS (UPDATE ${sql(schema)}.journal_shards SET head = head + 1 WHERE shard = ${shard} RETURNING shard, head)
          INSERT INTO ${sql(schema)}.journal_batches (shard, position, at_ms, payload)
          SELECT shard, head, 0, ${Buffer.from("not msgpack")}::bytea FROM bumped`
      )
    },
    corruptSnapshot: async (actor) => {
      await migrateSchema(schema)
      await adminSql(
        (sql) => sql`
          INSERT INTO ${sql(schema)}.snapshots (actor, shard, seq, position, timer_at_ms, state)
          VALUES (${actor}, 0, 1, 1, NULL, ${Buffer.from([0x93, 0x01])}::bytea)`
      )
    }
  }
})

describe("postgres storage", () => {
  it("migrations apply once; a second run and a concurrent run find nothing to do", async () => {
    await shared()
    const schema = await freshSchema()
    const client = ManagedRuntime.make(pgClientLayer({ url: urlWithSchema(schema), maxConnections: 4 }))
    try {
      const runs = await client.runPromise(Effect.all([migrate(), migrate(), migrate()], { concurrency: "unbounded" }))
      expect(runs.flat().sort()).toEqual(storageMigrations.map((m) => m.id))
      expect(await client.runPromise(migrate())).toEqual([])
      const tables = await client.runPromise(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) => sql<{ table_name: string }>`
            SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema} ORDER BY table_name`
        )
      )
      expect(tables.map((t) => t.table_name)).toEqual([
        "journal_batches",
        "journal_shards",
        "positions",
        "schema_migrations",
        "snapshots"
      ])
    } finally {
      await client.dispose()
    }
  })

  it("a later migration list applies only the new entries", async () => {
    await shared()
    const schema = await freshSchema()
    const client = ManagedRuntime.make(pgClientLayer({ url: urlWithSchema(schema), maxConnections: 1 }))
    try {
      await client.runPromise(migrate())
      const extra = {
        id: 100,
        name: "a read model",
        up: Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE TABLE read_model (id text PRIMARY KEY)`))
      }
      expect(await client.runPromise(migrate([...storageMigrations, extra]))).toEqual([100])
      expect(await client.runPromise(migrate([...storageMigrations, extra]))).toEqual([])
    } finally {
      await client.dispose()
    }
  })

  it("PostgresSnapshotsLive provides snapshots and positions", async () => {
    await shared()
    const schema = await freshSchema()
    const rt = ManagedRuntime.make(PostgresSnapshotsLive({ url: urlWithSchema(schema) }))
    try {
      const out = await rt.runPromise(
        Effect.gen(function* () {
          const s = yield* SnapshotStore
          const p = yield* PositionStore
          yield* s.save([
            { actor: "a/1", shard: 3, seq: 2, position: 9, timerAtMs: null, state: { n: 1 } },
            { actor: "a/1", shard: 3, seq: 4, position: 12, timerAtMs: 5, state: { n: 2 } },
            { actor: "a/1", shard: 3, seq: 3, position: 10, timerAtMs: null, state: { n: 3 } }
          ])
          yield* p.set("recovery", 3, 12)
          return { a: yield* s.load("a/1"), pos: yield* p.get("recovery", 3), none: yield* s.loadMany([]) }
        })
      )
      expect(out.a).toEqual({ actor: "a/1", shard: 3, seq: 4, position: 12, timerAtMs: 5, state: { n: 2 } })
      expect(out.pos).toBe(12)
      expect(out.none).toEqual([])
    } finally {
      await rt.dispose()
    }
  })

  it("a large batch and large snapshots round-trip byte for byte", async () => {
    await shared()
    const schema = await freshSchema()
    const rt = ManagedRuntime.make(PostgresStorageLive({ url: urlWithSchema(schema) }))
    try {
      const blob = randomBytes(300_000).toString("base64")
      const events = Array.from({ length: 500 }, (_, i) => ({ actor: `sku/${i}`, seq: i + 1, event: { i, blob: i === 7 ? blob : "" } }))
      const out = await rt.runPromise(
        Effect.gen(function* () {
          const j = yield* Journal
          const s = yield* SnapshotStore
          const e = yield* j.acquire(0)
          yield* j.append(0, e, Date.now(), events)
          yield* s.save(events.map((ev) => ({ actor: ev.actor, shard: 0, seq: ev.seq, position: 1, timerAtMs: null, state: ev.event })))
          return { batches: yield* j.read(0, 0, 10), snaps: yield* s.loadMany(events.map((ev) => ev.actor)) }
        })
      )
      expect(out.batches[0]!.events).toEqual(events)
      expect(out.snaps).toHaveLength(500)
      expect(out.snaps.find((r) => r.actor === "sku/7")!.state).toEqual({ i: 7, blob })
    } finally {
      await rt.dispose()
    }
  })

  it("an unreachable server fails the layer with StorageUnavailable, quickly", async () => {
    const started = Date.now()
    const exit = await Effect.runPromiseExit(
      Layer.build(PostgresStorageLive({ url: "postgres://postgres@127.0.0.1:1/test", connectTimeoutMs: 1_000 })).pipe(
        Effect.scoped
      )
    )
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("StorageUnavailable")
  })

  it("a server that accepts but never answers fails with StorageUnavailable after the connect timeout", async () => {
    const silent: Server = createServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve))
    const port = (silent.address() as { port: number }).port
    try {
      const started = Date.now()
      const exit = await Effect.runPromiseExit(
        Layer.build(
          PostgresStorageLive({ url: `postgres://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 500 })
        ).pipe(Effect.scoped)
      )
      expect(Date.now() - started).toBeLessThan(3_000)
      expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("StorageUnavailable")
    } finally {
      silent.close()
    }
  })

  it("losing the server after start turns calls into StorageUnavailable, not a defect or a hang", async () => {
    await shared()
    const schema = await freshSchema()
    const target = new URL(baseUrl)
    // A TCP proxy in front of Postgres that the test can cut, like a crashed server or a dropped network.
    const sockets = new Set<Socket>()
    const proxy = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname)
      for (const s of [client, upstream]) {
        sockets.add(s)
        s.on("error", () => {})
        s.on("close", () => sockets.delete(s))
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve))
    const url = new URL(urlWithSchema(schema))
    url.port = String((proxy.address() as { port: number }).port)
    const rt = ManagedRuntime.make(PostgresStorageLive({ url: url.toString(), connectTimeoutMs: 1_000 }))
    try {
      const epoch = await rt.runPromise(Effect.flatMap(Journal, (j) => j.acquire(1)))
      proxy.close()
      for (const s of sockets) s.destroy()
      const started = Date.now()
      const results: ReadonlyArray<Exit.Exit<unknown, unknown>> = await Promise.all([
        rt.runPromiseExit(Effect.flatMap(Journal, (j) => j.head(1))),
        rt.runPromiseExit(Effect.flatMap(Journal, (j) => j.append(1, epoch, 0, []))),
        rt.runPromiseExit(Effect.flatMap(SnapshotStore, (s) => s.load("a/1"))),
        rt.runPromiseExit(Effect.flatMap(PositionStore, (p) => p.set("recovery", 1, 1)))
      ])
      expect(Date.now() - started).toBeLessThan(3_000)
      for (const exit of results) {
        expect(Exit.isFailure(exit)).toBe(true)
        expect(JSON.stringify(exit)).toContain("StorageUnavailable")
        expect(JSON.stringify(exit)).not.toContain("Die")
      }
    } finally {
      await rt.dispose()
      proxy.close()
    }
  })
})
