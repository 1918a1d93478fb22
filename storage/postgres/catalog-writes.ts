import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { StorageUnavailable } from "../../runtime/errors.ts"
import { toNumber, toUnavailable } from "./client.ts"

/**
 * Writes of the catalog read model (tables in catalog-migrations.ts). One call writes one
 * flush of the projection in one transaction. Every write is keyed by the event sequence number
 * it reflects and never replaces a newer row, so a flush applied twice changes nothing.
 */

export interface ProductWrite {
  readonly product_id: string
  readonly seq: number
  readonly doc: unknown
  readonly skus: ReadonlyArray<{
    readonly sku_id: string
    readonly position: number
    readonly price: number
    readonly currency: string
    readonly attributes: unknown
  }>
  readonly search: {
    readonly title: string
    readonly brand: string
    readonly brand_key: string
    readonly category_id: string
    readonly category_text: string
    readonly seller_id: string
    readonly currency: string
    readonly image: string | null
    readonly price: number
    readonly created_at: string
    readonly attrs: unknown
    readonly attr_numbers: unknown
    readonly attr_text: string
    readonly description: string
  }
}

export interface StockWrite {
  readonly sku_id: string
  readonly seq: number
  readonly available: number | undefined
  readonly low_stock_threshold: number | undefined
}

export interface CategoryWrite {
  readonly category_id: string
  readonly seq: number
  readonly name: string
  readonly parent_id: string | null
}

export interface CatalogFlush {
  readonly categories: ReadonlyArray<CategoryWrite>
  /** New search text for every product filed under these categories (a category's name arrived). */
  readonly categoryTexts: ReadonlyArray<{ readonly category_id: string; readonly text: string }>
  readonly products: ReadonlyArray<ProductWrite>
  readonly stock: ReadonlyArray<StockWrite>
  /** Words of new listings (each counts one more product) and of changed listings (known from now on). */
  readonly terms: { readonly counted: ReadonlyMap<string, number>; readonly known: ReadonlySet<string> }
  /** Threshold of a SKU whose first stock event carried none (matches the SKU actor's default). */
  readonly defaultLowStockThreshold: number
}

/**
 * The weighted document of a product: title and brand A, category names B, attribute values C,
 * description D. The part of a title after " for " names what the product fits ("Case for iPhone
 * 15"), not what it is, so it weighs B: a search for the iPhone ranks the phone above its cases.
 */
const searchVector = (title: string, brand: string, categoryText: string, attrText: string, description: string) =>
  `setweight(to_tsvector('english', regexp_replace(${title}, '\\s+for\\s+.*$', '', 'i')), 'A') || ` +
  `setweight(to_tsvector('english', coalesce(substring(${title} from '(?i)\\s+for\\s+(.*)$'), '')), 'B') || ` +
  `setweight(to_tsvector('english', ${brand}), 'A') || ` +
  `setweight(to_tsvector('english', ${categoryText}), 'B') || setweight(to_tsvector('english', ${attrText}), 'C') || ` +
  `setweight(to_tsvector('english', left(${description}, 2000)), 'D')`

/** A product's stock: units summed over its SKUs, and the best SKU status (a product is in stock when any SKU is). */
const stockOf = (productId: string) =>
  `SELECT coalesce(sum(greatest(k.available, 0)), 0)::bigint AS available,
     CASE WHEN bool_or(k.stock_status = 'in_stock') THEN 'in_stock'
          WHEN bool_or(k.stock_status = 'low_stock') THEN 'low_stock' ELSE 'out_of_stock' END AS status
   FROM catalog_product_skus ps JOIN catalog_sku_stock k ON k.sku_id = ps.sku_id WHERE ps.product_id = ${productId}`

/** Statements with more rows than this are split (bounded parameter sizes). */
const rowsPerStatement = 200

const chunks = <A>(rows: ReadonlyArray<A>): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < rows.length; i += rowsPerStatement) out.push(rows.slice(i, i + rowsPerStatement))
  return out
}

const json = (value: unknown) => JSON.stringify(value)

export interface FlushResult {
  /** Every product whose page may have changed (listing replaced, or stock of one of its SKUs changed), for the product cache. */
  readonly touched: ReadonlyArray<string>
  /** Whether search answers may have changed: a listing or a category was written, or a product's stock status changed. */
  readonly searchChanged: boolean
}

