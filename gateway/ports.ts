import type { Caller, RateClass } from "./route.ts"

/** Turns a bearer token into the caller, or undefined when the token is unknown, expired or revoked. */
export interface Authenticator {
  readonly authenticate: (token: string, nowMs: number) => Promise<Caller | undefined>
}

export type IdempotencyBegin =
  /** This attempt owns the key until it completes, abandons, or its lease runs out. */
  | { readonly _tag: "started"; readonly attempt: string }
  | { readonly _tag: "replay"; readonly status: number; readonly body: unknown }
  | { readonly _tag: "in_progress" }
  | { readonly _tag: "reused" }
  /** The first request completed but its answer was too large to keep: it must not run again. */
  | { readonly _tag: "not_stored"; readonly status: number }

/**
 * Durable idempotency records, scoped per user (API.md, "Idempotency"). `begin` claims the key
 * for a request hash; `complete` stores the answer for replays; `abandon` releases a claim whose
 * answer must not be stored (429, 503).
 */
export interface IdempotencyGuard {
  readonly begin: (scope: string, key: string, requestHash: string, nowMs: number) => Promise<IdempotencyBegin>
  readonly complete: (scope: string, key: string, requestHash: string, attempt: string, status: number, body: unknown, nowMs: number) => Promise<void>
  readonly abandon: (scope: string, key: string, requestHash: string, attempt: string) => Promise<void>
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number }

export interface RateLimiter {
  readonly take: (rateClass: RateClass, key: string, nowMs: number) => RateDecision
}

/** No limits (RATE_LIMITS=off, unit tests). */
export const unlimited: RateLimiter = { take: () => ({ ok: true }) }
