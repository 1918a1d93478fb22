import { priceIn } from "./prices.ts"
import { rngFor } from "./prng.ts"

/**
 * A realistic mix of shopper searches over the demo catalog, for the catalog benchmark: what people
 * type (brands, product kinds, brand + kind, a few words of a title), some with one typo, some
 * with filters (brand, price ranges, stock, a category, an attribute), sorts and later pages; and
 * the prefixes an autocomplete box sends while they type. Deterministic by seed.
 */

const brands = ["samsung", "apple", "sony", "nike", "adidas", "puma", "lenovo", "hp", "dell", "boat", "jbl", "levi's", "prestige", "philips", "haldiram's", "tata tea", "oneplus", "xiaomi", "lg", "skechers", "van heusen", "allen solly", "cetaphil", "mamaearth", "penguin random house india"]
const kinds = [
  "laptop",
  "gaming laptop",
  "smartphone",
  "5g phone",
  "headphones",
  "wireless earbuds",
  "noise cancelling headphones",
  "smart tv",
  "4k tv",
  "smartwatch",
  "running shoes",
  "sneakers",
  "formal shirt",
  "slim fit jeans",
  "bhujia",
  "potato chips",
  "green tea",
  "instant coffee",
  "basmati rice",
  "atta",
  "pressure cooker",
  "air fryer",
  "mixer grinder",
  "bedsheet king",
  "thriller novel",
  "cricket bat",
  "yoga mat",
  "dumbbells",
  "face wash",
  "sunscreen spf 50"
]
const titleWords = ["galaxy", "iphone", "macbook air", "ideapad", "pavilion", "redmi note", "pegasus", "ultraboost", "rockerz", "airdopes", "bravia", "crystal 4k", "good day", "red label", "svachh", "rozana", "english willow", "niacinamide", "hidden garden", "monsoon"]
const categories = ["laptops", "mobile phones", "headphones", "televisions", "shoes", "shirts", "jeans", "snacks", "beverages", "cookware", "fiction", "skincare", "electronics", "fashion", "grocery"]
const sorts = ["price_asc", "price_desc", "rating", "newest"]

/** One edit (swap, drop, double or replace a letter) inside a word of 5+ letters: what search must forgive. */
const typo = (r: ReturnType<typeof rngFor>, text: string): string => {
  const words = text.split(" ")
  const long = words.map((w, i) => [w, i] as const).filter(([w]) => /^[a-z]{5,}$/.test(w))
  if (long.length === 0) return text
  const [word, at] = r.pick(long)
  const i = r.int(1, word.length - 2)
  const edits = [
    () => word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2),
    () => word.slice(0, i) + word.slice(i + 1),
    () => word.slice(0, i) + word[i] + word.slice(i),
    () => word.slice(0, i) + String.fromCharCode(97 + r.int(0, 25)) + word.slice(i + 1)
  ]
  words[at] = r.pick(edits)()
  return words.join(" ")
}

const param = (name: string, value: string) => `${name}=${encodeURIComponent(value)}`

/** `count` request paths for `GET /v1/search` (prices in `currency`'s minor units). */
export const searchPaths = (seed: number, count: number, currency: string): Array<string> => {
  const r = rngFor(seed, "search-mix")
  const paths: Array<string> = []
  for (let i = 0; i < count; i++) {
    const roll = r.next()
    let q =
      roll < 0.25
        ? r.pick(kinds)
        : roll < 0.45
          ? r.pick(brands)
          : roll < 0.7
            ? `${r.pick(brands)} ${r.pick(kinds)}`
            : roll < 0.85
              ? r.pick(titleWords)
              : ""
    if (q !== "" && r.chance(0.15)) q = typo(r, q)
    const params: Array<string> = []
    if (q !== "") params.push(param("q", q))
    const filters: Array<string> = []
    if (q === "" || r.chance(0.3)) {
      const f = r.next()
      if (f < 0.3) filters.push(`category:${r.pick(categories)}`)
      else if (f < 0.5) filters.push(`brand:${r.pick(brands)}|${r.pick(brands)}`)
      else if (f < 0.75) filters.push(`price:<${priceIn(currency, r.pick([1_000, 5_000, 20_000, 60_000]))}`)
      else if (f < 0.9) filters.push("in_stock:true")
      else filters.push(`price:>=${priceIn(currency, r.pick([500, 2_000, 10_000]))}`, "stock_status:in_stock|low_stock")
    }
    if (filters.length > 0) params.push(param("filters", filters.join(",")))
    if (r.chance(0.25)) params.push(param("sort", r.pick(sorts)))
    if (r.chance(0.15)) params.push(param("page", String(r.int(2, 4))))
    paths.push(`/v1/search?${params.join("&")}`)
  }
  return paths
}

/** `count` request paths for `GET /v1/search/autocomplete`: prefixes of 1..8 letters of what shoppers type. */
export const autocompletePaths = (seed: number, count: number): Array<string> => {
  const r = rngFor(seed, "autocomplete-mix")
  const words = [...brands, ...kinds, ...titleWords, ...categories]
  return Array.from({ length: count }, () => {
    const text = r.pick(words)
    const cut = Math.min(text.length, r.weighted([1, 2, 3, 4, 5, 6, 8], (n) => (n <= 4 ? 3 : 1)))
    return `/v1/search/autocomplete?${param("q", text.slice(0, cut))}`
  })
}
