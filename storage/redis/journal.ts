import { Effect, Layer } from "effect"
import type { Redis } from "ioredis"
import { Packr } from "msgpackr"
import { CorruptData, StaleEpoch, StorageUnavailable } from "../../runtime/errors.ts"
import { Journal, type JournalBatch, type JournalEvent, type JournalService, type ShardId } from "../../runtime/ports.ts"
import { type RedisClientConfig, scopedRedis } from "./client.ts"

/**
 * The journal on Redis streams. Per shard:
 *   `${prefix}:journal:{shard}`  a stream, one entry per batch, id `${position}-0`, field `b` =
 *                                msgpack `[atMs, [[actor, seq, event], …]]`
 *   `${prefix}:shard:{shard}`    a hash with `epoch` (fencing) and `head` (last position)
 * Both keys carry the same hash tag, so a cluster keeps them in one slot and one script can touch both.
 */

const STORE = "redis-journal"

export interface RedisJournalOptions {
  /** Key prefix, e.g. "ac"; lets several deployments or test runs share one Redis. */
  readonly prefix: string
}

export const journalStreamKey = (prefix: string, shard: ShardId) => `${prefix}:journal:{${shard}}`
export const shardMetaKey = (prefix: string, shard: ShardId) => `${prefix}:shard:{${shard}}`

/**
 * Fenced append, atomic because Redis runs a script to completion alone. XADD goes before the
 * head update so that a failing XADD leaves nothing behind. `string.format("%d")` because Lua
 * would print positions ≥ 1e14 in exponent notation.
 * Reply: {1, position} on success, {0, currentEpoch} when the caller's epoch is stale.
 */
const APPEND_LUA = `
local current = redis.call('HGET', KEYS[1], 'epoch')
if current ~= ARGV[1] then
  return {0, tonumber(current) or 0}
end
local position = (tonumber(redis.call('HGET', KEYS[1], 'head')) or 0) + 1
local id = string.format('%d', position)
redis.call('XADD', KEYS[2], id .. '-0', 'b', ARGV[2])
redis.call('HSET', KEYS[1], 'head', id)
return {1, position}
`

const APPEND_COMMAND = "journalFencedAppendV1"

interface WithAppendCommand {
  [APPEND_COMMAND]: (metaKey: string, streamKey: string, epoch: string, batch: Buffer) => Promise<[number, number]>
}

/** Plain objects come back as plain objects (not Maps, not records), so events round-trip structurally. */
const packr = new Packr({ useRecords: false, mapsAsObjects: true })

type EncodedEvent = [actor: string, seq: number, event: unknown]

export const encodeBatch = (atMs: number, events: ReadonlyArray<JournalEvent>): Buffer => {
  const encoded = new Array<EncodedEvent>(events.length)
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!
    encoded[i] = [e.actor, e.seq, e.event]
  }
  return packr.pack([atMs, encoded])
}

const corrupt = (shard: ShardId, position: number | undefined, why: string) =>
  new CorruptData({
    store: STORE,
    shard,
    ...(position === undefined ? {} : { position }),
    message: `journal batch at shard ${shard} position ${position ?? "?"} cannot be decoded: ${why}`
  })

const FIELD_B = 0x62 // "b"

/** One stream entry back to a batch; anything unexpected is CorruptData (never skipped). */
export const decodeEntry = (shard: ShardId, id: Buffer, fields: ReadonlyArray<Buffer>): JournalBatch | CorruptData => {
  const idText = id.toString("latin1")
  const dash = idText.indexOf("-")
  const position = Number(idText.slice(0, dash))
  if (dash <= 0 || !Number.isSafeInteger(position) || idText.slice(dash + 1) !== "0") {
    return corrupt(shard, undefined, `unexpected stream entry id ${idText}`)
  }
  let payload: Buffer | undefined
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!
    if (name.length === 1 && name[0] === FIELD_B) payload = fields[i + 1]
  }
  if (payload === undefined) return corrupt(shard, position, "the entry has no field b")
  let decoded: unknown
  try {
    decoded = packr.unpack(payload)
  } catch (e) {
    return corrupt(shard, position, e instanceof Error ? e.message : String(e))
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || typeof decoded[0] !== "number" || !Array.isArray(decoded[1])) {
    return corrupt(shard, position, "expected [atMs, events]")
  }
  const raw: Array<unknown> = decoded[1]
  const events = new Array<JournalEvent>(raw.length)
  for (let i = 0; i < raw.length; i++) {
    const e = raw[i]
    if (!Array.isArray(e) || e.length !== 3 || typeof e[0] !== "string" || typeof e[1] !== "number") {
      return corrupt(shard, position, `event ${i} is not [actor, seq, event]`)
    }
    events[i] = { actor: e[0], seq: e[1], event: e[2] }
  }
  return { position, atMs: decoded[0], events }
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e))

