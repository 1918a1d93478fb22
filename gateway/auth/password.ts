import { randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from "node:crypto"
import { Schema } from "effect"

/**
 * Password hashing with scrypt (node:crypto, async: it runs on the libuv thread pool).
 *
 * Encoded as `scrypt$<logN>$<r>$<p>$<salt base64>$<hash base64>`, so every stored hash carries its
 * own cost: raising the cost later leaves old hashes verifiable (`needsRehash` tells the login
 * route to store a fresh one).
 *
 * One hash at the OWASP minimum (N = 2^17, r = 8, p = 1) takes 128 MiB and a few hundred ms, so
 * hashes go through a limiter: at most `maxConcurrent` run at once, at most `maxQueued` wait, and
 * anything beyond is refused with `PasswordHasherBusy` (map it to 503 with Retry-After).
 *
 * Unknown emails: call `dummyVerify`, which costs what `verify` costs, so "no such user" and
 * "wrong password" look and take the same.
 */

export interface PasswordHashConfig {
  /** scrypt cost N = 2^logN (memory 128·N·r bytes). OWASP minimum 17. Env `PASSWORD_HASH_LOG_N`. */
  readonly logN: number
  /** scrypt block size. */
  readonly r: number
  /** scrypt parallelism. */
  readonly p: number
  /** Derived key length, bytes. */
  readonly keyLength: number
  /** Random salt length, bytes. */
  readonly saltBytes: number
  /** Hashes computed at once. Env `PASSWORD_HASH_MAX_CONCURRENT`. */
  readonly maxConcurrent: number
  /** Hashes waiting for a slot; beyond it `PasswordHasherBusy`. Env `PASSWORD_HASH_MAX_QUEUED`. */
  readonly maxQueued: number
}

export const defaultPasswordHashConfig: PasswordHashConfig = {
  logN: 17,
  r: 8,
  p: 1,
  keyLength: 32,
  saltBytes: 16,
  maxConcurrent: 2,
  maxQueued: 32
}

/** Bounds on parameters we agree to compute with, whether from config or read back from a stored hash. */
const bounds = {
  logN: [10, 20],
  r: [1, 32],
  p: [1, 16],
  keyLength: [16, 64],
  saltBytes: [8, 64],
  /** 128·N·r: never allocate more than this for one hash. */
  maxMemoryBytes: 256 * 1024 * 1024
} as const

/** Longest password accepted, in UTF-8 bytes after normalization (the route's schema is stricter). */
export const maxPasswordBytes = 1024

/** What a signup may choose: 8..128 characters (NIST SP 800-63B: at least 8, allow at least 64). */
export const Password = Schema.String.pipe(Schema.minLength(8), Schema.maxLength(128))

/** Too many hashes running and waiting. Retryable: answer 503 `unavailable` with Retry-After. */
export class PasswordHasherBusy extends Schema.TaggedError<PasswordHasherBusy>()("PasswordHasherBusy", {
  reason: Schema.Literal("busy"),
  retryAfterMs: Schema.Number,
  message: Schema.String
}) {}

const intFromEnv = (env: NodeJS.ProcessEnv, name: string, fallback: number, [min, max]: readonly [number, number]): number => {
  const raw = env[name]
  if (raw === undefined || raw === "") return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in ${min}..${max}, got "${raw}"`)
  return n
}

/** `PASSWORD_HASH_LOG_N` (default 17; tests and load tests lower it), `PASSWORD_HASH_MAX_CONCURRENT`, `PASSWORD_HASH_MAX_QUEUED`. */
export const passwordHashConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): PasswordHashConfig => ({
  ...defaultPasswordHashConfig,
  logN: intFromEnv(env, "PASSWORD_HASH_LOG_N", defaultPasswordHashConfig.logN, bounds.logN),
  maxConcurrent: intFromEnv(env, "PASSWORD_HASH_MAX_CONCURRENT", defaultPasswordHashConfig.maxConcurrent, [1, 64]),
  maxQueued: intFromEnv(env, "PASSWORD_HASH_MAX_QUEUED", defaultPasswordHashConfig.maxQueued, [0, 100_000])
})

interface Params {
  readonly logN: number
  readonly r: number
  readonly p: number
}

const within = (n: number, [min, max]: readonly [number, number]) => Number.isInteger(n) && n >= min && n <= max
const paramsAllowed = ({ logN, r, p }: Params) =>
  within(logN, bounds.logN) && within(r, bounds.r) && within(p, bounds.p) && 128 * 2 ** logN * r <= bounds.maxMemoryBytes

/** scrypt needs 128·r·(N + 2) bytes for V plus 128·r·p for B (OpenSSL's check, exactly). */
const scryptOptions = ({ logN, r, p }: Params): ScryptOptions => {
  const N = 2 ** logN
  return { N, r, p, maxmem: 128 * r * (N + 2) + 128 * r * p }
}

const derive = (password: Buffer, salt: Buffer, keyLength: number, params: Params) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password, salt, keyLength, scryptOptions(params), (error, key) => (error ? reject(error) : resolve(key))))

/** NFKC so that the same password typed on different keyboards/IMEs hashes the same (as SASLprep does). */
const passwordBytes = (password: string) => Buffer.from(password.normalize("NFKC"), "utf8")

const b64 = /^[A-Za-z0-9+/]+={0,2}$/

export interface ParsedPasswordHash extends Params {
  readonly salt: Buffer
  readonly hash: Buffer
}

/** Parse `scrypt$logN$r$p$salt$hash`; `undefined` when malformed or outside the parameters we compute with. */
export const parsePasswordHash = (encoded: string): ParsedPasswordHash | undefined => {
  if (encoded.length > 512) return undefined
  const parts = encoded.split("$")
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined
  const [logN, r, p] = parts.slice(1, 4).map((s) => (/^\d{1,3}$/.test(s!) ? Number(s) : NaN)) as [number, number, number]
  const [salt64, hash64] = [parts[4]!, parts[5]!]
  if (!paramsAllowed({ logN, r, p }) || !b64.test(salt64) || !b64.test(hash64)) return undefined
  const salt = Buffer.from(salt64, "base64")
  const hash = Buffer.from(hash64, "base64")
  if (!within(salt.length, bounds.saltBytes) || !within(hash.length, bounds.keyLength)) return undefined
  // Reject non-canonical base64 (a tampered string that happens to decode to the same bytes is still tampered).
  if (salt.toString("base64") !== salt64 || hash.toString("base64") !== hash64) return undefined
  return { logN, r, p, salt, hash }
}

export const encodePasswordHash = ({ logN, r, p, salt, hash }: ParsedPasswordHash): string =>
  `scrypt$${logN}$${r}$${p}$${salt.toString("base64")}$${hash.toString("base64")}`

/** A bounded concurrency gate: `maxConcurrent` slots, `maxQueued` waiters, refusal beyond. */
class Gate {
  private running = 0
  private readonly waiting: Array<() => void> = []

  constructor(
    private readonly maxConcurrent: number,
    private readonly maxQueued: number
  ) {}

  get active() {
    return this.running
  }
  get queued() {
    return this.waiting.length
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.maxConcurrent) this.running++
    else if (this.waiting.length < this.maxQueued) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else {
      throw new PasswordHasherBusy({
        reason: "busy",
        retryAfterMs: 1_000,
        message: `${this.running} password hashes running and ${this.waiting.length} waiting`
      })
    }
    try {
      return await task()
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift()
      if (next !== undefined) next()
      else this.running--
    }
  }
}

export class PasswordHasher {
  private readonly gate: Gate
  private readonly dummy: ParsedPasswordHash

  constructor(readonly config: PasswordHashConfig = defaultPasswordHashConfig) {
    if (!paramsAllowed(config)) throw new Error(`scrypt parameters out of bounds: logN=${config.logN} r=${config.r} p=${config.p}`)
    if (!within(config.keyLength, bounds.keyLength) || !within(config.saltBytes, bounds.saltBytes)) {
      throw new Error(`scrypt key length ${config.keyLength} or salt length ${config.saltBytes} out of bounds`)
    }
    if (!(config.maxConcurrent >= 1) || !(config.maxQueued >= 0)) throw new Error("maxConcurrent must be ≥ 1 and maxQueued ≥ 0")
    this.gate = new Gate(config.maxConcurrent, config.maxQueued)
    // Never matches anything (its hash bytes are random, not derived); only its cost matters.
    this.dummy = { logN: config.logN, r: config.r, p: config.p, salt: randomBytes(config.saltBytes), hash: randomBytes(config.keyLength) }
  }

  /** Hashes running / waiting now (for metrics). */
  get load(): { readonly active: number; readonly queued: number } {
    return { active: this.gate.active, queued: this.gate.queued }
  }

  /** Hash a new password. Rejects with `PasswordHasherBusy` when saturated; throws on a password over `maxPasswordBytes`. */
  async hash(password: string): Promise<string> {
    const bytes = passwordBytes(password)
    if (bytes.length > maxPasswordBytes) throw new Error(`password longer than ${maxPasswordBytes} bytes`)
    const { logN, r, p, keyLength, saltBytes } = this.config
    const salt = randomBytes(saltBytes)
    const hash = await this.gate.run(() => derive(bytes, salt, keyLength, { logN, r, p }))
    return encodePasswordHash({ logN, r, p, salt, hash })
  }

  /**
   * True when `password` matches `encoded`. A malformed or tampered encoding, or an oversized
   * password, is `false` (after the same work as a real check). Rejects only with `PasswordHasherBusy`.
   */
  async verify(password: string, encoded: string): Promise<boolean> {
    const parsed = parsePasswordHash(encoded)
    const bytes = passwordBytes(password)
    if (parsed === undefined || bytes.length > maxPasswordBytes) return this.check(bytes.subarray(0, maxPasswordBytes), this.dummy).then(() => false)
    return this.check(bytes, parsed)
  }

  /** Costs what `verify` costs and always answers false: run it for unknown emails. */
  async dummyVerify(password = ""): Promise<false> {
    await this.check(passwordBytes(password).subarray(0, maxPasswordBytes), this.dummy)
    return false
  }

  /** True when `encoded` was made with other parameters than the current ones (store a fresh hash after a successful login). */
  needsRehash(encoded: string): boolean {
    const parsed = parsePasswordHash(encoded)
    const { logN, r, p, keyLength, saltBytes } = this.config
    return parsed === undefined || parsed.logN !== logN || parsed.r !== r || parsed.p !== p || parsed.hash.length !== keyLength || parsed.salt.length !== saltBytes
  }

  private async check(password: Buffer, stored: ParsedPasswordHash): Promise<boolean> {
    const derived = await this.gate.run(() => derive(password, stored.salt, stored.hash.length, stored))
    return timingSafeEqual(derived, stored.hash)
  }
}

let shared: PasswordHasher | undefined
/** The process-wide hasher, configured from the environment on first use (one gate for the whole process). */
export const defaultPasswordHasher = (): PasswordHasher => (shared ??= new PasswordHasher(passwordHashConfigFromEnv()))

/** `defaultPasswordHasher().hash(password)`. */
export const hashPassword = (password: string): Promise<string> => defaultPasswordHasher().hash(password)
/** `defaultPasswordHasher().verify(password, encoded)`. */
export const verifyPassword = (password: string, encoded: string): Promise<boolean> => defaultPasswordHasher().verify(password, encoded)
/** `defaultPasswordHasher().dummyVerify(password)`. */
export const dummyVerify = (password?: string): Promise<false> => defaultPasswordHasher().dummyVerify(password)
