import { Effect } from "effect"
import type { ProviderClient } from "../../provider/client.ts"
import { PaymentProvider } from "../../provider/client.ts"
import type { Admission } from "../../actors/checkout/checkout.ts"
import type { Actors } from "../../runtime/service.ts"
import type { ApiError } from "../api-error.ts"
import type { AdmissionGate } from "../sales/admission.ts"
import { PaymentsBusy } from "../payments/payment-io.ts"
import {
  type AuthorizeInput,
  type AuthorizeOutcome,
  type PaymentStepError,
  type PaymentSteps,
  type StepOutcome
} from "../payments/payment-steps.ts"

/**
 * What the checkout saga needs of payments, behind one small interface: the payment steps of
 * gateway/payments (payment actor + provider, deterministic provider keys, reconciliation) with
 * the provider client bound, and the card fingerprint the fraud rules count by. A store without
 * a payment provider (no PAYMENT_PROVIDER_URL) takes cash on delivery and wallet payments; a card
 * checkout then answers 503.
 */
export interface CheckoutPayments {
  readonly authorize: (input: AuthorizeInput) => Effect.Effect<AuthorizeOutcome, PaymentStepError, Actors>
  readonly voidAuthorization: (paymentId: string) => Effect.Effect<StepOutcome, PaymentStepError, Actors>
  readonly capture: (paymentId: string) => Effect.Effect<StepOutcome, PaymentStepError, Actors>
  /** The provider's fingerprint of a card token; undefined when unknown or the provider cannot say now. */
  readonly fingerprintOf: (token: string) => Effect.Effect<string | undefined, never>
}

const noProvider = () => new PaymentsBusy({ message: "no payment provider is configured (PAYMENT_PROVIDER_URL)", retryAfterMs: 5_000 })

export const checkoutPayments = (steps: PaymentSteps, provider: ProviderClient | undefined): CheckoutPayments => {
  const withProvider = <A, E>(effect: Effect.Effect<A, E, Actors | PaymentProvider>): Effect.Effect<A, E | PaymentsBusy, Actors> =>
    provider === undefined
      ? // Non-card steps never touch the provider; one that does fails as busy.
        Effect.provideService(effect, PaymentProvider, unconfigured)
      : Effect.provideService(effect, PaymentProvider, provider)
  return {
    authorize: (input) => (input.method === "card" && provider === undefined ? Effect.fail(noProvider()) : withProvider(steps.authorize(input))),
    voidAuthorization: (paymentId) => withProvider(steps.voidAuthorization(paymentId)),
    capture: (paymentId) => withProvider(steps.capture(paymentId)),
    fingerprintOf: (token) =>
      provider === undefined
        ? Effect.succeed(undefined)
        : provider.getToken(token).pipe(
            Effect.map((t): string | undefined => t.fingerprint),
            Effect.orElseSucceed(() => undefined)
          )
  }
}

const unavailableRead = Effect.die(new Error("no payment provider is configured (PAYMENT_PROVIDER_URL)"))
/** Stands in for the provider when none is configured; only card payments would reach it, and they are refused before. */
const unconfigured: ProviderClient = {
  tokenize: () => unavailableRead,
  getToken: () => unavailableRead,
  authorize: () => unavailableRead,
  capture: () => unavailableRead,
  voidPayment: () => unavailableRead,
  refund: () => unavailableRead,
  getPayment: () => unavailableRead,
  paymentsOfReference: () => unavailableRead
}

/**
 * The waiting room's gate (gateway/sales/admission.ts) as the checkout uses it: claim the
 * shopper's admission token for a checkout of flash-sale SKUs (before anything is held), use it
 * up once the order exists, give it back when the checkout fails. Absent: no gate in this store.
 */
export interface CheckoutAdmissions {
  readonly check: (request: {
    readonly userId: string
    readonly skuIds: ReadonlyArray<string>
    readonly token: string | undefined
    readonly claimKey: string
    readonly nowMs: number
  }) => Effect.Effect<Admission | undefined, ApiError>
  readonly complete: (admission: Admission, userId: string, nowMs: number) => Effect.Effect<void, ApiError>
  readonly release: (admission: Admission, userId: string, nowMs: number) => Effect.Effect<void, ApiError>
}

const gateAdmission = (a: Admission, userId: string) => ({ saleId: a.sale_id, userId, tokenId: a.token_id, claimKey: a.claim_key })

export const admissionsOf = (gate: AdmissionGate): CheckoutAdmissions => ({
  check: (request) =>
    gate.checkAdmission(request).pipe(Effect.map((a): Admission | undefined => (a === undefined ? undefined : { sale_id: a.saleId, token_id: a.tokenId, claim_key: a.claimKey }))),
  complete: (admission, userId, nowMs) => gate.completeAdmission(gateAdmission(admission, userId), nowMs),
  release: (admission, userId, nowMs) => gate.releaseAdmission(gateAdmission(admission, userId), nowMs)
})
