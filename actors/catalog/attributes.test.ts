import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { name, number, schema, text, validMap, violated } from "./attribute-arbitraries.ts"
import { type AttributeSchema, effectiveAttributes, validateAttributes } from "./attributes.ts"

describe("validateAttributes", () => {
  it("property: a map built to the schema passes", () => {
    fc.assert(fc.property(schema.chain((s) => validMap(s).map((m) => [s, m] as const)), ([s, m]) => {
      expect(validateAttributes(s, m)).toEqual([])
    }))
  })

  it("property: any single violation is reported, alone, at the attribute's path", () => {
    const cases = schema.chain((s) => validMap(s).chain((m) => violated(s, m).map((v) => [s, v] as const)))
    fc.assert(
      fc.property(cases, ([s, { map, expected }]) => {
        const issues = validateAttributes(s, map)
        expect(issues).toHaveLength(1)
        expect(issues[0]).toMatchObject(expected)
        expect(issues[0]!.message).toContain(String(expected.path[0]))
      }),
      { numRuns: 500 }
    )
  })

  it("property: without a schema any map of strings, numbers and booleans passes; anything else is reported", () => {
    const primitive = fc.oneof(text, number, fc.boolean())
    fc.assert(
      fc.property(fc.dictionary(name, primitive, { maxKeys: 20 }), name, fc.constantFrom(NaN, null, { x: 1 }, [], undefined), (map, bad, value) => {
        expect(validateAttributes(undefined, map)).toEqual([])
        const issues = validateAttributes(undefined, { ...map, [bad]: value })
        expect(issues).toEqual([expect.objectContaining({ path: [bad], code: "invalid_value" })])
      })
    )
  })

  it("examples from API.md's laptop", () => {
    const laptop: AttributeSchema = { ram_gb: { type: "number", required: true }, colour: { type: "enum", values: ["black", "silver"] } }
    expect(validateAttributes(laptop, { ram_gb: 16, colour: "black" })).toEqual([])
    expect(validateAttributes(laptop, { colour: 1, gpu: "x" }).map((i) => [i.path, i.code])).toEqual([
      [["colour"], "wrong_type"],
      [["gpu"], "unknown_attribute"],
      [["ram_gb"], "required"]
    ])
    // Names inherited from Object.prototype are not schema attributes.
    expect(validateAttributes(laptop, { ram_gb: 1, constructor: "x" }).map((i) => i.code)).toEqual(["unknown_attribute"])
  })
})

describe("effectiveAttributes", () => {
  it("a SKU attribute overrides the product's; the others are inherited", () => {
    expect(effectiveAttributes({ attributes: { ram_gb: 16, colour: "black" } }, { attributes: { colour: "silver", size: "L" } })).toEqual({
      ram_gb: 16,
      colour: "silver",
      size: "L"
    })
  })

  it("property: every SKU key wins, every other product key is kept", () => {
    const map = fc.dictionary(name, fc.oneof(text, number, fc.boolean()), { maxKeys: 10 })
    fc.assert(
      fc.property(map, map, (p, s) => {
        const merged = effectiveAttributes({ attributes: p }, { attributes: s })
        for (const [k, v] of Object.entries(s)) expect(merged[k]).toEqual(v)
        for (const [k, v] of Object.entries(p)) if (!(k in s)) expect(merged[k]).toEqual(v)
        expect(Object.keys(merged).length).toBe(new Set([...Object.keys(p), ...Object.keys(s)]).size)
      })
    )
  })
})
