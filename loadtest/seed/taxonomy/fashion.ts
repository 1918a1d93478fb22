import { around, colours, type LeafCategory, num, bool, oneOf, required, type TopCategory, variantCount } from "./kit.ts"

const genders = ["Men", "Women", "Unisex"] as const
const possessive = (gender: (typeof genders)[number]) => (gender === "Unisex" ? "Unisex" : `${gender}'s`)

// ---------------------------------------------------------------- shoes

const shoeTypes = ["Running", "Sneakers", "Walking", "Training", "Formal", "Casual", "Sandals", "Flip-flops", "Boots"] as const
type ShoeType = (typeof shoeTypes)[number]
interface ShoeLine {
  readonly brand: string
  readonly line: string
  readonly type: ShoeType
  readonly price: number
  readonly material: "Mesh" | "Leather" | "Synthetic" | "Canvas" | "Suede" | "Knit" | "EVA"
}
const shoeLines: ReadonlyArray<ShoeLine> = [
  { brand: "Nike", line: "Revolution 7", type: "Running", price: 3_695, material: "Mesh" },
  { brand: "Nike", line: "Air Max SC", type: "Sneakers", price: 6_495, material: "Leather" },
  { brand: "Nike", line: "Pegasus 41", type: "Running", price: 11_895, material: "Mesh" },
  { brand: "Nike", line: "Court Vision Low", type: "Sneakers", price: 5_695, material: "Leather" },
  { brand: "Adidas", line: "Ultraboost Light", type: "Running", price: 17_999, material: "Knit" },
  { brand: "Adidas", line: "Duramo SL", type: "Running", price: 4_999, material: "Mesh" },
  { brand: "Adidas", line: "Grand Court 2.0", type: "Sneakers", price: 4_599, material: "Synthetic" },
  { brand: "Adidas", line: "Superstar", type: "Sneakers", price: 9_999, material: "Leather" },
  { brand: "Puma", line: "Softride Pro", type: "Running", price: 5_999, material: "Mesh" },
  { brand: "Puma", line: "Smash v2", type: "Sneakers", price: 3_999, material: "Suede" },
  { brand: "Bata", line: "Comfit Derby", type: "Formal", price: 2_299, material: "Leather" },
  { brand: "Bata", line: "Power Walk", type: "Walking", price: 1_999, material: "Mesh" },
  { brand: "Woodland", line: "Camel Leather", type: "Boots", price: 4_995, material: "Leather" },
  { brand: "Woodland", line: "Moccasin", type: "Casual", price: 3_495, material: "Suede" },
  { brand: "Skechers", line: "Go Walk 7", type: "Walking", price: 5_999, material: "Knit" },
  { brand: "Skechers", line: "Arch Fit", type: "Training", price: 7_999, material: "Mesh" },
  { brand: "Red Tape", line: "Athleisure Sports", type: "Walking", price: 1_899, material: "Mesh" },
  { brand: "Red Tape", line: "Oxford Formal", type: "Formal", price: 2_599, material: "Leather" },
  { brand: "Campus", line: "North Plus", type: "Running", price: 1_299, material: "Mesh" },
  { brand: "ASICS", line: "Gel-Contend 8", type: "Running", price: 4_999, material: "Mesh" },
  { brand: "Reebok", line: "Energen Run", type: "Running", price: 4_299, material: "Mesh" },
  { brand: "Crocs", line: "Classic Clog", type: "Sandals", price: 3_995, material: "EVA" },
  { brand: "Sparx", line: "SFG-2024", type: "Flip-flops", price: 499, material: "EVA" }
]
const shoeSizes = ["UK 3", "UK 4", "UK 5", "UK 6", "UK 7", "UK 8", "UK 9", "UK 10", "UK 11", "UK 12"]

