import type { CaptureMode } from "../../actors/payments/fields.ts"
import { type ProviderClientConfig, providerClientConfigFromEnv } from "../../provider/client.ts"

/** Payment settings of the gateway (README, "Configuration"). */
export interface PaymentsConfig {
  /** `immediate`: captured right after the order is placed; `on_shipment`: when it ships. Env `PAYMENT_CAPTURE`. */
  readonly captureMode: CaptureMode
  /**
   * After a lost answer, how many times the provider is asked (read by reference, then the same
   * request again with the same idempotency key) before the step answers `ProviderUnavailable`.
   * Env `PAYMENT_RECONCILE_ATTEMPTS`, 1..10, default 3.
   */
  readonly reconcileAttempts: number
  /** Pause between those attempts. Env `PAYMENT_RECONCILE_DELAY_MS`, 0..60000, default 200. */
  readonly reconcileDelayMs: number
  /** Secrets a webhook signature may be made with (rotation: old and new). Env `PAYMENT_WEBHOOK_SECRETS`, comma-separated, default `whsec_simulator`. */
  readonly webhookSecrets: ReadonlyArray<string>
  /** How far a webhook's signed timestamp may be from now. Env `PAYMENT_WEBHOOK_TOLERANCE_SECONDS`, default 300. */
  readonly webhookToleranceSeconds: number
}

export const defaultPaymentsConfig: PaymentsConfig = {
  captureMode: "immediate",
  reconcileAttempts: 3,
  reconcileDelayMs: 200,
  webhookSecrets: ["whsec_simulator"],
  webhookToleranceSeconds: 300
}

const intFrom = (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number) => {
  const raw = env[name]
  if (raw === undefined || raw === "") return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer in ${min}..${max}, got "${raw}"`)
  return value
}

export const paymentsConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): PaymentsConfig => {
  const capture = env["PAYMENT_CAPTURE"] || defaultPaymentsConfig.captureMode
  if (capture !== "immediate" && capture !== "on_shipment") throw new Error(`PAYMENT_CAPTURE must be immediate or on_shipment, got "${capture}"`)
  const secrets = (env["PAYMENT_WEBHOOK_SECRETS"] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
  if (secrets.some((s) => s.length > 512)) throw new Error("PAYMENT_WEBHOOK_SECRETS: a secret is longer than 512 characters")
  return {
    captureMode: capture,
    reconcileAttempts: intFrom(env, "PAYMENT_RECONCILE_ATTEMPTS", defaultPaymentsConfig.reconcileAttempts, 1, 10),
    reconcileDelayMs: intFrom(env, "PAYMENT_RECONCILE_DELAY_MS", defaultPaymentsConfig.reconcileDelayMs, 0, 60_000),
    webhookSecrets: secrets.length > 0 ? secrets : defaultPaymentsConfig.webhookSecrets,
    webhookToleranceSeconds: intFrom(env, "PAYMENT_WEBHOOK_TOLERANCE_SECONDS", defaultPaymentsConfig.webhookToleranceSeconds, 1, 86_400)
  }
}

/** The payment part of the store's settings: the steps' config and the provider client's (undefined without PAYMENT_PROVIDER_URL). */
export interface PaymentsSettings {
  readonly config: PaymentsConfig
  readonly provider: ProviderClientConfig | undefined
}

export const paymentsSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): PaymentsSettings => ({
  config: paymentsConfigFromEnv(env),
  provider: env["PAYMENT_PROVIDER_URL"] ? providerClientConfigFromEnv(env) : undefined
})
