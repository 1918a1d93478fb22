import { cardProblemMessages, checkCard, type CardInput } from "./cards.ts"
import type { MsRange, ProviderConfig } from "./config.ts"
import { type Answer, canonicalJson, errorAnswer } from "./http.ts"
import { keyedHash, loadOrCreateKey, randomId } from "./keys.ts"
import { DurableLog } from "./log.ts"
import * as Payments from "./payment.ts"
import { SeededRandom } from "./random.ts"
import { type CommitRecord, type LogRecord, ProviderState, type StoredEvent, type StoredToken } from "./state.ts"
import { WebhookDispatcher, type WebhookSettings } from "./webhooks.ts"
import type { AuthorizeRequest } from "./wire.ts"

/**
 * The simulator without HTTP: its state, data file, webhook dispatcher and the operations of
 * its API. Every write is decided synchronously against the state, applied, appended to the data
 * file as one record, and answered once that record is durable. With an `Idempotency-Key`, the
 * answer is stored in the same record: the same key with the same request gets the same answer
 * (also while the first is still being written), with another request 422.
 */

/** What one request gets: the answer, and how the transport should misbehave, if at all. */
export interface Outcome {
  readonly answer: Answer
  /** `error`: answer 500 instead; `drop`: close the connection without answering. */
  readonly fault?: "error" | "drop"
  /** Wait this long before answering. */
  readonly delayMs?: number
}

interface Decision {
  readonly answer: Answer
  readonly commit?: Omit<CommitRecord, "t" | "answer">
  /** Whether an idempotent replay should get this answer again (false: nothing was decided). */
  readonly store: boolean
  readonly fault?: "error" | "drop"
}

export interface RequestIdentity {
  readonly method: string
  readonly path: string
  readonly idempotencyKey: string | undefined
}

export interface LiveSettings extends WebhookSettings {
  latency: MsRange
  slowCardDelayMs: number
  errorRate: number
  errorAfterCommitRate: number
}

const logFileName = "provider.log"
const pruneEveryMs = 60_000

export const capacityExceeded = (what: string) =>
  errorAnswer(503, "capacity_exceeded", `the simulator holds no more ${what}`, {}, { "retry-after": "1" })

export class ProviderCore {
  readonly random: SeededRandom
  readonly settings: LiveSettings
  private readonly dispatcher: WebhookDispatcher
  /** Durability of answers decided but not yet written, by idempotency key. */
  private readonly writing = new Map<string, Promise<void>>()
  private readonly pruneTimer: NodeJS.Timeout

  private constructor(
    readonly config: ProviderConfig,
    readonly state: ProviderState,
    private readonly log: DurableLog<LogRecord>,
    private readonly key: Buffer
  ) {
    this.random = new SeededRandom(config.seed)
    this.settings = { ...config }
    this.dispatcher = new WebhookDispatcher(this.settings, this.random, (eventId) => this.eventFinished(eventId))
    for (const event of state.undelivered.values()) this.dispatcher.enqueue(event)
    this.pruneTimer = setInterval(() => state.pruneAnswers(Date.now() - config.idempotencyRetentionMs), pruneEveryMs)
    this.pruneTimer.unref()
  }

  static async open(config: ProviderConfig): Promise<ProviderCore> {
    const key = await loadOrCreateKey(config.dataDir)
    const state = new ProviderState()
    const log = await DurableLog.open<LogRecord>({
      dir: config.dataDir,
      fileName: logFileName,
      replay: (record) => state.apply(record),
      snapshot: () => state.snapshot(),
      compactAtBytes: config.compactAtBytes,
      sync: config.fsync
    })
    state.pruneAnswers(Date.now() - config.idempotencyRetentionMs)
    return new ProviderCore(config, state, log, key)
  }

  get broken(): boolean {
    return this.log.failed
  }

  get stats() {
    return {
      tokens: this.state.tokens.size,
      payments: this.state.payments.size,
      idempotency_keys: this.state.answers.size,
      undelivered_events: this.state.undelivered.size,
      data_file: this.log.stats,
      webhooks: this.dispatcher.stats
    }
  }

  async close(): Promise<void> {
    clearInterval(this.pruneTimer)
    this.dispatcher.close()
    await this.log.close()
  }

