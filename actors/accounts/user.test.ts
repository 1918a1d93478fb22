import { describe, expect, it } from "vitest"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { Address, iso3166Alpha2, PaymentMethod } from "./fields.ts"
import { Schema } from "effect"
import { user, userLimits } from "./user.ts"

const uid = "u_AAAAAAAAAAAAAAAAAAAAAA"
const registration = {
  email: "ada@example.com",
  name: "Ada Lovelace",
  password_hash: "scrypt$17$8$1$c2FsdA$aGFzaA",
  roles: ["customer"],
  created_at: "2025-01-31T12:00:00.000Z"
} as const
const registered = { _tag: "Registered", ...registration } as const
const address = (n: number) => ({
  address_id: `addr_${String(n).padStart(16, "0")}`,
  name: "Ada",
  line1: "1 Analytical Engine St",
  city: "London",
  region: "Greater London",
  postal_code: "N1 9GU",
  country: "GB"
})
const card = (n: number) => ({ payment_method_id: `pm_${String(n).padStart(16, "0")}`, type: "card", token: `tok_${n}abc`, last4: "4242", brand: "visa" })

const rows: ReadonlyArray<DeciderRow> = [
  // Register
  { name: "Register a new user", given: [], when: { _tag: "Register", ...registration }, then: [registered] },
  {
    name: "Register stores roles as a set in canonical order",
    given: [],
    when: { _tag: "Register", ...registration, roles: ["admin", "customer"] },
    then: [{ ...registered, roles: ["customer", "admin"] }]
  },
  {
    name: "Register again with the same data (created_at restamped) → no events",
    given: [registered],
    when: { _tag: "Register", ...registration, created_at: "2025-02-01T00:00:00Z" },
    then: [],
    reply: { status: "active", user_id: uid, email: "ada@example.com", created_at: registration.created_at }
  },
  { name: "Register again with another hash → already_registered", given: [registered], when: { _tag: "Register", ...registration, password_hash: "scrypt$17$8$1$b3RoZXI$aGFzaA" }, then: { reason: "already_registered" } },
  { name: "Register again with another email → already_registered", given: [registered], when: { _tag: "Register", ...registration, email: "eve@example.com" }, then: { reason: "already_registered" } },
  { name: "Register again with other roles → already_registered", given: [registered], when: { _tag: "Register", ...registration, roles: ["seller"] }, then: { reason: "already_registered" } },
  // Get
  { name: "Get a registered user replies the whole state", given: [registered], when: { _tag: "Get" }, then: [], reply: { ...registration, status: "active", addresses: [], payment_methods: [] } },
  { name: "Get a user never registered → not_found", given: [], when: { _tag: "Get" }, then: { reason: "not_found" } },
  // AddAddress
  { name: "AddAddress", given: [registered], when: { _tag: "AddAddress", address: address(1) }, then: [{ _tag: "AddressAdded", address: address(1) }], reply: { addresses: [address(1)] } },
  {
    name: "AddAddress with line2",
    given: [registered],
    when: { _tag: "AddAddress", address: { ...address(1), line2: "Flat 2" } },
    then: [{ _tag: "AddressAdded", address: { ...address(1), line2: "Flat 2" } }]
  },
  { name: "AddAddress again, same content → no events", given: [registered, { _tag: "AddressAdded", address: address(1) }], when: { _tag: "AddAddress", address: address(1) }, then: [] },
  {
    name: "AddAddress again, same id, other content → address_id_reused",
    given: [registered, { _tag: "AddressAdded", address: address(1) }],
    when: { _tag: "AddAddress", address: { ...address(1), city: "Paris" } },
    then: { reason: "address_id_reused", id: address(1).address_id }
  },
  {
    name: "AddAddress beyond the limit → address_limit",
    given: [registered, ...Array.from({ length: userLimits.maxAddresses }, (_, i) => ({ _tag: "AddressAdded", address: address(i) }))],
    when: { _tag: "AddAddress", address: address(99) },
    then: { reason: "address_limit", limit: 20 }
  },
  {
    name: "AddAddress at the limit, replaying an existing one → no events",
    given: [registered, ...Array.from({ length: userLimits.maxAddresses }, (_, i) => ({ _tag: "AddressAdded", address: address(i) }))],
    when: { _tag: "AddAddress", address: address(3) },
    then: []
  },
  { name: "AddAddress before Register → not_found", given: [], when: { _tag: "AddAddress", address: address(1) }, then: { reason: "not_found" } },
  // AddPaymentMethod
  { name: "AddPaymentMethod card", given: [registered], when: { _tag: "AddPaymentMethod", method: card(1) }, then: [{ _tag: "PaymentMethodAdded", method: card(1) }] },
  {
    name: "AddPaymentMethod cod, wallet, upi",
    given: [registered],
    when: { _tag: "AddPaymentMethod", method: { payment_method_id: "pm_0000000000000009", type: "upi", vpa: "ada@okbank" } },
    then: [{ _tag: "PaymentMethodAdded", method: { payment_method_id: "pm_0000000000000009", type: "upi", vpa: "ada@okbank" } }]
  },
  { name: "AddPaymentMethod again, same content → no events", given: [registered, { _tag: "PaymentMethodAdded", method: card(1) }], when: { _tag: "AddPaymentMethod", method: card(1) }, then: [] },
  {
    name: "AddPaymentMethod again, same id, other content → payment_method_id_reused",
    given: [registered, { _tag: "PaymentMethodAdded", method: card(1) }],
    when: { _tag: "AddPaymentMethod", method: { ...card(1), last4: "0002" } },
    then: { reason: "payment_method_id_reused" }
  },
  {
    name: "AddPaymentMethod beyond the limit → payment_method_limit",
    given: [registered, ...Array.from({ length: userLimits.maxPaymentMethods }, (_, i) => ({ _tag: "PaymentMethodAdded", method: card(i) }))],
    when: { _tag: "AddPaymentMethod", method: { payment_method_id: "pm_cod0000000000000", type: "cod" } },
    then: { reason: "payment_method_limit", limit: 20 }
  },
  { name: "AddPaymentMethod before Register → not_found", given: [], when: { _tag: "AddPaymentMethod", method: card(1) }, then: { reason: "not_found" } },
  // GrantRole
  { name: "GrantRole seller", given: [registered], when: { _tag: "GrantRole", role: "seller" }, then: [{ _tag: "RoleGranted", role: "seller" }], reply: { roles: ["customer", "seller"] } },
  {
    name: "GrantRole keeps canonical order",
    given: [registered, { _tag: "RoleGranted", role: "admin" }],
    when: { _tag: "GrantRole", role: "seller" },
    then: [{ _tag: "RoleGranted", role: "seller" }],
    reply: { roles: ["customer", "seller", "admin"] }
  },
  { name: "GrantRole already held → no events", given: [registered], when: { _tag: "GrantRole", role: "customer" }, then: [] },
  { name: "GrantRole before Register → not_found", given: [], when: { _tag: "GrantRole", role: "admin" }, then: { reason: "not_found" } }
]

