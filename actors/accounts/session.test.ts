import { describe, expect, it } from "vitest"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { session, sessionIsUsable } from "./session.ts"

const ada = "u_AAAAAAAAAAAAAAAAAAAAAA"
const eve = "u_EEEEEEEEEEEEEEEEEEEEEE"
const expiresAt = 1_000_000
const opened = { _tag: "Opened", user_id: ada, expires_at_ms: expiresAt } as const
const revoked = { _tag: "Revoked", at_ms: 500 } as const

const rows: ReadonlyArray<DeciderRow> = [
  // Open
  { name: "Open", given: [], when: { _tag: "Open", user_id: ada, expires_at_ms: expiresAt }, nowMs: 100, then: [opened], reply: { user_id: ada, expires_at_ms: expiresAt, revoked: false } },
  { name: "Open again with the same data → no events", given: [opened], when: { _tag: "Open", user_id: ada, expires_at_ms: expiresAt }, nowMs: 200, then: [] },
  { name: "Open again after Revoke → no events, still revoked", given: [opened, revoked], when: { _tag: "Open", user_id: ada, expires_at_ms: expiresAt }, then: [], reply: { revoked: true } },
  { name: "Open with another user → session_exists", given: [opened], when: { _tag: "Open", user_id: eve, expires_at_ms: expiresAt }, then: { reason: "session_exists" } },
  { name: "Open with another expiry → session_exists", given: [opened], when: { _tag: "Open", user_id: ada, expires_at_ms: expiresAt + 1 }, then: { reason: "session_exists" } },
  { name: "Open after Expired → a new session", given: [opened, { _tag: "Expired" }], when: { _tag: "Open", user_id: eve, expires_at_ms: 2 * expiresAt }, nowMs: expiresAt + 1, then: [{ _tag: "Opened", user_id: eve, expires_at_ms: 2 * expiresAt }] },
  // Revoke
  { name: "Revoke", given: [opened], when: { _tag: "Revoke", at_ms: 500 }, nowMs: 500, then: [revoked], reply: { revoked: true } },
  { name: "Revoke again → no events", given: [opened, revoked], when: { _tag: "Revoke", at_ms: 600 }, nowMs: 600, then: [], reply: { revoked: true } },
  { name: "Revoke without a session → not_found", given: [], when: { _tag: "Revoke", at_ms: 500 }, then: { reason: "not_found" } },
  { name: "Revoke an expired session → not_found", given: [opened], when: { _tag: "Revoke", at_ms: expiresAt }, nowMs: expiresAt, then: { reason: "not_found" } },
  // Get
  { name: "Get an open session", given: [opened], when: { _tag: "Get" }, nowMs: expiresAt - 1, then: [], reply: { user_id: ada, expires_at_ms: expiresAt, revoked: false } },
  { name: "Get a revoked session answers revoked", given: [opened, revoked], when: { _tag: "Get" }, nowMs: 600, then: [], reply: { revoked: true } },
  { name: "Get without a session → not_found", given: [], when: { _tag: "Get" }, then: { reason: "not_found" } },
  { name: "Get past expiry, timer not yet fired → not_found", given: [opened], when: { _tag: "Get" }, nowMs: expiresAt, then: { reason: "not_found" } },
  { name: "Get after Expired → not_found", given: [opened, { _tag: "Expired" }], when: { _tag: "Get" }, nowMs: expiresAt, then: { reason: "not_found" } },
  // Expire (the durable timer)
  { name: "Expire at the deadline clears the session", given: [opened], when: { _tag: "Expire" }, nowMs: expiresAt, then: [{ _tag: "Expired" }], reply: { cleared: true } },
  { name: "Expire clears a revoked session too", given: [opened, revoked], when: { _tag: "Expire" }, nowMs: expiresAt + 5, then: [{ _tag: "Expired" }] },
  { name: "Expire before the deadline → no events", given: [opened], when: { _tag: "Expire" }, nowMs: expiresAt - 1, then: [], reply: { cleared: false } },
  { name: "Expire without a session → no events", given: [], when: { _tag: "Expire" }, nowMs: expiresAt, then: [] }
]

describe("session decider", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_, row) => {
    runRow(session, row, "a".repeat(64))
  })

  it("arms a durable timer at expiry while open, none after it is cleared", () => {
    const s0 = session.initialState("x")
    expect(session.nextTimer!(s0)).toBeUndefined()
    const s1 = session.evolve(s0, opened)
    expect(session.nextTimer!(s1)).toEqual({ atMs: expiresAt, command: { _tag: "Expire" } })
    const s2 = session.evolve(s1, revoked)
    expect(session.nextTimer!(s2)?.atMs).toBe(expiresAt)
    const s3 = session.evolve(s2, { _tag: "Expired" })
    expect(s3).toEqual(s0)
    expect(session.nextTimer!(s3)).toBeUndefined()
  })

  it("sessionIsUsable checks revocation and expiry", () => {
    expect(sessionIsUsable({ user_id: ada, expires_at_ms: 10, revoked: false }, 9)).toBe(true)
    expect(sessionIsUsable({ user_id: ada, expires_at_ms: 10, revoked: false }, 10)).toBe(false)
    expect(sessionIsUsable({ user_id: ada, expires_at_ms: 10, revoked: true }, 9)).toBe(false)
  })

  it("evolve refuses impossible transitions", () => {
    expect(() => session.evolve(session.initialState("x"), revoked)).toThrow(/without an open session/)
    expect(() => session.evolve(session.evolve(session.initialState("x"), opened), opened)).toThrow(/already open/)
  })
})
