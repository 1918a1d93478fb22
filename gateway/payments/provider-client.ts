import { Effect } from "effect"
import { makeProviderClient, type ProviderClient, type ProviderClientConfig, ProviderRejected, ProviderUnavailable } from "../../provider/client.ts"

/**
 * The store's provider client for its lifetime (connections closed with the scope), or, without
 * a provider (Postgres storage and no PAYMENT_PROVIDER_URL), one that refuses every call: a
 * write is `ProviderRejected` 503 `provider_not_configured` (the payment steps answer
 * `ProviderUnavailable` and record nothing), a read is `ProviderUnavailable`.
 */

export const providerNotConfigured = "provider_not_configured"

const message = "no payment provider is configured (set PAYMENT_PROVIDER_URL)"
const refuseWrite = () => Effect.fail(new ProviderRejected({ status: 503, code: providerNotConfigured, message }))
const refuseRead = () => Effect.fail(new ProviderUnavailable({ reason: "connection", message, attempts: 0 }))

export const unconfiguredProvider: ProviderClient = {
  tokenize: refuseWrite,
  getToken: refuseRead,
  authorize: refuseWrite,
  capture: refuseWrite,
  voidPayment: refuseWrite,
  refund: refuseWrite,
  getPayment: refuseRead,
  paymentsOfReference: refuseRead
}

export const scopedProviderClient = (config: ProviderClientConfig | undefined) =>
  config === undefined
    ? Effect.succeed(unconfiguredProvider)
    : Effect.acquireRelease(
        Effect.sync(() => makeProviderClient(config)),
        (made) => Effect.sync(() => made.close())
      ).pipe(Effect.map((made) => made.client))
