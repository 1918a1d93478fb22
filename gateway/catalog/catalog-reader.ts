import type { Effect } from "effect"
import type { StorageUnavailable } from "../../runtime/errors.ts"

/**
 * The catalog as the rest of the gateway reads it (cart, wishlist, checkout later): what a SKU
 * sells as now. Implemented by the product read model's in-process cache (fed by the catalog
 * projection, falling back to Postgres on a miss). Reads may lag writes by up to ~1 s.
 */

export type StockStatus = "in_stock" | "low_stock" | "out_of_stock"

/** One listed SKU: its product, price and stock as the read model knows them. */
export interface SkuListing {
  readonly sku_id: string
  readonly product_id: string
  readonly seller_id: string
  /** The product's title. */
  readonly title: string
  /** Minor units. */
  readonly price: number
  readonly currency: string
  readonly attributes: Readonly<Record<string, string | number | boolean>>
  /** Σ over warehouses of on_hand − reserved (never negative). */
  readonly available_quantity: number
  readonly stock_status: StockStatus
}

export interface CatalogReader {
  /**
   * The listings of these SKUs. A SKU that is not listed by any product (unknown, or removed from
   * its product) is absent from the map.
   */
  readonly skus: (skuIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, SkuListing>, StorageUnavailable>
}
