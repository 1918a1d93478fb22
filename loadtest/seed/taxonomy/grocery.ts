import type { Rng } from "../prng.ts"
import { dateAfterReference, type LeafCategory, num, bool, oneOf, required, text, type TopCategory, variantCount } from "./kit.ts"

/** A pack size label: `400 g`, `1 kg`, `750 ml`, `2 L`. */
const packLabel = (amount: number, unit: "g" | "ml") => (amount >= 1000 ? `${amount / 1000} ${unit === "g" ? "kg" : "L"}` : `${amount} ${unit}`)

/** Consecutive pack sizes from a ladder, priced per gram/millilitre with a bulk discount. */
const packs = (r: Rng, ladder: ReadonlyArray<number>, pricePerUnit: number) => {
  const count = variantCount(r, Math.min(3, ladder.length))
  const start = r.int(0, ladder.length - count)
  return ladder.slice(start, start + count).map((amount) => ({ amount, rupees: amount * pricePerUnit * Math.pow(ladder[0]! / amount, 0.12) }))
}

/** Best-before between 3 months and 18 months after the catalog's reference date. */
const expiry = (r: Rng, shelfDays: number) => dateAfterReference(r.int(Math.floor(shelfDays / 2), shelfDays))

// ---------------------------------------------------------------- snacks

const snackLines = [
  { brand: "Haldiram's", items: ["Aloo Bhujia", "Moong Dal", "Navratan Mix", "Khatta Meetha", "Bhujia Sev"], perGram: 0.28, veg: true },
  { brand: "Lay's", items: ["Classic Salted Potato Chips", "India's Magic Masala Potato Chips", "American Style Cream & Onion Potato Chips"], perGram: 0.5, veg: true },
  { brand: "Bingo!", items: ["Mad Angles Achaari Masti", "Tedhe Medhe Masala Tadka"], perGram: 0.45, veg: true },
  { brand: "Kurkure", items: ["Masala Munch", "Solid Masti Twisteez", "Green Chutney Style"], perGram: 0.4, veg: true },
  { brand: "Britannia", items: ["Good Day Cashew Cookies", "Marie Gold Biscuits", "NutriChoice Digestive Biscuits", "Bourbon Biscuits"], perGram: 0.16, veg: true },
  { brand: "Parle", items: ["Parle-G Gold Biscuits", "Hide & Seek Chocolate Chip Cookies", "Monaco Salted Crackers", "KrackJack Biscuits"], perGram: 0.14, veg: true },
  { brand: "Cadbury", items: ["Dairy Milk Silk Chocolate Bar", "Bournville Dark Chocolate", "5 Star Chocolate Bar", "Celebrations Gift Pack"], perGram: 1.1, veg: true },
  { brand: "Act II", items: ["Classic Salted Popcorn", "Butter Delite Popcorn"], perGram: 0.35, veg: true },
  { brand: "Too Yumm!", items: ["Multigrain Chips Tangy Tomato", "Veggie Stix Chilli Chataka"], perGram: 0.5, veg: true },
  { brand: "Balaji", items: ["Simply Salted Wafers", "Masala Masti Wafers"], perGram: 0.35, veg: true },
  { brand: "Licious", items: ["Chicken Seekh Kebab Ready to Cook", "Mutton Keema Ready to Cook"], perGram: 0.9, veg: false }
]
const snackFlavours = ["Salted", "Masala", "Tangy Tomato", "Cream & Onion", "Chocolate", "Mint", "Achaari", "Peri Peri", "Classic"]

const snacks: LeafCategory = {
  category_id: "cat_snacks",
  name: "Snacks",
  weight: 6,
  imageFolder: "snacks",
  attribute_schema: {
    weight_g: required(num),
    expiry_date: required(text),
    veg: required(bool),
    flavour: oneOf(snackFlavours),
    pack_of: num
  },
  make: (r) => {
    const line = r.pick(snackLines)
    const item = r.pick(line.items)
    const flavour = r.pick(snackFlavours)
    const sizes = packs(r, [40, 90, 150, 200, 400, 1000], line.perGram)
    return {
      brand: line.brand,
      title: `${line.brand} ${item}`,
      attributes: { expiry_date: expiry(r, 270), veg: line.veg, flavour, pack_of: 1 },
      variants: sizes.map((p) => ({ attributes: { weight_g: p.amount }, rupees: Math.max(10, p.rupees) })),
      highlights: [line.veg ? "100% vegetarian" : "Made from fresh cuts", `Pack sizes from ${packLabel(sizes[0]!.amount, "g")}`, "Perfect for tea time and travel", "Store in a cool, dry place"]
    }
  }
}

