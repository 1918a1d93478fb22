import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { allWordsQuery, anyWordQuery, exactWordsQuery, searchLimits, textPlan } from "./search-plan.ts"
import { typoLimits, Vocabulary, withinOneEdit, words } from "./search-text.ts"

/** Optimal string alignment distance (the textbook dynamic programme), to check `withinOneEdit` against. */
const osa = (a: string, b: string): number => {
  const x = [...a]
  const y = [...b]
  const d = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
    }
  }
  return d[x.length]![y.length]!
}

const vocabulary = (...texts: Array<string>) => {
  const v = new Vocabulary()
  for (const t of texts) v.addText(t)
  return v
}

describe("words", () => {
  it("splits on anything but letters and digits, lower-cased and NFKC-normalized, as to_tsvector does", () => {
    expect(words("Sony WH-1000XM5, Noise-Cancelling!")).toEqual(["sony", "wh", "1000xm5", "noise", "cancelling"])
    expect(words("Ｃａｆé au lait — 2×")).toEqual(["café", "au", "lait", "2"])
    expect(words("  ")).toEqual([])
  })
})

describe("one edit", () => {
  it("accepts one insert, delete, substitution or adjacent transposition, and nothing more", () => {
    expect(withinOneEdit("headphones", "headphones")).toBe(true)
    expect(withinOneEdit("headphones", "headphone")).toBe(true) // delete
    expect(withinOneEdit("headphones", "headphoness")).toBe(true) // insert
    expect(withinOneEdit("headphones", "headphonez")).toBe(true) // substitute
    expect(withinOneEdit("headphones", "headphnoes")).toBe(true) // transpose
    expect(withinOneEdit("headphones", "haedphnoes")).toBe(false)
    expect(withinOneEdit("headphones", "headphon")).toBe(false)
    expect(withinOneEdit("abc", "cba")).toBe(false)
  })

  it("agrees with the optimal string alignment distance", () => {
    const word = fc.string({ unit: fc.constantFrom("a", "b", "c", "é"), maxLength: 7 })
    fc.assert(fc.property(word, word, (a, b) => withinOneEdit(a, b) === osa(a, b) <= 1), { numRuns: 2_000 })
  })
})

describe("typo corrections", () => {
  const v = vocabulary("Wireless Headphones", "Wireless Headphones", "Bluetooth Speaker", "Electric Kettle", "Cable", "Table", "Sony Phone")

  it("corrects query words of 5+ letters by one edit to catalog words, most frequent first", () => {
    expect(v.corrections("headphnoes")).toEqual(["headphones"])
    expect(v.corrections("wireles")).toEqual(["wireless"])
    expect(v.corrections("wirelesss")).toEqual(["wireless"])
    expect(v.corrections("kettel")).toEqual(["kettle"])
    expect(v.corrections("speakr")).toEqual(["speaker"])
    expect(v.corrections("blutooth")).toEqual(["bluetooth"])
    expect(v.corrections("xettle")).toEqual(["kettle"])
  })

  it(`leaves words under ${typoLimits.minWordLength} letters, unknown words farther than one edit, and known words alone`, () => {
    expect(v.corrections("sonu")).toEqual([])
    expect(v.corrections("phne")).toEqual([])
    expect(v.corrections("haedphnoes")).toEqual([])
    expect(v.corrections("cable")).toEqual([]) // "table" is known too, and not much more frequent
    const skewed = vocabulary("cable", ...Array.from({ length: typoLimits.knownWordRatio }, () => "table"))
    expect(skewed.corrections("cable")).toEqual(["table"])
  })

  it("keeps at most a few corrections per word", () => {
    const many = vocabulary("bakes cakes lakes makes rakes takes wakes fakes sakes")
    expect(many.corrections("jakes")).toHaveLength(typoLimits.maxCorrections)
  })
})

describe("text plans", () => {
  const v = vocabulary("Wireless Headphones", "Sony Phone", "there three")

  it("turns words and corrections into tsquery text, all words required or any, and the words as typed", () => {
    const plan = textPlan("Sony  wireles HEADPHONES sony", v)
    expect(plan.words).toEqual(["sony", "wireles", "headphones"])
    expect(allWordsQuery(plan)).toBe("sony & (wireles | wireless) & headphones")
    expect(anyWordQuery(plan)).toBe("sony | (wireles | wireless) | headphones")
    expect(exactWordsQuery(plan)).toBe("sony | wireles | headphones")
    expect(exactWordsQuery(textPlan("sony headphones", v))).toBeUndefined()
  })

  it("never corrects stop words (the search drops them; a correction would become required)", () => {
    expect(textPlan("there", v).alternatives).toEqual([["there"]])
  })

  it(`keeps at most ${searchLimits.maxQueryWords} words, letters and digits only`, () => {
    const plan = textPlan(Array.from({ length: 20 }, (_, i) => `w${i}`).join(" ") + " & | ! ( ) : * '", v)
    expect(plan.words).toHaveLength(searchLimits.maxQueryWords)
    expect(textPlan("&|!():*'", v).words).toEqual([])
  })
})
