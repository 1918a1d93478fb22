import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { shopperCart, type ShopperCart, type ShopperCartCommand } from "./shopper-cart.ts"

const shopper = "u_AAAAAAAAAAAAAAAAAAAAAA"
const cid = (c: string) => `cart_${c.repeat(22)}`
const assigned = (c: string) => ({ _tag: "CartAssigned", cart_id: cid(c) })
const retired = (c: string) => ({ _tag: "CartRetired", merged_into: cid(c) })

const rows: ReadonlyArray<DeciderRow> = [
  { name: "Get before any cart", given: [], when: { _tag: "Get" }, then: [], reply: { shopper, cart_id: null, merged_into: null } },
  { name: "Assign the first cart", given: [], when: { _tag: "Assign", cart_id: cid("A") }, then: [assigned("A")], reply: { cart_id: cid("A"), merged_into: null } },
  { name: "Assign again (another minted id) → the first cart, no events", given: [assigned("A")], when: { _tag: "Assign", cart_id: cid("B") }, then: [], reply: { cart_id: cid("A") } },
  { name: "Assign again with the same id → no events", given: [assigned("A")], when: { _tag: "Assign", cart_id: cid("A") }, then: [], reply: { cart_id: cid("A") } },
  { name: "Get after Assign", given: [assigned("A")], when: { _tag: "Get" }, then: [], reply: { cart_id: cid("A"), merged_into: null } },
  { name: "Retire into an account cart", given: [assigned("A")], when: { _tag: "Retire", merged_into: cid("U") }, then: [retired("U")], reply: { cart_id: cid("A"), merged_into: cid("U") } },
  { name: "Retire again → no events, the first merge stands", given: [assigned("A"), retired("U")], when: { _tag: "Retire", merged_into: cid("V") }, then: [], reply: { merged_into: cid("U") } },
  { name: "Retire without a cart → no_cart", given: [], when: { _tag: "Retire", merged_into: cid("U") }, then: { reason: "no_cart" } },
  { name: "Retire into itself → invalid_command", given: [assigned("A")], when: { _tag: "Retire", merged_into: cid("A") }, then: { reason: "invalid_command" } },
  { name: "Assign after Retire → cart_retired", given: [assigned("A"), retired("U")], when: { _tag: "Assign", cart_id: cid("B") }, then: { reason: "cart_retired", merged_into: cid("U") } },
  { name: "Assign a malformed cart id → invalid_command", given: [], when: { _tag: "Assign", cart_id: "cart_123" }, then: { reason: "invalid_command" } },
  { name: "Assign without cart_ prefix → invalid_command", given: [], when: { _tag: "Assign", cart_id: "AAAAAAAAAAAAAAAAAAAAAAAAAAA" }, then: { reason: "invalid_command" } },
  { name: "An unknown command → invalid_command", given: [], when: { _tag: "Delete" }, then: { reason: "invalid_command" } }
]

describe("shopper-cart decider", () => {
  for (const row of rows) it(row.name, () => void runRow(shopperCart, row, shopper))

  it("evolve refuses a second assignment and a retirement without a cart in use", () => {
    const one = shopperCart.evolve(shopperCart.initialState(shopper), assigned("A") as never)
    expect(() => shopperCart.evolve(one, assigned("B") as never)).toThrow(/second cart/)
    expect(() => shopperCart.evolve(shopperCart.initialState(shopper), retired("U") as never)).toThrow(/retired/)
    const gone = shopperCart.evolve(one, retired("U") as never)
    expect(() => shopperCart.evolve(gone, retired("V") as never)).toThrow(/retired/)
  })

  it("whatever the commands, a shopper has at most one cart for life and it never changes", () => {
    const letters = fc.constantFrom("A", "B", "C", "D")
    const command = fc.oneof(
      { weight: 4, arbitrary: letters.map((c): ShopperCartCommand => ({ _tag: "Assign", cart_id: cid(c) })) },
      { weight: 1, arbitrary: letters.map((c): ShopperCartCommand => ({ _tag: "Retire", merged_into: cid(c) })) },
      { weight: 1, arbitrary: fc.constant<ShopperCartCommand>({ _tag: "Get" }) }
    )
    fc.assert(
      fc.property(fc.array(command, { maxLength: 30 }), (commands) => {
        let state: ShopperCart = shopperCart.initialState(shopper)
        let first: string | null = null
        for (const c of commands) {
          const d = shopperCart.decide(state, c, 0)
          if (d._tag === "Accept") {
            for (const e of d.events) state = shopperCart.evolve(state, e)
            expect(d.reply).toEqual(state)
          }
          if (c._tag === "Assign" && first === null && state.merged_into === null) first = c.cart_id
          expect(state.cart_id).toBe(first)
          if (state.merged_into !== null) expect(state.merged_into).not.toBe(state.cart_id)
        }
      }),
      { numRuns: 200 }
    )
  })
})