// ---------------------------------------------------------------- beverages

type BeverageType = "Tea" | "Coffee" | "Juice" | "Soft drink" | "Energy drink" | "Health drink"
const beverageLines: ReadonlyArray<{ brand: string; items: ReadonlyArray<string>; type: BeverageType; unit: "g" | "ml"; perUnit: number }> = [
  { brand: "Tata Tea", items: ["Premium", "Gold", "Agni Strong Leaf"], type: "Tea", unit: "g", perUnit: 0.55 },
  { brand: "Brooke Bond", items: ["Red Label", "Taj Mahal"], type: "Tea", unit: "g", perUnit: 0.6 },
  { brand: "Tetley", items: ["Green Tea Lemon & Honey", "Masala Chai"], type: "Tea", unit: "g", perUnit: 1.4 },
  { brand: "Nescafé", items: ["Classic Instant Coffee", "Gold Blend Instant Coffee"], type: "Coffee", unit: "g", perUnit: 3.2 },
  { brand: "Bru", items: ["Instant Coffee", "Gold Instant Coffee"], type: "Coffee", unit: "g", perUnit: 2.4 },
  { brand: "Tropicana", items: ["Orange Delight", "Mixed Fruit Delight", "Guava Delight"], type: "Juice", unit: "ml", perUnit: 0.12 },
  { brand: "Real", items: ["Fruit Power Mango", "Fruit Power Litchi", "Activ Orange"], type: "Juice", unit: "ml", perUnit: 0.12 },
  { brand: "Paper Boat", items: ["Aamras", "Jaljeera", "Kokum"], type: "Juice", unit: "ml", perUnit: 0.15 },
  { brand: "Coca-Cola", items: ["Coca-Cola", "Diet Coke", "Thums Up", "Sprite"], type: "Soft drink", unit: "ml", perUnit: 0.05 },
  { brand: "Red Bull", items: ["Energy Drink", "Sugarfree Energy Drink"], type: "Energy drink", unit: "ml", perUnit: 0.5 },
  { brand: "Bournvita", items: ["Chocolate Health Drink"], type: "Health drink", unit: "g", perUnit: 0.45 },
  { brand: "Horlicks", items: ["Classic Malt Health Drink", "Chocolate Delight"], type: "Health drink", unit: "g", perUnit: 0.5 }
]

const beverages: LeafCategory = {
  category_id: "cat_beverages",
  name: "Beverages",
  weight: 5,
  imageFolder: "beverages",
  attribute_schema: {
    type: required(oneOf(["Tea", "Coffee", "Juice", "Soft drink", "Energy drink", "Health drink"])),
    weight_g: num,
    volume_ml: num,
    expiry_date: required(text),
    sugar_free: bool,
    veg: bool
  },
  make: (r) => {
    const line = r.pick(beverageLines)
    const item = r.pick(line.items)
    const ladder = line.unit === "g" ? [100, 250, 500, 1000] : line.type === "Energy drink" ? [250, 350] : [200, 600, 1000, 2000]
    const sizes = packs(r, ladder, line.perUnit)
    const sugarFree = /Diet|Sugarfree|Green Tea/.test(item)
    return {
      brand: line.brand,
      title: `${line.brand} ${item}`,
      attributes: { type: line.type, expiry_date: expiry(r, line.unit === "g" ? 540 : 180), sugar_free: sugarFree, veg: true },
      variants: sizes.map((p) => ({ attributes: line.unit === "g" ? { weight_g: p.amount } : { volume_ml: p.amount }, rupees: Math.max(20, p.rupees) })),
      highlights: [`${line.type} from ${line.brand}`, sugarFree ? "Zero sugar" : "Refreshing taste", `Available in ${sizes.map((p) => packLabel(p.amount, line.unit)).join(", ")}`]
    }
  }
}

