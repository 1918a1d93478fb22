import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { CorruptData } from "../../runtime/errors.ts"
import type { SnapshotRecord, SnapshotStoreService } from "../../runtime/ports.ts"
import { toNumber, toUnavailable } from "./client.ts"
import { decodeState, encodeState } from "./codec.ts"

const store = "postgres-snapshots"
const unavailable = toUnavailable(store)

interface SnapshotRow {
  readonly actor: string
  readonly shard: number
  readonly seq: unknown
  readonly position: unknown
  readonly timer_at_ms: unknown
  readonly state: Uint8Array
}

const decodeRow = (row: SnapshotRow): Effect.Effect<SnapshotRecord, CorruptData> =>
  Effect.try({
    try: () => ({
      actor: row.actor,
      shard: row.shard,
      seq: toNumber(row.seq),
      position: toNumber(row.position),
      timerAtMs: row.timer_at_ms === null ? null : toNumber(row.timer_at_ms),
      state: decodeState(row.state)
    }),
    catch: (error) =>
      new CorruptData({
        store,
        actor: row.actor,
        shard: row.shard,
        message: `snapshot of ${row.actor} cannot be decoded: ${error instanceof Error ? error.message : String(error)}`
      })
  })

/** Keeps, per actor, the record a sequential save would leave: the highest seq, the later one on a tie. */
const latestPerActor = (records: ReadonlyArray<SnapshotRecord>): ReadonlyArray<SnapshotRecord> => {
  const byActor = new Map<string, SnapshotRecord>()
  for (const r of records) {
    const existing = byActor.get(r.actor)
    if (existing === undefined || existing.seq <= r.seq) byActor.set(r.actor, r)
  }
  return [...byActor.values()]
}

/** Actor snapshots in the `snapshots` table. Needs the tables from `storageMigrations`. */
export const makePgSnapshotStore: Effect.Effect<SnapshotStoreService, never, SqlClient.SqlClient> = Effect.gen(
  function* () {
    const sql = yield* SqlClient.SqlClient
    const columns = sql`actor, shard, seq, position, timer_at_ms, state`

    const load: SnapshotStoreService["load"] = (actor) =>
      sql<SnapshotRow>`SELECT ${columns} FROM snapshots WHERE actor = ${actor}`.pipe(
        Effect.mapError(unavailable),
        Effect.flatMap((rows) => (rows[0] === undefined ? Effect.succeed(undefined) : decodeRow(rows[0])))
      )

    const loadMany: SnapshotStoreService["loadMany"] = (actors) =>
      actors.length === 0
        ? Effect.succeed([])
        : sql<SnapshotRow>`SELECT ${columns} FROM snapshots WHERE actor = ANY(${actors}::text[])`.pipe(
            Effect.mapError(unavailable),
            Effect.flatMap((rows) => Effect.forEach(rows, decodeRow))
          )

    const save: SnapshotStoreService["save"] = (records) =>
      Effect.suspend(() => {
        if (records.length === 0) return Effect.void
        // ON CONFLICT cannot touch one row twice in a statement, so duplicates are resolved here first.
        const rows = latestPerActor(records)
        // One statement for the whole batch: each column travels as one array parameter.
        return sql`
          INSERT INTO snapshots (actor, shard, seq, position, timer_at_ms, state)
          SELECT * FROM unnest(
            ${rows.map((r) => r.actor)}::text[],
            ${rows.map((r) => r.shard)}::int[],
            ${rows.map((r) => r.seq)}::bigint[],
            ${rows.map((r) => r.position)}::bigint[],
            ${rows.map((r) => (r.timerAtMs === null ? null : Math.round(r.timerAtMs)))}::bigint[],
            ${rows.map((r) => encodeState(r.state))}::bytea[]
          )
          ON CONFLICT (actor) DO UPDATE SET
            shard = excluded.shard,
            seq = excluded.seq,
            position = excluded.position,
            timer_at_ms = excluded.timer_at_ms,
            state = excluded.state,
            updated_at = now()
          WHERE snapshots.seq <= excluded.seq`.pipe(Effect.asVoid, Effect.mapError(unavailable))
      })

    const timers: SnapshotStoreService["timers"] = (shard, dueBeforeMs, limit) =>
      sql<{ actor: string; timer_at_ms: unknown }>`
        SELECT actor, timer_at_ms FROM snapshots
        WHERE shard = ${shard} AND timer_at_ms IS NOT NULL AND timer_at_ms < ${Math.floor(dueBeforeMs)}
        ORDER BY timer_at_ms, actor
        LIMIT ${limit}`.pipe(
        Effect.map((rows) => rows.map((r) => ({ actor: r.actor, atMs: toNumber(r.timer_at_ms) }))),
        Effect.mapError(unavailable)
      )

    return { store, load, loadMany, save, timers }
  }
)
