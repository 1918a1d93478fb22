import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { CorruptData, StaleEpoch } from "../../runtime/errors.ts"
import type { JournalBatch, JournalService } from "../../runtime/ports.ts"
import { toNumber, toUnavailable } from "./client.ts"
import { decodeEvents, encodeEvents } from "./codec.ts"

const store = "postgres-journal"
const unavailable = toUnavailable(store)

/**
 * The journal as two tables: `journal_shards` holds each shard's epoch and head position,
 * `journal_batches` one row per group commit. Needs the tables from `storageMigrations`.
 */
export const makePgJournal: Effect.Effect<JournalService, never, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const acquire: JournalService["acquire"] = (shard) =>
    sql<{ epoch: unknown }>`
      INSERT INTO journal_shards (shard, epoch, head) VALUES (${shard}, 1, 0)
      ON CONFLICT (shard) DO UPDATE SET epoch = journal_shards.epoch + 1
      RETURNING epoch`.pipe(
      Effect.map((rows) => toNumber(rows[0]!.epoch)),
      Effect.mapError(unavailable)
    )

  const staleEpoch = (shard: number, epoch: number) =>
    // Only for the message: the refusal itself was decided atomically by the append.
    sql<{ epoch: unknown }>`SELECT epoch FROM journal_shards WHERE shard = ${shard}`.pipe(
      Effect.map((rows) => (rows[0] === undefined ? "was never acquired" : `is at epoch ${toNumber(rows[0].epoch)}`)),
      Effect.orElseSucceed(() => "has a newer epoch"),
      Effect.flatMap((current) =>
        Effect.fail(new StaleEpoch({ shard, epoch, message: `shard ${shard} ${current}, append carried ${epoch}` }))
      )
    )

  const append: JournalService["append"] = (shard, epoch, atMs, events) =>
    Effect.suspend(() => {
      const payload = encodeEvents(events)
      // One statement: the epoch check, the head bump and the insert commit together. The row
      // lock the UPDATE takes on the shard serializes appends with each other and with acquire,
      // so positions become visible in order, never with a gap a reader could skip.
      return sql<{ position: unknown }>`
        WITH bumped AS (
          UPDATE journal_shards SET head = head + 1
          WHERE shard = ${shard} AND epoch = ${epoch}
          RETURNING shard, head
        )
        INSERT INTO journal_batches (shard, position, at_ms, payload)
        SELECT bumped.shard, bumped.head, ${Math.round(atMs)}::bigint, ${payload}::bytea FROM bumped
        RETURNING position`
    }).pipe(
      Effect.mapError(unavailable),
      Effect.flatMap((rows) =>
        rows[0] === undefined ? staleEpoch(shard, epoch) : Effect.succeed(toNumber(rows[0].position))
      )
    )

  const read: JournalService["read"] = (shard, after, maxBatches) =>
    sql<{ position: unknown; at_ms: unknown; payload: Uint8Array }>`
      SELECT position, at_ms, payload FROM journal_batches
      WHERE shard = ${shard} AND position > ${after}
      ORDER BY position
      LIMIT ${Math.max(0, Math.floor(maxBatches))}`.pipe(
      Effect.mapError(unavailable),
      Effect.flatMap((rows) =>
        Effect.forEach(rows, (row) => {
          const position = toNumber(row.position)
          return Effect.try({
            try: (): JournalBatch => ({ position, atMs: toNumber(row.at_ms), events: decodeEvents(row.payload) }),
            catch: (error) =>
              new CorruptData({
                store,
                shard,
                position,
                message: `journal batch at shard ${shard} position ${position} cannot be decoded: ${
                  error instanceof Error ? error.message : String(error)
                }`
              })
          })
        })
      )
    )

  const head: JournalService["head"] = (shard) =>
    sql<{ head: unknown }>`SELECT head FROM journal_shards WHERE shard = ${shard}`.pipe(
      Effect.map((rows) => (rows[0] === undefined ? 0 : toNumber(rows[0].head))),
      Effect.mapError(unavailable)
    )

  const trim: JournalService["trim"] = (shard, below) =>
    // The head counter lives in journal_shards, so deleting every batch never rewinds positions.
    sql`DELETE FROM journal_batches WHERE shard = ${shard} AND position < ${below}`.pipe(
      Effect.asVoid,
      Effect.mapError(unavailable)
    )

  return { store, acquire, append, read, head, trim }
})
