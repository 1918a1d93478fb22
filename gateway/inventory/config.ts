import { skuLimits } from "../../actors/inventory/sku-schema.ts"

/** Inventory settings of the gateway (README, "Configuration"). */
export interface InventoryConfig {
  /**
   * How long a reservation holds stock before it expires and the units come back: `expires_at =
   * now + reservationTtlMs`. Env `RESERVATION_TTL_MS`, default 600000 (10 min), at most 24 h (the
   * SKU actor's `maxHoldMs`).
   */
  readonly reservationTtlMs: number
}

export const defaultInventoryConfig: InventoryConfig = { reservationTtlMs: 600_000 }

export const inventoryConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): InventoryConfig => {
  const raw = env["RESERVATION_TTL_MS"]
  if (raw === undefined || raw === "") return defaultInventoryConfig
  const ttl = Number(raw)
  if (!Number.isInteger(ttl) || ttl < 1_000 || ttl > skuLimits.maxHoldMs) {
    throw new Error(`RESERVATION_TTL_MS must be an integer in 1000..${skuLimits.maxHoldMs} (ms), got "${raw}"`)
  }
  return { reservationTtlMs: ttl }
}