describe("user decider", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_, row) => {
    runRow(user, row, uid)
  })

  it("the user id comes from the actor id, which must be a user id", () => {
    const d = runRow(user, { name: "", given: [], when: { _tag: "Register", ...registration }, then: [registered] }, uid)
    expect(d._tag === "Accept" && d.reply.user_id).toBe(uid)
    expect(() => user.decide(user.initialState("bob"), { _tag: "Register", ...registration }, 0)).toThrow(/not a user id/)
  })

  it("a malformed command is a defect, never an event", () => {
    const state = user.initialState(uid)
    expect(() => user.decide(state, { _tag: "Register", ...registration, email: "Ada@Example.com" }, 0)).toThrow(/invalid user command/)
    expect(() => user.decide(state, { _tag: "Register", ...registration, name: "x".repeat(101) }, 0)).toThrow(/invalid user command/)
    expect(() => user.decide(state, { _tag: "Register", ...registration, roles: [] }, 0)).toThrow(/invalid user command/)
  })

  it("evolve refuses events that break the state's invariants", () => {
    const s = user.evolve(user.initialState(uid), registered)
    expect(() => user.evolve(s, registered)).toThrow(/Registered twice/)
    const withOne = user.evolve(s, { _tag: "AddressAdded", address: address(1) })
    expect(() => user.evolve(withOne, { _tag: "AddressAdded", address: address(1) })).toThrow(/duplicate address_id/)
    expect(() => user.evolve(user.initialState(uid), { _tag: "RoleGranted", role: "admin" })).toThrow(/before Registered/)
  })
})

describe("account field schemas", () => {
  const decodes = <A, I>(schema: Schema.Schema<A, I>, value: unknown) => Schema.decodeUnknownEither(schema)(value)._tag === "Right"

  it("addresses: ISO 3166-1 alpha-2 countries, bounded printable text", () => {
    expect(iso3166Alpha2.size).toBe(249)
    expect(decodes(Address, address(1))).toBe(true)
    expect(decodes(Address, { ...address(1), country: "gb" })).toBe(false)
    expect(decodes(Address, { ...address(1), country: "XX" })).toBe(false)
    expect(decodes(Address, { ...address(1), line1: "x".repeat(201) })).toBe(false)
    expect(decodes(Address, { ...address(1), city: "   " })).toBe(false)
    expect(decodes(Address, { ...address(1), name: "Ada\u0000" })).toBe(false)
    expect(decodes(Address, { ...address(1), address_id: "addr_short" })).toBe(false)
  })

  it("payment methods hold provider tokens, never card numbers", () => {
    expect(decodes(PaymentMethod, card(1))).toBe(true)
    expect(decodes(PaymentMethod, { payment_method_id: "pm_0000000000000001", type: "cod" })).toBe(true)
    expect(decodes(PaymentMethod, { payment_method_id: "pm_0000000000000001", type: "wallet" })).toBe(true)
    expect(decodes(PaymentMethod, { ...card(1), token: "4242424242424242" })).toBe(false)
    expect(decodes(PaymentMethod, { ...card(1), token: "tok_4242424242424242" })).toBe(false)
    expect(decodes(PaymentMethod, { ...card(1), last4: "42" })).toBe(false)
    expect(decodes(PaymentMethod, { payment_method_id: "pm_0000000000000001", type: "upi", vpa: "not a vpa" })).toBe(false)
    expect(decodes(PaymentMethod, { payment_method_id: "pm_0000000000000001", type: "card" })).toBe(false)
  })
})
