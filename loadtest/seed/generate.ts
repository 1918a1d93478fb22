import type { AttributeSchema } from "../../actors/catalog/attributes.ts"
import type { Attributes } from "../../actors/catalog/attributes.ts"
import { priceIn } from "./prices.ts"
import { type Rng, rngFor, stableId } from "./prng.ts"
import { leafCategories, type ProductDraft, taxonomy } from "./taxonomy/index.ts"

/**
 * The demo catalog generator: a pure function of (seed, options). Categories, sellers and
 * warehouses are fixed (the same for every seed, so catalogs of several seeds can share a store);
 * products are drawn one by one, product i from its own random stream (`productAt`), so a
 * catalog of 1,000 products is the first 1,000 of a catalog of 100,000 and products can be
 * generated lazily in any order. Nothing here reads a clock or Math.random.
 */

export interface SeedOptions {
  readonly seed: number
  readonly products: number
  /** Warehouses stock is spread over, `wh_main` included: 1..`maxSeedWarehouses`. */
  readonly warehouses: number
  /** ISO 4217 code of the store currency (STORE_CURRENCY). */
  readonly currency: string
}

export const defaultSeedOptions: SeedOptions = { seed: 42, products: 1_000, warehouses: 3, currency: "INR" }

export interface SeedCategory {
  readonly category_id: string
  readonly name: string
  readonly parent_id: string | null
  readonly attribute_schema?: AttributeSchema
}

export interface SeedSeller {
  readonly seller_id: string
  /** The seller's user account (`u_…`, derived from the email, so the same on every run). */
  readonly user_id: string
  readonly email: string
  readonly display_name: string
  readonly legal_name: string
  readonly country: string
  /** Top-level categories it sells in (every one when empty). */
  readonly sells: ReadonlyArray<string>
}

export interface SeedWarehouse {
  readonly warehouse_id: string
  readonly name: string
  readonly region: string
  readonly country: string
}

export interface SeedStock {
  readonly warehouse_id: string
  readonly quantity: number
}

export interface SeedSku {
  readonly sku_id: string
  readonly attributes: Attributes
  /** Minor units of `currency`. */
  readonly price: number
  readonly currency: string
  /** Units received per warehouse; empty = out of stock. */
  readonly stock: ReadonlyArray<SeedStock>
}

export interface SeedProduct {
  readonly product_id: string
  readonly seller_id: string
  readonly title: string
  readonly description: string
  readonly brand: string
  readonly category_id: string
  readonly attributes: Attributes
  readonly images: ReadonlyArray<string>
  readonly skus: ReadonlyArray<SeedSku>
  readonly created_at: string
}

export const maxSeedWarehouses = 9
export const maxSeedProducts = 1_000_000

// ---------------------------------------------------------------- fixed parts

/** Top-level categories (no schema) followed by their leaves (each with its attribute schema). */
export const seedCategories: ReadonlyArray<SeedCategory> = [
  ...taxonomy.map((top) => ({ category_id: top.category_id, name: top.name, parent_id: null })),
  ...leafCategories.map((leaf) => ({ category_id: leaf.category_id, name: leaf.name, parent_id: leaf.parent_id, attribute_schema: leaf.attribute_schema }))
]

const seller = (slug: string, display_name: string, legal_name: string, sells: ReadonlyArray<string>): SeedSeller => {
  const email = `${slug.replace(/_/g, "-")}@sellers.example.com`
  const user_id = stableId("u_", 22, "catalog-seed seller", email)
  // A user's seller id is derived from the user id (gateway/inventory/sellers.ts, sellerIdOfUser).
  return { seller_id: `s_${user_id.slice(2)}`, user_id, email, display_name, legal_name, country: "IN", sells }
}

/** A handful of approved sellers: specialists per top-level category and one that sells everything. */
export const seedSellers: ReadonlyArray<SeedSeller> = [
  seller("apex_electronics", "Apex Electronics", "Apex Electronics Private Limited", ["cat_electronics"]),
  seller("gadget_galaxy", "Gadget Galaxy", "Gadget Galaxy Retail LLP", ["cat_electronics"]),
  seller("urban_threads", "Urban Threads", "Urban Threads Fashion Private Limited", ["cat_fashion"]),
  seller("stepup_footwear", "StepUp Footwear", "StepUp Footwear Traders", ["cat_fashion", "cat_sports"]),
  seller("freshcart_grocers", "FreshCart Grocers", "FreshCart Grocers Private Limited", ["cat_grocery"]),
  seller("homenest", "HomeNest", "HomeNest Home Solutions LLP", ["cat_home_kitchen"]),
  seller("pageturner_books", "PageTurner Books", "PageTurner Books and Stationers", ["cat_books"]),
  seller("prosport_arena", "ProSport Arena", "ProSport Arena Private Limited", ["cat_sports"]),
  seller("glowup_beauty", "GlowUp Beauty", "GlowUp Beauty Retail Private Limited", ["cat_beauty", "cat_grocery"]),
  seller("megamart_retail", "MegaMart Retail", "MegaMart Retail India Limited", [])
]

