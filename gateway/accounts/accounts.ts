import { Effect, Schema } from "effect"
import { emailIndex, EmailTaken, normalizeEmail } from "../../actors/accounts/email-index.ts"
import { session, sessionIsUsable } from "../../actors/accounts/session.ts"
import { type User, user, type UserRejection } from "../../actors/accounts/user.ts"
import { Email, type Role } from "../../actors/accounts/fields.ts"
import type { ActorHost } from "../../runtime/host.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { type ApiError, conflict, internal, notFound, unauthenticated, unavailable, unprocessable } from "../api-error.ts"
import type { PasswordHasher } from "../auth/password.ts"
import { isWellFormedSessionToken, newSessionToken, newUserId, sessionIdOf } from "../auth/tokens.ts"
import type { CallbackAuthenticator } from "../auth/authenticate-with.ts"
import type { Caller } from "../route.ts"

export interface AccountsConfig {
  /** Lifetime of a session token. */
  readonly sessionTtlMs: number
}

export const accountsConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): AccountsConfig => ({
  sessionTtlMs: Number(env["SESSION_TTL_MS"] ?? 7 * 24 * 3_600_000)
})

/** Bad credentials always get this, whether the email exists or not. */
export const badCredentials = () => unauthenticated("email or password is wrong")

export const userRejection = (r: UserRejection): ApiError => {
  switch (r.reason) {
    case "not_found":
      return notFound("no such user")
    case "already_registered":
      return conflict("email_taken", "an account with this email already exists")
    case "address_limit":
      return unprocessable("address_limit", `at most ${r.limit} addresses per account`, { limit: r.limit })
    case "payment_method_limit":
      return unprocessable("payment_method_limit", `at most ${r.limit} payment methods per account`, { limit: r.limit })
    case "address_id_reused":
    case "payment_method_id_reused":
      return conflict("conflict", "that id was already used for something else")
  }
}

const never = (what: string) => (): ApiError => {
  throw new Error(`unexpected rejection from ${what}`)
}

const openSession = (userId: string, nowMs: number, config: AccountsConfig) =>
  Effect.gen(function* () {
    const token = newSessionToken()
    const expiresAtMs = nowMs + config.sessionTtlMs
    yield* callActor(session, sessionIdOf(token), { _tag: "Open", user_id: userId, expires_at_ms: expiresAtMs }, nowMs, () => internal("session"))
    return { token, user_id: userId, expires_at: new Date(expiresAtMs).toISOString() }
  })

/**
 * Create an account: claim the email, then register the user under the claimed id. A claim left
 * behind by a signup that died half-way (claimed, never registered) is taken over.
 */
export const signup = (
  input: { readonly email: string; readonly password: string; readonly name: string },
  roles: ReadonlyArray<Role>,
  nowMs: number,
  hasher: PasswordHasher,
  config: AccountsConfig
): Effect.Effect<{ readonly user_id: string; readonly token: string; readonly expires_at: string }, ApiError, Actors> =>
  Effect.gen(function* () {
    const email = normalizeEmail(input.email)
    const passwordHash = yield* Effect.tryPromise({ try: () => hasher.hash(input.password), catch: () => unavailable("too many sign-ups right now; retry shortly", 1) })
    const candidate = newUserId()
    const claimed = yield* callActor(emailIndex, email, { _tag: "Claim", user_id: candidate }, nowMs, (r) =>
      r instanceof EmailTaken ? conflict("email_taken", "an account with this email already exists") : never("email")()
    ).pipe(
      Effect.map(() => candidate),
      Effect.catchIf(
        (e) => e.code === "email_taken",
        (taken) =>
          Effect.gen(function* () {
            const owner = yield* callActor(emailIndex, email, { _tag: "Lookup" }, nowMs, never("email"))
            if (owner.user_id === null) return yield* Effect.fail(taken)
            const existing = yield* callActor(user, owner.user_id, { _tag: "Get" }, nowMs, userRejection).pipe(
              Effect.map(() => true),
              Effect.catchIf((e) => e.code === "not_found", () => Effect.succeed(false))
            )
            if (existing) return yield* Effect.fail(taken)
            return owner.user_id
          })
      )
    )
    yield* callActor(
      user,
      claimed,
      { _tag: "Register", email, name: input.name, password_hash: passwordHash, roles: [...roles], created_at: new Date(nowMs).toISOString() },
      nowMs,
      userRejection
    )
    return yield* openSession(claimed, nowMs, config)
  })

