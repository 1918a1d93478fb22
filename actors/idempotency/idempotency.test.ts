import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { codecFor } from "../../runtime/actor.ts"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { idempotency, idempotencyActorId, IdempotencyKey, type IdempotencyState, idempotencyLimits, utf8Bytes } from "./idempotency.ts"
import { Schema } from "effect"

const H1 = "a".repeat(64)
const H2 = "b".repeat(64)
const A1 = "attempt-1"
const A2 = "attempt-2"
const LEASE = 30_000
const DAY = 24 * 3_600_000

const started = (hash = H1, attempt = A1, at = 1_000) => ({ _tag: "Started", request_hash: hash, attempt_id: attempt, started_at_ms: at, lease_expires_at_ms: at + LEASE }) as const
const begin = (hash = H1, attempt = A1, at = 1_000) => ({ _tag: "Begin", request_hash: hash, attempt_id: attempt, started_at_ms: at, lease_ms: LEASE }) as const
const complete = (body = '{"ok":true}', attempt = A1, status = 201, at = 2_000, hash = H1) => ({
  _tag: "Complete",
  request_hash: hash,
  attempt_id: attempt,
  status,
  body,
  completed_at_ms: at,
  retention_ms: DAY
}) as const
const completed = (body: string | null = '{"ok":true}', status = 201, at = 2_000, bytes = 11) => ({
  _tag: "Completed",
  status,
  body,
  body_bytes: bytes,
  completed_at_ms: at,
  expires_at_ms: at + DAY
}) as const
const big = "x".repeat(idempotencyLimits.maxStoredBodyBytes + 1)

const rows: ReadonlyArray<DeciderRow> = [
  // Begin
  { name: "Begin a new key → started", given: [], when: begin(), then: [started()], reply: { outcome: "started" } },
  { name: "Begin, same request, first still running → in_progress with the lease left", given: [started()], when: begin(H1, A2, 11_000), then: { reason: "in_progress", retry_after_ms: 20_000 } },
  { name: "Begin, other request, first still running → key_reused", given: [started()], when: begin(H2, A2, 2_000), then: { reason: "key_reused" } },
  { name: "Begin retried by the owning attempt → started, no events", given: [started()], when: begin(H1, A1, 1_500), then: [], reply: { outcome: "started" } },
  { name: "Begin after the first lease expired → takes over", given: [started()], when: begin(H1, A2, 1_000 + LEASE), then: [started(H1, A2, 1_000 + LEASE)], reply: { outcome: "started" } },
  { name: "Begin, other request, after the first lease expired → takes over", given: [started()], when: begin(H2, A2, 1_000 + LEASE), then: [started(H2, A2, 1_000 + LEASE)] },
  { name: "Begin, same request, completed → replay", given: [started(), completed()], when: begin(H1, A2, 3_000), then: [], reply: { outcome: "replay", status: 201, body: '{"ok":true}' } },
  { name: "Begin, other request, completed → key_reused", given: [started(), completed()], when: begin(H2, A2, 3_000), then: { reason: "key_reused" } },
  { name: "Begin, same request, completed with an oversized body → response_not_stored", given: [started(), completed(null, 200, 2_000, big.length)], when: begin(H1, A2, 3_000), then: { reason: "response_not_stored", status: 200 } },
  { name: "Begin after the retention ended (timer not fired yet) → started", given: [started(), completed()], when: begin(H2, A2, 2_000 + DAY), then: [started(H2, A2, 2_000 + DAY)] },
  { name: "Begin after Abandon → started", given: [started(), { _tag: "Abandoned" }], when: begin(H1, A2, 1_500), then: [started(H1, A2, 1_500)] },
  // Complete
  { name: "Complete by the owner → stored", given: [started()], when: complete(), then: [completed()], reply: { outcome: "stored", body_stored: true } },
  { name: "Complete counts UTF-8 bytes", given: [started()], when: complete('"é€😀"'), then: [completed('"é€😀"', 201, 2_000, 11)] },
  { name: "Complete by the owner after its lease, nobody took over → stored", given: [started()], when: complete("{}", A1, 200, 1_000 + LEASE + 5), then: [completed("{}", 200, 1_000 + LEASE + 5, 2)] },
  {
    name: "Complete with a body over 64 KiB → recorded without the body",
    given: [started()],
    when: complete(big),
    then: [completed(null, 201, 2_000, big.length)],
    reply: { outcome: "stored", body_stored: false }
  },
  { name: "Complete by an attempt that lost the key → not_owner", given: [started(), started(H1, A2, 1_000 + LEASE)], when: complete(), then: { reason: "not_owner" } },
  { name: "Complete with another request hash → not_owner", given: [started()], when: complete("{}", A1, 201, 2_000, H2), then: { reason: "not_owner" } },
  { name: "Complete with nothing in progress → not_owner", given: [], when: complete(), then: { reason: "not_owner" } },
  { name: "Complete retried with the same answer → no events", given: [started(), completed()], when: complete(), then: [], reply: { outcome: "stored" } },
  { name: "Complete retried with the same oversized answer → no events", given: [started(), completed(null, 201, 2_000, big.length)], when: complete(big), then: [], reply: { body_stored: false } },
  { name: "Complete retried with another answer → not_owner", given: [started(), completed()], when: complete('{"ok":false}'), then: { reason: "not_owner" } },
  { name: "Complete by another attempt after completion → not_owner", given: [started(), completed()], when: complete('{"ok":true}', A2), then: { reason: "not_owner" } },
  // Abandon
  { name: "Abandon by the owner → cleared", given: [started()], when: { _tag: "Abandon", request_hash: H1, attempt_id: A1 }, then: [{ _tag: "Abandoned" }], reply: { outcome: "abandoned" } },
  { name: "Abandon by an attempt that lost the key → ignored", given: [started(), started(H1, A2, 1_000 + LEASE)], when: { _tag: "Abandon", request_hash: H1, attempt_id: A1 }, then: [], reply: { outcome: "ignored" } },
  { name: "Abandon never drops a stored response", given: [started(), completed()], when: { _tag: "Abandon", request_hash: H1, attempt_id: A1 }, then: [], reply: { outcome: "ignored" } },
  { name: "Abandon retried → ignored", given: [started(), { _tag: "Abandoned" }], when: { _tag: "Abandon", request_hash: H1, attempt_id: A1 }, then: [] },
  // Sweep (the durable timer)
  { name: "Sweep after the retention → cleared", given: [started(), completed()], when: { _tag: "Sweep" }, nowMs: 2_000 + DAY, then: [{ _tag: "Cleared" }], reply: { outcome: "swept" } },
  { name: "Sweep before the retention → nothing", given: [started(), completed()], when: { _tag: "Sweep" }, nowMs: 2_000 + DAY - 1, then: [], reply: { outcome: "nothing_due" } },
  { name: "Sweep after an expired lease → cleared", given: [started()], when: { _tag: "Sweep" }, nowMs: 1_000 + LEASE, then: [{ _tag: "Cleared" }] },
  { name: "Sweep during a lease → nothing", given: [started()], when: { _tag: "Sweep" }, nowMs: 1_000 + LEASE - 1, then: [] },
  { name: "Sweep an empty key → nothing", given: [], when: { _tag: "Sweep" }, nowMs: 5, then: [] }
]

