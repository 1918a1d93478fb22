import { Context, Effect, Schema } from "effect"
import { CountryCode, Text } from "../../actors/accounts/fields.ts"
import {
  AdjustDelta,
  LowStockThreshold,
  PurchaseLimit,
  ReserveMode,
  type ReservationView,
  SellerId,
  SkuId,
  skuLimits,
  type SkuCommand,
  type SkuReply,
  type SkuView,
  StockLevel,
  type SubscriptionReply
} from "../../actors/inventory/sku-schema.ts"
import { sku } from "../../actors/inventory/sku.ts"
import { Warehouse, WarehouseId, warehouseLimits } from "../../actors/warehouses/warehouses.ts"
import { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { handlerOf } from "../direct.ts"
import { type ApiError, notFound } from "../api-error.ts"
import type { InventoryConfig } from "../inventory/config.ts"
import { newWarehouseId, reservationIdFor, stockRefFor } from "../inventory/ids.ts"
import { mayManage } from "../inventory/sellers.ts"
import { notSuspended } from "../sellers/sellers.ts"
import { skuRejection } from "../inventory/sku-errors.ts"
import { tellActor } from "../inventory/tell-actor.ts"
import { PublicStock, Reservation, reservationOf, SkuStock, skuStockOf, Subscription } from "../inventory/views.ts"
import { warehouseDirectory } from "../inventory/warehouse-directory.ts"
import { type AnyRoute, type Caller, commonErrors, type DirectHandler, route } from "../route.ts"

/**
 * Inventory over HTTP (API.md, "Sellers, catalog, stock"; issue 4): warehouses, SKU registration
 * and purchase limits (admin), stock changes (sellers, on their own SKUs), the public stock read,
 * reservations (the hold a checkout takes) and back-in-stock subscriptions.
 *
 * Every route asks one SKU actor once, except where ownership must be read first (a seller's stock
 * change, a reservation read or release). Unknown SKUs, other sellers' SKUs, other users'
 * reservations and unknown warehouses are all 404 `not_found`.
 */

// ---------------------------------------------------------------- request schemas

const SkuParams = Schema.Struct({ sku_id: SkuId })
/** `res_` + 16..64 url-safe characters (the gateway mints 22). */
const ReservationIdParam = Schema.String.pipe(Schema.pattern(/^res_[A-Za-z0-9_-]{16,64}$/))
const ReservationParams = Schema.Struct({ sku_id: SkuId, reservation_id: ReservationIdParam })

const CreateWarehouseBody = Schema.Struct({
  warehouse_id: Schema.optional(WarehouseId).annotations({ description: "chosen by the operator; minted (`wh_…`) when omitted" }),
  name: Text(100),
  region: Text(100),
  country: CountryCode.annotations({ description: "ISO 3166-1 alpha-2, upper case" })
})
const Warehouses = Schema.Struct({ warehouses: Schema.Array(Warehouse) })

const RegisterSkuBody = Schema.Struct({
  sku_id: SkuId,
  seller_id: SellerId.annotations({ description: "the seller that owns the SKU: the `seller_id` (`s_…`) of `POST /v1/seller/register`; that seller changes its stock" }),
  low_stock_threshold: Schema.optional(LowStockThreshold).annotations({
    description: `low_stock when 0 < available ≤ this; default ${skuLimits.defaultLowStockThreshold}`
  })
})

const PurchaseLimitBody = Schema.Struct({
  per_user_limit: Schema.NullOr(PurchaseLimit).annotations({
    description: "units one customer may hold + buy of this SKU (across reservations); null lifts the limit and forgets purchases counted under it"
  })
})

const movements = ["receive", "damage", "return", "in_transit"] as const

/**
 * One stock change. A single struct (not a union) so that a wrong body gets one issue per problem,
 * with its path; the combinations are checked after the fields.
 */
const StockChangeBody = Schema.Struct({
  sku_id: SkuId,
  warehouse_id: WarehouseId,
  on_hand: Schema.optional(StockLevel).annotations({ description: "set the warehouse's on_hand to this" }),
  expected_on_hand: Schema.optional(StockLevel).annotations({
    description: "with on_hand: compare-and-set; refused (409 stock_conflict, current on_hand in details) unless on_hand is exactly this now"
  }),
  delta: Schema.optional(AdjustDelta).annotations({ description: "add this (negative: remove) to on_hand" }),
  movement: Schema.optional(Schema.Literal(...movements)).annotations({
    description:
      "receive: quantity units arrive (on_hand +); damage: quantity units found damaged (on_hand −, damaged +); return: quantity returned units go back to stock (on_hand +); in_transit: set the units on their way to quantity (0 clears; not sellable)"
  }),
  quantity: Schema.optional(StockLevel).annotations({
    description: `with movement: 1..${skuLimits.maxMovementQuantity} units, or the in-transit level (0..${skuLimits.maxStockLevel})`
  })
})
  .annotations({
    description:
      "Exactly one of: `on_hand` (+ optional `expected_on_hand`), `delta`, or `movement` + `quantity`. Retries with the same Idempotency-Key apply the change once."
  })
  .pipe(
    Schema.filter((b) => {
      const issues: Array<{ path: ReadonlyArray<string>; message: string }> = []
      const given = (["on_hand", "delta", "movement"] as const).filter((k) => b[k] !== undefined)
      if (given.length !== 1) {
        const message = "give exactly one of on_hand, delta, movement"
        for (const k of given.length === 0 ? (["on_hand"] as const) : given) issues.push({ path: [k], message })
      }
      if (b.expected_on_hand !== undefined && b.on_hand === undefined) issues.push({ path: ["expected_on_hand"], message: "only with on_hand" })
      if (b.movement === undefined && b.quantity !== undefined) issues.push({ path: ["quantity"], message: "only with movement" })
      if (b.movement !== undefined) {
        if (b.quantity === undefined) issues.push({ path: ["quantity"], message: "is missing (movement needs a quantity)" })
        else if (b.movement !== "in_transit" && (b.quantity < 1 || b.quantity > skuLimits.maxMovementQuantity)) {
          issues.push({ path: ["quantity"], message: `must be 1..${skuLimits.maxMovementQuantity} for ${b.movement}` })
        }
      }
      return issues.length === 0 ? undefined : issues
    })
  )
type StockChange = typeof StockChangeBody.Type

const maxReservationQuantity = 100
const ReserveBody = Schema.Struct({
  quantity: Schema.Int.pipe(Schema.between(1, maxReservationQuantity)),
  mode: Schema.optional(ReserveMode).annotations({
    description: "all_or_nothing (default): the whole quantity or 409 out_of_stock; partial: what is available (> 0) up to quantity"
  })
})

// ---------------------------------------------------------------- commands

const stockCommand = (b: StockChange, ref: string): SkuCommand => {
  const warehouse_id = b.warehouse_id
  if (b.on_hand !== undefined) {
    return b.expected_on_hand === undefined
      ? { _tag: "SetOnHand", warehouse_id, on_hand: b.on_hand, ref }
      : { _tag: "SetOnHand", warehouse_id, on_hand: b.on_hand, expected_on_hand: b.expected_on_hand, ref }
  }
  if (b.delta !== undefined) return { _tag: "Adjust", warehouse_id, delta: b.delta, ref }
  const quantity = b.quantity!
  switch (b.movement!) {
    case "receive":
      return { _tag: "Receive", warehouse_id, quantity, ref }
    case "damage":
      return { _tag: "Damage", warehouse_id, quantity, ref }
    case "return":
      return { _tag: "ReturnToStock", warehouse_id, quantity, ref }
    case "in_transit":
      return { _tag: "SetInTransit", warehouse_id, in_transit: quantity, ref }
  }
}

/** Ask a SKU actor; its rejections become API errors. */
const askSku = <R extends SkuReply>(skuId: string, command: SkuCommand, nowMs: number): Effect.Effect<R, ApiError, Actors> =>
  callActor(sku, skuId, command, nowMs, skuRejection(skuId)) as Effect.Effect<R, ApiError, Actors>

/** The SKU, when the caller may manage it; 404 otherwise (another seller's SKU looks like no SKU). */
const managedSku = (caller: Caller, skuId: string, nowMs: number) =>
  askSku<SkuView>(skuId, { _tag: "Get" }, nowMs).pipe(
    Effect.filterOrFail(
      (view) => mayManage(caller, view.seller_id),
      () => notFound("no such SKU")
    )
  )

const noReservation = () => notFound("no such reservation")

/** The caller's reservation; another user's is 404 like one that does not exist. */
const ownReservation = (caller: Caller, skuId: string, reservationId: string, nowMs: number) =>
  askSku<ReservationView>(skuId, { _tag: "GetReservation", reservation_id: reservationId }, nowMs).pipe(
    Effect.filterOrFail((view) => view.owner === caller.userId, noReservation),
    Effect.mapError((e) => (e.status === 404 ? noReservation() : e))
  )

// ---------------------------------------------------------------- routes

const unauthorized: ReadonlyArray<readonly [number, string]> = [
  [401, "unauthenticated"],
  [403, "forbidden"]
]

export const inventoryRoutes = (deps: { readonly config: InventoryConfig }): ReadonlyArray<AnyRoute<Actors>> => {
  const directory = warehouseDirectory()
  const ttlMs = deps.config.reservationTtlMs
  const reserve: DirectHandler<typeof SkuParams.Type, Record<string, never>, typeof ReserveBody.Type, typeof Reservation.Type, Actors> = (r, services, done) => {
    const owner = r.caller!.userId
    const skuId = r.params.sku_id
    const command: SkuCommand = {
      _tag: "Reserve",
      reservation_id: reservationIdFor(owner, r.idempotencyKey),
      quantity: r.body.quantity,
      expires_at_ms: r.nowMs + ttlMs,
      owner,
      ...(r.body.mode === undefined ? {} : { mode: r.body.mode })
    }
    tellActor(Context.get(services, Actors), sku, skuId, command, r.nowMs, skuRejection(skuId), (view) => ({ body: reservationOf(skuId, view as ReservationView) }), done)
  }
  return [
    route({
      operationId: "createWarehouse",
      method: "post",
      path: "/v1/admin/warehouses",
      summary: `Add a warehouse (at most ${warehouseLimits.maxWarehouses}; a store starts with wh_main). A warehouse_id already in use is 409 conflict.`,
      tags: ["inventory"],
      access: ["admin"],
      rateClass: "write",
      idempotency: "optional",
      body: CreateWarehouseBody,
      success: { status: 201, schema: Warehouse, description: "the warehouse" },
      errors: [...commonErrors, ...unauthorized, [409, "conflict"], [422, "warehouse_limit"], [422, "idempotency_key_reused"]],
      handler: (r) =>
        directory
          .create(
            {
              warehouse_id: r.body.warehouse_id ?? newWarehouseId(),
              name: r.body.name,
              region: r.body.region,
              country: r.body.country,
              created_at: new Date(r.nowMs).toISOString()
            },
            r.nowMs
          )
          .pipe(Effect.map((body) => ({ body })))
    }),
    route({
      operationId: "listWarehouses",
      method: "get",
      path: "/v1/admin/warehouses",
      summary: "Every warehouse, in the order they were added",
      tags: ["inventory"],
      access: ["admin"],
      rateClass: "read",
      idempotency: "none",
      success: { status: 200, schema: Warehouses, description: "warehouses" },
      errors: [...commonErrors, ...unauthorized],
      handler: (r) => directory.list(r.nowMs).pipe(Effect.map((warehouses) => ({ body: { warehouses } })))
    }),
    route({
      operationId: "registerSku",
      method: "post",
      path: "/v1/admin/skus",
      summary: "Register a SKU for a seller (idempotent; another seller or threshold for the same sku_id is 409 conflict)",
      tags: ["inventory"],
      access: ["admin"],
      rateClass: "write",
      idempotency: "optional",
      body: RegisterSkuBody,
      success: { status: 201, schema: SkuStock, description: "the SKU's stock (none yet)" },
      errors: [...commonErrors, ...unauthorized, [409, "conflict"], [422, "idempotency_key_reused"]],
      handler: (r) => {
        const { sku_id, seller_id, low_stock_threshold } = r.body
        const command: SkuCommand =
          low_stock_threshold === undefined ? { _tag: "Register", seller_id } : { _tag: "Register", seller_id, low_stock_threshold }
        return askSku<SkuView>(sku_id, command, r.nowMs).pipe(Effect.map((view) => ({ body: skuStockOf(view) })))
      }
    }),
    route({
      operationId: "setPurchaseLimit",
      method: "post",
      path: "/v1/admin/skus/{sku_id}/purchase-limit",
      summary: "Set or lift the per-customer purchase limit of a SKU (for sales); checked on every reservation",
      tags: ["inventory"],
      access: ["admin"],
      rateClass: "write",
      idempotency: "optional",
      params: SkuParams,
      body: PurchaseLimitBody,
      success: { status: 200, schema: SkuStock, description: "the SKU's stock and limit" },
      errors: [...commonErrors, ...unauthorized, [404, "not_found"], [422, "idempotency_key_reused"]],
      handler: (r) =>
        askSku<SkuView>(r.params.sku_id, { _tag: "SetPurchaseLimit", per_user_limit: r.body.per_user_limit }, r.nowMs).pipe(
          Effect.map((view) => ({ body: skuStockOf(view) }))
        )
    }),
    route({
      operationId: "changeStock",
      method: "post",
      path: "/v1/seller/inventory",
      summary:
        "Change a SKU's stock in one warehouse: set on_hand (optionally compare-and-set with expected_on_hand), adjust by delta, or record a movement (receive, damage, return, in_transit). Sellers change their own SKUs (another seller's is 404), admins any. Never below what is reserved (409 below_reserved). An unknown warehouse is 404.",
      tags: ["inventory"],
      access: ["seller", "admin"],
      rateClass: "write",
      idempotency: "optional",
      body: StockChangeBody,
      success: { status: 200, schema: SkuStock, description: "the SKU's stock per warehouse after the change" },
      errors: [
        ...commonErrors,
        ...unauthorized,
        [404, "not_found"],
        [409, "stock_conflict"],
        [409, "below_reserved"],
        [422, "warehouse_limit"],
        [422, "idempotency_key_reused"]
      ],
      handler: (r) =>
        Effect.gen(function* () {
          const caller = r.caller!
          const skuId = r.body.sku_id
          // Ownership first: for another seller's SKU nothing else is revealed, not even the warehouse check.
          if (!caller.roles.includes("admin")) {
            yield* managedSku(caller, skuId, r.nowMs)
            yield* notSuspended(caller, r.nowMs)
          }
          yield* directory.require(r.body.warehouse_id, r.nowMs)
          // The ref makes the change idempotent at the SKU: a retry with the same key applies it once.
          const command = stockCommand(r.body, stockRefFor(caller.userId, r.idempotencyKey))
          const view = yield* askSku<SkuView>(skuId, command, r.nowMs)
          return { body: skuStockOf(view) }
        })
    }),
    route({
      operationId: "getSellerStock",
      method: "get",
      path: "/v1/seller/inventory/{sku_id}",
      summary: "A SKU's stock per warehouse, for its seller (another seller's SKU is 404) or an admin",
      tags: ["inventory"],
      access: ["seller", "admin"],
      rateClass: "read",
      idempotency: "none",
      params: SkuParams,
      success: { status: 200, schema: SkuStock, description: "the SKU's stock per warehouse" },
      errors: [...commonErrors, ...unauthorized, [404, "not_found"]],
      handler: (r) => managedSku(r.caller!, r.params.sku_id, r.nowMs).pipe(Effect.map((view) => ({ body: skuStockOf(view) })))
    }),
    route({
      operationId: "getStock",
      method: "get",
      path: "/v1/skus/{sku_id}/stock",
      summary: "What anyone may know about a SKU's stock: available quantity and stock status",
      tags: ["inventory"],
      access: "public",
      rateClass: "read",
      idempotency: "none",
      params: SkuParams,
      success: { status: 200, schema: PublicStock, description: "available quantity and status" },
      errors: [...commonErrors, [404, "not_found"]],
      handler: (r) =>
        askSku<SkuView>(r.params.sku_id, { _tag: "Get" }, r.nowMs).pipe(
          Effect.map((view) => ({ body: { sku_id: view.sku_id, available_quantity: view.available, stock_status: view.stock_status } }))
        )
    }),
    route({
      operationId: "reserveStock",
      method: "post",
      path: "/v1/skus/{sku_id}/reservations",
      summary: `Hold units of a SKU for the caller until expires_at (now + RESERVATION_TTL_MS, default 10 min). With an Idempotency-Key every retry is the same reservation (its id derives from user and key). Per-customer purchase limits hold across reservations.`,
      tags: ["inventory"],
      access: "user",
      rateClass: "write",
      idempotency: "optional",
      params: SkuParams,
      body: ReserveBody,
      success: { status: 201, schema: Reservation, description: "the reservation" },
      errors: [
        ...commonErrors,
        [401, "unauthenticated"],
        [404, "not_found"],
        [409, "out_of_stock"],
        [409, "reservation_expired"],
        [409, "reservation_released"],
        [409, "idempotency_in_progress"],
        [422, "purchase_limit"],
        [422, "idempotency_key_reused"],
        [503, "too_many_holds"]
      ],
      // The hot route (issue 4's benchmark): one SKU actor call, answered without an Effect fiber.
      handler: handlerOf(reserve),
      direct: reserve
    }),
    route({
      operationId: "getReservation",
      method: "get",
      path: "/v1/skus/{sku_id}/reservations/{reservation_id}",
      summary: "One of the caller's reservations (another user's is 404)",
      tags: ["inventory"],
      access: "user",
      rateClass: "read",
      idempotency: "none",
      params: ReservationParams,
      success: { status: 200, schema: Reservation, description: "the reservation and its status" },
      errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"]],
      handler: (r) =>
        ownReservation(r.caller!, r.params.sku_id, r.params.reservation_id, r.nowMs).pipe(
          Effect.map((view) => ({ body: reservationOf(r.params.sku_id, view) }))
        )
    }),
    route({
      operationId: "releaseReservation",
      method: "delete",
      path: "/v1/skus/{sku_id}/reservations/{reservation_id}",
      summary: "Release one of the caller's reservations: the units are available again (idempotent; status expired when it had expired already)",
      tags: ["inventory"],
      access: "user",
      rateClass: "write",
      idempotency: "none",
      params: ReservationParams,
      success: { status: 200, schema: Reservation, description: "the released reservation" },
      errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"], [409, "reservation_confirmed"]],
      handler: (r) =>
        Effect.gen(function* () {
          const { sku_id, reservation_id } = r.params
          yield* ownReservation(r.caller!, sku_id, reservation_id, r.nowMs)
          const view = yield* askSku<ReservationView>(sku_id, { _tag: "Release", reservation_id }, r.nowMs)
          return { body: reservationOf(sku_id, view) }
        })
    }),
    route({
      operationId: "subscribeBackInStock",
      method: "post",
      path: "/v1/skus/{sku_id}/subscriptions",
      summary: "Be told when an out-of-stock SKU is back in stock (subscribed: false when it is in stock now)",
      tags: ["inventory"],
      access: "user",
      rateClass: "write",
      idempotency: "optional",
      params: SkuParams,
      success: { status: 201, schema: Subscription, description: "whether the caller waits for the SKU" },
      errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"], [422, "subscriber_limit"], [422, "idempotency_key_reused"]],
      handler: (r) =>
        askSku<SubscriptionReply>(r.params.sku_id, { _tag: "Subscribe", user_id: r.caller!.userId }, r.nowMs).pipe(
          Effect.map((reply) => ({ body: { subscribed: reply.subscribed, available: reply.available } }))
        )
    }),
    route({
      operationId: "unsubscribeBackInStock",
      method: "delete",
      path: "/v1/skus/{sku_id}/subscriptions",
      summary: "Stop waiting for a SKU (idempotent)",
      tags: ["inventory"],
      access: "user",
      rateClass: "write",
      idempotency: "none",
      params: SkuParams,
      success: { status: 200, schema: Subscription, description: "subscribed: false" },
      errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"]],
      handler: (r) =>
        askSku<SubscriptionReply>(r.params.sku_id, { _tag: "Unsubscribe", user_id: r.caller!.userId }, r.nowMs).pipe(
          Effect.map((reply) => ({ body: { subscribed: reply.subscribed, available: reply.available } }))
        )
    })
  ]
}
