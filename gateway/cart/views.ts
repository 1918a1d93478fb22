import { Schema } from "effect"
import type { Cart } from "../../actors/cart/cart.ts"
import { type CartView, type CartWarning, type CurrentSku, revalidate } from "../../actors/cart/revalidate.ts"
import type { RecentlyViewed } from "../../actors/cart/recently-viewed.ts"
import type { Wishlist } from "../../actors/cart/wishlist.ts"
import type { SkuListing } from "../catalog/catalog-reader.ts"

/**
 * What the cart, wishlist and recently-viewed routes answer (API.md, "Cart and wishlist"): the
 * response schemas (they document the OpenAPI answers) and the functions that build them from
 * actor state and the catalog's current listings.
 */

const Int = Schema.Number.pipe(Schema.int())
const StockStatus = Schema.Literal("in_stock", "low_stock", "out_of_stock")

const CartItem = Schema.Struct({
  sku_id: Schema.String,
  product_id: Schema.String,
  title: Schema.String,
  quantity: Int,
  unit_price: Int.annotations({ description: "the current price in minor units (the price when added, if the SKU is no longer sold)" }),
  line_total: Int,
  stock_status: StockStatus
})

const warning = <Code extends string>(code: Code, fields: Schema.Struct.Fields, description: string) =>
  Schema.Struct({ code: Schema.Literal(code), message: Schema.String, sku_id: Schema.String, ...fields }).annotations({ description })

export const CartWarningView = Schema.Union(
  warning("price_changed", { previous_unit_price: Int, unit_price: Int }, "the price differs from the one seen when the item was added"),
  warning("out_of_stock", {}, "nothing is available now"),
  warning("low_stock", { available: Int, quantity: Int }, "fewer units are available than the line's quantity"),
  warning("unavailable", {}, "the SKU is no longer sold")
)

export const CartBody = Schema.Struct({
  cart_id: Schema.String,
  items: Schema.Array(CartItem),
  subtotal: Int,
  currency: Schema.String,
  warnings: Schema.Array(CartWarningView),
  cart_token: Schema.optional(Schema.String).annotations({
    description:
      "only in the answer that started an anonymous cart: send it back as the X-Cart-Token header on later cart requests (and on login, to merge the cart into the account)"
  })
})
export type CartBody = typeof CartBody.Type

const WishlistItem = Schema.Struct({
  sku_id: Schema.String,
  product_id: Schema.String,
  added_at: Schema.String,
  listed: Schema.Boolean.annotations({ description: "false when the SKU is no longer sold (then title, price and currency are null)" }),
  title: Schema.NullOr(Schema.String),
  price: Schema.NullOr(Int).annotations({ description: "current price in minor units" }),
  currency: Schema.NullOr(Schema.String),
  available_quantity: Int,
  stock_status: StockStatus
})
export const WishlistBody = Schema.Struct({ items: Schema.Array(WishlistItem).annotations({ description: "newest first" }) })
export type WishlistBody = typeof WishlistBody.Type

export const MovedToCart = Schema.Struct({ cart: CartBody, wishlist: WishlistBody })

export const RecentlyViewedBody = Schema.Struct({
  items: Schema.Array(Schema.Struct({ product_id: Schema.String, viewed_at: Schema.String })).annotations({ description: "most recent first" })
})

/** Current prices and stock by SKU, from the catalog. A listing in another currency than the cart's cannot be priced in it: left out (unavailable). */
export const currentPrices = (listings: ReadonlyMap<string, SkuListing>, currency: string): Map<string, CurrentSku> => {
  const out = new Map<string, CurrentSku>()
  for (const [skuId, l] of listings) {
    if (l.currency === currency) out.set(skuId, { unit_price: l.price, available: l.available_quantity, stock_status: l.stock_status })
  }
  return out
}

const messageOf = (w: CartWarning): string => {
  switch (w.code) {
    case "price_changed":
      return `the price changed from ${w.previous_unit_price} to ${w.unit_price} since it was added`
    case "out_of_stock":
      return "out of stock now"
    case "low_stock":
      return `only ${w.available} available, ${w.quantity} in the cart`
    case "unavailable":
      return "no longer sold"
  }
}

export const cartBodyOf = (view: CartView, cartToken?: string): CartBody => ({
  cart_id: view.cart_id,
  items: view.items,
  subtotal: view.subtotal,
  currency: view.currency,
  warnings: view.warnings.map((w) => ({ ...w, message: messageOf(w) })),
  ...(cartToken === undefined ? {} : { cart_token: cartToken })
})

export const cartBody = (cart: Cart, current: ReadonlyMap<string, CurrentSku>, cartToken?: string): CartBody => cartBodyOf(revalidate(cart, current), cartToken)

export const wishlistBody = (wishlist: Wishlist, listings: ReadonlyMap<string, SkuListing>): WishlistBody => ({
  items: wishlist.items.map((item) => {
    const l = listings.get(item.sku_id)
    return l === undefined
      ? { ...item, listed: false, title: null, price: null, currency: null, available_quantity: 0, stock_status: "out_of_stock" as const }
      : { ...item, listed: true, title: l.title, price: l.price, currency: l.currency, available_quantity: l.available_quantity, stock_status: l.stock_status }
  })
})

export const recentlyViewedBody = (list: RecentlyViewed) => ({ items: list.items.map((i) => ({ product_id: i.product_id, viewed_at: i.at })) })
