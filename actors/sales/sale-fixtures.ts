import type { SaleCommand, SaleConfig, SaleEvent } from "./sale-schema.ts"

/** Shared values of the sale decider tests. */
export const T0 = 1_800_000_000_000
export const SEC = 1_000
export const MIN = 60 * SEC
export const E1 = "epoch1"

export const config = (overrides: Partial<SaleConfig> = {}): SaleConfig => ({
  sale_id: "test-id",
  sku_ids: ["sku_a"],
  starts_at_ms: T0,
  ends_at_ms: null,
  admit_per_minute: 60,
  max_active: 10,
  per_user_limit: 1,
  session_ms: 5 * MIN,
  grace_ms: 5 * MIN,
  mode: "fifo",
  shuffle_seed: "00112233445566778899aabbccddeeff",
  ...overrides
})

export const defined = (overrides: Partial<SaleConfig> = {}): SaleEvent => ({ _tag: "Defined", config: config(overrides) })
export const epochAt = (atMs: number, epoch = E1): SaleEvent => ({ _tag: "EpochChanged", epoch, at_ms: atMs })
export const joined = (userId: string, rank: number, atMs = T0 - MIN, epoch = E1): SaleEvent => ({ _tag: "Joined", user_id: userId, rank, epoch, at_ms: atMs })
export const started = (atMs = T0): SaleEvent => ({ _tag: "Started", at_ms: atMs })
export const admitted = (atMs: number, users: ReadonlyArray<string>, firstToken = 1, creditAfter = 0): SaleEvent => ({
  _tag: "Admitted",
  at_ms: atMs,
  admissions: users.map((user_id, i) => ({ user_id, token_id: firstToken + i })),
  credit_after: creditAfter
})

export const join = (userId: string, epoch = E1): SaleCommand => ({ _tag: "Join", user_id: userId, epoch })
export const tick = (epoch = E1): SaleCommand => ({ _tag: "Tick", epoch })