/** Write one flush. */
export const writeCatalogFlush = (sql: SqlClient.SqlClient, flush: CatalogFlush): Effect.Effect<FlushResult, StorageUnavailable> =>
  sql
    .withTransaction(
      Effect.gen(function* () {
        for (const rows of chunks(flush.categories)) {
          yield* sql.unsafe(
            `INSERT INTO catalog_categories (category_id, seq, name, parent_id)
             SELECT category_id, seq, name, parent_id FROM jsonb_to_recordset($1::jsonb) AS x(category_id text, seq bigint, name text, parent_id text)
             ORDER BY category_id
             ON CONFLICT (category_id) DO UPDATE SET seq = excluded.seq, name = excluded.name, parent_id = excluded.parent_id
             WHERE catalog_categories.seq < excluded.seq`,
            [json(rows)]
          )
        }
        for (const rows of chunks(flush.categoryTexts)) {
          yield* sql.unsafe(
            `UPDATE catalog_search s SET category_text = x.text,
               search_vector = ${searchVector("s.title", "s.brand", "x.text", "s.attr_text", "coalesce(p.doc->>'description', '')")}
             FROM jsonb_to_recordset($1::jsonb) AS x(category_id text, text text), catalog_products p
             WHERE s.category_id = x.category_id AND s.category_text <> x.text AND p.product_id = s.product_id`,
            [json(rows)]
          )
        }
        const stockSkus: Array<string> = []
        for (const rows of chunks([...flush.stock].sort((a, b) => (a.sku_id < b.sku_id ? -1 : 1)))) {
          const ids = rows.map((r) => r.sku_id)
          stockSkus.push(...ids)
          yield* sql.unsafe(
            `INSERT INTO catalog_sku_stock (sku_id, seq, available, low_stock_threshold)
             SELECT sku_id, 0, 0, $2::integer FROM unnest($1::text[]) AS sku_id ORDER BY sku_id ON CONFLICT (sku_id) DO NOTHING`,
            [ids, flush.defaultLowStockThreshold]
          )
          yield* sql.unsafe(
            `UPDATE catalog_sku_stock t SET seq = x.seq, available = coalesce(x.available, t.available),
               low_stock_threshold = coalesce(x.low_stock_threshold, t.low_stock_threshold)
             FROM jsonb_to_recordset($1::jsonb) AS x(sku_id text, seq bigint, available bigint, low_stock_threshold integer)
             WHERE t.sku_id = x.sku_id AND t.seq < x.seq`,
            [json(rows.map((r) => ({ sku_id: r.sku_id, seq: r.seq, available: r.available ?? null, low_stock_threshold: r.low_stock_threshold ?? null })))]
          )
        }
        const touched = new Set<string>()
        for (const rows of chunks([...flush.products].sort((a, b) => (a.product_id < b.product_id ? -1 : 1)))) {
          const products = json(rows.map((r) => ({ product_id: r.product_id, seq: r.seq, doc: r.doc })))
          yield* sql.unsafe(
            `INSERT INTO catalog_products (product_id, seq, doc)
             SELECT product_id, seq, doc FROM jsonb_to_recordset($1::jsonb) AS x(product_id text, seq bigint, doc jsonb)
             ON CONFLICT (product_id) DO UPDATE SET seq = excluded.seq, doc = excluded.doc WHERE catalog_products.seq < excluded.seq`,
            [products]
          )
          // The rows below follow the listing only where the stored product is at this very event
          // (a newer one stored by an earlier flush keeps its own rows).
          const current = `EXISTS (SELECT 1 FROM catalog_products p WHERE p.product_id = x.product_id AND p.seq = x.seq)`
          const skus = json(rows.flatMap((r) => r.skus.map((s) => ({ product_id: r.product_id, seq: r.seq, ...s }))))
          yield* sql.unsafe(
            `DELETE FROM catalog_product_skus ps USING jsonb_to_recordset($1::jsonb) AS x(product_id text, seq bigint)
             WHERE ps.product_id = x.product_id AND ${current}`,
            [products]
          )
          yield* sql.unsafe(
            `INSERT INTO catalog_product_skus (product_id, sku_id, position, price, currency, attributes)
             SELECT product_id, sku_id, position, price, currency, attributes
             FROM jsonb_to_recordset($1::jsonb) AS x(product_id text, seq bigint, sku_id text, position integer, price bigint, currency text, attributes jsonb)
             WHERE ${current}
             ON CONFLICT (product_id, sku_id) DO UPDATE SET position = excluded.position, price = excluded.price, currency = excluded.currency, attributes = excluded.attributes`,
            [skus]
          )
          const search = json(rows.map((r) => ({ product_id: r.product_id, seq: r.seq, ...r.search })))
          yield* sql.unsafe(
            `INSERT INTO catalog_search (product_id, seq, title, brand, brand_key, category_id, category_text, seller_id, currency, image,
               price, created_at, attrs, attr_numbers, attr_text, available_quantity, stock_status, search_vector)
             SELECT x.product_id, seq, title, brand, brand_key, category_id, category_text, seller_id, currency, image,
               price, created_at, attrs, attr_numbers, attr_text, st.available, st.status,
               ${searchVector("title", "brand", "category_text", "attr_text", "description")}
             FROM jsonb_to_recordset($1::jsonb) AS x(product_id text, seq bigint, title text, brand text, brand_key text, category_id text,
               category_text text, seller_id text, currency text, image text, price bigint, created_at timestamptz, attrs jsonb,
               attr_numbers jsonb, attr_text text, description text)
             CROSS JOIN LATERAL (${stockOf("x.product_id")}) st
             WHERE ${current}
             ON CONFLICT (product_id) DO UPDATE SET seq = excluded.seq, title = excluded.title, brand = excluded.brand,
               brand_key = excluded.brand_key, category_id = excluded.category_id, category_text = excluded.category_text,
               seller_id = excluded.seller_id, currency = excluded.currency, image = excluded.image, price = excluded.price,
               created_at = excluded.created_at, attrs = excluded.attrs, attr_numbers = excluded.attr_numbers,
               attr_text = excluded.attr_text, available_quantity = excluded.available_quantity, stock_status = excluded.stock_status,
               search_vector = excluded.search_vector
             WHERE catalog_search.seq <= excluded.seq`,
            [search]
          )
        }
        for (const terms of chunks([...flush.terms.counted].sort((a, b) => (a[0] < b[0] ? -1 : 1)))) {
          yield* sql.unsafe(
            `INSERT INTO catalog_terms (term, docs) SELECT term, n FROM unnest($1::text[], $2::int[]) AS x(term, n)
             ON CONFLICT (term) DO UPDATE SET docs = catalog_terms.docs + excluded.docs`,
            [terms.map(([t]) => t), terms.map(([, n]) => n)]
          )
        }
        for (const terms of chunks([...flush.terms.known].sort())) {
          yield* sql.unsafe(`INSERT INTO catalog_terms (term, docs) SELECT term, 1 FROM unnest($1::text[]) AS term ON CONFLICT (term) DO NOTHING`, [terms])
        }
        // Products listed above already carry their stock; those listing a SKU whose stock changed are summed again.
        if (stockSkus.length > 0) {
          const listing = yield* sql.unsafe<{ product_id: string }>(
            `SELECT DISTINCT product_id FROM catalog_product_skus WHERE sku_id = ANY($1::text[])`,
            [stockSkus]
          )
          for (const r of listing) touched.add(r.product_id)
        }
        const restocked = [...touched].sort()
        let statusChanges = 0
        for (const ids of chunks(restocked)) {
          // Only rows whose figures change are written (stock updates are HOT: the table keeps room for them).
          // The outer SELECT sees the rows as they were before the UPDATE: it counts status changes.
          const [counted] = yield* sql.unsafe<{ n: unknown }>(
            `WITH st AS (
               SELECT x.product_id, y.available, y.status FROM unnest($1::text[]) AS x(product_id) CROSS JOIN LATERAL (${stockOf("x.product_id")}) y
             ), changed AS (
               UPDATE catalog_search s SET available_quantity = st.available, stock_status = st.status FROM st
               WHERE s.product_id = st.product_id AND (s.available_quantity <> st.available OR s.stock_status <> st.status)
               RETURNING s.product_id
             )
             SELECT count(*) AS n FROM st JOIN catalog_search s ON s.product_id = st.product_id WHERE s.stock_status <> st.status`,
            [ids]
          )
          statusChanges += toNumber(counted?.n ?? 0)
        }
        for (const p of flush.products) touched.add(p.product_id)
        return { touched: [...touched], searchChanged: flush.products.length > 0 || flush.categories.length > 0 || statusChanges > 0 }
      })
    )
    .pipe(Effect.mapError(toUnavailable("catalog-read-model")))
