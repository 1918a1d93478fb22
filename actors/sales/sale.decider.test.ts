import { describe, expect, it } from "vitest"
import { type DeciderRow, runRow } from "../../test/support/decider-table.ts"
import { sale } from "./sale.ts"
import { admitted, config, defined, E1, epochAt, join, joined, MIN, SEC, started, T0, tick } from "./sale-fixtures.ts"

/** Given events / when command / then events or rejection, for the sale queue actor. */

const base = [defined(), epochAt(T0 - 2 * MIN)]
const twoWaiting = [...base, joined("u_a", 1), joined("u_b", 2)]
const open = [...twoWaiting, started(T0)]

const rows: ReadonlyArray<DeciderRow> = [
  // definition
  { name: "define a new sale", given: [], when: { _tag: "Define", config: config() }, then: [defined()] },
  { name: "a duplicate sale_id is refused", given: [defined()], when: { _tag: "Define", config: config() }, then: { reason: "sale_exists" } },
  { name: "define under another id is refused", given: [], when: { _tag: "Define", config: config({ sale_id: "other" }) }, then: { reason: "sale_id_mismatch" } },
  { name: "commands before Define: not found", given: [], when: join("u_a"), then: { reason: "not_found" } },
  { name: "an invalid command is refused", given: base, when: { _tag: "Join", user_id: "u a|", epoch: E1 }, then: { reason: "invalid_command" } },

  // joining
  { name: "the first join gets rank 1", given: base, when: join("u_a"), nowMs: T0 - MIN, then: [joined("u_a", 1)], reply: { member: { rank: 1, status: "waiting" } } },
  { name: "ranks follow arrival", given: [...base, joined("u_a", 1)], when: join("u_b"), nowMs: T0 - MIN, then: [joined("u_b", 2)] },
  { name: "a second connection keeps the place (no event)", given: twoWaiting, when: join("u_a"), then: [], reply: { member: { rank: 1 } } },
  {
    name: "a reconnect under a new epoch keeps the place",
    given: twoWaiting,
    when: join("u_a", "epoch2"),
    then: [{ _tag: "Reconnected", user_id: "u_a", epoch: "epoch2" }],
    reply: { member: { rank: 1 } }
  },
  { name: "leave under the current epoch: disconnected", given: twoWaiting, when: { _tag: "Leave", user_id: "u_a", epoch: E1 }, nowMs: T0, then: [{ _tag: "Disconnected", user_id: "u_a", at_ms: T0 }] },
  { name: "leave under an old epoch: nothing", given: twoWaiting, when: { _tag: "Leave", user_id: "u_a", epoch: "old" }, then: [] },
  { name: "a sold-out sale hands out no place", given: [...base, { _tag: "SoldOut", at_ms: T0 }], when: join("u_a"), then: [], reply: { sale: { state: "sold_out" } } },

  { name: "member: a waiting user's place", given: twoWaiting, when: { _tag: "Member", user_id: "u_b" }, then: [], reply: { member: { rank: 2, status: "waiting" } } },
  { name: "member: a stranger is not in the queue", given: twoWaiting, when: { _tag: "Member", user_id: "u_z" }, then: { reason: "not_in_queue" } },

  // ticks
  { name: "a tick before the start with the same epoch does nothing", given: twoWaiting, when: tick(), nowMs: T0 - 1, then: [] },
  { name: "a tick under a new epoch records it", given: twoWaiting, when: tick("epoch2"), nowMs: T0 - 1, then: [epochAt(T0 - 1, "epoch2")] },
  {
    name: "the start admits the first present shopper at once",
    given: twoWaiting,
    when: tick(),
    nowMs: T0,
    then: [started(T0), admitted(T0, ["u_a"], 1, 0)],
    reply: { admitted: [{ user_id: "u_a", token_id: 1, expires_at_ms: T0 + 5 * MIN }] }
  },
  { name: "no credit yet: nobody more", given: [...open, admitted(T0, ["u_a"])], when: tick(), nowMs: T0 + 500, then: [] },
  { name: "a second later: the next one", given: [...open, admitted(T0, ["u_a"])], when: tick(), nowMs: T0 + SEC, then: [admitted(T0 + SEC, ["u_b"], 2, 0)] },
  {
    name: "a shopper away is skipped but keeps the place",
    given: [...open, { _tag: "Disconnected", user_id: "u_a", at_ms: T0 }],
    when: tick(),
    nowMs: T0 + SEC,
    then: [admitted(T0 + SEC, ["u_b"], 1, 0)]
  },
  {
    name: "a shopper away longer than the grace loses the place",
    given: [...open, { _tag: "Disconnected", user_id: "u_a", at_ms: T0 }, admitted(T0, ["u_b"])],
    when: tick(),
    nowMs: T0 + 5 * MIN,
    then: [
      { _tag: "SessionsExpired", user_ids: ["u_b"], at_ms: T0 + 5 * MIN },
      { _tag: "Abandoned", user_ids: ["u_a"], at_ms: T0 + 5 * MIN }
    ]
  },
  { name: "max_active bounds admission", given: [...base, ...[joined("u_a", 1), joined("u_b", 2)], started(T0), admitted(T0, ["u_a"])].map((e) => (e._tag === "Defined" ? defined({ max_active: 1 }) : e)), when: tick(), nowMs: T0 + 10 * SEC, then: [] },
  { name: "paused: no admission", given: [...twoWaiting, { _tag: "Paused", at_ms: T0 - 1 }], when: tick(), nowMs: T0, then: [started(T0)] },
  { name: "shadow-banned: never admitted", given: [...twoWaiting, { _tag: "BannedSet", user_ids: ["u_a"], banned: true }], when: tick(), nowMs: T0, then: [started(T0), admitted(T0, ["u_b"])] },
  { name: "the end stops admission", given: [...twoWaiting].map((e) => (e._tag === "Defined" ? defined({ ends_at_ms: T0 }) : e)), when: tick(), nowMs: T0, then: [started(T0), { _tag: "Ended", at_ms: T0 }] },

  // tokens
  { name: "claim an admitted token", given: [...open, admitted(T0, ["u_a"])], when: { _tag: "Claim", user_id: "u_a", token_id: 1, claim_key: "co_1" }, nowMs: T0 + SEC, then: [{ _tag: "Claimed", user_id: "u_a", claim_key: "co_1" }] },
  {
    name: "a second claim by the same checkout is a replay",
    given: [...open, admitted(T0, ["u_a"]), { _tag: "Claimed", user_id: "u_a", claim_key: "co_1" }],
    when: { _tag: "Claim", user_id: "u_a", token_id: 1, claim_key: "co_1" },
    nowMs: T0 + SEC,
    then: []
  },
  {
    name: "another checkout cannot use a claimed token",
    given: [...open, admitted(T0, ["u_a"]), { _tag: "Claimed", user_id: "u_a", claim_key: "co_1" }],
    when: { _tag: "Claim", user_id: "u_a", token_id: 1, claim_key: "co_2" },
    nowMs: T0 + SEC,
    then: { reason: "used" }
  },
  { name: "a wrong token id", given: [...open, admitted(T0, ["u_a"])], when: { _tag: "Claim", user_id: "u_a", token_id: 7, claim_key: "co_1" }, then: { reason: "wrong_token" } },
  { name: "not admitted", given: open, when: { _tag: "Claim", user_id: "u_b", token_id: 1, claim_key: "co_1" }, then: { reason: "not_admitted" } },
  { name: "past the session", given: [...open, admitted(T0, ["u_a"])], when: { _tag: "Claim", user_id: "u_a", token_id: 1, claim_key: "co_1" }, nowMs: T0 + 5 * MIN, then: { reason: "expired" } },
  { name: "complete frees the slot", given: [...open, admitted(T0, ["u_a"])], when: { _tag: "Complete", user_id: "u_a", token_id: 1 }, nowMs: T0 + SEC, then: [{ _tag: "Completed", user_id: "u_a", at_ms: T0 + SEC }], reply: { sale: { active: 0 } } },
  {
    name: "a used token cannot be claimed again",
    given: [...open, admitted(T0, ["u_a"]), { _tag: "Completed", user_id: "u_a", at_ms: T0 }],
    when: { _tag: "Claim", user_id: "u_a", token_id: 1, claim_key: "co_9" },
    then: { reason: "used" }
  },

  // operator
  { name: "pause", given: open, when: { _tag: "Pause" }, nowMs: T0, then: [{ _tag: "Paused", at_ms: T0 }], reply: { sale: { state: "paused" } } },
  { name: "pause after sold out is refused", given: [...open, { _tag: "SoldOut", at_ms: T0 }], when: { _tag: "Pause" }, then: { reason: "sale_closed" } },
  {
    name: "lifting a ban sends the user to the end of the line",
    given: [...twoWaiting, { _tag: "BannedSet", user_ids: ["u_a"], banned: true }],
    when: { _tag: "SetBanned", user_ids: ["u_a"], banned: false },
    then: [{ _tag: "BannedSet", user_ids: ["u_a"], banned: false }]
  }
]

