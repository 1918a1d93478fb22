import { Effect } from "effect"
import { type Cart, cart, type CartCommand, type CartReply } from "../../actors/cart/cart.ts"
import type { CurrentSku } from "../../actors/cart/revalidate.ts"
import { type ShopperCart, shopperCart } from "../../actors/cart/shopper-cart.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { type ApiError, invalidRequest, notFound, unavailable } from "../api-error.ts"
import type { CatalogReader, SkuListing } from "../catalog/catalog-reader.ts"
import type { Caller } from "../route.ts"
import type { CartConfig } from "./config.ts"
import { cartRejection, noCart, noneAvailable, shopperCartRejection } from "./errors.ts"
import { anonymousShopperOf, cartTokenHeader, isWellFormedCartToken, newCartId, newCartToken } from "./ids.ts"
import { type CartBody, cartBody, currentPrices } from "./views.ts"

/**
 * The cart as the routes use it: who the shopper is, which cart is theirs, and each change with
 * the checks that need the outside world (the catalog's listing, price and stock, all in memory)
 * before the cart actor decides. Every answer is the cart revalidated against current prices and
 * stock. A signed-in user's add, once their cart is open, is one durable cart command.
 *
 * A signed-in user has one cart for life (created on first use); a shopper without an account
 * gets an anonymous cart and its token with the first item added, and sends the token back as
 * `X-Cart-Token`. With a bearer token the cart is always the account's.
 */

export type Shopper =
  | { readonly kind: "user"; readonly id: string }
  | { readonly kind: "anonymous"; readonly id: string; readonly token: string }

export interface CartDeps {
  readonly catalog: CatalogReader
  readonly config: CartConfig
}

/** A SKU's stock as its actor knows it. */
type Stock = Pick<CurrentSku, "available" | "stock_status">

/** The cart a change produced, and the token of an anonymous cart it started (shown once). */
export interface CartAnswer {
  readonly body: CartBody
  readonly headers?: Readonly<Record<string, string>>
}

/** The signed-in user, else the holder of a well-formed cart token, else nobody (undefined). A malformed token is 400. */
export const shopperOf = (caller: Caller | undefined, headers: Readonly<Record<string, string>>): Effect.Effect<Shopper | undefined, ApiError> => {
  if (caller !== undefined) return Effect.succeed({ kind: "user", id: caller.userId })
  const token = headers[cartTokenHeader]
  if (token === undefined) return Effect.succeed(undefined)
  if (!isWellFormedCartToken(token)) {
    return Effect.fail(invalidRequest("the X-Cart-Token header is not a cart token", [{ path: "header.x-cart-token", message: "must be the 43-character cart_token a cart answer gave" }]))
  }
  return Effect.succeed({ kind: "anonymous", id: anonymousShopperOf(token), token })
}

/** Signed-in users whose open cart's id is remembered, per cart service. */
const maxRememberedCarts = 100_000

const catalogDown = () => unavailable("the catalog is unavailable; retry shortly", 1)

