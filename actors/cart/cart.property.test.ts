import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { codecFor } from "../../runtime/actor.ts"
import { type Cart, cart, type CartCommand, type CartEvent, type CartState, type MergeLine } from "./cart.ts"
import { cartLimits } from "./fields.ts"
import { type CurrentSku, revalidate } from "./revalidate.ts"

/**
 * Any sequence of cart commands (small SKU pools so lines collide, big quantities and bulk
 * merges so both caps are hit) keeps the cart's invariants, and `revalidate` adds up.
 */

const cid = "cart_AAAAAAAAAAAAAAAAAAAAAA"
const stateCodec = codecFor(cart.state)
const eventCodec = codecFor(cart.event)
const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

const skuIndex = fc.integer({ min: 0, max: 139 })
const sku = (i: number) => `sku_${i}`
const quantity = fc.integer({ min: 1, max: 100 })
const price = fc.integer({ min: 0, max: 100_000 })
const currency = fc.constantFrom("EUR", "EUR", "EUR", "USD")
const mergeLinesOf = (minLength: number): fc.Arbitrary<ReadonlyArray<MergeLine>> => fc
  .uniqueArray(fc.record({ i: skuIndex, q: quantity, p: price, c: currency }), { selector: (r) => r.i, minLength, maxLength: 100 })
  .map((rs) => rs.map((r) => ({ sku_id: sku(r.i), product_id: `p_${r.i}`, title: `Product ${r.i}`, quantity: r.q, unit_price: r.p, currency: r.c })))
const mergeLines = mergeLinesOf(0)

const command: fc.Arbitrary<CartCommand> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom<CartCommand>({ _tag: "Open", owner: "u_ada", currency: "EUR" }, { _tag: "Get" }) },
  {
    weight: 12,
    arbitrary: fc.record({ i: skuIndex, q: quantity, p: price, c: currency }).map(
      (r): CartCommand => ({ _tag: "AddItem", sku_id: sku(r.i), product_id: `p_${r.i}`, title: `Product ${r.i}`, quantity: r.q, unit_price: r.p, currency: r.c })
    )
  },
  { weight: 3, arbitrary: fc.tuple(skuIndex, fc.integer({ min: 0, max: 100 })).map(([i, q]): CartCommand => ({ _tag: "SetQuantity", sku_id: sku(i), quantity: q })) },
  { weight: 2, arbitrary: skuIndex.map((i): CartCommand => ({ _tag: "RemoveItem", sku_id: sku(i) })) },
  {
    weight: 5,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 12 }), fc.oneof(mergeLines, mergeLinesOf(100))).map(([n, from_lines]): CartCommand => ({ _tag: "Merge", from_cart_id: `cart_${String(n).padStart(16, "0")}`, from_lines }))
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 25 }).map((n): CartCommand => ({ _tag: "Clear", order_id: `ord_${n}` })) }
)

const quantities = (c: Cart) => new Map(c.lines.map((l) => [l.sku_id, l.quantity]))

