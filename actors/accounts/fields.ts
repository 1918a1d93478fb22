import { ParseResult, Schema } from "effect"

/**
 * Field schemas shared by the account actors (user, email index, session). Every string is
 * bounded; the gateway decodes request bodies with these before building commands, and the
 * actors check commands against them again (a malformed command is a caller bug: a defect).
 */

/** Printable text: no control characters (they have no business in names or addresses). */
const isPrintable = (s: string) => !/\p{Cc}/u.test(s)
const printable = { message: () => "must not contain control characters" }

/** A bounded, printable, non-blank string of at most `max` characters. */
export const Text = (max: number) =>
  Schema.String.pipe(
    Schema.minLength(1),
    Schema.maxLength(max),
    Schema.filter(isPrintable, printable),
    Schema.filter((s) => s.trim().length > 0, { message: () => "must not be blank" })
  )

/** `u_` + base64url of ≥ 96 random bits (16..64 characters); minted by the gateway, never by an actor. */
export const UserId = Schema.String.pipe(Schema.pattern(/^u_[A-Za-z0-9_-]{16,64}$/))

/** `addr_` + base64url of ≥ 96 random bits. */
export const AddressId = Schema.String.pipe(Schema.pattern(/^addr_[A-Za-z0-9_-]{16,64}$/))
/** `pm_` + base64url of ≥ 96 random bits. */
export const PaymentMethodId = Schema.String.pipe(Schema.pattern(/^pm_[A-Za-z0-9_-]{16,64}$/))

/**
 * The canonical form of an email address used as the email index's actor id and stored on the
 * user: Unicode NFC, trimmed, lowercased. (Lowercasing the local part is technically lossy; no
 * real mailbox provider distinguishes case, and one account per spelling would be worse.)
 */
export const normalizeEmail = (email: string): string => email.normalize("NFC").trim().toLowerCase()

/** An email address already in canonical form (see `normalizeEmail`), at most 254 characters. */
export const Email = Schema.String.pipe(
  Schema.maxLength(254),
  Schema.pattern(/^[^\s@]{1,64}@[^\s@.]{1,63}(?:\.[^\s@.]{1,63})+$/u),
  Schema.filter(isPrintable, printable),
  Schema.filter((s) => normalizeEmail(s) === s, { message: () => "must be normalized (trimmed, lowercase, NFC)" })
)

export const Role = Schema.Literal("customer", "seller", "admin")
export type Role = typeof Role.Type
export const roleOrder: ReadonlyArray<Role> = ["customer", "seller", "admin"]

/** Roles as a set: 1..3 distinct roles. Actors store them in `roleOrder`. */
export const Roles = Schema.Array(Role).pipe(
  Schema.minItems(1),
  Schema.maxItems(3),
  Schema.filter((roles) => new Set(roles).size === roles.length, { message: () => "roles must be distinct" })
)

/** An RFC 3339 UTC timestamp as the API prints it, e.g. `2025-01-31T12:00:00.000Z`. */
export const Rfc3339Utc = Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/))

/** Milliseconds since the epoch, within what `Date` can represent. */
export const EpochMs = Schema.Number.pipe(Schema.int(), Schema.between(0, 8.64e15))

/** Password hashes are produced by gateway/auth/password.ts (`scrypt$…`); the actor only stores them. */
export const PasswordHash = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(512), Schema.pattern(/^[\x21-\x7e]+$/))

/** Officially assigned ISO 3166-1 alpha-2 codes (249). */
export const iso3166Alpha2: ReadonlySet<string> = new Set(
  (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
    "KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
    "MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ " +
    "UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
  ).split(" ")
)

/** ISO 3166-1 alpha-2, upper case (the gateway may upper-case client input before decoding). */
export const CountryCode = Schema.String.pipe(
  Schema.filter((s) => iso3166Alpha2.has(s), { message: () => "must be an ISO 3166-1 alpha-2 country code (upper case)" })
)

/** A shipping address as API.md describes it. */
export const Address = Schema.Struct({
  address_id: AddressId,
  name: Text(100),
  line1: Text(200),
  line2: Schema.optional(Text(200)),
  city: Text(100),
  region: Text(100),
  postal_code: Text(20),
  country: CountryCode
})
export type Address = typeof Address.Type

/**
 * A payment-provider token: opaque, 1..200 URL-safe characters. Never a card number: any run of
 * 12 or more digits is refused, so a PAN pasted into the field cannot be stored.
 */
export const ProviderToken = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9_.:-]{1,200}$/),
  Schema.filter((s) => !/\d{12,}/.test(s), { message: () => "looks like a card number; send a provider token" })
)

/** A UPI virtual payment address, e.g. `name@bank`. */
export const Vpa = Schema.String.pipe(Schema.maxLength(255), Schema.pattern(/^[A-Za-z0-9._-]{2,200}@[A-Za-z][A-Za-z0-9]{1,63}$/))

/**
 * A stored payment method; one shape per `type`. Only provider tokens and display hints
 * (`last4`, `brand`) are kept: card numbers and CVVs never reach the actors.
 */
export const PaymentMethod = Schema.Union(
  Schema.Struct({
    payment_method_id: PaymentMethodId,
    type: Schema.Literal("card"),
    token: ProviderToken,
    last4: Schema.optional(Schema.String.pipe(Schema.pattern(/^\d{4}$/))),
    brand: Schema.optional(Text(32))
  }),
  Schema.Struct({ payment_method_id: PaymentMethodId, type: Schema.Literal("cod") }),
  Schema.Struct({ payment_method_id: PaymentMethodId, type: Schema.Literal("wallet"), token: Schema.optional(ProviderToken) }),
  Schema.Struct({ payment_method_id: PaymentMethodId, type: Schema.Literal("upi"), vpa: Vpa })
)
export type PaymentMethod = typeof PaymentMethod.Type

/**
 * Throw (a defect, the actor crashes and reloads) when a command does not satisfy its schema.
 * Commands are decoded at the edge; one that arrives malformed here is a bug in the caller, and
 * letting it through would persist events that cannot be read back.
 */
export const commandValidator = <A, I>(actor: string, schema: Schema.Schema<A, I>) => {
  const validate = ParseResult.validateEither(schema, { onExcessProperty: "ignore" })
  return (command: A): void => {
    const result = validate(command)
    if (result._tag === "Left") throw new Error(`invalid ${actor} command: ${ParseResult.TreeFormatter.formatIssueSync(result.left)}`)
  }
}

/** Deep equality of JSON-shaped values (records, arrays, primitives); key order does not matter. */
export const sameJson = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]))
  const ak = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined)
  const bk = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined)
  return ak.length === bk.length && ak.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}
