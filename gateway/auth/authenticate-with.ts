import type { Authenticator } from "../ports.ts"
import type { Caller } from "../route.ts"

/**
 * An Authenticator that can also answer through callbacks, with no promise in between: when the
 * session and the account are in memory, `done` runs before `authenticateWith` returns and the
 * pipeline answers the request inside the uWS callback. The pipeline uses it when present and
 * `authenticate` otherwise (test fakes, other ports).
 */
export interface CallbackAuthenticator extends Authenticator {
  /** Calls exactly one of `done` (the caller, or undefined for an unknown, expired or revoked token) and `fail`, once. */
  readonly authenticateWith: (token: string, nowMs: number, done: (caller: Caller | undefined) => void, fail: (error: unknown) => void) => void
}

export const hasCallbacks = (authenticator: Authenticator): authenticator is CallbackAuthenticator =>
  typeof (authenticator as Partial<CallbackAuthenticator>).authenticateWith === "function"
