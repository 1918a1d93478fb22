import { createHmac } from "node:crypto"

/**
 * Webhook signatures: `Provider-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` where the HMAC
 * (keyed with the shared webhook secret) covers `<t>.<raw body>`. The timestamp is inside the
 * signed text, so a captured delivery cannot be replayed later with a fresh timestamp.
 */
export const signatureHeader = "provider-signature"

export const computeSignature = (secret: string, timestampSeconds: number, body: string): string =>
  createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex")

export const signWebhook = (secret: string, timestampSeconds: number, body: string): string =>
  `t=${timestampSeconds},v1=${computeSignature(secret, timestampSeconds, body)}`
