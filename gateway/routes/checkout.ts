import { Effect, Schema } from "effect"
import { coupon, CouponView } from "../../actors/pricing/coupon.ts"
import { CouponDefinition } from "../../actors/pricing/coupon-definition.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import { invalidRequest, unprocessable } from "../api-error.ts"
import { type CheckoutService } from "../checkout/checkouts.ts"
import { type PricingDeps, priceCart, quoteBody } from "../checkout/pricing.ts"
import { type AnyRoute, commonErrors, route } from "../route.ts"

/**
 * Checkout over HTTP (API.md, "Checkout, orders, payments"): the quote, the saga, its status; and
 * the operator's coupon definitions the saga redeems.
 */

const Id = (description: string) => Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128)).annotations({ description })
const Int = Schema.Number.pipe(Schema.int())

const QuoteRequest = Schema.Struct({
  cart_id: Id("the caller's cart (GET /v1/cart)"),
  shipping_address_id: Id("one of the caller's addresses"),
  shipping_option_id: Schema.optional(Schema.String.pipe(Schema.maxLength(64))).annotations({ description: "default: the cheapest option offered" }),
  coupon_code: Schema.optional(Schema.String.pipe(Schema.maxLength(64)))
})

const CheckoutRequest = Schema.Struct({
  ...QuoteRequest.fields,
  payment_method_id: Id("one of the caller's payment methods: card (provider token), or cod; wallet when the shopper has store credit; upi is refused with 422 payment_method_unsupported"),
  idempotency_key: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255))).annotations({
    description: "alias of the Idempotency-Key header (one of the two is required; both and different → 400)"
  }),
  expected_total: Schema.optional(Int.pipe(Schema.between(0, Number.MAX_SAFE_INTEGER))).annotations({
    description:
      "the total the shopper agreed to (a quote's `total`). Without it, the price seen is each cart line's price when it was added. A different price now → 422 price_changed with the new quote in details.quote"
  })
})

const ShippingOption = Schema.Struct({ shipping_option_id: Schema.String, name: Schema.String, price: Int, eta_days: Int })
const QuoteBody = Schema.Struct({
  subtotal: Int,
  discount: Int,
  shipping: Int,
  tax: Int,
  total: Int,
  currency: Schema.String,
  prices_include_tax: Schema.Boolean,
  shipping_option_id: Schema.String,
  eta_days: Int,
  shipping_options: Schema.Array(ShippingOption),
  items: Schema.Array(Schema.Struct({ sku_id: Schema.String, product_id: Schema.String, quantity: Int, unit_price: Int, discount: Int, tax: Int, line_total: Int })),
  coupon: Schema.NullOr(Schema.Struct({ code: Schema.String, applied: Schema.Boolean, amount: Int }))
})

const CheckoutBody = Schema.Struct({
  checkout_id: Schema.String,
  status: Schema.Literal("order_placed", "pending_payment", "failed"),
  order_id: Schema.optional(Schema.String).annotations({ description: "set once the order is placed" }),
  order_preview_total: Int.annotations({ description: "equals the order's totals.total" }),
  currency: Schema.String,
  failure: Schema.optional(Schema.Struct({ code: Schema.String, message: Schema.String, details: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })).annotations({
    description: "GET only, status failed: the error the checkout failed with (payment_declined, out_of_stock…)"
  })
})

const pricingErrors: ReadonlyArray<readonly [number, string]> = [
  [401, "unauthenticated"],
  [404, "not_found"],
  [409, "out_of_stock"],
  [422, "cart_empty"],
  [422, "coupon_invalid"],
  [422, "shipping_option_unavailable"],
  [422, "not_shippable"]
]

export interface CheckoutRouteDeps {
  readonly pricing: PricingDeps
  readonly checkouts: CheckoutService
}

