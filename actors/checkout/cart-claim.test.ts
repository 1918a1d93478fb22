import { describe, it } from "vitest"
import { runRow } from "../../test/support/decider-table.ts"
import { cartClaim } from "./cart-claim.ts"

const a = "co_AAAAAAAAAAAAAAAAAAAAAA"
const b = "co_BBBBBBBBBBBBBBBBBBBBBB"
const claimed = (id: string, at_ms = 0) => ({ _tag: "Claimed", checkout_id: id, at_ms })
const cart = "cart_AAAAAAAAAAAAAAAAAAAAAA"

describe("cart-claim: one checkout per cart at a time", () => {
  const row = (name: string, given: ReadonlyArray<unknown>, when: unknown, then: ReadonlyArray<unknown> | { reason: string; [field: string]: unknown }, nowMs = 5) =>
    it(name, () => {
      runRow(cartClaim, { name, given, when, then, nowMs, id: cart })
    })
  row("a free cart is claimed", [], { _tag: "Claim", checkout_id: a, replacing: null }, [claimed(a, 5)])
  row("the holder claims again: nothing changes", [claimed(a)], { _tag: "Claim", checkout_id: a, replacing: null }, [])
  row("another checkout is refused with the holder", [claimed(a)], { _tag: "Claim", checkout_id: b, replacing: null }, { reason: "cart_busy", checkout_id: a })
  row("another checkout replaces the holder it names", [claimed(a)], { _tag: "Claim", checkout_id: b, replacing: a }, [claimed(b, 5)])
  row("naming a holder that is not the holder is refused", [claimed(a)], { _tag: "Claim", checkout_id: b, replacing: b }, { reason: "cart_busy" })
  row("the holder lets go", [claimed(a)], { _tag: "Release", checkout_id: a }, [{ _tag: "Released", checkout_id: a }])
  row("a release by another changes nothing", [claimed(a)], { _tag: "Release", checkout_id: b }, [])
  row("a released cart is claimed by the next", [claimed(a), { _tag: "Released", checkout_id: a }], { _tag: "Claim", checkout_id: b, replacing: null }, [claimed(b, 5)])
  row("a malformed id is invalid_command", [], { _tag: "Claim", checkout_id: "x", replacing: null }, { reason: "invalid_command" })
})
