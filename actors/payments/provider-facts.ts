import type * as Wire from "../../provider/wire.ts"
import type { ProviderFacts } from "./payment-schema.ts"

/** The facts the payment actor takes from a provider payment record (an answer, a webhook's `data.payment`, a read). */
export const providerFactsOf = (payment: Wire.Payment): ProviderFacts => ({
  provider_payment_id: payment.payment_id,
  version: payment.version,
  status: payment.status,
  amount: payment.amount,
  amount_captured: payment.amount_captured,
  amount_refunded: payment.amount_refunded,
  ...(payment.decline_code === undefined ? {} : { decline_code: payment.decline_code })
})
