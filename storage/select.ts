import type { SqlClient } from "@effect/sql"
import { Layer } from "effect"
import type { StorageUnavailable } from "../runtime/errors.ts"
import type { Journal, PositionStore, SnapshotStore } from "../runtime/ports.ts"
import { EmbeddedPostgresLive, EmbeddedStorageLive } from "./embedded.ts"
import type { Migration } from "./postgres/migrations.ts"
import { PostgresSnapshotsLive, PostgresStorageLive, postgresSnapshotsOnClient } from "./postgres/storage.ts"
import { RedisJournalLive } from "./redis/journal.ts"

/** Where events, snapshots and read models live; chosen from the environment. */
export interface StorageSettings {
  /** Embedded PGlite data directory (used when DATABASE_URL is not set). */
  readonly dataDir: string
  readonly databaseUrl: string | undefined
  readonly redisUrl: string | undefined
  /** Key prefix of the Redis journal streams. */
  readonly redisPrefix: string
  readonly migrations?: ReadonlyArray<Migration>
}

export type StorageMode = "embedded" | "postgres" | "redis+postgres" | "redis+embedded"

export const storageSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): StorageSettings => ({
  dataDir: env["DATA_DIR"] || "./data",
  databaseUrl: env["DATABASE_URL"] || undefined,
  redisUrl: env["REDIS_URL"] || undefined,
  redisPrefix: env["REDIS_PREFIX"] || "ac"
})

export const storageMode = (s: StorageSettings): StorageMode =>
  s.redisUrl !== undefined ? (s.databaseUrl !== undefined ? "redis+postgres" : "redis+embedded") : s.databaseUrl !== undefined ? "postgres" : "embedded"

/** The storage ports for the chosen mode, plus the SqlClient read models share. */
export const StorageLive = (
  s: StorageSettings
): Layer.Layer<Journal | SnapshotStore | PositionStore | SqlClient.SqlClient, StorageUnavailable> => {
  const migrations = s.migrations !== undefined ? { migrations: s.migrations } : {}
  switch (storageMode(s)) {
    case "embedded":
      return EmbeddedStorageLive({ dataDir: s.dataDir, ...migrations })
    case "postgres":
      return PostgresStorageLive({ url: s.databaseUrl!, ...migrations })
    case "redis+postgres":
      return Layer.merge(RedisJournalLive({ url: s.redisUrl!, prefix: s.redisPrefix }), PostgresSnapshotsLive({ url: s.databaseUrl!, ...migrations }))
    case "redis+embedded":
      return Layer.merge(
        RedisJournalLive({ url: s.redisUrl!, prefix: s.redisPrefix }),
        postgresSnapshotsOnClient(s.migrations).pipe(Layer.provideMerge(EmbeddedPostgresLive({ dataDir: s.dataDir })))
      )
  }
}
