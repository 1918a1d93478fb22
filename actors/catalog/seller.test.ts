import { describe, expect, it } from "vitest"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { seller } from "./seller.ts"

const sid = "s_AAAAAAAAAAAAAAAA"
const uid = "u_AAAAAAAAAAAAAAAAAAAAAA"
const admin = "u_ADMINADMINADMINADMIN0"
const registration = { user_id: uid, display_name: "Ada's Engines", legal_name: "Ada Engines Pvt Ltd", country: "IN", registered_at: "2025-01-31T12:00:00.000Z" }
const registered = { _tag: "SellerRegistered", ...registration } as const
const approved = { _tag: "SellerApproved", by_admin: admin, at: "2025-02-01T00:00:00.000Z" } as const
const suspended = { _tag: "SellerSuspended", by_admin: admin, at: "2025-02-02T00:00:00.000Z" } as const
const view = { seller_id: sid, user_id: uid, display_name: "Ada's Engines", legal_name: "Ada Engines Pvt Ltd", country: "IN" }

const rows: ReadonlyArray<DeciderRow> = [
  // Register
  { name: "Register → pending_review", given: [], when: { _tag: "Register", ...registration }, then: [registered], reply: { ...view, status: "pending_review" } },
  {
    name: "Register without legal_name and country",
    given: [],
    when: { _tag: "Register", user_id: uid, display_name: "Ada", registered_at: registration.registered_at },
    then: [{ _tag: "SellerRegistered", user_id: uid, display_name: "Ada", registered_at: registration.registered_at }],
    reply: { seller_id: sid, status: "pending_review" }
  },
  {
    name: "Register extra fields do not reach the journal",
    given: [],
    when: { _tag: "Register", ...registration, role: "admin" },
    then: [registered]
  },
  {
    name: "Register again, same data, restamped → no events",
    given: [registered],
    when: { _tag: "Register", ...registration, registered_at: "2025-03-01T00:00:00Z" },
    then: [],
    reply: { ...view, status: "pending_review" }
  },
  { name: "Register again after approval, same data → no events, approved", given: [registered, approved], when: { _tag: "Register", ...registration }, then: [], reply: { status: "approved" } },
  {
    name: "Register by another user → already_registered",
    given: [registered],
    when: { _tag: "Register", ...registration, user_id: "u_BBBBBBBBBBBBBBBBBBBBBB" },
    then: { reason: "already_registered", seller: { ...view, status: "pending_review" } }
  },
  { name: "Register again with another display_name → already_registered", given: [registered], when: { _tag: "Register", ...registration, display_name: "Eve" }, then: { reason: "already_registered" } },
  {
    name: "Register again without the legal_name → already_registered",
    given: [registered],
    when: { _tag: "Register", user_id: uid, display_name: registration.display_name, country: "IN", registered_at: registration.registered_at },
    then: { reason: "already_registered" }
  },
  // Approve
  { name: "Approve a pending seller", given: [registered], when: { _tag: "Approve", by_admin: admin, at: approved.at }, then: [approved], reply: { ...view, status: "approved" } },
  { name: "Approve again → no events", given: [registered, approved], when: { _tag: "Approve", by_admin: admin, at: "2025-05-05T00:00:00Z" }, then: [], reply: { status: "approved" } },
  { name: "Approve a suspended seller reinstates it", given: [registered, approved, suspended], when: { _tag: "Approve", by_admin: admin, at: approved.at }, then: [approved], reply: { status: "approved" } },
  { name: "Approve an unknown seller → not_found", given: [], when: { _tag: "Approve", by_admin: admin, at: approved.at }, then: { reason: "not_found" } },
  // Suspend
  { name: "Suspend an approved seller", given: [registered, approved], when: { _tag: "Suspend", by_admin: admin, at: suspended.at }, then: [suspended], reply: { status: "suspended" } },
  { name: "Suspend a pending seller", given: [registered], when: { _tag: "Suspend", by_admin: admin, at: suspended.at }, then: [suspended], reply: { status: "suspended" } },
  { name: "Suspend again → no events", given: [registered, suspended], when: { _tag: "Suspend", by_admin: admin, at: suspended.at }, then: [], reply: { status: "suspended" } },
  { name: "Suspend an unknown seller → not_found", given: [], when: { _tag: "Suspend", by_admin: admin, at: suspended.at }, then: { reason: "not_found" } },
  // Get
  { name: "Get replies the view", given: [registered, approved], when: { _tag: "Get" }, then: [], reply: { ...view, status: "approved" } },
  { name: "Get an unknown seller → not_found", given: [], when: { _tag: "Get" }, then: { reason: "not_found" } }
]

describe("seller decider", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_, row) => {
    runRow(seller, row, sid)
  })

  it("the reply is the view only (no registered_at, no operator)", () => {
    const decision = runRow(seller, { name: "", given: [registered, approved], when: { _tag: "Get" }, then: [] }, sid)
    expect(decision._tag === "Accept" && Object.keys(decision.reply).sort()).toEqual(["country", "display_name", "legal_name", "seller_id", "status", "user_id"])
  })

  it("malformed commands and impossible events are defects", () => {
    const fresh = seller.initialState(sid)
    expect(() => seller.decide(fresh, { _tag: "Register", ...registration, country: "in" }, 0)).toThrow(/invalid seller command/)
    expect(() => seller.decide(fresh, { _tag: "Register", ...registration, display_name: "x".repeat(101) }, 0)).toThrow(/invalid seller command/)
    expect(() => seller.decide(fresh, { _tag: "Register", ...registration, user_id: "ada" }, 0)).toThrow(/invalid seller command/)
    expect(() => seller.decide(seller.initialState("u_notaseller"), { _tag: "Register", ...registration }, 0)).toThrow(/not a seller id/)
    expect(() => seller.evolve(fresh, approved)).toThrow(/before SellerRegistered/)
    expect(() => seller.evolve(seller.evolve(fresh, registered), registered)).toThrow(/registered twice/)
    expect(() => seller.evolve(seller.evolve(seller.evolve(fresh, registered), approved), approved)).toThrow(/already approved/)
  })
})
