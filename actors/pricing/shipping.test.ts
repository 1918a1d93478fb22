import { describe, expect, it } from "vitest"
import { defaultStoreTables } from "./default-store-tables.ts"
import { flatTables, line, promotion, quoted, rejected } from "./pricing-fixtures.ts"
import { offersFor, parcelPrice, parcelsOf, zoneFor } from "./shipping.ts"

const table = defaultStoreTables.shipping
const bengaluru = { country: "IN", region: "Karnataka" }
const pune = { country: "IN", region: "Maharashtra" }
const leh = { country: "IN", region: "ladakh" }
const london = { country: "GB", region: "Greater London" }

describe("zones", () => {
  it.each([
    [bengaluru, bengaluru, "local"],
    [bengaluru, { country: "IN", region: " KARNATAKA" }, "local"],
    [bengaluru, pune, "national"],
    [bengaluru, leh, "remote"],
    [bengaluru, { country: "IN", region: "LA" }, "remote"],
    [bengaluru, london, "international"],
    [london, london, "international"] // same region, but "local" is for India only
  ])("%j → %j is %s", (from, to, zone) => {
    expect(zoneFor(table, from, to)?.zone_id).toBe(zone)
  })
})

describe("parcels and their price", () => {
  it("groups lines by origin, summing weights (default weight and origin from the table)", () => {
    const parcels = parcelsOf(
      [
        { quantity: 2 },
        { quantity: 1, unit_weight_grams: 1200, origin: { country: "IN", region: "karnataka" } },
        { quantity: 3, unit_weight_grams: 100, origin: pune }
      ],
      table
    )
    expect(parcels).toEqual([
      { origin: bengaluru, weight_grams: 2200 },
      { origin: pune, weight_grams: 300 }
    ])
  })

  const rate = { zone_id: "z", base_price: 4000, included_grams: 500, step_grams: 500, step_price: 2000, eta_days: 2 }
  it.each([
    [0, 4000],
    [500, 4000],
    [501, 6000],
    [1000, 6000],
    [1001, 8000]
  ])("%i g costs %i", (grams, price) => {
    expect(parcelPrice(rate, grams)).toBe(price)
  })

  it("a parcel above the rate's weight limit is not carried", () => {
    expect(parcelPrice({ ...rate, max_parcel_weight_grams: 1000 }, 1000)).toBe(4000 + 2000)
    expect(parcelPrice({ ...rate, max_parcel_weight_grams: 1000 }, 1001)).toBeUndefined()
  })
})

describe("options offered", () => {
  const offers = (to: typeof bengaluru, grams: number, merchandise: number) =>
    offersFor(table, [{ origin: bengaluru, weight_grams: grams }], to, merchandise).map((o) => [o.option.shipping_option_id, o.list_price, o.price, o.eta_days])

  it("local: standard and express, standard free from ₹499", () => {
    expect(offers(bengaluru, 500, 49_899)).toEqual([
      ["standard", 4000, 4000, 2],
      ["express", 9900, 9900, 1]
    ])
    expect(offers(bengaluru, 500, 49_900)).toEqual([
      ["standard", 4000, 0, 2],
      ["express", 9900, 9900, 1]
    ])
  })

  it("remote regions: standard only, slower, free from ₹999", () => {
    expect(offers(leh, 1500, 10_000)).toEqual([["standard", 9900 + 2 * 4000, 9900 + 2 * 4000, 7]])
    expect(offers(leh, 1500, 99_900)).toEqual([["standard", 17_900, 0, 7]])
  })

  it("international: weight limits per option", () => {
    expect(offers(london, 20_000, 0).map((o) => o[0])).toEqual(["standard", "express"])
    expect(offers(london, 20_001, 0).map((o) => o[0])).toEqual(["standard"])
    expect(offers(london, 30_001, 0)).toEqual([])
  })

  it("two origins: prices add up, the slower parcel sets the ETA", () => {
    const two = offersFor(table, [{ origin: bengaluru, weight_grams: 500 }, { origin: pune, weight_grams: 500 }], bengaluru, 0)
    expect(two.map((o) => [o.option.shipping_option_id, o.price, o.eta_days])).toEqual([
      ["standard", 4000 + 6000, 4],
      ["express", 9900 + 14_900, 2]
    ])
  })
})

describe("shipping in a quote", () => {
  it("lists every option offered; the cheapest is chosen when none is asked for", () => {
    const q = quoted()
    expect(q.shipping_options).toEqual([
      { shipping_option_id: "standard", name: "Standard", price: 5000, eta_days: 3 },
      { shipping_option_id: "express", name: "Express", price: 10_000, eta_days: 1 }
    ])
    expect(q).toMatchObject({ shipping_option_id: "standard", shipping: 5000, eta_days: 3 })
  })

  it("a price tie goes to the faster option", () => {
    const q = quoted({ tables: flatTables({ freeOver: 0 }), promotions: [] })
    expect(q.shipping_options.map((o) => o.price)).toEqual([0, 10_000])
    const tie = quoted({ tables: { ...flatTables(), shipping: { ...flatTables().shipping, options: flatTables().shipping.options.map((o) => ({ ...o, rates: o.rates.map((r) => ({ ...r, base_price: 100 })) })) } } })
    expect(tie).toMatchObject({ shipping_option_id: "express", eta_days: 1 })
  })

  it("the option asked for", () => {
    expect(quoted({ shipping_option_id: "express" })).toMatchObject({ shipping_option_id: "express", shipping: 10_000, eta_days: 1 })
  })

  it("an option not offered there → shipping_option_unavailable with the ones that are", () => {
    expect(rejected({ shipping_option_id: "express", destination: london })).toMatchObject({ reason: "shipping_option_unavailable", shipping_option_id: "express", available: ["standard"] })
    expect(rejected({ shipping_option_id: "drone", destination: london })).toMatchObject({ reason: "shipping_option_unavailable", available: ["standard"] })
  })

  it("nowhere to ship → not_shippable", () => {
    expect(rejected({ tables: defaultStoreTables, destination: london, lines: [line(1, { quantity: 31, unit_weight_grams: 1000 })] })).toMatchObject({
      reason: "not_shippable",
      country: "GB"
    })
  })

  it("the free threshold compares the merchandise after discounts", () => {
    const tables = flatTables({ freeOver: 10_000 })
    expect(quoted({ tables }).shipping).toBe(0)
    expect(quoted({ tables }).shipping_discount).toBe(5000)
    const oneOff = promotion({ kind: "item_fixed", amount_per_unit: 1 })
    expect(quoted({ tables, promotions: [oneOff] })).toMatchObject({ subtotal: 10_000, discount: 1, shipping: 5000, shipping_discount: 0 })
  })
})
