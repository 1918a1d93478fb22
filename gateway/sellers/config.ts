/** Settings of the seller and catalog write routes (README, "Configuration"). */
export interface CatalogWriteConfig {
  /**
   * The one currency the store sells in (ISO 4217, upper case). Every SKU price is in it; a listing
   * in another currency is refused (422 `currency_not_supported`). Env `STORE_CURRENCY`, default `INR`.
   */
  readonly storeCurrency: string
}

export const defaultCatalogWriteConfig: CatalogWriteConfig = { storeCurrency: "INR" }

export const catalogWriteConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): CatalogWriteConfig => {
  const raw = env["STORE_CURRENCY"]
  if (raw === undefined || raw === "") return defaultCatalogWriteConfig
  if (!/^[A-Z]{3}$/.test(raw)) throw new Error(`STORE_CURRENCY must be an ISO 4217 code in upper case (like INR), got "${raw}"`)
  return { storeCurrency: raw }
}
