import type { PaymentMethodKind } from "../payments/fields.ts"

/**
 * Fraud rules: a pure function from what the checkout knows (amount, addresses, recent counts
 * per user, card fingerprint and IP) to allow | review | reject, with the reasons. The counts
 * come from the risk-counter actors (counters.ts) and are the counts *before* this checkout.
 * The verdict is the most severe rule's; `review` places the order in `exception` for an
 * operator, `reject` fails the checkout (402 `payment_declined`, `details.reason: "risk"`).
 * `FRAUD_RULES=off` turns every rule off (load tests).
 */

export interface Counts {
  /** Checkout attempts in the window. */
  readonly attempts: number
  /** Declined payments in the window. */
  readonly declines: number
  /** Declines of small amounts (≤ `smallAmountMax`): how stolen cards are tested. */
  readonly small_declines: number
}

export const noCounts: Counts = { attempts: 0, declines: 0, small_declines: 0 }

export interface RiskInput {
  /** The checkout total, minor units. */
  readonly amount: number
  readonly payment_method: PaymentMethodKind
  /** ISO 3166-1 alpha-2. */
  readonly shipping_country: string
  /** The card's or the payer's country when known. */
  readonly billing_country?: string | undefined
  readonly counts: {
    readonly user: Counts
    /** Card payments: counts of the card fingerprint. */
    readonly card?: Counts | undefined
    /** Counts of the client IP, when known. */
    readonly ip?: Counts | undefined
  }
}

export type Verdict = "allow" | "review" | "reject"
export const ruleNames = ["velocity_user", "velocity_card", "velocity_ip", "amount", "address_mismatch", "declines", "card_testing"] as const
export type RuleName = (typeof ruleNames)[number]

export interface RiskReason {
  readonly rule: RuleName
  readonly verdict: "review" | "reject"
  readonly detail: string
}

export interface RiskAssessment {
  readonly verdict: Verdict
  /** In `ruleNames` order. */
  readonly reasons: ReadonlyArray<RiskReason>
}

/** Thresholds: `…Review`/`…Reject` are counts in the window at or above which the rule asks for review / rejects. */
export interface FraudConfig {
  readonly enabled: boolean
  /** The window the counts are taken over (the counters keep at most one hour). */
  readonly velocityWindowMs: number
  readonly userAttemptsReview: number
  readonly userAttemptsReject: number
  readonly cardAttemptsReview: number
  readonly cardAttemptsReject: number
  readonly ipAttemptsReview: number
  readonly ipAttemptsReject: number
  /** Minor units; amounts above go to review / are rejected. */
  readonly amountReviewAbove: number
  readonly amountRejectAbove: number
  /** Billing country ≠ shipping country → review. */
  readonly reviewAddressMismatch: boolean
  /** Declines (of the user, card or IP) at or above which a new attempt is reviewed. */
  readonly declinesReview: number
  /** Minor units: a decline at or below it counts as small. */
  readonly smallAmountMax: number
  /** Small declines (of the card or IP) at or above which an attempt is rejected as card testing. */
  readonly cardTestingSmallDeclines: number
}

export const defaultFraudConfig: FraudConfig = {
  enabled: true,
  velocityWindowMs: 3_600_000,
  userAttemptsReview: 10,
  userAttemptsReject: 30,
  cardAttemptsReview: 10,
  cardAttemptsReject: 30,
  ipAttemptsReview: 30,
  ipAttemptsReject: 100,
  amountReviewAbove: 5_000_000,
  amountRejectAbove: 100_000_000,
  reviewAddressMismatch: true,
  declinesReview: 3,
  smallAmountMax: 10_000,
  cardTestingSmallDeclines: 5
}

export const isSmallAmount = (config: FraudConfig, amount: number) => amount <= config.smallAmountMax

const velocity = (rule: RuleName, who: string, counts: Counts | undefined, review: number, rejectAt: number): RiskReason | undefined => {
  if (counts === undefined) return undefined
  if (counts.attempts >= rejectAt) return { rule, verdict: "reject", detail: `${counts.attempts} checkout attempts by this ${who} in the window (limit ${rejectAt})` }
  if (counts.attempts >= review) return { rule, verdict: "review", detail: `${counts.attempts} checkout attempts by this ${who} in the window (review at ${review})` }
  return undefined
}

