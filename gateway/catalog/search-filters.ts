import type { Issue } from "../api-error.ts"

/**
 * The `filters` parameter of `GET /v1/search` (API.md, "Search"), as in the seed:
 * `brand:sony,price:<15000`. Conditions are separated by `,` and all must hold; `name:value`
 * is equality, `name:<v` `name:>v` strict and `name:<=v` `name:>=v` inclusive ranges;
 * `name:a|b` means either value. Names and values are case-insensitive; prices are minor units.
 *
 * Fields: `brand`, `category` (an id or a name; includes its subcategories), `seller`,
 * `price`, `rating`, `in_stock` (`true`/`false`), `stock_status`, and any attribute name of a
 * listed product (string, number or boolean values; ranges on numbers).
 */

export type RangeOp = "<" | ">" | "<=" | ">="

export type Condition =
  | { readonly field: "brand" | "category" | "seller" | "stock_status"; readonly values: ReadonlyArray<string> }
  | { readonly field: "price" | "rating"; readonly op: "="; readonly values: ReadonlyArray<number> }
  | { readonly field: "price" | "rating"; readonly op: RangeOp; readonly value: number }
  | { readonly field: "in_stock"; readonly value: boolean }
  | { readonly field: "attribute"; readonly name: string; readonly op: "="; readonly values: ReadonlyArray<string> }
  | { readonly field: "attribute"; readonly name: string; readonly op: RangeOp; readonly value: number }

export const filterLimits = {
  maxLength: 2_000,
  maxConditions: 20,
  maxValuesPerCondition: 20,
  maxValueLength: 200
} as const

const stockStatuses = ["in_stock", "low_stock", "out_of_stock"]
const textFields = new Set(["brand", "category", "seller", "stock_status"])
const numberFields = new Set(["price", "rating"])
export const builtInFilterFields = ["brand", "category", "seller", "price", "rating", "in_stock", "stock_status"] as const

const entryPattern = /^([^:]+):(<=|>=|<|>)?(.*)$/s
const namePattern = /^[a-z0-9][a-z0-9 _.-]{0,39}$/

/** The canonical text of an attribute value as the read model stores it for equality (lower case; numbers as JavaScript prints them). */
export const attributeValueText = (value: string | number | boolean): string =>
  typeof value === "string" ? value.normalize("NFKC").toLowerCase().trim() : String(value)

export type FilterResult = { readonly ok: true; readonly conditions: ReadonlyArray<Condition> } | { readonly ok: false; readonly issues: ReadonlyArray<Issue> }

/**
 * Parse `filters`. `isAttribute(name)` says whether some listed product has an attribute of that
 * (lower-cased) name; any other field is refused, so a misspelt field is a 400, not an empty page.
 */
export const parseFilters = (raw: string | undefined, isAttribute: (name: string) => boolean): FilterResult => {
  if (raw === undefined || raw.trim() === "") return { ok: true, conditions: [] }
  const path = "query.filters"
  if (raw.length > filterLimits.maxLength) return { ok: false, issues: [{ path, message: `at most ${filterLimits.maxLength} characters` }] }
  const entries = raw.split(",").map((e) => e.trim()).filter((e) => e !== "")
  if (entries.length > filterLimits.maxConditions) return { ok: false, issues: [{ path, message: `at most ${filterLimits.maxConditions} conditions` }] }
  const issues: Array<Issue> = []
  const conditions: Array<Condition> = []
  for (const entry of entries) {
    const fail = (message: string) => issues.push({ path, message: `"${entry}": ${message}` })
    const match = entryPattern.exec(entry)
    if (match === null) {
      fail("expected name:value, name:<value, name:>value, name:<=value or name:>=value")
      continue
    }
    const name = match[1]!.trim().toLowerCase()
    const op = (match[2] ?? "=") as "=" | RangeOp
    const values = match[3]!.split("|").map((v) => v.trim())
    if (values.some((v) => v === "")) {
      fail("a value is empty")
      continue
    }
    if (values.length > filterLimits.maxValuesPerCondition) {
      fail(`at most ${filterLimits.maxValuesPerCondition} values`)
      continue
    }
    if (values.some((v) => v.length > filterLimits.maxValueLength)) {
      fail(`a value is longer than ${filterLimits.maxValueLength} characters`)
      continue
    }
    if (op !== "=" && values.length > 1) {
      fail(`a range (${op}) takes one value`)
      continue
    }
    const condition = conditionOf(name, op, values, isAttribute)
    if (typeof condition === "string") fail(condition)
    else conditions.push(condition)
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, conditions }
}

const conditionOf = (name: string, op: "=" | RangeOp, values: ReadonlyArray<string>, isAttribute: (name: string) => boolean): Condition | string => {
  const lower = values.map((v) => v.normalize("NFKC").toLowerCase())
  if (textFields.has(name)) {
    if (op !== "=") return `${name} takes values, not ranges`
    if (name === "stock_status") {
      const bad = lower.find((v) => !stockStatuses.includes(v))
      if (bad !== undefined) return `stock_status is one of ${stockStatuses.join(", ")}`
    }
    return { field: name as "brand" | "category" | "seller" | "stock_status", values: lower }
  }
  if (numberFields.has(name)) {
    const field = name as "price" | "rating"
    const numbers = values.map(Number)
    const valid = field === "price" ? (n: number) => Number.isSafeInteger(n) && n >= 0 : (n: number) => Number.isFinite(n) && n >= 0 && n <= 5
    if (values.some((v, i) => !/^[0-9.]+$/.test(v) || !valid(numbers[i]!))) {
      return field === "price" ? "price must be a whole number of minor units (≥ 0)" : "rating must be a number from 0 to 5"
    }
    return op === "=" ? { field, op, values: numbers } : { field, op, value: numbers[0]! }
  }
  if (name === "in_stock") {
    if (op !== "=" || values.length !== 1 || (lower[0] !== "true" && lower[0] !== "false")) return "in_stock is true or false"
    return { field: "in_stock", value: lower[0] === "true" }
  }
  if (!namePattern.test(name)) return "not a field name"
  if (!isAttribute(name)) return `unknown field "${name}": use ${builtInFilterFields.join(", ")} or an attribute name of a listed product`
  if (op === "=") return { field: "attribute", name, op, values: equalityTexts(values) }
  const n = Number(values[0])
  if (!/^-?[0-9.]+$/.test(values[0]!) || !Number.isFinite(n)) return `a range on ${name} needs a number`
  return { field: "attribute", name, op, value: n }
}

/** Equality texts for attribute values: the value as typed, and a number's canonical form (`8.0` matches 8). */
const equalityTexts = (values: ReadonlyArray<string>): ReadonlyArray<string> => {
  const out = new Set<string>()
  for (const v of values) {
    out.add(attributeValueText(v))
    if (/^-?[0-9]+(\.[0-9]+)?$/.test(v)) out.add(String(Number(v)))
  }
  return [...out]
}
