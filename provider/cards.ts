/**
 * Card checks and the simulator's test cards. Pure: no clock, no I/O (the current month is a
 * parameter). A card number only ever passes through these functions; nothing here keeps it.
 */

/** What the simulator does when a card's token is used to authorize a payment. */
export type CardBehaviour =
  | "approve"
  | "decline"
  | "insufficient_funds"
  | "slow"
  | "pending"
  | "error_after_charge"
  | "drop_after_charge"

export interface TestCard {
  readonly number: string
  readonly behaviour: CardBehaviour
  readonly description: string
}

/** The documented test cards (provider/README.md). Any other valid card number approves. */
export const testCards: ReadonlyArray<TestCard> = [
  { number: "4242424242424242", behaviour: "approve", description: "authorized" },
  { number: "4000000000000002", behaviour: "decline", description: "declined with decline_code card_declined" },
  { number: "4000000000009995", behaviour: "insufficient_funds", description: "declined with decline_code insufficient_funds" },
  {
    number: "4000000000000259",
    behaviour: "slow",
    description: "authorized at once, but every answer to its authorization comes after PROVIDER_SLOW_CARD_DELAY_MS (30 s): a timeout for the caller"
  },
  {
    number: "4000000000003220",
    behaviour: "pending",
    description: "pending (3-D-Secure-like) until POST /v1/test/payments/{id}/settle decides it"
  },
  {
    number: "4000000000000119",
    behaviour: "error_after_charge",
    description: "authorized and stored, but the first answer is a 500; a retry with the same Idempotency-Key gets the real answer"
  },
  {
    number: "4000000000000127",
    behaviour: "drop_after_charge",
    description: "authorized and stored, but the first answer is a dropped connection; a retry with the same Idempotency-Key gets the real answer"
  }
]

const behaviourByNumber = new Map(testCards.map((card) => [card.number, card.behaviour]))

export const behaviourOf = (cardNumber: string): CardBehaviour => behaviourByNumber.get(cardNumber) ?? "approve"

export type CardBrand = "visa" | "mastercard" | "amex" | "discover" | "rupay" | "unknown"

export const luhnValid = (digits: string): boolean => {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48
    if (double) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
    double = !double
  }
  return sum % 10 === 0
}

export const brandOf = (digits: string): CardBrand => {
  const two = Number(digits.slice(0, 2))
  const four = Number(digits.slice(0, 4))
  if (digits.startsWith("4")) return "visa"
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return "mastercard"
  if (two === 34 || two === 37) return "amex"
  if (digits.startsWith("6011") || digits.startsWith("65") || (four >= 6440 && four <= 6499)) return "discover"
  if (two === 60 || two === 81 || two === 82 || digits.startsWith("508")) return "rupay"
  return "unknown"
}

export interface CardInput {
  readonly card_number: string
  readonly exp_month: number
  readonly exp_year: number
  readonly cvc: string
}

/** Why a card is refused at tokenization; each is a 400 with this code. */
export type CardProblem = "invalid_number" | "invalid_expiry" | "expired_card" | "invalid_cvc"

export interface CardCheck {
  readonly brand: CardBrand
  readonly last4: string
  readonly behaviour: CardBehaviour
}

/** A card is accepted for at most this many years ahead. */
export const maxYearsAhead = 20

/**
 * Checks a card for tokenization. `nowYear`/`nowMonth` (1..12) are the current UTC month: a card
 * is valid through the last day of its expiry month.
 */
export const checkCard = (card: CardInput, nowYear: number, nowMonth: number): CardCheck | CardProblem => {
  const digits = card.card_number
  if (!/^[0-9]{12,19}$/.test(digits) || !luhnValid(digits)) return "invalid_number"
  if (!Number.isInteger(card.exp_month) || card.exp_month < 1 || card.exp_month > 12) return "invalid_expiry"
  if (!Number.isInteger(card.exp_year) || card.exp_year < 2000 || card.exp_year > nowYear + maxYearsAhead) return "invalid_expiry"
  if (card.exp_year < nowYear || (card.exp_year === nowYear && card.exp_month < nowMonth)) return "expired_card"
  const brand = brandOf(digits)
  const cvcPattern = brand === "amex" ? /^[0-9]{4}$/ : /^[0-9]{3}$/
  if (!cvcPattern.test(card.cvc)) return "invalid_cvc"
  return { brand, last4: digits.slice(-4), behaviour: behaviourOf(digits) }
}

export const cardProblemMessages: Record<CardProblem, string> = {
  invalid_number: "card_number must be 12 to 19 digits passing the Luhn check",
  invalid_expiry: `exp_month must be 1..12 and exp_year a four-digit year at most ${maxYearsAhead} years ahead`,
  expired_card: "the card has expired",
  invalid_cvc: "cvc must be 3 digits (4 for American Express)"
}