describe("idempotency decider", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_, row) => {
    runRow(idempotency, row, idempotencyActorId("u_AAAAAAAAAAAAAAAAAAAAAA", "key-1"))
  })

  it("arms its timer at the lease end while in progress, at the retention end once completed, none when empty", () => {
    const s0 = idempotency.initialState("k")
    expect(idempotency.nextTimer!(s0)).toBeUndefined()
    const s1 = idempotency.evolve(s0, started())
    expect(idempotency.nextTimer!(s1)).toEqual({ atMs: 1_000 + LEASE, command: { _tag: "Sweep" } })
    const s2 = idempotency.evolve(s1, completed())
    expect(idempotency.nextTimer!(s2)?.atMs).toBe(2_000 + DAY)
    expect(idempotency.nextTimer!(idempotency.evolve(s2, { _tag: "Cleared" }))).toBeUndefined()
  })

  it("429 and 503 are never stored: completing with them is a defect", () => {
    const s = idempotency.evolve(idempotency.initialState("k"), started())
    expect(() => idempotency.decide(s, complete("{}", A1, 429), 0)).toThrow(/never stored/)
    expect(() => idempotency.decide(s, complete("{}", A1, 503), 0)).toThrow(/never stored/)
  })

  it("keys: 1..255 printable ASCII", () => {
    const ok = Schema.is(IdempotencyKey)
    expect(ok("a")).toBe(true)
    expect(ok("x".repeat(255))).toBe(true)
    expect(ok("x".repeat(256))).toBe(false)
    expect(ok("")).toBe(false)
    expect(ok("héllo")).toBe(false)
    expect(ok("a\nb")).toBe(false)
    expect(ok(" a")).toBe(false)
  })

  it("utf8Bytes agrees with TextEncoder", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => utf8Bytes(s) === new TextEncoder().encode(s).length))
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => utf8Bytes(s) === new TextEncoder().encode(s).length))
  })
})

// ---------------------------------------------------------------- property

