import { readFileSync } from "node:fs"
import { Either } from "effect"
import { type FraudConfig, fraudConfigFromEnv } from "../../actors/fraud/rules.ts"
import { maxWindowMs } from "../../actors/fraud/counters.ts"
import { skuLimits } from "../../actors/inventory/sku-schema.ts"
import { defaultStoreTables } from "../../actors/pricing/default-store-tables.ts"
import { parseStoreTablesJson, type StoreTables } from "../../actors/pricing/store-tables.ts"
import { type PaymentsConfig, paymentsConfigFromEnv } from "../payments/config.ts"
import { storeCurrencyFromEnv } from "../store-currency.ts"
import { type ProviderClientConfig, providerClientConfigFromEnv } from "../../provider/client.ts"

/** Settings of the checkout saga (README, "Configuration"). */
export interface CheckoutConfig {
  /** Currency of every cart and order (`STORE_CURRENCY`, default INR). */
  readonly storeCurrency: string
  /** How long the stock holds of a checkout live (`RESERVATION_TTL_MS`, default 10 min). */
  readonly reservationTtlMs: number
  /** Tax and shipping tables (`STORE_TABLES_FILE`: a JSON file; default: actors/pricing/default-store-tables.ts). */
  readonly tables: StoreTables
  readonly fraud: FraudConfig
  /** The payment steps' settings (gateway/payments/config.ts: PAYMENT_CAPTURE, PAYMENT_RECONCILE_*). */
  readonly payments: PaymentsConfig
  /** `PAYMENT_PROVIDER_URL` & co.; undefined when unset (card checkouts then answer 503). */
  readonly provider: ProviderClientConfig | undefined
  /** `CHECKOUT_RESUME_EVERY_MS` (default 1000): how often open checkouts are looked at by the resumer. */
  readonly resumeEveryMs: number
  /** `CHECKOUT_RESUME_CONCURRENCY` (default 8): sagas the resumer drives at once. */
  readonly resumeConcurrency: number
  /**
   * `CHECKOUT_PAYMENT_WAIT_MS` (default: the reservation TTL less one minute, at least 10 s): how
   * long a checkout waits for a payment outcome before it gives up (voids and releases the stock).
   */
  readonly paymentWaitMs: number
  /**
   * `CHECKOUT_ANSWER_WITHIN_MS` (default 5000): a `POST /v1/checkout` whose saga has reached the
   * payment and is still going after this long answers 201 pending_payment; the saga carries on.
   */
  readonly answerWithinMs: number
}

const int = (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number) => {
  const raw = env[name]
  const value = raw === undefined || raw === "" ? fallback : Number(raw)
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer in ${min}..${max}, got "${raw}"`)
  return value
}

const tablesFrom = (env: NodeJS.ProcessEnv, currency: string): StoreTables => {
  const file = env["STORE_TABLES_FILE"]
  if (file === undefined || file === "") return defaultStoreTables.currency === currency ? defaultStoreTables : { ...defaultStoreTables, currency }
  const parsed = parseStoreTablesJson(readFileSync(file, "utf8"))
  if (Either.isLeft(parsed)) throw new Error(`STORE_TABLES_FILE ${file}: ${parsed.left}`)
  if (parsed.right.currency !== currency) throw new Error(`STORE_TABLES_FILE ${file} is in ${parsed.right.currency}, the store in ${currency}`)
  return parsed.right
}

export const checkoutConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): CheckoutConfig => {
  const currency = storeCurrencyFromEnv(env)
  const reservationTtlMs = int(env, "RESERVATION_TTL_MS", 600_000, 1_000, skuLimits.maxHoldMs)
  return {
    storeCurrency: currency,
    reservationTtlMs,
    tables: tablesFrom(env, currency),
    fraud: fraudConfigFromEnv(env, maxWindowMs),
    payments: paymentsConfigFromEnv(env),
    provider: env["PAYMENT_PROVIDER_URL"] ? providerClientConfigFromEnv(env) : undefined,
    resumeEveryMs: int(env, "CHECKOUT_RESUME_EVERY_MS", 1_000, 50, 600_000),
    resumeConcurrency: int(env, "CHECKOUT_RESUME_CONCURRENCY", 8, 1, 256),
    answerWithinMs: int(env, "CHECKOUT_ANSWER_WITHIN_MS", 5_000, 100, 600_000),
    paymentWaitMs: int(env, "CHECKOUT_PAYMENT_WAIT_MS", Math.max(10_000, reservationTtlMs - 60_000), 1_000, skuLimits.maxHoldMs)
  }
}
