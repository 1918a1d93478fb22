import type { SqlClient } from "@effect/sql"
import type { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer } from "effect"
import type { StorageUnavailable } from "../../runtime/errors.ts"
import { Journal, PositionStore, SnapshotStore } from "../../runtime/ports.ts"
import { type PgConnectionOptions, pgClientLayer } from "./client.ts"
import { makePgJournal } from "./journal.ts"
import { type Migration, migrate, storageMigrations } from "./migrations.ts"
import { makePgPositionStore } from "./positions.ts"
import { makePgSnapshotStore } from "./snapshots.ts"

export interface PostgresStorageOptions extends PgConnectionOptions {
  /** Applied at start, before any port is handed out. Default `storageMigrations`; read models append theirs. */
  readonly migrations?: ReadonlyArray<Migration>
}

/** Journal, snapshots and positions on an existing SqlClient, after migrating its schema. */
export const postgresStorageOnClient = (
  migrations: ReadonlyArray<Migration> = storageMigrations
): Layer.Layer<Journal | SnapshotStore | PositionStore, StorageUnavailable, SqlClient.SqlClient> =>
  Layer.effectContext(
    Effect.gen(function* () {
      yield* migrate(migrations)
      return Context.make(Journal, yield* makePgJournal).pipe(
        Context.add(SnapshotStore, yield* makePgSnapshotStore),
        Context.add(PositionStore, yield* makePgPositionStore)
      )
    })
  )

/** Snapshots and positions only, for the production mode where the journal is Redis. */
export const postgresSnapshotsOnClient = (
  migrations: ReadonlyArray<Migration> = storageMigrations
): Layer.Layer<SnapshotStore | PositionStore, StorageUnavailable, SqlClient.SqlClient> =>
  Layer.effectContext(
    Effect.gen(function* () {
      yield* migrate(migrations)
      return Context.make(SnapshotStore, yield* makePgSnapshotStore).pipe(
        Context.add(PositionStore, yield* makePgPositionStore)
      )
    })
  )

/**
 * All three ports on Postgres. The SqlClient is provided too, so read models share the pool
 * (and, in embedded mode, the single connection) instead of opening their own.
 */
export const PostgresStorageLive = (
  options: PostgresStorageOptions
): Layer.Layer<Journal | SnapshotStore | PositionStore | SqlClient.SqlClient | PgClient.PgClient, StorageUnavailable> =>
  postgresStorageOnClient(options.migrations).pipe(Layer.provideMerge(pgClientLayer(options)))

/** Snapshots and positions on Postgres (journal elsewhere), plus the SqlClient for read models. */
export const PostgresSnapshotsLive = (
  options: PostgresStorageOptions
): Layer.Layer<SnapshotStore | PositionStore | SqlClient.SqlClient | PgClient.PgClient, StorageUnavailable> =>
  postgresSnapshotsOnClient(options.migrations).pipe(Layer.provideMerge(pgClientLayer(options)))
