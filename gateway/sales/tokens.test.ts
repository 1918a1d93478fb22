import { afterEach, describe, expect, it } from "vitest"
import { admissionKeys } from "../../actors/sales/admission-keys.ts"
import { ActorHost, type HostPorts } from "../../runtime/host.ts"
import { makeMemoryJournal, makeMemoryPositionStore, makeMemorySnapshotStore } from "../../storage/memory.ts"
import { KeyRing } from "./tokens.ts"

/** Admission tokens over the keys actor on in-memory storage: sign, verify, tamper, expire, rotate, restart. */

const hosts: Array<ActorHost> = []
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()))
})
const ports = (): HostPorts => ({ journal: makeMemoryJournal(), snapshots: makeMemorySnapshotStore(), positions: makeMemoryPositionStore() })
const startHost = async (p: HostPorts) => {
  const host = new ActorHost(p, [admissionKeys], { shardCount: 4, checkpointEveryMs: 60_000, passivationSweepMs: 60_000 }, undefined, () => {})
  await host.start()
  hosts.push(host)
  return host
}

const claims = { saleId: "s1", userId: "u_1", tokenId: 7, expiresAtMs: 2_000 }

describe("admission tokens", () => {
  it("verify what was issued, bound to user, sale and expiry; refuse tampering", async () => {
    const ring = new KeyRing(await startHost(ports()))
    await ring.load(1_000)
    const token = ring.issue(claims)
    expect(await ring.verify(token, { userId: "u_1", saleId: "s1" }, 1_500)).toEqual({ ok: true, claims })
    expect(await ring.verify(token, { userId: "u_2", saleId: "s1" }, 1_500)).toEqual({ ok: false, reason: "wrong_user" })
    expect(await ring.verify(token, { userId: "u_1", saleId: "s2" }, 1_500)).toEqual({ ok: false, reason: "wrong_sale" })
    expect(await ring.verify(token, { userId: "u_1", saleId: "s1" }, 2_000)).toEqual({ ok: false, reason: "expired" })
    const parts = token.split(".")
    const other = Buffer.from(JSON.stringify({ s: "s1", u: "u_1", t: 7, e: 9_999_999 })).toString("base64url")
    expect(await ring.verify(`${parts[0]}.${parts[1]}.${other}.${parts[3]}`, { userId: "u_1" }, 1_500)).toEqual({ ok: false, reason: "bad_signature" })
    expect(await ring.verify(`${parts[0]}.kother.${parts[2]}.${parts[3]}`, { userId: "u_1" }, 1_500)).toEqual({ ok: false, reason: "unknown_key" })
    expect(await ring.verify("x".repeat(2_000), { userId: "u_1" }, 1_500)).toEqual({ ok: false, reason: "malformed" })
  })

  it("keys survive a restart; a rotation keeps older tokens valid and another process learns the new key", async () => {
    const p = ports()
    const host = await startHost(p)
    const ring = new KeyRing(host)
    await ring.load(1_000)
    const long = { ...claims, expiresAtMs: 100_000 }
    const before = ring.issue(long)
    const peer = new KeyRing(host)
    await peer.load(1_000)
    const newKey = await ring.rotate(1_100)
    const after = ring.issue(long)
    expect(after.split(".")[1]).toBe(newKey)
    expect(await ring.verify(before, { userId: "u_1" }, 1_500)).toMatchObject({ ok: true })
    // The peer loaded before the rotation: it reloads (at most once a second) for the unknown key id.
    expect(await peer.verify(after, { userId: "u_1" }, 2_500)).toMatchObject({ ok: true })
    await host.stop()
    hosts.splice(hosts.indexOf(host), 1)
    const restarted = new KeyRing(await startHost(p))
    await restarted.load(1_600)
    expect(restarted.currentKeyId).toBe(newKey)
    expect(await restarted.verify(before, { userId: "u_1" }, 1_700)).toMatchObject({ ok: true })
  })
})
