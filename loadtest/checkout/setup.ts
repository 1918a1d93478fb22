/**
 * Setup of the checkout benchmark (not measured), through the store's public API as a user
 * would: the admin logs in, a seller registers and is approved, creates products with stocked
 * SKUs (the spread SKUs and one hot SKU), and shoppers sign up with an address and a card
 * tokenized at the provider simulator (each its own Luhn-valid number, so each its own card
 * fingerprint for the fraud rules), then read their cart id.
 */
import { randomBytes } from "node:crypto"
import { sellerIdOfUser } from "../../gateway/inventory/sellers.ts"
import { inParallel, type JsonClient, short } from "./http.ts"

export interface BenchShopper {
  readonly userId: string
  readonly token: string
  readonly cartId: string
  readonly addressId: string
  readonly paymentMethodId: string
  /** The card token at the provider (the baseline charges it too). */
  readonly cardToken: string
}

export interface BenchShop {
  readonly adminToken: string
  readonly sellerToken: string
  /** SKUs the shoppers spread over, with their price and initial on_hand. */
  readonly skus: ReadonlyArray<{ readonly skuId: string; readonly price: number; readonly onHand: number }>
  readonly hotSku: { readonly skuId: string; readonly price: number; readonly onHand: number }
}

const expect = (what: string, res: { status: number; body: unknown }, status: number) => {
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${short(res.body)}`)
  return res.body as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A Luhn-valid 16-digit Visa-like number that is none of the simulator's special test cards (they all contain "0000"). */
export const cardNumberFor = (i: number): string => {
  const body = `4${String(1_111_111 + i).padStart(7, "1")}${String(Math.floor(Math.random() * 1e7)).padStart(7, "7")}`.replace(/0000/g, "1111")
  const digits = body.split("").map(Number)
  let sum = 0
  for (let k = 0; k < digits.length; k++) {
    // From the right of the full number, the check digit is position 1: the body's last digit is doubled.
    let d = digits[digits.length - 1 - k]!
    if (k % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return `${body}${(10 - (sum % 10)) % 10}`
}

/** A product with one SKU per price, each with `onHand` in wh_main; waits until the catalog lists it. */
const createProduct = async (api: JsonClient, sellerToken: string, categoryId: string, prices: ReadonlyArray<number>, onHand: number) => {
  const created = expect(
    "POST /v1/seller/products",
    await api.request("POST", "/v1/seller/products", {
      token: sellerToken,
      body: { title: `Bench thing ${randomBytes(3).toString("hex")}`, brand: "Acme", category_id: categoryId, skus: prices.map((price) => ({ price })) }
    }),
    201
  )
  const skuIds = (created["skus"] as Array<{ sku_id: string }>).map((s) => s.sku_id)
  await inParallel(skuIds, 8, async (skuId) =>
    expect("POST /v1/seller/inventory", await api.request("POST", "/v1/seller/inventory", { token: sellerToken, body: { sku_id: skuId, warehouse_id: "wh_main", on_hand: onHand } }), 200)
  )
  for (let attempt = 0; ; attempt++) {
    const res = await api.request("GET", `/v1/products/${created["product_id"]}`)
    if (res.status === 200) break
    if (attempt > 100) throw new Error(`the product ${created["product_id"]} is not listed after 10 s: ${short(res.body)}`)
    await sleep(100)
  }
  return skuIds
}

export const setUpShop = async (api: JsonClient, admin: { email: string; password: string }, skuCount: number, stockPerSku: number, hotStock: number): Promise<BenchShop> => {
  const adminToken = expect("admin login", await api.request("POST", "/v1/auth/login", { body: admin }), 200)["token"] as string
  const seller = await signUp(api, "bench-seller", 0)
  expect("seller register", await api.request("POST", "/v1/seller/register", { token: seller.token, body: { display_name: "Checkout bench shop" } }), 201)
  expect("seller approve", await api.request("POST", `/v1/admin/sellers/${sellerIdOfUser(seller.userId)}/approve`, { token: adminToken }), 200)
  const categoryId = expect("category", await api.request("POST", "/v1/admin/categories", { token: adminToken, body: { name: `Bench things ${randomBytes(3).toString("hex")}` } }), 201)[
    "category_id"
  ] as string
  const perProduct = 50
  const skus: Array<BenchShop["skus"][number]> = []
  for (let from = 0; from < skuCount; from += perProduct) {
    const prices = Array.from({ length: Math.min(perProduct, skuCount - from) }, (_, k) => 10_000 + ((from + k) % 97) * 100)
    const ids = await createProduct(api, seller.token, categoryId, prices, stockPerSku)
    ids.forEach((skuId, k) => skus.push({ skuId, price: prices[k]!, onHand: stockPerSku }))
  }
  const [hotId] = await createProduct(api, seller.token, categoryId, [19_900], hotStock)
  return { adminToken, sellerToken: seller.token, skus, hotSku: { skuId: hotId!, price: 19_900, onHand: hotStock } }
}

const signUp = async (api: JsonClient, tag: string, i: number) => {
  const email = `${tag}-${Date.now().toString(36)}${randomBytes(3).toString("hex")}-${i}@bench.example.com`
  for (let attempt = 1; ; attempt++) {
    const res = await api.request("POST", "/v1/auth/signup", { body: { email, password: "bench-password-1", name: `${tag} ${i}` } })
    if (res.status === 201) {
      const body = res.body as { user_id: string; token: string }
      return { userId: body.user_id, token: body.token }
    }
    if (res.status !== 503 || attempt >= 10) throw new Error(`signup answered ${res.status}: ${short(res.body)}`)
    await sleep(200 * attempt)
  }
}

/** `count` shoppers, each with an address in Karnataka, a card of its own and its cart id. */
export const setUpShoppers = async (api: JsonClient, provider: JsonClient, count: number): Promise<Array<BenchShopper>> =>
  inParallel(Array.from({ length: count }, (_, i) => i), 16, async (i) => {
    const account = await signUp(api, "bench-shopper", i)
    const address = expect(
      "POST /v1/me/addresses",
      await api.request("POST", "/v1/me/addresses", {
        token: account.token,
        body: { name: `Shopper ${i}`, line1: "12 MG Road", city: "Bengaluru", region: "KA", postal_code: "560001", country: "IN" }
      }),
      201
    )
    const card = expect(
      "POST /v1/tokens (provider)",
      await provider.request("POST", "/v1/tokens", { body: { card_number: cardNumberFor(i), exp_month: 12, exp_year: new Date().getUTCFullYear() + 3, cvc: "123" } }),
      201
    )
    const method = expect("POST /v1/me/payment-methods", await api.request("POST", "/v1/me/payment-methods", { token: account.token, body: { type: "card", token: card["token"] } }), 201)
    const cart = expect("GET /v1/cart", await api.request("GET", "/v1/cart", { token: account.token }), 200)
    return {
      userId: account.userId,
      token: account.token,
      cartId: cart["cart_id"] as string,
      addressId: address["address_id"] as string,
      paymentMethodId: method["payment_method_id"] as string,
      cardToken: card["token"] as string
    }
  })
