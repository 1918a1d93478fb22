/**
 * Prices of the demo catalog are drawn in Indian rupees and converted to the store currency
 * (`STORE_CURRENCY`, default INR) with a fixed, approximate rate, then given the usual "charm"
 * ending (₹54,999, ₹499, $649.99). Rates are fixed on purpose: the catalog must not depend on
 * the day it is generated. A currency not in the table is priced like USD (rate and two decimals).
 */

interface CurrencyRule {
  /** Units of the currency per rupee. */
  readonly perRupee: number
  /** Digits after the decimal point (minor units per major unit = 10^exponent). */
  readonly exponent: 0 | 2 | 3
}

const rules: Readonly<Record<string, CurrencyRule>> = {
  INR: { perRupee: 1, exponent: 2 },
  USD: { perRupee: 0.012, exponent: 2 },
  EUR: { perRupee: 0.011, exponent: 2 },
  GBP: { perRupee: 0.0095, exponent: 2 },
  AED: { perRupee: 0.044, exponent: 2 },
  SGD: { perRupee: 0.016, exponent: 2 },
  AUD: { perRupee: 0.018, exponent: 2 },
  CAD: { perRupee: 0.016, exponent: 2 },
  JPY: { perRupee: 1.8, exponent: 0 },
  KWD: { perRupee: 0.0037, exponent: 3 }
}

export const currencyRule = (currency: string): CurrencyRule => rules[currency] ?? rules["USD"]!

/** A price in the currency's minor units, with a charm ending, at least one minor unit. */
export const priceIn = (currency: string, rupees: number): number => {
  const { perRupee, exponent } = currencyRule(currency)
  const major = rupees * perRupee
  const scale = 10 ** exponent
  if (currency === "INR") {
    // ₹54,999 / ₹499 / ₹45: whole rupees.
    const whole = major >= 1000 ? Math.round(major / 100) * 100 - 1 : major >= 100 ? Math.round(major / 10) * 10 - 1 : Math.max(1, Math.round(major))
    return whole * scale
  }
  if (exponent === 0) return Math.max(1, major >= 1000 ? Math.round(major / 100) * 100 - 20 : Math.round(major / 10) * 10)
  // 649.99 / 4.49 (the smallest: 0.99, or 0.999 for three decimals).
  const rounded = major >= 100 ? Math.round(major) : Math.max(1, Math.round(major * 2) / 2)
  return Math.round(rounded * scale) - 1
}