type Op =
  | { readonly kind: "begin"; readonly hash: number; readonly dt: number; readonly leaseMs: number }
  | { readonly kind: "complete"; readonly who: number; readonly dt: number; readonly status: number; readonly big: boolean; readonly retentionMs: number }
  | { readonly kind: "abandon"; readonly who: number; readonly dt: number }
  | { readonly kind: "sweep"; readonly dt: number }
  | { readonly kind: "retryBegin"; readonly who: number; readonly dt: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("begin" as const), hash: fc.nat(2), dt: fc.nat(200), leaseMs: fc.integer({ min: 1, max: 300 }) }),
  fc.record({
    kind: fc.constant("complete" as const),
    who: fc.nat(20),
    dt: fc.nat(200),
    status: fc.constantFrom(200, 201, 400, 402, 409, 422, 500),
    big: fc.boolean(),
    retentionMs: fc.integer({ min: 0, max: 400 })
  }),
  fc.record({ kind: fc.constant("abandon" as const), who: fc.nat(20), dt: fc.nat(200) }),
  fc.record({ kind: fc.constant("sweep" as const), dt: fc.nat(400) }),
  fc.record({ kind: fc.constant("retryBegin" as const), who: fc.nat(20), dt: fc.nat(200) })
)

const hashes = ["h0", "h1", "h2"]

describe("idempotency property", () => {
  it("never replays a body under another request hash, never has two owners, never breaks evolve", () => {
    const states = codecFor(idempotency.state)
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let state: IdempotencyState = idempotency.initialState("k")
        let now = 0
        // Every attempt ever begun: its request hash and the body it completed with, if any.
        const attempts: Array<{ id: string; hash: string; body?: string }> = []
        // The attempt that currently holds the key according to the replies seen so far.
        let owner: string | undefined
        const apply = (events: ReadonlyArray<(typeof idempotency.event)["Type"]>) => {
          for (const e of events) state = idempotency.evolve(state, e)
          expect(states.decode(JSON.parse(JSON.stringify(states.encode(state))))).toEqual(state)
        }
        for (const o of ops) {
          now += o.dt
          if (o.kind === "begin" || o.kind === "retryBegin") {
            const existing = o.kind === "retryBegin" ? attempts[o.who % Math.max(1, attempts.length)] : undefined
            if (o.kind === "retryBegin" && existing === undefined) continue
            const attempt = existing ?? { id: `attempt-${attempts.length}`, hash: hashes[o.kind === "begin" ? o.hash : 0]! }
            if (existing === undefined) attempts.push(attempt)
            const before = state
            const d = idempotency.decide(state, { _tag: "Begin", request_hash: attempt.hash, attempt_id: attempt.id, started_at_ms: now, lease_ms: o.kind === "begin" ? o.leaseMs : 100 }, now)
            if (d._tag === "Accept") {
              apply(d.events)
              if (d.reply.outcome === "started") {
                // A second owner only when the previous one's lease (or retention) is over, or it is the same attempt.
                if (before.state === "in_progress" && before.attempt_id !== attempt.id) expect(now).toBeGreaterThanOrEqual(before.lease_expires_at_ms)
                if (before.state === "completed") expect(now).toBeGreaterThanOrEqual(before.expires_at_ms)
                owner = attempt.id
              } else if (d.reply.outcome === "replay") {
                // The replayed body was stored by an attempt of this very request.
                expect(before.state).toBe("completed")
                if (before.state !== "completed") return
                const storer = attempts.find((a) => a.id === before.attempt_id)!
                expect(storer.hash).toBe(attempt.hash)
                expect(storer.body).toBe(d.reply.body)
              } else throw new Error(`Begin answered ${d.reply.outcome}`)
            } else {
              expect(before.state).not.toBe("empty")
              if (d.rejection.reason === "in_progress") expect(d.rejection.retry_after_ms).toBeGreaterThan(0)
            }
          } else if (o.kind === "complete" || o.kind === "abandon") {
            const attempt = attempts[o.who % Math.max(1, attempts.length)]
            if (attempt === undefined) continue
            const body = o.kind === "complete" && o.big ? "x".repeat(idempotencyLimits.maxStoredBodyBytes + 1) : `{"by":"${attempt.id}"}`
            const d =
              o.kind === "complete"
                ? idempotency.decide(
                    state,
                    { _tag: "Complete", request_hash: attempt.hash, attempt_id: attempt.id, status: o.status, body, completed_at_ms: now, retention_ms: o.retentionMs },
                    now
                  )
                : idempotency.decide(state, { _tag: "Abandon", request_hash: attempt.hash, attempt_id: attempt.id }, now)
            if (d._tag === "Accept") {
              // Only the current owner changes anything.
              if (d.events.length > 0) expect(attempt.id).toBe(owner)
              if (o.kind === "complete" && d.events.length > 0) attempt.body = body
              apply(d.events)
            }
          } else {
            const d = idempotency.decide(state, { _tag: "Sweep" }, now)
            if (d._tag === "Accept") apply(d.events)
          }
          // One owner at most, and the state agrees with who that is.
          if (state.state === "in_progress") expect(state.attempt_id).toBe(owner)
        }
      }),
      { numRuns: 2_000 }
    )
  })
})
