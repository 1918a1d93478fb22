import { Either, ParseResult, Schema } from "effect"
import { CurrencyCode } from "../catalog/fields.ts"
import {
  Amount,
  CategoryId,
  CountryCode,
  DistinctList,
  Int,
  normalizeRegion,
  Place,
  Region,
  ShippingOptionId,
  TaxRateBps,
  Text,
  WeightGrams,
  ZoneId
} from "./fields.ts"

/**
 * The store's pricing tables: tax rates by place and category, shipping zones and options. One
 * value per store, decoded once (from `default-store-tables.ts` or an operator's JSON) and passed
 * to every quote. Amounts are in `currency`'s minor units.
 */

export const CategoryRate = Schema.Struct({ category_id: CategoryId, rate_bps: TaxRateBps })

/**
 * Tax rates of a country, or of some of its regions (`regions`: names and codes of one region,
 * e.g. `["KA", "Karnataka"]`). A region's entry beats its country's; a place with no entry is
 * not taxed (e.g. exports).
 */
export const TaxJurisdiction = Schema.Struct({
  country: CountryCode,
  regions: Schema.optional(DistinctList(Region, 20)),
  /** The rate of a line whose categories have no rate here. */
  default_rate_bps: TaxRateBps,
  /** The first of a line's categories (nearest first) with a rate here sets its rate. */
  category_rates: Schema.optionalWith(
    Schema.Array(CategoryRate).pipe(
      Schema.maxItems(500),
      Schema.filter((rs) => new Set(rs.map((r) => r.category_id)).size === rs.length, { message: () => "category_id must be distinct" })
    ),
    { default: () => [] }
  ),
  /** The rate on shipping charges. */
  shipping_rate_bps: Schema.optionalWith(TaxRateBps, { default: () => 0 })
})
export type TaxJurisdiction = typeof TaxJurisdiction.Type

export const TaxTable = Schema.Struct({
  /** `true`: prices (and shipping prices) include tax, and a quote's `tax` is the part included. */
  prices_include_tax: Schema.Boolean,
  jurisdictions: Schema.Array(TaxJurisdiction).pipe(Schema.maxItems(1_000))
})
export type TaxTable = typeof TaxTable.Type

/**
 * A shipping zone: a kind of route from a warehouse to an address. Zones are tried in order and
 * the first whose conditions all hold is the route's zone. `relation` compares the destination
 * with the origin (`same_region`: same country and region; `same_country`; `any`).
 */
export const Zone = Schema.Struct({
  zone_id: ZoneId,
  name: Text(100),
  relation: Schema.Literal("same_region", "same_country", "any"),
  from_countries: Schema.optional(DistinctList(CountryCode, 250)),
  to_countries: Schema.optional(DistinctList(CountryCode, 250)),
  to_regions: Schema.optional(DistinctList(Region, 200))
})
export type Zone = typeof Zone.Type

/**
 * An option's price and delivery time in one zone: `base_price` covers a parcel up to
 * `included_grams`; every started `step_grams` beyond adds `step_price`. A parcel ships free when
 * the order's merchandise after discounts (`subtotal − discount`) reaches `free_over`.
 */
export const ZoneRate = Schema.Struct({
  zone_id: ZoneId,
  base_price: Amount,
  included_grams: Int.pipe(Schema.between(0, 1_000_000_000)),
  step_grams: Int.pipe(Schema.between(1, 1_000_000_000)),
  step_price: Int.pipe(Schema.between(0, 100_000_000)),
  /** Days from the order to delivery on this route. */
  eta_days: Int.pipe(Schema.between(0, 365)),
  free_over: Schema.optional(Amount),
  /** Heaviest parcel carried on this route; absent: no limit. */
  max_parcel_weight_grams: Schema.optional(Int.pipe(Schema.between(1, 1_000_000_000)))
})
export type ZoneRate = typeof ZoneRate.Type

/** A way to ship (standard, express, …), offered where it has a rate for every parcel's zone and weight. */
export const ShippingOption = Schema.Struct({
  shipping_option_id: ShippingOptionId,
  name: Text(100),
  rates: Schema.Array(ZoneRate).pipe(
    Schema.minItems(1),
    Schema.maxItems(100),
    Schema.filter((rs) => new Set(rs.map((r) => r.zone_id)).size === rs.length, { message: () => "zone_id must be distinct within an option" })
  )
})
export type ShippingOption = typeof ShippingOption.Type

export const ShippingTable = Schema.Struct({
  /** Where a line ships from when the quote does not say (the store's main warehouse). */
  default_origin: Place,
  /** A unit's weight when the quote does not give one. */
  default_unit_weight_grams: WeightGrams,
  zones: Schema.Array(Zone).pipe(Schema.minItems(1), Schema.maxItems(100)),
  /** In display order. */
  options: Schema.Array(ShippingOption).pipe(Schema.minItems(1), Schema.maxItems(20))
})
export type ShippingTable = typeof ShippingTable.Type

const problemsOf = (tables: { readonly tax: TaxTable; readonly shipping: ShippingTable }): Array<string> => {
  const problems: Array<string> = []
  const zoneIds = tables.shipping.zones.map((z) => z.zone_id)
  if (new Set(zoneIds).size !== zoneIds.length) problems.push("shipping.zones: zone_id must be distinct")
  const optionIds = tables.shipping.options.map((o) => o.shipping_option_id)
  if (new Set(optionIds).size !== optionIds.length) problems.push("shipping.options: shipping_option_id must be distinct")
  for (const option of tables.shipping.options) {
    for (const rate of option.rates) {
      if (!zoneIds.includes(rate.zone_id)) problems.push(`shipping.options.${option.shipping_option_id}: unknown zone ${rate.zone_id}`)
    }
  }
  const places = new Set<string>()
  for (const j of tables.tax.jurisdictions) {
    for (const region of j.regions?.map(normalizeRegion) ?? [""]) {
      const key = `${j.country}/${region}`
      if (places.has(key)) problems.push(`tax.jurisdictions: ${j.country} ${region === "" ? "(whole country)" : region} appears twice`)
      places.add(key)
    }
  }
  return problems
}

export const StoreTables = Schema.Struct({
  /** The store currency; every amount here is in its minor units. */
  currency: CurrencyCode,
  tax: TaxTable,
  shipping: ShippingTable
}).pipe(Schema.filter((tables) => problemsOf(tables).join("; ") || undefined))
export type StoreTables = typeof StoreTables.Type

const decodeTables = Schema.decodeUnknownEither(StoreTables, { errors: "all", onExcessProperty: "error" })

/** Decode tables from JSON-shaped data (unknown fields rejected); the error names every problem. */
export const decodeStoreTables = (input: unknown): Either.Either<StoreTables, string> =>
  Either.mapLeft(decodeTables(input), (error) => ParseResult.TreeFormatter.formatErrorSync(error))

/** Decode tables from JSON text, e.g. the contents of an operator's file or environment variable. */
export const parseStoreTablesJson = (text: string): Either.Either<StoreTables, string> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return Either.left(`store tables are not valid JSON: ${(error as Error).message}`)
  }
  return decodeStoreTables(parsed)
}

/** The tables as JSON-shaped data (what `decodeStoreTables` reads back). */
export const encodeStoreTables = Schema.encodeSync(StoreTables)
