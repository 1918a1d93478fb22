import { afterEach, describe, expect, it } from "vitest"
import { ActorHost } from "../../runtime/host.ts"
import { makeMemoryJournal, makeMemoryPositionStore, makeMemorySnapshotStore } from "../../storage/memory.ts"
import { newAttemptId, newSessionToken, newUserId, sessionIdOf } from "../../gateway/auth/tokens.ts"
import { idempotency, idempotencyActorId } from "../idempotency/idempotency.ts"
import { emailIndex, normalizeEmail } from "./email-index.ts"
import { session } from "./session.ts"
import { user } from "./user.ts"

/** The account actors on a real host (in-memory storage): schemas encode, timers fire, restarts recover. */
const hosts: ActorHost[] = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()))
})

const ports = () => ({ journal: makeMemoryJournal(), snapshots: makeMemorySnapshotStore(), positions: makeMemoryPositionStore() })
const start = async (p: ReturnType<typeof ports>) => {
  const host = new ActorHost(p, [user, emailIndex, session, idempotency], { shardCount: 4, timerRetryMs: 10 }, undefined, () => {})
  await host.start()
  hosts.push(host)
  return host
}

describe("account actors on the host", () => {
  it("signup, login session, expiry by durable timer, recovery after restart", async () => {
    const p = ports()
    const host = await start(p)
    const email = normalizeEmail(" Ada@Example.com ")
    const userId = newUserId()
    expect(await host.ask(emailIndex, email, { _tag: "Claim", user_id: userId })).toEqual({ user_id: userId })
    await host.ask(user, userId, {
      _tag: "Register",
      email,
      name: "Ada",
      password_hash: "scrypt$10$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==",
      roles: ["customer"],
      created_at: new Date().toISOString()
    })
    await expect(host.ask(emailIndex, email, { _tag: "Claim", user_id: newUserId() })).rejects.toMatchObject({ reason: "email_taken" })

    const token = newSessionToken()
    const sid = sessionIdOf(token)
    await host.ask(session, sid, { _tag: "Open", user_id: userId, expires_at_ms: Date.now() + 150 })
    expect(await host.ask(session, sid, { _tag: "Get" })).toMatchObject({ user_id: userId, revoked: false })
    await new Promise((r) => setTimeout(r, 400))
    await expect(host.ask(session, sid, { _tag: "Get" })).rejects.toMatchObject({ reason: "not_found" })
    // The durable timer already cleared it: a manual Expire finds nothing left.
    expect(await host.ask(session, sid, { _tag: "Expire" })).toEqual({ cleared: false })

    await host.stop()
    hosts.splice(0)
    const again = await start(p)
    expect(await again.ask(emailIndex, email, { _tag: "Lookup" })).toEqual({ user_id: userId })
    expect(await again.ask(user, userId, { _tag: "Get" })).toMatchObject({ email, roles: ["customer"] })
  })

  it("idempotent request: begin, complete, replay, swept after retention", async () => {
    const host = await start(ports())
    const id = idempotencyActorId(newUserId(), "order-1")
    const attempt = newAttemptId()
    const now = Date.now()
    expect(await host.ask(idempotency, id, { _tag: "Begin", request_hash: "h1", attempt_id: attempt, started_at_ms: now, lease_ms: 30_000 })).toEqual({ outcome: "started" })
    await expect(host.ask(idempotency, id, { _tag: "Begin", request_hash: "h1", attempt_id: newAttemptId(), started_at_ms: now, lease_ms: 30_000 })).rejects.toMatchObject({
      reason: "in_progress"
    })
    await host.ask(idempotency, id, { _tag: "Complete", request_hash: "h1", attempt_id: attempt, status: 201, body: '{"id":1}', completed_at_ms: Date.now(), retention_ms: 150 })
    expect(await host.ask(idempotency, id, { _tag: "Begin", request_hash: "h1", attempt_id: newAttemptId(), started_at_ms: Date.now(), lease_ms: 30_000 })).toEqual({
      outcome: "replay",
      status: 201,
      body: '{"id":1}'
    })
    await new Promise((r) => setTimeout(r, 400))
    // Swept by the durable timer (a manual Sweep finds nothing due); a different request may use the key now.
    expect(await host.ask(idempotency, id, { _tag: "Sweep" })).toEqual({ outcome: "nothing_due" })
    expect(await host.ask(idempotency, id, { _tag: "Begin", request_hash: "h2", attempt_id: newAttemptId(), started_at_ms: Date.now(), lease_ms: 30_000 })).toEqual({ outcome: "started" })
  })
})
