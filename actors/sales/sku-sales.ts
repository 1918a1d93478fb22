import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker, InvalidCommand } from "../cart/fields.ts"
import { EpochMs, SaleId } from "./sale-schema.ts"

/**
 * Actor "sku-sales", id = sku_id: the flash sales a SKU belongs to, so a checkout can tell
 * whether it needs an admission token (one ask per SKU in the cart). A SKU is in at most one
 * sale that has not ended; attaching is idempotent per sale, so a retried sale creation is safe.
 */

export const SkuSale = Schema.Struct({ sale_id: SaleId, ends_at_ms: Schema.NullOr(EpochMs) })
export type SkuSale = typeof SkuSale.Type

export const SkuSalesState = Schema.Struct({ sales: Schema.Array(SkuSale).pipe(Schema.maxItems(16)) })
export type SkuSalesState = typeof SkuSalesState.Type

export const SkuSalesCommand = Schema.Union(Schema.TaggedStruct("Attach", { sale: SkuSale }), Schema.TaggedStruct("Get", {}))
export type SkuSalesCommand = typeof SkuSalesCommand.Type

export const SkuSalesEvent = Schema.Union(Schema.TaggedStruct("Attached", { sale: SkuSale, at_ms: EpochMs }))
export type SkuSalesEvent = typeof SkuSalesEvent.Type

export const SkuSalesReply = Schema.Struct({ sales: Schema.Array(SkuSale) })
export type SkuSalesReply = typeof SkuSalesReply.Type

/** The SKU is already in another sale that has not ended. 409. */
export class SkuInSale extends Schema.TaggedError<SkuInSale>()("SkuInSale", { reason: Schema.Literal("sku_in_sale"), sale_id: Schema.String }) {}
export const SkuSalesRejection = Schema.Union(InvalidCommand, SkuInSale)
export type SkuSalesRejection = typeof SkuSalesRejection.Type

const checkCommand = commandChecker(SkuSalesCommand)

/** Sales that have not ended by `nowMs`. */
export const liveSales = (sales: ReadonlyArray<SkuSale>, nowMs: number) => sales.filter((s) => s.ends_at_ms === null || s.ends_at_ms > nowMs)

const evolveSkuSales = (state: SkuSalesState, event: SkuSalesEvent): SkuSalesState => ({
  sales: [...liveSales(state.sales, event.at_ms), event.sale].slice(-16)
})

const decideSkuSales = (state: SkuSalesState, command: SkuSalesCommand, nowMs: number): Decision<SkuSalesEvent, SkuSalesReply, SkuSalesRejection> => {
  const invalid = checkCommand(command)
  if (invalid !== undefined) return reject(invalid)
  if (command._tag === "Get") return accept([], { sales: state.sales })
  if (state.sales.some((s) => s.sale_id === command.sale.sale_id)) return accept([], { sales: state.sales })
  const other = liveSales(state.sales, nowMs)[0]
  if (other !== undefined) return reject(new SkuInSale({ reason: "sku_in_sale", sale_id: other.sale_id }))
  const event: SkuSalesEvent = { _tag: "Attached", sale: command.sale, at_ms: nowMs }
  return accept([event], evolveSkuSales(state, event))
}

export const skuSales: ActorDefinition<SkuSalesState, SkuSalesCommand, SkuSalesEvent, SkuSalesReply, SkuSalesRejection> = {
  name: "sku-sales",
  state: SkuSalesState,
  command: SkuSalesCommand,
  event: SkuSalesEvent,
  reply: SkuSalesReply,
  rejection: SkuSalesRejection,
  initialState: () => ({ sales: [] }),
  decide: decideSkuSales,
  evolve: evolveSkuSales,
  limits: { mailboxCapacity: 10_000, snapshotEveryEvents: 100 }
}
