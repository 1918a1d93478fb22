import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"
import type { StorageUnavailable } from "../../runtime/errors.ts"
import { toNumber, toUnavailable } from "./client.ts"

/**
 * One numbered schema change. Migrations run in `id` order, each at most once per database
 * schema, all pending ones inside one transaction. Later features (read models) append theirs:
 * `migrate([...storageMigrations, ...readModelMigrations])`, with ids above the last one here.
 */
export interface Migration {
  readonly id: number
  readonly name: string
  readonly up: Effect.Effect<void, SqlError, SqlClient.SqlClient>
}

/** Runs plain DDL statements one by one (the extended protocol takes one statement per query). */
export const ddl = (...statements: ReadonlyArray<string>): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.forEach(statements, (s) => sql.unsafe(s), { discard: true }))

/** Journal, snapshots and positions: the tables behind the three storage ports. */
export const storageMigrations: ReadonlyArray<Migration> = [
  {
    id: 1,
    name: "journal, snapshots and positions",
    up: ddl(
      `CREATE TABLE IF NOT EXISTS journal_shards (
        shard int PRIMARY KEY,
        epoch bigint NOT NULL DEFAULT 0,
        head bigint NOT NULL DEFAULT 0
      )`,
      `CREATE TABLE IF NOT EXISTS journal_batches (
        shard int NOT NULL,
        position bigint NOT NULL,
        at_ms bigint NOT NULL,
        payload bytea NOT NULL,
        PRIMARY KEY (shard, position)
      )`,
      `CREATE TABLE IF NOT EXISTS snapshots (
        actor text PRIMARY KEY,
        shard int NOT NULL,
        seq bigint NOT NULL,
        position bigint NOT NULL,
        timer_at_ms bigint NULL,
        state bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX IF NOT EXISTS snapshots_timers_by_shard ON snapshots (shard, timer_at_ms) WHERE timer_at_ms IS NOT NULL`,
      `CREATE TABLE IF NOT EXISTS positions (
        owner text NOT NULL,
        shard int NOT NULL,
        position bigint NOT NULL,
        PRIMARY KEY (owner, shard)
      )`
    )
  },
  {
    id: 2,
    // Trigram indexes for catalog search. PGlite needs the extension loaded in its constructor (storage/embedded.ts).
    name: "pg_trgm extension",
    up: ddl(`CREATE EXTENSION IF NOT EXISTS pg_trgm`)
  }
]

/**
 * Key of the transaction-scoped advisory lock that serializes migrations across processes
 * (database-wide, so it also serializes schemas migrated side by side). Anything else that
 * changes shared database objects (e.g. test setup creating extensions) takes it too.
 */
export const migrationLockKey = 7_140_205_811_324_001

const checkOrder = (migrations: ReadonlyArray<Migration>): void => {
  migrations.forEach((m, i) => {
    if (!Number.isSafeInteger(m.id) || m.id < 1) throw new Error(`migration "${m.name}" has an invalid id ${m.id}`)
    const previous = migrations[i - 1]
    if (previous !== undefined && previous.id >= m.id) {
      throw new Error(`migration ids must increase: ${previous.id} ("${previous.name}") before ${m.id} ("${m.name}")`)
    }
  })
}

/**
 * Brings the current schema (the first one on the connection's search_path) up to date and
 * returns the ids it applied. Two processes starting together queue on the advisory lock; the
 * second one then finds everything applied.
 */
export const migrate = (
  migrations: ReadonlyArray<Migration> = storageMigrations
): Effect.Effect<ReadonlyArray<number>, StorageUnavailable, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    // Out-of-order ids are a programming error in the list itself, not a storage condition.
    checkOrder(migrations)
    const sql = yield* SqlClient.SqlClient
    return yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql`SELECT pg_advisory_xact_lock(${migrationLockKey}::bigint)`
        yield* sql.unsafe(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version int PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`)
        const rows = yield* sql<{ version: unknown }>`SELECT version FROM schema_migrations`
        const applied = new Set(rows.map((r) => toNumber(r.version)))
        const pending = migrations.filter((m) => !applied.has(m.id))
        for (const m of pending) {
          yield* m.up
          yield* sql`INSERT INTO schema_migrations (version, name) VALUES (${m.id}, ${m.name})`
        }
        return pending.map((m) => m.id)
      })
    )
  }).pipe(Effect.mapError(toUnavailable("postgres-migrations")))
