import { describe, expect, it } from "vitest"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { cart, type CartReply, type CartState } from "./cart.ts"
import { cartLimits } from "./fields.ts"

const cid = "cart_AAAAAAAAAAAAAAAAAAAAAA"
const otherCid = "cart_BBBBBBBBBBBBBBBBBBBBBB"
const opened = { _tag: "Opened", owner: "u_ada", currency: "EUR" } as const
const sku = (n: number) => `sku_${n}`
const item = (n: number, quantity = 1, unit_price = 1000) => ({ sku_id: sku(n), product_id: `p_${n}`, title: `Product ${n}`, quantity, unit_price })
const add = (n: number, quantity = 1, unit_price = 1000) => ({ _tag: "AddItem", ...item(n, quantity, unit_price), currency: "EUR" })
const added = (n: number, quantity = 1, unit_price = 1000) => ({ _tag: "ItemAdded" as const, ...item(n, quantity, unit_price) })
const fullCart = [opened, ...Array.from({ length: cartLimits.maxLines }, (_, i) => added(i))]
const mergeLine = (n: number, quantity = 1, unit_price = 900, currency = "EUR") => ({ ...item(n, quantity, unit_price), currency })

const rows: ReadonlyArray<DeciderRow> = [
  // Open
  { name: "Open a new cart", given: [], when: { _tag: "Open", owner: "u_ada", currency: "EUR" }, then: [opened], reply: { cart: { status: "open", cart_id: cid, owner: "u_ada", currency: "EUR", lines: [] }, dropped: [] } },
  { name: "Open an anonymous cart", given: [], when: { _tag: "Open", owner: "anon_s3ss10n", currency: "EUR" }, then: [{ _tag: "Opened", owner: "anon_s3ss10n", currency: "EUR" }] },
  { name: "Open again, same data → no events", given: [opened, added(1)], when: { _tag: "Open", owner: "u_ada", currency: "EUR" }, then: [], reply: { cart: { lines: [item(1)] } } },
  { name: "Open again for another owner → owner_mismatch", given: [opened], when: { _tag: "Open", owner: "u_eve", currency: "EUR" }, then: { reason: "owner_mismatch" } },
  { name: "Open again in another currency → currency_mismatch", given: [opened], when: { _tag: "Open", owner: "u_ada", currency: "USD" }, then: { reason: "currency_mismatch", currency: "EUR" } },
  { name: "Open with a lower-case currency → invalid_command", given: [], when: { _tag: "Open", owner: "u_ada", currency: "eur" }, then: { reason: "invalid_command" } },
  { name: "Open with an owner containing a slash → invalid_command", given: [], when: { _tag: "Open", owner: "u/ada", currency: "EUR" }, then: { reason: "invalid_command" } },
  // Get
  { name: "Get an open cart", given: [opened, added(1, 2)], when: { _tag: "Get" }, then: [], reply: { cart: { lines: [item(1, 2)] }, dropped: [] } },
  { name: "Get a cart never opened → not_found", given: [], when: { _tag: "Get" }, then: { reason: "not_found" } },
  { name: "An unknown command → invalid_command", given: [opened], when: { _tag: "Checkout" }, then: { reason: "invalid_command" } },
  // AddItem
  { name: "AddItem a new SKU", given: [opened], when: add(1, 2), then: [added(1, 2)], reply: { cart: { lines: [item(1, 2)] } } },
  { name: "AddItem a SKU already in the cart adds to its quantity", given: [opened, added(1, 2)], when: add(1, 3), then: [added(1, 3)], reply: { cart: { lines: [item(1, 5)] } } },
  {
    name: "AddItem again refreshes the price snapshot to the one just seen",
    given: [opened, added(1, 2, 1000)],
    when: add(1, 1, 1200),
    then: [added(1, 1, 1200)],
    reply: { cart: { lines: [item(1, 3, 1200)] } }
  },
  { name: "AddItem keeps lines in the order first added", given: [opened, added(2), added(1)], when: add(2), then: [added(2)], reply: { cart: { lines: [item(2, 2), item(1)] } } },
  { name: "AddItem up to exactly 100 units", given: [opened, added(1, 60)], when: add(1, 40), then: [added(1, 40)], reply: { cart: { lines: [item(1, 100)] } } },
  { name: "AddItem past 100 units → quantity_limit", given: [opened, added(1, 60)], when: add(1, 41), then: { reason: "quantity_limit", sku_id: sku(1), quantity: 60, limit: 100 } },
  { name: "AddItem quantity 0 → invalid_command", given: [opened], when: add(1, 0), then: { reason: "invalid_command" } },
  { name: "AddItem quantity 101 → invalid_command", given: [opened], when: add(1, 101), then: { reason: "invalid_command" } },
  { name: "AddItem quantity 1.5 → invalid_command", given: [opened], when: add(1, 1.5), then: { reason: "invalid_command" } },
  { name: "AddItem a negative price → invalid_command", given: [opened], when: add(1, 1, -1), then: { reason: "invalid_command" } },
  { name: "AddItem a fractional price → invalid_command", given: [opened], when: add(1, 1, 9.99), then: { reason: "invalid_command" } },
  { name: "AddItem with a blank title → invalid_command", given: [opened], when: { ...add(1), title: "  " }, then: { reason: "invalid_command" } },
  { name: "AddItem a price of 0 (a free item)", given: [opened], when: add(1, 1, 0), then: [added(1, 1, 0)] },
  { name: "AddItem in another currency → currency_mismatch", given: [opened], when: { ...add(1), currency: "USD" }, then: { reason: "currency_mismatch", currency: "EUR" } },
  // AddItem with `open`: Open and AddItem in one decision
  { name: "AddItem with open on a new cart → Opened and ItemAdded", given: [], when: { ...add(1, 2), open: { owner: "u_ada", currency: "EUR" } }, then: [opened, added(1, 2)], reply: { cart: { status: "open", owner: "u_ada", lines: [item(1, 2)] } } },
  { name: "AddItem with open on an open cart of the same owner → only ItemAdded", given: [opened, added(1)], when: { ...add(1), open: { owner: "u_ada", currency: "EUR" } }, then: [added(1)], reply: { cart: { lines: [item(1, 2)] } } },
  { name: "AddItem with open on another owner's cart → owner_mismatch", given: [opened], when: { ...add(1), open: { owner: "u_eve", currency: "EUR" } }, then: { reason: "owner_mismatch" } },
  { name: "AddItem with open on a cart opened in another currency adds as the cart is", given: [opened], when: { ...add(1), open: { owner: "u_ada", currency: "USD" } }, then: [added(1)] },
  { name: "AddItem with open, the add refused → nothing (not even Opened)", given: [], when: { ...add(1), currency: "USD", open: { owner: "u_ada", currency: "EUR" } }, then: { reason: "currency_mismatch", currency: "EUR" } },
  { name: "AddItem with open and a malformed owner → invalid_command", given: [], when: { ...add(1), open: { owner: "u/ada", currency: "EUR" } }, then: { reason: "invalid_command" } },
  { name: "AddItem a 100th line", given: fullCart.slice(0, cartLimits.maxLines), when: add(500), then: [added(500)] },
  { name: "AddItem a 101st line → cart_limit", given: fullCart, when: add(500), then: { reason: "cart_limit", limit: 100 } },
  { name: "AddItem to an existing line of a full cart", given: fullCart, when: add(7), then: [added(7)] },
  { name: "AddItem before Open → not_found", given: [], when: add(1), then: { reason: "not_found" } },
  // SetQuantity
  { name: "SetQuantity", given: [opened, added(1, 2)], when: { _tag: "SetQuantity", sku_id: sku(1), quantity: 7 }, then: [{ _tag: "QuantitySet", sku_id: sku(1), quantity: 7 }], reply: { cart: { lines: [item(1, 7)] } } },
  { name: "SetQuantity to 100", given: [opened, added(1, 2)], when: { _tag: "SetQuantity", sku_id: sku(1), quantity: 100 }, then: [{ _tag: "QuantitySet", sku_id: sku(1), quantity: 100 }] },
  { name: "SetQuantity to the same quantity → no events", given: [opened, added(1, 2)], when: { _tag: "SetQuantity", sku_id: sku(1), quantity: 2 }, then: [] },
  { name: "SetQuantity 0 removes the line", given: [opened, added(1, 2), added(2)], when: { _tag: "SetQuantity", sku_id: sku(1), quantity: 0 }, then: [{ _tag: "ItemRemoved", sku_id: sku(1) }], reply: { cart: { lines: [item(2)] } } },
  { name: "SetQuantity 0 for a SKU not in the cart → no events", given: [opened], when: { _tag: "SetQuantity", sku_id: sku(1), quantity: 0 }, then: [] },
  { name: "SetQuantity for a SKU not in the cart → not_in_cart", given: [opened], when: { _tag: "SetQuantity", sku_id: sku(1), quantity: 3 }, then: { reason: "not_in_cart", sku_id: sku(1) } },
  { name: "SetQuantity 101 → invalid_command", given: [opened, added(1)], when: { _tag: "SetQuantity", sku_id: sku(1), quantity: 101 }, then: { reason: "invalid_command" } },
  { name: "SetQuantity -1 → invalid_command", given: [opened, added(1)], when: { _tag: "SetQuantity", sku_id: sku(1), quantity: -1 }, then: { reason: "invalid_command" } },
  { name: "SetQuantity before Open → not_found", given: [], when: { _tag: "SetQuantity", sku_id: sku(1), quantity: 1 }, then: { reason: "not_found" } },
  // RemoveItem
  { name: "RemoveItem", given: [opened, added(1), added(2)], when: { _tag: "RemoveItem", sku_id: sku(1) }, then: [{ _tag: "ItemRemoved", sku_id: sku(1) }], reply: { cart: { lines: [item(2)] } } },
  { name: "RemoveItem not in the cart → no events", given: [opened, added(2)], when: { _tag: "RemoveItem", sku_id: sku(1) }, then: [] },
  { name: "RemoveItem with a malformed sku_id → invalid_command", given: [opened], when: { _tag: "RemoveItem", sku_id: "nope" }, then: { reason: "invalid_command" } },
  { name: "RemoveItem before Open → not_found", given: [], when: { _tag: "RemoveItem", sku_id: sku(1) }, then: { reason: "not_found" } },
  // Merge
  {
    name: "Merge adds quantities to existing lines (keeping their snapshot) and appends new lines",
    given: [opened, added(1, 2, 1000)],
    when: { _tag: "Merge", from_cart_id: otherCid, from_lines: [mergeLine(1, 3), mergeLine(2, 4)] },
    then: [{ _tag: "Merged", from_cart_id: otherCid, added: [item(1, 3, 1000), item(2, 4, 900)], dropped: [] }],
    reply: { cart: { lines: [item(1, 5, 1000), item(2, 4, 900)] }, dropped: [] }
  },
  {
    name: "Merge caps a line at 100 and reports the rest as dropped",
    given: [opened, added(1, 90)],
    when: { _tag: "Merge", from_cart_id: otherCid, from_lines: [mergeLine(1, 15)] },
    then: [{ _tag: "Merged", from_cart_id: otherCid, added: [item(1, 10)], dropped: [{ sku_id: sku(1), quantity: 5, reason: "quantity_limit" }] }],
    reply: { cart: { lines: [item(1, 100)] }, dropped: [{ sku_id: sku(1), quantity: 5, reason: "quantity_limit" }] }
  },
  {
    name: "Merge into a line already at 100 drops everything for it",
    given: [opened, added(1, 100)],
    when: { _tag: "Merge", from_cart_id: otherCid, from_lines: [mergeLine(1, 3)] },
    then: [{ _tag: "Merged", from_cart_id: otherCid, added: [], dropped: [{ sku_id: sku(1), quantity: 3, reason: "quantity_limit" }] }]
  },
  {
    name: "Merge into a full cart drops new lines (cart_limit) but still adds to existing ones",
    given: fullCart,
    when: { _tag: "Merge", from_cart_id: otherCid, from_lines: [mergeLine(500, 2), mergeLine(3, 2)] },
    then: [{ _tag: "Merged", from_cart_id: otherCid, added: [item(3, 2)], dropped: [{ sku_id: sku(500), quantity: 2, reason: "cart_limit" }] }]
  },
  {
    name: "Merge fills the free lines in the order given, then drops",
    given: fullCart.slice(0, cartLimits.maxLines),
    when: { _tag: "Merge", from_cart_id: otherCid, from_lines: [mergeLine(500), mergeLine(501)] },
    then: [{ _tag: "Merged", from_cart_id: otherCid, added: [item(500, 1, 900)], dropped: [{ sku_id: sku(501), quantity: 1, reason: "cart_limit" }] }]
  },
  {
    name: "Merge drops lines in another currency",
    given: [opened],
    when: { _tag: "Merge", from_cart_id: otherCid, from_lines: [mergeLine(1, 2, 900, "USD")] },
    then: [{ _tag: "Merged", from_cart_id: otherCid, added: [], dropped: [{ sku_id: sku(1), quantity: 2, reason: "currency_mismatch" }] }]
  },
  { name: "Merge of an empty cart records the merge", given: [opened], when: { _tag: "Merge", from_cart_id: otherCid, from_lines: [] }, then: [{ _tag: "Merged", from_cart_id: otherCid, added: [], dropped: [] }] },
  {
    name: "Merge again from the same cart → no events, the first outcome replied",
    given: [opened, added(1, 90), { _tag: "Merged", from_cart_id: otherCid, added: [item(1, 10)], dropped: [{ sku_id: sku(1), quantity: 5, reason: "quantity_limit" }] }],
    when: { _tag: "Merge", from_cart_id: otherCid, from_lines: [mergeLine(1, 15)] },
    then: [],
    reply: { cart: { lines: [item(1, 100)] }, dropped: [{ sku_id: sku(1), quantity: 5, reason: "quantity_limit" }] }
  },
  { name: "Merge a cart into itself → invalid_command", given: [opened], when: { _tag: "Merge", from_cart_id: cid, from_lines: [] }, then: { reason: "invalid_command" } },
  { name: "Merge with duplicate SKUs → invalid_command", given: [opened], when: { _tag: "Merge", from_cart_id: otherCid, from_lines: [mergeLine(1), mergeLine(1)] }, then: { reason: "invalid_command" } },
  {
    name: "Merge with 101 lines → invalid_command",
    given: [opened],
    when: { _tag: "Merge", from_cart_id: otherCid, from_lines: Array.from({ length: 101 }, (_, i) => mergeLine(i)) },
    then: { reason: "invalid_command" }
  },
  { name: "Merge a line of quantity 0 → invalid_command", given: [opened], when: { _tag: "Merge", from_cart_id: otherCid, from_lines: [mergeLine(1, 0)] }, then: { reason: "invalid_command" } },
  { name: "Merge before Open → not_found", given: [], when: { _tag: "Merge", from_cart_id: otherCid, from_lines: [] }, then: { reason: "not_found" } },
  // Clear
  { name: "Clear empties the cart, same cart_id", given: [opened, added(1), added(2)], when: { _tag: "Clear", order_id: "ord_1" }, then: [{ _tag: "Cleared", order_id: "ord_1" }], reply: { cart: { cart_id: cid, lines: [], cleared_order_ids: ["ord_1"] } } },
  { name: "Clear again for the same order → no events (items added since stay)", given: [opened, added(1), { _tag: "Cleared", order_id: "ord_1" }, added(3)], when: { _tag: "Clear", order_id: "ord_1" }, then: [], reply: { cart: { lines: [item(3)] } } },
  { name: "Clear for another order empties again", given: [opened, added(1), { _tag: "Cleared", order_id: "ord_1" }, added(3)], when: { _tag: "Clear", order_id: "ord_2" }, then: [{ _tag: "Cleared", order_id: "ord_2" }], reply: { cart: { lines: [] } } },
  { name: "Clear with a malformed order id → invalid_command", given: [opened], when: { _tag: "Clear", order_id: "" }, then: { reason: "invalid_command" } },
  { name: "Clear before Open → not_found", given: [], when: { _tag: "Clear", order_id: "ord_1" }, then: { reason: "not_found" } }
]

