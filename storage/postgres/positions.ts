import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { PositionStoreService } from "../../runtime/ports.ts"
import { toNumber, toUnavailable } from "./client.ts"

const store = "postgres-positions"
const unavailable = toUnavailable(store)

/** Recovery and projection checkpoints in the `positions` table. Needs the tables from `storageMigrations`. */
export const makePgPositionStore: Effect.Effect<PositionStoreService, never, SqlClient.SqlClient> = Effect.gen(
  function* () {
    const sql = yield* SqlClient.SqlClient

    const get: PositionStoreService["get"] = (owner, shard) =>
      sql<{ position: unknown }>`SELECT position FROM positions WHERE owner = ${owner} AND shard = ${shard}`.pipe(
        Effect.map((rows) => (rows[0] === undefined ? 0 : toNumber(rows[0].position))),
        Effect.mapError(unavailable)
      )

    const set: PositionStoreService["set"] = (owner, shard, position) =>
      sql`
        INSERT INTO positions (owner, shard, position) VALUES (${owner}, ${shard}, ${position})
        ON CONFLICT (owner, shard) DO UPDATE SET position = excluded.position`.pipe(
        Effect.asVoid,
        Effect.mapError(unavailable)
      )

    const all: PositionStoreService["all"] = (shard) =>
      sql<{ owner: string; position: unknown }>`SELECT owner, position FROM positions WHERE shard = ${shard}`.pipe(
        Effect.map((rows) => rows.map((r) => ({ owner: r.owner, position: toNumber(r.position) }))),
        Effect.mapError(unavailable)
      )

    return { store, get, set, all }
  }
)
