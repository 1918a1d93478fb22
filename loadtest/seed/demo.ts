import type { ActorHost } from "../../runtime/host.ts"
import { checkSeedOptions, type SeedOptions } from "./generate.ts"
import { type CatalogLoadReport, loadCatalog, lockedPasswordHash, storeHasNoCatalog } from "./load.ts"

/**
 * The demo catalog `npm start` loads into an empty store, so a newcomer sees products at once:
 * 200 products of a fixed seed (the same catalog as `npm run seed -- --products 200 --seed 2024`),
 * stocked in three warehouses, sold by the seed's sellers (whose accounts cannot sign in).
 * `DEMO_CATALOG=off` turns it off. A store that has any category is never touched.
 */

export const demoCatalogOptions = (currency: string): SeedOptions => checkSeedOptions({ seed: 2024, products: 200, warehouses: 3, currency })

/** `DEMO_CATALOG`: `on` (default) or `off`. */
export const demoCatalogEnabled = (env: NodeJS.ProcessEnv): boolean => {
  const raw = env["DEMO_CATALOG"]
  if (raw === undefined || raw === "" || raw === "on") return true
  if (raw === "off") return false
  throw new Error(`DEMO_CATALOG must be "on" or "off", got "${raw}"`)
}

export type DemoCatalogOutcome = { readonly loaded: CatalogLoadReport } | { readonly skipped: "off" | "store_not_empty" }

export const loadDemoCatalog = async (host: ActorHost, env: NodeJS.ProcessEnv): Promise<DemoCatalogOutcome> => {
  if (!demoCatalogEnabled(env)) return { skipped: "off" }
  if (!(await storeHasNoCatalog(host))) return { skipped: "store_not_empty" }
  const options = demoCatalogOptions(env["STORE_CURRENCY"] || "INR")
  const loaded = await loadCatalog(host, options, { concurrency: 32, sellerPasswordHash: lockedPasswordHash, log: undefined, progressEveryMs: 60_000 })
  return { loaded }
}
