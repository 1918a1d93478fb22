import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto"

/**
 * Proof of work at join (anti-bot, operator switch SALE_POW): the server hands each socket a
 * challenge `prefix`; the client finds a `solution` such that SHA-256(`prefix` + `solution`)
 * starts with `bits` zero bits (about 2^bits hashes: 16 bits ≈ 65k, tens of milliseconds in a
 * browser) and sends it with its join. Challenges are stateless: the prefix carries its expiry
 * and user, MACed with a per-process secret, so a solution works once per socket only because
 * the socket that got it joins once.
 */
export interface PowChallenge {
  readonly type: "challenge"
  readonly algorithm: "sha256"
  readonly prefix: string
  readonly difficulty_bits: number
  readonly expires_at: string
}

const secret = randomBytes(32)
const mac = (text: string) => createHmac("sha256", secret).update(text).digest("base64url").slice(0, 22)

export const leadingZeroBits = (digest: Buffer): number => {
  let bits = 0
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8
      continue
    }
    return bits + Math.clz32(byte) - 24
  }
  return bits
}

export const makeChallenge = (userId: string, bits: number, nowMs: number, ttlMs: number): PowChallenge => {
  const expiresAtMs = nowMs + ttlMs
  const body = `${expiresAtMs.toString(36)}.${randomBytes(9).toString("base64url")}`
  return { type: "challenge", algorithm: "sha256", prefix: `${body}.${mac(`${body}|${userId}|${bits}`)}`, difficulty_bits: bits, expires_at: new Date(expiresAtMs).toISOString() }
}

export type PowCheck = "ok" | "missing" | "expired" | "forged" | "insufficient"

export const checkProof = (userId: string, bits: number, prefix: unknown, solution: unknown, nowMs: number): PowCheck => {
  if (typeof prefix !== "string" || typeof solution !== "string" || prefix.length > 100 || solution.length === 0 || solution.length > 64) return "missing"
  const parts = prefix.split(".")
  if (parts.length !== 3) return "forged"
  const expected = Buffer.from(mac(`${parts[0]}.${parts[1]}|${userId}|${bits}`))
  const given = Buffer.from(parts[2]!)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return "forged"
  if (parseInt(parts[0]!, 36) <= nowMs) return "expired"
  return leadingZeroBits(createHash("sha256").update(prefix + solution).digest()) >= bits ? "ok" : "insufficient"
}

/** What a client does (tests, load tests): try solutions until one has enough zero bits. */
export const solveChallenge = (prefix: string, bits: number): string => {
  for (let i = 0; ; i++) {
    const solution = i.toString(36)
    if (leadingZeroBits(createHash("sha256").update(prefix + solution).digest()) >= bits) return solution
  }
}
