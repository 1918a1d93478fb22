/** The store's one currency (ISO 4217, upper case), from `STORE_CURRENCY`; default `INR` as in the seed. */
export const defaultStoreCurrency = "INR"

/** Reads `STORE_CURRENCY`; a value that is not an upper-case ISO 4217 code stops the start with a message. */
export const storeCurrencyFromEnv = (env: NodeJS.ProcessEnv = process.env): string => {
  const raw = env["STORE_CURRENCY"]
  if (raw === undefined || raw === "") return defaultStoreCurrency
  if (!/^[A-Z]{3}$/.test(raw)) throw new Error(`STORE_CURRENCY must be an ISO 4217 code in upper case (like INR), got "${raw}"`)
  return raw
}
