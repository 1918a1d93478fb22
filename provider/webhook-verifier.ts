import { timingSafeEqual } from "node:crypto"
import { Effect, Schema } from "effect"
import { computeSignature } from "./signature.ts"
import * as Wire from "./wire.ts"

/**
 * Our side of the provider's webhooks: check the `Provider-Signature` header against the raw
 * body (HMAC-SHA256 over `<t>.<body>`, any of the configured secrets, so a secret can be
 * rotated), refuse timestamps outside the tolerance (a replayed old delivery), then decode the
 * event. `WebhookInbox` sorts verified events into new, duplicate (same event id again) and
 * stale (an older version of a payment than one already seen: deliveries come out of order).
 */

export class WebhookRejected extends Schema.TaggedError<WebhookRejected>()("WebhookRejected", {
  reason: Schema.Literal("missing_signature", "malformed_signature", "bad_signature", "stale_timestamp", "malformed_body"),
  message: Schema.String
}) {}

export interface WebhookVerifierOptions {
  /** The shared secret(s); a signature made with any of them is accepted. */
  readonly secrets: ReadonlyArray<string>
  /** How far the signed timestamp may be from now, either way. */
  readonly toleranceSeconds?: number
}

export const defaultWebhookToleranceSeconds = 300

const parseHeader = (header: string): { readonly timestamp: number; readonly signatures: ReadonlyArray<string> } | undefined => {
  let timestamp: number | undefined
  const signatures: Array<string> = []
  for (const part of header.split(",")) {
    const separator = part.indexOf("=")
    if (separator <= 0) return undefined
    const name = part.slice(0, separator).trim()
    const value = part.slice(separator + 1).trim()
    if (name === "t") {
      if (!/^\d{1,12}$/.test(value)) return undefined
      timestamp = Number(value)
    } else if (name === "v1") {
      if (!/^[0-9a-f]{64}$/.test(value)) return undefined
      signatures.push(value)
    }
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures }
}

const sameHex = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a, "hex"), Buffer.from(b, "hex"))

/** Verifies one delivery: `header` is the `Provider-Signature` value, `rawBody` the bytes as received. */
export const verifyWebhook = (
  options: WebhookVerifierOptions,
  header: string | undefined,
  rawBody: string,
  nowMs: number = Date.now()
): Effect.Effect<Wire.WebhookEvent, WebhookRejected> => {
  if (header === undefined || header === "") {
    return Effect.fail(new WebhookRejected({ reason: "missing_signature", message: "no Provider-Signature header" }))
  }
  if (header.length > 4096) return Effect.fail(new WebhookRejected({ reason: "malformed_signature", message: "Provider-Signature is too long" }))
  const parsed = parseHeader(header)
  if (parsed === undefined) {
    return Effect.fail(new WebhookRejected({ reason: "malformed_signature", message: "expected Provider-Signature: t=<seconds>,v1=<hex>" }))
  }
  const tolerance = options.toleranceSeconds ?? defaultWebhookToleranceSeconds
  if (Math.abs(nowMs / 1000 - parsed.timestamp) > tolerance) {
    return Effect.fail(new WebhookRejected({ reason: "stale_timestamp", message: `the signed timestamp is more than ${tolerance} s from now` }))
  }
  const expected = options.secrets.map((secret) => computeSignature(secret, parsed.timestamp, rawBody))
  if (!parsed.signatures.some((signature) => expected.some((candidate) => sameHex(signature, candidate)))) {
    return Effect.fail(new WebhookRejected({ reason: "bad_signature", message: "no signature matches" }))
  }
  return Effect.try({
    try: () => Schema.decodeUnknownSync(Wire.WebhookEvent)(JSON.parse(rawBody)),
    catch: () => new WebhookRejected({ reason: "malformed_body", message: "the body is not a payment event" })
  })
}

export type InboxVerdict = "new" | "duplicate" | "stale"

/**
 * Remembers the last `capacity` event ids and, per payment, the highest version seen (least
 * recently used forgotten first). In memory: a durable consumer keeps the same facts in its
 * own state; this is the rule it applies.
 */
export class WebhookInbox {
  private readonly eventIds = new Map<string, true>()
  private readonly versions = new Map<string, number>()

  constructor(private readonly capacity: number = 100_000) {}

  accept(event: Wire.WebhookEvent): InboxVerdict {
    if (this.eventIds.has(event.id)) return "duplicate"
    remember(this.eventIds, event.id, true, this.capacity)
    const payment = event.data.payment
    const known = this.versions.get(payment.payment_id)
    if (known !== undefined && known >= payment.version) return "stale"
    remember(this.versions, payment.payment_id, payment.version, this.capacity)
    return "new"
  }
}

const remember = <V>(map: Map<string, V>, key: string, value: V, capacity: number) => {
  map.delete(key)
  map.set(key, value)
  if (map.size > capacity) map.delete(map.keys().next().value!)
}
