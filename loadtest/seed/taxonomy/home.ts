import { around, colours, type LeafCategory, num, bool, oneOf, required, type TopCategory, variantCount, variantValues } from "./kit.ts"

// ---------------------------------------------------------------- cookware

const cookwareKinds = ["Pressure Cooker", "Kadai", "Tawa", "Frying Pan", "Cookware Set", "Handi"] as const
const cookwareMaterials = ["Stainless Steel", "Hard Anodised", "Cast Iron", "Non-stick Aluminium", "Tri-ply Stainless Steel"] as const
const cookwareBrands = [
  { brand: "Prestige", lines: ["Popular", "Svachh", "Omega Deluxe", "Deluxe Alpha"], factor: 1 },
  { brand: "Hawkins", lines: ["Classic", "Contura", "Futura"], factor: 1.1 },
  { brand: "Pigeon", lines: ["Special", "Favourite", "Inox"], factor: 0.7 },
  { brand: "Wonderchef", lines: ["Granite", "Nutri-Pot", "Royal Velvet"], factor: 1.2 },
  { brand: "Vinod", lines: ["Platinum Triply", "Zest"], factor: 1.15 },
  { brand: "Meyer", lines: ["Select", "Trivantage"], factor: 1.8 },
  { brand: "Cello", lines: ["Prima", "Non-Stick Plus"], factor: 0.75 }
]
const kindBase: Record<(typeof cookwareKinds)[number], { rupees: number; capacities: ReadonlyArray<number> }> = {
  "Pressure Cooker": { rupees: 1_800, capacities: [2, 3, 5, 6.5] },
  Kadai: { rupees: 1_300, capacities: [2, 2.5, 3.5] },
  Tawa: { rupees: 900, capacities: [0] },
  "Frying Pan": { rupees: 1_100, capacities: [1, 1.5, 2.2] },
  "Cookware Set": { rupees: 3_800, capacities: [0] },
  Handi: { rupees: 1_400, capacities: [1.5, 3, 4.5] }
}

const cookware: LeafCategory = {
  category_id: "cat_cookware",
  name: "Cookware",
  weight: 4,
  imageFolder: "cookware",
  attribute_schema: {
    kind: required(oneOf(cookwareKinds)),
    material: required(oneOf(cookwareMaterials)),
    capacity_l: num,
    induction_compatible: bool,
    pieces: num,
    colour: oneOf(colours.home)
  },
  make: (r) => {
    const { brand, lines, factor } = r.pick(cookwareBrands)
    const line = r.pick(lines)
    const kind = r.pick(cookwareKinds)
    const material = kind === "Pressure Cooker" ? r.pick(["Stainless Steel", "Hard Anodised"] as const) : r.pick(cookwareMaterials)
    const induction = material !== "Hard Anodised" || r.chance(0.5)
    const base = kindBase[kind]
    const caps = base.capacities[0] === 0 ? [] : variantValues(r, base.capacities, variantCount(r, base.capacities.length))
    const pieces = kind === "Cookware Set" ? r.pick([3, 5, 7]) : 1
    const colour = material === "Stainless Steel" || material === "Tri-ply Stainless Steel" ? "Grey" : r.pick(colours.home)
    const rupees = around(r, base.rupees * factor) * (material === "Tri-ply Stainless Steel" ? 1.6 : 1) * (pieces > 1 ? pieces / 2 : 1)
    const sized = (cap: number) => `${cap} L`
    return {
      brand,
      title: `${brand} ${line} ${material} ${kind}${pieces > 1 ? `, ${pieces} Pieces` : ""}${induction ? ", Induction Base" : ""}`,
      attributes: { kind, material, induction_compatible: induction, pieces, colour },
      variants: caps.length === 0 ? [{ attributes: {}, rupees }] : caps.map((cap, i) => ({ attributes: { capacity_l: cap }, rupees: rupees * (1 + 0.18 * i) })),
      highlights: [`${material} body`, induction ? "Works on gas and induction" : "For gas stoves", caps.length > 0 ? `Capacities: ${caps.map(sized).join(", ")}` : `${pieces} piece${pieces > 1 ? "s" : ""}`, "5-year warranty"]
    }
  }
}

// ---------------------------------------------------------------- kitchen appliances

const applianceKinds = {
  "Mixer Grinder": { rupees: 3_500, watts: [500, 750, 1000], capacity: [0] },
  "Electric Kettle": { rupees: 1_300, watts: [1500, 1800], capacity: [1, 1.5, 1.8] },
  "Air Fryer": { rupees: 6_500, watts: [1200, 1500], capacity: [4.1, 4.2, 6.2] },
  "Induction Cooktop": { rupees: 2_600, watts: [1600, 2000], capacity: [0] },
  "Pop-up Toaster": { rupees: 1_800, watts: [750, 800], capacity: [0] },
  "Microwave Oven": { rupees: 9_500, watts: [800, 900, 1200], capacity: [20, 25, 28] },
  "Water Purifier": { rupees: 14_000, watts: [36, 60], capacity: [7, 8, 10] }
} as const
type ApplianceKind = keyof typeof applianceKinds
const applianceBrands: ReadonlyArray<{ brand: string; kinds: ReadonlyArray<ApplianceKind>; factor: number }> = [
  { brand: "Philips", kinds: ["Mixer Grinder", "Electric Kettle", "Air Fryer", "Pop-up Toaster"], factor: 1.2 },
  { brand: "Bajaj", kinds: ["Mixer Grinder", "Electric Kettle", "Pop-up Toaster", "Microwave Oven"], factor: 0.9 },
  { brand: "Havells", kinds: ["Mixer Grinder", "Electric Kettle", "Air Fryer", "Induction Cooktop"], factor: 1.05 },
  { brand: "Morphy Richards", kinds: ["Pop-up Toaster", "Electric Kettle", "Microwave Oven"], factor: 1.1 },
  { brand: "Prestige", kinds: ["Induction Cooktop", "Mixer Grinder", "Electric Kettle"], factor: 0.95 },
  { brand: "Butterfly", kinds: ["Mixer Grinder"], factor: 0.85 },
  { brand: "Kent", kinds: ["Water Purifier", "Electric Kettle"], factor: 1.1 },
  { brand: "LG", kinds: ["Microwave Oven"], factor: 1.3 },
  { brand: "IFB", kinds: ["Microwave Oven"], factor: 1.15 },
  { brand: "Aquaguard", kinds: ["Water Purifier"], factor: 1.2 }
]