/**
 * Adapter over a caller-owned client. The client should fail fast rather than queue
 * (see `redisClientOptions`); `RedisJournalLive` builds one that does.
 */
export const makeRedisJournal = (redis: Redis, options: RedisJournalOptions): JournalService => {
  const { prefix } = options
  redis.defineCommand(APPEND_COMMAND, { numberOfKeys: 2, lua: APPEND_LUA })
  const appendScript = (redis as unknown as WithAppendCommand)[APPEND_COMMAND].bind(redis)

  let lastConnectionError: string | undefined
  redis.on("error", (e: unknown) => {
    lastConnectionError = errorText(e)
  })
  redis.on("ready", () => {
    lastConnectionError = undefined
  })

  const unavailable = (what: string, shard: ShardId, e: unknown) => {
    const connection =
      redis.status === "ready" ? "" : ` (connection ${redis.status}${lastConnectionError === undefined ? "" : `: ${lastConnectionError}`})`
    return new StorageUnavailable({ store: STORE, message: `${what} on shard ${shard} failed: ${errorText(e)}${connection}` })
  }

  const call = <A>(what: string, shard: ShardId, run: () => Promise<A>): Effect.Effect<A, StorageUnavailable> =>
    Effect.tryPromise({ try: run, catch: (e) => unavailable(what, shard, e) })

  const toPosition = (what: string, shard: ShardId, value: string | null): Effect.Effect<number, StorageUnavailable> => {
    if (value === null) return Effect.succeed(0)
    const n = Number(value)
    return Number.isSafeInteger(n) && n >= 0
      ? Effect.succeed(n)
      : Effect.fail(unavailable(what, shard, `stored head is not a position: ${JSON.stringify(value)}`))
  }

  return {
    store: STORE,

    acquire: (shard) => call("acquire", shard, () => redis.hincrby(shardMetaKey(prefix, shard), "epoch", 1)),

    append: (shard, epoch, atMs, events) =>
      Effect.suspend(() => {
        const batch = encodeBatch(atMs, events)
        return call("append", shard, () =>
          appendScript(shardMetaKey(prefix, shard), journalStreamKey(prefix, shard), String(epoch), batch)
        )
      }).pipe(
        Effect.flatMap(([ok, value]): Effect.Effect<number, StaleEpoch> =>
          ok === 1
            ? Effect.succeed(value)
            : Effect.fail(
                new StaleEpoch({ shard, epoch, message: `shard ${shard} is at epoch ${value}, append carried ${epoch}` })
              )
        )
      ),

    read: (shard, after, maxBatches) => {
      if (maxBatches <= 0) return Effect.succeed([])
      const from = `${Math.max(0, Math.floor(after)) + 1}-0`
      return call("read", shard, () =>
        redis.xrangeBuffer(journalStreamKey(prefix, shard), from, "+", "COUNT", maxBatches)
      ).pipe(
        Effect.flatMap((entries) => {
          const batches = new Array<JournalBatch>(entries.length)
          for (let i = 0; i < entries.length; i++) {
            const [id, fields] = entries[i]!
            const batch = decodeEntry(shard, id, fields)
            if (batch instanceof CorruptData) return Effect.fail(batch)
            batches[i] = batch
          }
          return Effect.succeed(batches)
        })
      )
    },

    head: (shard) =>
      call("head", shard, () => redis.hget(shardMetaKey(prefix, shard), "head")).pipe(
        Effect.flatMap((value) => toPosition("head", shard, value))
      ),

    // Exact MINID (no `~`): callers rely on everything below `below` being gone. The head lives in the hash, so it survives.
    trim: (shard, below) =>
      below <= 1
        ? Effect.void
        : call("trim", shard, () =>
            redis.xtrim(journalStreamKey(prefix, shard), "MINID", `${Math.floor(below)}-0`)
          ).pipe(Effect.asVoid)
  }
}

export interface RedisJournalLiveOptions extends Omit<RedisClientConfig, "url"> {
  readonly url: string
  /** Defaults to "ac". */
  readonly prefix?: string
}

/** The journal on its own ioredis connection, closed with the layer. Never fails to build: a down Redis shows up as StorageUnavailable. */
export const RedisJournalLive = (options: RedisJournalLiveOptions): Layer.Layer<Journal> =>
  Layer.scoped(
    Journal,
    Effect.map(scopedRedis(options), (redis) => makeRedisJournal(redis, { prefix: options.prefix ?? "ac" }))
  )
