import { join } from "node:path"

/**
 * Settings of the payment-provider simulator, from the environment (provider/README.md lists
 * them). Units are last in the names.
 */

export interface MsRange {
  readonly minMs: number
  readonly maxMs: number
}

export interface ProviderConfig {
  readonly host: string
  readonly port: number
  /** `PROVIDER_DATA_DIR`, else `$DATA_DIR/provider`. The data file lives here: `provider.log` (append-only JSON lines) and `fingerprint.key`. */
  readonly dataDir: string
  /** When set, every /v1 request needs `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string | undefined
  /** Extra time before every /v1 answer (test routes excepted), uniform in the range. */
  readonly latency: MsRange
  /** How late answers about a `slow` test card's authorization come. */
  readonly slowCardDelayMs: number
  /** Share of API writes answered 503 before anything happens. */
  readonly errorRate: number
  /** Share of API writes that take effect and are then answered 500. */
  readonly errorAfterCommitRate: number
  readonly webhookUrl: string | undefined
  readonly webhookSecret: string
  /** Delay of each delivery of an event (the first and a duplicate alike), uniform in the range. */
  readonly webhookDelay: MsRange
  readonly webhookDuplicateProbability: number
  readonly webhookMaxAttempts: number
  readonly webhookRetryBaseMs: number
  readonly webhookRetryMaxMs: number
  readonly webhookTimeoutMs: number
  readonly webhookConcurrency: number
  /** Deliveries waiting or in flight; an event beyond it is not delivered (counted as dropped). */
  readonly webhookMaxPending: number
  /** Seed of the random source behind latency, injected errors and webhook delays. */
  readonly seed: number
  readonly maxBodyBytes: number
  /** Requests being handled at once; beyond it 503. */
  readonly maxInFlight: number
  readonly maxTokens: number
  readonly maxPayments: number
  readonly maxIdempotencyKeys: number
  readonly idempotencyRetentionMs: number
  /** fdatasync the data file before every acknowledgement (`PROVIDER_FSYNC=off`: survives a process crash, not a machine crash). */
  readonly fsync: boolean
  /** The data file is rewritten as a snapshot of the state when it grows past this. */
  readonly compactAtBytes: number
  /** `/v1/test/*` routes are served unless this is false. */
  readonly testRoutes: boolean
}

export const defaultWebhookSecret = "whsec_simulator"

export const parseMsRange = (name: string, text: string): MsRange => {
  const match = /^(\d{1,7})(?:-(\d{1,7}))?$/.exec(text.trim())
  if (match === null) throw new Error(`${name} must be "<ms>" or "<min>-<max>", got "${text}"`)
  const minMs = Number(match[1])
  const maxMs = match[2] === undefined ? minMs : Number(match[2])
  if (maxMs < minMs) throw new Error(`${name}: ${maxMs} is below ${minMs}`)
  return { minMs, maxMs }
}

export const providerConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): ProviderConfig => {
  const text = (name: string) => (env[name] === undefined || env[name] === "" ? undefined : env[name])
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = text(name)
    const value = raw === undefined ? fallback : Number(raw)
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer in ${min}..${max}, got "${raw}"`)
    return value
  }
  const probability = (name: string, fallback: number) => {
    const raw = text(name)
    const value = raw === undefined ? fallback : Number(raw)
    if (!(value >= 0 && value <= 1)) throw new Error(`${name} must be a number in 0..1, got "${raw}"`)
    return value
  }
  const webhookUrl = text("PROVIDER_WEBHOOK_URL")
  if (webhookUrl !== undefined && !/^https?:\/\//.test(webhookUrl)) throw new Error(`PROVIDER_WEBHOOK_URL must be an http(s) URL, got "${webhookUrl}"`)
  return {
    host: text("PROVIDER_HOST") ?? "127.0.0.1",
    port: text("PROVIDER_PORT") === undefined ? int("PORT", 8090, 0, 65535) : int("PROVIDER_PORT", 8090, 0, 65535),
    dataDir: text("PROVIDER_DATA_DIR") ?? join(text("DATA_DIR") ?? "./data", "provider"),
    apiKey: text("PROVIDER_API_KEY"),
    latency: parseMsRange("PROVIDER_LATENCY_MS", text("PROVIDER_LATENCY_MS") ?? "0"),
    slowCardDelayMs: int("PROVIDER_SLOW_CARD_DELAY_MS", 30_000, 0, 600_000),
    errorRate: probability("PROVIDER_ERROR_RATE", 0),
    errorAfterCommitRate: probability("PROVIDER_ERROR_AFTER_COMMIT_RATE", 0),
    webhookUrl,
    webhookSecret: text("PROVIDER_WEBHOOK_SECRET") ?? defaultWebhookSecret,
    webhookDelay: parseMsRange("PROVIDER_WEBHOOK_DELAY_MS", text("PROVIDER_WEBHOOK_DELAY_MS") ?? "100-2000"),
    webhookDuplicateProbability: probability("PROVIDER_WEBHOOK_DUPLICATE_PROBABILITY", 0.2),
    webhookMaxAttempts: int("PROVIDER_WEBHOOK_MAX_ATTEMPTS", 8, 1, 100),
    webhookRetryBaseMs: int("PROVIDER_WEBHOOK_RETRY_BASE_MS", 500, 1, 3_600_000),
    webhookRetryMaxMs: int("PROVIDER_WEBHOOK_RETRY_MAX_MS", 60_000, 1, 3_600_000),
    webhookTimeoutMs: int("PROVIDER_WEBHOOK_TIMEOUT_MS", 5_000, 1, 600_000),
    webhookConcurrency: int("PROVIDER_WEBHOOK_CONCURRENCY", 16, 1, 1024),
    webhookMaxPending: int("PROVIDER_WEBHOOK_MAX_PENDING", 100_000, 1, 10_000_000),
    seed: int("PROVIDER_SEED", 42, 0, 2 ** 32 - 1),
    maxBodyBytes: int("PROVIDER_MAX_BODY_BYTES", 16 * 1024, 256, 1024 * 1024),
    maxInFlight: int("PROVIDER_MAX_IN_FLIGHT", 10_000, 1, 1_000_000),
    maxTokens: int("PROVIDER_MAX_TOKENS", 1_000_000, 1, 100_000_000),
    maxPayments: int("PROVIDER_MAX_PAYMENTS", 2_000_000, 1, 100_000_000),
    maxIdempotencyKeys: int("PROVIDER_MAX_IDEMPOTENCY_KEYS", 2_000_000, 1, 100_000_000),
    idempotencyRetentionMs: int("PROVIDER_IDEMPOTENCY_RETENTION_MS", 86_400_000, 1_000, 365 * 86_400_000),
    fsync: text("PROVIDER_FSYNC") !== "off",
    compactAtBytes: int("PROVIDER_COMPACT_AT_BYTES", 64 * 1024 * 1024, 1024, 2 ** 40),
    testRoutes: text("PROVIDER_TEST_ROUTES") !== "off"
  }
}

/** Defaults for tests and embedding: the environment's defaults with the given overrides. */
export const providerConfig = (overrides: Partial<ProviderConfig>): ProviderConfig => ({ ...providerConfigFromEnv({}), ...overrides })
