import { isWithinWindow } from "./fields.ts"
import type { FlashPrice, Promotion } from "./promotion-schema.ts"

export interface UnitPrice {
  readonly unit_price: number
  readonly flash_sale_id: string | null
}

/** The flash sales running at `nowMs` for a shopper of `memberTier`, by SKU. */
export const activeFlashPrices = (promotions: ReadonlyArray<Promotion>, nowMs: number, memberTier: string | null): ReadonlyMap<string, ReadonlyArray<FlashPrice>> => {
  const bySku = new Map<string, Array<FlashPrice>>()
  for (const p of promotions) {
    if (p.kind !== "flash_price" || !isWithinWindow(p, nowMs)) continue
    if (p.member_tiers !== undefined && (memberTier === null || !p.member_tiers.includes(memberTier))) continue
    for (const sku of p.sku_ids) {
      const list = bySku.get(sku)
      if (list === undefined) bySku.set(sku, [p])
      else list.push(p)
    }
  }
  return bySku
}

/**
 * A unit's selling price: the seller's price when it has one, else the catalog's; a running flash
 * sale with a lower price replaces it (the lowest wins; ties: the smaller promotion id).
 */
export const unitPriceOf = (
  line: { readonly sku_id: string; readonly unit_base_price: number; readonly seller_price: number | null },
  flashPrices: ReadonlyMap<string, ReadonlyArray<FlashPrice>>
): UnitPrice => {
  let best: UnitPrice = { unit_price: line.seller_price ?? line.unit_base_price, flash_sale_id: null }
  for (const sale of flashPrices.get(line.sku_id) ?? []) {
    if (sale.unit_price < best.unit_price || (sale.unit_price === best.unit_price && best.flash_sale_id !== null && sale.promotion_id < best.flash_sale_id)) {
      best = { unit_price: sale.unit_price, flash_sale_id: sale.promotion_id }
    }
  }
  return best
}
