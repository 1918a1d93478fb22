import { describe, expect, it } from "vitest"
import { defaultStoreTables } from "../../actors/pricing/default-store-tables.ts"
import { checkoutConfigFromEnv } from "./config.ts"

describe("checkout settings from the environment", () => {
  it("defaults: 10 min holds, a payment waited for 9 min, answers within 5 s, the default tables, no provider", () => {
    const config = checkoutConfigFromEnv({})
    expect(config).toMatchObject({ storeCurrency: "INR", reservationTtlMs: 600_000, paymentWaitMs: 540_000, answerWithinMs: 5_000, resumeEveryMs: 1_000, resumeConcurrency: 8, provider: undefined })
    expect(config.tables).toBe(defaultStoreTables)
    expect(config.fraud.enabled).toBe(true)
  })

  it("short holds still wait at least 10 s for a payment; every value is read", () => {
    const config = checkoutConfigFromEnv({
      RESERVATION_TTL_MS: "2000",
      CHECKOUT_RESUME_EVERY_MS: "200",
      CHECKOUT_RESUME_CONCURRENCY: "3",
      CHECKOUT_ANSWER_WITHIN_MS: "700",
      FRAUD_RULES: "off",
      PAYMENT_PROVIDER_URL: "http://127.0.0.1:9"
    })
    expect(config).toMatchObject({ reservationTtlMs: 2_000, paymentWaitMs: 10_000, resumeEveryMs: 200, resumeConcurrency: 3, answerWithinMs: 700 })
    expect(config.fraud.enabled).toBe(false)
    expect(config.provider?.baseUrl).toBe("http://127.0.0.1:9")
    expect(checkoutConfigFromEnv({ CHECKOUT_PAYMENT_WAIT_MS: "30000" }).paymentWaitMs).toBe(30_000)
  })

  it("a malformed value stops the start with its name", () => {
    expect(() => checkoutConfigFromEnv({ CHECKOUT_RESUME_EVERY_MS: "soon" })).toThrow(/CHECKOUT_RESUME_EVERY_MS/)
    expect(() => checkoutConfigFromEnv({ CHECKOUT_RESUME_CONCURRENCY: "0" })).toThrow(/CHECKOUT_RESUME_CONCURRENCY/)
    expect(() => checkoutConfigFromEnv({ RESERVATION_TTL_MS: "10" })).toThrow(/RESERVATION_TTL_MS/)
    expect(() => checkoutConfigFromEnv({ STORE_TABLES_FILE: "/nonexistent/tables.json" })).toThrow()
    expect(() => checkoutConfigFromEnv({ PAYMENT_PROVIDER_URL: "ftp://x" })).toThrow(/PAYMENT_PROVIDER_URL/)
  })
})