export const checkoutRoutes = (deps: CheckoutRouteDeps): ReadonlyArray<AnyRoute<Actors>> => [
  route({
    operationId: "quoteCheckout",
    method: "post",
    path: "/v1/checkout/quote",
    summary:
      "Price the caller's cart for an address: subtotal, discount (promotions and the coupon), shipping (every option offered, the chosen or cheapest applied), tax, total. Nothing is reserved or redeemed. Another user's cart or address is 404; a coupon that cannot be used is 422 coupon_invalid with details.reason.",
    tags: ["checkout"],
    access: "user",
    rateClass: "write",
    idempotency: "none",
    body: QuoteRequest,
    success: { status: 200, schema: QuoteBody, description: "the quote" },
    errors: [...commonErrors, ...pricingErrors],
    handler: (r) => priceCart(deps.pricing, r.caller!.userId, r.body, r.nowMs).pipe(Effect.map((priced) => ({ body: quoteBody(priced.quote) })))
  }),
  route({
    operationId: "checkout",
    method: "post",
    path: "/v1/checkout",
    summary:
      "Run the checkout saga: validate the cart, price it, redeem the coupon, reserve every line, check fraud rules, authorize the payment, confirm the stock, place the order, empty the cart. 201 with status order_placed (order_id set) or pending_payment (the provider has not answered: poll GET /v1/checkout/{checkout_id}, which later shows order_placed or failed). Failures answer an error and undo what was done (holds released, coupon use given back, authorization voided): 409 out_of_stock with details.skus [{sku_id, requested, available}], 402 payment_declined (details.reason declined, or risk for a fraud rejection), 422 coupon_invalid / cart_empty / price_changed (details.quote: the new quote). A checkout held for fraud review is placed with order status exception. A cart with a SKU in a live flash sale needs the shopper's admission token in X-Admission-Token (403 admission_required without one, admission_invalid for a bad or used one). The idempotency key is required: the same key always answers the same checkout, and never makes a second order or charge.",
    tags: ["checkout"],
    access: "user",
    rateClass: "write",
    idempotency: "required",
    idempotencyBodyField: "idempotency_key",
    needsClientIp: true,
    body: CheckoutRequest,
    success: { status: 201, schema: CheckoutBody, description: "the checkout" },
    errors: [
      ...commonErrors,
      ...pricingErrors,
      [402, "payment_declined"],
      [403, "admission_required"],
      [403, "admission_invalid"],
      [409, "idempotency_in_progress"],
      [409, "checkout_in_progress"],
      [422, "price_changed"],
      [422, "payment_method_unsupported"],
      [422, "nothing_to_pay"],
      [422, "amount_too_large"],
      [422, "idempotency_key_reused"],
      [422, "purchase_limit"]
    ],
    handler: (r) =>
      r.idempotencyKey === undefined
        ? Effect.fail(invalidRequest("an Idempotency-Key header (or idempotency_key) is required", [{ path: "header.idempotency-key", message: "required" }]))
        : deps.checkouts
            .start(r.caller!.userId, r.idempotencyKey, { ...r.body, admission_token: r.headers["x-admission-token"] }, r.ip, r.nowMs)
            .pipe(Effect.map((body) => ({ status: 201, body })))
  }),
  route({
    operationId: "getCheckout",
    method: "get",
    path: "/v1/checkout/{checkout_id}",
    summary: "Where a checkout stands: order_placed (order_id set), pending_payment (the saga carries on), or failed (with the error in failure). Another user's checkout is 404.",
    tags: ["checkout"],
    access: "user",
    rateClass: "read",
    idempotency: "none",
    params: Schema.Struct({ checkout_id: Schema.String.pipe(Schema.maxLength(128)) }),
    success: { status: 200, schema: CheckoutBody, description: "the checkout" },
    errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"]],
    handler: (r) => deps.checkouts.get(r.caller!.userId, r.params.checkout_id).pipe(Effect.map((body) => ({ body })))
  }),
  route({
    operationId: "defineCoupon",
    method: "post",
    path: "/v1/admin/coupons",
    summary:
      "Create or replace a coupon (operators). `code` is upper case, 3..32 characters; `benefit` is any promotion reward (e.g. {kind: order_percentage, percent_bps: 1000}); usage_limit over all customers, per_customer_limit (default 1), min_order_amount, window starts_at/ends_at, exclusive. Uses so far are kept on replace.",
    tags: ["checkout", "admin"],
    access: ["admin"],
    rateClass: "write",
    idempotency: "optional",
    body: CouponDefinition,
    success: { status: 201, schema: CouponView, description: "the coupon" },
    errors: [...commonErrors, [401, "unauthenticated"], [403, "forbidden"], [422, "coupon_invalid"]],
    handler: (r) =>
      callActor(coupon, r.body.code, { _tag: "Define", definition: r.body }, r.nowMs, (e) => unprocessable("coupon_invalid", `the coupon cannot be defined: ${e.reason}`, { reason: e.reason })).pipe(
        Effect.map((reply) => ({ status: 201, body: reply.coupon }))
      )
  })
]
