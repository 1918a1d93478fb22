import { randomBytes } from "node:crypto"
import { Effect, Schema } from "effect"
import { SkuId } from "../../actors/inventory/sku-schema.ts"
import { sku } from "../../actors/inventory/sku.ts"
import { sale } from "../../actors/sales/sale.ts"
import { type SaleCommand, SaleId, saleLimits, type SaleRejection, type SaleReply, type SaleView } from "../../actors/sales/sale-schema.ts"
import { skuSales } from "../../actors/sales/sku-sales.ts"
import { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { type ApiError, conflict, invalidRequest, notFound, unavailable, unprocessable } from "../api-error.ts"
import { skuRejection } from "../inventory/sku-errors.ts"
import type { SalesConfig } from "../sales/config.ts"
import type { SaleHub } from "../sales/hub.ts"
import type { KeyRing } from "../sales/tokens.ts"
import { type AnyRoute, commonErrors, route } from "../route.ts"

/**
 * Flash sales over HTTP (API.md, "Flash sales and the waiting room"; issue 7): operators create,
 * pause and resume sales, shadow-ban clients and rotate the admission-token keys; anyone reads a
 * sale; a queued shopper polls its place (the same payload as the WebSocket `position` message).
 * The WebSocket itself is gateway/sales/endpoint.ts.
 */

const Rfc3339 = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/),
  Schema.filter((s) => !Number.isNaN(Date.parse(s)), { message: () => "not a valid date-time" })
).annotations({ description: "RFC 3339 date-time" })

const CreateSaleBody = Schema.Struct({
  sale_id: SaleId.annotations({ description: "chosen by the client, [a-z0-9_-]{1,64}; a duplicate is 409" }),
  sku_ids: Schema.Array(SkuId).pipe(Schema.minItems(1), Schema.maxItems(saleLimits.maxSkus)),
  starts_at: Rfc3339.annotations({ description: "admission starts then; shoppers may join before (pre-queue). In the past: opens at once" }),
  ends_at: Schema.optional(Schema.NullOr(Rfc3339)),
  admit_per_minute: Schema.Number.pipe(Schema.int(), Schema.between(1, saleLimits.maxAdmitPerMinute)),
  max_active: Schema.Number.pipe(Schema.int(), Schema.between(1, saleLimits.maxActive)),
  per_user_limit: Schema.Number.pipe(Schema.int(), Schema.between(1, 100)).annotations({ description: "units one shopper may buy of each sale SKU (enforced by the SKU)" }),
  mode: Schema.Literal("fifo", "random_prequeue"),
  session_minutes: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.between(1, 30))).annotations({
    description: "how long an admitted shopper (and its admission token) may check out; default 5"
  })
})

const Sale = Schema.Struct({
  sale_id: Schema.String,
  state: Schema.Literal("prequeue", "open", "paused", "sold_out", "ended"),
  queued: Schema.Number,
  active: Schema.Number,
  admitted_total: Schema.Number,
  admitted_last_minute: Schema.Number,
  sku_ids: Schema.Array(Schema.String),
  starts_at: Schema.String,
  ends_at: Schema.NullOr(Schema.String),
  admit_per_minute: Schema.Number,
  max_active: Schema.Number,
  per_user_limit: Schema.Number,
  session_minutes: Schema.Number,
  mode: Schema.String
})

const PositionMessage = Schema.Struct({
  type: Schema.Literal("position", "admitted", "sold_out", "ended"),
  position: Schema.optional(Schema.Number),
  ahead: Schema.optional(Schema.Number),
  eta_seconds: Schema.optional(Schema.NullOr(Schema.Number)),
  admission_token: Schema.optional(Schema.String),
  expires_at: Schema.optional(Schema.String)
})

const SaleParams = Schema.Struct({ sale_id: SaleId })
const BanBody = Schema.Struct({
  user_ids: Schema.Array(Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_.:-]{1,128}$/))).pipe(Schema.minItems(1), Schema.maxItems(saleLimits.maxUsersPerCommand)),
  banned: Schema.optional(Schema.Boolean).annotations({ description: "default true; false lifts the ban (the user goes to the end of the line)" })
})

const iso = (ms: number) => new Date(ms).toISOString()
const saleOf = (v: SaleView): typeof Sale.Type => ({
  sale_id: v.sale_id,
  state: v.state,
  queued: v.queued,
  active: v.active,
  admitted_total: v.admitted_total,
  admitted_last_minute: v.admitted_last_minute,
  sku_ids: v.config.sku_ids,
  starts_at: iso(v.config.starts_at_ms),
  ends_at: v.config.ends_at_ms === null ? null : iso(v.config.ends_at_ms),
  admit_per_minute: v.config.admit_per_minute,
  max_active: v.config.max_active,
  per_user_limit: v.config.per_user_limit,
  session_minutes: v.config.session_ms / 60_000,
  mode: v.config.mode
})

