import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { assessRisk, type Counts, defaultFraudConfig as config, fraudConfigFromEnv, isSmallAmount, noCounts, type RiskInput, ruleNames } from "./rules.ts"

const counts = (attempts = 0, declines = 0, small = 0): Counts => ({ attempts, declines, small_declines: small })
const base: RiskInput = { amount: 10_000, payment_method: "card", shipping_country: "IN", billing_country: "IN", counts: { user: noCounts, card: noCounts, ip: noCounts } }
const withCounts = (c: Partial<RiskInput["counts"]>): RiskInput => ({ ...base, counts: { ...base.counts, ...c } })

interface Case {
  readonly name: string
  readonly input: RiskInput
  readonly verdict: "allow" | "review" | "reject"
  readonly rules: ReadonlyArray<string>
}

const cases: ReadonlyArray<Case> = [
  { name: "a quiet checkout is allowed", input: base, verdict: "allow", rules: [] },
  // velocity per user
  { name: "user: one attempt below review", input: withCounts({ user: counts(config.userAttemptsReview - 1) }), verdict: "allow", rules: [] },
  { name: "user: at the review threshold", input: withCounts({ user: counts(config.userAttemptsReview) }), verdict: "review", rules: ["velocity_user"] },
  { name: "user: one below the reject threshold", input: withCounts({ user: counts(config.userAttemptsReject - 1) }), verdict: "review", rules: ["velocity_user"] },
  { name: "user: at the reject threshold", input: withCounts({ user: counts(config.userAttemptsReject) }), verdict: "reject", rules: ["velocity_user"] },
  // velocity per card fingerprint
  { name: "card: below review", input: withCounts({ card: counts(config.cardAttemptsReview - 1) }), verdict: "allow", rules: [] },
  { name: "card: at review", input: withCounts({ card: counts(config.cardAttemptsReview) }), verdict: "review", rules: ["velocity_card"] },
  { name: "card: at reject", input: withCounts({ card: counts(config.cardAttemptsReject) }), verdict: "reject", rules: ["velocity_card"] },
  { name: "card: no card (COD) has no card rule", input: { ...withCounts({ card: undefined }), payment_method: "cod" }, verdict: "allow", rules: [] },
  // velocity per IP
  { name: "ip: below review", input: withCounts({ ip: counts(config.ipAttemptsReview - 1) }), verdict: "allow", rules: [] },
  { name: "ip: at review", input: withCounts({ ip: counts(config.ipAttemptsReview) }), verdict: "review", rules: ["velocity_ip"] },
  { name: "ip: at reject", input: withCounts({ ip: counts(config.ipAttemptsReject) }), verdict: "reject", rules: ["velocity_ip"] },
  { name: "ip: unknown address has no IP rule", input: withCounts({ ip: undefined }), verdict: "allow", rules: [] },
  // amount thresholds
  { name: "amount: at the review threshold is allowed", input: { ...base, amount: config.amountReviewAbove }, verdict: "allow", rules: [] },
  { name: "amount: above the review threshold", input: { ...base, amount: config.amountReviewAbove + 1 }, verdict: "review", rules: ["amount"] },
  { name: "amount: at the reject threshold is reviewed", input: { ...base, amount: config.amountRejectAbove }, verdict: "review", rules: ["amount"] },
  { name: "amount: above the reject threshold", input: { ...base, amount: config.amountRejectAbove + 1 }, verdict: "reject", rules: ["amount"] },
  // address mismatch
  { name: "address: billing in another country", input: { ...base, billing_country: "US" }, verdict: "review", rules: ["address_mismatch"] },
  { name: "address: billing country unknown", input: { ...base, billing_country: undefined }, verdict: "allow", rules: [] },
  // declines and card testing
  { name: "declines: below review", input: withCounts({ card: counts(0, config.declinesReview - 1) }), verdict: "allow", rules: [] },
  { name: "declines: of the card at review", input: withCounts({ card: counts(0, config.declinesReview) }), verdict: "review", rules: ["declines"] },
  { name: "declines: of the user at review", input: withCounts({ user: counts(0, config.declinesReview) }), verdict: "review", rules: ["declines"] },
  { name: "declines: of the IP at review", input: withCounts({ ip: counts(0, config.declinesReview) }), verdict: "review", rules: ["declines"] },
  { name: "card testing: small declines below the limit only review (as declines)", input: withCounts({ card: counts(0, config.cardTestingSmallDeclines - 1, config.cardTestingSmallDeclines - 1) }), verdict: "review", rules: ["declines"] },
  { name: "card testing: many small declines on the card", input: withCounts({ card: counts(0, config.cardTestingSmallDeclines, config.cardTestingSmallDeclines) }), verdict: "reject", rules: ["declines", "card_testing"] },
  { name: "card testing: many small declines from one IP over many cards", input: withCounts({ ip: counts(0, config.cardTestingSmallDeclines, config.cardTestingSmallDeclines) }), verdict: "reject", rules: ["declines", "card_testing"] },
  // combinations: the most severe wins, every reason is named, in rule order
  {
    name: "review + reject → reject with both reasons",
    input: { ...withCounts({ user: counts(config.userAttemptsReview) }), amount: config.amountRejectAbove + 1, billing_country: "US" },
    verdict: "reject",
    rules: ["velocity_user", "amount", "address_mismatch"]
  }
]

