import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import {
  Address,
  commandValidator,
  Email,
  PasswordHash,
  PaymentMethod,
  Rfc3339Utc,
  Role,
  roleOrder,
  Roles,
  sameJson,
  Text,
  UserId
} from "./fields.ts"

/**
 * Actor "user", id = the user id (`u_…`, minted by the gateway with `newUserId()`).
 *
 * Holds the account: email, display name, password hash, roles, addresses and payment methods.
 * Every command is idempotent (a replay with the same data succeeds with no new events; the
 * same id with other data is a specific rejection), every list is bounded.
 *
 * Signing up is two actors (see email-index.ts for the order): claim the email, then `Register`.
 */

export const userLimits = {
  /** Addresses per user; the 21st distinct `address_id` is rejected with `address_limit`. */
  maxAddresses: 20,
  /** Payment methods per user; the 21st distinct id is rejected with `payment_method_limit`. */
  maxPaymentMethods: 20
} as const

export const UserName = Text(100)

/** A registered account. This is also what every command replies (the gateway picks what it shows; never the hash). */
export const User = Schema.Struct({
  status: Schema.Literal("active"),
  /** The actor id (checked to be a `UserId` at Register). */
  user_id: Schema.String,
  email: Email,
  name: UserName,
  password_hash: PasswordHash,
  /** Distinct roles in the order customer, seller, admin. */
  roles: Roles,
  addresses: Schema.Array(Address).pipe(Schema.maxItems(userLimits.maxAddresses)),
  payment_methods: Schema.Array(PaymentMethod).pipe(Schema.maxItems(userLimits.maxPaymentMethods)),
  created_at: Rfc3339Utc
})
export type User = typeof User.Type

/** Before `Register`: the id exists only as an address. */
export const NewUser = Schema.Struct({ status: Schema.Literal("new"), user_id: Schema.String })
export type NewUser = typeof NewUser.Type

export const UserState = Schema.Union(NewUser, User)
export type UserState = typeof UserState.Type

export const Register = Schema.TaggedStruct("Register", {
  email: Email,
  name: UserName,
  password_hash: PasswordHash,
  roles: Roles,
  created_at: Rfc3339Utc
})
export const AddAddress = Schema.TaggedStruct("AddAddress", { address: Address })
export const AddPaymentMethod = Schema.TaggedStruct("AddPaymentMethod", { method: PaymentMethod })
export const GrantRole = Schema.TaggedStruct("GrantRole", { role: Role })
export const GetUser = Schema.TaggedStruct("Get", {})

export const UserCommand = Schema.Union(Register, AddAddress, AddPaymentMethod, GrantRole, GetUser)
export type UserCommand = typeof UserCommand.Type

export const UserEvent = Schema.Union(
  Schema.TaggedStruct("Registered", {
    email: Email,
    name: UserName,
    password_hash: PasswordHash,
    roles: Roles,
    created_at: Rfc3339Utc
  }),
  Schema.TaggedStruct("AddressAdded", { address: Address }),
  Schema.TaggedStruct("PaymentMethodAdded", { method: PaymentMethod }),
  Schema.TaggedStruct("RoleGranted", { role: Role })
)
export type UserEvent = typeof UserEvent.Type

/** `Register` on an account that already exists with other data (another signup won the id, or a bootstrap re-hashed). */
export class UserAlreadyRegistered extends Schema.TaggedError<UserAlreadyRegistered>()("UserAlreadyRegistered", {
  reason: Schema.Literal("already_registered")
}) {}
/** Any command but `Register` on an id that was never registered. Map to 404 (or 401 for a session's user). */
export class UserNotFound extends Schema.TaggedError<UserNotFound>()("UserNotFound", {
  reason: Schema.Literal("not_found")
}) {}
/** A new address beyond `userLimits.maxAddresses`. Map to 422. */
export class AddressLimit extends Schema.TaggedError<AddressLimit>()("AddressLimit", {
  reason: Schema.Literal("address_limit"),
  limit: Schema.Number
}) {}
/** A new payment method beyond `userLimits.maxPaymentMethods`. Map to 422. */
export class PaymentMethodLimit extends Schema.TaggedError<PaymentMethodLimit>()("PaymentMethodLimit", {
  reason: Schema.Literal("payment_method_limit"),
  limit: Schema.Number
}) {}
/** An `address_id` or `payment_method_id` sent again with different content. Map to 409 `conflict`. */
export class UserIdReused extends Schema.TaggedError<UserIdReused>()("UserIdReused", {
  reason: Schema.Literal("address_id_reused", "payment_method_id_reused"),
  id: Schema.String
}) {}

export const UserRejection = Schema.Union(UserAlreadyRegistered, UserNotFound, AddressLimit, PaymentMethodLimit, UserIdReused)
export type UserRejection = typeof UserRejection.Type

const validateCommand = commandValidator("user", UserCommand)
const isUserId = Schema.is(UserId)

