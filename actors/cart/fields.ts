import { ParseResult, Schema } from "effect"

/**
 * Field schemas shared by the cart, wishlist and recently-viewed actors. Every string and list
 * is bounded; money is an integer count of minor units (cents), never a float.
 */

export const cartLimits = {
  /** Distinct SKUs (lines) per cart; a 101st is refused with `cart_limit`. */
  maxLines: 100,
  /** Units per line; adding past it is refused with `quantity_limit`. */
  maxQuantity: 100,
  /** Orders whose `Clear` is remembered for retries (oldest forgotten first). */
  maxRememberedOrders: 20,
  /** Merges whose outcome is remembered for retries (oldest forgotten first). */
  maxRememberedMerges: 10,
  /**
   * Largest unit price in minor units: 100 lines × 100 units × this stays below
   * `Number.MAX_SAFE_INTEGER`, so every line total and subtotal is exact.
   */
  maxUnitPrice: 100_000_000_000
} as const

export const wishlistLimits = {
  /** Items per wishlist; a 501st distinct SKU is refused with `wishlist_limit`. */
  maxItems: 500
} as const

export const recentlyViewedLimits = {
  /** Products kept; viewing one more forgets the least recently viewed. */
  maxItems: 50
} as const

/** A bounded, printable, non-blank string of at most `max` characters. */
export const Text = (max: number) =>
  Schema.String.pipe(
    Schema.minLength(1),
    Schema.maxLength(max),
    Schema.filter((s) => !/\p{Cc}/u.test(s), { message: () => "must not contain control characters" }),
    Schema.filter((s) => s.trim().length > 0, { message: () => "must not be blank" })
  )

/** `cart_` + base64url of ≥ 96 random bits (16..64 characters); chosen by the gateway. */
export const CartId = Schema.String.pipe(Schema.pattern(/^cart_[A-Za-z0-9_-]{16,64}$/))
/** Opaque ids minted elsewhere: owners (a user id or an anonymous session id), products, orders, users. */
export const OpaqueId = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_.:-]{1,128}$/))
/** Who a cart belongs to: a user id (`u_…`) or an anonymous session id. */
export const OwnerId = OpaqueId
export const ProductId = OpaqueId
export const OrderId = OpaqueId
/** Same shape as the inventory SKU actor's id. */
export const SkuId = Schema.String.pipe(Schema.pattern(/^sku_[A-Za-z0-9_-]{1,64}$/))
/** ISO 4217 alphabetic code, upper case. */
export const Currency = Schema.String.pipe(Schema.pattern(/^[A-Z]{3}$/))
export const ProductTitle = Text(300)

const Int = Schema.Number.pipe(Schema.int())
/** Price of one unit in minor units. */
export const UnitPrice = Int.pipe(Schema.between(0, cartLimits.maxUnitPrice))
/** Units in a line, or in one request: 1..100. */
export const Quantity = Int.pipe(Schema.between(1, cartLimits.maxQuantity))
/** A line's new quantity: 0 removes the line. */
export const QuantityOrZero = Int.pipe(Schema.between(0, cartLimits.maxQuantity))
/** An RFC 3339 UTC timestamp as the API prints it, e.g. `2025-01-31T12:00:00.000Z`. */
export const Rfc3339Utc = Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/))

/** A command that does not satisfy its schema: a caller bug, answered 400. */
export class InvalidCommand extends Schema.TaggedError<InvalidCommand>()("InvalidCommand", {
  reason: Schema.Literal("invalid_command"),
  message: Schema.String
}) {}

/**
 * Check a command against its schema; answer the problem (with its path) or undefined.
 * Commands are decoded at the edge; one that arrives malformed here is refused before any
 * event is built, so nothing unreadable is ever persisted.
 */
export const commandChecker = <A, I>(schema: Schema.Schema<A, I>) => {
  const validate = ParseResult.validateEither(schema, { onExcessProperty: "ignore" })
  return (command: unknown): InvalidCommand | undefined => {
    const result = validate(command)
    if (result._tag === "Right") return undefined
    const message = ParseResult.TreeFormatter.formatIssueSync(result.left)
    return new InvalidCommand({ reason: "invalid_command", message: message.length > 1000 ? `${message.slice(0, 1000)}…` : message })
  }
}
