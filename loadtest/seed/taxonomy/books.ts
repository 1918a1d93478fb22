import type { AttributeSchema } from "../../../actors/catalog/attributes.ts"
import type { Rng } from "../prng.ts"
import { type AttributeMap, type LeafCategory, num, oneOf, required, text, type TopCategory } from "./kit.ts"

const firstNames = ["Anita", "Rahul", "Meera", "Vikram", "Priya", "Arjun", "Kavya", "Rohan", "Sara", "Daniel", "Emily", "Hiro", "Lucia", "Omar", "Nandini", "Aditya", "Ishaan", "Zoya", "Kabir", "Leela", "Thomas", "Grace", "Farhan", "Tara"]
const lastNames = ["Sharma", "Iyer", "Banerjee", "Mehta", "Kapoor", "Nair", "Reddy", "Chatterjee", "Desai", "Fernandes", "Khan", "Menon", "Patel", "Rao", "Singh", "Bose", "Clarke", "Okafor", "Tanaka", "Moreno", "Hughes", "Das"]
const adjectives = ["Silent", "Last", "Hidden", "Burning", "Forgotten", "Monsoon", "Midnight", "Crimson", "Golden", "Broken", "Endless", "Secret", "Distant", "Wild", "Quiet"]
const nouns = ["River", "Garden", "City", "Letter", "Empire", "Promise", "Island", "Memory", "Mountain", "Kingdom", "Orchard", "Station", "Harbour", "Lantern", "Monsoon"]
const places = ["Calcutta", "Bombay", "the Deccan", "Kerala", "the Hills", "Varanasi", "Goa", "Delhi", "the Sea", "Shillong"]
const topics = ["Habits", "Money", "Focus", "Leadership", "the Mind", "Startups", "Sleep", "Happiness", "Negotiation", "Data", "Climate", "the Universe"]
const childrenTitles = ["The Very Brave Little Elephant", "Tara and the Moon", "Dinosaurs on the Bus", "The Magic Paintbrush", "Chhota Monkey's Big Day", "Ten Tiny Tigers", "The Secret of the Banyan Tree", "Robo-Raju Goes to School"]

const publishers = {
  general: ["Penguin Random House India", "HarperCollins India", "Rupa Publications", "Bloomsbury India", "Hachette India", "Westland Books", "Pan Macmillan India", "Jaico Publishing House"],
  children: ["Scholastic India", "Puffin", "Pratham Books", "Tulika Books", "Penguin Random House India"]
} as const
const languages = ["English", "Hindi", "Tamil", "Bengali", "Marathi", "Malayalam", "Telugu"]

/** A valid ISBN-13 (978-93 is India's registration group): 12 digits and their check digit. */
export const isbn13 = (r: Rng): string => {
  const digits = [9, 7, 8, 9, 3, ...Array.from({ length: 7 }, () => r.int(0, 9))]
  const sum = digits.reduce((s, d, i) => s + d * (i % 2 === 0 ? 1 : 3), 0)
  return [...digits, (10 - (sum % 10)) % 10].join("")
}

const author = (r: Rng) => `${r.pick(firstNames)} ${r.pick(lastNames)}`

const bookSchema = (extra: AttributeSchema): AttributeSchema => ({
  author: required(text),
  format: required(oneOf(["Paperback", "Hardcover", "Board book"])),
  language: required(oneOf(languages)),
  pages: num,
  isbn: text,
  publication_year: num,
  ...extra
})

/** Paperback, sometimes also hardcover (a pricier variant of its own ISBN). */
const editions = (r: Rng, paperback: number, attributes: AttributeMap, hardcoverChance: number) => {
  const variants = [{ attributes: { format: "Paperback", isbn: isbn13(r) }, rupees: paperback }]
  if (r.chance(hardcoverChance)) variants.push({ attributes: { format: "Hardcover", isbn: isbn13(r) }, rupees: paperback * 1.8 })
  return { attributes, variants }
}