const isRegistrable = Schema.is(Email)

/** Check credentials. Unknown email and wrong password take the same time and give the same answer. */
export const login = (
  input: { readonly email: string; readonly password: string },
  nowMs: number,
  hasher: PasswordHasher,
  config: AccountsConfig
) =>
  Effect.gen(function* () {
    const busy = () => unavailable("too many sign-ins right now; retry shortly", 1)
    const email = normalizeEmail(input.email)
    // An email no signup could have registered (control characters, no domain, …) is unknown without
    // a lookup: it is not a usable actor id (a NUL cannot even be stored).
    const owner = isRegistrable(email) ? yield* callActor(emailIndex, email, { _tag: "Lookup" }, nowMs, never("email")) : { user_id: null }
    const account = owner.user_id === null ? undefined : yield* callActor(user, owner.user_id, { _tag: "Get" }, nowMs, userRejection).pipe(Effect.option)
    const found = account !== undefined && account._tag === "Some" ? account.value : undefined
    if (found === undefined) {
      yield* Effect.tryPromise({ try: () => hasher.dummyVerify(input.password), catch: busy })
      return yield* Effect.fail(badCredentials())
    }
    const ok = yield* Effect.tryPromise({ try: () => hasher.verify(input.password, found.password_hash), catch: busy })
    if (!ok) return yield* Effect.fail(badCredentials())
    return yield* openSession(found.user_id, nowMs, config)
  })

export const logout = (caller: Caller, nowMs: number) =>
  callActor(session, caller.sessionId, { _tag: "Revoke", at_ms: nowMs }, nowMs, () => unauthenticated()).pipe(Effect.asVoid)

export const getUser = (caller: Caller, nowMs: number): Effect.Effect<User, ApiError, Actors> =>
  callActor(user, caller.userId, { _tag: "Get" }, nowMs, userRejection)

/**
 * Sessions are looked up on every request (session, then user, both actors in memory), so a revoked
 * token stops working at once and a new role works at once. Through `tell`, not `ask`: reads of
 * actors in memory call back at once, and the request is answered with no promise in between.
 */
export const actorAuthenticator = (host: ActorHost): CallbackAuthenticator => {
  const authenticateWith: CallbackAuthenticator["authenticateWith"] = (token, nowMs, done, fail) => {
    if (!isWellFormedSessionToken(token)) return done(undefined)
    const sessionId = sessionIdOf(token)
    const failed = (error: unknown) => {
      const tag = (error as { _tag?: string } | null)?._tag
      if (tag === "SessionNotFound" || tag === "UserNotFound") done(undefined)
      else fail(error)
    }
    host.tell(
      session,
      sessionId,
      { _tag: "Get" },
      nowMs,
      (reply) => {
        const found = reply as { user_id: string; expires_at_ms: number; revoked: boolean }
        if (!sessionIsUsable(found, nowMs)) return done(undefined)
        host.tell(
          user,
          found.user_id,
          { _tag: "Get" },
          nowMs,
          (reply) => {
            const account = reply as User
            done({ userId: account.user_id, roles: account.roles, sessionId, email: account.email, name: account.name })
          },
          failed
        )
      },
      failed
    )
  }
  return {
    authenticateWith,
    authenticate: (token, nowMs) => new Promise((resolve, reject) => authenticateWith(token, nowMs, resolve, reject))
  }
}

/**
 * The first operator account from ADMIN_EMAIL / ADMIN_PASSWORD, created once: an existing account
 * with that email is granted the admin role (never re-registered, which would change its password).
 */
export const bootstrapAdmin = (email: string, password: string, hasher: PasswordHasher, config: AccountsConfig) =>
  Effect.gen(function* () {
    const nowMs = Date.now()
    const owner = yield* callActor(emailIndex, normalizeEmail(email), { _tag: "Lookup" }, nowMs, never("email"))
    const registered =
      owner.user_id === null ? undefined : yield* callActor(user, owner.user_id, { _tag: "Get" }, nowMs, userRejection).pipe(Effect.option)
    if (owner.user_id !== null && registered !== undefined && registered._tag === "Some") {
      yield* callActor(user, owner.user_id, { _tag: "GrantRole", role: "admin" }, nowMs, userRejection)
      return owner.user_id
    }
    const created = yield* signup({ email, password, name: "Administrator" }, ["customer", "admin"], nowMs, hasher, config)
    return created.user_id
  })
