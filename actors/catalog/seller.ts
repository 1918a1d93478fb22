import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandValidator, CountryCode, Rfc3339Utc, sameJson, Text, UserId } from "../accounts/fields.ts"
import { SellerId } from "./fields.ts"

/**
 * Actor "seller", id = the seller id (`s_…`, minted by the gateway). A user registers as a
 * seller (`pending_review`), an operator approves it (`approved`) and may suspend it later
 * (`suspended`; approving again reinstates). Only an `approved` seller may list products; the
 * gateway checks that (and grants the user the `seller` role) around these commands.
 *
 * Which seller id belongs to which user is the gateway's business (e.g. an index actor keyed by
 * user); this actor only refuses a second, different registration of its id.
 */

export const SellerStatus = Schema.Literal("pending_review", "approved", "suspended")
export type SellerStatus = typeof SellerStatus.Type

export const DisplayName = Text(100)
export const LegalName = Text(200)

/** What every command replies, and what the API shows. */
export const SellerView = Schema.Struct({
  seller_id: Schema.String,
  user_id: UserId,
  display_name: DisplayName,
  legal_name: Schema.optional(LegalName),
  country: Schema.optional(CountryCode),
  status: SellerStatus
})
export type SellerView = typeof SellerView.Type

export const RegisteredSeller = Schema.Struct({
  ...SellerView.fields,
  registered_at: Rfc3339Utc,
  /** The last operator decision (approve or suspend), if any. */
  decided_by: Schema.optional(UserId),
  decided_at: Schema.optional(Rfc3339Utc)
})
export type RegisteredSeller = typeof RegisteredSeller.Type

export const NewSeller = Schema.Struct({ status: Schema.Literal("new"), seller_id: Schema.String })
export const SellerState = Schema.Union(NewSeller, RegisteredSeller)
export type SellerState = typeof SellerState.Type

const registration = {
  user_id: UserId,
  display_name: DisplayName,
  legal_name: Schema.optional(LegalName),
  country: Schema.optional(CountryCode),
  registered_at: Rfc3339Utc
}
const decision = { by_admin: UserId, at: Rfc3339Utc }

export const SellerCommand = Schema.Union(
  /** Become a seller. The same registration again replies the seller; any other is `already_registered`. */
  Schema.TaggedStruct("Register", registration),
  /** An operator approves (or reinstates a suspended seller). Idempotent. */
  Schema.TaggedStruct("Approve", decision),
  /** An operator suspends. Idempotent. */
  Schema.TaggedStruct("Suspend", decision),
  Schema.TaggedStruct("Get", {})
)
export type SellerCommand = typeof SellerCommand.Type

export const SellerEvent = Schema.Union(
  Schema.TaggedStruct("SellerRegistered", registration),
  Schema.TaggedStruct("SellerApproved", decision),
  Schema.TaggedStruct("SellerSuspended", decision)
)
export type SellerEvent = typeof SellerEvent.Type

/** `Register` of an id already registered with other data (another user, or other names). 409 `conflict`. */
export class SellerAlreadyRegistered extends Schema.TaggedError<SellerAlreadyRegistered>()("SellerAlreadyRegistered", {
  reason: Schema.Literal("already_registered"),
  seller: SellerView
}) {}
/** Any command but `Register` on an id never registered. 404 `not_found`. */
export class SellerNotFound extends Schema.TaggedError<SellerNotFound>()("SellerNotFound", {
  reason: Schema.Literal("not_found")
}) {}

export const SellerRejection = Schema.Union(SellerAlreadyRegistered, SellerNotFound)
export type SellerRejection = typeof SellerRejection.Type

const validateCommand = commandValidator("seller", SellerCommand)
const isSellerId = Schema.is(SellerId)

export const sellerView = (s: RegisteredSeller): SellerView => ({
  seller_id: s.seller_id,
  user_id: s.user_id,
  display_name: s.display_name,
  ...(s.legal_name !== undefined ? { legal_name: s.legal_name } : {}),
  ...(s.country !== undefined ? { country: s.country } : {}),
  status: s.status
})

export const decideSeller = (state: SellerState, command: SellerCommand): Decision<SellerEvent, SellerView, SellerRejection> => {
  validateCommand(command)
  if (command._tag === "Register") {
    if (!isSellerId(state.seller_id)) throw new Error(`seller actor id "${state.seller_id}" is not a seller id (s_…)`)
    // Field by field: a command is validated with excess properties ignored, and they must not reach the journal.
    const data = {
      user_id: command.user_id,
      display_name: command.display_name,
      ...(command.legal_name !== undefined ? { legal_name: command.legal_name } : {}),
      ...(command.country !== undefined ? { country: command.country } : {})
    }
    if (state.status !== "new") {
      // `registered_at` is stamped by the caller: a retry may restamp it, the data is what counts.
      const same = sameJson(
        { user_id: state.user_id, display_name: state.display_name, legal_name: state.legal_name, country: state.country },
        data
      )
      return same ? accept([], sellerView(state)) : reject(new SellerAlreadyRegistered({ reason: "already_registered", seller: sellerView(state) }))
    }
    return acceptWith(state, { _tag: "SellerRegistered", ...data, registered_at: command.registered_at })
  }
  if (state.status === "new") return reject(new SellerNotFound({ reason: "not_found" }))
  switch (command._tag) {
    case "Get":
      return accept([], sellerView(state))
    case "Approve":
      return state.status === "approved" ? accept([], sellerView(state)) : acceptWith(state, { _tag: "SellerApproved", by_admin: command.by_admin, at: command.at })
    case "Suspend":
      return state.status === "suspended" ? accept([], sellerView(state)) : acceptWith(state, { _tag: "SellerSuspended", by_admin: command.by_admin, at: command.at })
  }
}

const acceptWith = (state: SellerState, event: SellerEvent) => accept([event], sellerView(evolveSeller(state, event) as RegisteredSeller))

export const evolveSeller = (state: SellerState, event: SellerEvent): SellerState => {
  if (event._tag === "SellerRegistered") {
    if (state.status !== "new") throw new Error(`seller ${state.seller_id}: registered twice`)
    const { _tag, ...data } = event
    return { ...data, seller_id: state.seller_id, status: "pending_review" }
  }
  if (state.status === "new") throw new Error(`seller ${state.seller_id}: ${event._tag} before SellerRegistered`)
  const status: SellerStatus = event._tag === "SellerApproved" ? "approved" : "suspended"
  if (state.status === status) throw new Error(`seller ${state.seller_id}: ${event._tag} while already ${status}`)
  return { ...state, status, decided_by: event.by_admin, decided_at: event.at }
}

export const seller: ActorDefinition<SellerState, SellerCommand, SellerEvent, SellerView, SellerRejection> = {
  name: "seller",
  state: SellerState,
  command: SellerCommand,
  event: SellerEvent,
  reply: SellerView,
  rejection: SellerRejection,
  initialState: (id) => ({ status: "new", seller_id: id }),
  decide: (state, command) => decideSeller(state, command),
  evolve: evolveSeller,
  limits: { mailboxCapacity: 64, snapshotEveryEvents: 50 }
}
