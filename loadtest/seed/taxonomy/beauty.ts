import { around, dateAfterReference, type LeafCategory, num, bool, oneOf, required, text, type TopCategory, variantCount, variantValues } from "./kit.ts"

const skincareKinds = {
  "Face Wash": { sizes: [50, 100, 150], perMl: 3.5 },
  Moisturiser: { sizes: [50, 100, 200], perMl: 6 },
  Sunscreen: { sizes: [50, 80], perMl: 8 },
  "Face Serum": { sizes: [15, 30], perMl: 20 },
  "Sheet Mask": { sizes: [20], perMl: 5 },
  "Body Lotion": { sizes: [200, 400, 600], perMl: 1.1 }
} as const
type SkincareKind = keyof typeof skincareKinds
const skinTypes = ["All", "Oily", "Dry", "Combination", "Sensitive"] as const
const skincareBrands = [
  { brand: "Cetaphil", factor: 1.4, claims: ["Gentle", "Hydrating"] },
  { brand: "Neutrogena", factor: 1.2, claims: ["Oil-free", "Ultra Sheer"] },
  { brand: "Minimalist", factor: 1.1, claims: ["10% Niacinamide", "2% Salicylic Acid", "Vitamin C"] },
  { brand: "The Derma Co", factor: 1.1, claims: ["1% Hyaluronic", "Kojic Acid"] },
  { brand: "Mamaearth", factor: 0.9, claims: ["Ubtan", "Vitamin C", "Tea Tree"] },
  { brand: "Lakmé", factor: 1, claims: ["Perfect Radiance", "Sun Expert"] },
  { brand: "Nivea", factor: 0.8, claims: ["Soft", "Nourishing"] },
  { brand: "Himalaya", factor: 0.7, claims: ["Purifying Neem", "Moisturizing Aloe Vera"] },
  { brand: "Plum", factor: 1, claims: ["Green Tea", "Vitamin C"] },
  { brand: "Dot & Key", factor: 1.2, claims: ["Watermelon", "Cica"] }
]

const skincare: LeafCategory = {
  category_id: "cat_skincare",
  name: "Skincare",
  weight: 5,
  imageFolder: "skincare",
  attribute_schema: {
    kind: required(oneOf(Object.keys(skincareKinds))),
    skin_type: required(oneOf(skinTypes)),
    volume_ml: required(num),
    expiry_date: required(text),
    spf: num,
    fragrance_free: bool,
    key_ingredient: text
  },
  make: (r) => {
    const { brand, factor, claims } = r.pick(skincareBrands)
    const kind = r.pick(Object.keys(skincareKinds) as Array<SkincareKind>)
    const spec = skincareKinds[kind]
    const claim = r.pick(claims)
    const skin = r.pick(skinTypes)
    const sizes = variantValues(r, spec.sizes, variantCount(r, spec.sizes.length))
    const spf = kind === "Sunscreen" ? r.pick([30, 50]) : undefined
    return {
      brand,
      title: `${brand} ${claim} ${kind}${spf !== undefined ? ` SPF ${spf} PA++++` : ""} for ${skin === "All" ? "All Skin Types" : `${skin} Skin`}`,
      attributes: {
        kind,
        skin_type: skin,
        expiry_date: dateAfterReference(r.int(300, 900)),
        fragrance_free: r.chance(0.4),
        key_ingredient: claim,
        ...(spf !== undefined ? { spf } : {})
      },
      variants: sizes.map((ml) => ({ attributes: { volume_ml: ml }, rupees: around(r, ml * spec.perMl * factor, 0.05) + 99 })),
      highlights: [`With ${claim.toLowerCase()}`, `Suits ${skin.toLowerCase()} skin`, "Dermatologically tested", "Not tested on animals"]
    }
  }
}

export const beauty: TopCategory = {
  category_id: "cat_beauty",
  name: "Beauty",
  leaves: [skincare]
}
