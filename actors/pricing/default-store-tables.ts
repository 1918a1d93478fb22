import type { StoreTables } from "./store-tables.ts"

/**
 * The tables a store starts with, in INR (amounts in paise), for the demo catalog's categories
 * (`loadtest/seed/taxonomy`). The rates are ILLUSTRATIVE (simplified GST slabs, a few US state
 * sales taxes, UK and UAE VAT), not tax advice: an operator replaces them with its own JSON
 * (`parseStoreTablesJson`), same shape.
 *
 * Tax: prices exclude tax (`tax` is added on top). India: 18 % by default, 5 % on fashion and
 * groceries, 0 % on books, 18 % on shipping; the same in every state (GST is national), except
 * Kerala's illustrative 1 % cess on the standard rate (19 %). US: sales tax in California, New
 * York and Texas only. UK: 20 % VAT, books and groceries zero-rated. UAE: 5 % VAT.
 *
 * Shipping from the main warehouse in Karnataka, 500 g a unit unless a line says otherwise:
 *
 * | zone | standard | express |
 * |---|---|---|
 * | local (same state) | ₹40 per 500 g + ₹20 each further 500 g, 2 days, free from ₹499 | ₹99 + ₹30, 1 day |
 * | remote (J&K, Ladakh, the North-East, the islands) | ₹99 + ₹40, 7 days, free from ₹999 | not offered |
 * | national (rest of India) | ₹60 + ₹30, 4 days, free from ₹499 | ₹149 + ₹50, 2 days |
 * | international | ₹1,500 + ₹500, 12 days, parcels ≤ 30 kg | ₹3,500 + ₹1,000, 5 days, parcels ≤ 20 kg |
 */

const indiaCategoryRates = [
  { category_id: "cat_books", rate_bps: 0 },
  { category_id: "cat_grocery", rate_bps: 500 },
  { category_id: "cat_fashion", rate_bps: 500 }
]

const indianState = (regions: ReadonlyArray<string>, defaultRateBps = 1800) => ({
  country: "IN",
  regions: [...regions],
  default_rate_bps: defaultRateBps,
  category_rates: indiaCategoryRates,
  shipping_rate_bps: 1800
})

const remoteIndianRegions = [
  "Jammu and Kashmir", "JK", "Ladakh", "LA", "Andaman and Nicobar Islands", "AN", "Lakshadweep", "LD",
  "Arunachal Pradesh", "AR", "Manipur", "MN", "Meghalaya", "ML", "Mizoram", "MZ", "Nagaland", "NL", "Sikkim", "SK", "Tripura", "TR"
]

export const defaultStoreTables: StoreTables = {
  currency: "INR",
  tax: {
    prices_include_tax: false,
    jurisdictions: [
      { country: "IN", default_rate_bps: 1800, category_rates: indiaCategoryRates, shipping_rate_bps: 1800 },
      indianState(["KA", "Karnataka"]),
      indianState(["MH", "Maharashtra"]),
      indianState(["DL", "Delhi", "NCT of Delhi"]),
      indianState(["TN", "Tamil Nadu"]),
      indianState(["KL", "Kerala"], 1900),
      { country: "US", default_rate_bps: 0, category_rates: [], shipping_rate_bps: 0 },
      { country: "US", regions: ["CA", "California"], default_rate_bps: 725, category_rates: [], shipping_rate_bps: 0 },
      { country: "US", regions: ["NY", "New York"], default_rate_bps: 400, category_rates: [], shipping_rate_bps: 400 },
      { country: "US", regions: ["TX", "Texas"], default_rate_bps: 625, category_rates: [], shipping_rate_bps: 625 },
      {
        country: "GB",
        default_rate_bps: 2000,
        category_rates: [
          { category_id: "cat_books", rate_bps: 0 },
          { category_id: "cat_grocery", rate_bps: 0 }
        ],
        shipping_rate_bps: 2000
      },
      { country: "AE", default_rate_bps: 500, category_rates: [], shipping_rate_bps: 500 }
    ]
  },
  shipping: {
    default_origin: { country: "IN", region: "Karnataka" },
    default_unit_weight_grams: 500,
    zones: [
      { zone_id: "local", name: "Within the state", relation: "same_region", to_countries: ["IN"] },
      { zone_id: "remote", name: "Remote regions of India", relation: "same_country", to_countries: ["IN"], to_regions: remoteIndianRegions },
      { zone_id: "national", name: "Rest of India", relation: "same_country", to_countries: ["IN"] },
      { zone_id: "international", name: "International", relation: "any" }
    ],
    options: [
      {
        shipping_option_id: "standard",
        name: "Standard delivery",
        rates: [
          { zone_id: "local", base_price: 4000, included_grams: 500, step_grams: 500, step_price: 2000, eta_days: 2, free_over: 49900 },
          { zone_id: "remote", base_price: 9900, included_grams: 500, step_grams: 500, step_price: 4000, eta_days: 7, free_over: 99900 },
          { zone_id: "national", base_price: 6000, included_grams: 500, step_grams: 500, step_price: 3000, eta_days: 4, free_over: 49900 },
          { zone_id: "international", base_price: 150000, included_grams: 500, step_grams: 500, step_price: 50000, eta_days: 12, max_parcel_weight_grams: 30_000 }
        ]
      },
      {
        shipping_option_id: "express",
        name: "Express delivery",
        rates: [
          { zone_id: "local", base_price: 9900, included_grams: 500, step_grams: 500, step_price: 3000, eta_days: 1 },
          { zone_id: "national", base_price: 14900, included_grams: 500, step_grams: 500, step_price: 5000, eta_days: 2 },
          { zone_id: "international", base_price: 350000, included_grams: 500, step_grams: 500, step_price: 100000, eta_days: 5, max_parcel_weight_grams: 20_000 }
        ]
      }
    ]
  }
}
