import type { CardBehaviour, CardBrand } from "./cards.ts"
import type { Payment, PaymentEventType } from "./payment.ts"

/**
 * The simulator's whole state in memory, changed only by applying log records: the same
 * `apply` serves a live request and the replay of the data file at start, and applying a
 * record twice changes nothing (a compaction snapshot may be followed by records it already
 * includes). No record holds a card number or a CVC.
 */

export interface StoredToken {
  readonly token: string
  readonly brand: CardBrand
  readonly last4: string
  /** Keyed hash of the card number: the same card gives the same fingerprint across tokens. */
  readonly fingerprint: string
  readonly exp_month: number
  readonly exp_year: number
  readonly behaviour: CardBehaviour
  readonly created_at: string
}

/** A stored answer to a request with an `Idempotency-Key`. */
export interface StoredAnswer {
  readonly key: string
  /** Keyed hash of method, path and the decoded body. */
  readonly request_hash: string
  readonly status: number
  readonly body: unknown
  readonly at_ms: number
}

export interface StoredEvent {
  readonly id: string
  readonly type: PaymentEventType
  readonly created_at: string
  readonly payment: Payment
}

/** Everything one request changed, written as one line: it lands whole or not at all. */
export interface CommitRecord {
  readonly t: "commit"
  readonly token?: StoredToken
  readonly payment?: Payment
  readonly event?: StoredEvent
  readonly answer?: StoredAnswer
}

export interface DeliveredRecord {
  readonly t: "delivered"
  readonly event_id: string
}

export type LogRecord = CommitRecord | DeliveredRecord

/** Payments listed for one reference at most. */
export const maxPaymentsPerReferenceListed = 100

export class ProviderState {
  readonly tokens = new Map<string, StoredToken>()
  readonly payments = new Map<string, Payment>()
  readonly paymentIdsByReference = new Map<string, Array<string>>()
  /** Insertion order is age order: pruning walks from the front. */
  readonly answers = new Map<string, StoredAnswer>()
  /** Webhook events not yet delivered (nor given up on). */
  readonly undelivered = new Map<string, StoredEvent>()

  apply(record: LogRecord): void {
    if (record.t === "delivered") {
      this.undelivered.delete(record.event_id)
      return
    }
    if (record.token !== undefined) this.tokens.set(record.token.token, record.token)
    if (record.payment !== undefined) this.applyPayment(record.payment)
    if (record.event !== undefined) this.undelivered.set(record.event.id, record.event)
    if (record.answer !== undefined && !this.answers.has(record.answer.key)) this.answers.set(record.answer.key, record.answer)
  }

  private applyPayment(payment: Payment) {
    const known = this.payments.get(payment.payment_id)
    if (known !== undefined && known.version >= payment.version) return
    this.payments.set(payment.payment_id, payment)
    if (known !== undefined) return
    const ids = this.paymentIdsByReference.get(payment.reference)
    if (ids === undefined) this.paymentIdsByReference.set(payment.reference, [payment.payment_id])
    else ids.push(payment.payment_id)
  }

  /** The newest payments made with this reference, newest first. */
  paymentsOfReference(reference: string): Array<Payment> {
    const ids = this.paymentIdsByReference.get(reference) ?? []
    return ids
      .slice(-maxPaymentsPerReferenceListed)
      .reverse()
      .map((id) => this.payments.get(id)!)
  }

  /** Forget idempotency answers stored before `cutoffMs`. */
  pruneAnswers(cutoffMs: number): void {
    for (const [key, answer] of this.answers) {
      if (answer.at_ms >= cutoffMs) break
      this.answers.delete(key)
    }
  }

  /** The records that rebuild this state (a compaction of the data file). */
  *snapshot(): Generator<LogRecord> {
    for (const token of this.tokens.values()) yield { t: "commit", token }
    for (const payment of this.payments.values()) yield { t: "commit", payment }
    for (const answer of this.answers.values()) yield { t: "commit", answer }
    for (const event of this.undelivered.values()) yield { t: "commit", event }
  }
}