  /** Resolves once everything decided so far is durable: reads wait for it, so they never show what a crash could undo. */
  whenDurable(): Promise<void> {
    return this.log.whenDurable()
  }

  // Operations

  tokenize(request: RequestIdentity, card: CardInput, now: Date): Promise<Outcome> {
    return this.write(request, card, () => {
      const check = checkCard(card, now.getUTCFullYear(), now.getUTCMonth() + 1)
      if (typeof check === "string") return { answer: errorAnswer(400, check, cardProblemMessages[check]), store: false }
      if (this.state.tokens.size >= this.config.maxTokens) return { answer: capacityExceeded("tokens"), store: false }
      const token: StoredToken = {
        token: randomId("tok"),
        brand: check.brand,
        last4: check.last4,
        fingerprint: `fp_${keyedHash(this.key, `card:${card.card_number}`).slice(0, 24)}`,
        exp_month: card.exp_month,
        exp_year: card.exp_year,
        behaviour: check.behaviour,
        created_at: now.toISOString()
      }
      return { answer: { status: 201, body: tokenView(token) }, commit: { token }, store: true }
    })
  }

  authorize(request: RequestIdentity, input: AuthorizeRequest, now: Date): Promise<Outcome> {
    return this.write(request, input, () => {
      const token = this.state.tokens.get(input.token)
      if (token === undefined) return { answer: errorAnswer(404, "token_not_found", "no such card token"), store: false }
      if (this.state.payments.size >= this.config.maxPayments) return { answer: capacityExceeded("payments"), store: false }
      const transition = Payments.authorize({
        paymentId: randomId("pay"),
        token: token.token,
        card: { brand: token.brand, last4: token.last4, fingerprint: token.fingerprint },
        behaviour: token.behaviour,
        amount: input.amount,
        currency: input.currency,
        reference: input.reference,
        at: now.toISOString()
      })
      const fault = token.behaviour === "error_after_charge" ? "error" : token.behaviour === "drop_after_charge" ? "drop" : undefined
      return {
        answer: { status: 201, body: transition.payment },
        commit: { payment: transition.payment, ...this.eventOf(transition, now) },
        store: true,
        ...(fault === undefined ? {} : { fault })
      }
    })
  }

  capture(request: RequestIdentity, paymentId: string, body: { readonly amount?: number | undefined }, now: Date): Promise<Outcome> {
    return this.change(request, paymentId, body, now, (payment, at) => Payments.capture(payment, body.amount, at))
  }

  voidPayment(request: RequestIdentity, paymentId: string, now: Date): Promise<Outcome> {
    return this.change(request, paymentId, {}, now, (payment, at) => Payments.voidPayment(payment, at))
  }

  refund(request: RequestIdentity, paymentId: string, body: { readonly amount?: number | undefined; readonly reason?: string | undefined }, now: Date): Promise<Outcome> {
    const refundId = randomId("re")
    return this.change(request, paymentId, body, now, (payment, at) => Payments.refund(payment, refundId, body.amount, at), (payment) => ({
      status: 201,
      body: { refund: payment.refunds[payment.refunds.length - 1], payment }
    }))
  }

  settle(request: RequestIdentity, paymentId: string, body: { readonly outcome: "authorized" | "declined"; readonly decline_code?: string | undefined }, now: Date): Promise<Outcome> {
    return this.change(request, paymentId, body, now, (payment, at) => Payments.settle(payment, body.outcome, body.decline_code, at))
  }

  async payment(paymentId: string): Promise<Answer> {
    await this.whenDurable()
    const payment = this.state.payments.get(paymentId)
    return payment === undefined ? paymentNotFound() : { status: 200, body: payment }
  }

  async paymentsOfReference(reference: string): Promise<Answer> {
    await this.whenDurable()
    return { status: 200, body: { data: this.state.paymentsOfReference(reference) } }
  }

  async token(tokenId: string): Promise<Answer> {
    await this.whenDurable()
    const token = this.state.tokens.get(tokenId)
    return token === undefined ? errorAnswer(404, "token_not_found", "no such card token") : { status: 200, body: tokenView(token) }
  }

  // Machinery