const appliances: LeafCategory = {
  category_id: "cat_kitchen_appliances",
  name: "Kitchen appliances",
  weight: 4,
  imageFolder: "kitchen-appliances",
  attribute_schema: {
    kind: required(oneOf(Object.keys(applianceKinds))),
    power_w: required(num),
    capacity_l: num,
    colour: oneOf(colours.home),
    warranty_years: num
  },
  make: (r) => {
    const { brand, kinds, factor } = r.pick(applianceBrands)
    const kind = r.pick(kinds)
    const spec = applianceKinds[kind]
    const watts = r.pick(spec.watts)
    const capacities = spec.capacity[0] === 0 ? [] : variantValues(r, spec.capacity, variantCount(r, spec.capacity.length))
    const colours_ = variantValues(r, ["Black", "White", "Grey", "Red"], capacities.length > 0 ? 1 : variantCount(r, 2))
    const rupees = around(r, spec.rupees * factor) * (watts / spec.watts[0])
    const model = `${r.pick(["Pro", "Plus", "Neo", "Elite", "Max", "Prime"])} ${r.int(1, 9)}${r.int(0, 9)}0`
    const variants =
      capacities.length === 0
        ? colours_.map((colour) => ({ attributes: { colour }, rupees }))
        : capacities.map((cap, i) => ({ attributes: { capacity_l: cap }, rupees: rupees * (1 + 0.12 * i) }))
    return {
      brand,
      title: `${brand} ${model} ${watts} W ${kind}`,
      attributes: { kind, power_w: watts, warranty_years: r.pick([1, 2, 2, 5]), ...(capacities.length > 0 ? { colour: r.pick(["Black", "White", "Grey"]) } : {}) },
      variants,
      highlights: [`${watts} W motor/heating element`, capacities.length > 0 ? `Capacities: ${capacities.map((c) => `${c} L`).join(", ")}` : "Compact design", "ISI certified", "Easy to clean"]
    }
  }
}

// ---------------------------------------------------------------- bedding

const bedSizes = ["Single", "Double", "Queen", "King"]
const beddingBrands = [
  { brand: "Bombay Dyeing", factor: 1.1 },
  { brand: "Spaces", factor: 1.2 },
  { brand: "Raymond Home", factor: 1.3 },
  { brand: "Story@Home", factor: 0.7 },
  { brand: "Trident", factor: 0.9 },
  { brand: "Portico New York", factor: 1.4 },
  { brand: "Dreamscape", factor: 0.6 },
  { brand: "Welspun", factor: 1 }
]
const beddingPatterns = ["Floral", "Geometric", "Solid", "Striped", "Abstract", "Paisley"] as const

const bedding: LeafCategory = {
  category_id: "cat_bedding",
  name: "Bedding",
  weight: 4,
  imageFolder: "bedding",
  attribute_schema: {
    bed_size: required(oneOf(bedSizes)),
    fabric: required(oneOf(["Cotton", "Microfibre", "Poly-cotton", "Linen", "Satin"])),
    thread_count: num,
    pattern: oneOf(beddingPatterns),
    colour: required(oneOf(colours.home)),
    pillow_covers: num
  },
  make: (r) => {
    const { brand, factor } = r.pick(beddingBrands)
    const fabric = r.pick(["Cotton", "Cotton", "Microfibre", "Poly-cotton", "Linen", "Satin"])
    const threads = fabric === "Cotton" ? r.pick([144, 180, 210, 300, 400]) : r.pick([120, 144, 180])
    const pattern = r.pick(beddingPatterns)
    const colour = r.pick(colours.home)
    const sizes = variantValues(r, bedSizes, variantCount(r))
    const base = around(r, 900 * factor) * (threads / 180)
    return {
      brand,
      title: `${brand} ${threads} TC ${fabric} ${pattern} Bedsheet with Pillow Covers (${colour})`,
      attributes: { fabric, thread_count: threads, pattern, colour },
      variants: sizes.map((size) => ({ attributes: { bed_size: size, pillow_covers: size === "Single" ? 1 : 2 }, rupees: base * (1 + 0.25 * bedSizes.indexOf(size)) })),
      highlights: [`${threads} thread count ${fabric.toLowerCase()}`, `${pattern} print that stays bright wash after wash`, "Fitted elastic corners", "Pillow covers included"]
    }
  }
}

export const home: TopCategory = {
  category_id: "cat_home_kitchen",
  name: "Home & Kitchen",
  leaves: [cookware, appliances, bedding]
}
