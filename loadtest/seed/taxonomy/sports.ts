import { around, type LeafCategory, num, oneOf, required, type TopCategory, variantCount, variantValues } from "./kit.ts"

// ---------------------------------------------------------------- cricket

const cricketItems = {
  Bat: { rupees: 2_500, sizes: ["Size 4", "Size 5", "Size 6", "Harrow", "Short Handle", "Long Handle"] },
  Ball: { rupees: 450, sizes: ["Men's", "Youth"] },
  "Batting Gloves": { rupees: 1_400, sizes: ["Youth", "Men's"] },
  "Batting Pads": { rupees: 2_200, sizes: ["Youth", "Men's"] },
  Helmet: { rupees: 2_800, sizes: ["Small", "Medium", "Large"] },
  "Kit Bag": { rupees: 1_900, sizes: ["Standard"] }
} as const
type CricketItem = keyof typeof cricketItems
const cricketSizes = [...new Set(Object.values(cricketItems).flatMap((i) => i.sizes))]
const cricketBrands = [
  { brand: "SG", lines: ["RSD Spark", "Sunny Tonny", "Campus", "Test"], factor: 1 },
  { brand: "SS", lines: ["Ton", "Master 1000", "Magnum", "Gladiator"], factor: 1.15 },
  { brand: "MRF", lines: ["Genius Grand", "Chase Master"], factor: 1.4 },
  { brand: "Kookaburra", lines: ["Kahuna", "Ghost"], factor: 1.5 },
  { brand: "DSC", lines: ["Intense", "Condor"], factor: 0.9 },
  { brand: "Gray-Nicolls", lines: ["Legend", "Shockwave"], factor: 1.3 }
]

const cricket: LeafCategory = {
  category_id: "cat_cricket",
  name: "Cricket",
  weight: 2,
  imageFolder: "cricket",
  attribute_schema: {
    item: required(oneOf(Object.keys(cricketItems))),
    size: required(oneOf(cricketSizes)),
    material: oneOf(["English Willow", "Kashmir Willow", "Leather", "PU", "Polyester", "ABS"]),
    weight_g: num
  },
  make: (r) => {
    const { brand, lines, factor } = r.pick(cricketBrands)
    const line = r.pick(lines)
    const item = r.pick(Object.keys(cricketItems) as Array<CricketItem>)
    const spec = cricketItems[item]
    const willow = item === "Bat" ? r.pick(["English Willow", "Kashmir Willow"]) : undefined
    const material = willow ?? (item === "Ball" || item === "Batting Gloves" ? "Leather" : item === "Helmet" ? "ABS" : item === "Kit Bag" ? "Polyester" : "PU")
    const sizes = variantValues(r, spec.sizes, variantCount(r, Math.min(3, spec.sizes.length)))
    const rupees = around(r, spec.rupees * factor) * (willow === "English Willow" ? 3.5 : 1)
    return {
      brand,
      title: `${brand} ${line} ${willow !== undefined ? `${willow} ` : ""}Cricket ${item}`,
      attributes: { item, material, ...(item === "Bat" ? { weight_g: r.int(1100, 1250) } : item === "Ball" ? { weight_g: 156 } : {}) },
      variants: sizes.map((size) => ({ attributes: { size }, rupees })),
      highlights: [`${material}`, "Match quality", item === "Bat" ? "Pre-knocked, ready to play" : "Built for regular practice"]
    }
  }
}

// ---------------------------------------------------------------- fitness

const fitnessItems = ["Yoga Mat", "Dumbbells", "Resistance Band", "Skipping Rope", "Gym Gloves", "Foam Roller"] as const
type FitnessItem = (typeof fitnessItems)[number]
const fitnessBrands = [
  { brand: "Boldfit", factor: 0.9 },
  { brand: "Domyos", factor: 1 },
  { brand: "Strauss", factor: 0.8 },
  { brand: "Kore", factor: 0.85 },
  { brand: "Nivia", factor: 1 },
  { brand: "Cockatoo", factor: 1.1 },
  { brand: "Lifelong", factor: 0.75 }
]
const fitnessColours = ["Black", "Blue", "Purple", "Pink", "Green", "Grey", "Red"]

const fitness: LeafCategory = {
  category_id: "cat_fitness",
  name: "Yoga & fitness",
  weight: 3,
  imageFolder: "fitness",
  attribute_schema: {
    item: required(oneOf(fitnessItems)),
    colour: oneOf(fitnessColours),
    material: oneOf(["TPE", "NBR", "PVC", "EVA", "Rubber", "Cast Iron", "Neoprene", "Latex", "PU"]),
    thickness_mm: num,
    weight_kg: num
  },
  make: (r) => {
    const { brand, factor } = r.pick(fitnessBrands)
    const item: FitnessItem = r.pick(fitnessItems)
    if (item === "Dumbbells") {
      const weights = variantValues(r, [1, 2, 3, 5, 7.5, 10], variantCount(r))
      const material = r.pick(["Rubber", "PVC", "Neoprene"])
      return {
        brand,
        title: `${brand} ${material} Coated Dumbbells, Set of 2`,
        attributes: { item, material, colour: "Black" },
        variants: weights.map((kg) => ({ attributes: { weight_kg: kg }, rupees: 150 * factor * kg * 2 + 200 })),
        highlights: ["Anti-slip grip", "Sold as a pair", "For home workouts"]
      }
    }
    if (item === "Yoga Mat") {
      const thickness = variantValues(r, [4, 6, 8, 10], variantCount(r, 3))
      const material = r.pick(["TPE", "NBR", "PVC", "EVA"])
      const colour = r.pick(fitnessColours)
      return {
        brand,
        title: `${brand} Anti-Skid ${material} Yoga Mat with Carry Strap (${colour})`,
        attributes: { item, material, colour },
        variants: thickness.map((mm) => ({ attributes: { thickness_mm: mm }, rupees: around(r, 500 * factor) + mm * 40 })),
        highlights: ["Non-slip texture on both sides", "Lightweight and easy to roll", "Carry strap included"]
      }
    }
    const shades = variantValues(r, fitnessColours, variantCount(r, 3))
    const base = { "Resistance Band": 499, "Skipping Rope": 299, "Gym Gloves": 449, "Foam Roller": 699 }[item]
    const material = { "Resistance Band": "Latex", "Skipping Rope": "PU", "Gym Gloves": "Neoprene", "Foam Roller": "EVA" }[item]
    return {
      brand,
      title: `${brand} ${item} for Home Workouts`,
      attributes: { item, material },
      variants: shades.map((colour) => ({ attributes: { colour }, rupees: around(r, base * factor) })),
      highlights: [`${material} build`, "Ideal for gym and home", "Portable"]
    }
  }
}

export const sports: TopCategory = {
  category_id: "cat_sports",
  name: "Sports & Fitness",
  leaves: [cricket, fitness]
}
