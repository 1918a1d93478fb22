/**
 * Token-bucket rate limits per (route class, key), where the key is a client IP, a user id or a
 * normalized email. Pure and clock-injected (`nowMs` is an argument), so tests never sleep.
 *
 * Route classes and their keys:
 *   auth          login and signup, per client IP                       default 10/min, burst 10
 *   auth_account  login, per normalized email (the account under attack) default 5/min, burst 5
 *   write         POST/PUT/PATCH/DELETE, per user id (IP when anonymous) default 20/s, burst 100
 *   read          GET, per user id (IP when anonymous)                   default 50/s, burst 200
 *   ws_join       waiting-room joins and connects, per user id           default 1 per 2 s, burst 5
 * A login takes from both `auth` (IP) and `auth_account` (email); a refusal from either is 429
 * with `Retry-After: retryAfterSeconds`.
 *
 * Memory is bounded: each class tracks at most `maxKeysPerClass` buckets. A bucket that has
 * refilled to capacity carries no information, so those are dropped by a sweep (at most once per
 * `sweepEveryMs`, inside `take`); when a class is still full, the least recently used bucket is
 * evicted (that key starts again with a full bucket: the table fails open, never closed).
 *
 * Environment (read by `rateLimitConfigFromEnv`):
 *   RATE_LIMITS=off                                   disable every limit (load tests)
 *   RATE_LIMIT_<CLASS>_CAPACITY                       burst size, tokens (integer ≥ 1)
 *   RATE_LIMIT_<CLASS>_REFILL_PER_SECOND              tokens added per second (decimal > 0, e.g. 0.1667 = 10/min)
 *   RATE_LIMIT_MAX_KEYS_PER_CLASS                     tracked keys per class (default 100000)
 * with <CLASS> one of AUTH, AUTH_ACCOUNT, WRITE, READ, WS_JOIN.
 */

export const rateLimitClasses = ["auth", "auth_account", "write", "read", "ws_join"] as const
export type RateLimitClass = (typeof rateLimitClasses)[number]

export interface BucketConfig {
  /** Largest burst, in requests (tokens). */
  readonly capacity: number
  /** Sustained rate, in requests (tokens) per second. */
  readonly refillPerSecond: number
}

export interface RateLimitConfig {
  /** `false` turns every limit off (`RATE_LIMITS=off`). */
  readonly enabled: boolean
  readonly classes: Readonly<Record<RateLimitClass, BucketConfig>>
  /** Buckets tracked per class before the least recently used is evicted. */
  readonly maxKeysPerClass: number
  /** Full buckets are swept at most this often. */
  readonly sweepEveryMs: number
}

export const defaultRateLimitConfig: RateLimitConfig = {
  enabled: true,
  classes: {
    auth: { capacity: 10, refillPerSecond: 10 / 60 },
    auth_account: { capacity: 5, refillPerSecond: 5 / 60 },
    write: { capacity: 100, refillPerSecond: 20 },
    read: { capacity: 200, refillPerSecond: 50 },
    ws_join: { capacity: 5, refillPerSecond: 0.5 }
  },
  maxKeysPerClass: 100_000,
  sweepEveryMs: 60_000
}

export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number }

/** Keys longer than this are cut (IPs, user ids and emails are all shorter). */
export const maxKeyLength = 256

const numberFromEnv = (env: NodeJS.ProcessEnv, name: string, fallback: number, valid: (n: number) => boolean, what: string): number => {
  const raw = env[name]
  if (raw === undefined || raw === "") return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || !valid(n)) throw new Error(`${name} must be ${what}, got "${raw}"`)
  return n
}

export const rateLimitConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): RateLimitConfig => {
  const switchValue = (env["RATE_LIMITS"] ?? "on").toLowerCase()
  if (!["on", "off", ""].includes(switchValue)) throw new Error(`RATE_LIMITS must be "on" or "off", got "${env["RATE_LIMITS"]}"`)
  const classes = {} as Record<RateLimitClass, BucketConfig>
  for (const name of rateLimitClasses) {
    const prefix = `RATE_LIMIT_${name.toUpperCase()}`
    const fallback = defaultRateLimitConfig.classes[name]
    classes[name] = {
      capacity: numberFromEnv(env, `${prefix}_CAPACITY`, fallback.capacity, (n) => Number.isInteger(n) && n >= 1, "an integer ≥ 1"),
      refillPerSecond: numberFromEnv(env, `${prefix}_REFILL_PER_SECOND`, fallback.refillPerSecond, (n) => n > 0, "a number > 0")
    }
  }
  return {
    ...defaultRateLimitConfig,
    enabled: switchValue !== "off",
    classes,
    maxKeysPerClass: numberFromEnv(env, "RATE_LIMIT_MAX_KEYS_PER_CLASS", defaultRateLimitConfig.maxKeysPerClass, (n) => Number.isInteger(n) && n >= 1, "an integer ≥ 1")
  }
}

