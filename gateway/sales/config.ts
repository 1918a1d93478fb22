/**
 * Tunables of the waiting room (issue 7), from the environment. Units last in names.
 *
 *   SALE_TICK_MS              1000    how often each live sale is ticked (start, end, expiry, admission, sold-out check)
 *   SALE_PUSH_EVERY_MS        15000   a waiting socket hears its position at least this often (API.md: ≤ 20 s)
 *   SALE_RECONNECT_GRACE_MS   300000  a shopper without a connection keeps the place this long
 *   SALE_POW                  off     `on`: a join must carry a proof of work
 *   SALE_POW_BITS             16      leading zero bits the proof's SHA-256 needs (cost doubles per bit)
 *   SALE_POW_TTL_MS           120000  how long a challenge may be answered
 */
export interface SalesConfig {
  readonly tickMs: number
  readonly pushEveryMs: number
  readonly reconnectGraceMs: number
  readonly pow: { readonly enabled: boolean; readonly bits: number; readonly ttlMs: number }
}

export const defaultSalesConfig: SalesConfig = {
  tickMs: 1_000,
  pushEveryMs: 15_000,
  reconnectGraceMs: 5 * 60_000,
  pow: { enabled: false, bits: 16, ttlMs: 120_000 }
}

const intFromEnv = (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number => {
  const raw = env[name]
  if (raw === undefined || raw === "") return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in ${min}..${max}, got "${raw}"`)
  return n
}

export const salesConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): SalesConfig => {
  const pow = (env["SALE_POW"] ?? "off").toLowerCase()
  if (!["on", "off", ""].includes(pow)) throw new Error(`SALE_POW must be "on" or "off", got "${env["SALE_POW"]}"`)
  return {
    tickMs: intFromEnv(env, "SALE_TICK_MS", defaultSalesConfig.tickMs, 50, 10_000),
    pushEveryMs: intFromEnv(env, "SALE_PUSH_EVERY_MS", defaultSalesConfig.pushEveryMs, 100, 20_000),
    reconnectGraceMs: intFromEnv(env, "SALE_RECONNECT_GRACE_MS", defaultSalesConfig.reconnectGraceMs, 1_000, 3_600_000),
    pow: {
      enabled: pow === "on",
      bits: intFromEnv(env, "SALE_POW_BITS", defaultSalesConfig.pow.bits, 1, 32),
      ttlMs: intFromEnv(env, "SALE_POW_TTL_MS", defaultSalesConfig.pow.ttlMs, 1_000, 3_600_000)
    }
  }
}