// ---------------------------------------------------------------- staples

const stapleTypes = ["Atta", "Basmati rice", "Sona masoori rice", "Toor dal", "Moong dal", "Sugar", "Salt", "Sunflower oil", "Mustard oil", "Ghee"] as const
type StapleType = (typeof stapleTypes)[number]
const stapleLines: ReadonlyArray<{ brand: string; item: string; type: StapleType; unit: "g" | "ml"; perUnit: number; organic?: true }> = [
  { brand: "Aashirvaad", item: "Shudh Chakki Atta", type: "Atta", unit: "g", perUnit: 0.055 },
  { brand: "Aashirvaad", item: "Select Sharbati Atta", type: "Atta", unit: "g", perUnit: 0.07 },
  { brand: "Fortune", item: "Chakki Fresh Atta", type: "Atta", unit: "g", perUnit: 0.05 },
  { brand: "India Gate", item: "Classic Basmati Rice", type: "Basmati rice", unit: "g", perUnit: 0.2 },
  { brand: "India Gate", item: "Dubar Basmati Rice", type: "Basmati rice", unit: "g", perUnit: 0.12 },
  { brand: "Daawat", item: "Rozana Super Basmati Rice", type: "Basmati rice", unit: "g", perUnit: 0.1 },
  { brand: "24 Mantra Organic", item: "Sona Masoori Rice", type: "Sona masoori rice", unit: "g", perUnit: 0.11, organic: true },
  { brand: "Tata Sampann", item: "Unpolished Toor Dal", type: "Toor dal", unit: "g", perUnit: 0.19 },
  { brand: "Tata Sampann", item: "Unpolished Moong Dal", type: "Moong dal", unit: "g", perUnit: 0.17 },
  { brand: "24 Mantra Organic", item: "Toor Dal", type: "Toor dal", unit: "g", perUnit: 0.24, organic: true },
  { brand: "Madhur", item: "Pure Sugar", type: "Sugar", unit: "g", perUnit: 0.055 },
  { brand: "Tata Salt", item: "Iodised Salt", type: "Salt", unit: "g", perUnit: 0.028 },
  { brand: "Fortune", item: "Sunlite Refined Sunflower Oil", type: "Sunflower oil", unit: "ml", perUnit: 0.16 },
  { brand: "Fortune", item: "Kachi Ghani Pure Mustard Oil", type: "Mustard oil", unit: "ml", perUnit: 0.18 },
  { brand: "Amul", item: "Pure Ghee", type: "Ghee", unit: "ml", perUnit: 0.62 }
]

const staples: LeafCategory = {
  category_id: "cat_staples",
  name: "Staples",
  weight: 4,
  imageFolder: "staples",
  attribute_schema: {
    type: required(oneOf(stapleTypes)),
    weight_g: num,
    volume_ml: num,
    expiry_date: required(text),
    organic: bool,
    veg: bool
  },
  make: (r) => {
    const line = r.pick(stapleLines)
    const ladder = line.unit === "g" ? (line.type === "Salt" ? [1000] : [500, 1000, 5000, 10000]) : [500, 1000, 5000]
    const sizes = packs(r, ladder, line.perUnit)
    return {
      brand: line.brand,
      title: `${line.brand} ${line.item}`,
      attributes: { type: line.type, expiry_date: expiry(r, line.unit === "ml" ? 270 : 360), organic: line.organic === true, veg: true },
      variants: sizes.map((p) => ({ attributes: line.unit === "g" ? { weight_g: p.amount } : { volume_ml: p.amount }, rupees: Math.max(20, p.rupees) })),
      highlights: [line.organic === true ? "Certified organic" : "Trusted everyday quality", "Hygienically packed", `Packs: ${sizes.map((p) => packLabel(p.amount, line.unit)).join(", ")}`]
    }
  }
}

export const grocery: TopCategory = {
  category_id: "cat_grocery",
  name: "Grocery",
  leaves: [snacks, beverages, staples]
}