const inRoleOrder = (roles: ReadonlyArray<Role>): ReadonlyArray<Role> => roleOrder.filter((r) => roles.includes(r))

const sameRegistration = (user: User, c: typeof Register.Type) =>
  user.email === c.email &&
  user.name === c.name &&
  user.password_hash === c.password_hash &&
  sameJson(user.roles, inRoleOrder(c.roles))

const notFound = () => reject(new UserNotFound({ reason: "not_found" }))

export const decideUser = (state: UserState, command: UserCommand): Decision<UserEvent, User, UserRejection> => {
  validateCommand(command)
  if (command._tag === "Register") {
    if (!isUserId(state.user_id)) throw new Error(`user actor id "${state.user_id}" is not a user id (u_ + ≥ 96 random bits)`)
    if (state.status === "active") {
      // `created_at` is stamped by the caller and is not part of "the same data": a retry may restamp it.
      return sameRegistration(state, command) ? accept([], state) : reject(new UserAlreadyRegistered({ reason: "already_registered" }))
    }
    const event: UserEvent = {
      _tag: "Registered",
      email: command.email,
      name: command.name,
      password_hash: command.password_hash,
      roles: inRoleOrder(command.roles),
      created_at: command.created_at
    }
    return acceptWith(state, event)
  }
  if (state.status === "new") return notFound()
  switch (command._tag) {
    case "Get":
      return accept([], state)
    case "AddAddress": {
      const { address } = command
      const existing = state.addresses.find((a) => a.address_id === address.address_id)
      if (existing !== undefined) {
        return sameJson(existing, address) ? accept([], state) : reject(new UserIdReused({ reason: "address_id_reused", id: address.address_id }))
      }
      if (state.addresses.length >= userLimits.maxAddresses) return reject(new AddressLimit({ reason: "address_limit", limit: userLimits.maxAddresses }))
      return acceptWith(state, { _tag: "AddressAdded", address })
    }
    case "AddPaymentMethod": {
      const { method } = command
      const existing = state.payment_methods.find((m) => m.payment_method_id === method.payment_method_id)
      if (existing !== undefined) {
        return sameJson(existing, method)
          ? accept([], state)
          : reject(new UserIdReused({ reason: "payment_method_id_reused", id: method.payment_method_id }))
      }
      if (state.payment_methods.length >= userLimits.maxPaymentMethods) {
        return reject(new PaymentMethodLimit({ reason: "payment_method_limit", limit: userLimits.maxPaymentMethods }))
      }
      return acceptWith(state, { _tag: "PaymentMethodAdded", method })
    }
    case "GrantRole":
      return state.roles.includes(command.role) ? accept([], state) : acceptWith(state, { _tag: "RoleGranted", role: command.role })
  }
}

/** Accept one event and reply the state it leads to. */
const acceptWith = (state: UserState, event: UserEvent) => accept([event], evolveUser(state, event) as User)

export const evolveUser = (state: UserState, event: UserEvent): UserState => {
  let next: User
  if (event._tag === "Registered") {
    if (state.status !== "new") throw new Error(`user ${state.user_id}: Registered twice`)
    const { _tag, ...registration } = event
    next = { status: "active", user_id: state.user_id, ...registration, addresses: [], payment_methods: [] }
  } else {
    if (state.status !== "active") throw new Error(`user ${state.user_id}: ${event._tag} before Registered`)
    switch (event._tag) {
      case "AddressAdded":
        next = { ...state, addresses: [...state.addresses, event.address] }
        break
      case "PaymentMethodAdded":
        next = { ...state, payment_methods: [...state.payment_methods, event.method] }
        break
      case "RoleGranted":
        next = { ...state, roles: inRoleOrder([...state.roles, event.role]) }
        break
    }
  }
  assertUser(next)
  return next
}

function assertUser(user: User) {
  const fail = (what: string) => {
    throw new Error(`user ${user.user_id}: ${what}`)
  }
  if (user.addresses.length > userLimits.maxAddresses) fail(`${user.addresses.length} addresses`)
  if (user.payment_methods.length > userLimits.maxPaymentMethods) fail(`${user.payment_methods.length} payment methods`)
  if (new Set(user.addresses.map((a) => a.address_id)).size !== user.addresses.length) fail("duplicate address_id")
  if (new Set(user.payment_methods.map((m) => m.payment_method_id)).size !== user.payment_methods.length) fail("duplicate payment_method_id")
  if (user.roles.length === 0 || !sameJson(user.roles, inRoleOrder(user.roles))) fail(`roles ${user.roles.join(",")} not a set in order`)
}

export const user: ActorDefinition<UserState, UserCommand, UserEvent, User, UserRejection> = {
  name: "user",
  state: UserState,
  command: UserCommand,
  event: UserEvent,
  reply: User,
  rejection: UserRejection,
  initialState: (id) => ({ status: "new", user_id: id }),
  decide: (state, command) => decideUser(state, command),
  evolve: evolveUser,
  limits: { mailboxCapacity: 64, snapshotEveryEvents: 50 }
}
