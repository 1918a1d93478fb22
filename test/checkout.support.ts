/**
 * Shared by the checkout end-to-end suites: a shop (admin, approved seller, category, products
 * with stock), shoppers with an address and payment methods (cards tokenized at the provider
 * simulator, never here), and small helpers over real HTTP.
 */
import { randomBytes } from "node:crypto"
import { expect } from "vitest"
import { sellerIdOfUser } from "../gateway/inventory/sellers.ts"
import { type Account, type Answer, call, isErrorShape, sampleAddress, signUp } from "./support/store.ts"

export type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

export const body = (res: Answer) => res.json as Json
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const expectError = (res: Answer, status: number, code: string) => {
  expect(res.status, res.text).toBe(status)
  expect(isErrorShape(res.json), res.text).toBe(true)
  expect((res.json as { error: { code: string } }).error.code, res.text).toBe(code)
}

/** Ask until `done` holds; the last answer either way. */
export const eventually = async (ask: () => Promise<Answer>, done: (res: Answer) => boolean, timeoutMs = 15_000): Promise<Answer> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const res = await ask()
    if (done(res) || Date.now() > deadline) return res
    await sleep(100)
  }
}

/** A card tokenized at the provider, as a shopper's device would. */
export const tokenize = async (providerUrl: string, cardNumber: string): Promise<string> => {
  const res = await fetch(`${providerUrl}/v1/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ card_number: cardNumber, exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: "123" })
  })
  expect(res.status).toBe(201)
  return ((await res.json()) as { token: string }).token
}

/** The provider's payments for a reference (our payment id). */
export const providerPayments = async (providerUrl: string, reference: string): Promise<Array<Json>> => {
  const res = await fetch(`${providerUrl}/v1/payments?reference=${encodeURIComponent(reference)}`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { data: Array<Json> }).data
}

export class Shop {
  admin = ""
  seller!: Account
  categoryId = ""
  constructor(readonly base: () => string) {}

  post = (path: string, token: string | undefined, payload?: unknown, headers: Record<string, string> = {}) =>
    call(this.base(), "POST", path, { token, headers, ...(payload === undefined ? {} : { body: payload }) })

  async setUp(adminEmail: string, adminPassword: string) {
    const login = await this.post("/v1/auth/login", undefined, { email: adminEmail, password: adminPassword })
    expect(login.status, login.text).toBe(200)
    this.admin = body(login)["token"]
    this.seller = await signUp(this.base(), "checkout-seller")
    expect((await this.post("/v1/seller/register", this.seller.token, { display_name: "Checkout test shop" })).status).toBe(201)
    expect((await this.post(`/v1/admin/sellers/${sellerIdOfUser(this.seller.userId)}/approve`, this.admin)).status).toBe(200)
    const category = await this.post("/v1/admin/categories", this.admin, { name: `Checkout things ${randomBytes(3).toString("hex")}` })
    expect(category.status, category.text).toBe(201)
    this.categoryId = body(category)["category_id"]
  }

  /** A product with one SKU per price, each with `onHand` units in wh_main; waits until the catalog lists it. */
  async product(prices: ReadonlyArray<number>, onHand: number) {
    const listing = { title: `Thing ${randomBytes(3).toString("hex")}`, brand: "Acme", category_id: this.categoryId, skus: prices.map((price) => ({ price })) }
    const created = await this.post("/v1/seller/products", this.seller.token, listing)
    expect(created.status, created.text).toBe(201)
    const product = body(created) as { product_id: string; skus: Array<{ sku_id: string }> }
    for (const s of product.skus) await this.stock(s.sku_id, onHand)
    // The catalog read model (which the cart reads prices and stock from) lags writes by up to ~1 s.
    const listed = await eventually(
      () => call(this.base(), "GET", `/v1/products/${product.product_id}`),
      (res) => res.status === 200 && (body(res)["skus"] as Array<{ available_quantity: number }>).every((k) => k.available_quantity === onHand)
    )
    expect(listed.status, listed.text).toBe(200)
    expect((body(listed)["skus"] as Array<{ available_quantity: number }>).map((k) => k.available_quantity)).toEqual(product.skus.map(() => onHand))
    return { productId: product.product_id, skuIds: product.skus.map((s) => s.sku_id), listing }
  }

  async stock(skuId: string, onHand: number) {
    const res = await this.post("/v1/seller/inventory", this.seller.token, { sku_id: skuId, warehouse_id: "wh_main", on_hand: onHand })
    expect(res.status, res.text).toBe(200)
  }

  async available(skuId: string): Promise<number> {
    const res = await call(this.base(), "GET", `/v1/skus/${skuId}/stock`)
    expect(res.status, res.text).toBe(200)
    return body(res)["available_quantity"]
  }

  async defineCoupon(definition: Json) {
    const res = await this.post("/v1/admin/coupons", this.admin, definition)
    expect(res.status, res.text).toBe(201)
  }
}

export interface Shopper extends Account {
  readonly cartId: string
  readonly addressId: string
  /** Payment method ids by name. */
  readonly methods: Record<string, string>
}

/** A fresh shopper with an address in Karnataka, cash on delivery, and one card per given card number. */
export const newShopper = async (base: string, providerUrl: string | undefined, cards: Record<string, string> = {}): Promise<Shopper> => {
  const account = await signUp(base, "checkout-shopper")
  const address = await call(base, "POST", "/v1/me/addresses", { token: account.token, body: sampleAddress() })
  expect(address.status, address.text).toBe(201)
  const methods: Record<string, string> = {}
  const cod = await call(base, "POST", "/v1/me/payment-methods", { token: account.token, body: { type: "cod" } })
  expect(cod.status, cod.text).toBe(201)
  methods["cod"] = body(cod)["payment_method_id"]
  for (const [name, number] of Object.entries(cards)) {
    const token = await tokenize(providerUrl!, number)
    const card = await call(base, "POST", "/v1/me/payment-methods", { token: account.token, body: { type: "card", token } })
    expect(card.status, card.text).toBe(201)
    methods[name] = body(card)["payment_method_id"]
  }
  const cart = await call(base, "GET", "/v1/cart", { token: account.token })
  expect(cart.status, cart.text).toBe(200)
  return { ...account, cartId: body(cart)["cart_id"], addressId: body(address)["address_id"], methods }
}

export const addToCart = async (base: string, shopper: Shopper, skuId: string, quantity: number) => {
  const res = await call(base, "POST", "/v1/cart/items", { token: shopper.token, body: { sku_id: skuId, quantity } })
  expect(res.status, res.text).toBe(200)
  return res
}

export const checkoutBody = (shopper: Shopper, method: string, extra: Json = {}) => ({
  cart_id: shopper.cartId,
  shipping_address_id: shopper.addressId,
  payment_method_id: shopper.methods[method],
  ...extra
})

/** POST /v1/checkout with an Idempotency-Key header (a fresh one unless given; `null`: none). */
export const postCheckout = (base: string, shopper: Shopper, payload: unknown, key: string | null = randomBytes(8).toString("hex")) =>
  call(base, "POST", "/v1/checkout", { token: shopper.token, body: payload, headers: key === null ? {} : { "idempotency-key": key } })