export const cartService = (deps: CartDeps) => {
  const currency = deps.config.storeCurrency

  const listings = (skuIds: ReadonlyArray<string>): Effect.Effect<ReadonlyMap<string, SkuListing>, ApiError> =>
    skuIds.length === 0 ? Effect.succeed(new Map()) : deps.catalog.skus(skuIds).pipe(Effect.mapError(catalogDown))

  /** The SKU as it sells now, or 404 when no product lists it. */
  const listing = (skuId: string) =>
    listings([skuId]).pipe(
      Effect.flatMap((found) => {
        const l = found.get(skuId)
        return l === undefined ? Effect.fail(notFound("no such SKU")) : Effect.succeed(l)
      })
    )

  /** Units available as the catalog read model knows them (in memory; may lag the SKU actor by up to ~1 s). */
  const stockOf = (l: SkuListing): Stock => ({ available: l.available_quantity, stock_status: l.stock_status })

  const askCart = (cartId: string, command: CartCommand, nowMs: number): Effect.Effect<CartReply, ApiError, Actors> =>
    callActor(cart, cartId, command, nowMs, cartRejection)

  /**
   * Open the cart (a no-op once open; it also completes a cart whose Open was lost to a crash after
   * the shopper got its id). A cart opened before STORE_CURRENCY changed keeps its currency.
   */
  const openCart = (cartId: string, owner: string, nowMs: number): Effect.Effect<Cart, ApiError, Actors> =>
    askCart(cartId, { _tag: "Open", owner, currency }, nowMs).pipe(
      Effect.catchIf(
        (e) => e.status === 409 && typeof e.details["currency"] === "string",
        () => askCart(cartId, { _tag: "Get" }, nowMs)
      ),
      Effect.map((reply) => reply.cart)
    )

  /**
   * Signed-in users whose cart is known to be open: user → cart id. A user's cart never changes
   * (one for life), so a change to it needs neither the pointer nor `Open` again. Bounded: the
   * oldest entries are forgotten (and looked up again when needed).
   */
  const openUserCarts = new Map<string, string>()
  const rememberOpen = (userId: string, cartId: string) => {
    if (openUserCarts.has(userId)) return
    openUserCarts.set(userId, cartId)
    if (openUserCarts.size > maxRememberedCarts) openUserCarts.delete(openUserCarts.keys().next().value as string)
  }

  /** The shopper's cart, created on first use. */
  const ensureCart = (shopperId: string, nowMs: number) =>
    callActor(shopperCart, shopperId, { _tag: "Assign", cart_id: newCartId() }, nowMs, shopperCartRejection).pipe(
      Effect.flatMap((pointer) => openCart(pointer.cart_id!, shopperId, nowMs))
    )

  /** The id of the shopper's cart (assigned on first use; maybe not opened yet). */
  const assignedCartId = (shopperId: string, nowMs: number) =>
    callActor(shopperCart, shopperId, { _tag: "Assign", cart_id: newCartId() }, nowMs, shopperCartRejection).pipe(Effect.map((pointer) => pointer.cart_id!))

  /** An anonymous shopper's cart: only one that was handed out and not merged into an account since (404 otherwise). */
  const existingCart = (shopperId: string, nowMs: number) =>
    callActor(shopperCart, shopperId, { _tag: "Get" }, nowMs, shopperCartRejection).pipe(
      Effect.flatMap((pointer: ShopperCart) =>
        pointer.cart_id === null || pointer.merged_into !== null ? Effect.fail(noCart()) : openCart(pointer.cart_id, shopperId, nowMs)
      )
    )

  /** The cart of a known shopper; nobody has none (404). */
  const cartOf = (shopper: Shopper | undefined, nowMs: number): Effect.Effect<Cart, ApiError, Actors> => {
    if (shopper === undefined) return Effect.fail(noCart())
    return shopper.kind === "user" ? ensureCart(shopper.id, nowMs) : existingCart(shopper.id, nowMs)
  }

  /** The cart as shown: current prices and stock from the catalog. */
  const show = (c: Cart, cartToken?: string) =>
    listings(c.lines.map((l) => l.sku_id)).pipe(Effect.map((found) => cartBody(c, currentPrices(found, c.currency), cartToken)))

  /**
   * Add units of a SKU (adding to the line when it is in the cart). The SKU must be listed (404)
   * and have stock now (409 `out_of_stock`); nothing is reserved. A shopper with neither account
   * nor cart token gets a new anonymous cart, its token in the answer.
   */
  const addItem = (shopper: Shopper | undefined, skuId: string, quantity: number, nowMs: number): Effect.Effect<CartAnswer, ApiError, Actors> =>
    // Every check before anything is created: a refused add leaves no cart behind.
    Effect.flatMap(listing(skuId), (listed) => {
      const stock = stockOf(listed)
      if (stock.available <= 0) return Effect.fail(noneAvailable(skuId, quantity, 0))
      const command: CartCommand = {
        _tag: "AddItem",
        sku_id: skuId,
        product_id: listed.product_id,
        title: listed.title,
        quantity,
        unit_price: listed.price,
        currency: listed.currency
      }
      /** Add to the cart (opening it for `owner` first in the same command, when given). */
      const add = (cartId: string, owner?: string, minted?: string) =>
        askCart(cartId, owner === undefined ? command : { ...command, open: { owner, currency } }, nowMs).pipe(
          Effect.flatMap((reply) => show(reply.cart, minted)),
          Effect.map((body): CartAnswer => (minted === undefined ? { body } : { body, headers: { [cartTokenHeader]: minted } }))
        )
      if (shopper === undefined) {
        const token = newCartToken()
        const owner = anonymousShopperOf(token)
        return Effect.flatMap(assignedCartId(owner, nowMs), (cartId) => add(cartId, owner, token))
      }
      if (shopper.kind === "user") {
        const known = openUserCarts.get(shopper.id)
        if (known !== undefined) return add(known)
        return Effect.flatMap(assignedCartId(shopper.id, nowMs), (cartId) =>
          Effect.tap(add(cartId, shopper.id), () => Effect.sync(() => rememberOpen(shopper.id, cartId)))
        )
      }
      return Effect.flatMap(existingCart(shopper.id, nowMs), (c) => add(c.cart_id))
    })

  /**
   * Set a line's quantity (0 removes it). Raising it is adding: the SKU must still be listed and in
   * stock; lowering it is always allowed.
   */
  const setQuantity = (shopper: Shopper | undefined, skuId: string, quantity: number, nowMs: number): Effect.Effect<CartAnswer, ApiError, Actors> =>
    Effect.gen(function* () {
      const current = yield* cartOf(shopper, nowMs)
      const line = current.lines.find((l) => l.sku_id === skuId)
      if (quantity > 0 && line === undefined) return yield* Effect.fail(notFound("this SKU is not in the cart"))
      if (line !== undefined && quantity > line.quantity) {
        const stock = stockOf(yield* listing(skuId))
        if (stock.available <= 0) return yield* Effect.fail(noneAvailable(skuId, quantity, 0))
      }
      const reply = yield* askCart(current.cart_id, { _tag: "SetQuantity", sku_id: skuId, quantity }, nowMs)
      return { body: yield* show(reply.cart) }
    })

  /** Remove a line (nothing happens when it is not there). */
  const removeItem = (shopper: Shopper | undefined, skuId: string, nowMs: number): Effect.Effect<CartAnswer, ApiError, Actors> =>
    cartOf(shopper, nowMs).pipe(
      Effect.flatMap((c) => askCart(c.cart_id, { _tag: "RemoveItem", sku_id: skuId }, nowMs)),
      Effect.flatMap((reply) => show(reply.cart)),
      Effect.map((body) => ({ body }))
    )

  const getCart = (shopper: Shopper | undefined, nowMs: number): Effect.Effect<CartAnswer, ApiError, Actors> =>
    cartOf(shopper, nowMs).pipe(
      Effect.flatMap((c) => show(c)),
      Effect.map((body) => ({ body }))
    )

  /**
   * At sign-in: merge the anonymous cart of `cartToken` into the user's cart, then retire it (its
   * token leads nowhere afterwards). Idempotent: the cart actor remembers merges by the anonymous
   * cart's id, and a retired cart is not merged again. Unknown or retired tokens are ignored.
   */
  const mergeAtSignIn = (cartToken: string, userId: string, nowMs: number): Effect.Effect<void, ApiError, Actors> =>
    Effect.gen(function* () {
      const anonymous = anonymousShopperOf(cartToken)
      const pointer = yield* callActor(shopperCart, anonymous, { _tag: "Get" }, nowMs, shopperCartRejection)
      if (pointer.cart_id === null || pointer.merged_into !== null) return
      const from = yield* askCart(pointer.cart_id, { _tag: "Get" }, nowMs).pipe(
        Effect.map((reply) => reply.cart),
        Effect.catchIf(
          (e) => e.status === 404,
          () => Effect.succeed(undefined)
        )
      )
      const into = yield* ensureCart(userId, nowMs)
      if (from !== undefined && from.lines.length > 0) {
        const fromLines = from.lines.map((l) => ({ ...l, currency: from.currency }))
        yield* askCart(into.cart_id, { _tag: "Merge", from_cart_id: from.cart_id, from_lines: fromLines }, nowMs)
      }
      yield* callActor(shopperCart, anonymous, { _tag: "Retire", merged_into: into.cart_id }, nowMs, shopperCartRejection)
    })

  return { listing, listings, cartOf, show, addItem, setQuantity, removeItem, getCart, mergeAtSignIn }
}

export type CartService = ReturnType<typeof cartService>
