import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandValidator, Rfc3339Utc, sameJson, Text } from "../accounts/fields.ts"
import { SkuId } from "../inventory/sku-schema.ts"
import { AttributeIssue, Attributes, AttributeSchema, effectiveAttributes, validateAttributes } from "./attributes.ts"
import { catalogLimits, CategoryId, CurrencyCode, ImageUrl, LongText, PriceMinor, ProductId, SellerId } from "./fields.ts"

/**
 * Actor "product", id = the product id (`p_…`, minted by the gateway): a seller's listing with
 * its variant SKUs. Stock lives in the SKU actors (actors/inventory), prices and attributes here.
 *
 * The category's attribute schema comes in the command (`attribute_schema`, as the gateway read
 * it from the category actor just before): the decider stays pure and checks every SKU's
 * effective attributes (product's merged with the SKU's) against it. A category whose schema is
 * absent makes attributes free-form.
 *
 * `Update` replaces the whole listing. A SKU left out of it is removed from the listing (the
 * projection stops showing it, carts revalidating against the product see it gone), but its SKU
 * actor and stock are untouched: the seller can put the same `sku_id` back in a later Update and
 * its stock is there again.
 */

export const ProductSku = Schema.Struct({
  sku_id: SkuId,
  attributes: Attributes,
  price: PriceMinor,
  currency: CurrencyCode
})
export type ProductSku = typeof ProductSku.Type

/** 1..100 SKUs, distinct ids, one currency (a product's `price` is its lowest SKU price). */
export const ProductSkus = Schema.Array(ProductSku).pipe(
  Schema.minItems(1),
  Schema.maxItems(catalogLimits.maxSkus),
  Schema.filter((skus) => new Set(skus.map((s) => s.sku_id)).size === skus.length || "sku_id must be distinct"),
  Schema.filter((skus) => skus.every((s) => s.currency === skus[0]!.currency) || "every SKU must have the same currency")
)

/** What the seller sends, in Create and in Update alike. */
const listing = {
  seller_id: SellerId,
  title: Text(catalogLimits.maxTitleLength),
  description: LongText(catalogLimits.maxDescriptionLength),
  brand: Text(catalogLimits.maxBrandLength),
  category_id: CategoryId,
  attributes: Attributes,
  images: Schema.Array(ImageUrl).pipe(Schema.maxItems(catalogLimits.maxImages)),
  skus: ProductSkus
}
type Listing = Schema.Struct.Type<typeof listing>

export const Product = Schema.Struct({
  product_id: Schema.String,
  ...listing,
  created_at: Rfc3339Utc,
  updated_at: Rfc3339Utc
})
export type Product = typeof Product.Type

export const NewProduct = Schema.Struct({ status: Schema.Literal("new"), product_id: Schema.String })
export const ListedProduct = Schema.Struct({ status: Schema.Literal("active"), product: Product })
export const ProductState = Schema.Union(NewProduct, ListedProduct)
export type ProductState = typeof ProductState.Type

/** The category's schema as read by the caller; absent = the category has none (free-form attributes). */
const categorySchema = { attribute_schema: Schema.optional(AttributeSchema) }

export const ProductCommand = Schema.Union(
  /** List a product. The same listing again (created_at aside) replies it; another is `product_exists`. */
  Schema.TaggedStruct("Create", { ...listing, ...categorySchema, created_at: Rfc3339Utc }),
  /** Replace the listing. Only its seller may (`not_owner`); the same listing again is answered with no events. */
  Schema.TaggedStruct("Update", { ...listing, ...categorySchema, updated_at: Rfc3339Utc }),
  Schema.TaggedStruct("Get", {})
)
export type ProductCommand = typeof ProductCommand.Type

/** Both events carry the whole product, so a read-model projection needs no other state. */
export const ProductEvent = Schema.Union(
  Schema.TaggedStruct("ProductCreated", { product: Product }),
  Schema.TaggedStruct("ProductUpdated", {
    product: Product,
    /** SKUs listed before and not any more (their SKU actors keep their stock). */
    removed_sku_ids: Schema.Array(SkuId)
  })
)
export type ProductEvent = typeof ProductEvent.Type

/** `Create` of an id that exists with another listing. 409 `conflict`. */
export class ProductExists extends Schema.TaggedError<ProductExists>()("ProductExists", {
  reason: Schema.Literal("product_exists")
}) {}
/** `Update`/`Get` of an id never created. 404 `not_found`. */
export class ProductNotFound extends Schema.TaggedError<ProductNotFound>()("ProductNotFound", {
  reason: Schema.Literal("not_found")
}) {}
/** `Update` naming another seller than the product's. 403 `forbidden` (or 404 to a seller who must not learn it exists). */
export class ProductNotOwner extends Schema.TaggedError<ProductNotOwner>()("ProductNotOwner", {
  reason: Schema.Literal("not_owner"),
  seller_id: Schema.String
}) {}
/** Attributes that break the category's schema (or free-form rules). 400 `invalid_request` with the issues' paths. */
export class InvalidAttributes extends Schema.TaggedError<InvalidAttributes>()("InvalidAttributes", {
  reason: Schema.Literal("invalid_attributes"),
  issues: Schema.Array(AttributeIssue).pipe(Schema.minItems(1))
}) {}

export const ProductRejection = Schema.Union(ProductExists, ProductNotFound, ProductNotOwner, InvalidAttributes)
export type ProductRejection = typeof ProductRejection.Type

const validateCommand = commandValidator("product", ProductCommand)
const isProductId = Schema.is(ProductId)

