import { Effect, Schema } from "effect"
import { Address as StoredAddress, Email, normalizeEmail, PaymentMethod as StoredPaymentMethod, ProviderToken, Text, Vpa } from "../../actors/accounts/fields.ts"
import { user, type User, userLimits } from "../../actors/accounts/user.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { type AccountsConfig, getUser, login, logout, signup, userRejection } from "../accounts/accounts.ts"
import { rateLimited } from "../api-error.ts"
import { Password, type PasswordHasher } from "../auth/password.ts"
import { newAddressId, newPaymentMethodId } from "../auth/tokens.ts"
import type { OnSignIn } from "../cart/sign-in.ts"
import type { RateLimiter as AccountLimiter } from "../rate-limit.ts"
import { type AnyRoute, commonErrors, route } from "../route.ts"

/** An email as a client types it: trimmed, lowercased and NFC-normalized before it is checked (login does the same). */
const TypedEmail = Schema.transform(
  Schema.String.pipe(Schema.maxLength(320)).annotations({ description: "an email address; compared trimmed and case-insensitively" }),
  Email,
  { strict: true, decode: normalizeEmail, encode: (s) => s }
)
const SignupBody = Schema.Struct({ email: TypedEmail, password: Password, name: Text(100) })
const LoginBody = Schema.Struct({ email: Schema.String.pipe(Schema.maxLength(320)), password: Schema.String.pipe(Schema.maxLength(128)) })
const SessionReply = Schema.Struct({ user_id: Schema.String, token: Schema.String, expires_at: Schema.String })
const Me = Schema.Struct({ user_id: Schema.String, email: Schema.String, name: Schema.String, roles: Schema.Array(Schema.String) })

const AddressBody = StoredAddress.pipe(Schema.omit("address_id"))
const Addresses = Schema.Struct({ addresses: Schema.Array(StoredAddress) })

/** What a client may send: a provider token, never a card number or CVV (unknown fields are refused). */
const PaymentMethodBody = Schema.Union(
  Schema.Struct({ type: Schema.Literal("card"), token: ProviderToken }),
  Schema.Struct({ type: Schema.Literal("cod") }),
  Schema.Struct({ type: Schema.Literal("wallet") }),
  Schema.Struct({ type: Schema.Literal("upi"), vpa: Vpa })
)
const PaymentMethodView = Schema.Struct({
  payment_method_id: Schema.String,
  type: Schema.Literal("card", "cod", "wallet", "upi"),
  last4: Schema.optional(Schema.String),
  brand: Schema.optional(Schema.String),
  vpa: Schema.optional(Schema.String)
})
const PaymentMethods = Schema.Struct({ payment_methods: Schema.Array(PaymentMethodView) })

/** Card payment methods show only what identifies them to their owner; tokens stay inside. */
const viewOf = (m: typeof StoredPaymentMethod.Type): typeof PaymentMethodView.Type => {
  switch (m.type) {
    case "card":
      return { payment_method_id: m.payment_method_id, type: "card", ...(m.last4 === undefined ? {} : { last4: m.last4 }), ...(m.brand === undefined ? {} : { brand: m.brand }) }
    case "upi":
      return { payment_method_id: m.payment_method_id, type: "upi", vpa: m.vpa }
    default:
      return { payment_method_id: m.payment_method_id, type: m.type }
  }
}

const me = (u: User) => ({ user_id: u.user_id, email: u.email, name: u.name, roles: u.roles })