interface Bucket {
  tokens: number
  atMs: number
}

interface ClassTable {
  readonly config: BucketConfig
  /** Insertion order is recency order: a touched bucket is re-inserted at the end. */
  readonly buckets: Map<string, Bucket>
  lastSweepMs: number
}

const ok: TakeResult = { ok: true }

export class RateLimiter {
  private readonly tables: Record<RateLimitClass, ClassTable>
  /** Buckets evicted while still holding information (metrics: a steadily rising count means maxKeysPerClass is too small or an attack). */
  evictions = 0

  constructor(readonly config: RateLimitConfig = defaultRateLimitConfig) {
    if (!(config.maxKeysPerClass >= 1)) throw new Error("maxKeysPerClass must be ≥ 1")
    this.tables = {} as Record<RateLimitClass, ClassTable>
    for (const name of rateLimitClasses) {
      const c = config.classes[name]
      if (!(c.capacity >= 1) || !(c.refillPerSecond > 0)) throw new Error(`rate limit "${name}": capacity must be ≥ 1 and refillPerSecond > 0`)
      this.tables[name] = { config: c, buckets: new Map(), lastSweepMs: -Infinity }
    }
  }

  /** Take one token from the bucket of (`routeClass`, `key`) at `nowMs`. Refusals take nothing. */
  take(routeClass: RateLimitClass, key: string, nowMs: number): TakeResult {
    if (!this.config.enabled) return ok
    const table = this.tables[routeClass]
    const { capacity, refillPerSecond } = table.config
    const k = key.length > maxKeyLength ? key.slice(0, maxKeyLength) : key
    let bucket = table.buckets.get(k)
    if (bucket === undefined) {
      if (table.buckets.size >= this.config.maxKeysPerClass) this.makeRoom(table, nowMs)
      bucket = { tokens: capacity, atMs: nowMs }
    } else {
      table.buckets.delete(k)
      // A clock that steps back refills nothing (and does not move the bucket's time back).
      if (nowMs > bucket.atMs) {
        bucket.tokens = Math.min(capacity, bucket.tokens + ((nowMs - bucket.atMs) / 1000) * refillPerSecond)
        bucket.atMs = nowMs
      }
    }
    table.buckets.set(k, bucket)
    // The tolerance absorbs float error (10/60 per second × 6 s is 0.99999…): waiting the advertised Retry-After must succeed.
    if (bucket.tokens >= 1 - 1e-9) {
      bucket.tokens = Math.max(0, bucket.tokens - 1)
      return ok
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerSecond)) }
  }

  /** Drop every bucket that has refilled to capacity by `nowMs` (it would behave exactly like a new one). Returns how many. */
  sweep(nowMs: number): number {
    let dropped = 0
    for (const name of rateLimitClasses) dropped += this.sweepTable(this.tables[name], nowMs)
    return dropped
  }

  /** Buckets tracked now, all classes together. */
  get trackedKeys(): number {
    let n = 0
    for (const name of rateLimitClasses) n += this.tables[name].buckets.size
    return n
  }

  private makeRoom(table: ClassTable, nowMs: number) {
    if (nowMs - table.lastSweepMs >= this.config.sweepEveryMs) this.sweepTable(table, nowMs)
    if (table.buckets.size < this.config.maxKeysPerClass) return
    const oldest = table.buckets.keys().next()
    if (oldest.done === true) return
    const bucket = table.buckets.get(oldest.value)!
    if (!isFull(bucket, table.config, nowMs)) this.evictions++
    table.buckets.delete(oldest.value)
  }

  private sweepTable(table: ClassTable, nowMs: number): number {
    table.lastSweepMs = nowMs
    let dropped = 0
    for (const [key, bucket] of table.buckets) {
      if (isFull(bucket, table.config, nowMs)) {
        table.buckets.delete(key)
        dropped++
      }
    }
    return dropped
  }
}

const isFull = (bucket: Bucket, config: BucketConfig, nowMs: number) =>
  bucket.tokens + (Math.max(0, nowMs - bucket.atMs) / 1000) * config.refillPerSecond >= config.capacity - 1e-9