/**
 * Every attribute problem of a listing under `schema`, with paths into the request body. A
 * violation in the product's own attributes is reported once, at `["attributes", name]`, not
 * once per SKU; one in a SKU's attribute (or a required one missing from a SKU's effective
 * attributes) at `["skus", i, "attributes", name]`.
 */
export const listingAttributeIssues = (
  schema: AttributeSchema | undefined,
  product: Pick<Listing, "attributes" | "skus">
): ReadonlyArray<AttributeIssue> => {
  const issues: Array<AttributeIssue> = []
  const seen = new Set<string>()
  product.skus.forEach((sku, i) => {
    for (const issue of validateAttributes(schema, effectiveAttributes(product, sku))) {
      const name = String(issue.path[0])
      const fromSku = issue.code === "required" || Object.prototype.hasOwnProperty.call(sku.attributes, name)
      const path = fromSku ? ["skus", i, "attributes", name] : ["attributes", name]
      const key = JSON.stringify(path)
      if (seen.has(key)) continue
      seen.add(key)
      issues.push({ ...issue, path })
    }
  })
  return issues
}

const listingOf = (c: Listing): Listing => ({
  seller_id: c.seller_id,
  title: c.title,
  description: c.description,
  brand: c.brand,
  category_id: c.category_id,
  attributes: c.attributes,
  images: c.images,
  skus: c.skus.map((s) => ({ sku_id: s.sku_id, attributes: s.attributes, price: s.price, currency: s.currency }))
})

export const decideProduct = (state: ProductState, command: ProductCommand): Decision<ProductEvent, Product, ProductRejection> => {
  validateCommand(command)
  if (command._tag === "Get") return state.status === "new" ? reject(new ProductNotFound({ reason: "not_found" })) : accept([], state.product)
  const next = listingOf(command)
  if (command._tag === "Create") {
    if (state.status === "active") {
      // A retry (created_at restamped) of a Create is answered while the listing is what it asked for;
      // after an Update changed it, the retry is refused: the gateway's idempotency keys cover that case.
      return sameJson(listingOf(state.product), next) ? accept([], state.product) : reject(new ProductExists({ reason: "product_exists" }))
    }
    if (!isProductId(state.product_id)) throw new Error(`product actor id "${state.product_id}" is not a product id (p_…)`)
    const issues = listingAttributeIssues(command.attribute_schema, next)
    if (issues.length > 0) return reject(new InvalidAttributes({ reason: "invalid_attributes", issues }))
    const product: Product = { product_id: state.product_id, ...next, created_at: command.created_at, updated_at: command.created_at }
    return acceptWith(state, { _tag: "ProductCreated", product })
  }
  if (state.status === "new") return reject(new ProductNotFound({ reason: "not_found" }))
  const current = listingOf(state.product)
  if (current.seller_id !== next.seller_id) return reject(new ProductNotOwner({ reason: "not_owner", seller_id: current.seller_id }))
  if (sameJson(current, next)) return accept([], state.product)
  const issues = listingAttributeIssues(command.attribute_schema, next)
  if (issues.length > 0) return reject(new InvalidAttributes({ reason: "invalid_attributes", issues }))
  const kept = new Set(next.skus.map((s) => s.sku_id))
  const removed_sku_ids = current.skus.map((s) => s.sku_id).filter((id) => !kept.has(id))
  const product: Product = { product_id: state.product.product_id, ...next, created_at: state.product.created_at, updated_at: command.updated_at }
  return acceptWith(state, { _tag: "ProductUpdated", product, removed_sku_ids })
}

const acceptWith = (state: ProductState, event: ProductEvent) => {
  const next = evolveProduct(state, event)
  if (next.status !== "active") throw new Error("product: not active after an event")
  return accept([event], next.product)
}

export const evolveProduct = (state: ProductState, event: ProductEvent): ProductState => {
  const id = state.status === "new" ? state.product_id : state.product.product_id
  if (event.product.product_id !== id) throw new Error(`product ${id}: event for ${event.product.product_id}`)
  if (event._tag === "ProductCreated") {
    if (state.status !== "new") throw new Error(`product ${id}: created twice`)
  } else {
    if (state.status !== "active") throw new Error(`product ${id}: updated before created`)
    if (state.product.seller_id !== event.product.seller_id) throw new Error(`product ${id}: seller changed`)
    if (state.product.created_at !== event.product.created_at) throw new Error(`product ${id}: created_at changed`)
  }
  assertProduct(event.product)
  return { status: "active", product: event.product }
}

function assertProduct(product: Product) {
  const fail = (what: string) => {
    throw new Error(`product ${product.product_id}: ${what}`)
  }
  if (product.skus.length < 1 || product.skus.length > catalogLimits.maxSkus) fail(`${product.skus.length} SKUs`)
  if (new Set(product.skus.map((s) => s.sku_id)).size !== product.skus.length) fail("duplicate sku_id")
  if (product.images.length > catalogLimits.maxImages) fail(`${product.images.length} images`)
}

export const product: ActorDefinition<ProductState, ProductCommand, ProductEvent, Product, ProductRejection> = {
  name: "product",
  state: ProductState,
  command: ProductCommand,
  event: ProductEvent,
  reply: Product,
  rejection: ProductRejection,
  initialState: (id) => ({ status: "new", product_id: id }),
  decide: (state, command) => decideProduct(state, command),
  evolve: evolveProduct,
  limits: { mailboxCapacity: 256, snapshotEveryEvents: 20 }
}
