import { catalogLimits } from "../../actors/catalog/fields.ts"
import type { SqlCondition } from "../../storage/postgres/catalog-search-sql.ts"
import type { CategoryDirectory } from "./search-document.ts"
import type { Condition } from "./search-filters.ts"
import { type Vocabulary, words } from "./search-text.ts"

/**
 * From a search request to what the SQL runs: the words of `q` with their typo corrections as
 * tsquery text, and filter conditions with category names and ids resolved to id subtrees.
 */

export const searchLimits = {
  maxQueryLength: 200,
  /** Words of `q` beyond this are ignored. */
  maxQueryWords: 10,
  defaultPageSize: 20,
  maxPageSize: 100,
  /** page × page_size may not exceed this: deeper pages are refused (400), as search engines do. */
  maxResultWindow: 10_000,
  /** Results fetched at once (and reused for every page within them) while answers are reused. */
  reusedResults: 100
} as const

export interface TextPlan {
  /** The words as typed (lower case, distinct, at most `maxQueryWords`). */
  readonly words: ReadonlyArray<string>
  /** Per word: the word and its corrections. */
  readonly alternatives: ReadonlyArray<ReadonlyArray<string>>
}

/**
 * The stop words of Postgres's `english` configuration with 5+ letters. They are never corrected:
 * the search drops a stop word, and a correction of it ("there" → "three") would turn a word the
 * shopper did not mean to require into a required one.
 */
const stopWords = new Set(
  ("myself ourselves yours yourself yourselves himself herself itself their theirs themselves which these those being having doing " +
    "because until while about against between through during before after above below under again further there where other should").split(" ")
)

export const textPlan = (q: string, vocabulary: Vocabulary): TextPlan => {
  const typed = [...new Set(words(q))].slice(0, searchLimits.maxQueryWords)
  return { words: typed, alternatives: typed.map((w) => (stopWords.has(w) ? [w] : [w, ...vocabulary.corrections(w)])) }
}

const group = (alternatives: ReadonlyArray<string>) => (alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join(" | ")})`)

/** Every word (or one of its corrections) must match. Words are letters and digits only, so they are safe tsquery operands. */
export const allWordsQuery = (plan: TextPlan): string => plan.alternatives.map(group).join(" & ")
/** Any word may match (the relaxation when no product has them all). */
export const anyWordQuery = (plan: TextPlan): string => plan.alternatives.map(group).join(" | ")
/** The words as typed, any of them, to rank exact matches over corrected ones; undefined when no word was corrected. */
export const exactWordsQuery = (plan: TextPlan): string | undefined => (plan.alternatives.every((a) => a.length === 1) ? undefined : plan.words.join(" | "))

export const resolveConditions = (conditions: ReadonlyArray<Condition>, categories: CategoryDirectory): Array<SqlCondition> =>
  conditions.map((c) => (c.field === "category" ? { field: "category", values: [...new Set(c.values.flatMap((v) => categories.resolve(v)))] } : c))

/** Price facet bounds in minor units: 0, then 1, 2.5 and 5 × 1,000 × powers of ten, up to the largest price. */
export const priceBounds: ReadonlyArray<number> = (() => {
  const out = [0]
  for (let p = 1_000; p < catalogLimits.maxPriceMinor; p *= 10) out.push(p, p * 2.5, p * 5)
  return out.filter((b) => b <= catalogLimits.maxPriceMinor)
})()
