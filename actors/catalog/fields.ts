import { Schema } from "effect"

/**
 * Field schemas shared by the catalog actors (seller, category, category tree, product). Every
 * string and list is bounded. The gateway decodes request bodies with these, so a violation is a
 * 400 with the path of the problem there; a command that reaches an actor malformed is a caller
 * bug (a defect), as in the account actors.
 */

/** `s_` + 1..64 url-safe characters (minted by the gateway). */
export const SellerId = Schema.String.pipe(Schema.pattern(/^s_[A-Za-z0-9_-]{1,64}$/))
/** `cat_` + 1..64 url-safe characters (minted by the gateway, or chosen by the seed). */
export const CategoryId = Schema.String.pipe(Schema.pattern(/^cat_[A-Za-z0-9_-]{1,64}$/))
/** `p_` + 1..64 url-safe characters (minted by the gateway). */
export const ProductId = Schema.String.pipe(Schema.pattern(/^p_[A-Za-z0-9_-]{1,64}$/))

/** Printable text may hold line breaks and tabs (descriptions) but no other control characters. */
const noControlExceptWhitespace = (s: string) => !/[^\P{Cc}\t\n\r]/u.test(s)

/** At most `max` characters, no control characters but tab and line breaks; may be empty. */
export const LongText = (max: number) =>
  Schema.String.pipe(Schema.maxLength(max), Schema.filter(noControlExceptWhitespace, { message: () => "must not contain control characters" }))

/** ISO 4217 alphabetic code, upper case. Whether it is the store's currency is checked at the edge. */
export const CurrencyCode = Schema.String.pipe(Schema.pattern(/^[A-Z]{3}$/))

export const catalogLimits = {
  /** Attributes in one map (a product's, a SKU's) and in one category's schema. */
  maxAttributes: 50,
  /** Characters of a string attribute value and of an enum value. */
  maxAttributeValueLength: 500,
  /** Values of one enum attribute. */
  maxEnumValues: 200,
  /** Largest price, in minor units (10^10 = 100 million rupees in paise). */
  maxPriceMinor: 10_000_000_000,
  maxImages: 20,
  maxImageUrlLength: 2_048,
  maxSkus: 100,
  maxTitleLength: 200,
  maxDescriptionLength: 5_000,
  maxBrandLength: 100
} as const

/** Price in integer minor units (paise, cents), 0..10^10. */
export const PriceMinor = Schema.Number.pipe(Schema.int(), Schema.between(0, catalogLimits.maxPriceMinor))

/** An absolute http(s) URL without whitespace, at most 2,048 characters. Images are referenced, never stored. */
export const ImageUrl = Schema.String.pipe(
  Schema.maxLength(catalogLimits.maxImageUrlLength),
  Schema.pattern(/^https?:\/\/[^\s/?#]+[^\s]*$/i)
)
