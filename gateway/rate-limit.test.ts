import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { defaultRateLimitConfig, RateLimiter, type RateLimitConfig, rateLimitConfigFromEnv } from "./rate-limit.ts"

const config = (over: Partial<RateLimitConfig> = {}): RateLimitConfig => ({ ...defaultRateLimitConfig, ...over })
const takeN = (limiter: RateLimiter, n: number, cls: Parameters<RateLimiter["take"]>[0], key: string, nowMs: number) =>
  Array.from({ length: n }, () => limiter.take(cls, key, nowMs))

describe("rate limiter", () => {
  it("auth: 10 per minute per IP, then 429 with Retry-After; refills over time", () => {
    const limiter = new RateLimiter()
    expect(takeN(limiter, 10, "auth", "1.2.3.4", 0).every((r) => r.ok)).toBe(true)
    expect(limiter.take("auth", "1.2.3.4", 0)).toEqual({ ok: false, retryAfterSeconds: 6 })
    expect(limiter.take("auth", "1.2.3.4", 5_999)).toEqual({ ok: false, retryAfterSeconds: 1 })
    expect(limiter.take("auth", "1.2.3.4", 6_000)).toEqual({ ok: true })
    expect(limiter.take("auth", "1.2.3.4", 6_000).ok).toBe(false)
    // A full minute later the burst is back.
    expect(takeN(limiter, 10, "auth", "1.2.3.4", 66_000).every((r) => r.ok)).toBe(true)
    expect(limiter.take("auth", "1.2.3.4", 66_000).ok).toBe(false)
  })

  it("auth_account: 5 per minute per account, independent of the IP buckets", () => {
    const limiter = new RateLimiter()
    expect(takeN(limiter, 5, "auth_account", "ada@example.com", 0).every((r) => r.ok)).toBe(true)
    expect(limiter.take("auth_account", "ada@example.com", 0)).toEqual({ ok: false, retryAfterSeconds: 12 })
    expect(limiter.take("auth", "ada@example.com", 0).ok).toBe(true)
    expect(limiter.take("auth_account", "eve@example.com", 0).ok).toBe(true)
  })

  it("keys and classes are independent; refusals take no tokens", () => {
    const limiter = new RateLimiter(config({ classes: { ...defaultRateLimitConfig.classes, write: { capacity: 2, refillPerSecond: 1 } } }))
    expect(takeN(limiter, 3, "write", "u_a", 0).map((r) => r.ok)).toEqual([true, true, false])
    expect(takeN(limiter, 100, "write", "u_a", 0).some((r) => r.ok)).toBe(false)
    // One second refills exactly one token, however many refusals happened meanwhile.
    expect(takeN(limiter, 2, "write", "u_a", 1_000).map((r) => r.ok)).toEqual([true, false])
    expect(limiter.take("write", "u_b", 0).ok).toBe(true)
    expect(limiter.take("read", "u_a", 0).ok).toBe(true)
    expect(limiter.take("ws_join", "u_a", 0).ok).toBe(true)
  })

  it("retryAfterSeconds is whole seconds, at least 1, enough for one token", () => {
    const limiter = new RateLimiter(config({ classes: { ...defaultRateLimitConfig.classes, read: { capacity: 1, refillPerSecond: 4 } } }))
    expect(limiter.take("read", "k", 0).ok).toBe(true)
    expect(limiter.take("read", "k", 0)).toEqual({ ok: false, retryAfterSeconds: 1 })
    expect(limiter.take("read", "k", 250).ok).toBe(true)
  })

  it("a clock stepping back refills nothing", () => {
    const limiter = new RateLimiter(config({ classes: { ...defaultRateLimitConfig.classes, read: { capacity: 1, refillPerSecond: 1 } } }))
    expect(limiter.take("read", "k", 10_000).ok).toBe(true)
    expect(limiter.take("read", "k", 0).ok).toBe(false)
    expect(limiter.take("read", "k", 10_999).ok).toBe(false)
    expect(limiter.take("read", "k", 11_000).ok).toBe(true)
  })

  it("bounded memory: at most maxKeysPerClass buckets; full ones are swept first, then the least recently used goes", () => {
    const limiter = new RateLimiter(config({ maxKeysPerClass: 100, sweepEveryMs: 1_000 }))
    for (let i = 0; i < 1_000; i++) limiter.take("read", `ip-${i}`, 0)
    expect(limiter.trackedKeys).toBe(100)
    expect(limiter.evictions).toBe(900)
    // Later, every old bucket has refilled: they are swept, not counted as evictions.
    const before = limiter.evictions
    for (let i = 0; i < 100; i++) limiter.take("read", `later-${i}`, 60_000)
    expect(limiter.evictions).toBe(before)
    expect(limiter.trackedKeys).toBe(100)
  })

  it("eviction order is least recently used: a busy key keeps its bucket", () => {
    const limiter = new RateLimiter(config({ maxKeysPerClass: 3, classes: { ...defaultRateLimitConfig.classes, auth: { capacity: 1, refillPerSecond: 0.001 } } }))
    expect(limiter.take("auth", "attacker", 0).ok).toBe(true)
    for (let i = 0; i < 50; i++) {
      limiter.take("auth", `noise-${i}`, 0)
      expect(limiter.take("auth", "attacker", 0).ok).toBe(false)
    }
  })

  it("sweep drops only buckets that are full again", () => {
    const limiter = new RateLimiter(config({ classes: { ...defaultRateLimitConfig.classes, write: { capacity: 10, refillPerSecond: 1 } } }))
    limiter.take("write", "a", 0)
    takeN(limiter, 10, "write", "b", 0)
    expect(limiter.sweep(1_000)).toBe(1)
    expect(limiter.trackedKeys).toBe(1)
    expect(limiter.sweep(10_000)).toBe(1)
    expect(limiter.trackedKeys).toBe(0)
  })

  it("RATE_LIMITS=off lets everything through and tracks nothing", () => {
    const limiter = new RateLimiter(rateLimitConfigFromEnv({ RATE_LIMITS: "off" }))
    expect(takeN(limiter, 1_000, "auth", "1.2.3.4", 0).every((r) => r.ok)).toBe(true)
    expect(limiter.trackedKeys).toBe(0)
  })

  it("limits come from the environment", () => {
    expect(rateLimitConfigFromEnv({})).toEqual(defaultRateLimitConfig)
    const c = rateLimitConfigFromEnv({
      RATE_LIMIT_AUTH_CAPACITY: "3",
      RATE_LIMIT_AUTH_REFILL_PER_SECOND: "0.05",
      RATE_LIMIT_WS_JOIN_CAPACITY: "7",
      RATE_LIMIT_MAX_KEYS_PER_CLASS: "500"
    })
    expect(c.enabled).toBe(true)
    expect(c.classes.auth).toEqual({ capacity: 3, refillPerSecond: 0.05 })
    expect(c.classes.ws_join.capacity).toBe(7)
    expect(c.classes.read).toEqual(defaultRateLimitConfig.classes.read)
    expect(c.maxKeysPerClass).toBe(500)
    expect(() => rateLimitConfigFromEnv({ RATE_LIMIT_READ_CAPACITY: "0" })).toThrow(/RATE_LIMIT_READ_CAPACITY/)
    expect(() => rateLimitConfigFromEnv({ RATE_LIMIT_READ_REFILL_PER_SECOND: "-1" })).toThrow(/RATE_LIMIT_READ_REFILL_PER_SECOND/)
    expect(() => rateLimitConfigFromEnv({ RATE_LIMITS: "maybe" })).toThrow(/RATE_LIMITS/)
  })

  it("very long keys are cut to a bounded length", () => {
    const limiter = new RateLimiter(config({ classes: { ...defaultRateLimitConfig.classes, read: { capacity: 1, refillPerSecond: 1 } } }))
    expect(limiter.take("read", "x".repeat(10_000), 0).ok).toBe(true)
    expect(limiter.take("read", "x".repeat(20_000), 0).ok).toBe(false)
  })

  it("property: successes in any window never exceed capacity + rate × window, and a refused caller that waits Retry-After gets through", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 200 }),
        (capacity, refillPerSecond, gaps) => {
          const limiter = new RateLimiter(config({ classes: { ...defaultRateLimitConfig.classes, write: { capacity, refillPerSecond } } }))
          const granted: number[] = []
          let now = 0
          for (const gap of gaps) {
            now += gap
            const r = limiter.take("write", "k", now)
            if (r.ok) granted.push(now)
            else expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(1)
          }
          for (let i = 0; i < granted.length; i++) {
            for (let j = i; j < granted.length; j++) {
              expect(j - i + 1).toBeLessThanOrEqual(capacity + ((granted[j]! - granted[i]!) / 1000) * refillPerSecond + 1e-6)
            }
          }
        }
      ),
      { numRuns: 300 }
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0.01, max: 50, noNaN: true }), fc.integer({ min: 0, max: 100 }), (capacity, refillPerSecond, extra) => {
        const limiter = new RateLimiter(config({ classes: { ...defaultRateLimitConfig.classes, write: { capacity, refillPerSecond } } }))
        let refused: { ok: false; retryAfterSeconds: number } | undefined
        for (let i = 0; i < capacity + extra + 1 && refused === undefined; i++) {
          const r = limiter.take("write", "k", 0)
          if (!r.ok) refused = r
        }
        expect(refused).toBeDefined()
        expect(limiter.take("write", "k", refused!.retryAfterSeconds * 1000).ok).toBe(true)
      })
    )
  })
})