describe("cart properties", () => {
  it("lines stay 1..100 units, ≤ 100 lines, distinct SKUs; merges lose only what the caps drop", () => {
    const seen = new Map<string, number>()
    const count = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1)
    fc.assert(
      fc.property(fc.array(command, { maxLength: 120 }), (commands) => {
        let state: CartState = cart.evolve(cart.initialState(cid), { _tag: "Opened", owner: "u_ada", currency: "EUR" })
        for (const c of commands) {
          const before = state as Cart
          const decision = cart.decide(state, c, 0)
          if (decision._tag === "Reject") {
            // Rejections are only the specified ones, each for its reason.
            const r = decision.rejection
            count(r.reason)
            if (r.reason === "quantity_limit") expect(c._tag === "AddItem" && (quantities(before).get(c.sku_id) ?? 0) + c.quantity > 100).toBe(true)
            else if (r.reason === "cart_limit") expect(c._tag === "AddItem" && before.lines.length === 100 && !quantities(before).has(c.sku_id)).toBe(true)
            else if (r.reason === "currency_mismatch") expect(c._tag === "AddItem" && c.currency !== "EUR").toBe(true)
            else if (r.reason === "not_in_cart") expect(c._tag === "SetQuantity" && c.quantity > 0 && !quantities(before).has(c.sku_id)).toBe(true)
            else throw new Error(`unexpected rejection ${JSON.stringify(r)} for ${JSON.stringify(c)}`)
            continue
          }
          for (const e of decision.events) {
            expect(eventCodec.decode(json(eventCodec.encode(e)))).toEqual(e)
            state = cart.evolve(state, e as CartEvent)
          }
          expect(decision.reply.cart).toEqual(state)
          const after = state as Cart
          expect(after.lines.length).toBeLessThanOrEqual(cartLimits.maxLines)
          expect(new Set(after.lines.map((l) => l.sku_id)).size).toBe(after.lines.length)
          for (const l of after.lines) expect(l.quantity >= 1 && l.quantity <= cartLimits.maxQuantity && Number.isInteger(l.quantity)).toBe(true)
          expect(stateCodec.decode(json(stateCodec.encode(state)))).toEqual(state)

          if (c._tag === "AddItem") expect(quantities(after).get(c.sku_id)).toBe((quantities(before).get(c.sku_id) ?? 0) + c.quantity)
          if (c._tag === "Merge" && decision.events.length > 0) {
            const dropped = new Map(decision.reply.dropped.map((d) => [d.sku_id, d]))
            for (const d of decision.reply.dropped) count(`dropped ${d.reason}`)
            for (const from of c.from_lines) {
              const had = quantities(before).get(from.sku_id) ?? 0
              const has = quantities(after).get(from.sku_id) ?? 0
              const d = dropped.get(from.sku_id)
              // Conservation: what was here + what came in = what is here + what was dropped.
              expect(had + from.quantity).toBe(has + (d?.quantity ?? 0))
              // Anything dropped was dropped for a cap (or another currency), never silently.
              if (d?.reason === "quantity_limit") expect(has).toBe(cartLimits.maxQuantity)
              if (d?.reason === "cart_limit") expect(had === 0 && has === 0 && after.lines.length === cartLimits.maxLines).toBe(true)
              if (d?.reason === "currency_mismatch") expect(from.currency).not.toBe("EUR")
            }
            // Lines not in the merge are untouched.
            for (const l of before.lines) if (!c.from_lines.some((f) => f.sku_id === l.sku_id)) expect(quantities(after).get(l.sku_id)).toBe(l.quantity)
          }
        }
      }),
      { numRuns: 300 }
    )
    // The generators do reach every cap and every rejection.
    for (const what of ["quantity_limit", "cart_limit", "currency_mismatch", "not_in_cart", "dropped quantity_limit", "dropped cart_limit", "dropped currency_mismatch"]) {
      expect(seen.get(what) ?? 0, what).toBeGreaterThan(0)
    }
  })

  it("replaying the journal rebuilds the same cart", () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        let state: CartState = cart.initialState(cid)
        const journal: Array<CartEvent> = []
        for (const c of [{ _tag: "Open", owner: "u_ada", currency: "EUR" } as const, ...commands]) {
          const decision = cart.decide(state, c, 0)
          if (decision._tag !== "Accept") continue
          for (const e of decision.events) {
            journal.push(e)
            state = cart.evolve(state, e)
          }
        }
        const replayed = journal.map((e) => eventCodec.decode(json(eventCodec.encode(e))) as CartEvent).reduce(cart.evolve, cart.initialState(cid))
        expect(replayed).toEqual(state)
      }),
      { numRuns: 200 }
    )
  })

  it("revalidate: subtotal = Σ line totals, line_total = current price × quantity, one warning per change", () => {
    const current = fc.option(
      fc.record({ unit_price: price, available: fc.integer({ min: 0, max: 200 }), stock_status: fc.constantFrom("in_stock", "low_stock", "out_of_stock") }),
      { nil: undefined }
    )
    fc.assert(
      fc.property(mergeLines, fc.array(current, { minLength: 140, maxLength: 140 }), (lines, stock) => {
        const open = cart.evolve(cart.initialState(cid), { _tag: "Opened", owner: "u_ada", currency: "EUR" })
        const d = cart.decide(open, { _tag: "Merge", from_cart_id: "cart_BBBBBBBBBBBBBBBB", from_lines: lines.map((l) => ({ ...l, currency: "EUR" })) }, 0)
        if (d._tag !== "Accept") throw new Error("merge into an empty cart was refused")
        const c = d.reply.cart
        const now = new Map<string, CurrentSku>()
        stock.forEach((s, i) => s !== undefined && now.set(sku(i), s))
        const view = revalidate(c, now)
        expect(view.currency).toBe("EUR")
        expect(view.items.map((i) => i.sku_id)).toEqual(c.lines.map((l) => l.sku_id))
        expect(view.subtotal).toBe(view.items.reduce((sum, i) => sum + i.line_total, 0))
        for (const [index, item] of view.items.entries()) {
          const line = c.lines[index]!
          const s = now.get(item.sku_id)
          expect(item.quantity).toBe(line.quantity)
          expect(item.line_total).toBe(item.unit_price * item.quantity)
          expect(item.unit_price).toBe(s?.unit_price ?? line.unit_price)
          const codes = view.warnings.filter((w) => w.sku_id === item.sku_id).map((w) => w.code)
          expect(codes.includes("price_changed")).toBe(s !== undefined && s.unit_price !== line.unit_price)
          expect(codes.includes("unavailable")).toBe(s === undefined)
          expect(codes.includes("out_of_stock")).toBe(s !== undefined && (s.stock_status === "out_of_stock" || s.available === 0))
          expect(codes.includes("low_stock")).toBe(s !== undefined && s.stock_status !== "out_of_stock" && s.available > 0 && s.available < line.quantity)
          if (item.stock_status !== "out_of_stock") expect(s !== undefined && s.available > 0).toBe(true)
        }
      }),
      { numRuns: 300 }
    )
  })
})