const saleRejection = (r: SaleRejection): ApiError => {
  switch (r.reason) {
    case "not_found":
    case "not_in_queue":
      return notFound(r.reason === "not_found" ? "no such sale" : "you are not in this sale's queue; join over the WebSocket")
    case "sale_exists":
      return conflict("conflict", "a sale with this sale_id exists")
    case "sale_closed":
      return conflict("conflict", `the sale is ${r.state}`, { state: r.state })
    case "ban_limit":
      return unprocessable("ban_limit", `at most ${r.limit} shadow-banned users per sale`, { limit: r.limit })
    case "queue_full":
      return unavailable("the queue is full", 5)
    default:
      return invalidRequest("the request cannot be applied to this sale", [{ path: "", message: r.reason }])
  }
}

const askSale = (saleId: string, command: SaleCommand, nowMs: number) => callActor(sale, saleId, command, nowMs, saleRejection)
const viewOfReply = (reply: SaleReply): SaleView => reply.sale

const admin: ReadonlyArray<readonly [number, string]> = [
  [401, "unauthenticated"],
  [403, "forbidden"]
]

export const saleRoutes = (deps: { readonly hub: SaleHub; readonly keys: KeyRing; readonly config: SalesConfig }): ReadonlyArray<AnyRoute<Actors>> => [
  route({
    operationId: "createSale",
    method: "post",
    path: "/v1/admin/sales",
    summary:
      "Create a flash sale over registered SKUs. Sets each SKU's per-user purchase limit; a SKU may be in one sale that has not ended (409 sku_in_sale). Checkouts of its SKUs need an admission token until it ends.",
    tags: ["sales"],
    access: ["admin"],
    rateClass: "write",
    idempotency: "optional",
    body: CreateSaleBody,
    success: { status: 201, schema: Sale, description: "the sale" },
    errors: [...commonErrors, ...admin, [404, "not_found"], [409, "conflict"], [409, "sku_in_sale"], [422, "idempotency_key_reused"]],
    handler: (r) =>
      Effect.gen(function* () {
        const b = r.body
        const startsAtMs = Date.parse(b.starts_at)
        const endsAtMs = b.ends_at === undefined || b.ends_at === null ? null : Date.parse(b.ends_at)
        if (endsAtMs !== null && endsAtMs <= startsAtMs) return yield* Effect.fail(invalidRequest("ends_at must be after starts_at", [{ path: "ends_at", message: "must be after starts_at" }]))
        const exists = yield* Effect.either(askSale(b.sale_id, { _tag: "Get" }, r.nowMs))
        if (exists._tag === "Right") return yield* Effect.fail(conflict("conflict", "a sale with this sale_id exists"))
        const skuIds = [...new Set(b.sku_ids)]
        for (const id of skuIds) yield* callActor(sku, id, { _tag: "Get" }, r.nowMs, skuRejection(id))
        for (const id of skuIds) {
          yield* callActor(skuSales, id, { _tag: "Attach", sale: { sale_id: b.sale_id, ends_at_ms: endsAtMs } }, r.nowMs, (rej) =>
            rej.reason === "sku_in_sale" ? conflict("sku_in_sale", `${id} is in sale ${rej.sale_id}, which has not ended`, { sku_id: id, sale_id: rej.sale_id }) : invalidRequest(rej.message)
          )
          yield* callActor(sku, id, { _tag: "SetPurchaseLimit", per_user_limit: b.per_user_limit }, r.nowMs, skuRejection(id))
        }
        const reply = yield* askSale(
          b.sale_id,
          {
            _tag: "Define",
            config: {
              sale_id: b.sale_id,
              sku_ids: skuIds,
              starts_at_ms: startsAtMs,
              ends_at_ms: endsAtMs,
              admit_per_minute: b.admit_per_minute,
              max_active: b.max_active,
              per_user_limit: b.per_user_limit,
              session_ms: (b.session_minutes ?? 5) * 60_000,
              grace_ms: deps.config.reconnectGraceMs,
              mode: b.mode,
              shuffle_seed: randomBytes(16).toString("hex")
            }
          },
          r.nowMs
        )
        deps.hub.touch(b.sale_id)
        return { status: 201, body: saleOf(viewOfReply(reply)) }
      })
  }),
  route({
    operationId: "getSale",
    method: "get",
    path: "/v1/sales/{sale_id}",
    summary: "A flash sale: state (prequeue, open, paused, sold_out, ended), queued, active, admitted_total",
    tags: ["sales"],
    access: "public",
    rateClass: "read",
    idempotency: "none",
    params: SaleParams,
    success: { status: 200, schema: Sale, description: "the sale" },
    errors: [...commonErrors, [404, "not_found"]],
    handler: (r) =>
      askSale(r.params.sale_id, { _tag: "Get" }, r.nowMs).pipe(
        Effect.tap(() => Effect.sync(() => deps.hub.touch(r.params.sale_id))),
        Effect.map((reply) => ({ body: saleOf(viewOfReply(reply)) }))
      )
  }),
  route({
    operationId: "getQueueStatus",
    method: "get",
    path: "/v1/sales/{sale_id}/queue/status",
    summary:
      "Polling fallback of the waiting room: the caller's `position` message (type, position, ahead, eta_seconds), or `admitted` with the token, or `sold_out` / `ended`. 404 when the caller holds no place.",
    tags: ["sales"],
    access: "user",
    rateClass: "read",
    idempotency: "none",
    params: SaleParams,
    success: { status: 200, schema: PositionMessage, description: "the same payload as the WebSocket message" },
    errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"]],
    handler: (r) =>
      Effect.tryPromise({
        try: () => deps.hub.status(r.params.sale_id, r.caller!.userId, r.nowMs),
        catch: (e) => {
          const tag = (e as { _tag?: string })._tag
          if (tag === "SaleNotFound" || tag === "NotInQueue") return saleRejection(e as SaleRejection)
          return unavailable("the waiting room could not be reached", 1)
        }
      }).pipe(
        Effect.flatMap((message) =>
          message === undefined ? Effect.fail(notFound("you are not in this sale's queue; join over the WebSocket")) : Effect.succeed({ body: message as typeof PositionMessage.Type })
        )
      )
  }),
  ...(["pause", "resume"] as const).map((action) =>
    route({
      operationId: `${action}Sale`,
      method: "post",
      path: `/v1/admin/sales/{sale_id}/${action}`,
      summary: action === "pause" ? "Pause admission (the queue keeps its order; sockets hear `paused`). Idempotent." : "Resume admission (sockets hear `resumed`). Idempotent.",
      tags: ["sales"],
      access: ["admin"],
      rateClass: "write",
      idempotency: "optional",
      params: SaleParams,
      success: { status: 200, schema: Sale, description: "the sale" },
      errors: [...commonErrors, ...admin, [404, "not_found"], [409, "conflict"], [422, "idempotency_key_reused"]],
      handler: (r) =>
        askSale(r.params.sale_id, { _tag: action === "pause" ? "Pause" : "Resume" }, r.nowMs).pipe(
          Effect.tap(() => Effect.sync(() => deps.hub.touch(r.params.sale_id))),
          Effect.map((reply) => ({ body: saleOf(viewOfReply(reply)) }))
        )
    })
  ),
  route({
    operationId: "shadowBanSaleUsers",
    method: "post",
    path: "/v1/admin/sales/{sale_id}/shadow-bans",
    summary: "Shadow-ban clients flagged as bots: they queue and see positions as usual but are never admitted. `banned: false` lifts it.",
    tags: ["sales"],
    access: ["admin"],
    rateClass: "write",
    idempotency: "optional",
    params: SaleParams,
    body: BanBody,
    success: { status: 200, schema: Sale, description: "the sale" },
    errors: [...commonErrors, ...admin, [404, "not_found"], [422, "ban_limit"], [422, "idempotency_key_reused"]],
    handler: (r) =>
      askSale(r.params.sale_id, { _tag: "SetBanned", user_ids: r.body.user_ids, banned: r.body.banned ?? true }, r.nowMs).pipe(
        Effect.map((reply) => ({ body: saleOf(viewOfReply(reply)) }))
      )
  }),
  route({
    operationId: "rotateAdmissionKey",
    method: "post",
    path: "/v1/admin/admission-keys/rotate",
    summary: "Sign admission tokens with a new key from now on; tokens signed with the previous three keys stay valid. Takes no body (or {}).",
    tags: ["sales"],
    access: ["admin"],
    rateClass: "write",
    idempotency: "optional",
    success: { status: 200, schema: Schema.Struct({ key_id: Schema.String }), description: "the new signing key's id" },
    errors: [...commonErrors, ...admin, [422, "idempotency_key_reused"]],
    handler: (r) =>
      Effect.tryPromise({ try: () => deps.keys.rotate(r.nowMs), catch: () => unavailable("the key store could not be reached", 1) }).pipe(
        Effect.map((key_id) => ({ body: { key_id } }))
      )
  })
]
