import { Schema } from "effect"
import { ReservationStatus, type ReservationView, type SkuView, StockStatus } from "../../actors/inventory/sku-schema.ts"

/** What inventory routes answer; named, so the OpenAPI document shows each once. */

const Count = Schema.Int.pipe(Schema.nonNegative())

export const WarehouseStock = Schema.Struct({
  warehouse_id: Schema.String,
  on_hand: Count,
  reserved: Count.annotations({ description: "held by live reservations" }),
  available: Count.annotations({ description: "on_hand − reserved" }),
  damaged: Count.annotations({ description: "not sellable" }),
  in_transit: Count.annotations({ description: "on its way to the warehouse; not sellable" })
}).annotations({ identifier: "WarehouseStock" })

/** The stock of one SKU per warehouse and in total: the seller and admin view. */
export const SkuStock = Schema.Struct({
  sku_id: Schema.String,
  seller_id: Schema.String,
  warehouses: Schema.Array(WarehouseStock),
  on_hand: Count,
  reserved: Count,
  available: Count,
  damaged: Count,
  in_transit: Count,
  stock_status: StockStatus,
  low_stock_threshold: Count.annotations({ description: "low_stock when 0 < available ≤ this" }),
  per_user_limit: Schema.NullOr(Schema.Int).annotations({ description: "units one customer may hold + buy; null: no limit" }),
  live_holds: Count.annotations({ description: "reservations holding stock now" })
}).annotations({ identifier: "SkuStock" })

export const skuStockOf = (v: SkuView): typeof SkuStock.Type => ({
  sku_id: v.sku_id,
  seller_id: v.seller_id,
  warehouses: v.warehouses.map((w) => ({
    warehouse_id: w.warehouse_id,
    on_hand: w.on_hand,
    reserved: w.reserved,
    available: w.available,
    damaged: w.damaged,
    in_transit: w.in_transit
  })),
  on_hand: v.on_hand,
  reserved: v.reserved,
  available: v.available,
  damaged: v.damaged,
  in_transit: v.in_transit,
  stock_status: v.stock_status,
  low_stock_threshold: v.low_stock_threshold,
  per_user_limit: v.per_user_limit,
  live_holds: v.live_holds
})

/** What anyone may read about a SKU's stock. */
export const PublicStock = Schema.Struct({
  sku_id: Schema.String,
  available_quantity: Count.annotations({ description: "sum over warehouses of on_hand − reserved" }),
  stock_status: StockStatus
}).annotations({ identifier: "PublicStock" })

export const Reservation = Schema.Struct({
  reservation_id: Schema.String,
  sku_id: Schema.String,
  quantity: Count.annotations({ description: "units held (less than `requested` only in partial mode)" }),
  requested: Count,
  status: ReservationStatus.annotations({ description: "`expired` also for a hold past its deadline not yet swept" }),
  expires_at: Schema.String.annotations({ description: "RFC 3339 UTC; the units come back then unless the hold is confirmed or released" })
}).annotations({ identifier: "Reservation" })

export const reservationOf = (skuId: string, v: ReservationView): typeof Reservation.Type => ({
  reservation_id: v.reservation_id,
  sku_id: skuId,
  quantity: v.quantity,
  requested: v.requested,
  status: v.status,
  expires_at: new Date(v.expires_at_ms).toISOString()
})

export const Subscription = Schema.Struct({
  subscribed: Schema.Boolean.annotations({
    description: "true: you will be told when the SKU is back in stock; false after unsubscribing, or when it is in stock now (nothing to wait for)"
  }),
  available: Count
}).annotations({ identifier: "StockSubscription" })
