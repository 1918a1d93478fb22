import { Schema } from "effect"
import { catalogLimits, LongText } from "./fields.ts"

/**
 * Category attribute schemas and the attributes of products and SKUs (API.md, "Sellers, catalog,
 * stock"). Without a schema, attributes are free-form strings, numbers and booleans; with one,
 * types, enum values and required attributes are enforced and unknown names are refused. The
 * schema applies to a product's attributes merged with each SKU's: a SKU attribute overrides
 * the product's (`effectiveAttributes`).
 */

const schemaAttributeNamePattern = /^[a-z][a-z0-9_]{0,39}$/
const attributeNamePattern = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$/

/** A schema attribute name: `[a-z][a-z0-9_]{0,39}` (machine names: `ram_gb`, `colour`). */
export const SchemaAttributeName = Schema.String.pipe(Schema.pattern(schemaAttributeNamePattern))

/**
 * A free-form attribute name: 1..40 letters, digits, spaces, `_`, `.` or `-`, starting with a
 * letter or digit (so never `__proto__`). Every schema attribute name is one too.
 */
export const AttributeName = Schema.String.pipe(Schema.pattern(attributeNamePattern))

export const AttributeString = LongText(catalogLimits.maxAttributeValueLength)
export const AttributeValue = Schema.Union(AttributeString, Schema.Number.pipe(Schema.finite()), Schema.Boolean)
export type AttributeValue = typeof AttributeValue.Type

const entryCount = (record: object) => Object.keys(record).length

/**
 * Records take any string key and check their keys with a filter: a Record whose key schema
 * refuses a key treats it as an excess property, and commands are validated with excess
 * properties ignored, so the key would be dropped silently instead of refused.
 */
const keysMatch = (pattern: RegExp, what: string) => (record: object) => {
  const bad = Object.keys(record).find((k) => !pattern.test(k))
  return bad === undefined || `${JSON.stringify(bad)} is not a valid ${what}`
}

/** A product's or a SKU's attributes: at most 50 entries. */
export const Attributes = Schema.Record({ key: Schema.String, value: AttributeValue }).pipe(
  Schema.filter(keysMatch(attributeNamePattern, "attribute name")),
  Schema.filter((r) => entryCount(r) <= catalogLimits.maxAttributes || `at most ${catalogLimits.maxAttributes} attributes`)
)
export type Attributes = typeof Attributes.Type

export const AttributeType = Schema.Literal("string", "number", "boolean", "enum")
export type AttributeType = typeof AttributeType.Type

/** One attribute of a category schema. `values` is required for `enum` (non-empty, distinct) and refused otherwise. */
export const AttributeSpec = Schema.Struct({
  type: AttributeType,
  values: Schema.optional(Schema.Array(AttributeString.pipe(Schema.minLength(1))).pipe(Schema.maxItems(catalogLimits.maxEnumValues))),
  required: Schema.optional(Schema.Literal(true))
}).pipe(
  Schema.filter((spec) => {
    if (spec.type === "enum") {
      if (spec.values === undefined || spec.values.length === 0) return "an enum needs a non-empty `values`"
      if (new Set(spec.values).size !== spec.values.length) return "enum values must be distinct"
      return true
    }
    return spec.values === undefined || "`values` is only for enum attributes"
  })
)
export type AttributeSpec = typeof AttributeSpec.Type

/** A category's attribute schema: 1..50 attributes named `[a-z][a-z0-9_]{0,39}`. */
export const AttributeSchema = Schema.Record({ key: Schema.String, value: AttributeSpec }).pipe(
  Schema.filter(keysMatch(schemaAttributeNamePattern, "schema attribute name ([a-z][a-z0-9_]{0,39})")),
  Schema.filter((r) => entryCount(r) <= catalogLimits.maxAttributes || `at most ${catalogLimits.maxAttributes} attributes`)
)
export type AttributeSchema = typeof AttributeSchema.Type

/** Where an attribute problem is, as a path into the request body: `["skus", 2, "attributes", "ram_gb"]`. */
export const AttributePath = Schema.Array(Schema.Union(Schema.String, Schema.Number))

export const AttributeIssueCode = Schema.Literal("unknown_attribute", "wrong_type", "not_in_enum", "required", "invalid_value")

/** One violation: what, where, and a message fit for a 400 `invalid_request` body. */
export const AttributeIssue = Schema.Struct({
  path: AttributePath,
  code: AttributeIssueCode,
  message: Schema.String
})
export type AttributeIssue = typeof AttributeIssue.Type

type AttributeMap = Readonly<Record<string, unknown>>

const own = (record: object, key: string) => Object.prototype.hasOwnProperty.call(record, key)

const valueIssue = (value: unknown): string | undefined => {
  if (typeof value === "boolean") return undefined
  if (typeof value === "number") return Number.isFinite(value) ? undefined : "must be a finite number"
  if (typeof value === "string") return Schema.is(AttributeString)(value) ? undefined : `must be at most ${catalogLimits.maxAttributeValueLength} printable characters`
  return "must be a string, a number or a boolean"
}

const typeMatches = (type: AttributeType, value: unknown) =>
  type === "enum" || type === "string" ? typeof value === "string" : typeof value === type

/**
 * Every problem of `attributes` (an already merged map, see `effectiveAttributes`) under
 * `schema`, in a stable order (the map's names, then missing required ones in schema order).
 * Paths are `[name]`; callers prefix them. An empty array means valid.
 */
export const validateAttributes = (schema: AttributeSchema | undefined, attributes: AttributeMap): ReadonlyArray<AttributeIssue> => {
  const issues: Array<AttributeIssue> = []
  for (const [name, value] of Object.entries(attributes)) {
    const path = [name]
    const invalid = valueIssue(value)
    if (invalid !== undefined) {
      issues.push({ path, code: "invalid_value", message: `attribute "${name}" ${invalid}` })
      continue
    }
    if (schema === undefined) continue
    if (!own(schema, name)) {
      issues.push({ path, code: "unknown_attribute", message: `attribute "${name}" is not in the category's schema` })
      continue
    }
    const spec = schema[name]!
    if (!typeMatches(spec.type, value)) {
      issues.push({ path, code: "wrong_type", message: `attribute "${name}" must be ${spec.type === "enum" ? "one of the enum values" : `a ${spec.type}`}` })
    } else if (spec.type === "enum" && !spec.values!.includes(value as string)) {
      issues.push({ path, code: "not_in_enum", message: `attribute "${name}" must be one of ${spec.values!.map((v) => JSON.stringify(v)).join(", ")}` })
    }
  }
  if (schema !== undefined) {
    for (const [name, spec] of Object.entries(schema)) {
      if (spec.required === true && !own(attributes, name)) {
        issues.push({ path: [name], code: "required", message: `attribute "${name}" is required` })
      }
    }
  }
  return issues
}

/** A SKU's attributes as the schema sees them: the product's, overridden by the SKU's own. */
export const effectiveAttributes = (
  product: { readonly attributes: Attributes },
  sku: { readonly attributes: Attributes }
): Attributes => ({ ...product.attributes, ...sku.attributes })

/** The schema with only its known fields (commands are validated with excess properties ignored; the journal keeps no extras). */
export const canonicalAttributeSchema = (schema: AttributeSchema): AttributeSchema =>
  Object.fromEntries(
    Object.entries(schema).map(([name, spec]) => [
      name,
      {
        type: spec.type,
        ...(spec.values !== undefined ? { values: [...spec.values] } : {}),
        ...(spec.required !== undefined ? { required: spec.required } : {})
      }
    ])
  )
