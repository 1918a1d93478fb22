import { defaultStoreCurrency, storeCurrencyFromEnv } from "../store-currency.ts"

/** Settings of the cart, wishlist and recently-viewed routes (README, "Configuration"). */
export interface CartConfig {
  /**
   * The currency every cart is opened in (ISO 4217, upper case): an empty cart shows it, and a
   * SKU priced in another currency cannot be added. Env `STORE_CURRENCY`, default `INR`.
   */
  readonly storeCurrency: string
}

export const defaultCartConfig: CartConfig = { storeCurrency: defaultStoreCurrency }

export const cartConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): CartConfig => ({ storeCurrency: storeCurrencyFromEnv(env) })
