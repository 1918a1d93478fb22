import { Schema } from "effect"
import { AttributeSchema } from "../../actors/catalog/attributes.ts"
import type { Category } from "../../actors/catalog/category.ts"
import type { CategoryNode as TreeNode } from "../../actors/catalog/category-tree.ts"
import type { Product } from "../../actors/catalog/product.ts"
import { SellerStatus, type SellerView } from "../../actors/catalog/seller.ts"

/** What the seller, category and seller-product routes answer; named, so the OpenAPI document shows each once. */

export const Seller = Schema.Struct({
  seller_id: Schema.String,
  user_id: Schema.String,
  display_name: Schema.String,
  legal_name: Schema.optional(Schema.String),
  country: Schema.optional(Schema.String),
  status: SellerStatus.annotations({ description: "pending_review until an operator approves; only approved sellers list products" })
}).annotations({ identifier: "Seller" })

export const sellerOf = (s: SellerView): typeof Seller.Type => ({
  seller_id: s.seller_id,
  user_id: s.user_id,
  display_name: s.display_name,
  ...(s.legal_name === undefined ? {} : { legal_name: s.legal_name }),
  ...(s.country === undefined ? {} : { country: s.country }),
  status: s.status
})

export const CategoryView = Schema.Struct({
  category_id: Schema.String,
  name: Schema.String,
  parent_id: Schema.NullOr(Schema.String),
  attribute_schema: Schema.optional(AttributeSchema).annotations({
    description: "absent: attributes of products in this category are free-form strings, numbers and booleans"
  }),
  created_at: Schema.String
}).annotations({ identifier: "Category" })

export const categoryOf = (c: Category): typeof CategoryView.Type => ({
  category_id: c.category_id,
  name: c.name,
  parent_id: c.parent_id,
  ...(c.attribute_schema === undefined ? {} : { attribute_schema: c.attribute_schema }),
  created_at: c.created_at
})

export interface CategoryNode {
  readonly category_id: string
  readonly name: string
  readonly parent_id: string | null
  readonly children: ReadonlyArray<CategoryNode>
}
export const CategoryNode: Schema.Schema<CategoryNode> = Schema.Struct({
  category_id: Schema.String,
  name: Schema.String,
  parent_id: Schema.NullOr(Schema.String),
  children: Schema.Array(Schema.suspend((): Schema.Schema<CategoryNode> => CategoryNode))
}).annotations({ identifier: "CategoryNode" })

export const CategoryTree = Schema.Struct({ categories: Schema.Array(CategoryNode) }).annotations({ identifier: "CategoryTree" })

const nodeOf = (n: TreeNode): CategoryNode => ({ category_id: n.category_id, name: n.name, parent_id: n.parent_id, children: n.children.map(nodeOf) })
export const categoryTreeOf = (roots: ReadonlyArray<TreeNode>): typeof CategoryTree.Type => ({ categories: roots.map(nodeOf) })

const AttributeMap = Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Number, Schema.Boolean) })

export const ProductSkuView = Schema.Struct({
  sku_id: Schema.String,
  attributes: AttributeMap.annotations({ description: "the SKU's own attributes (they override the product's)" }),
  price: Schema.Number.annotations({ description: "minor units" }),
  currency: Schema.String
}).annotations({ identifier: "ProductSku" })

/** A listing as its seller (or an admin) sees it; stock is on the SKU routes (`/v1/seller/inventory/{sku_id}`). */
export const SellerProduct = Schema.Struct({
  product_id: Schema.String,
  seller_id: Schema.String,
  title: Schema.String,
  description: Schema.String,
  brand: Schema.String,
  category_id: Schema.String,
  attributes: AttributeMap,
  images: Schema.Array(Schema.String),
  skus: Schema.Array(ProductSkuView),
  created_at: Schema.String,
  updated_at: Schema.String
}).annotations({ identifier: "SellerProduct" })

export const productOf = (p: Product): typeof SellerProduct.Type => ({
  product_id: p.product_id,
  seller_id: p.seller_id,
  title: p.title,
  description: p.description,
  brand: p.brand,
  category_id: p.category_id,
  attributes: p.attributes,
  images: p.images,
  skus: p.skus.map((s) => ({ sku_id: s.sku_id, attributes: s.attributes, price: s.price, currency: s.currency })),
  created_at: p.created_at,
  updated_at: p.updated_at
})
