import { Redis } from "ioredis"
import { redisClientOptions } from "../storage/redis/client.ts"

/**
 * An ioredis client configured like the host's journal client, resolved once it is ready.
 * `autoPipelining` (an experiment, off in the product) sends every command issued in one tick with one socket write.
 */
export const connectRedis = (url: string, timeoutMs = 5_000, autoPipelining = false): Promise<Redis> =>
  new Promise((resolve, reject) => {
    const redis = new Redis(url, { ...redisClientOptions({}), enableAutoPipelining: autoPipelining })
    let lastError: unknown
    const timer = setTimeout(() => {
      redis.disconnect()
      reject(new Error(`Redis at ${url} not ready after ${timeoutMs} ms${lastError === undefined ? "" : `: ${String(lastError)}`}`))
    }, timeoutMs)
    redis.on("error", (e: unknown) => {
      lastError = e
    })
    redis.once("ready", () => {
      clearTimeout(timer)
      resolve(redis)
    })
  })

export const closeRedis = async (redis: Redis): Promise<void> => {
  try {
    await redis.quit()
  } catch {
    redis.disconnect()
  }
}

/** Delete every key under `${prefix}:` with SCAN + DEL (never KEYS). Returns how many were deleted. */
export const deletePrefix = async (redis: Redis, prefix: string): Promise<number> => {
  if (prefix.length < 8 || /[*?[\]\\]/.test(prefix)) throw new Error(`refusing to delete under the prefix "${prefix}"`)
  let deleted = 0
  let cursor = "0"
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000)
    if (keys.length > 0) deleted += await redis.del(...keys)
    cursor = next
  } while (cursor !== "0")
  return deleted
}

export interface RedisFacts {
  readonly version: string
  readonly appendonly: string
  readonly appendfsync: string
  /** What an acknowledgement survives under these settings (see DESIGN.md, storage modes). */
  readonly ackSurvives: string
}

export const redisFacts = async (redis: Redis): Promise<RedisFacts> => {
  const info = await redis.info("server")
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown"
  const setting = async (name: string) => {
    try {
      const reply = (await redis.config("GET", name)) as Array<string>
      return reply[1] ?? "unknown"
    } catch {
      return "unknown"
    }
  }
  const appendonly = await setting("appendonly")
  const appendfsync = await setting("appendfsync")
  const ackSurvives =
    appendonly !== "yes"
      ? "nothing beyond the Redis process (AOF off: a Redis restart loses acked writes)"
      : appendfsync === "always"
        ? "a machine crash (AOF fsync on every write)"
        : "a process crash; a power cut may lose ~1 s of acks (AOF everysec)"
  return { version, appendonly, appendfsync, ackSurvives }
}
