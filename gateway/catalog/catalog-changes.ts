import { Either, Schema } from "effect"
import { CategoryEvent } from "../../actors/catalog/category.ts"
import { type Product, ProductEvent } from "../../actors/catalog/product.ts"
import type { JournalBatch } from "../../runtime/ports.ts"

/**
 * What a run of journal batches changes in the catalog read model, folded in memory: the latest
 * listing of each product, the latest stock figures of each SKU, new categories. Every entry
 * carries the actor's event sequence number, and the read model keeps an entry only over an
 * older one, so applying the same batches twice (projections are at least once) changes nothing.
 */

export interface ProductChange {
  readonly product: Product
  readonly seq: number
  /** A ProductCreated is among the folded events (brand and category counts grow by one). */
  readonly created: boolean
}

/** A SKU's stock as of event `seq`: fields absent were not changed by the folded events. */
export interface StockChange {
  readonly sku_id: string
  readonly seq: number
  readonly available: number | undefined
  readonly low_stock_threshold: number | undefined
}

export interface CategoryChange {
  readonly category_id: string
  readonly seq: number
  readonly name: string
  readonly parent_id: string | null
}

const decodeProductEvent = Schema.decodeUnknownEither(ProductEvent)
const decodeCategoryEvent = Schema.decodeUnknownEither(CategoryEvent)

type SkuEventLike = {
  readonly _tag?: unknown
  readonly available_after?: unknown
  readonly available?: unknown
  readonly low_stock_threshold?: unknown
}

const count = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined)

export class CatalogChanges {
  readonly products = new Map<string, ProductChange>()
  readonly stock = new Map<string, StockChange>()
  readonly categories = new Map<string, CategoryChange>()
  /** Append time of the oldest batch folded in (for the index-lag metric); Infinity when none. */
  oldestAtMs = Infinity

  constructor(private readonly log: (message: string, detail?: unknown) => void = () => {}) {}

  get isEmpty(): boolean {
    return this.products.size === 0 && this.stock.size === 0 && this.categories.size === 0
  }

  applyBatch(batch: JournalBatch): void {
    let touched = false
    for (const e of batch.events) {
      const slash = e.actor.indexOf("/")
      const type = e.actor.slice(0, slash)
      const id = e.actor.slice(slash + 1)
      if (type === "sku") touched = this.sku(id, e.seq, e.event as SkuEventLike) || touched
      else if (type === "product") touched = this.product(e.seq, e.event) || touched
      else if (type === "category") touched = this.category(id, e.seq, e.event) || touched
    }
    if (touched && batch.atMs < this.oldestAtMs) this.oldestAtMs = batch.atMs
  }

  /** Fold `later` (changes from after this one's) into this one. */
  merge(later: CatalogChanges): void {
    for (const c of later.products.values()) this.putProduct(c)
    for (const c of later.stock.values()) this.putStock(c)
    for (const c of later.categories.values()) this.categories.set(c.category_id, c)
    this.oldestAtMs = Math.min(this.oldestAtMs, later.oldestAtMs)
  }

  private product(seq: number, raw: unknown): boolean {
    const decoded = decodeProductEvent(raw)
    if (Either.isLeft(decoded)) {
      this.log(`catalog projection: skipping an undecodable product event (seq ${seq})`, decoded.left)
      return false
    }
    const event = decoded.right
    this.putProduct({ product: event.product, seq, created: event._tag === "ProductCreated" })
    return true
  }

  private putProduct(change: ProductChange) {
    const id = change.product.product_id
    const before = this.products.get(id)
    if (before !== undefined && before.seq >= change.seq) return
    this.products.set(id, before === undefined ? change : { ...change, created: change.created || before.created })
  }

  private sku(skuId: string, seq: number, event: SkuEventLike): boolean {
    let available: number | undefined
    let threshold: number | undefined
    switch (event._tag) {
      case "Registered":
        // A SKU has no stock before it is registered (every stock command needs it registered).
        available = 0
        threshold = count(event.low_stock_threshold)
        break
      case "LowStockThresholdSet":
        threshold = count(event.low_stock_threshold)
        break
      case "StockStatusChanged":
        available = count(event.available)
        break
      default:
        available = count(event.available_after)
    }
    if (available === undefined && threshold === undefined) return false
    this.putStock({ sku_id: skuId, seq, available, low_stock_threshold: threshold })
    return true
  }

  private putStock(change: StockChange) {
    const before = this.stock.get(change.sku_id)
    if (before === undefined) {
      this.stock.set(change.sku_id, change)
      return
    }
    const [older, newer] = before.seq <= change.seq ? [before, change] : [change, before]
    this.stock.set(change.sku_id, {
      sku_id: change.sku_id,
      seq: newer.seq,
      available: newer.available ?? older.available,
      low_stock_threshold: newer.low_stock_threshold ?? older.low_stock_threshold
    })
  }

  private category(categoryId: string, seq: number, raw: unknown): boolean {
    const decoded = decodeCategoryEvent(raw)
    if (Either.isLeft(decoded)) {
      this.log(`catalog projection: skipping an undecodable category event (${categoryId}, seq ${seq})`, decoded.left)
      return false
    }
    this.categories.set(categoryId, { category_id: categoryId, seq, name: decoded.right.name, parent_id: decoded.right.parent_id })
    return true
  }
}
