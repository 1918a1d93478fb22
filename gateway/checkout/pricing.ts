import { Effect, Either } from "effect"
import type { Address, PaymentMethod } from "../../actors/accounts/fields.ts"
import { type User, user } from "../../actors/accounts/user.ts"
import { type Cart, cart } from "../../actors/cart/cart.ts"
import type { PlanLine } from "../../actors/checkout/checkout.ts"
import { type CategoryNode, categoryTree, categoryTreeActorId } from "../../actors/catalog/category-tree.ts"
import { coupon } from "../../actors/pricing/coupon.ts"
import type { CouponDefinition } from "../../actors/pricing/coupon-definition.ts"
import { normalizeCouponCode } from "../../actors/pricing/fields.ts"
import { quote } from "../../actors/pricing/quote.ts"
import type { Quote, QuoteLineInput, QuoteRejection } from "../../actors/pricing/quote-schema.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { type ApiError, notFound, unavailable, unprocessable } from "../api-error.ts"
import type { ProductCache } from "../catalog/product-cache.ts"
import { outOfStock } from "../inventory/sku-errors.ts"
import type { CheckoutConfig } from "./config.ts"

/**
 * Quote assembly: the caller's cart, address and coupon, the catalog's current listings and the
 * store's tables, priced by `quote` (actors/pricing) — the one place a price is computed, for
 * `POST /v1/checkout/quote` and `POST /v1/checkout` alike, so the shopper never sees two totals.
 * Every id in the request must be the caller's own: another user's cart, address or payment
 * method is 404 like an unknown one.
 */

export interface PricingDeps {
  readonly products: ProductCache
  readonly config: CheckoutConfig
}

export interface PricingRequest {
  readonly cart_id: string
  readonly shipping_address_id: string
  readonly shipping_option_id?: string | undefined
  readonly coupon_code?: string | undefined
}

/** A line whose price moved since it was put in the cart (the price the shopper saw). */
export interface PriceChange {
  readonly sku_id: string
  readonly previous_unit_price: number
  readonly unit_price: number
}

export interface PricedCart {
  readonly account: User
  readonly cart: Cart
  readonly address: Address
  readonly quote: Quote
  readonly lines: ReadonlyArray<PlanLine>
  readonly couponCode: string | null
  readonly priceChanges: ReadonlyArray<PriceChange>
}

const catalogDown = () => unavailable("the catalog is unavailable; retry shortly", 1)

/** The caller's account (addresses and payment methods). */
export const accountOf = (userId: string, nowMs: number): Effect.Effect<User, ApiError, Actors> =>
  callActor(user, userId, { _tag: "Get" }, nowMs, () => notFound("no such user"))

export const paymentMethodOf = (account: User, paymentMethodId: string): Effect.Effect<PaymentMethod, ApiError> => {
  const found = account.payment_methods.find((m) => m.payment_method_id === paymentMethodId)
  return found === undefined ? Effect.fail(notFound("no such payment method")) : Effect.succeed(found)
}

/** The category and its ancestors, nearest first, from the category tree (tax rates and promotion targets match ancestors too). */
const ancestorsOf = (nodes: ReadonlyArray<CategoryNode>): Map<string, ReadonlyArray<string>> => {
  const out = new Map<string, ReadonlyArray<string>>()
  const walk = (list: ReadonlyArray<CategoryNode>, above: ReadonlyArray<string>) => {
    for (const node of list) {
      out.set(node.category_id, above)
      walk(node.children, [node.category_id, ...above])
    }
  }
  walk(nodes, [])
  return out
}

const categoriesOf = (deps: PricingDeps, productIds: ReadonlyArray<string>, nowMs: number) =>
  Effect.gen(function* () {
    const byProduct = new Map<string, string>()
    const products = yield* Effect.forEach(productIds, (id) => deps.products.get(id), { concurrency: "unbounded" }).pipe(Effect.mapError(catalogDown))
    products.forEach((p, i) => {
      if (p === null) return
      const categoryId = (JSON.parse(p.json) as { category_id?: unknown }).category_id
      if (typeof categoryId === "string") byProduct.set(productIds[i]!, categoryId)
    })
    const tree = yield* callActor(categoryTree, categoryTreeActorId, { _tag: "Get" }, nowMs, () => unavailable("the category tree is unavailable", 1))
    const ancestors = "categories" in tree ? ancestorsOf(tree.categories) : new Map<string, ReadonlyArray<string>>()
    return { byProduct, ancestors }
  })

const couponRefused = (code: string, reason: string) => unprocessable("coupon_invalid", `coupon ${code} cannot be used: ${reason}`, { reason })

/** The coupon actor's word on this coupon for this shopper and subtotal (no use is taken yet). */
const validCoupon = (code: string, userId: string, subtotal: number, nowMs: number): Effect.Effect<CouponDefinition, ApiError, Actors> =>
  /^[A-Z0-9][A-Z0-9_-]{2,31}$/.test(code)
    ? callActor(coupon, code, { _tag: "Validate", user_id: userId, order_amount: subtotal }, nowMs, (r) => couponRefused(code, r.reason)).pipe(
        Effect.map((reply) => reply.coupon.definition)
      )
    : Effect.fail(couponRefused(code, "not_found"))

