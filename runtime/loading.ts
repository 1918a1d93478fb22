import { Effect } from "effect"
import type { ActorType } from "./cell.ts"
import { CorruptData, type StorageUnavailable } from "./errors.ts"
import type { JournalBatch, JournalEvent, JournalService, Position, SnapshotRecord } from "./ports.ts"

/** Decode a stored snapshot (or start from the initial state), failing loudly with the actor's name. */
export const decodeSnapshot = (
  type: ActorType,
  record: SnapshotRecord | undefined,
  key: string
): { readonly state: unknown; readonly seq: number } => {
  const id = key.slice(key.indexOf("/") + 1)
  if (record === undefined) return { state: type.definition.initialState(id), seq: 0 }
  try {
    return { state: type.stateCodec.decode(record.state), seq: record.seq }
  } catch (cause) {
    throw new CorruptData({
      store: "snapshots",
      shard: record.shard,
      position: record.position,
      actor: key,
      message: `snapshot of ${key} (seq ${record.seq}, position ${record.position}) does not match the state schema: ${String(cause)}`
    })
  }
}

/**
 * Apply one journaled event to an actor being rebuilt. Events the snapshot already covers are
 * skipped; a gap in the sequence numbers, an undecodable event or an `evolve` that throws stop
 * the recovery with an error naming the actor and the position. Returns whether it was applied.
 */
export const applyTail = (
  target: { state: unknown; seq: number; readonly type: ActorType; readonly key: string },
  e: JournalEvent,
  shard: number,
  position: Position
): boolean => {
  if (e.seq <= target.seq) return false
  const corrupt = (what: string) =>
    new CorruptData({ store: "journal", shard, position, actor: target.key, message: `${what} (actor ${target.key}, shard ${shard}, position ${position}, seq ${e.seq})` })
  if (e.seq !== target.seq + 1) throw corrupt(`gap in the journal: expected seq ${target.seq + 1}`)
  let event: unknown
  try {
    event = target.type.eventCodec.decode(e.event)
  } catch (cause) {
    throw corrupt(`event does not match the schema: ${String(cause)}`)
  }
  try {
    target.state = target.type.definition.evolve(target.state, event)
  } catch (cause) {
    throw corrupt(`evolve rejected a journaled event: ${String(cause)}`)
  }
  target.seq = e.seq
  return true
}

/**
 * Read a shard's journal after `after` page by page and hand each batch to `onBatch`.
 * When `expectHead` is given, the read must reach it, and the first batch must follow `after`
 * directly: a trimmed or missing stream fails loudly instead of recovering half the state.
 */
export const readTail = <E>(
  journal: JournalService,
  pageBatches: number,
  shard: number,
  after: Position,
  expectHead: Position | undefined,
  onBatch: (batch: JournalBatch) => Effect.Effect<void, E>
): Effect.Effect<void, E | StorageUnavailable | CorruptData> =>
  Effect.gen(function* () {
    let from = after
    let first = true
    for (;;) {
      const page = yield* journal.read(shard, from, pageBatches)
      for (const batch of page) {
        if (first && expectHead !== undefined && batch.position !== after + 1) {
          return yield* new CorruptData({
            store: journal.store,
            shard,
            position: after + 1,
            message: `journal of shard ${shard} starts at position ${batch.position}, but recovery needs position ${after + 1}: it was trimmed too far`
          })
        }
        first = false
        yield* Effect.suspend(() => onBatch(batch)).pipe(
          Effect.catchAllDefect((d) => (d instanceof CorruptData ? Effect.fail(d) : Effect.die(d)))
        )
        from = batch.position
      }
      if (page.length < pageBatches) break
    }
    if (expectHead !== undefined && from < expectHead) {
      return yield* new CorruptData({
        store: journal.store,
        shard,
        position: from + 1,
        message: `journal of shard ${shard} ends at position ${from} but its head is ${expectHead}: batches are missing`
      })
    }
  })
