/** Settings of the cart, wishlist and recently-viewed routes (README, "Configuration"). */
export interface CartConfig {
  /**
   * The currency every cart is opened in (ISO 4217, upper case): an empty cart shows it, and a
   * SKU priced in another currency cannot be added. Env `STORE_CURRENCY`, default `INR`.
   */
  readonly storeCurrency: string
}

export const defaultCartConfig: CartConfig = { storeCurrency: "INR" }

export const cartConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): CartConfig => {
  const raw = env["STORE_CURRENCY"]
  if (raw === undefined || raw === "") return defaultCartConfig
  if (!/^[A-Z]{3}$/.test(raw)) throw new Error(`STORE_CURRENCY must be an ISO 4217 code in upper case (like INR), got "${raw}"`)
  return { storeCurrency: raw }
}
