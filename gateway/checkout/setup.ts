import { Effect } from "effect"
import { makeProviderClient } from "../../provider/client.ts"
import type { ProductCache } from "../catalog/product-cache.ts"
import { paymentSteps } from "../payments/payment-steps.ts"
import { checkoutRoutes } from "../routes/checkout.ts"
import { checkoutService } from "./checkouts.ts"
import type { CheckoutConfig } from "./config.ts"
import { admissionsOf, checkoutPayments } from "./ports.ts"
import type { AdmissionGate } from "../sales/admission.ts"
import { startCheckoutResumer } from "./resumer.ts"

/**
 * The checkout as the store runs it: the provider client (closed with the scope), the payment
 * steps, the waiting room's admission gate (flash sales), the saga service, its routes, and the
 * resumer fiber (stopped with the scope).
 */
export const startCheckout = (config: CheckoutConfig, products: ProductCache, admissionGate?: AdmissionGate) =>
  Effect.gen(function* () {
    const provider =
      config.provider === undefined
        ? undefined
        : yield* Effect.acquireRelease(
            Effect.sync(() => makeProviderClient(config.provider!)),
            (made) => Effect.sync(() => made.close())
          ).pipe(Effect.map((made) => made.client))
    const payments = checkoutPayments(paymentSteps(config.payments), provider)
    const admissions = admissionGate === undefined ? undefined : admissionsOf(admissionGate)
    const checkouts = checkoutService({ config, payments, products, admissions })
    yield* startCheckoutResumer(checkouts, config)
    return { routes: checkoutRoutes({ pricing: { config, products }, checkouts }), checkouts, provider }
  })
