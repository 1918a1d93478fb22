import { describe, expect, it } from "vitest"
import { config } from "../../actors/sales/sale-fixtures.ts"
import type { SaleView } from "../../actors/sales/sale-schema.ts"
import { etaSeconds, movedEnough, positionMessage, stateMessage } from "./messages.ts"
import { checkProof, leadingZeroBits, makeChallenge, solveChallenge } from "./pow.ts"

const view = (overrides: Partial<SaleView> = {}): SaleView => ({
  sale_id: "s",
  state: "open",
  queued: 100,
  active: 0,
  admitted_total: 0,
  completed_total: 0,
  expired_total: 0,
  abandoned_total: 0,
  admitted_last_minute: 0,
  started_at_ms: 0,
  config: config(),
  ...overrides
})

describe("position messages", () => {
  it("ETA from the measured rate; null when nothing is measured or the sale does not admit", () => {
    expect(etaSeconds(view({ admitted_last_minute: 60 }), 30, 60_000)).toBe(30)
    expect(etaSeconds(view({ admitted_last_minute: 10 }), 30, 10_000)).toBe(30)
    expect(etaSeconds(view({ admitted_last_minute: 0 }), 30, 60_000)).toBeNull()
    expect(etaSeconds(view({ state: "paused", admitted_last_minute: 60 }), 30, 60_000)).toBeNull()
    expect(etaSeconds(view({ state: "prequeue", started_at_ms: null }), 30, 60_000)).toBeNull()
    expect(positionMessage("position", view(), 7, 1_000)).toEqual({ type: "position", position: 7, ahead: 6, eta_seconds: null })
  })

  it("a push when the position moves by more than 1 %", () => {
    expect(movedEnough(100, 99)).toBe(false)
    expect(movedEnough(100, 98)).toBe(true)
    expect(movedEnough(2, 1)).toBe(true)
    expect(movedEnough(5, 5)).toBe(false)
  })

  it("state changes are announced once, with the protocol's names", () => {
    expect(stateMessage("open", "paused")).toEqual({ type: "paused" })
    expect(stateMessage("paused", "open")).toEqual({ type: "resumed" })
    expect(stateMessage("prequeue", "open")).toBeUndefined()
    expect(stateMessage("open", "sold_out")).toEqual({ type: "sold_out" })
    expect(stateMessage("sold_out", "ended")).toEqual({ type: "ended" })
    expect(stateMessage("ended", "ended")).toBeUndefined()
  })
})

describe("proof of work", () => {
  it("a solved challenge passes; a wrong solution, another user, a forged or expired prefix do not", () => {
    const now = 1_000_000
    const c = makeChallenge("u_1", 8, now, 60_000)
    const solution = solveChallenge(c.prefix, 8)
    expect(checkProof("u_1", 8, c.prefix, solution, now)).toBe("ok")
    expect(checkProof("u_2", 8, c.prefix, solution, now)).toBe("forged")
    expect(checkProof("u_1", 9, c.prefix, solution, now)).toBe("forged")
    expect(checkProof("u_1", 8, c.prefix, solution, now + 60_000)).toBe("expired")
    expect(checkProof("u_1", 8, c.prefix.replace(/.$/, (ch) => (ch === "A" ? "B" : "A")), solution, now)).toBe("forged")
    expect(checkProof("u_1", 8, c.prefix, undefined, now)).toBe("missing")
    let wrong = 0
    while (checkProof("u_1", 8, c.prefix, `x${wrong}`, now) === "ok") wrong++
    expect(checkProof("u_1", 8, c.prefix, `x${wrong}`, now)).toBe("insufficient")
  })

  it("counts leading zero bits", () => {
    expect(leadingZeroBits(Buffer.from([0, 0x80]))).toBe(8)
    expect(leadingZeroBits(Buffer.from([0, 0x01]))).toBe(15)
    expect(leadingZeroBits(Buffer.from([0xff]))).toBe(0)
  })
})