const fictionGenres = ["Literary fiction", "Thriller", "Romance", "Science fiction", "Fantasy", "Mystery", "Historical fiction"] as const
const fiction: LeafCategory = {
  category_id: "cat_fiction",
  name: "Fiction",
  weight: 6,
  imageFolder: "books",
  attribute_schema: bookSchema({ genre: required(oneOf(fictionGenres)) }),
  make: (r) => {
    const genre = r.pick(fictionGenres)
    const title = r.pick([
      () => `The ${r.pick(adjectives)} ${r.pick(nouns)}`,
      () => `${r.pick(nouns)} of ${r.pick(places)}`,
      () => `A ${r.pick(adjectives)} ${r.pick(nouns)} in ${r.pick(places)}`,
      () => `The ${r.pick(nouns)} Keeper's Daughter`
    ])()
    const by = author(r)
    const language = r.weighted(languages, (l) => (l === "English" ? 8 : 1))
    const pages = r.int(180, 620)
    const { attributes, variants } = editions(r, 199 + 10 * r.int(0, 40), { author: by, language, pages, publication_year: r.int(1995, 2025), genre }, 0.2)
    return {
      brand: r.pick(publishers.general),
      title: `${title} by ${by}`,
      attributes,
      variants,
      highlights: [`A ${genre.toLowerCase()} novel by ${by}`, `${pages} pages`, `In ${language}`]
    }
  }
}

const nonFictionGenres = ["Biography", "Self-help", "Business", "History", "Science", "Politics", "Cookery"] as const
const nonFiction: LeafCategory = {
  category_id: "cat_non_fiction",
  name: "Non-fiction",
  weight: 4,
  imageFolder: "books",
  attribute_schema: bookSchema({ genre: required(oneOf(nonFictionGenres)) }),
  make: (r) => {
    const genre = r.pick(nonFictionGenres)
    const topic = r.pick(topics)
    const title = r.pick([
      () => `The Little Book of ${topic}`,
      () => `Thinking About ${topic}`,
      () => `${topic}: A New History`,
      () => `The Art of ${topic}`,
      () => `${r.int(7, 52)} Lessons on ${topic}`
    ])()
    const by = author(r)
    const pages = r.int(160, 480)
    const { attributes, variants } = editions(r, 249 + 10 * r.int(0, 50), { author: by, language: r.weighted(languages, (l) => (l === "English" ? 10 : 1)), pages, publication_year: r.int(2005, 2025), genre }, 0.3)
    return {
      brand: r.pick(publishers.general),
      title: `${title} by ${by}`,
      attributes,
      variants,
      highlights: [`${genre} by ${by}`, `${pages} pages`, "Bestseller"]
    }
  }
}

const ageGroups = ["0-2 years", "3-5 years", "6-8 years", "9-12 years", "Young adult"] as const
const childrens: LeafCategory = {
  category_id: "cat_childrens_books",
  name: "Children's books",
  weight: 3,
  imageFolder: "books",
  attribute_schema: bookSchema({ age_group: required(oneOf(ageGroups)) }),
  make: (r) => {
    const age = r.pick(ageGroups)
    const by = author(r)
    const board = age === "0-2 years"
    const pages = board ? r.int(10, 24) : r.int(24, 320)
    const first = board ? { format: "Board book", isbn: isbn13(r) } : { format: "Paperback", isbn: isbn13(r) }
    const variants = [{ attributes: first, rupees: 149 + 10 * r.int(0, 35) }]
    if (!board && r.chance(0.15)) variants.push({ attributes: { format: "Hardcover", isbn: isbn13(r) }, rupees: variants[0]!.rupees * 1.7 })
    const title = r.pick(childrenTitles)
    return {
      brand: r.pick(publishers.children),
      title: `${title} (Ages ${age.replace(" years", "")}) by ${by}`,
      attributes: { author: by, language: r.weighted(languages, (l) => (l === "English" ? 6 : 1)), pages, publication_year: r.int(2010, 2025), age_group: age },
      variants,
      highlights: [`For ages ${age}`, board ? "Sturdy board pages" : "Full-colour illustrations", `${pages} pages`]
    }
  }
}

export const books: TopCategory = {
  category_id: "cat_books",
  name: "Books",
  leaves: [fiction, nonFiction, childrens]
}
