import { normalizeRegion, type Place, pricingLimits } from "./fields.ts"
import type { ShippingOption, ShippingTable, Zone, ZoneRate } from "./store-tables.ts"

/**
 * Shipping: lines are grouped into one parcel per origin (warehouse place); an option is offered
 * when it has a rate for every parcel's zone that carries the parcel's weight. Its price is the
 * sum of its parcels' prices (a parcel is free when the order's merchandise reaches the rate's
 * `free_over`), its ETA the slowest parcel's.
 */

export interface Parcel {
  readonly origin: Place
  readonly weight_grams: number
}

export interface ShippableLine {
  readonly quantity: number
  readonly unit_weight_grams?: number | undefined
  readonly origin?: Place | undefined
}

/** One parcel per distinct origin (region compared case-insensitively), in order of first appearance. */
export const parcelsOf = (lines: ReadonlyArray<ShippableLine>, table: ShippingTable): Array<Parcel> => {
  const byOrigin = new Map<string, { origin: Place; weight_grams: number }>()
  for (const line of lines) {
    const origin = line.origin ?? table.default_origin
    const key = `${origin.country}/${normalizeRegion(origin.region)}`
    const weight = (line.unit_weight_grams ?? table.default_unit_weight_grams) * line.quantity
    const parcel = byOrigin.get(key)
    if (parcel === undefined) byOrigin.set(key, { origin, weight_grams: weight })
    else parcel.weight_grams += weight
  }
  return [...byOrigin.values()]
}

const normalizedRegions = new WeakMap<Zone, ReadonlySet<string>>()
const regionsOf = (zone: Zone & { readonly to_regions: ReadonlyArray<string> }): ReadonlySet<string> => {
  let set = normalizedRegions.get(zone)
  if (set === undefined) {
    set = new Set(zone.to_regions.map(normalizeRegion))
    normalizedRegions.set(zone, set)
  }
  return set
}

const zoneMatches = (zone: Zone, from: Place, to: Place): boolean => {
  if (zone.relation !== "any" && from.country !== to.country) return false
  if (zone.relation === "same_region" && normalizeRegion(from.region) !== normalizeRegion(to.region)) return false
  if (zone.from_countries !== undefined && !zone.from_countries.includes(from.country)) return false
  if (zone.to_countries !== undefined && !zone.to_countries.includes(to.country)) return false
  if (zone.to_regions !== undefined && !regionsOf(zone as Zone & { to_regions: ReadonlyArray<string> }).has(normalizeRegion(to.region))) return false
  return true
}

/** The first zone (in table order) whose conditions all hold for the route, if any. */
export const zoneFor = (table: ShippingTable, from: Place, to: Place): Zone | undefined => table.zones.find((zone) => zoneMatches(zone, from, to))

/**
 * A parcel's price on a rate: `base_price` up to `included_grams`, plus `step_price` per started
 * `step_grams` beyond. Undefined when the rate does not carry the parcel (too heavy, or a price
 * past the amount bound).
 */
export const parcelPrice = (rate: ZoneRate, weightGrams: number): number | undefined => {
  if (rate.max_parcel_weight_grams !== undefined && weightGrams > rate.max_parcel_weight_grams) return undefined
  const extra = Math.max(0, weightGrams - rate.included_grams)
  const steps = Math.ceil(extra / rate.step_grams)
  const price = BigInt(rate.base_price) + BigInt(steps) * BigInt(rate.step_price)
  return price <= BigInt(pricingLimits.maxAmount) ? Number(price) : undefined
}

/** An option as offered for one order, before shipping promotions. */
export interface ShippingOffer {
  readonly option: ShippingOption
  /** Σ parcel prices, before free thresholds. */
  readonly list_price: number
  /** Σ parcel prices, free parcels at 0. */
  readonly price: number
  readonly eta_days: number
}

/**
 * The options offered for `parcels` to `destination`, in table order. `merchandise` is the
 * order's subtotal − discount, compared with each rate's `free_over`.
 */
export const offersFor = (table: ShippingTable, parcels: ReadonlyArray<Parcel>, destination: Place, merchandise: number): Array<ShippingOffer> => {
  const zones = parcels.map((parcel) => zoneFor(table, parcel.origin, destination))
  const offers: Array<ShippingOffer> = []
  for (const option of table.options) {
    let listPrice = 0
    let price = 0
    let eta = 0
    const offered = parcels.every((parcel, p) => {
      const zone = zones[p]
      const rate = zone === undefined ? undefined : option.rates.find((r) => r.zone_id === zone.zone_id)
      const parcelList = rate === undefined ? undefined : parcelPrice(rate, parcel.weight_grams)
      if (rate === undefined || parcelList === undefined) return false
      listPrice += parcelList
      price += rate.free_over !== undefined && merchandise >= rate.free_over ? 0 : parcelList
      eta = Math.max(eta, rate.eta_days)
      return true
    })
    if (offered) offers.push({ option, list_price: listPrice, price, eta_days: eta })
  }
  return offers
}