/** `wh_main` (every store has it) first, then regional warehouses. */
const allWarehouses: ReadonlyArray<SeedWarehouse> = [
  { warehouse_id: "wh_main", name: "Main warehouse", region: "default", country: "IN" },
  { warehouse_id: "wh_mumbai", name: "Mumbai fulfilment centre", region: "Maharashtra", country: "IN" },
  { warehouse_id: "wh_delhi", name: "Delhi NCR fulfilment centre", region: "Delhi", country: "IN" },
  { warehouse_id: "wh_bengaluru", name: "Bengaluru fulfilment centre", region: "Karnataka", country: "IN" },
  { warehouse_id: "wh_kolkata", name: "Kolkata fulfilment centre", region: "West Bengal", country: "IN" },
  { warehouse_id: "wh_chennai", name: "Chennai fulfilment centre", region: "Tamil Nadu", country: "IN" },
  { warehouse_id: "wh_hyderabad", name: "Hyderabad fulfilment centre", region: "Telangana", country: "IN" },
  { warehouse_id: "wh_pune", name: "Pune fulfilment centre", region: "Maharashtra", country: "IN" },
  { warehouse_id: "wh_ahmedabad", name: "Ahmedabad fulfilment centre", region: "Gujarat", country: "IN" }
]

export const seedWarehouses = (count: number): ReadonlyArray<SeedWarehouse> => allWarehouses.slice(0, count)

export const checkSeedOptions = (o: SeedOptions): SeedOptions => {
  if (!Number.isSafeInteger(o.seed)) throw new Error(`seed must be an integer, got ${o.seed}`)
  if (!Number.isInteger(o.products) || o.products < 0 || o.products > maxSeedProducts) throw new Error(`products must be an integer in 0..${maxSeedProducts}, got ${o.products}`)
  if (!Number.isInteger(o.warehouses) || o.warehouses < 1 || o.warehouses > maxSeedWarehouses) throw new Error(`warehouses must be an integer in 1..${maxSeedWarehouses}, got ${o.warehouses}`)
  if (!/^[A-Z]{3}$/.test(o.currency)) throw new Error(`currency must be an ISO 4217 code (three capital letters), got "${o.currency}"`)
  return o
}

// ---------------------------------------------------------------- products

/** The id of product `index` of the catalog of `seed` (without drawing the rest of it). */
export const productIdAt = (seed: number, index: number) => stableId("p_", 16, "catalog-seed", seed, "product", index)

/** Out of stock 7 %, low stock (1..5 units in one warehouse) 10 %, else 1..all warehouses with plenty. */
const stockFor = (r: Rng, warehouses: ReadonlyArray<SeedWarehouse>, rupees: number): ReadonlyArray<SeedStock> => {
  const roll = r.next()
  if (roll < 0.07) return []
  if (roll < 0.17) return [{ warehouse_id: r.pick(warehouses).warehouse_id, quantity: r.int(1, 5) }]
  const depth = rupees < 1_000 ? 4 : rupees < 10_000 ? 1.5 : 1
  return r.sample(warehouses, r.int(1, warehouses.length)).map((w) => ({ warehouse_id: w.warehouse_id, quantity: Math.round(r.int(10, 200) * depth) }))
}

const openers = ["Meet the", "Introducing the", "Say hello to the", "Upgrade to the", "Discover the"]
const closers = [
  "Backed by the brand's warranty and easy 7-day returns.",
  "Genuine product, shipped in secure packaging.",
  "Free delivery on eligible orders; cash on delivery available.",
  "Loved by thousands of customers across India."
]

const describe = (r: Rng, draft: ProductDraft, category: string, sellerName: string) =>
  [
    `${r.pick(openers)} ${draft.title}.`,
    "",
    "Highlights:",
    ...draft.highlights.map((h) => `- ${h}`),
    "",
    `${draft.brand} in ${category}, sold by ${sellerName}. ${r.pick(closers)}`
  ].join("\n")

const referenceMs = Date.UTC(2025, 0, 1)

/** Product `index` (0-based) of the catalog of `seed`: the same on every call, whatever the catalog size. */
export const productAt = (options: SeedOptions, index: number): SeedProduct => {
  const r = rngFor(options.seed, "product", index)
  const leaf = r.weighted(leafCategories, (c) => c.weight)
  const draft = leaf.make(r)
  const eligible = seedSellers.filter((s) => s.sells.length === 0 || s.sells.includes(leaf.parent_id))
  const sellerOf = r.weighted(eligible, (s) => (s.sells.length === 0 ? 1 : 3))
  const product_id = productIdAt(options.seed, index)
  const warehouses = seedWarehouses(options.warehouses)
  const skus = draft.variants.map((variant, v) => ({
    sku_id: `sku_${product_id.slice(2)}-${v + 1}`,
    attributes: variant.attributes,
    price: priceIn(options.currency, variant.rupees),
    currency: options.currency,
    stock: stockFor(r, warehouses, variant.rupees)
  }))
  const imageCount = r.int(1, 5)
  return {
    product_id,
    seller_id: sellerOf.seller_id,
    title: draft.title,
    description: describe(r, draft, leaf.name, sellerOf.display_name),
    brand: draft.brand,
    category_id: leaf.category_id,
    attributes: draft.attributes,
    images: Array.from({ length: imageCount }, (_, k) => `https://images.example.com/catalog/${leaf.imageFolder}/${product_id}/${k + 1}.jpg`),
    skus,
    created_at: new Date(referenceMs + r.int(0, 364 * 86_400) * 1000).toISOString()
  }
}

/** Products `from` (included) to `to` (excluded), lazily. */
export function* productsOf(options: SeedOptions, from = 0, to = options.products): Generator<SeedProduct> {
  for (let i = from; i < to; i++) yield productAt(options, i)
}

/** The category's schema (undefined for a top-level category, which has none). */
export const schemaOf = (categoryId: string): AttributeSchema | undefined => seedCategories.find((c) => c.category_id === categoryId)?.attribute_schema
