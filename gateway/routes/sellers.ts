import { Effect, Schema } from "effect"
import { user } from "../../actors/accounts/user.ts"
import { CountryCode } from "../../actors/accounts/fields.ts"
import { DisplayName, LegalName } from "../../actors/catalog/seller.ts"
import { SellerId } from "../../actors/catalog/fields.ts"
import type { Actors } from "../../runtime/service.ts"
import { userRejection } from "../accounts/accounts.ts"
import { callActor } from "../actor-call.ts"
import { sellerIdOf } from "../inventory/sellers.ts"
import { type AnyRoute, commonErrors, route } from "../route.ts"
import { askSeller } from "../sellers/sellers.ts"
import { Seller, sellerOf } from "../sellers/views.ts"

/**
 * Sellers over HTTP (API.md, "Sellers and operations"): a user registers as a seller (one seller
 * account per user, its id derived from the user id), an operator approves it, which also grants
 * the user the `seller` role (roles are read on every request, so the same token works as a
 * seller at once), and may suspend it (a suspended seller may not list or change products).
 */

const RegisterBody = Schema.Struct({
  display_name: DisplayName.annotations({ description: "the name shoppers see" }),
  legal_name: Schema.optional(LegalName),
  country: Schema.optional(CountryCode.annotations({ description: "ISO 3166-1 alpha-2, upper case" }))
})

const SellerParams = Schema.Struct({ seller_id: SellerId })

const unauthorized: ReadonlyArray<readonly [number, string]> = [
  [401, "unauthenticated"],
  [403, "forbidden"]
]

export const sellerRoutes = (): ReadonlyArray<AnyRoute<Actors>> => [
  route({
    operationId: "registerSeller",
    method: "post",
    path: "/v1/seller/register",
    summary:
      "Become a seller: status pending_review until an operator approves. One seller account per user; the same registration again answers 201 with the seller, other details are 409 conflict.",
    tags: ["sellers"],
    access: "user",
    rateClass: "write",
    idempotency: "optional",
    body: RegisterBody,
    success: { status: 201, schema: Seller, description: "the seller account" },
    errors: [...commonErrors, [401, "unauthenticated"], [409, "conflict"], [422, "idempotency_key_reused"]],
    handler: (r) => {
      const caller = r.caller!
      const { display_name, legal_name, country } = r.body
      return askSeller(
        sellerIdOf(caller),
        {
          _tag: "Register",
          user_id: caller.userId,
          display_name,
          ...(legal_name === undefined ? {} : { legal_name }),
          ...(country === undefined ? {} : { country }),
          registered_at: new Date(r.nowMs).toISOString()
        },
        r.nowMs
      ).pipe(Effect.map((view) => ({ body: sellerOf(view) })))
    }
  }),
  route({
    operationId: "getMySeller",
    method: "get",
    path: "/v1/seller/me",
    summary: "The caller's seller account (404 when the caller never registered as a seller)",
    tags: ["sellers"],
    access: "user",
    rateClass: "read",
    idempotency: "none",
    success: { status: 200, schema: Seller, description: "the seller account and its status" },
    errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"]],
    handler: (r) => askSeller(sellerIdOf(r.caller!), { _tag: "Get" }, r.nowMs).pipe(Effect.map((view) => ({ body: sellerOf(view) })))
  }),
  route({
    operationId: "getSeller",
    method: "get",
    path: "/v1/admin/sellers/{seller_id}",
    summary: "A seller account, for operators",
    tags: ["sellers"],
    access: ["admin"],
    rateClass: "read",
    idempotency: "none",
    params: SellerParams,
    success: { status: 200, schema: Seller, description: "the seller account and its status" },
    errors: [...commonErrors, ...unauthorized, [404, "not_found"]],
    handler: (r) => askSeller(r.params.seller_id, { _tag: "Get" }, r.nowMs).pipe(Effect.map((view) => ({ body: sellerOf(view) })))
  }),
  route({
    operationId: "approveSeller",
    method: "post",
    path: "/v1/admin/sellers/{seller_id}/approve",
    summary:
      "Approve a seller (or reinstate a suspended one) and grant its user the seller role; idempotent. Takes no body (or {}).",
    tags: ["sellers"],
    access: ["admin"],
    rateClass: "write",
    idempotency: "optional",
    params: SellerParams,
    success: { status: 200, schema: Seller, description: "the seller, status approved" },
    errors: [...commonErrors, ...unauthorized, [404, "not_found"], [422, "idempotency_key_reused"]],
    handler: (r) =>
      Effect.gen(function* () {
        const at = new Date(r.nowMs).toISOString()
        const view = yield* askSeller(r.params.seller_id, { _tag: "Approve", by_admin: r.caller!.userId, at }, r.nowMs)
        // After the approval: a retry (Approve is idempotent) grants the role if this step was lost.
        yield* callActor(user, view.user_id, { _tag: "GrantRole", role: "seller" }, r.nowMs, userRejection)
        return { body: sellerOf(view) }
      })
  }),
  route({
    operationId: "suspendSeller",
    method: "post",
    path: "/v1/admin/sellers/{seller_id}/suspend",
    summary:
      "Suspend a seller: it may no longer create or change products (approving again reinstates it); idempotent. Takes no body (or {}).",
    tags: ["sellers"],
    access: ["admin"],
    rateClass: "write",
    idempotency: "optional",
    params: SellerParams,
    success: { status: 200, schema: Seller, description: "the seller, status suspended" },
    errors: [...commonErrors, ...unauthorized, [404, "not_found"], [422, "idempotency_key_reused"]],
    handler: (r) =>
      askSeller(r.params.seller_id, { _tag: "Suspend", by_admin: r.caller!.userId, at: new Date(r.nowMs).toISOString() }, r.nowMs).pipe(
        Effect.map((view) => ({ body: sellerOf(view) }))
      )
  })
]
