import { words } from "./search-text.ts"

/**
 * Autocomplete (API.md, "Search"): suggestions whose text has, for every word typed, a word
 * starting with it: product titles (with their `product_id`), brands and category names. Kept
 * in memory (rebuilt from the read model at start, then fed by the catalog projection), so a
 * keystroke costs no database round trip.
 *
 * Order: up to `maxPerGroup` categories, then brands, each by how many products they hold, then
 * product titles by review count, rating and title length; the same text is suggested once.
 *
 * Products are found two ways, whichever is cheaper: through the postings of the words starting
 * with the rarest typed word (when few entries have one), or by walking all products best first
 * until enough match (when many do: "s" matches most of a catalog, and the first few products
 * walked already fill the answer). Answers are memoized until the index changes.
 */

export interface Suggestion {
  readonly text: string
  readonly product_id?: string
}

export type EntryKind = "category" | "brand" | "product"

interface Entry {
  readonly id: number
  readonly kind: EntryKind
  readonly text: string
  readonly words: ReadonlyArray<string>
  readonly productId: string | undefined
  readonly weight: number
  readonly tiebreak: number
}

export const autocompleteLimits = {
  /** Suggestions per answer. */
  maxSuggestions: 10,
  /** Categories and brands suggested at most, each, before product titles. */
  maxPerGroup: 3,
  /** Words of the query considered. */
  maxQueryWords: 6,
  /** Answers memoized (cleared whenever the index changes). */
  maxMemoized: 5_000
} as const

/** Above this many entries behind the rarest typed word, products are walked best first instead of through postings. */
const walkAbove = 1_000

/** Best first: weight, then tiebreak (higher first), then shorter text, then text, then id. */
const compare = (a: Entry, b: Entry): number =>
  b.weight - a.weight || b.tiebreak - a.tiebreak || a.text.length - b.text.length || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0) || a.id - b.id

export class AutocompleteIndex {
  private readonly entries: Array<Entry | undefined> = []
  private readonly free: Array<number> = []
  private readonly byKey = new Map<string, number>()
  private readonly postings = new Map<string, Set<number>>()
  /** Categories and brands: few, scanned whole. */
  private readonly small = new Set<number>()
  /** Products, best first. */
  private readonly ranked: Array<Entry> = []
  private sorted: Array<string> | undefined
  private readonly memo = new Map<string, ReadonlyArray<Suggestion>>()
  /** Between `beginBulk` and `endBulk`: products are appended to `ranked` unordered, and sorted once at the end. */
  private bulk = false

  get size(): number {
    return this.byKey.size
  }

  has(key: string): boolean {
    return this.byKey.has(key)
  }

  /**
   * Loading many products at once (the rebuild at start): each `put` appends instead of inserting
   * in order (an insert moves half the array: quadratic over a catalog), `endBulk` sorts once.
   * Answers are not asked for in between.
   */
  beginBulk(): void {
    this.bulk = true
  }

  endBulk(): void {
    if (!this.bulk) return
    this.bulk = false
    this.ranked.sort(compare)
    this.memo.clear()
  }

  /** Add or replace the entry under `key` (`product:<id>`, `brand:<name>`, `category:<id>`). */
  put(key: string, kind: EntryKind, text: string, weight: number, productId?: string, tiebreak = 0): void {
    const existing = this.byKey.get(key)
    if (existing !== undefined) {
      const e = this.entries[existing]!
      if (e.text === text && e.kind === kind && e.weight === weight && e.tiebreak === tiebreak && e.productId === productId) return
      this.remove(key)
    }
    const id = this.free.pop() ?? this.entries.length
    const entry: Entry = { id, kind, text, words: [...new Set(words(text))], productId, weight, tiebreak }
    this.entries[id] = entry
    this.byKey.set(key, id)
    for (const w of entry.words) {
      let set = this.postings.get(w)
      if (set === undefined) {
        this.postings.set(w, (set = new Set()))
        this.sorted = undefined
      }
      set.add(id)
    }
    if (kind === "product") {
      if (this.bulk) this.ranked.push(entry)
      else this.ranked.splice(this.rankOf(entry), 0, entry)
    } else this.small.add(id)
    this.memo.clear()
  }

  /** The entry's weight plus `delta` (a brand or category gaining a product); creates it with weight `delta`. */
  bump(key: string, kind: EntryKind, text: string, delta: number): void {
    const existing = this.byKey.get(key)
    const entry = existing === undefined ? undefined : this.entries[existing]!
    this.put(key, kind, entry?.text ?? text, (entry?.weight ?? 0) + delta, entry?.productId, entry?.tiebreak ?? 0)
  }

