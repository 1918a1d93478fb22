import { Effect, Schema } from "effect"
import { SkuId, wishlistLimits } from "../../actors/cart/fields.ts"
import { type Wishlist, wishlist, type WishlistCommand } from "../../actors/cart/wishlist.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { type ApiError, notFound } from "../api-error.ts"
import { type CartDeps, cartService } from "../cart/carts.ts"
import { wishlistRejection } from "../cart/errors.ts"
import { MovedToCart, wishlistBody, WishlistBody } from "../cart/views.ts"
import type { Caller } from "../route.ts"
import { type AnyRoute, commonErrors, route } from "../route.ts"

/**
 * The signed-in shopper's wishlist (API.md, "Cart and wishlist"): SKUs saved for later, newest
 * first, each answered with its current price and stock; and "move to cart".
 */

const SkuParams = Schema.Struct({ sku_id: SkuId })
const AddBody = Schema.Struct({ sku_id: SkuId })

const askWishlist = (caller: Caller, command: WishlistCommand, nowMs: number): Effect.Effect<Wishlist, ApiError, Actors> =>
  callActor(wishlist, caller.userId, command, nowMs, wishlistRejection)

export const wishlistRoutes = (deps: CartDeps): ReadonlyArray<AnyRoute<Actors>> => {
  const carts = cartService(deps)
  const show = (list: Wishlist) => carts.listings(list.items.map((i) => i.sku_id)).pipe(Effect.map((listings) => wishlistBody(list, listings)))
  const read = (r: { readonly caller: Caller | undefined; readonly nowMs: number }) =>
    askWishlist(r.caller!, { _tag: "Get" }, r.nowMs).pipe(
      Effect.flatMap(show),
      Effect.map((body) => ({ body }))
    )
  const getSpec = {
    summary: "The wishlist, newest first, with each SKU's current price and stock (listed: false for a SKU no longer sold)",
    tags: ["wishlist"],
    access: "user",
    rateClass: "read",
    idempotency: "none",
    success: { status: 200, schema: WishlistBody, description: "the wishlist" },
    errors: [...commonErrors, [401, "unauthenticated"]]
  } as const
  return [
    route({ operationId: "getWishlist", method: "get", path: "/v1/wishlist", ...getSpec, handler: read }),
    route({ operationId: "listWishlistItems", method: "get", path: "/v1/wishlist/items", ...getSpec, handler: read }),
    route({
      operationId: "addWishlistItem",
      method: "post",
      path: "/v1/wishlist/items",
      summary: `Save a SKU to the wishlist (idempotent: a SKU already there keeps its place). A SKU no product lists is 404; a ${wishlistLimits.maxItems + 1}st SKU is 422 wishlist_limit.`,
      tags: ["wishlist"],
      access: "user",
      rateClass: "write",
      idempotency: "optional",
      body: AddBody,
      success: { status: 200, schema: WishlistBody, description: "the wishlist" },
      errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"], [422, "wishlist_limit"], [422, "idempotency_key_reused"]],
      handler: (r) =>
        Effect.gen(function* () {
          const listed = yield* carts.listing(r.body.sku_id)
          const list = yield* askWishlist(r.caller!, { _tag: "Add", sku_id: r.body.sku_id, product_id: listed.product_id, added_at: new Date(r.nowMs).toISOString() }, r.nowMs)
          return { body: yield* show(list) }
        })
    }),
    route({
      operationId: "removeWishlistItem",
      method: "delete",
      path: "/v1/wishlist/items/{sku_id}",
      summary: "Remove a SKU from the wishlist (idempotent)",
      tags: ["wishlist"],
      access: "user",
      rateClass: "write",
      idempotency: "none",
      params: SkuParams,
      success: { status: 200, schema: WishlistBody, description: "the wishlist" },
      errors: [...commonErrors, [401, "unauthenticated"]],
      handler: (r) =>
        askWishlist(r.caller!, { _tag: "Remove", sku_id: r.params.sku_id }, r.nowMs).pipe(
          Effect.flatMap(show),
          Effect.map((body) => ({ body }))
        )
    }),
    route({
      operationId: "moveWishlistItemToCart",
      method: "post",
      path: "/v1/wishlist/items/{sku_id}/move-to-cart",
      summary:
        "Add one unit of a wishlist SKU to the cart (as POST /v1/cart/items does, with its checks: 404 when no longer sold, 409 out_of_stock, 422 quantity_limit / cart_limit), then remove it from the wishlist. A SKU not in the wishlist is 404. When the add fails the wishlist is unchanged.",
      tags: ["wishlist"],
      access: "user",
      rateClass: "write",
      idempotency: "optional",
      params: SkuParams,
      success: { status: 200, schema: MovedToCart, description: "the cart and the wishlist after the move" },
      errors: [
        ...commonErrors,
        [401, "unauthenticated"],
        [404, "not_found"],
        [409, "out_of_stock"],
        [409, "conflict"],
        [422, "quantity_limit"],
        [422, "cart_limit"],
        [422, "idempotency_key_reused"]
      ],
      handler: (r) =>
        Effect.gen(function* () {
          const caller = r.caller!
          const skuId = r.params.sku_id
          const before = yield* askWishlist(caller, { _tag: "Get" }, r.nowMs)
          if (!before.items.some((i) => i.sku_id === skuId)) return yield* Effect.fail(notFound("this SKU is not in the wishlist"))
          const added = yield* carts.addItem({ kind: "user", id: caller.userId }, skuId, 1, r.nowMs)
          const after = yield* askWishlist(caller, { _tag: "Remove", sku_id: skuId }, r.nowMs)
          return { body: { cart: added.body, wishlist: yield* show(after) } }
        })
    })
  ]
}
