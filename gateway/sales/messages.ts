import type { SaleView } from "../../actors/sales/sale-schema.ts"

/** The server → client messages of the waiting-room protocol (API.md), built in one place. */

export interface PositionMessage {
  readonly type: "queued" | "position"
  readonly position: number
  readonly ahead: number
  readonly eta_seconds: number | null
}

/**
 * Seconds until `position` is admitted at the measured rate (admissions of the last minute over
 * the time the sale has been admitting, up to a minute); null while nothing is measured or the
 * sale does not admit.
 */
export const etaSeconds = (view: SaleView, position: number, nowMs: number): number | null => {
  if (view.state !== "open" || view.started_at_ms === null) return null
  const elapsedMs = Math.min(60_000, Math.max(1_000, nowMs - view.started_at_ms))
  const perSecond = (view.admitted_last_minute / elapsedMs) * 1_000
  return perSecond > 0 ? Math.ceil(position / perSecond) : null
}

export const positionMessage = (type: "queued" | "position", view: SaleView, position: number, nowMs: number): PositionMessage => ({
  type,
  position,
  ahead: position - 1,
  eta_seconds: etaSeconds(view, position, nowMs)
})

export const admittedMessage = (token: string, expiresAtMs: number) => ({ type: "admitted", admission_token: token, expires_at: new Date(expiresAtMs).toISOString() }) as const

/** The message a state change is announced with (none for prequeue → open). */
export const stateMessage = (from: SaleView["state"] | undefined, to: SaleView["state"]): { readonly type: string } | undefined => {
  if (from === to) return undefined
  switch (to) {
    case "paused":
      return { type: "paused" }
    case "open":
      return from === "paused" ? { type: "resumed" } : undefined
    case "sold_out":
      return { type: "sold_out" }
    case "ended":
      return { type: "ended" }
    case "prequeue":
      return undefined
  }
}

/** Is a position change worth a push (API.md: more than 1 %)? */
export const movedEnough = (from: number, to: number) => from !== to && Math.abs(from - to) > from * 0.01
