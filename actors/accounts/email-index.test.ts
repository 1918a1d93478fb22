import { describe, expect, it } from "vitest"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { emailIndex, normalizeEmail } from "./email-index.ts"

const ada = "u_AAAAAAAAAAAAAAAAAAAAAA"
const eve = "u_EEEEEEEEEEEEEEEEEEEEEE"

const rows: ReadonlyArray<DeciderRow> = [
  { name: "Claim a free email", given: [], when: { _tag: "Claim", user_id: ada }, then: [{ _tag: "Claimed", user_id: ada }], reply: { user_id: ada } },
  { name: "Claim again by the same user → no events", given: [{ _tag: "Claimed", user_id: ada }], when: { _tag: "Claim", user_id: ada }, then: [], reply: { user_id: ada } },
  { name: "Claim by another user → email_taken", given: [{ _tag: "Claimed", user_id: ada }], when: { _tag: "Claim", user_id: eve }, then: { reason: "email_taken" } },
  { name: "Lookup a free email", given: [], when: { _tag: "Lookup" }, then: [], reply: { user_id: null } },
  { name: "Lookup a claimed email", given: [{ _tag: "Claimed", user_id: ada }], when: { _tag: "Lookup" }, then: [], reply: { user_id: ada } }
]

describe("email index decider", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_, row) => {
    runRow(emailIndex, row, "ada@example.com")
  })

  it("the rejection does not reveal the owner", () => {
    const d = runRow(emailIndex, rows[2]!, "ada@example.com")
    expect(JSON.stringify(d)).not.toContain(ada)
  })

  it("evolve refuses a second owner", () => {
    const owned = emailIndex.evolve(emailIndex.initialState("x"), { _tag: "Claimed", user_id: ada })
    expect(() => emailIndex.evolve(owned, { _tag: "Claimed", user_id: eve })).toThrow(/already owned/)
  })

  it("a malformed user id is a defect", () => {
    expect(() => emailIndex.decide(emailIndex.initialState("x"), { _tag: "Claim", user_id: "bob" }, 0)).toThrow(/invalid email command/)
  })

  it("normalizeEmail trims, lowercases and composes Unicode", () => {
    expect(normalizeEmail("  Ada.Lovelace@Example.COM \n")).toBe("ada.lovelace@example.com")
    expect(normalizeEmail("Jose\u0301@example.com")).toBe("jos\u00e9@example.com")
  })
})
