import { describe, expect, it } from "vitest"
import { defaultPaymentsConfig, paymentsConfigFromEnv, paymentsSettingsFromEnv } from "../gateway/payments/config.ts"
import { providerSettingFromEnv } from "../gateway/payments/provider-process.ts"
import { storageSettingsFromEnv } from "../storage/select.ts"

/** The payment settings read from the environment: defaults, bounds, and when `npm start` runs the simulator. */

const setting = (env: NodeJS.ProcessEnv) => providerSettingFromEnv(env, storageSettingsFromEnv(env))

describe("payment settings", () => {
  it("defaults, and every variable within its bounds", () => {
    expect(paymentsConfigFromEnv({})).toEqual(defaultPaymentsConfig)
    expect(
      paymentsConfigFromEnv({
        PAYMENT_CAPTURE: "on_shipment",
        PAYMENT_RECONCILE_ATTEMPTS: "10",
        PAYMENT_RECONCILE_DELAY_MS: "0",
        PAYMENT_WEBHOOK_SECRETS: " whsec_a , whsec_b ,",
        PAYMENT_WEBHOOK_TOLERANCE_SECONDS: "60"
      })
    ).toEqual({ captureMode: "on_shipment", reconcileAttempts: 10, reconcileDelayMs: 0, webhookSecrets: ["whsec_a", "whsec_b"], webhookToleranceSeconds: 60 })
    expect(() => paymentsConfigFromEnv({ PAYMENT_CAPTURE: "later" })).toThrow(/PAYMENT_CAPTURE must be immediate or on_shipment/)
    expect(() => paymentsConfigFromEnv({ PAYMENT_RECONCILE_ATTEMPTS: "0" })).toThrow(/PAYMENT_RECONCILE_ATTEMPTS must be an integer in 1..10/)
    expect(() => paymentsConfigFromEnv({ PAYMENT_RECONCILE_ATTEMPTS: "11" })).toThrow(/PAYMENT_RECONCILE_ATTEMPTS/)
    expect(() => paymentsConfigFromEnv({ PAYMENT_RECONCILE_DELAY_MS: "1.5" })).toThrow(/PAYMENT_RECONCILE_DELAY_MS/)
    expect(() => paymentsConfigFromEnv({ PAYMENT_WEBHOOK_TOLERANCE_SECONDS: "0" })).toThrow(/PAYMENT_WEBHOOK_TOLERANCE_SECONDS/)
    expect(() => paymentsConfigFromEnv({ PAYMENT_WEBHOOK_SECRETS: "x".repeat(513) })).toThrow(/longer than 512/)
    expect(paymentsSettingsFromEnv({}).provider).toBeUndefined()
    expect(paymentsSettingsFromEnv({ PAYMENT_PROVIDER_URL: "http://127.0.0.1:9999" }).provider).toMatchObject({ baseUrl: "http://127.0.0.1:9999" })
  })

  it("npm start runs the simulator on PORT + 10 (or PROVIDER_PORT) in DATA_DIR/provider, unless PAYMENT_PROVIDER_URL is set or the storage has no DATA_DIR", () => {
    expect(setting({})).toEqual({ _tag: "simulator", port: 8090, host: "127.0.0.1", dataDir: "data/provider" })
    expect(setting({ PORT: "3000", DATA_DIR: "/srv/shop" })).toMatchObject({ _tag: "simulator", port: 3010, dataDir: "/srv/shop/provider" })
    expect(setting({ PORT: "0" })).toMatchObject({ _tag: "simulator", port: 0 })
    expect(setting({ PORT: "3000", PROVIDER_PORT: "4000" })).toMatchObject({ _tag: "simulator", port: 4000 })
    expect(setting({ REDIS_URL: "redis://127.0.0.1:6379" })).toMatchObject({ _tag: "simulator" })
    expect(setting({ PAYMENT_PROVIDER_URL: "https://pay.example.com/api" })).toEqual({ _tag: "external", url: "https://pay.example.com/api" })
    expect(setting({ DATABASE_URL: "postgres://db/shop" })).toMatchObject({ _tag: "none" })
    expect(() => setting({ PAYMENT_PROVIDER_URL: "pay.example.com" })).toThrow(/PAYMENT_PROVIDER_URL must be an http\(s\) URL/)
    expect(() => setting({ PROVIDER_PORT: "70000" })).toThrow(/PROVIDER_PORT/)
    expect(() => setting({ PORT: "65530" })).toThrow(/PROVIDER_PORT \(or PORT \+ 10\)/)
  })
})
