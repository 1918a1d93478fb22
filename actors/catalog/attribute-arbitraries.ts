import fc from "fast-check"
import { Schema } from "effect"
import { type AttributeIssue, AttributeSchema, type AttributeSpec } from "./attributes.ts"

/** fast-check generators of attribute schemas, maps that satisfy them, and single violations (test helper). */

export const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,39}$/)
export const text = fc.stringMatching(/^[A-Za-z0-9 .-]{0,30}$/)
export const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))

const spec: fc.Arbitrary<AttributeSpec> = fc
  .record({
    type: fc.constantFrom("string", "number", "boolean", "enum" as const),
    values: fc.uniqueArray(text.filter((s) => s.length > 0), { minLength: 1, maxLength: 6 }),
    required: fc.boolean()
  })
  .map(({ type, values, required }) => ({ type, ...(type === "enum" ? { values } : {}), ...(required ? { required: true as const } : {}) }))

export const schema = fc.dictionary(name, spec, { minKeys: 1, maxKeys: 12 }).filter((s) => Schema.is(AttributeSchema)(s))

const valueFor = (s: AttributeSpec): fc.Arbitrary<unknown> => {
  switch (s.type) {
    case "string":
      return text
    case "number":
      return number
    case "boolean":
      return fc.boolean()
    case "enum":
      return fc.constantFrom(...s.values!)
  }
}

/** A map satisfying `schema`: every required attribute, any subset of the optional ones. */
export const validMap = (schema: AttributeSchema) =>
  fc.record(Object.fromEntries(Object.entries(schema).map(([n, s]) => [n, valueFor(s)])), {
    requiredKeys: Object.entries(schema).filter(([, s]) => s.required === true).map(([n]) => n)
  }) as fc.Arbitrary<Record<string, unknown>>

/** A value of another type than `s` asks for. */
const wrongTypeFor = (s: AttributeSpec): fc.Arbitrary<unknown> => {
  switch (s.type) {
    case "string":
    case "enum":
      return fc.oneof(number, fc.boolean())
    case "number":
      return fc.oneof(text, fc.boolean())
    case "boolean":
      return fc.oneof(text, number)
  }
}

export type Violation = { readonly map: Record<string, unknown>; readonly expected: Pick<AttributeIssue, "path" | "code"> }

/** One violation applied to a valid map, and the issue it must produce. */
export const violated = (schema: AttributeSchema, map: Record<string, unknown>): fc.Arbitrary<Violation> => {
  const names = Object.keys(schema)
  const options: Array<fc.Arbitrary<Violation>> = [
    fc
      .tuple(name.filter((n) => !names.includes(n)), fc.oneof(text, number, fc.boolean()))
      .map(([n, v]) => ({ map: { ...map, [n]: v }, expected: { path: [n], code: "unknown_attribute" } })),
    fc
      .constantFrom(...names)
      .chain((n) => wrongTypeFor(schema[n]!).map((v) => ({ map: { ...map, [n]: v }, expected: { path: [n], code: "wrong_type" } }))),
    fc
      .tuple(fc.constantFrom(...names), fc.constantFrom(NaN, Infinity, null, { x: 1 }, [1], "\u0000", "x".repeat(501)))
      .map(([n, v]) => ({ map: { ...map, [n]: v }, expected: { path: [n], code: "invalid_value" } }))
  ]
  const enums = names.filter((n) => schema[n]!.type === "enum")
  if (enums.length > 0) {
    options.push(
      fc
        .constantFrom(...enums)
        .chain((n) => text.filter((v) => !schema[n]!.values!.includes(v)).map((v) => ({ map: { ...map, [n]: v }, expected: { path: [n], code: "not_in_enum" } })))
    )
  }
  const required = names.filter((n) => schema[n]!.required === true)
  if (required.length > 0) {
    options.push(
      fc.constantFrom(...required).map((n) => {
        const { [n]: _, ...rest } = map
        return { map: rest, expected: { path: [n], code: "required" } }
      })
    )
  }
  return fc.oneof(...options)
}

