import { Agent as HttpAgent, request as httpRequest } from "node:http"
import { Agent as HttpsAgent, request as httpsRequest } from "node:https"
import type { MsRange } from "./config.ts"
import type { SeededRandom } from "./random.ts"
import { signWebhook, signatureHeader } from "./signature.ts"
import type { StoredEvent } from "./state.ts"

/**
 * Delivers webhook events the way real providers do: late (a random delay per delivery),
 * sometimes twice (a second, independently delayed copy), so out of order, and again with
 * exponential backoff while the receiver fails, up to a bounded number of attempts. Every
 * attempt is signed afresh. Deliveries waiting or in flight are bounded; past the bound an
 * event is dropped (counted) — receivers must reconcile by reading the payment anyway.
 */
export interface WebhookSettings {
  webhookUrl: string | undefined
  webhookDelay: MsRange
  webhookDuplicateProbability: number
  readonly webhookSecret: string
  readonly webhookMaxAttempts: number
  readonly webhookRetryBaseMs: number
  readonly webhookRetryMaxMs: number
  readonly webhookTimeoutMs: number
  readonly webhookConcurrency: number
  readonly webhookMaxPending: number
}

interface Delivery {
  readonly event: StoredEvent
  readonly body: string
  /** The copy whose success (or final failure) ends the event; a duplicate's does not. */
  readonly primary: boolean
  attempts: number
}

/** Bytes of a receiver's answer read at most (the rest is discarded). */
const maxResponseBytes = 64 * 1024

export class WebhookDispatcher {
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly ready: Array<Delivery> = []
  private inFlight = 0
  private pending = 0
  private closed = false
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 64 })
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 64 })
  readonly counts = { enqueued: 0, delivered: 0, duplicates_sent: 0, failed_attempts: 0, given_up: 0, dropped: 0 }

  constructor(
    private readonly settings: WebhookSettings,
    private readonly random: SeededRandom,
    /** The event needs no more deliveries (delivered, given up or dropped). */
    private readonly onFinished: (eventId: string) => void
  ) {}

  enqueue(event: StoredEvent): void {
    if (this.closed) return
    const body = JSON.stringify({ id: event.id, type: event.type, created_at: event.created_at, data: { payment: event.payment } })
    const copies = this.random.chance(this.settings.webhookDuplicateProbability) ? 2 : 1
    if (this.pending + copies > this.settings.webhookMaxPending) {
      this.counts.dropped++
      this.onFinished(event.id)
      return
    }
    this.counts.enqueued++
    for (let copy = 0; copy < copies; copy++) {
      this.pending++
      this.later(this.random.inRange(this.settings.webhookDelay), { event, body, primary: copy === 0, attempts: 0 })
    }
  }

  get stats() {
    return { ...this.counts, pending: this.pending, in_flight: this.inFlight }
  }

  close(): void {
    this.closed = true
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    this.ready.length = 0
    this.httpAgent.destroy()
    this.httpsAgent.destroy()
  }

  private later(delayMs: number, delivery: Delivery) {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      this.ready.push(delivery)
      this.pump()
    }, delayMs)
    this.timers.add(timer)
  }

  private pump() {
    while (!this.closed && this.inFlight < this.settings.webhookConcurrency && this.ready.length > 0) {
      const delivery = this.ready.shift()!
      this.inFlight++
      void this.send(delivery).then((ok) => {
        this.inFlight--
        this.settle(delivery, ok)
        this.pump()
      })
    }
  }

  private settle(delivery: Delivery, ok: boolean) {
    if (this.closed) return
    delivery.attempts++
    if (!ok) this.counts.failed_attempts++
    if (!ok && delivery.attempts < this.settings.webhookMaxAttempts) {
      const backoff = Math.min(this.settings.webhookRetryMaxMs, this.settings.webhookRetryBaseMs * 2 ** (delivery.attempts - 1))
      this.later(Math.round(backoff * (0.5 + this.random.next())), delivery)
      return
    }
    this.pending--
    if (ok && delivery.primary) this.counts.delivered++
    if (ok && !delivery.primary) this.counts.duplicates_sent++
    if (!ok) this.counts.given_up++
    if (delivery.primary) this.onFinished(delivery.event.id)
  }

  /** One attempt: true when the receiver answered 2xx within the timeout. */
  private send(delivery: Delivery): Promise<boolean> {
    const url = this.settings.webhookUrl
    if (url === undefined) return Promise.resolve(false)
    return new Promise((resolve) => {
      let done = false
      const finish = (ok: boolean) => {
        if (done) return
        done = true
        clearTimeout(timer)
        resolve(ok)
      }
      const signature = signWebhook(this.settings.webhookSecret, Math.floor(Date.now() / 1000), delivery.body)
      const https = url.startsWith("https:")
      let req: ReturnType<typeof httpRequest>
      try {
        req = (https ? httpsRequest : httpRequest)(url, {
          method: "POST",
          agent: https ? this.httpsAgent : this.httpAgent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(delivery.body),
            [signatureHeader]: signature,
            "user-agent": "payment-provider-simulator"
          }
        })
      } catch {
        resolve(false)
        return
      }
      const timer = setTimeout(() => {
        req.destroy()
        finish(false)
      }, this.settings.webhookTimeoutMs)
      req.once("response", (res) => {
        let read = 0
        res.on("data", (chunk: Buffer) => {
          read += chunk.length
          if (read > maxResponseBytes) res.destroy()
        })
        res.once("end", () => finish(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300))
        res.once("error", () => finish(false))
        res.once("close", () => finish(res.complete && res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300))
      })
      req.once("error", () => finish(false))
      req.end(delivery.body)
    })
  }
}