export const quoteRejection = (r: QuoteRejection): ApiError => {
  switch (r.reason) {
    case "cart_empty":
      return unprocessable("cart_empty", "the cart is empty")
    case "shipping_option_unavailable":
      return unprocessable("shipping_option_unavailable", `shipping option ${r.shipping_option_id} does not ship this order there`, { available: r.available })
    case "not_shippable":
      return unprocessable("not_shippable", "no shipping option carries this order to this address", { country: r.country, region: r.region })
  }
}

export const priceCart = (deps: PricingDeps, userId: string, request: PricingRequest, nowMs: number): Effect.Effect<PricedCart, ApiError, Actors> =>
  Effect.gen(function* () {
    const account = yield* accountOf(userId, nowMs)
    const address = account.addresses.find((a) => a.address_id === request.shipping_address_id)
    if (address === undefined) return yield* Effect.fail(notFound("no such address"))
    if (!/^cart_[A-Za-z0-9_-]{16,64}$/.test(request.cart_id)) return yield* Effect.fail(notFound("no such cart"))
    const theCart = yield* callActor(cart, request.cart_id, { _tag: "Get" }, nowMs, () => notFound("no such cart")).pipe(Effect.map((r) => r.cart))
    if (theCart.owner !== userId) return yield* Effect.fail(notFound("no such cart"))
    if (theCart.lines.length === 0) return yield* Effect.fail(unprocessable("cart_empty", "the cart is empty"))
    const listings = yield* deps.products.skus(theCart.lines.map((l) => l.sku_id)).pipe(Effect.mapError(catalogDown))
    // A SKU no longer sold (or in another currency) cannot be bought: none of it is available.
    const gone = theCart.lines.filter((l) => listings.get(l.sku_id)?.currency !== theCart.currency)
    if (gone.length > 0) return yield* Effect.fail(outOfStock(gone.map((l) => ({ sku_id: l.sku_id, requested: l.quantity, available: 0 }))))
    const { byProduct, ancestors } = yield* categoriesOf(deps, [...new Set(theCart.lines.map((l) => l.product_id))], nowMs)
    const quoteLines: Array<QuoteLineInput> = []
    const lines: Array<PlanLine> = []
    for (const line of theCart.lines) {
      const listing = listings.get(line.sku_id)!
      const categoryId = byProduct.get(listing.product_id)
      if (categoryId === undefined) return yield* Effect.fail(outOfStock([{ sku_id: line.sku_id, requested: line.quantity, available: 0 }]))
      quoteLines.push({
        sku_id: line.sku_id,
        product_id: listing.product_id,
        category_id: categoryId,
        category_ancestor_ids: [...(ancestors.get(categoryId) ?? [])],
        seller_id: listing.seller_id,
        quantity: line.quantity,
        unit_base_price: listing.price,
        seller_price: null
      })
      lines.push({ sku_id: line.sku_id, product_id: listing.product_id, seller_id: listing.seller_id, title: listing.title.slice(0, 300), quantity: line.quantity, unit_price: listing.price })
    }
    const subtotal = lines.reduce((s, l) => s + l.unit_price * l.quantity, 0)
    const couponCode = request.coupon_code === undefined ? null : normalizeCouponCode(request.coupon_code)
    const definition = couponCode === null ? null : yield* validCoupon(couponCode, userId, subtotal, nowMs)
    const priced = quote({
      lines: quoteLines,
      shopper: { user_id: userId, member_tier: null },
      destination: { country: address.country, region: address.region },
      shipping_option_id: request.shipping_option_id ?? null,
      coupon: definition,
      promotions: [],
      tables: deps.config.tables,
      now_ms: nowMs
    } as Parameters<typeof quote>[0])
    if (Either.isLeft(priced)) return yield* Effect.fail(quoteRejection(priced.left))
    const q = priced.right
    if (q.coupon !== null && !q.coupon.applied) return yield* Effect.fail(couponRefused(q.coupon.code, q.coupon.reason ?? "not_applicable"))
    // The order shows what each unit sells for (a flash price included): the quote's unit price.
    const unitPrices = new Map(q.lines.map((l) => [l.sku_id, l.unit_price]))
    const planLines = lines.map((l) => ({ ...l, unit_price: unitPrices.get(l.sku_id) ?? l.unit_price }))
    const priceChanges = theCart.lines
      .filter((l) => l.unit_price !== listings.get(l.sku_id)!.price)
      .map((l) => ({ sku_id: l.sku_id, previous_unit_price: l.unit_price, unit_price: listings.get(l.sku_id)!.price }))
    return { account, cart: theCart, address, quote: q, lines: planLines, couponCode, priceChanges }
  })

/** The answer of `POST /v1/checkout/quote`, and the `quote` of a `price_changed` error. */
export const quoteBody = (q: Quote) => ({
  subtotal: q.subtotal,
  discount: q.discount,
  shipping: q.shipping,
  tax: q.tax,
  total: q.total,
  currency: q.currency,
  prices_include_tax: q.prices_include_tax,
  shipping_option_id: q.shipping_option_id,
  eta_days: q.eta_days,
  shipping_options: q.shipping_options.map((o) => ({ shipping_option_id: o.shipping_option_id, name: o.name, price: o.price, eta_days: o.eta_days })),
  items: q.lines.map((l) => ({ sku_id: l.sku_id, product_id: l.product_id, quantity: l.quantity, unit_price: l.unit_price, discount: l.discount, tax: l.tax, line_total: l.line_total })),
  coupon: q.coupon === null ? null : { code: q.coupon.code, applied: q.coupon.applied, amount: q.coupon.amount }
})
export type QuoteBody = ReturnType<typeof quoteBody>
