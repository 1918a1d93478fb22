import { defaultStoreCurrency, storeCurrencyFromEnv } from "../store-currency.ts"

/** Settings of the seller and catalog write routes (README, "Configuration"). */
export interface CatalogWriteConfig {
  /**
   * The one currency the store sells in (ISO 4217, upper case). Every SKU price is in it; a listing
   * in another currency is refused (422 `currency_not_supported`). Env `STORE_CURRENCY`, default `INR`.
   */
  readonly storeCurrency: string
}

export const defaultCatalogWriteConfig: CatalogWriteConfig = { storeCurrency: defaultStoreCurrency }

export const catalogWriteConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): CatalogWriteConfig => ({ storeCurrency: storeCurrencyFromEnv(env) })
