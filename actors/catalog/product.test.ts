import { describe, expect, it } from "vitest"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { catalogLimits } from "./fields.ts"
import { listingAttributeIssues, product, type Product } from "./product.ts"

const pid = "p_AAAAAAAAAAAAAAAA"
const seller_id = "s_AAAAAAAAAAAAAAAA"
const schema = {
  ram_gb: { type: "number", required: true },
  cpu: { type: "string" },
  colour: { type: "enum", values: ["black", "silver"], required: true }
} as const
const sku = (n: number, attributes: Record<string, string | number | boolean> = { colour: "black" }, price = 5_999_900) => ({ sku_id: `sku_${n}`, attributes, price, currency: "INR" })
const listing = {
  seller_id,
  title: "Engine Book 14",
  description: "A light laptop.\nAll day battery.",
  brand: "Analytical",
  category_id: "cat_laptops",
  attributes: { ram_gb: 16, cpu: "M3" },
  images: ["https://img.example.com/p/1.jpg"],
  skus: [sku(1), sku(2, { colour: "silver" }, 6_499_900)]
}
const t0 = "2025-01-31T12:00:00.000Z"
const t1 = "2025-02-01T12:00:00.000Z"
const stored: Product = { product_id: pid, ...listing, created_at: t0, updated_at: t0 }
const created = { _tag: "ProductCreated", product: stored } as const
const create = { _tag: "Create", ...listing, attribute_schema: schema, created_at: t0 }
const update = { _tag: "Update", ...listing, attribute_schema: schema, updated_at: t1 }

const rows: ReadonlyArray<DeciderRow> = [
  // Create
  { name: "Create a product", given: [], when: create, then: [created], reply: stored },
  {
    name: "Create without a category schema: free-form attributes",
    given: [],
    when: { _tag: "Create", ...listing, attributes: { "Screen size": 14.2, Refurbished: false }, skus: [sku(1, { Size: "XL" })], created_at: t0 },
    then: [{ _tag: "ProductCreated", product: { ...stored, attributes: { "Screen size": 14.2, Refurbished: false }, skus: [sku(1, { Size: "XL" })] } }]
  },
  {
    name: "Create drops extra fields of SKUs",
    given: [],
    when: { ...create, skus: [{ ...sku(1), stock: 5 }, sku(2, { colour: "silver" }, 6_499_900)] },
    then: [created]
  },
  { name: "Create again, same listing, restamped → no events", given: [created], when: { ...create, created_at: t1 }, then: [], reply: stored },
  { name: "Create again with another title → product_exists", given: [created], when: { ...create, title: "Other" }, then: { reason: "product_exists" } },
  {
    name: "Create with an unknown attribute → invalid_attributes at its path",
    given: [],
    when: { ...create, attributes: { ...listing.attributes, gpu: "none" } },
    then: { reason: "invalid_attributes", issues: [{ path: ["attributes", "gpu"], code: "unknown_attribute" }] }
  },
  {
    name: "Create with a wrong type in a SKU → invalid_attributes at the SKU's path",
    given: [],
    when: { ...create, skus: [sku(1), sku(2, { colour: "silver", ram_gb: "32" })] },
    then: { reason: "invalid_attributes", issues: [{ path: ["skus", 1, "attributes", "ram_gb"], code: "wrong_type" }] }
  },
  {
    name: "Create with a value outside the enum → invalid_attributes",
    given: [],
    when: { ...create, skus: [sku(1, { colour: "gold" })] },
    then: { reason: "invalid_attributes", issues: [{ path: ["skus", 0, "attributes", "colour"], code: "not_in_enum" }] }
  },
  {
    name: "Create missing a required attribute in one SKU → invalid_attributes",
    given: [],
    when: { ...create, skus: [sku(1), sku(2, {})] },
    then: { reason: "invalid_attributes", issues: [{ path: ["skus", 1, "attributes", "colour"], code: "required" }] }
  },
  {
    name: "a product-level violation is reported once, not per SKU",
    given: [],
    when: { ...create, attributes: { ram_gb: true } },
    then: { reason: "invalid_attributes", issues: [{ path: ["attributes", "ram_gb"], code: "wrong_type" }] }
  },
  {
    name: "a SKU attribute overrides the product's (a required one may come from the product)",
    given: [],
    when: { ...create, attributes: { ram_gb: 16, colour: "black" }, skus: [sku(1, {}), sku(2, { colour: "silver", ram_gb: 32 })] },
    then: [{ _tag: "ProductCreated", product: { ...stored, attributes: { ram_gb: 16, colour: "black" }, skus: [sku(1, {}), sku(2, { colour: "silver", ram_gb: 32 })] } }]
  },
  // Update
  {
    name: "Update replaces the listing, keeps created_at",
    given: [created],
    when: { ...update, title: "Engine Book 14 (2025)" },
    then: [{ _tag: "ProductUpdated", product: { ...stored, title: "Engine Book 14 (2025)", updated_at: t1 }, removed_sku_ids: [] }],
    reply: { title: "Engine Book 14 (2025)", created_at: t0, updated_at: t1 }
  },
  {
    name: "Update removing a SKU names it in removed_sku_ids",
    given: [created],
    when: { ...update, skus: [sku(2, { colour: "silver" }, 6_499_900), sku(3, { colour: "black" }, 7_000_000)] },
    then: [{ _tag: "ProductUpdated", product: { ...stored, skus: [sku(2, { colour: "silver" }, 6_499_900), sku(3, { colour: "black" }, 7_000_000)], updated_at: t1 }, removed_sku_ids: ["sku_1"] }]
  },
  { name: "Update with the same listing → no events", given: [created], when: update, then: [], reply: stored },
  { name: "Update by another seller → not_owner", given: [created], when: { ...update, seller_id: "s_BBBBBBBBBBBBBBBB" }, then: { reason: "not_owner", seller_id } },
  { name: "Update an unknown product → not_found", given: [], when: update, then: { reason: "not_found" } },
  {
    name: "Update breaking the schema → invalid_attributes",
    given: [created],
    when: { ...update, attributes: { cpu: "M3" } },
    then: { reason: "invalid_attributes", issues: [{ path: ["skus", 0, "attributes", "ram_gb"], code: "required" }, { path: ["skus", 1, "attributes", "ram_gb"], code: "required" }] }
  },
  // Get
  { name: "Get", given: [created], when: { _tag: "Get" }, then: [], reply: stored },
  { name: "Get an unknown product → not_found", given: [], when: { _tag: "Get" }, then: { reason: "not_found" } }
]

