import fc from "fast-check"
import { ParseResult } from "effect"
import { describe, expect, it } from "vitest"
import { surelyValidCommand } from "./command-check.ts"
import { SkuCommand, skuLimits } from "./sku-schema.ts"

/** The quick check never vouches for a command the Schema refuses, and vouches for the commands the gateway builds. */

const schemaAccepts = (u: unknown) => ParseResult.validateEither(SkuCommand, { onExcessProperty: "ignore" })(u)._tag === "Right"

const id = fc.oneof(fc.constantFrom("res_abc", "u_1", "a", "x".repeat(128), "x".repeat(129), "", "r|1", "r 1", "ü"), fc.string({ maxLength: 6 }))
const number = fc.oneof(
  fc.constantFrom(0, 1, -1, 1.5, skuLimits.maxReserveQuantity, skuLimits.maxReserveQuantity + 1, 8.64e15, 8.64e15 + 2, NaN, Infinity, 1_700_000_000_000),
  fc.integer(),
  fc.double()
)
const anything = fc.oneof(id, number, fc.constant(undefined), fc.constant(null), fc.boolean(), fc.constantFrom("partial", "all_or_nothing", "wh_main", "wh main"))
const tags = fc.constantFrom("Reserve", "Confirm", "Release", "Extend", "Expire", "Get", "GetReservation", "Receive", "Teleport")
/** Mostly plausible values (so that whole commands often look valid), sometimes anything at all. */
const field = (plausible: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: plausible }, { weight: 1, arbitrary: anything })
const command = fc.record(
  {
    _tag: tags,
    reservation_id: field(id),
    quantity: field(fc.integer({ min: -1, max: skuLimits.maxReserveQuantity + 1 })),
    expires_at_ms: field(fc.integer({ min: -1, max: 2 ** 53 - 1 })),
    owner: field(id),
    mode: field(fc.constantFrom(undefined, "partial", "all_or_nothing", "other")),
    warehouse_id: field(fc.constantFrom(undefined, "wh_main", "wh.main", "w".repeat(64), "w".repeat(65))),
    extra: anything
  },
  { requiredKeys: ["_tag"] }
)

describe("surelyValidCommand", () => {
  it("vouches only for commands the SkuCommand schema accepts", () => {
    const vouched = new Map<string, number>()
    fc.assert(
      fc.property(command, (c) => {
        if (!surelyValidCommand(c)) return
        expect(schemaAccepts(c)).toBe(true)
        vouched.set(c._tag, (vouched.get(c._tag) ?? 0) + 1)
      }),
      { numRuns: 20_000 }
    )
    // Not vacuous: well-formed Reserve, Confirm and Extend commands came up.
    for (const tag of ["Reserve", "Confirm", "Extend"]) expect(vouched.get(tag) ?? 0).toBeGreaterThan(0)
  })

  it("vouches for the hot commands as the gateway and the timer build them", () => {
    const hot = [
      { _tag: "Reserve", reservation_id: "res_0123456789abcdefghijkl", quantity: 1, expires_at_ms: 1_700_000_600_000, owner: "u_0123456789abcdefghijkl" },
      { _tag: "Reserve", reservation_id: "r1", quantity: 3, expires_at_ms: 5, owner: "u_1", mode: "partial", warehouse_id: "wh_main" },
      { _tag: "Confirm", reservation_id: "r1" },
      { _tag: "Release", reservation_id: "r1" },
      { _tag: "Extend", reservation_id: "r1", expires_at_ms: 10 },
      { _tag: "Expire" },
      { _tag: "Get" },
      { _tag: "GetReservation", reservation_id: "r1" }
    ]
    for (const c of hot) {
      expect(surelyValidCommand(c)).toBe(true)
      expect(schemaAccepts(c)).toBe(true)
    }
    expect(surelyValidCommand({ _tag: "Reserve", reservation_id: "r1", quantity: 0, expires_at_ms: 5, owner: "u_1" })).toBe(false)
    expect(surelyValidCommand(null)).toBe(false)
  })
})