export const assessRisk = (config: FraudConfig, input: RiskInput): RiskAssessment => {
  if (!config.enabled) return { verdict: "allow", reasons: [] }
  const { counts } = input
  const candidates: Array<RiskReason | undefined> = [
    velocity("velocity_user", "user", counts.user, config.userAttemptsReview, config.userAttemptsReject),
    velocity("velocity_card", "card", counts.card, config.cardAttemptsReview, config.cardAttemptsReject),
    velocity("velocity_ip", "IP", counts.ip, config.ipAttemptsReview, config.ipAttemptsReject)
  ]
  if (input.amount > config.amountRejectAbove) candidates.push({ rule: "amount", verdict: "reject", detail: `amount ${input.amount} above ${config.amountRejectAbove}` })
  else if (input.amount > config.amountReviewAbove) candidates.push({ rule: "amount", verdict: "review", detail: `amount ${input.amount} above ${config.amountReviewAbove}` })
  if (config.reviewAddressMismatch && input.billing_country !== undefined && input.billing_country !== input.shipping_country) {
    candidates.push({ rule: "address_mismatch", verdict: "review", detail: `billing country ${input.billing_country}, shipping to ${input.shipping_country}` })
  }
  const declines = Math.max(counts.user.declines, counts.card?.declines ?? 0, counts.ip?.declines ?? 0)
  if (declines >= config.declinesReview) candidates.push({ rule: "declines", verdict: "review", detail: `${declines} declined payments in the window` })
  const smallDeclines = Math.max(counts.card?.small_declines ?? 0, counts.ip?.small_declines ?? 0, counts.user.small_declines)
  if (smallDeclines >= config.cardTestingSmallDeclines) {
    candidates.push({ rule: "card_testing", verdict: "reject", detail: `${smallDeclines} small declined payments in the window` })
  }
  const reasons = candidates.filter((r): r is RiskReason => r !== undefined).sort((a, b) => ruleNames.indexOf(a.rule) - ruleNames.indexOf(b.rule))
  const verdict: Verdict = reasons.some((r) => r.verdict === "reject") ? "reject" : reasons.length > 0 ? "review" : "allow"
  return { verdict, reasons }
}

/**
 * From the environment: `FRAUD_RULES` (`on`/`off`), `FRAUD_VELOCITY_WINDOW_MS`,
 * `FRAUD_{USER,CARD,IP}_ATTEMPTS_{REVIEW,REJECT}`, `FRAUD_AMOUNT_{REVIEW,REJECT}_ABOVE`,
 * `FRAUD_ADDRESS_MISMATCH` (`review`/`allow`), `FRAUD_DECLINES_REVIEW`, `FRAUD_SMALL_AMOUNT_MAX`,
 * `FRAUD_CARD_TESTING_SMALL_DECLINES`. A malformed value stops the start with its name.
 */
export const fraudConfigFromEnv = (env: NodeJS.ProcessEnv = process.env, maxWindowMs = 3_600_000): FraudConfig => {
  const d = defaultFraudConfig
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name]
    const value = raw === undefined || raw === "" ? fallback : Number(raw)
    if (!Number.isSafeInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer in ${min}..${max}, got "${raw}"`)
    return value
  }
  const choice = <A extends string>(name: string, options: ReadonlyArray<A>, fallback: A): A => {
    const raw = env[name]
    if (raw === undefined || raw === "") return fallback
    if (!options.includes(raw as A)) throw new Error(`${name} must be one of ${options.join(", ")}, got "${raw}"`)
    return raw as A
  }
  const pair = (prefix: string, review: number, rejectAt: number) => {
    const r = int(`${prefix}_REVIEW`, review, 1, 1_000_000)
    const x = int(`${prefix}_REJECT`, rejectAt, 1, 1_000_000)
    if (x < r) throw new Error(`${prefix}_REJECT (${x}) must not be below ${prefix}_REVIEW (${r})`)
    return [r, x] as const
  }
  const [userAttemptsReview, userAttemptsReject] = pair("FRAUD_USER_ATTEMPTS", d.userAttemptsReview, d.userAttemptsReject)
  const [cardAttemptsReview, cardAttemptsReject] = pair("FRAUD_CARD_ATTEMPTS", d.cardAttemptsReview, d.cardAttemptsReject)
  const [ipAttemptsReview, ipAttemptsReject] = pair("FRAUD_IP_ATTEMPTS", d.ipAttemptsReview, d.ipAttemptsReject)
  const amountReviewAbove = int("FRAUD_AMOUNT_REVIEW_ABOVE", d.amountReviewAbove, 0, 1e15)
  const amountRejectAbove = int("FRAUD_AMOUNT_REJECT_ABOVE", d.amountRejectAbove, 0, 1e15)
  if (amountRejectAbove < amountReviewAbove) throw new Error(`FRAUD_AMOUNT_REJECT_ABOVE (${amountRejectAbove}) must not be below FRAUD_AMOUNT_REVIEW_ABOVE (${amountReviewAbove})`)
  return {
    enabled: choice("FRAUD_RULES", ["on", "off"], "on") === "on",
    velocityWindowMs: int("FRAUD_VELOCITY_WINDOW_MS", Math.min(d.velocityWindowMs, maxWindowMs), 1_000, maxWindowMs),
    userAttemptsReview,
    userAttemptsReject,
    cardAttemptsReview,
    cardAttemptsReject,
    ipAttemptsReview,
    ipAttemptsReject,
    amountReviewAbove,
    amountRejectAbove,
    reviewAddressMismatch: choice("FRAUD_ADDRESS_MISMATCH", ["review", "allow"], "review") === "review",
    declinesReview: int("FRAUD_DECLINES_REVIEW", d.declinesReview, 1, 1_000_000),
    smallAmountMax: int("FRAUD_SMALL_AMOUNT_MAX", d.smallAmountMax, 0, 1e15),
    cardTestingSmallDeclines: int("FRAUD_CARD_TESTING_SMALL_DECLINES", d.cardTestingSmallDeclines, 1, 1_000_000)
  }
}
