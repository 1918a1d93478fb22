import type { AttributeSchema, AttributeValue } from "../../../actors/catalog/attributes.ts"
import type { Rng } from "../prng.ts"

/**
 * The vocabulary of the demo catalog's taxonomy: top-level categories, their leaf categories with
 * an attribute schema each, and a `make` per leaf that draws one product (brand, title, product
 * attributes, variants with prices in rupees). Prices are converted to the store currency and
 * the variants get ids and stock in generate.ts.
 */

export type AttributeMap = Record<string, AttributeValue>

export interface VariantDraft {
  /** The SKU's own attributes (they override the product's). */
  readonly attributes: AttributeMap
  /** Price in Indian rupees (major units), converted to the store currency later. */
  readonly rupees: number
}

export interface ProductDraft {
  readonly brand: string
  readonly title: string
  readonly attributes: AttributeMap
  /** 1..4 variants with distinct attributes. */
  readonly variants: ReadonlyArray<VariantDraft>
  /** Short selling points, woven into the description. */
  readonly highlights: ReadonlyArray<string>
}

export interface LeafCategory {
  readonly category_id: string
  readonly name: string
  /** Relative share of the catalog's products. */
  readonly weight: number
  readonly attribute_schema: AttributeSchema
  /** Path segment of the product image URLs. */
  readonly imageFolder: string
  readonly make: (r: Rng) => ProductDraft
}

export interface TopCategory {
  readonly category_id: string
  readonly name: string
  readonly leaves: ReadonlyArray<LeafCategory>
}

// ---------------------------------------------------------------- schema shorthands

export const text = { type: "string" } as const
export const num = { type: "number" } as const
export const bool = { type: "boolean" } as const
export const oneOf = (values: ReadonlyArray<string>) => ({ type: "enum", values: [...values] }) as const
export const required = <S extends object>(spec: S) => ({ ...spec, required: true }) as const

// ---------------------------------------------------------------- drawing helpers

/** `count` distinct values of one variant axis, in the axis's order. */
export const variantValues = <T>(r: Rng, axis: ReadonlyArray<T>, count: number): Array<T> => r.sample(axis, Math.max(1, count))

/** 1..4 variants, skewed towards fewer (most listings have one or two). */
export const variantCount = (r: Rng, max = 4): number => r.weighted([1, 2, 3, 4].filter((n) => n <= max), (n) => [0, 40, 30, 18, 12][n]!)

/** A model code such as `14IRH8` or `FD0123TU` from a template: `#` becomes a digit, `@` a capital letter. */
export const modelCode = (r: Rng, template: string): string =>
  template.replace(/[#@]/g, (c) => (c === "#" ? String(r.int(0, 9)) : String.fromCharCode(65 + r.int(0, 25))))

/** Round to a multiple of `step`. */
export const roundTo = (value: number, step: number) => Math.max(step, Math.round(value / step) * step)

/** A price around `base` (± spread, e.g. 0.15 = ±15 %). */
export const around = (r: Rng, base: number, spread = 0.15) => base * (1 - spread + r.next() * 2 * spread)

/** An ISO date (`YYYY-MM-DD`) `days` after the catalog's reference date, 2026-01-01. */
export const dateAfterReference = (days: number): string => new Date(Date.UTC(2026, 0, 1) + days * 86_400_000).toISOString().slice(0, 10)

export const colours = {
  tech: ["Black", "Silver", "Space Grey", "Midnight Blue", "White", "Graphite", "Green", "Lavender"],
  apparel: ["Black", "White", "Navy Blue", "Grey", "Olive", "Maroon", "Sky Blue", "Beige", "Charcoal", "Light Pink", "Mustard", "Teal"],
  home: ["Red", "Black", "Grey", "White", "Blue", "Green", "Beige", "Brown"]
} as const