describe("cart decider", () => {
  for (const row of rows) it(row.name, () => void runRow(cart, row, cid))

  it("Open on an id that is not a cart id is a defect", () => {
    expect(() => cart.decide(cart.initialState("u_ada"), { _tag: "Open", owner: "u_ada", currency: "EUR" }, 0)).toThrow(/not a cart id/)
  })

  it("remembers only the last 20 cleared orders and the last 10 merges", () => {
    let state: CartState = cart.evolve(cart.initialState(cid), opened)
    for (let i = 0; i < 30; i++) state = cart.evolve(state, { _tag: "Cleared", order_id: `ord_${i}` })
    for (let i = 0; i < 15; i++) state = cart.evolve(state, { _tag: "Merged", from_cart_id: `cart_${String(i).padStart(16, "0")}`, added: [], dropped: [] })
    if (state.status !== "open") throw new Error("not open")
    expect(state.cleared_order_ids).toEqual(Array.from({ length: 20 }, (_, i) => `ord_${i + 10}`))
    expect(state.merges.map((m) => m.from_cart_id)).toEqual(Array.from({ length: 10 }, (_, i) => `cart_${String(i + 5).padStart(16, "0")}`))
    const replay = cart.decide(state, { _tag: "Clear", order_id: "ord_5" }, 0)
    expect(replay._tag === "Accept" && replay.events).toEqual([{ _tag: "Cleared", order_id: "ord_5" }])
  })

  it("evolve refuses events that break the invariants", () => {
    const open = cart.evolve(cart.initialState(cid), opened)
    expect(() => cart.evolve(open, opened)).toThrow(/Opened twice/)
    expect(() => cart.evolve(cart.initialState(cid), added(1))).toThrow(/before Opened/)
    expect(() => cart.evolve(cart.evolve(open, added(1, 60)), added(1, 41))).toThrow(/quantity 101/)
    expect(() => cart.evolve(open, { _tag: "QuantitySet", sku_id: sku(1), quantity: 2 })).toThrow(/not in the cart/)
    const full = fullCart.reduce((s: CartState, e) => cart.evolve(s, e as never), cart.initialState(cid))
    expect(() => cart.evolve(full, added(500))).toThrow(/101 lines/)
  })

  it("a reply is the cart the events lead to", () => {
    const d = cart.decide(cart.evolve(cart.initialState(cid), opened), add(1, 2) as never, 0)
    expect(d._tag).toBe("Accept")
    expect((d as { reply: CartReply }).reply.cart.lines).toEqual([item(1, 2)])
  })
})
