import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import { type AdmissionKey, admissionKeys } from "../../actors/sales/admission-keys.ts"
import type { ActorHost } from "../../runtime/host.ts"

/**
 * Admission tokens: `at1.<key_id>.<payload>.<mac>`, the payload base64url JSON
 * `{s: sale_id, u: user_id, t: token_id, e: expires_at_ms}` and the MAC an HMAC-SHA256 of
 * `at1.<key_id>.<payload>` under that key. Keys live in the `admission-keys` actor (durable,
 * rotatable); this ring caches them and reloads once when a token names a key it does not know
 * (another process rotated). Single use is the sale actor's business (Claim / Complete).
 */

export interface TokenClaims {
  readonly saleId: string
  readonly userId: string
  readonly tokenId: number
  readonly expiresAtMs: number
}

export type TokenCheck = { readonly ok: true; readonly claims: TokenClaims } | { readonly ok: false; readonly reason: "malformed" | "unknown_key" | "bad_signature" | "expired" | "wrong_user" | "wrong_sale" }

const KEYS_ID = "current"
const newKey = (nowMs: number): AdmissionKey => ({
  key_id: `k${nowMs.toString(36)}${randomBytes(3).toString("hex")}`,
  secret: randomBytes(32).toString("base64url"),
  created_at_ms: nowMs
})

const sign = (secret: string, text: string) => createHmac("sha256", Buffer.from(secret, "base64url")).update(text).digest("base64url")

export class KeyRing {
  private keys: ReadonlyArray<AdmissionKey> = []
  private lastReloadMs = -Infinity

  constructor(private readonly host: ActorHost) {}

  /** Load the keys, creating the first one on a new store. */
  async load(nowMs = Date.now()): Promise<void> {
    const reply = await this.host.ask<{ keys: ReadonlyArray<AdmissionKey> }>(admissionKeys, KEYS_ID, { _tag: "Ensure", key: newKey(nowMs) }, nowMs)
    this.keys = reply.keys
    this.lastReloadMs = nowMs
  }

  /** Sign with a fresh key from now on; tokens signed with the previous keys stay valid. */
  async rotate(nowMs = Date.now()): Promise<string> {
    const key = newKey(nowMs)
    const reply = await this.host.ask<{ keys: ReadonlyArray<AdmissionKey> }>(admissionKeys, KEYS_ID, { _tag: "Rotate", key }, nowMs)
    this.keys = reply.keys
    return key.key_id
  }

  get currentKeyId(): string | undefined {
    return this.keys[0]?.key_id
  }

  issue(claims: TokenClaims): string {
    const key = this.keys[0]
    if (key === undefined) throw new Error("admission keys are not loaded")
    const payload = Buffer.from(JSON.stringify({ s: claims.saleId, u: claims.userId, t: claims.tokenId, e: claims.expiresAtMs })).toString("base64url")
    const signed = `at1.${key.key_id}.${payload}`
    return `${signed}.${sign(key.secret, signed)}`
  }

  async verify(token: string, expect: { readonly userId: string; readonly saleId?: string }, nowMs: number): Promise<TokenCheck> {
    const parts = token.length <= 1_024 ? token.split(".") : []
    if (parts.length !== 4 || parts[0] !== "at1") return { ok: false, reason: "malformed" }
    let key = this.keys.find((k) => k.key_id === parts[1])
    if (key === undefined && nowMs - this.lastReloadMs > 1_000) {
      await this.load(nowMs)
      key = this.keys.find((k) => k.key_id === parts[1])
    }
    if (key === undefined) return { ok: false, reason: "unknown_key" }
    const expected = Buffer.from(sign(key.secret, `at1.${parts[1]}.${parts[2]}`))
    const given = Buffer.from(parts[3]!)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: "bad_signature" }
    let payload: { s?: unknown; u?: unknown; t?: unknown; e?: unknown }
    try {
      payload = JSON.parse(Buffer.from(parts[2]!, "base64url").toString("utf8")) as typeof payload
    } catch {
      return { ok: false, reason: "malformed" }
    }
    const { s, u, t, e } = payload
    if (typeof s !== "string" || typeof u !== "string" || typeof t !== "number" || typeof e !== "number") return { ok: false, reason: "malformed" }
    if (u !== expect.userId) return { ok: false, reason: "wrong_user" }
    if (expect.saleId !== undefined && s !== expect.saleId) return { ok: false, reason: "wrong_sale" }
    if (nowMs >= e) return { ok: false, reason: "expired" }
    return { ok: true, claims: { saleId: s, userId: u, tokenId: t, expiresAtMs: e } }
  }
}