describe("product decider", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_, row) => {
    runRow(product, row, pid)
  })

  const many = <A>(n: number, f: (i: number) => A) => Array.from({ length: n }, (_, i) => f(i))
  it.each([
    ["an empty title", { title: "" }],
    [`a ${catalogLimits.maxTitleLength + 1}-character title`, { title: "t".repeat(catalogLimits.maxTitleLength + 1) }],
    ["a description over 5,000 characters", { description: "d".repeat(catalogLimits.maxDescriptionLength + 1) }],
    ["a brand over 100 characters", { brand: "b".repeat(catalogLimits.maxBrandLength + 1) }],
    ["21 images", { images: many(21, (i) => `https://img.example.com/${i}.jpg`) }],
    ["an image that is not http(s)", { images: ["ftp://img.example.com/1.jpg"] }],
    ["an image URL over 2,048 characters", { images: [`https://img.example.com/${"x".repeat(2_048)}`] }],
    ["no SKUs", { skus: [] }],
    ["101 SKUs", { skus: many(101, (i) => sku(i)) }],
    ["a repeated sku_id", { skus: [sku(1), sku(1, { colour: "silver" })] }],
    ["a SKU id without sku_", { skus: [{ ...sku(1), sku_id: "one" }] }],
    ["a fractional price", { skus: [sku(1, { colour: "black" }, 1.5)] }],
    ["a negative price", { skus: [sku(1, { colour: "black" }, -1)] }],
    ["a price over 10^10", { skus: [sku(1, { colour: "black" }, 10_000_000_001)] }],
    ["a lower-case currency", { skus: [{ ...sku(1), currency: "inr" }] }],
    ["two currencies", { skus: [sku(1), { ...sku(2), currency: "USD" }] }],
    ["51 attributes", { attributes: Object.fromEntries(many(51, (i) => [`a${i}`, i])) }],
    ["an attribute name starting with _", { attributes: { __proto__x: 1 } }],
    ["an object attribute value", { attributes: { ram_gb: { gb: 16 } } }],
    ["an attribute value over 500 characters", { attributes: { cpu: "c".repeat(501) } }],
    ["a seller id without s_", { seller_id: "seller1" }],
    ["a category id without cat_", { category_id: "laptops" }]
  ])("a listing with %s is a malformed command (a 400 at the edge)", (_, change) => {
    expect(() => product.decide(product.initialState(pid), { ...create, attribute_schema: undefined, ...change } as never, 0)).toThrow(/invalid product command/)
  })

  it("the limits themselves are accepted", () => {
    const edge = {
      ...create,
      attribute_schema: undefined,
      title: "t".repeat(catalogLimits.maxTitleLength),
      description: "",
      images: many(catalogLimits.maxImages, (i) => `http://img.example.com/${i}.jpg`),
      attributes: Object.fromEntries(many(catalogLimits.maxAttributes, (i) => [`a${i}`, "v".repeat(catalogLimits.maxAttributeValueLength)])),
      skus: many(catalogLimits.maxSkus, (i) => sku(i, {}, i === 0 ? catalogLimits.maxPriceMinor : 0))
    }
    expect(product.decide(product.initialState(pid), edge as never, 0)._tag).toBe("Accept")
  })

  it("defects: wrong actor id, impossible events", () => {
    expect(() => product.decide(product.initialState("s_notaproduct"), create as never, 0)).toThrow(/not a product id/)
    const fresh = product.initialState(pid)
    expect(() => product.evolve(fresh, { _tag: "ProductUpdated", product: stored, removed_sku_ids: [] })).toThrow(/before created/)
    const listed = product.evolve(fresh, created)
    expect(() => product.evolve(listed, created)).toThrow(/created twice/)
    expect(() => product.evolve(listed, { _tag: "ProductUpdated", product: { ...stored, seller_id: "s_other" }, removed_sku_ids: [] })).toThrow(/seller changed/)
    expect(() => product.evolve(fresh, { _tag: "ProductCreated", product: { ...stored, product_id: "p_other" } })).toThrow(/event for/)
  })

  it("listingAttributeIssues reports nothing without a schema for primitive values", () => {
    expect(listingAttributeIssues(undefined, listing)).toEqual([])
  })
})