const shoes: LeafCategory = {
  category_id: "cat_shoes",
  name: "Shoes",
  weight: 9,
  imageFolder: "shoes",
  attribute_schema: {
    size: required(oneOf(shoeSizes)),
    colour: required(oneOf(colours.apparel)),
    gender: required(oneOf(genders)),
    type: required(oneOf(shoeTypes)),
    material: oneOf(["Mesh", "Leather", "Synthetic", "Canvas", "Suede", "Knit", "EVA"]),
    closure: oneOf(["Lace-up", "Slip-on", "Velcro", "Buckle"])
  },
  make: (r) => {
    const line = r.pick(shoeLines)
    const gender = r.weighted(genders, (g) => (g === "Unisex" ? 1 : 3))
    const colour = r.pick(colours.apparel)
    const sizeRange = gender === "Women" ? shoeSizes.slice(1, 7) : shoeSizes.slice(4, 10)
    const start = r.int(0, sizeRange.length - 1)
    const sizes = sizeRange.slice(start, start + variantCount(r))
    const closure = line.type === "Sandals" || line.type === "Flip-flops" || line.material === "Suede" ? "Slip-on" : line.type === "Boots" ? r.pick(["Lace-up", "Buckle"]) : "Lace-up"
    const price = around(r, line.price, 0.1)
    const noun = line.type === "Sneakers" || line.type === "Sandals" || line.type === "Flip-flops" || line.type === "Boots" ? line.type : `${line.type} Shoes`
    return {
      brand: line.brand,
      title: `${line.brand} ${possessive(gender)} ${line.line} ${noun} (${colour})`,
      attributes: { colour, gender, type: line.type, material: line.material, closure },
      variants: sizes.map((size) => ({ attributes: { size }, rupees: price })),
      highlights: [`${line.material} upper`, `${closure} closure`, "Cushioned footbed for all-day comfort", "Durable rubber outsole"]
    }
  }
}

// ---------------------------------------------------------------- shirts

const apparelSizes = ["XS", "S", "M", "L", "XL", "XXL", "3XL"]
const shirtBrands = [
  { brand: "Allen Solly", price: 1_599 },
  { brand: "Van Heusen", price: 1_899 },
  { brand: "Peter England", price: 1_399 },
  { brand: "Louis Philippe", price: 2_499 },
  { brand: "Arrow", price: 2_199 },
  { brand: "Raymond", price: 1_999 },
  { brand: "Levi's", price: 2_299 },
  { brand: "U.S. Polo Assn.", price: 1_799 },
  { brand: "Tommy Hilfiger", price: 4_499 },
  { brand: "Roadster", price: 799 },
  { brand: "Highlander", price: 699 },
  { brand: "FabIndia", price: 1_690 }
]
const fits = ["Slim Fit", "Regular Fit", "Relaxed Fit"] as const
const fabrics = ["Cotton", "Linen", "Cotton Blend", "Polyester", "Rayon", "Oxford Cotton"] as const
const patterns = ["Solid", "Checked", "Striped", "Printed"] as const

const shirts: LeafCategory = {
  category_id: "cat_shirts",
  name: "Shirts",
  weight: 9,
  imageFolder: "shirts",
  attribute_schema: {
    size: required(oneOf(apparelSizes)),
    colour: required(oneOf(colours.apparel)),
    gender: required(oneOf(genders)),
    fit: oneOf(fits),
    fabric: oneOf(fabrics),
    pattern: oneOf(patterns),
    sleeve: oneOf(["Full Sleeve", "Half Sleeve"]),
    occasion: oneOf(["Formal", "Casual", "Party"])
  },
  make: (r) => {
    const { brand, price } = r.pick(shirtBrands)
    const gender = r.weighted(genders, (g) => (g === "Men" ? 6 : g === "Women" ? 3 : 1))
    const fit = r.pick(fits)
    const fabric = r.pick(fabrics)
    const pattern = r.pick(patterns)
    const sleeve = r.chance(0.75) ? "Full Sleeve" : "Half Sleeve"
    const occasion = r.weighted(["Formal", "Casual", "Party"], (o) => (o === "Party" ? 1 : 3))
    const colour = r.pick(colours.apparel)
    const start = r.int(0, 4)
    const sizes = apparelSizes.slice(start, start + variantCount(r))
    const rupees = around(r, price * (fabric === "Linen" ? 1.3 : 1), 0.12)
    return {
      brand,
      title: `${brand} ${possessive(gender)} ${fit} ${pattern} ${fabric} ${occasion} Shirt, ${sleeve} (${colour})`,
      attributes: { colour, gender, fit, fabric, pattern, sleeve, occasion },
      variants: sizes.map((size, i) => ({ attributes: { size }, rupees: rupees + (i >= 4 ? 100 : 0) })),
      highlights: [`${fabric} fabric`, fit, `${sleeve}, ${pattern.toLowerCase()} pattern`, "Machine wash"]
    }
  }
}

