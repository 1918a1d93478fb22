import { Effect, Schema } from "effect"
import { Text } from "../../actors/accounts/fields.ts"
import { Attributes } from "../../actors/catalog/attributes.ts"
import { catalogLimits, CategoryId, CurrencyCode, ImageUrl, LongText, PriceMinor, ProductId, SellerId } from "../../actors/catalog/fields.ts"
import { SkuId } from "../../actors/inventory/sku-schema.ts"
import type { Actors } from "../../runtime/service.ts"
import { isAdmin } from "../inventory/sellers.ts"
import { type AnyRoute, commonErrors, route } from "../route.ts"
import type { CatalogWriteConfig } from "../sellers/config.ts"
import { productIdFor } from "../sellers/ids.ts"
import { managedProduct, saveListing } from "../sellers/products.ts"
import { listingSeller } from "../sellers/sellers.ts"
import { productOf, SellerProduct } from "../sellers/views.ts"

/**
 * Sellers' products over HTTP (API.md, "Sellers and operations", "Sellers, catalog, stock"): an
 * approved seller creates and replaces its own listings; an admin acts for any seller. Attributes
 * are checked against the category's attribute schema (the product's merged with each SKU's).
 * Every SKU is registered to the seller before the product is written, so
 * `POST /v1/seller/inventory` works on it right after. Another seller's product is 404.
 */

const noAttributes = () => ({})

const SkuBody = Schema.Struct({
  sku_id: Schema.optional(SkuId).annotations({
    description: "keep an existing SKU (and its stock) by sending its id back; minted (`sku_…`) when omitted"
  }),
  attributes: Schema.optionalWith(Attributes, { default: noAttributes }).annotations({ description: "override the product's attributes for this SKU" }),
  price: PriceMinor.annotations({ description: `minor units, 0..${catalogLimits.maxPriceMinor}` }),
  currency: Schema.optional(CurrencyCode).annotations({ description: "the store currency (STORE_CURRENCY); any other is 422 currency_not_supported" })
})

const Skus = Schema.Array(SkuBody).pipe(
  Schema.minItems(1),
  Schema.maxItems(catalogLimits.maxSkus),
  Schema.filter((skus) => {
    const seen = new Set<string>()
    const issues: Array<{ path: ReadonlyArray<string | number>; message: string }> = []
    skus.forEach((s, i) => {
      if (s.sku_id === undefined) return
      if (seen.has(s.sku_id)) issues.push({ path: [i, "sku_id"], message: "sku_id must be distinct within a product" })
      seen.add(s.sku_id)
    })
    return issues.length === 0 ? undefined : issues
  })
)

const listingFields = {
  title: Text(catalogLimits.maxTitleLength),
  description: Schema.optionalWith(LongText(catalogLimits.maxDescriptionLength), { default: () => "" }),
  brand: Text(catalogLimits.maxBrandLength),
  category_id: CategoryId,
  attributes: Schema.optionalWith(Attributes, { default: noAttributes }).annotations({
    description: "checked against the category's attribute_schema, merged with each SKU's"
  }),
  images: Schema.optionalWith(Schema.Array(ImageUrl).pipe(Schema.maxItems(catalogLimits.maxImages)), { default: () => [] }),
  skus: Skus
}

const CreateProductBody = Schema.Struct({
  ...listingFields,
  seller_id: Schema.optional(SellerId).annotations({ description: "admins only: the seller to list for; a seller may leave it out or send its own" })
})
const UpdateProductBody = Schema.Struct(listingFields)
const ProductParams = Schema.Struct({ product_id: ProductId })

const writeErrors: ReadonlyArray<readonly [number, string]> = [
  ...commonErrors,
  [401, "unauthenticated"],
  [403, "forbidden"],
  [404, "not_found"],
  [409, "conflict"],
  [422, "currency_not_supported"],
  [422, "idempotency_key_reused"]
]

export const sellerProductRoutes = (deps: { readonly config: CatalogWriteConfig }): ReadonlyArray<AnyRoute<Actors>> => [
  route({
    operationId: "createProduct",
    method: "post",
    path: "/v1/seller/products",
    summary:
      "List a product with its SKUs (approved sellers; admins for any seller with seller_id). Attribute violations are 400 with the paths of the problems; an unknown category is 404; a sku_id of another seller is 409.",
    tags: ["catalog"],
    access: "user",
    rateClass: "write",
    idempotency: "optional",
    body: CreateProductBody,
    success: { status: 201, schema: SellerProduct, description: "the product, with its SKU ids" },
    errors: writeErrors,
    handler: (r) =>
      Effect.gen(function* () {
        const caller = r.caller!
        const { seller_id, ...input } = r.body
        const seller = yield* listingSeller(caller, seller_id, r.nowMs)
        const productId = productIdFor(caller.userId, r.idempotencyKey)
        const saved = yield* saveListing(
          { mode: "create", productId, sellerId: seller.seller_id, input, userId: caller.userId, idempotencyKey: r.idempotencyKey, nowMs: r.nowMs },
          deps.config
        )
        return { status: 201, body: productOf(saved) }
      })
  }),
  route({
    operationId: "updateProduct",
    method: "put",
    path: "/v1/seller/products/{product_id}",
    summary:
      "Replace a product's listing (its seller, while approved, or an admin). SKUs left out leave the listing but keep their stock; send a sku_id back to keep it. Another seller's product is 404.",
    tags: ["catalog"],
    access: "user",
    rateClass: "write",
    idempotency: "optional",
    params: ProductParams,
    body: UpdateProductBody,
    success: { status: 200, schema: SellerProduct, description: "the product as replaced" },
    errors: writeErrors,
    handler: (r) =>
      Effect.gen(function* () {
        const caller = r.caller!
        const current = yield* managedProduct(caller, r.params.product_id, r.nowMs)
        // Ownership first (404 for others), then standing: a suspended seller may not change listings; admins may.
        if (!isAdmin(caller)) yield* listingSeller(caller, undefined, r.nowMs)
        const saved = yield* saveListing(
          {
            mode: "update",
            productId: current.product_id,
            sellerId: current.seller_id,
            input: r.body,
            userId: caller.userId,
            idempotencyKey: r.idempotencyKey,
            nowMs: r.nowMs
          },
          deps.config
        )
        return { body: productOf(saved) }
      })
  }),
  route({
    operationId: "getSellerProduct",
    method: "get",
    path: "/v1/seller/products/{product_id}",
    summary: "A product as its seller (or an admin) sees it; another seller's product is 404",
    tags: ["catalog"],
    access: "user",
    rateClass: "read",
    idempotency: "none",
    params: ProductParams,
    success: { status: 200, schema: SellerProduct, description: "the product" },
    errors: [...commonErrors, [401, "unauthenticated"], [404, "not_found"]],
    handler: (r) => managedProduct(r.caller!, r.params.product_id, r.nowMs).pipe(Effect.map((p) => ({ body: productOf(p) })))
  })
]