export const accountRoutes = (deps: {
  readonly hasher: PasswordHasher
  readonly config: AccountsConfig
  /** Per-account login limit (the per-IP one is the route's rate class). */
  readonly limiter: AccountLimiter | undefined
  /** Runs after a successful signup or login (the cart merges the anonymous cart of X-Cart-Token); the answer is unchanged. */
  readonly onSignIn?: OnSignIn
}): ReadonlyArray<AnyRoute<Actors>> => {
  const signedIn = (r: { readonly headers: Readonly<Record<string, string>>; readonly nowMs: number }) => (body: { readonly user_id: string }) =>
    deps.onSignIn === undefined ? Effect.void : deps.onSignIn(body.user_id, r.headers, r.nowMs)
  const perAccount = (email: string, nowMs: number) => {
    if (deps.limiter === undefined) return Effect.void
    const taken = deps.limiter.take("auth_account", email.trim().toLowerCase(), nowMs)
    return taken.ok ? Effect.void : Effect.fail(rateLimited(taken.retryAfterSeconds))
  }
  return [
    route({
      operationId: "signup",
      method: "post",
      path: "/v1/auth/signup",
      summary: "Create an account and sign in (an X-Cart-Token header merges that anonymous cart into the new account's cart)",
      tags: ["accounts"],
      access: "public",
      rateClass: "auth",
      idempotency: "optional",
      body: SignupBody,
      success: { status: 201, schema: SessionReply, description: "the account and a session token" },
      errors: [...commonErrors, [409, "email_taken"]],
      handler: (r) =>
        signup(r.body, ["customer"], r.nowMs, deps.hasher, deps.config).pipe(
          Effect.tap(signedIn(r)),
          Effect.map((body) => ({ body }))
        )
    }),
    route({
      operationId: "login",
      method: "post",
      path: "/v1/auth/login",
      summary: "Sign in with email and password (an X-Cart-Token header merges that anonymous cart into the account's cart)",
      tags: ["accounts"],
      access: "public",
      rateClass: "auth",
      idempotency: "none",
      body: LoginBody,
      success: { status: 200, schema: SessionReply, description: "a session token" },
      errors: [...commonErrors, [401, "unauthenticated"]],
      handler: (r) =>
        perAccount(r.body.email, r.nowMs).pipe(
          Effect.zipRight(login(r.body, r.nowMs, deps.hasher, deps.config)),
          Effect.tap(signedIn(r)),
          Effect.map((body) => ({ body }))
        )
    }),
    route({
      operationId: "logout",
      method: "post",
      path: "/v1/auth/logout",
      summary: "Revoke the session token used for this request",
      tags: ["accounts"],
      access: "user",
      rateClass: "write",
      idempotency: "none",
      success: { status: 204, description: "the token no longer works" },
      errors: [...commonErrors, [401, "unauthenticated"]],
      handler: (r) => logout(r.caller!, r.nowMs).pipe(Effect.as({ body: undefined }))
    }),
    route({
      operationId: "getMe",
      method: "get",
      path: "/v1/me",
      summary: "The signed-in account",
      tags: ["accounts"],
      access: "user",
      rateClass: "read",
      idempotency: "none",
      success: { status: 200, schema: Me, description: "the account" },
      errors: [...commonErrors, [401, "unauthenticated"]],
      handler: (r) => {
        const c = r.caller!
        // The authenticator read the account a moment ago, in this request: no second read.
        if (c.email !== undefined && c.name !== undefined) return Effect.succeed({ body: { user_id: c.userId, email: c.email, name: c.name, roles: c.roles } })
        return getUser(c, r.nowMs).pipe(Effect.map((u) => ({ body: me(u) })))
      }
    }),
    route({
      operationId: "addAddress",
      method: "post",
      path: "/v1/me/addresses",
      summary: `Add a shipping address (at most ${userLimits.maxAddresses})`,
      tags: ["accounts"],
      access: "user",
      rateClass: "write",
      idempotency: "optional",
      body: AddressBody,
      success: { status: 201, schema: StoredAddress, description: "the stored address" },
      errors: [...commonErrors, [401, "unauthenticated"], [422, "address_limit"]],
      handler: (r) => {
        const address = { ...r.body, address_id: newAddressId() }
        return callActor(user, r.caller!.userId, { _tag: "AddAddress", address }, r.nowMs, userRejection).pipe(Effect.as({ body: address }))
      }
    }),
    route({
      operationId: "listAddresses",
      method: "get",
      path: "/v1/me/addresses",
      summary: "The account's addresses",
      tags: ["accounts"],
      access: "user",
      rateClass: "read",
      idempotency: "none",
      success: { status: 200, schema: Addresses, description: "addresses" },
      errors: [...commonErrors, [401, "unauthenticated"]],
      handler: (r) => getUser(r.caller!, r.nowMs).pipe(Effect.map((u) => ({ body: { addresses: u.addresses } })))
    }),
    route({
      operationId: "addPaymentMethod",
      method: "post",
      path: "/v1/me/payment-methods",
      summary: `Add a payment method by provider token (at most ${userLimits.maxPaymentMethods}); card numbers are refused`,
      tags: ["accounts"],
      access: "user",
      rateClass: "write",
      idempotency: "optional",
      body: PaymentMethodBody,
      success: { status: 201, schema: PaymentMethodView, description: "the stored payment method" },
      errors: [...commonErrors, [401, "unauthenticated"], [422, "payment_method_limit"]],
      handler: (r) => {
        const method = { ...r.body, payment_method_id: newPaymentMethodId() } as typeof StoredPaymentMethod.Type
        return callActor(user, r.caller!.userId, { _tag: "AddPaymentMethod", method }, r.nowMs, userRejection).pipe(Effect.as({ body: viewOf(method) }))
      }
    }),
    route({
      operationId: "listPaymentMethods",
      method: "get",
      path: "/v1/me/payment-methods",
      summary: "The account's payment methods",
      tags: ["accounts"],
      access: "user",
      rateClass: "read",
      idempotency: "none",
      success: { status: 200, schema: PaymentMethods, description: "payment methods" },
      errors: [...commonErrors, [401, "unauthenticated"]],
      handler: (r) => getUser(r.caller!, r.nowMs).pipe(Effect.map((u) => ({ body: { payment_methods: u.payment_methods.map(viewOf) } })))
    })
  ]
}
