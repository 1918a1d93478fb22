import { normalizeRegion, type Place } from "./fields.ts"
import { fullBps, mulDivHalfUp } from "./money.ts"
import type { TaxJurisdiction, TaxTable } from "./store-tables.ts"

/**
 * Tax rates by place and category, and the tax on an amount. Rounding: half up, once per line
 * (and once on shipping); an order's tax is the sum of its lines' and shipping's.
 */

const placeKey = (country: string, region: string) => `${country}/${region}`

/** Jurisdictions by `country/normalized region` ("country/" for a whole country), built once per table. */
const indexes = new WeakMap<TaxTable, ReadonlyMap<string, TaxJurisdiction>>()

const indexOf = (table: TaxTable): ReadonlyMap<string, TaxJurisdiction> => {
  let index = indexes.get(table)
  if (index === undefined) {
    const built = new Map<string, TaxJurisdiction>()
    for (const j of table.jurisdictions) {
      for (const region of j.regions?.map(normalizeRegion) ?? [""]) built.set(placeKey(j.country, region), j)
    }
    index = built
    indexes.set(table, index)
  }
  return index
}

/** The region's entry, else the country's, else none (not taxed). */
export const jurisdictionFor = (table: TaxTable, place: Place): TaxJurisdiction | undefined => {
  const index = indexOf(table)
  return index.get(placeKey(place.country, normalizeRegion(place.region))) ?? index.get(placeKey(place.country, ""))
}

/** The rate of the first of `categoryIds` (nearest first) with one, else the jurisdiction's default. */
export const lineRateBps = (jurisdiction: TaxJurisdiction | undefined, categoryIds: ReadonlyArray<string>): number => {
  if (jurisdiction === undefined) return 0
  for (const id of categoryIds) {
    const rate = jurisdiction.category_rates.find((r) => r.category_id === id)
    if (rate !== undefined) return rate.rate_bps
  }
  return jurisdiction.default_rate_bps
}

/**
 * The tax on `amount` at `rateBps`: added on top (`amount × rate`), or the part of `amount` that
 * is tax when prices include it (`amount × rate / (1 + rate)`), rounded half up.
 */
export const taxOn = (amount: number, rateBps: number, pricesIncludeTax: boolean): number =>
  pricesIncludeTax ? mulDivHalfUp(amount, rateBps, fullBps + rateBps) : mulDivHalfUp(amount, rateBps, fullBps)
