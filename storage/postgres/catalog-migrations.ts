import { type Migration, ddl } from "./migrations.ts"

/**
 * Tables of the catalog read model (always in Postgres, whatever holds the journal), fed by the
 * catalog projection (gateway/catalog/catalog-projection.ts):
 *
 * - `catalog_products`: each product's listing as its last event carried it (`doc`), plus the
 *   figures reviews will maintain (rating, review_count). Product pages read it.
 * - `catalog_product_skus`: which SKUs a product lists (price, attributes, order).
 * - `catalog_sku_stock`: each SKU's available units and low-stock threshold, from the SKU actor's events.
 * - `catalog_categories`: names and parents, for search text and category filters.
 * - `catalog_search`: one narrow row per product with everything search filters, sorts,
 *   facets and ranks on (kept narrow so scanning thousands of matches stays cheap): the weighted
 *   `tsvector` (title and brand A, category names B, attribute values C, description D), a
 *   trigram index on the title, the lowest SKU price, stock summed over the SKUs.
 *
 * - `catalog_terms`: every word of the listings (titles, brands, attribute values, descriptions)
 *   with the number of products that brought it, so typo corrections know the catalog's words
 *   after a restart without reading every description again. Counts grow with new products and
 *   are not decreased when a word leaves a listing: they only order corrections.
 *
 * Every other row carries the sequence number of the event it reflects; writes only replace older rows.
 * The ids sit in their own range (1000+) and run through `migrate` separately from the storage
 * migrations, so the read model can be created on a database the journal does not use.
 */
export const catalogMigrations: ReadonlyArray<Migration> = [
  {
    id: 1001,
    name: "catalog read model",
    up: ddl(
      `CREATE TABLE IF NOT EXISTS catalog_products (
        product_id text PRIMARY KEY,
        seq bigint NOT NULL,
        doc jsonb NOT NULL,
        rating real NOT NULL DEFAULT 0,
        review_count integer NOT NULL DEFAULT 0
      )`,
      `CREATE TABLE IF NOT EXISTS catalog_product_skus (
        product_id text NOT NULL,
        sku_id text NOT NULL,
        position integer NOT NULL,
        price bigint NOT NULL,
        currency text NOT NULL,
        attributes jsonb NOT NULL,
        PRIMARY KEY (product_id, sku_id)
      )`,
      `CREATE INDEX IF NOT EXISTS catalog_product_skus_by_sku ON catalog_product_skus (sku_id)`,
      `CREATE TABLE IF NOT EXISTS catalog_sku_stock (
        sku_id text PRIMARY KEY,
        seq bigint NOT NULL,
        available bigint NOT NULL,
        low_stock_threshold integer NOT NULL,
        stock_status text GENERATED ALWAYS AS (
          CASE WHEN available <= 0 THEN 'out_of_stock' WHEN available <= low_stock_threshold THEN 'low_stock' ELSE 'in_stock' END
        ) STORED
      )`,
      `CREATE TABLE IF NOT EXISTS catalog_categories (
        category_id text PRIMARY KEY,
        seq bigint NOT NULL,
        name text NOT NULL,
        parent_id text NULL
      )`,
      `CREATE TABLE IF NOT EXISTS catalog_search (
        product_id text PRIMARY KEY,
        seq bigint NOT NULL,
        title text NOT NULL,
        brand text NOT NULL,
        brand_key text NOT NULL,
        category_id text NOT NULL,
        category_text text NOT NULL,
        seller_id text NOT NULL,
        currency text NOT NULL,
        image text NULL,
        price bigint NOT NULL,
        rating real NOT NULL DEFAULT 0,
        review_count integer NOT NULL DEFAULT 0,
        available_quantity bigint NOT NULL DEFAULT 0,
        stock_status text NOT NULL DEFAULT 'out_of_stock',
        created_at timestamptz NOT NULL,
        attrs jsonb NOT NULL,
        attr_numbers jsonb NOT NULL,
        attr_text text NOT NULL,
        search_vector tsvector NOT NULL
      )`,
      `CREATE INDEX IF NOT EXISTS catalog_search_vector ON catalog_search USING gin (search_vector)`,
      `CREATE INDEX IF NOT EXISTS catalog_search_title_trgm ON catalog_search USING gin (lower(title) gin_trgm_ops)`,
      `CREATE INDEX IF NOT EXISTS catalog_search_attrs ON catalog_search USING gin (attrs jsonb_path_ops)`,
      `CREATE INDEX IF NOT EXISTS catalog_search_by_price ON catalog_search (price, product_id)`,
      `CREATE INDEX IF NOT EXISTS catalog_search_by_rating ON catalog_search (rating DESC, review_count DESC, product_id)`,
      `CREATE INDEX IF NOT EXISTS catalog_search_by_created ON catalog_search (created_at DESC, product_id DESC)`,
      `CREATE INDEX IF NOT EXISTS catalog_search_by_brand ON catalog_search (brand_key)`,
      `CREATE INDEX IF NOT EXISTS catalog_search_by_category ON catalog_search (category_id)`
    )
  },
  {
    id: 1002,
    name: "catalog vocabulary",
    up: ddl(`CREATE TABLE IF NOT EXISTS catalog_terms (term text PRIMARY KEY, docs integer NOT NULL)`)
  },
  {
    id: 1003,
    // Stock changes rewrite search rows often: free room in each page lets them be HOT updates (no index writes).
    name: "catalog search fillfactor",
    up: ddl(`ALTER TABLE catalog_search SET (fillfactor = 85)`)
  }
]
