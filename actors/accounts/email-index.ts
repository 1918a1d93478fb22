import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandValidator, UserId } from "./fields.ts"

export { normalizeEmail } from "./fields.ts"

/**
 * Actor "email", id = the normalized email (`normalizeEmail(input)`): which user owns an address.
 * One actor per address makes "one account per email" a single-writer decision, with no lock
 * and no unique index.
 *
 * Signup, in this order (it survives a crash between the steps and concurrent signups):
 *   1. `user_id = newUserId()`; `Claim {user_id}` on the email.
 *   2. On `email_taken`: `Lookup` the owner and `Get` it. If the owner is still "new" (a signup
 *      died between steps 1 and 3), continue with the owner's id instead of yours; otherwise 409.
 *   3. `Register` on the user actor. `already_registered` there means a concurrent signup for
 *      the same email won the orphaned id: answer 409 `email_taken`.
 * Login: `Lookup` → `{ user_id: null }` means unknown email (run `dummyVerify` and answer 401).
 */

export const EmailState = Schema.Struct({ user_id: Schema.NullOr(UserId) })
export type EmailState = typeof EmailState.Type

export const EmailCommand = Schema.Union(
  /** Own the email for `user_id`. Idempotent for the same user. */
  Schema.TaggedStruct("Claim", { user_id: UserId }),
  /** Who owns the email, if anyone. */
  Schema.TaggedStruct("Lookup", {})
)
export type EmailCommand = typeof EmailCommand.Type

export const EmailEvent = Schema.TaggedStruct("Claimed", { user_id: UserId })
export type EmailEvent = typeof EmailEvent.Type

/** Both commands answer the current owner (`null`: nobody). */
export const EmailReply = Schema.Struct({ user_id: Schema.NullOr(UserId) })
export type EmailReply = typeof EmailReply.Type

/** Another user owns the email. Map to 409 `email_taken`. The owner is deliberately not in the rejection. */
export class EmailTaken extends Schema.TaggedError<EmailTaken>()("EmailTaken", {
  reason: Schema.Literal("email_taken")
}) {}

const validateCommand = commandValidator("email", EmailCommand)

export const decideEmail = (state: EmailState, command: EmailCommand): Decision<EmailEvent, EmailReply, EmailTaken> => {
  validateCommand(command)
  switch (command._tag) {
    case "Lookup":
      return accept([], { user_id: state.user_id })
    case "Claim":
      if (state.user_id === command.user_id) return accept([], { user_id: state.user_id })
      if (state.user_id !== null) return reject(new EmailTaken({ reason: "email_taken" }))
      return accept([{ _tag: "Claimed", user_id: command.user_id }], { user_id: command.user_id })
  }
}

export const evolveEmail = (state: EmailState, event: EmailEvent): EmailState => {
  if (state.user_id !== null) throw new Error(`email already owned by ${state.user_id}; cannot be claimed by ${event.user_id}`)
  return { user_id: event.user_id }
}

export const emailIndex: ActorDefinition<EmailState, EmailCommand, EmailEvent, EmailReply, EmailTaken> = {
  name: "email",
  state: EmailState,
  command: EmailCommand,
  event: EmailEvent,
  reply: EmailReply,
  rejection: EmailTaken,
  initialState: () => ({ user_id: null }),
  decide: (state, command) => decideEmail(state, command),
  evolve: evolveEmail,
  limits: { mailboxCapacity: 64, snapshotEveryEvents: 10 }
}
