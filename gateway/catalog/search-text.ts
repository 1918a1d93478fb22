/**
 * Words as search sees them, and typo tolerance (API.md, "Search"): one edit (insert, delete,
 * substitute, transpose adjacent letters) in query words of 5+ letters, against the vocabulary
 * of the catalog (titles, brands, category names, attribute values).
 */

/** Lower-cased runs of letters and digits, as `to_tsvector`'s parser splits them (`wh-1000xm5` → `wh`, `1000xm5`). */
export const words = (text: string): Array<string> => text.normalize("NFKC").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []

export const typoLimits = {
  /** Query words shorter than this (in characters) are taken as typed. */
  minWordLength: 5,
  /** Corrections kept per query word, most frequent first. */
  maxCorrections: 5,
  /**
   * A word the catalog knows is corrected only towards words this many times more frequent (a rare
   * misspelling in some listing must not hide the word everyone means).
   */
  knownWordRatio: 20,
  /** Letters tried for inserts and substitutions: the most frequent ones of the vocabulary. */
  maxAlphabet: 100
} as const

/** Optimal string alignment distance ≤ 1: equal, or one insert, delete, substitution or adjacent transposition apart. */
export const withinOneEdit = (a: string, b: string): boolean => {
  if (a === b) return true
  const x = [...a]
  const y = [...b]
  if (Math.abs(x.length - y.length) > 1) return false
  let i = 0
  while (i < x.length && i < y.length && x[i] === y[i]) i++
  if (x.length === y.length) {
    const rest = (k: number) => x.slice(k).join("") === y.slice(k).join("")
    if (rest(i + 1)) return true // substitution
    return i + 1 < x.length && x[i] === y[i + 1] && x[i + 1] === y[i] && rest(i + 2) // transposition
  }
  const [longer, shorter] = x.length > y.length ? [x, y] : [y, x]
  return longer.slice(i + 1).join("") === shorter.slice(i).join("")
}

/**
 * Every word of the catalog with the number of products that brought it. Counts only grow (a
 * word that leaves a listing keeps its count): they only order corrections.
 */
export class Vocabulary {
  private readonly counts = new Map<string, number>()
  private readonly letterCounts = new Map<string, number>()
  private alphabetCache: ReadonlyArray<string> | undefined

  get size(): number {
    return this.counts.size
  }

  /** Count the words of `text` once each. */
  addText(text: string): void {
    for (const w of new Set(words(text))) this.add(w)
  }

  add(word: string, times = 1): void {
    const before = this.counts.get(word)
    this.counts.set(word, (before ?? 0) + times)
    if (before !== undefined) return
    for (const ch of word) this.letterCounts.set(ch, (this.letterCounts.get(ch) ?? 0) + 1)
    this.alphabetCache = undefined
  }

  frequency(word: string): number {
    return this.counts.get(word) ?? 0
  }

  private alphabet(): ReadonlyArray<string> {
    this.alphabetCache ??= [...this.letterCounts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, typoLimits.maxAlphabet)
      .map(([ch]) => ch)
    return this.alphabetCache
  }

  /**
   * Catalog words one edit away from `word` (never `word` itself), most frequent first: none for
   * words under 5 characters; for a word the catalog knows, only much more frequent ones.
   */
  corrections(word: string): Array<string> {
    const chars = [...word]
    if (chars.length < typoLimits.minWordLength) return []
    const own = this.frequency(word)
    const floor = own === 0 ? 1 : own * typoLimits.knownWordRatio
    const found = new Map<string, number>()
    const consider = (candidate: string) => {
      if (candidate === word || found.has(candidate)) return
      const n = this.counts.get(candidate)
      if (n !== undefined && n >= floor) found.set(candidate, n)
    }
    const n = chars.length
    // head[i] = the first i characters, tail[i] = from character i on.
    const head = chars.map((_, i) => chars.slice(0, i).join(""))
    head.push(word)
    const tail = chars.map((_, i) => chars.slice(i).join(""))
    tail.push("")
    for (let i = 0; i < n; i++) consider(head[i]! + tail[i + 1]!)
    for (let i = 0; i + 1 < n; i++) consider(head[i]! + chars[i + 1]! + chars[i]! + tail[i + 2]!)
    for (const ch of this.alphabet()) {
      for (let i = 0; i <= n; i++) {
        consider(head[i]! + ch + tail[i]!)
        if (i < n && chars[i] !== ch) consider(head[i]! + ch + tail[i + 1]!)
      }
    }
    return [...found.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, typoLimits.maxCorrections)
      .map(([w]) => w)
  }
}
