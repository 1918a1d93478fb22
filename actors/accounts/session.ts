import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandValidator, EpochMs, UserId } from "./fields.ts"

/**
 * Actor "session", id = `sessionIdOf(token)`: the hex SHA-256 of the bearer token (see
 * gateway/auth/tokens.ts). The token itself is never stored, so a leaked journal or snapshot
 * cannot be replayed as a login.
 *
 * Open at login/signup, Revoke at logout, Get on every authenticated request. A durable timer at
 * `expires_at_ms` emits `Expired`, which returns the actor to its empty state, so dead sessions do
 * not pile up in memory or in snapshots (what remains stored is the empty state, a few bytes).
 *
 * Time: `decide` compares deadlines with `nowMs`, the time the host stamped on the command.
 */

export const OpenSession = Schema.Struct({
  status: Schema.Literal("open"),
  user_id: UserId,
  expires_at_ms: EpochMs,
  /** `null` while the session works. A revoked session is kept (answering `revoked: true`) until it expires. */
  revoked_at_ms: Schema.NullOr(EpochMs)
})
export const SessionState = Schema.Union(Schema.Struct({ status: Schema.Literal("none") }), OpenSession)
export type SessionState = typeof SessionState.Type

export const SessionCommand = Schema.Union(
  /** Idempotent: the same user and expiry again is accepted with no events. */
  Schema.TaggedStruct("Open", { user_id: UserId, expires_at_ms: EpochMs }),
  /** Logout. Idempotent; `not_found` when there is no live session. */
  Schema.TaggedStruct("Revoke", { at_ms: EpochMs }),
  /** `not_found` when there is no session or it expired (even if the timer has not fired yet). */
  Schema.TaggedStruct("Get", {}),
  /** Delivered by the durable timer; does nothing before the deadline. */
  Schema.TaggedStruct("Expire", {})
)
export type SessionCommand = typeof SessionCommand.Type

export const SessionEvent = Schema.Union(
  Schema.TaggedStruct("Opened", { user_id: UserId, expires_at_ms: EpochMs }),
  Schema.TaggedStruct("Revoked", { at_ms: EpochMs }),
  Schema.TaggedStruct("Expired", {})
)
export type SessionEvent = typeof SessionEvent.Type

/**
 * What every command but `Expire` answers. The gateway must treat `revoked: true` as 401, and
 * should use `sessionIsUsable`, which also checks the expiry.
 */
export const SessionReply = Schema.Struct({ user_id: UserId, expires_at_ms: EpochMs, revoked: Schema.Boolean })
export type SessionReply = typeof SessionReply.Type

/** The reply of `Expire` (a timer command; nobody reads it). */
export const SessionCleared = Schema.Struct({ cleared: Schema.Boolean })

export class SessionNotFound extends Schema.TaggedError<SessionNotFound>()("SessionNotFound", {
  reason: Schema.Literal("not_found")
}) {}
/**
 * `Open` for a token hash that already holds a session with another user or expiry. With 256-bit
 * tokens this means a bug (the same token reused), never bad luck.
 */
export class SessionExists extends Schema.TaggedError<SessionExists>()("SessionExists", {
  reason: Schema.Literal("session_exists")
}) {}
export const SessionRejection = Schema.Union(SessionNotFound, SessionExists)
export type SessionRejection = typeof SessionRejection.Type

/** True when a `Get` reply lets the request through at `nowMs`. */
export const sessionIsUsable = (session: SessionReply, nowMs: number): boolean => !session.revoked && nowMs < session.expires_at_ms

const validateCommand = commandValidator("session", SessionCommand)

const view = (s: typeof OpenSession.Type): SessionReply => ({ user_id: s.user_id, expires_at_ms: s.expires_at_ms, revoked: s.revoked_at_ms !== null })
const notFound = () => reject(new SessionNotFound({ reason: "not_found" }))

export type SessionAnswer = SessionReply | typeof SessionCleared.Type

export const decideSession = (
  state: SessionState,
  command: SessionCommand,
  nowMs: number
): Decision<SessionEvent, SessionAnswer, SessionRejection> => {
  validateCommand(command)
  switch (command._tag) {
    case "Open": {
      if (state.status === "open") {
        return state.user_id === command.user_id && state.expires_at_ms === command.expires_at_ms
          ? accept([], view(state))
          : reject(new SessionExists({ reason: "session_exists" }))
      }
      const event = { _tag: "Opened", user_id: command.user_id, expires_at_ms: command.expires_at_ms } as const
      return accept([event], view(evolveOpen(state, event)))
    }
    case "Revoke": {
      if (state.status !== "open" || nowMs >= state.expires_at_ms) return notFound()
      if (state.revoked_at_ms !== null) return accept([], view(state))
      return accept([{ _tag: "Revoked", at_ms: command.at_ms } as const], { ...view(state), revoked: true })
    }
    case "Get":
      return state.status === "open" && nowMs < state.expires_at_ms ? accept([], view(state)) : notFound()
    case "Expire":
      return state.status === "open" && nowMs >= state.expires_at_ms ? accept([{ _tag: "Expired" } as const], { cleared: true }) : accept([], { cleared: false })
  }
}

const evolveOpen = (state: SessionState, event: { user_id: string; expires_at_ms: number }): typeof OpenSession.Type => {
  if (state.status !== "none") throw new Error("Opened on a session that is already open")
  return { status: "open", user_id: event.user_id, expires_at_ms: event.expires_at_ms, revoked_at_ms: null }
}

export const evolveSession = (state: SessionState, event: SessionEvent): SessionState => {
  switch (event._tag) {
    case "Opened":
      return evolveOpen(state, event)
    case "Revoked":
      if (state.status !== "open") throw new Error("Revoked without an open session")
      return { ...state, revoked_at_ms: event.at_ms }
    case "Expired":
      if (state.status !== "open") throw new Error("Expired without an open session")
      return { status: "none" }
  }
}

export const session: ActorDefinition<
  SessionState,
  SessionCommand,
  SessionEvent,
  SessionAnswer,
  SessionRejection
> = {
  name: "session",
  state: SessionState,
  command: SessionCommand,
  event: SessionEvent,
  reply: Schema.Union(SessionReply, SessionCleared),
  rejection: SessionRejection,
  initialState: () => ({ status: "none" }),
  decide: decideSession,
  evolve: evolveSession,
  nextTimer: (state) => (state.status === "open" ? { atMs: state.expires_at_ms, command: { _tag: "Expire" } } : undefined),
  limits: { mailboxCapacity: 256, snapshotEveryEvents: 10 }
}
