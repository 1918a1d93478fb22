import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { schema, validMap, violated } from "./attribute-arbitraries.ts"
import type { Attributes } from "./attributes.ts"
import { listingAttributeIssues } from "./product.ts"

const skuWith = (attributes: Record<string, unknown>) => ({ sku_id: "sku_x", attributes: attributes as Attributes, price: 100, currency: "INR" })

describe("listingAttributeIssues", () => {
  it("property: a single violation in one SKU is reported once, at that SKU's path", () => {
    const cases = schema.chain((s) =>
      validMap(s).chain((m) => fc.tuple(fc.constant(s), fc.constant(m), violated(s, m), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 4 })))
    )
    fc.assert(
      fc.property(cases, ([s, valid, { map, expected }, at, extra]) => {
        const skus = Array.from({ length: at + extra }, (_, i) => skuWith(i === at ? map : valid))
        const issues = listingAttributeIssues(s, { attributes: {}, skus })
        expect(issues).toHaveLength(1)
        expect(issues[0]).toMatchObject({ path: ["skus", at, "attributes", ...expected.path], code: expected.code })
      }),
      { numRuns: 300 }
    )
  })

  it("property: a violation in the product's own attributes is reported once at its path (a missing required one, per SKU)", () => {
    const cases = schema.chain((s) => validMap(s).chain((m) => fc.tuple(fc.constant(s), violated(s, m), fc.integer({ min: 1, max: 4 }))))
    fc.assert(
      fc.property(cases, ([s, { map, expected }, count]) => {
        const skus = Array.from({ length: count }, () => skuWith({}))
        const issues = listingAttributeIssues(s, { attributes: map as Attributes, skus })
        if (expected.code === "required") {
          expect(issues).toEqual(skus.map((_, i) => expect.objectContaining({ path: ["skus", i, "attributes", ...expected.path], code: "required" })))
        } else {
          expect(issues).toEqual([expect.objectContaining({ path: ["attributes", ...expected.path], code: expected.code })])
        }
      }),
      { numRuns: 300 }
    )
  })
})
