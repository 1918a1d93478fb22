import { describe, expect, it } from "vitest"
import {
  defaultPasswordHashConfig,
  parsePasswordHash,
  PasswordHasher,
  PasswordHasherBusy,
  passwordHashConfigFromEnv
} from "./password.ts"
import { isWellFormedSessionToken, newAttemptId, newSessionToken, newUserId, sessionIdOf } from "./tokens.ts"

const cheap = new PasswordHasher({ ...defaultPasswordHashConfig, logN: 10 })

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
/** CPU milliseconds spent by this process (all threads) while `f` runs: robust to other load on the machine. */
const cpuTimed = async (f: () => Promise<unknown>) => {
  const before = process.cpuUsage()
  await f()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

describe("password hashing", () => {
  it("one hash at the default cost (N=2^17, r=8, p=1) costs under a second", async () => {
    const hasher = new PasswordHasher(defaultPasswordHashConfig)
    const cpuBefore = process.cpuUsage()
    const began = performance.now()
    const encoded = await hasher.hash("correct horse battery staple")
    const wallMs = performance.now() - began
    const cpu = process.cpuUsage(cpuBefore)
    // CPU time (this process, all threads: scrypt runs on the libuv pool) is the cost of the hash
    // itself; wall time also counts whatever else shares the machine's cores (other test files).
    const cpuMs = (cpu.user + cpu.system) / 1000
    console.log(`scrypt N=2^17 r=8 p=1: one hash took ${cpuMs.toFixed(0)} ms of CPU, ${wallMs.toFixed(0)} ms wall`)
    expect(cpuMs).toBeLessThan(1_000)
    expect(encoded).toMatch(/^scrypt\$17\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/)
    expect(await hasher.verify("correct horse battery staple", encoded)).toBe(true)
  })

  it("round trip; a wrong password fails; each hash has its own salt", async () => {
    const a = await cheap.hash("hunter2hunter2")
    const b = await cheap.hash("hunter2hunter2")
    expect(a).not.toBe(b)
    expect(await cheap.verify("hunter2hunter2", a)).toBe(true)
    expect(await cheap.verify("hunter2hunter2", b)).toBe(true)
    expect(await cheap.verify("hunter2hunter3", a)).toBe(false)
    expect(await cheap.verify("", a)).toBe(false)
  })

  it("normalizes Unicode (NFKC) before hashing", async () => {
    const encoded = await cheap.hash("ｐａｓｓｗｏｒｄ１")
    expect(await cheap.verify("password1", encoded)).toBe(true)
    expect(await cheap.verify("caf\u00e9-caf\u00e9", await cheap.hash("cafe\u0301-cafe\u0301"))).toBe(true)
  })

  it("a tampered or malformed encoding fails cleanly (false, no throw)", async () => {
    const encoded = await cheap.hash("hunter2hunter2")
    const parts = encoded.split("$")
    const flip = (s: string) => (s[0] === "A" ? "B" : "A") + s.slice(1)
    const tampered = [
      [parts[0], parts[1], parts[2], parts[3], parts[4], flip(parts[5]!)].join("$"),
      [parts[0], parts[1], parts[2], parts[3], flip(parts[4]!), parts[5]].join("$"),
      [parts[0], "11", parts[2], parts[3], parts[4], parts[5]].join("$"),
      [parts[0], parts[1], "9", parts[3], parts[4], parts[5]].join("$"),
      [parts[0], "30", parts[2], parts[3], parts[4], parts[5]].join("$"),
      [parts[0], parts[1], parts[2], "99", parts[4], parts[5]].join("$"),
      ["bcrypt", ...parts.slice(1)].join("$"),
      parts.slice(0, 5).join("$"),
      encoded + "$x",
      encoded.replace(/=$/, ""),
      "",
      "scrypt$$$$$",
      "scrypt$10$8$1$!!!!$????",
      "x".repeat(10_000)
    ]
    for (const t of tampered) expect(await cheap.verify("hunter2hunter2", t), t.slice(0, 80)).toBe(false)
    expect(parsePasswordHash(encoded)).toMatchObject({ logN: 10, r: 8, p: 1 })
    expect(parsePasswordHash(tampered[4]!)).toBeUndefined()
  })

  it("needsRehash when the cost changed", async () => {
    const encoded = await cheap.hash("hunter2hunter2")
    expect(cheap.needsRehash(encoded)).toBe(false)
    expect(new PasswordHasher({ ...defaultPasswordHashConfig, logN: 11 }).needsRehash(encoded)).toBe(true)
    // …and the old hash still verifies under the new configuration.
    expect(await new PasswordHasher({ ...defaultPasswordHashConfig, logN: 11 }).verify("hunter2hunter2", encoded)).toBe(true)
  })

  it("dummyVerify costs what a real verify costs and never matches", async () => {
    const hasher = new PasswordHasher({ ...defaultPasswordHashConfig, logN: 14 })
    const encoded = await hasher.hash("hunter2hunter2")
    const real: number[] = []
    const dummy: number[] = []
    for (let i = 0; i < 5; i++) {
      real.push(await cpuTimed(() => hasher.verify("wrong password", encoded)))
      dummy.push(await cpuTimed(() => hasher.dummyVerify("wrong password")))
    }
    expect(await hasher.dummyVerify("hunter2hunter2")).toBe(false)
    const ratio = median(dummy) / median(real)
    console.log(`CPU: verify ${median(real).toFixed(1)} ms, dummyVerify ${median(dummy).toFixed(1)} ms (N=2^14)`)
    expect(ratio).toBeGreaterThan(0.5)
    expect(ratio).toBeLessThan(2)
  })

  it("a malformed stored hash costs a full verify too (no fast failure to time)", async () => {
    const hasher = new PasswordHasher({ ...defaultPasswordHashConfig, logN: 14 })
    const garbage: number[] = []
    const dummy: number[] = []
    for (let i = 0; i < 3; i++) {
      garbage.push(await cpuTimed(() => hasher.verify("x", "garbage")))
      dummy.push(await cpuTimed(() => hasher.dummyVerify("x")))
    }
    expect(median(garbage)).toBeGreaterThan(median(dummy) / 2)
  })

  it("at most maxConcurrent hashes run, at most maxQueued wait, the rest are refused with PasswordHasherBusy", async () => {
    const hasher = new PasswordHasher({ ...defaultPasswordHashConfig, logN: 12, maxConcurrent: 1, maxQueued: 2 })
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => hasher.hash(`password-${i}`)))
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected", "rejected"])
    const refused = (results[3] as PromiseRejectedResult).reason
    expect(refused).toBeInstanceOf(PasswordHasherBusy)
    expect(refused).toMatchObject({ _tag: "PasswordHasherBusy", reason: "busy" })
    expect(hasher.load).toEqual({ active: 0, queued: 0 })
    // Capacity comes back once the burst is over.
    expect(await hasher.verify("password-0", (results[0] as PromiseFulfilledResult<string>).value)).toBe(true)
  })

  it("reads its cost from the environment", () => {
    expect(passwordHashConfigFromEnv({})).toEqual(defaultPasswordHashConfig)
    expect(passwordHashConfigFromEnv({ PASSWORD_HASH_LOG_N: "12", PASSWORD_HASH_MAX_CONCURRENT: "4", PASSWORD_HASH_MAX_QUEUED: "0" })).toMatchObject({
      logN: 12,
      maxConcurrent: 4,
      maxQueued: 0
    })
    expect(() => passwordHashConfigFromEnv({ PASSWORD_HASH_LOG_N: "30" })).toThrow(/PASSWORD_HASH_LOG_N/)
    expect(() => passwordHashConfigFromEnv({ PASSWORD_HASH_LOG_N: "fast" })).toThrow(/PASSWORD_HASH_LOG_N/)
    expect(() => new PasswordHasher({ ...defaultPasswordHashConfig, logN: 21 })).toThrow(/out of bounds/)
  })
})

describe("tokens and ids", () => {
  it("session tokens: 256 random bits, base64url; the actor id is their SHA-256", () => {
    const token = newSessionToken()
    expect(isWellFormedSessionToken(token)).toBe(true)
    expect(isWellFormedSessionToken(token + "=")).toBe(false)
    expect(Buffer.from(token, "base64url")).toHaveLength(32)
    expect(newSessionToken()).not.toBe(token)
    expect(sessionIdOf(token)).toMatch(/^[0-9a-f]{64}$/)
    expect(sessionIdOf(token)).toBe(sessionIdOf(token))
    expect(sessionIdOf("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  })

  it("ids carry their prefix and 128 random bits", () => {
    expect(newUserId()).toMatch(/^u_[A-Za-z0-9_-]{22}$/)
    expect(newAttemptId()).toMatch(/^[A-Za-z0-9_-]{16}$/)
  })
})
