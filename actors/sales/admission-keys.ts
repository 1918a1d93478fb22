import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandChecker, InvalidCommand } from "../cart/fields.ts"
import { EpochMs } from "./sale-schema.ts"

/**
 * Actor "admission-keys", one instance (id `current`): the HMAC keys that sign admission tokens,
 * persisted so tokens stay valid across restarts, and rotatable. The newest key signs; the last
 * `keep` keys verify (a token lives at most 30 minutes, so a rotation never strands a live one
 * unless the operator rotates `keep` times within that). Key material is minted at the edge
 * (crypto) and arrives in the command; `decide` draws no randomness.
 */

export const admissionKeyLimits = { keep: 4 } as const

export const KeyId = Schema.String.pipe(Schema.pattern(/^k[0-9a-z]{1,32}$/))
/** 32 random bytes, base64url. */
export const KeySecret = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{43}$/))

export const AdmissionKey = Schema.Struct({ key_id: KeyId, secret: KeySecret, created_at_ms: EpochMs })
export type AdmissionKey = typeof AdmissionKey.Type

export const KeysState = Schema.Struct({ keys: Schema.Array(AdmissionKey) })
export type KeysState = typeof KeysState.Type

export const KeysCommand = Schema.Union(
  /** Make sure a key exists (the first start); does nothing when one does. */
  Schema.TaggedStruct("Ensure", { key: AdmissionKey }),
  /** Sign with `key` from now on (the oldest beyond `keep` is forgotten). */
  Schema.TaggedStruct("Rotate", { key: AdmissionKey }),
  Schema.TaggedStruct("Get", {})
)
export type KeysCommand = typeof KeysCommand.Type

export const KeysEvent = Schema.Union(Schema.TaggedStruct("KeyAdded", { key: AdmissionKey }))
export type KeysEvent = typeof KeysEvent.Type

/** Newest first. */
export const KeysReply = Schema.Struct({ keys: Schema.Array(AdmissionKey) })
export type KeysReply = typeof KeysReply.Type

export class KeyIdTaken extends Schema.TaggedError<KeyIdTaken>()("KeyIdTaken", { reason: Schema.Literal("key_id_taken") }) {}
export const KeysRejection = Schema.Union(InvalidCommand, KeyIdTaken)
export type KeysRejection = typeof KeysRejection.Type

const checkCommand = commandChecker(KeysCommand)

const evolveKeys = (state: KeysState, event: KeysEvent): KeysState => ({ keys: [event.key, ...state.keys].slice(0, admissionKeyLimits.keep) })

const decideKeys = (state: KeysState, command: KeysCommand): Decision<KeysEvent, KeysReply, KeysRejection> => {
  const invalid = checkCommand(command)
  if (invalid !== undefined) return reject(invalid)
  if (command._tag === "Get" || (command._tag === "Ensure" && state.keys.length > 0)) return accept([], { keys: state.keys })
  if (state.keys.some((k) => k.key_id === command.key.key_id)) return reject(new KeyIdTaken({ reason: "key_id_taken" }))
  const event: KeysEvent = { _tag: "KeyAdded", key: command.key }
  return accept([event], evolveKeys(state, event))
}

export const admissionKeys: ActorDefinition<KeysState, KeysCommand, KeysEvent, KeysReply, KeysRejection> = {
  name: "admission-keys",
  state: KeysState,
  command: KeysCommand,
  event: KeysEvent,
  reply: KeysReply,
  rejection: KeysRejection,
  initialState: () => ({ keys: [] }),
  decide: decideKeys,
  evolve: evolveKeys,
  limits: { mailboxCapacity: 1_000, snapshotEveryEvents: 100 }
}