  remove(key: string): void {
    const id = this.byKey.get(key)
    if (id === undefined) return
    const entry = this.entries[id]!
    for (const w of entry.words) {
      const set = this.postings.get(w)
      if (set === undefined) continue
      set.delete(id)
      if (set.size === 0) {
        this.postings.delete(w)
        this.sorted = undefined
      }
    }
    if (entry.kind === "product") {
      const at = this.bulk ? this.ranked.indexOf(entry) : this.rankOf(entry)
      if (this.ranked[at] === entry) this.ranked.splice(at, 1)
    } else this.small.delete(id)
    this.entries[id] = undefined
    this.free.push(id)
    this.byKey.delete(key)
    this.memo.clear()
  }

  suggest(query: string): ReadonlyArray<Suggestion> {
    const tokens = [...new Set(words(query))].slice(0, autocompleteLimits.maxQueryWords)
    if (tokens.length === 0) return []
    const memoKey = tokens.join(" ")
    const memoized = this.memo.get(memoKey)
    if (memoized !== undefined) return memoized
    const answer = this.compute(tokens)
    if (this.memo.size >= autocompleteLimits.maxMemoized) this.memo.clear()
    this.memo.set(memoKey, answer)
    return answer
  }

  /** Where `entry` sits (or would) in `ranked`: the first position whose entry is not better. */
  private rankOf(entry: Entry): number {
    let lo = 0
    let hi = this.ranked.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compare(this.ranked[mid]!, entry) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private compute(tokens: ReadonlyArray<string>): ReadonlyArray<Suggestion> {
    const matches = (e: Entry) => tokens.every((t) => e.words.some((w) => w.startsWith(t)))
    // The typed word with the fewest entries behind it (an upper bound: an entry may hold several of its words).
    let rarest: ReadonlyArray<string> = []
    let rarestSize = Infinity
    for (const t of tokens) {
      const range = this.wordsStartingWith(t)
      let size = 0
      for (const w of range) size += this.postings.get(w)!.size
      if (size === 0) return []
      if (size < rarestSize) {
        rarest = range
        rarestSize = size
      }
    }
    const best: Record<EntryKind, Array<Entry>> = { category: [], brand: [], product: [] }
    for (const id of this.small) {
      const e = this.entries[id]!
      if (matches(e)) keepBest(best[e.kind], e, autocompleteLimits.maxPerGroup)
    }
    const want = autocompleteLimits.maxSuggestions
    let walked = false
    if (rarestSize > walkAbove) {
      // Many candidates: the best products come first in `ranked`, and often enough of them match early.
      // The walk gives up after a quarter of what the postings would cost (matches may all rank low).
      const limit = Math.min(this.ranked.length, rarestSize >>> 2)
      for (let i = 0; i < limit && best.product.length < want; i++) if (matches(this.ranked[i]!)) best.product.push(this.ranked[i]!)
      walked = best.product.length >= want || limit === this.ranked.length
    }
    if (!walked) {
      best.product = []
      // With one typed word, every entry behind its words matches; an entry behind two of them is kept once.
      const check = tokens.length > 1
      for (const w of rarest) {
        for (const id of this.postings.get(w)!) {
          const e = this.entries[id]!
          if (e.kind === "product" && (!check || matches(e))) keepBest(best.product, e, want)
        }
      }
    }
    const out: Array<Suggestion> = []
    const texts = new Set<string>()
    for (const kind of ["category", "brand", "product"] as const) {
      for (const e of best[kind]) {
        if (out.length >= want) break
        const folded = e.text.toLowerCase()
        if (texts.has(folded)) continue
        texts.add(folded)
        out.push(e.productId === undefined ? { text: e.text } : { text: e.text, product_id: e.productId })
      }
    }
    return out
  }

  /** Words of the index starting with `prefix`, by binary search over the sorted word list. */
  private wordsStartingWith(prefix: string): ReadonlyArray<string> {
    this.sorted ??= [...this.postings.keys()].sort()
    const list = this.sorted
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (list[mid]! < prefix) lo = mid + 1
      else hi = mid
    }
    let end = lo
    while (end < list.length && list[end]!.startsWith(prefix)) end++
    return list.slice(lo, end)
  }
}

/** Insert `entry` into `list` (best first, each entry once) when it ranks among the first `room`. */
const keepBest = (list: Array<Entry>, entry: Entry, room: number) => {
  if (list.length >= room && compare(entry, list[list.length - 1]!) >= 0) return
  let i = list.length
  while (i > 0 && compare(entry, list[i - 1]!) < 0) i--
  if (i > 0 && list[i - 1] === entry) return
  list.splice(i, 0, entry)
  if (list.length > room) list.pop()
}
