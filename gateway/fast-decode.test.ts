import fc from "fast-check"
import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { quickCheckOf } from "./fast-decode.ts"

/** The quick check never accepts what the strict decode refuses, and what it accepts decodes to an equal value. */

const strict = { errors: "all", onExcessProperty: "error" } as const

const Id = Schema.String.pipe(Schema.pattern(/^sku_[A-Za-z0-9_-]{1,8}$/))
const schemas = {
  params: Schema.Struct({ sku_id: Id }),
  reserve: Schema.Struct({ quantity: Schema.Int.pipe(Schema.between(1, 100)), mode: Schema.optional(Schema.Literal("all_or_nothing", "partial")) }),
  mixed: Schema.Struct({
    name: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(5)),
    limit: Schema.NullOr(Schema.Number.pipe(Schema.int(), Schema.positive())),
    flag: Schema.optional(Schema.Boolean),
    nested: Schema.optional(Schema.Struct({ id: Id }))
  }),
  filtered: Schema.Struct({ a: Schema.optional(Schema.Number), b: Schema.optional(Schema.Number) }).pipe(
    Schema.filter((v) => (v.a === undefined) !== (v.b === undefined) || "exactly one of a, b")
  )
}

const value = fc.oneof(
  fc.constantFrom("sku_a", "sku_toolongname", "sku_", "x", "", "partial", "all_or_nothing", 0, 1, 50, 100, 101, -1, 1.5, true, false, null),
  fc.integer({ min: -5, max: 120 }),
  fc.string({ maxLength: 7 })
)
const keys = ["sku_id", "quantity", "mode", "name", "limit", "flag", "nested", "a", "b", "other"] as const
const input: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(fc.constantFrom(...keys), fc.oneof({ weight: 6, arbitrary: value }, { weight: 1, arbitrary: fc.record({ id: value }) }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.oneof(value, fc.array(value, { maxLength: 2 }), fc.constant(undefined)) },
  // Shapes close to the schemas', so that valid inputs come up often.
  { weight: 2, arbitrary: fc.record({ sku_id: value }) },
  { weight: 2, arbitrary: fc.record({ quantity: value, mode: value }, { requiredKeys: ["quantity"] }) },
  { weight: 2, arbitrary: fc.record({ a: value, b: value }, { requiredKeys: [] }) }
)

describe("quickCheckOf", () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`${name}: accepts only what the strict decode accepts, unchanged`, () => {
      const quick = quickCheckOf(schema.ast as never)!
      expect(quick).toBeDefined()
      const decode = Schema.decodeUnknownEither(schema as Schema.Schema<unknown, unknown, never>, strict)
      let accepted = 0
      fc.assert(
        fc.property(input, (u) => {
          if (!quick(u)) return
          accepted++
          const decoded = decode(u)
          expect(Either.isRight(decoded)).toBe(true)
          expect(Either.getOrThrow(decoded)).toEqual(u)
        }),
        { numRuns: 5_000 }
      )
      // Not vacuous (the mixed struct's valid inputs are too rare here: see the next test).
      if (name !== "mixed") expect(accepted).toBeGreaterThan(0)
    })
  }

  it("takes the common inputs quickly", () => {
    expect(quickCheckOf(schemas.params.ast)!({ sku_id: "sku_hot" })).toBe(true)
    expect(quickCheckOf(schemas.reserve.ast)!({ quantity: 1 })).toBe(true)
    expect(quickCheckOf(schemas.reserve.ast)!({ quantity: 1, mode: "partial" })).toBe(true)
    expect(quickCheckOf(schemas.reserve.ast)!({ quantity: 1, extra: 1 })).toBe(false)
    expect(quickCheckOf(schemas.reserve.ast)!({ quantity: 1, mode: undefined })).toBe(false)
    const mixed = { name: "ab", limit: null, flag: true, nested: { id: "sku_a" } }
    expect(quickCheckOf(schemas.mixed.ast)!(mixed)).toBe(true)
    expect(Schema.decodeUnknownEither(schemas.mixed, strict)(mixed)).toEqual(Either.right(mixed))
    expect(quickCheckOf(schemas.mixed.ast)!({ ...mixed, limit: 0 })).toBe(false)
    expect(quickCheckOf(schemas.mixed.ast)!({ ...mixed, nested: { id: "sku_a", x: 1 } })).toBe(false)
  })

  it("leaves schemas with transformations to the full decode", () => {
    expect(quickCheckOf(Schema.Struct({ n: Schema.NumberFromString }).ast)).toBeUndefined()
    expect(quickCheckOf(Schema.Struct({ d: Schema.Date }).ast)).toBeUndefined()
    expect(quickCheckOf(Schema.Record({ key: Schema.String, value: Schema.Number }).ast)).toBeUndefined()
  })
})