// ---------------------------------------------------------------- jeans

const waists = ["26", "28", "30", "32", "34", "36", "38", "40"]
const jeansLines = [
  { brand: "Levi's", lines: ["511", "512", "501 Original", "541 Athletic"], price: 3_299 },
  { brand: "Wrangler", lines: ["Rodeo", "Texas", "Regular"], price: 2_199 },
  { brand: "Lee", lines: ["Bruce", "Powell", "Rodeo"], price: 2_399 },
  { brand: "Pepe Jeans", lines: ["Hatch", "Track", "Vapour"], price: 2_799 },
  { brand: "Spykar", lines: ["Super Skinny", "Rover"], price: 1_899 },
  { brand: "Mufti", lines: ["Sam", "Ultra"], price: 2_499 },
  { brand: "Flying Machine", lines: ["Prince", "Michael"], price: 1_999 },
  { brand: "Jack & Jones", lines: ["Glenn", "Liam", "Mike"], price: 2_999 },
  { brand: "Killer", lines: ["Boss", "Ace"], price: 1_499 },
  { brand: "Roadster", lines: ["Mom Fit", "Straight"], price: 999 }
]
const jeansFits = ["Skinny", "Slim", "Slim Tapered", "Straight", "Relaxed", "Bootcut", "Wide Leg"] as const
const washes = ["Light Blue", "Mid Blue", "Dark Indigo", "Black", "Grey"] as const

const jeans: LeafCategory = {
  category_id: "cat_jeans",
  name: "Jeans",
  weight: 6,
  imageFolder: "jeans",
  attribute_schema: {
    waist_in: required(oneOf(waists)),
    colour: required(oneOf(washes)),
    gender: required(oneOf(genders)),
    fit: required(oneOf(jeansFits)),
    rise: oneOf(["Low Rise", "Mid Rise", "High Rise"]),
    stretch: bool,
    length_in: num
  },
  make: (r) => {
    const { brand, lines, price } = r.pick(jeansLines)
    const line = r.pick(lines)
    const gender = r.weighted(["Men", "Women"] as const, (g) => (g === "Men" ? 3 : 2))
    const fit = r.pick(jeansFits)
    const rise = gender === "Women" ? r.pick(["Mid Rise", "High Rise"]) : r.pick(["Low Rise", "Mid Rise", "Mid Rise"])
    const colour = r.pick(washes)
    const stretch = r.chance(0.6)
    const range = gender === "Women" ? waists.slice(0, 5) : waists.slice(2)
    const start = r.int(0, range.length - 1)
    const sizes = range.slice(start, start + variantCount(r))
    return {
      brand,
      title: `${brand} ${possessive(gender)} ${line} ${fit} Fit ${rise} ${stretch ? "Stretchable " : ""}Jeans (${colour})`,
      attributes: { colour, gender, fit, rise, stretch, length_in: gender === "Women" ? 30 : r.pick([32, 34]) },
      variants: sizes.map((waist) => ({ attributes: { waist_in: waist }, rupees: around(r, price, 0.02) })),
      highlights: [`${fit} fit, ${rise.toLowerCase()}`, stretch ? "Comfort stretch denim" : "Rigid cotton denim", "5-pocket styling", "Zip fly with button closure"]
    }
  }
}

export const fashion: TopCategory = {
  category_id: "cat_fashion",
  name: "Fashion",
  leaves: [shoes, shirts, jeans]
}