describe("fraud rules", () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = assessRisk(config, c.input)
      expect(result.verdict).toBe(c.verdict)
      expect(result.reasons.map((r) => r.rule)).toEqual(c.rules)
      for (const r of result.reasons) expect(r.detail.length).toBeGreaterThan(0)
    })
  }

  it("FRAUD_RULES=off allows everything", () => {
    const off = { ...config, enabled: false }
    for (const c of cases) expect(assessRisk(off, c.input)).toEqual({ verdict: "allow", reasons: [] })
  })

  it("address mismatch can be turned off", () => {
    expect(assessRisk({ ...config, reviewAddressMismatch: false }, { ...base, billing_country: "US" }).verdict).toBe("allow")
  })

  it("small amounts are those at or below smallAmountMax", () => {
    expect(isSmallAmount(config, config.smallAmountMax)).toBe(true)
    expect(isSmallAmount(config, config.smallAmountMax + 1)).toBe(false)
  })

  const countsArb = fc.record({ attempts: fc.nat(200), declines: fc.nat(20), small_declines: fc.nat(20) })
  const inputArb: fc.Arbitrary<RiskInput> = fc.record({
    amount: fc.integer({ min: 1, max: 2e8 }),
    payment_method: fc.constantFrom("card", "wallet", "upi", "cod"),
    shipping_country: fc.constantFrom("IN", "US"),
    billing_country: fc.constantFrom(undefined, "IN", "US"),
    counts: fc.record({ user: countsArb, card: fc.option(countsArb, { nil: undefined }), ip: fc.option(countsArb, { nil: undefined }) })
  })

  it("is deterministic, and the verdict is the most severe reason's", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const a = assessRisk(config, input)
        expect(assessRisk(config, structuredClone(input))).toEqual(a)
        const severity = { allow: 0, review: 1, reject: 2 }
        expect(severity[a.verdict]).toBe(Math.max(0, ...a.reasons.map((r) => severity[r.verdict])))
        expect(a.reasons.map((r) => ruleNames.indexOf(r.rule))).toEqual([...a.reasons.map((r) => ruleNames.indexOf(r.rule))].sort((x, y) => x - y))
      })
    )
  })

  it("more attempts or declines never make the verdict milder", () => {
    const severity = { allow: 0, review: 1, reject: 2 }
    fc.assert(
      fc.property(inputArb, fc.nat(50), fc.nat(10), (input, more, moreDeclines) => {
        const worse: RiskInput = { ...input, counts: { ...input.counts, user: { ...input.counts.user, attempts: input.counts.user.attempts + more, declines: input.counts.user.declines + moreDeclines } } }
        expect(severity[assessRisk(config, worse).verdict]).toBeGreaterThanOrEqual(severity[assessRisk(config, input).verdict])
      })
    )
  })
})

describe("fraud config from the environment", () => {
  it("defaults", () => {
    expect(fraudConfigFromEnv({})).toEqual(config)
  })
  it("FRAUD_RULES=off", () => {
    expect(fraudConfigFromEnv({ FRAUD_RULES: "off" }).enabled).toBe(false)
  })
  it("reads every threshold", () => {
    const c = fraudConfigFromEnv({
      FRAUD_VELOCITY_WINDOW_MS: "600000",
      FRAUD_USER_ATTEMPTS_REVIEW: "2",
      FRAUD_USER_ATTEMPTS_REJECT: "3",
      FRAUD_CARD_ATTEMPTS_REVIEW: "4",
      FRAUD_CARD_ATTEMPTS_REJECT: "5",
      FRAUD_IP_ATTEMPTS_REVIEW: "6",
      FRAUD_IP_ATTEMPTS_REJECT: "7",
      FRAUD_AMOUNT_REVIEW_ABOVE: "100",
      FRAUD_AMOUNT_REJECT_ABOVE: "200",
      FRAUD_ADDRESS_MISMATCH: "allow",
      FRAUD_DECLINES_REVIEW: "8",
      FRAUD_SMALL_AMOUNT_MAX: "9",
      FRAUD_CARD_TESTING_SMALL_DECLINES: "10"
    })
    expect(c).toEqual({
      enabled: true,
      velocityWindowMs: 600_000,
      userAttemptsReview: 2,
      userAttemptsReject: 3,
      cardAttemptsReview: 4,
      cardAttemptsReject: 5,
      ipAttemptsReview: 6,
      ipAttemptsReject: 7,
      amountReviewAbove: 100,
      amountRejectAbove: 200,
      reviewAddressMismatch: false,
      declinesReview: 8,
      smallAmountMax: 9,
      cardTestingSmallDeclines: 10
    })
  })
  it("refuses malformed values with the variable's name", () => {
    expect(() => fraudConfigFromEnv({ FRAUD_RULES: "maybe" })).toThrow(/FRAUD_RULES/)
    expect(() => fraudConfigFromEnv({ FRAUD_USER_ATTEMPTS_REVIEW: "ten" })).toThrow(/FRAUD_USER_ATTEMPTS_REVIEW/)
    expect(() => fraudConfigFromEnv({ FRAUD_USER_ATTEMPTS_REVIEW: "20", FRAUD_USER_ATTEMPTS_REJECT: "10" })).toThrow(/FRAUD_USER_ATTEMPTS_REJECT/)
    expect(() => fraudConfigFromEnv({ FRAUD_AMOUNT_REVIEW_ABOVE: "200", FRAUD_AMOUNT_REJECT_ABOVE: "100" })).toThrow(/FRAUD_AMOUNT_REJECT_ABOVE/)
    expect(() => fraudConfigFromEnv({ FRAUD_VELOCITY_WINDOW_MS: "7200000" })).toThrow(/FRAUD_VELOCITY_WINDOW_MS/)
    expect(() => fraudConfigFromEnv({ FRAUD_ADDRESS_MISMATCH: "reject" })).toThrow(/FRAUD_ADDRESS_MISMATCH/)
  })
})
