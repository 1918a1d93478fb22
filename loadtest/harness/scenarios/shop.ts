/**
 * Setup through the public API (not measured), as a user would: the admin logs in, a seller
 * registers and is approved, creates products with stocked SKUs; shoppers sign up with an address,
 * a payment method (a card tokenized at the simulator when there is one, else cash on delivery)
 * and their cart id.
 */
import { randomBytes } from "node:crypto"
import { sellerIdOfUser } from "../../../gateway/inventory/sellers.ts"
import { expectStatus, type Http, inParallel, sleep } from "../http.ts"
import type { Target } from "../target.ts"

export interface Shopper {
  readonly index: number
  readonly userId: string
  readonly token: string
  readonly cartId: string
  readonly addressId: string
  readonly paymentMethodId: string
  readonly card: boolean
}

export const adminToken = async (http: Http, target: Target): Promise<string> => {
  if (target.admin === undefined) throw new Error("this scenario needs an admin account: --admin-email and --admin-password (or LOADTEST_ADMIN_EMAIL / LOADTEST_ADMIN_PASSWORD)")
  return expectStatus("admin login", await http.request("POST", "/v1/auth/login", { body: target.admin }), 200)["token"] as string
}

const tag = () => `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`

export const signUp = async (http: Http, who: string, i: number): Promise<{ userId: string; token: string }> => {
  const email = `${who}-${tag()}-${i}@loadtest.example.com`
  for (let attempt = 1; ; attempt++) {
    const res = await http.request("POST", "/v1/auth/signup", { body: { email, password: "loadtest-password-1", name: `${who} ${i}` } })
    if (res.status === 201) return { userId: res.json.user_id as string, token: res.json.token as string }
    if (res.status !== 503 || attempt >= 10) expectStatus("signup", res, 201)
    await sleep(200 * attempt)
  }
}

export interface Shop {
  readonly adminToken: string
  readonly sellerToken: string
  readonly skus: ReadonlyArray<{ readonly skuId: string; readonly productId: string; readonly price: number; readonly onHand: number }>
}

/** A seller with `skuCount` SKUs (50 per product), `onHand` units each; waits until the catalog lists them. */
export const setUpShop = async (http: Http, target: Target, skuCount: number, onHand: number): Promise<Shop> => {
  const admin = await adminToken(http, target)
  const seller = await signUp(http, "lt-seller", 0)
  expectStatus("seller register", await http.request("POST", "/v1/seller/register", { token: seller.token, body: { display_name: "Load test shop" } }), 201)
  expectStatus("seller approve", await http.request("POST", `/v1/admin/sellers/${sellerIdOfUser(seller.userId)}/approve`, { token: admin }), 200)
  const categoryId = expectStatus("category", await http.request("POST", "/v1/admin/categories", { token: admin, body: { name: `Load test ${tag()}` } }), 201)["category_id"] as string
  const skus: Array<Shop["skus"][number]> = []
  for (let from = 0; from < skuCount; from += 50) {
    const prices = Array.from({ length: Math.min(50, skuCount - from) }, (_, k) => 10_000 + ((from + k) % 97) * 100)
    const created = expectStatus(
      "create product",
      await http.request("POST", "/v1/seller/products", { token: seller.token, body: { title: `Load test thing ${tag()}`, brand: "Acme", category_id: categoryId, skus: prices.map((price) => ({ price })) } }),
      201
    )
    const productId = created["product_id"] as string
    const ids = (created["skus"] as Array<{ sku_id: string }>).map((s) => s.sku_id)
    await inParallel(ids, 8, async (skuId) =>
      expectStatus("stock", await http.request("POST", "/v1/seller/inventory", { token: seller.token, body: { sku_id: skuId, warehouse_id: "wh_main", on_hand: onHand } }), 200)
    )
    // The cart reads prices and stock from the catalog read model, which lags writes (≤ 1 s).
    for (let attempt = 0; ; attempt++) {
      const res = await http.request("GET", `/v1/products/${productId}`)
      if (res.status === 200 && (res.json.skus as Array<{ available_quantity: number }>).every((k) => k.available_quantity === onHand)) break
      if (attempt > 150) throw new Error(`product ${productId} not listed with its stock after 15 s`)
      await sleep(100)
    }
    ids.forEach((skuId, k) => skus.push({ skuId, productId, price: prices[k]!, onHand }))
  }
  return { adminToken: admin, sellerToken: seller.token, skus }
}

/** `count` shoppers with an address, a payment method and their cart id. */
export const setUpShoppers = async (http: Http, target: Target, count: number, withCard: boolean): Promise<Array<Shopper>> =>
  inParallel(Array.from({ length: count }, (_, i) => i), 8, async (index) => {
    const account = await signUp(http, "lt-shopper", index)
    const address = expectStatus(
      "address",
      await http.request("POST", "/v1/me/addresses", { token: account.token, body: { name: `Shopper ${index}`, line1: "12 MG Road", city: "Bengaluru", region: "KA", postal_code: "560001", country: "IN" } }),
      201
    )
    let method: Record<string, unknown>
    const card = withCard && target.providerUrl !== undefined
    if (card) {
      const tokenized = await fetch(`${target.providerUrl}/v1/tokens`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ card_number: "4242424242424242", exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: "123" }),
        signal: AbortSignal.timeout(15_000)
      })
      if (tokenized.status !== 201) throw new Error(`provider tokenize answered ${tokenized.status}`)
      const token = ((await tokenized.json()) as { token: string }).token
      method = expectStatus("card", await http.request("POST", "/v1/me/payment-methods", { token: account.token, body: { type: "card", token } }), 201)
    } else {
      method = expectStatus("cod", await http.request("POST", "/v1/me/payment-methods", { token: account.token, body: { type: "cod" } }), 201)
    }
    const cart = expectStatus("cart", await http.request("GET", "/v1/cart", { token: account.token }), 200)
    return {
      index,
      userId: account.userId,
      token: account.token,
      cartId: cart["cart_id"] as string,
      addressId: address["address_id"] as string,
      paymentMethodId: method["payment_method_id"] as string,
      card
    }
  })

/** A pool of shoppers handed out one at a time (a shopper's flows never overlap); waits when none is free. */
export class ShopperPool {
  private readonly free: Array<Shopper>
  private readonly waiting: Array<(s: Shopper) => void> = []
  constructor(shoppers: ReadonlyArray<Shopper>) {
    this.free = [...shoppers]
  }
  take(): Promise<Shopper> {
    const s = this.free.shift()
    return s !== undefined ? Promise.resolve(s) : new Promise((resolve) => this.waiting.push(resolve))
  }
  give(s: Shopper) {
    const next = this.waiting.shift()
    if (next !== undefined) next(s)
    else this.free.push(s)
  }
}

/** The SKU's stock as its seller (or an admin) sees it. */
export const skuStock = async (http: Http, token: string, skuId: string) =>
  expectStatus(`stock of ${skuId}`, await http.request("GET", `/v1/seller/inventory/${skuId}`, { token }), 200) as { on_hand: number; reserved: number; available: number; live_holds: number }
