import type { Cart } from "./cart.ts"

/**
 * The cart as `GET /v1/cart` shows it: prices and stock as of now, with warnings for what
 * changed since each item was added. Pure: the gateway looks up current prices and stock
 * (catalog cache, inventory) and passes them in.
 */

export type StockStatus = "in_stock" | "low_stock" | "out_of_stock"

/** What the gateway knows about a SKU now. `available` is units that can be sold (never negative). */
export interface CurrentSku {
  readonly unit_price: number
  readonly available: number
  readonly stock_status: StockStatus
}

export interface CartItemView {
  readonly sku_id: string
  readonly product_id: string
  readonly title: string
  readonly quantity: number
  /** The current price (the snapshot when the SKU is unavailable). */
  readonly unit_price: number
  readonly line_total: number
  readonly stock_status: StockStatus
}

export type CartWarning =
  /** The price differs from the one seen when the item was added. */
  | { readonly code: "price_changed"; readonly sku_id: string; readonly previous_unit_price: number; readonly unit_price: number }
  /** Nothing available now. */
  | { readonly code: "out_of_stock"; readonly sku_id: string }
  /** Some, but fewer than the line's quantity. */
  | { readonly code: "low_stock"; readonly sku_id: string; readonly available: number; readonly quantity: number }
  /** The SKU is no longer sold (unknown to the catalog: removed or unlisted). */
  | { readonly code: "unavailable"; readonly sku_id: string }

export interface CartView {
  readonly cart_id: string
  readonly items: ReadonlyArray<CartItemView>
  /** Σ line_total over every item, unavailable and out-of-stock ones included (checkout re-prices anyway). */
  readonly subtotal: number
  readonly currency: string
  readonly warnings: ReadonlyArray<CartWarning>
}

/**
 * Items keep the cart's order. At most one stock warning per line: `unavailable`, else
 * `out_of_stock` (status out_of_stock or nothing available), else `low_stock` when
 * 0 < available < quantity; `price_changed` comes independently, before it.
 * Current prices are taken to be in the cart's currency (the store currency).
 */
export const revalidate = (cart: Cart, current: ReadonlyMap<string, CurrentSku>): CartView => {
  const items: Array<CartItemView> = []
  const warnings: Array<CartWarning> = []
  let subtotal = 0
  for (const line of cart.lines) {
    const now = current.get(line.sku_id)
    const unitPrice = now === undefined ? line.unit_price : now.unit_price
    const lineTotal = unitPrice * line.quantity
    subtotal += lineTotal
    items.push({
      sku_id: line.sku_id,
      product_id: line.product_id,
      title: line.title,
      quantity: line.quantity,
      unit_price: unitPrice,
      line_total: lineTotal,
      stock_status: now === undefined ? "out_of_stock" : now.available <= 0 ? "out_of_stock" : now.stock_status
    })
    if (now === undefined) {
      warnings.push({ code: "unavailable", sku_id: line.sku_id })
      continue
    }
    if (now.unit_price !== line.unit_price) {
      warnings.push({ code: "price_changed", sku_id: line.sku_id, previous_unit_price: line.unit_price, unit_price: now.unit_price })
    }
    if (now.stock_status === "out_of_stock" || now.available <= 0) warnings.push({ code: "out_of_stock", sku_id: line.sku_id })
    else if (now.available < line.quantity) warnings.push({ code: "low_stock", sku_id: line.sku_id, available: now.available, quantity: line.quantity })
  }
  if (!Number.isSafeInteger(subtotal)) throw new Error(`cart ${cart.cart_id}: subtotal ${subtotal} is not a safe integer`)
  return { cart_id: cart.cart_id, items, subtotal, currency: cart.currency, warnings }
}