describe("sale decider", () => {
  for (const row of rows) it(row.name, () => void runRow(sale, row))

  it("random_prequeue shuffles the pre-queue at the start, by the seed, and later arrivals join the end", () => {
    const users = Array.from({ length: 20 }, (_, i) => `u_${i}`)
    const orderAtStart = (seed: string) => {
      const given = [defined({ mode: "random_prequeue", admit_per_minute: 60_000, max_active: 100, shuffle_seed: seed }), epochAt(T0 - MIN), ...users.map((u, i) => joined(u, i + 1))]
      const state = given.reduce(sale.evolve, sale.initialState("test-id"))
      const decision = sale.decide(state, tick(), T0)
      if (decision._tag !== "Accept") throw new Error("rejected")
      expect(decision.events.map((e) => e._tag)).toEqual(["Started", "Admitted"])
      const event = decision.events[1]
      return event?._tag === "Admitted" ? event.admissions.map((a) => a.user_id) : []
    }
    const order = orderAtStart("00112233445566778899aabbccddeeff")
    expect([...order].sort()).toEqual([...users].sort())
    expect(order).not.toEqual(users)
    expect(orderAtStart("00112233445566778899aabbccddeeff")).toEqual(order)
    expect(orderAtStart("ffeeddccbbaa99887766554433221100")).not.toEqual(order)
  })

  it("after a random_prequeue start, a late arrival gets the next rank after the pre-queue", () => {
    const given = [defined({ mode: "random_prequeue", admit_per_minute: 1 }), epochAt(T0 - MIN), joined("u_a", 1), joined("u_b", 2), started(T0)]
    runRow(sale, { name: "late", given, when: join("u_c"), nowMs: T0 + SEC, then: [joined("u_c", 3, T0 + SEC)], reply: { member: { rank: 3 } } })
  })
})
