import { AutocompleteIndex } from "./autocomplete-index.ts"
import { brandKey, CategoryDirectory, type CategoryInfo } from "./search-document.ts"
import { Vocabulary } from "./search-text.ts"

/**
 * What search keeps in memory next to the Postgres read model: the vocabulary for typo
 * corrections (words of listings, as `catalog_terms` keeps them, and category names), the autocomplete index, the category tree (names for search text, subtrees for
 * filters) and the attribute names filters may use. Rebuilt from the read model at start, then
 * fed by the catalog projection after each flush it wrote.
 */

export interface IndexedListing {
  readonly product_id: string
  readonly title: string
  readonly brand: string
  readonly category_id: string
  /** Attribute names, lower case. */
  readonly attr_names: ReadonlyArray<string>
  readonly rating: number
  readonly review_count: number
}

export class SearchIndexes {
  readonly vocabulary = new Vocabulary()
  readonly autocomplete = new AutocompleteIndex()
  readonly categories = new CategoryDirectory()
  private readonly attributeNames = new Set<string>()
  private readonly productsPerCategory = new Map<string, number>()
  /** Between `beginBulk` and `endBulk` (the rebuild at start): category weights are put once, at the end. */
  private bulk = false

  beginBulk(): void {
    this.bulk = true
    this.autocomplete.beginBulk()
  }

  endBulk(): void {
    if (!this.bulk) return
    this.bulk = false
    for (const id of this.productsPerCategory.keys()) {
      const category = this.categories.get(id)
      if (category !== undefined) this.putCategoryEntry(category)
    }
    this.autocomplete.endBulk()
  }

  hasAttribute(name: string): boolean {
    return this.attributeNames.has(name)
  }

  /**
   * Words of listings: `counted` each by how many new products brought them, `known` (from changed
   * listings) made known without counting.
   */
  addTerms(counted: Iterable<readonly [string, number]>, known: Iterable<string> = []): void {
    for (const [w, n] of counted) this.vocabulary.add(w, n)
    for (const w of known) if (this.vocabulary.frequency(w) === 0) this.vocabulary.add(w)
  }

  /** A product listed (`isNew`) or re-listed, for autocomplete and filters. Brands and categories gain weight only from new products. */
  addProduct(p: IndexedListing, isNew: boolean): void {
    for (const n of p.attr_names) this.attributeNames.add(n)
    this.autocomplete.put(`product:${p.product_id}`, "product", p.title, p.review_count, p.product_id, p.rating)
    if (isNew) {
      this.autocomplete.bump(`brand:${brandKey(p.brand)}`, "brand", p.brand.trim(), 1)
      this.productsPerCategory.set(p.category_id, (this.productsPerCategory.get(p.category_id) ?? 0) + 1)
    } else if (!this.autocomplete.has(`brand:${brandKey(p.brand)}`)) {
      this.autocomplete.bump(`brand:${brandKey(p.brand)}`, "brand", p.brand.trim(), 1)
    }
    const category = this.categories.get(p.category_id)
    if (isNew && category !== undefined && !this.bulk) this.putCategoryEntry(category)
  }

  addCategory(c: CategoryInfo): void {
    this.categories.put(c)
    this.vocabulary.addText(c.name)
    this.putCategoryEntry(c)
  }

  private putCategoryEntry(c: CategoryInfo) {
    this.autocomplete.put(`category:${c.category_id}`, "category", c.name, this.productsPerCategory.get(c.category_id) ?? 0)
  }
}