  private change(
    request: RequestIdentity,
    paymentId: string,
    body: unknown,
    now: Date,
    transition: (payment: Payments.Payment, at: string) => Payments.Transition | Payments.Rejection,
    view: (payment: Payments.Payment) => Answer = (payment) => ({ status: 200, body: payment })
  ): Promise<Outcome> {
    return this.write(request, body, () => {
      const payment = this.state.payments.get(paymentId)
      if (payment === undefined) return { answer: paymentNotFound(), store: false }
      const next = transition(payment, now.toISOString())
      if (next._tag === "Rejection") return { answer: errorAnswer(next.status, next.code, next.message, next.details), store: true }
      return { answer: view(next.payment), commit: { payment: next.payment, ...this.eventOf(next, now) }, store: true }
    })
  }

  private eventOf(transition: Payments.Transition, now: Date): { event?: StoredEvent } {
    if (this.settings.webhookUrl === undefined) return {}
    return { event: { id: randomId("evt"), type: transition.event, created_at: now.toISOString(), payment: transition.payment } }
  }

  private async write(request: RequestIdentity, body: unknown, decide: () => Decision): Promise<Outcome> {
    const key = request.idempotencyKey
    const requestHash = key === undefined ? "" : keyedHash(this.key, `${request.method} ${request.path}\n${canonicalJson(body)}`)
    if (key !== undefined) {
      const stored = this.state.answers.get(key)
      if (stored !== undefined) {
        if (stored.request_hash !== requestHash) {
          return {
            answer: errorAnswer(422, "idempotency_key_reused", "this Idempotency-Key was used with a different request", { idempotency_key: key })
          }
        }
        await (this.writing.get(key) ?? this.whenDurable())
        const answer: Answer = { status: stored.status, body: stored.body, headers: { "idempotent-replayed": "true" } }
        return { answer, ...this.slowDelay(request, stored.body) }
      }
      if (this.state.answers.size >= this.config.maxIdempotencyKeys) return { answer: capacityExceeded("idempotency keys") }
    }
    const decision = decide()
    const storesAnswer = key !== undefined && decision.store
    if (decision.commit === undefined && !storesAnswer) {
      // Nothing changed, but what was read may not be durable yet.
      await this.whenDurable()
      return { answer: decision.answer }
    }
    const record: CommitRecord = {
      t: "commit",
      ...decision.commit,
      ...(storesAnswer ? { answer: { key, request_hash: requestHash, status: decision.answer.status, body: decision.answer.body, at_ms: Date.now() } } : {})
    }
    this.state.apply(record)
    const durable = this.log.append(record)
    if (storesAnswer) this.writing.set(key, durable)
    try {
      await durable
    } finally {
      if (storesAnswer && this.writing.get(key) === durable) this.writing.delete(key)
    }
    if (record.event !== undefined) this.dispatcher.enqueue(record.event)
    const fault = decision.fault ?? (this.random.chance(this.settings.errorAfterCommitRate) ? "error" : undefined)
    return { answer: decision.answer, ...(fault === undefined ? {} : { fault }), ...this.slowDelay(request, decision.answer.body) }
  }

  /** Answers about a `slow` card's authorization come late, replays included. */
  private slowDelay(request: RequestIdentity, body: unknown): { delayMs?: number } {
    if (request.path !== "/v1/payments") return {}
    const token = (body as { token?: unknown } | null)?.token
    const behaviour = typeof token === "string" ? this.state.tokens.get(token)?.behaviour : undefined
    return behaviour === "slow" ? { delayMs: this.settings.slowCardDelayMs } : {}
  }

  private eventFinished(eventId: string) {
    if (!this.state.undelivered.has(eventId)) return
    const record: LogRecord = { t: "delivered", event_id: eventId }
    this.state.apply(record)
    // Not awaited: if this is lost in a crash the event is delivered once more after restart.
    this.log.append(record).catch(() => undefined)
  }
}

const paymentNotFound = () => errorAnswer(404, "not_found", "no such payment")

const tokenView = (token: StoredToken) => ({
  token: token.token,
  brand: token.brand,
  last4: token.last4,
  fingerprint: token.fingerprint,
  exp_month: token.exp_month,
  exp_year: token.exp_year,
  created_at: token.created_at
})
