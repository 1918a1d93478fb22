import { Schema } from "effect"
import { type Product } from "../../actors/catalog/product.ts"
import type { StoredProduct } from "../../storage/postgres/catalog-reads.ts"
import type { SkuListing, StockStatus } from "./catalog-reader.ts"

/**
 * `GET /v1/products/{product_id}` (API.md, "Catalog and search"): the listing, its SKUs with
 * their stock, and the product's figures derived from them: `price` is the lowest SKU price,
 * `available_quantity` the sum over the SKUs, `stock_status` the best status among the SKUs.
 *
 * The response schemas are plain (no refinements): the route answers pre-serialized JSON, and
 * the schemas only document it.
 */

const AttributeValue = Schema.Union(Schema.String, Schema.Number, Schema.Boolean)
const Attributes = Schema.Record({ key: Schema.String, value: AttributeValue })
const Status = Schema.Literal("in_stock", "low_stock", "out_of_stock")

export const ProductSkuView = Schema.Struct({
  sku_id: Schema.String,
  attributes: Attributes.annotations({ description: "the SKU's own attributes (they override the product's)" }),
  price: Schema.Number.annotations({ description: "minor units" }),
  available_quantity: Schema.Number.annotations({ description: "Σ over warehouses of on_hand − reserved" }),
  stock_status: Status
}).annotations({ identifier: "ProductSku" })

export const ProductView = Schema.Struct({
  product_id: Schema.String,
  title: Schema.String,
  price: Schema.Number.annotations({ description: "the lowest SKU price, minor units" }),
  currency: Schema.String,
  stock_status: Status.annotations({ description: "the best status among the SKUs" }),
  available_quantity: Schema.Number.annotations({ description: "Σ over the SKUs" }),
  seller_id: Schema.String,
  rating: Schema.Number.annotations({ description: "0..5; 0 until the product has reviews" }),
  review_count: Schema.Number,
  description: Schema.String,
  brand: Schema.String,
  category_id: Schema.String,
  attributes: Attributes,
  images: Schema.Array(Schema.String),
  skus: Schema.Array(ProductSkuView),
  delivery_estimate: Schema.Struct({ min_days: Schema.Number, max_days: Schema.Number })
}).annotations({ identifier: "Product" })
export type ProductView = typeof ProductView.Type

export interface DeliveryEstimate {
  readonly min_days: number
  readonly max_days: number
}

const statusRank: Record<StockStatus, number> = { out_of_stock: 0, low_stock: 1, in_stock: 2 }

/** The best of the SKUs' statuses (a product is in stock when any of its SKUs is). */
export const productStockStatus = (statuses: Iterable<StockStatus>): StockStatus => {
  let best: StockStatus = "out_of_stock"
  for (const s of statuses) if (statusRank[s] > statusRank[best]) best = s
  return best
}

/** A product as the cache keeps it: the page, serialized once, and its SKUs as the cart reads them. */
export interface CachedProduct {
  readonly productId: string
  readonly json: string
  readonly listings: ReadonlyArray<SkuListing>
}

export const cachedProductOf = (stored: StoredProduct, delivery: DeliveryEstimate): CachedProduct => {
  const product = stored.doc as Product
  const stock = new Map(stored.stock.map((s) => [s.sku_id, s]))
  const skus = product.skus.map((s) => {
    const k = stock.get(s.sku_id)
    return {
      sku_id: s.sku_id,
      attributes: s.attributes,
      price: s.price,
      available_quantity: Math.max(0, k?.available ?? 0),
      stock_status: k?.stock_status ?? ("out_of_stock" as const)
    }
  })
  const view: ProductView = {
    product_id: product.product_id,
    title: product.title,
    price: Math.min(...skus.map((s) => s.price)),
    currency: product.skus[0]!.currency,
    stock_status: productStockStatus(skus.map((s) => s.stock_status)),
    available_quantity: skus.reduce((sum, s) => sum + s.available_quantity, 0),
    seller_id: product.seller_id,
    rating: stored.rating,
    review_count: stored.review_count,
    description: product.description,
    brand: product.brand,
    category_id: product.category_id,
    attributes: product.attributes,
    images: product.images,
    skus,
    delivery_estimate: { min_days: delivery.min_days, max_days: delivery.max_days }
  }
  const listings: Array<SkuListing> = product.skus.map((s, i) => ({
    sku_id: s.sku_id,
    product_id: product.product_id,
    seller_id: product.seller_id,
    title: product.title,
    price: s.price,
    currency: s.currency,
    attributes: s.attributes,
    available_quantity: skus[i]!.available_quantity,
    stock_status: skus[i]!.stock_status
  }))
  return { productId: product.product_id, json: JSON.stringify(view), listings }
}
