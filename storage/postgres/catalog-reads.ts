import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { StorageUnavailable } from "../../runtime/errors.ts"
import { toNumber, toUnavailable } from "./client.ts"

/** Reads of the catalog read model other than search (catalog-search-sql.ts): product pages and the start-up scan. */

export interface StoredSkuStock {
  readonly sku_id: string
  readonly available: number
  readonly stock_status: "in_stock" | "low_stock" | "out_of_stock"
}

export interface StoredProduct {
  readonly product_id: string
  /** The listing as its last event carried it (actors/catalog/product.ts `Product`, encoded). */
  readonly doc: unknown
  readonly rating: number
  readonly review_count: number
  /** Stock of the listed SKUs that have any (a SKU without a row has none). */
  readonly stock: ReadonlyArray<StoredSkuStock>
}

const unavailable = toUnavailable("catalog-read-model")

type ProductRow = {
  product_id: string
  doc: unknown
  rating: unknown
  review_count: unknown
  stock: ReadonlyArray<{ sku_id: string; available: unknown; stock_status: StoredSkuStock["stock_status"] }>
}

const productColumns = `p.product_id, p.doc, p.rating, p.review_count,
  coalesce((SELECT json_agg(json_build_object('sku_id', k.sku_id, 'available', k.available, 'stock_status', k.stock_status))
            FROM catalog_product_skus ps JOIN catalog_sku_stock k ON k.sku_id = ps.sku_id
            WHERE ps.product_id = p.product_id), '[]'::json) AS stock`

const storedProducts = (rows: ReadonlyArray<ProductRow>): ReadonlyArray<StoredProduct> =>
  rows.map((r) => ({
    product_id: r.product_id,
    doc: r.doc,
    rating: toNumber(r.rating),
    review_count: toNumber(r.review_count),
    stock: r.stock.map((s) => ({ sku_id: s.sku_id, available: toNumber(s.available), stock_status: s.stock_status }))
  }))

export const loadProducts = (sql: SqlClient.SqlClient, ids: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<StoredProduct>, StorageUnavailable> =>
  ids.length === 0
    ? Effect.succeed([])
    : sql.unsafe<ProductRow>(`SELECT ${productColumns} FROM catalog_products p WHERE p.product_id = ANY($1::text[])`, [ids]).pipe(
        Effect.map(storedProducts),
        Effect.mapError(unavailable)
      )

/**
 * Up to `limit` products with ids after `after`, in id order (the product cache's fill at start).
 * Without JIT: compiling this query costs more than running it (measured on 100,000 products:
 * ~0.4 s of JIT per 5,000-product page against ~0.16 s of execution).
 */
export const scanProducts = (sql: SqlClient.SqlClient, after: string, limit: number): Effect.Effect<ReadonlyArray<StoredProduct>, StorageUnavailable> =>
  sql
    .withTransaction(
      Effect.zipRight(
        sql.unsafe(`SET LOCAL jit = off`),
        sql.unsafe<ProductRow>(`SELECT ${productColumns} FROM catalog_products p WHERE p.product_id > $1 ORDER BY p.product_id LIMIT $2`, [after, limit])
      )
    )
    .pipe(Effect.map(storedProducts), Effect.mapError(unavailable))

/** The product listing each SKU (the most recently stored one, if two ever list the same SKU). */
export const productsOfSkus = (sql: SqlClient.SqlClient, skuIds: ReadonlyArray<string>): Effect.Effect<ReadonlyMap<string, string>, StorageUnavailable> =>
  skuIds.length === 0
    ? Effect.succeed(new Map())
    : sql
        .unsafe<{ sku_id: string; product_id: string }>(
          `SELECT DISTINCT ON (ps.sku_id) ps.sku_id, ps.product_id
           FROM catalog_product_skus ps JOIN catalog_products p ON p.product_id = ps.product_id
           WHERE ps.sku_id = ANY($1::text[]) ORDER BY ps.sku_id, p.seq DESC`,
          [skuIds]
        )
        .pipe(
          Effect.map((rows) => new Map(rows.map((r) => [r.sku_id, r.product_id]))),
          Effect.mapError(unavailable)
        )

export interface IndexedProduct {
  readonly product_id: string
  readonly title: string
  readonly brand: string
  readonly category_id: string
  readonly attr_names: ReadonlyArray<string>
  readonly rating: number
  readonly review_count: number
}

/** One page (by product id) of what the in-memory search indexes need, for rebuilding them at start. */
export const scanIndexedProducts = (
  sql: SqlClient.SqlClient,
  after: string,
  limit: number
): Effect.Effect<ReadonlyArray<IndexedProduct>, StorageUnavailable> =>
  sql
    .unsafe<{ product_id: string; title: string; brand: string; category_id: string; attr_names: ReadonlyArray<string> | null; rating: unknown; review_count: unknown }>(
      `SELECT product_id, title, brand, category_id, rating, review_count,
         ARRAY(SELECT jsonb_object_keys(attrs)) AS attr_names
       FROM catalog_search WHERE product_id > $1 ORDER BY product_id LIMIT $2`,
      [after, limit]
    )
    .pipe(
      Effect.map((rows) =>
        rows.map((r) => ({ ...r, attr_names: r.attr_names ?? [], rating: toNumber(r.rating), review_count: toNumber(r.review_count) }))
      ),
      Effect.mapError(unavailable)
    )

/** One page (by term) of the catalog's vocabulary with its counts. */
export const scanTerms = (
  sql: SqlClient.SqlClient,
  after: string,
  limit: number
): Effect.Effect<ReadonlyArray<{ readonly term: string; readonly docs: number }>, StorageUnavailable> =>
  sql.unsafe<{ term: string; docs: unknown }>(`SELECT term, docs FROM catalog_terms WHERE term > $1 ORDER BY term LIMIT $2`, [after, limit]).pipe(
    Effect.map((rows) => rows.map((r) => ({ term: r.term, docs: toNumber(r.docs) }))),
    Effect.mapError(unavailable)
  )

export const loadCategories = (
  sql: SqlClient.SqlClient
): Effect.Effect<ReadonlyArray<{ readonly category_id: string; readonly name: string; readonly parent_id: string | null }>, StorageUnavailable> =>
  sql
    .unsafe<{ category_id: string; name: string; parent_id: string | null }>(`SELECT category_id, name, parent_id FROM catalog_categories ORDER BY category_id`)
    .pipe(Effect.mapError(unavailable))
