import type { CartRejection } from "../../actors/cart/cart.ts"
import type { ShopperCartRejection } from "../../actors/cart/shopper-cart.ts"
import type { WishlistRejection } from "../../actors/cart/wishlist.ts"
import { type ApiError, conflict, invalidRequest, notFound, unprocessable } from "../api-error.ts"
import { outOfStock } from "../inventory/sku-errors.ts"

/** No cart for this shopper (none yet, someone else's, or an anonymous cart merged into an account). */
export const noCart = () => notFound("no such cart; add an item to start one (anonymous shoppers: without X-Cart-Token)")

/** 409 `out_of_stock` in the checkout shape of API.md (`details.skus`). */
export const noneAvailable = (skuId: string, requested: number, available: number) => outOfStock([{ sku_id: skuId, requested, available }])

/** What each cart actor rejection means to a client. */
export const cartRejection = (r: CartRejection): ApiError => {
  switch (r.reason) {
    case "not_found":
    case "owner_mismatch":
      return noCart()
    case "currency_mismatch":
      return conflict("conflict", `this cart is in ${r.currency}; the item is priced in another currency`, { currency: r.currency })
    case "quantity_limit":
      return unprocessable("quantity_limit", `at most ${r.limit} units of one SKU per cart (${r.quantity} in the cart now)`, {
        sku_id: r.sku_id,
        quantity: r.quantity,
        limit: r.limit
      })
    case "cart_limit":
      return unprocessable("cart_limit", `a cart holds at most ${r.limit} different SKUs`, { limit: r.limit })
    case "not_in_cart":
      return notFound("this SKU is not in the cart")
    case "invalid_command":
      return invalidRequest(r.message)
  }
}

export const shopperCartRejection = (r: ShopperCartRejection): ApiError => {
  switch (r.reason) {
    case "cart_retired":
    case "no_cart":
      return noCart()
    case "invalid_command":
      return invalidRequest(r.message)
  }
}

export const wishlistRejection = (r: WishlistRejection): ApiError => {
  switch (r.reason) {
    case "wishlist_limit":
      return unprocessable("wishlist_limit", `a wishlist holds at most ${r.limit} items`, { limit: r.limit })
    case "invalid_command":
      return invalidRequest(r.message)
  }
}
