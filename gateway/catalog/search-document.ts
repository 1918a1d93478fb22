import type { Product } from "../../actors/catalog/product.ts"
import { attributeValueText } from "./search-filters.ts"
import { words } from "./search-text.ts"

/**
 * The rows the read model keeps for one product, derived from its listing alone (the category
 * text comes from the category names the projection knows). Pure, so it is tested without SQL.
 */

export interface SkuRow {
  readonly sku_id: string
  readonly position: number
  readonly price: number
  readonly currency: string
  readonly attributes: Product["skus"][number]["attributes"]
}

export interface SearchRow {
  readonly product_id: string
  readonly seq: number
  readonly title: string
  readonly brand: string
  readonly brand_key: string
  readonly category_id: string
  readonly category_text: string
  readonly seller_id: string
  readonly currency: string
  readonly image: string | null
  readonly price: number
  readonly created_at: string
  /** Attribute name (lower case) → the distinct value texts of the product and its SKUs. */
  readonly attrs: Record<string, ReadonlyArray<string>>
  /** Attribute name (lower case) → the distinct numeric values, for ranges. */
  readonly attr_numbers: Record<string, ReadonlyArray<number>>
  /** Attribute string values, for the full-text vector (weight C). */
  readonly attr_text: string
  readonly description: string
}

/** How brands are compared (filters, facets): NFKC, lower case, trimmed. */
export const brandKey = (brand: string): string => brand.normalize("NFKC").toLowerCase().trim()

/** The listing's SKU rows, in listing order. */
export const skuRowsOf = (product: Product): ReadonlyArray<SkuRow> =>
  product.skus.map((s, position) => ({ sku_id: s.sku_id, position, price: s.price, currency: s.currency, attributes: s.attributes }))

export const searchRowOf = (product: Product, seq: number, categoryText: string): SearchRow => {
  const texts = new Map<string, Set<string>>()
  const numbers = new Map<string, Set<number>>()
  const words = new Set<string>()
  const add = (name: string, value: string | number | boolean) => {
    const key = name.toLowerCase()
    let t = texts.get(key)
    if (t === undefined) texts.set(key, (t = new Set()))
    t.add(attributeValueText(value))
    if (typeof value === "number") {
      let n = numbers.get(key)
      if (n === undefined) numbers.set(key, (n = new Set()))
      n.add(value)
    }
    if (typeof value === "string") words.add(value)
  }
  for (const [name, value] of Object.entries(product.attributes)) add(name, value)
  for (const sku of product.skus) for (const [name, value] of Object.entries(sku.attributes)) add(name, value)
  return {
    product_id: product.product_id,
    seq,
    title: product.title,
    brand: product.brand,
    brand_key: brandKey(product.brand),
    category_id: product.category_id,
    category_text: categoryText,
    seller_id: product.seller_id,
    currency: product.skus[0]!.currency,
    image: product.images[0] ?? null,
    price: Math.min(...product.skus.map((s) => s.price)),
    created_at: product.created_at,
    attrs: Object.fromEntries([...texts].map(([k, v]) => [k, [...v]])),
    attr_numbers: Object.fromEntries([...numbers].map(([k, v]) => [k, [...v]])),
    attr_text: [...words].join(" "),
    description: product.description
  }
}

/** Longest word kept in the vocabulary (longer runs are codes, URLs, junk). */
const maxTermLength = 40

/** The distinct words of a listing, for the typo vocabulary: title, brand, string attribute values, description. */
export const termsOf = (product: Product): ReadonlySet<string> => {
  const texts = [product.title, product.brand, product.description]
  const strings = (attributes: Product["attributes"]) => {
    for (const v of Object.values(attributes)) if (typeof v === "string") texts.push(v)
  }
  strings(product.attributes)
  for (const s of product.skus) strings(s.attributes)
  const out = new Set<string>()
  for (const t of texts) for (const w of words(t)) if (w.length <= maxTermLength) out.add(w)
  return out
}

export interface CategoryInfo {
  readonly category_id: string
  readonly name: string
  readonly parent_id: string | null
}

/**
 * The categories the read model knows, for search text (a product in "Headphones" under
 * "Audio" is found by both words) and for category filters (a category includes its subtree).
 */
export class CategoryDirectory {
  private readonly byId = new Map<string, CategoryInfo>()
  private readonly children = new Map<string, Set<string>>()

  get size(): number {
    return this.byId.size
  }

  put(category: CategoryInfo): void {
    this.byId.set(category.category_id, category)
    if (category.parent_id !== null) {
      let set = this.children.get(category.parent_id)
      if (set === undefined) this.children.set(category.parent_id, (set = new Set()))
      set.add(category.category_id)
    }
  }

  get(id: string): CategoryInfo | undefined {
    return this.byId.get(id)
  }

  all(): Iterable<CategoryInfo> {
    return this.byId.values()
  }

  /** The names of the category and its ancestors, nearest first (names not known yet are left out). */
  text(id: string): string {
    const names: Array<string> = []
    const seen = new Set<string>()
    for (let c = this.byId.get(id); c !== undefined && !seen.has(c.category_id); c = c.parent_id === null ? undefined : this.byId.get(c.parent_id)) {
      seen.add(c.category_id)
      names.push(c.name)
    }
    return names.join(" ")
  }

  /** The category and every category below it. */
  subtree(id: string): Array<string> {
    const out: Array<string> = []
    const stack = [id]
    const seen = new Set<string>()
    while (stack.length > 0) {
      const c = stack.pop()!
      if (seen.has(c)) continue
      seen.add(c)
      out.push(c)
      for (const child of this.children.get(c) ?? []) stack.push(child)
    }
    return out
  }

  /** Ids of the categories a filter value names: an id or a name, case-insensitively, each with its subtree. */
  resolve(value: string): Array<string> {
    const wanted = value.normalize("NFKC").toLowerCase()
    const out = new Set<string>()
    for (const c of this.byId.values()) {
      if (c.category_id.toLowerCase() === wanted || c.name.normalize("NFKC").toLowerCase() === wanted) for (const id of this.subtree(c.category_id)) out.add(id)
    }
    // A category not projected yet (or unknown) still matches products filed under that exact id.
    if (out.size === 0 && /^cat_/.test(wanted)) for (const c of [value, wanted]) out.add(c)
    return [...out]
  }
}
