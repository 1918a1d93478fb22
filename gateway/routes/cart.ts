import { Effect, Schema } from "effect"
import { cartLimits, Quantity, QuantityOrZero, SkuId } from "../../actors/cart/fields.ts"
import { recentlyViewedLimits } from "../../actors/cart/fields.ts"
import type { Actors } from "../../runtime/service.ts"
import { forbidden } from "../api-error.ts"
import { type CartDeps, cartService, shopperOf } from "../cart/carts.ts"
import { recentlyViewedOf } from "../cart/recently-viewed.ts"
import { CartBody, recentlyViewedBody, RecentlyViewedBody } from "../cart/views.ts"
import { type AnyRoute, commonErrors, route } from "../route.ts"

/**
 * The cart over HTTP (API.md, "Cart and wishlist" and "Cart"), and the shopper's recently viewed
 * products. Every cart answer is the cart revalidated against current prices and stock, with
 * warnings for what changed since each item was added.
 */

const anonymousCarts =
  "Without a bearer token the cart is an anonymous one: the first POST /v1/cart/items starts it and answers its cart_token (also in the X-Cart-Token response header); send it back as the X-Cart-Token request header. On POST /v1/auth/login or /v1/auth/signup the same header merges the anonymous cart into the account's cart, and the token stops working. With a bearer token X-Cart-Token is ignored. An unknown, merged or someone else's cart token is 404."

const SkuParams = Schema.Struct({ sku_id: SkuId })

const AddItemBody = Schema.Struct({
  sku_id: SkuId,
  quantity: Quantity.annotations({ description: `units to add, 1..${cartLimits.maxQuantity}; added to the line when the SKU is in the cart already` }),
  user_id: Schema.optional(Schema.String.pipe(Schema.maxLength(128))).annotations({
    description: "accepted as in the seed's request; must be the signed-in caller's user id (403 otherwise, and always without a bearer token)"
  })
})

const SetQuantityBody = Schema.Struct({
  quantity: QuantityOrZero.annotations({ description: `the line's new quantity, 0..${cartLimits.maxQuantity}; 0 removes the line` })
})

const limits: ReadonlyArray<readonly [number, string]> = [
  [422, "quantity_limit"],
  [422, "cart_limit"]
]

export const cartRoutes = (deps: CartDeps): ReadonlyArray<AnyRoute<Actors>> => {
  const carts = cartService(deps)
  return [
    route({
      operationId: "getCart",
      method: "get",
      path: "/v1/cart",
      summary: `The shopper's cart with prices and stock as of now, and warnings (price_changed, out_of_stock, low_stock, unavailable) for what changed since each item was added. A signed-in user always has a cart (empty at first, in the store currency; its cart_id never changes, also after an order empties it). ${anonymousCarts} Without either token: 404.`,
      tags: ["cart"],
      access: "optional",
      rateClass: "read",
      idempotency: "none",
      success: { status: 200, schema: CartBody, description: "the cart" },
      errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"]],
      handler: (r) => shopperOf(r.caller, r.headers).pipe(Effect.flatMap((shopper) => carts.getCart(shopper, r.nowMs)))
    }),
    route({
      operationId: "addCartItem",
      method: "post",
      path: "/v1/cart/items",
      summary: `Add units of a SKU to the cart (never reserves stock). A SKU no product lists is 404; one with nothing available is 409 out_of_stock; more than ${cartLimits.maxQuantity} units of a SKU is 422 quantity_limit; a ${cartLimits.maxLines + 1}st SKU is 422 cart_limit. ${anonymousCarts}`,
      tags: ["cart"],
      access: "optional",
      rateClass: "write",
      idempotency: "optional",
      body: AddItemBody,
      success: { status: 200, schema: CartBody, description: "the cart after the change (with cart_token when this request started an anonymous cart)" },
      errors: [...commonErrors, [401, "unauthenticated"], [403, "forbidden"], [404, "not_found"], [409, "out_of_stock"], [409, "conflict"], ...limits, [422, "idempotency_key_reused"]],
      handler: (r) =>
        Effect.gen(function* () {
          if (r.body.user_id !== undefined && r.body.user_id !== r.caller?.userId) {
            return yield* Effect.fail(forbidden("user_id must be the signed-in caller's own id"))
          }
          const shopper = yield* shopperOf(r.caller, r.headers)
          return yield* carts.addItem(shopper, r.body.sku_id, r.body.quantity, r.nowMs)
        })
    }),
    route({
      operationId: "setCartItemQuantity",
      method: "patch",
      path: "/v1/cart/items/{sku_id}",
      summary: `Set a line's quantity (0 removes it). A SKU not in the cart is 404; raising the quantity of a SKU with nothing available is 409 out_of_stock. ${anonymousCarts}`,
      tags: ["cart"],
      access: "optional",
      rateClass: "write",
      idempotency: "none",
      params: SkuParams,
      body: SetQuantityBody,
      success: { status: 200, schema: CartBody, description: "the cart after the change" },
      errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"], [409, "out_of_stock"]],
      handler: (r) => shopperOf(r.caller, r.headers).pipe(Effect.flatMap((shopper) => carts.setQuantity(shopper, r.params.sku_id, r.body.quantity, r.nowMs)))
    }),
    route({
      operationId: "removeCartItem",
      method: "delete",
      path: "/v1/cart/items/{sku_id}",
      summary: `Remove a line from the cart (idempotent: a SKU not in the cart changes nothing). ${anonymousCarts}`,
      tags: ["cart"],
      access: "optional",
      rateClass: "write",
      idempotency: "none",
      params: SkuParams,
      success: { status: 200, schema: CartBody, description: "the cart after the change" },
      errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"]],
      handler: (r) => shopperOf(r.caller, r.headers).pipe(Effect.flatMap((shopper) => carts.removeItem(shopper, r.params.sku_id, r.nowMs)))
    }),
    route({
      operationId: "getRecentlyViewed",
      method: "get",
      path: "/v1/me/recently-viewed",
      summary: `The products the signed-in shopper viewed (GET /v1/products/{product_id}), most recent first, each once, at most ${recentlyViewedLimits.maxItems}`,
      tags: ["cart"],
      access: "user",
      rateClass: "read",
      idempotency: "none",
      success: { status: 200, schema: RecentlyViewedBody, description: "recently viewed products" },
      errors: [...commonErrors, [401, "unauthenticated"]],
      handler: (r) => recentlyViewedOf(r.caller!, r.nowMs).pipe(Effect.map((list) => ({ body: recentlyViewedBody(list) })))
    })
  ]
}
