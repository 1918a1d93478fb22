import { Effect, Schema } from "effect"
import { PaymentId } from "../../actors/payments/fields.ts"
import type { Payment } from "../../actors/payments/payment.ts"
import { providerFactsOf } from "../../actors/payments/provider-facts.ts"
import { verifyWebhook } from "../../provider/webhook-verifier.ts"
import type { Actors } from "../../runtime/service.ts"
import { ApiError, unprocessable } from "../api-error.ts"
import { type AnyRoute, commonErrors, route } from "../route.ts"
import type { PaymentsConfig } from "./config.ts"
import { paymentApiError } from "./errors.ts"
import { askPayment } from "./payment-io.ts"

/**
 * `POST /v1/webhooks/payment-provider`: the provider's signed events. The signature is checked
 * over the body exactly as received (`Provider-Signature: t=…,v1=…`, any configured secret,
 * timestamp within the tolerance), then the event's payment record is applied to the payment
 * actor named by its `reference` (our payment id) as `ApplyWebhook`: the actor drops an event id
 * it has seen and any version not newer than the one applied, and moves a payment only forward,
 * so a late, repeated or out-of-order delivery changes nothing. An event about a payment this
 * store never made is acknowledged and ignored (the provider account may serve others).
 *
 * Answers: 200 `{received, applied, payment_status}`; 401 a missing, wrong or stale signature;
 * 422 facts the payment refuses (another provider payment, impossible amounts); 503 the store is
 * busy (the provider retries with backoff).
 */

export const webhookPath = "/v1/webhooks/payment-provider"

export interface WebhookDeps {
  readonly config: PaymentsConfig
  /** After an event moved a payment (a pending authorization settled, a capture or refund confirmed): let the saga carry on. */
  readonly onPaymentChanged?: (payment: Payment) => Effect.Effect<void, never, Actors>
}

const WebhookAnswer = Schema.Struct({
  received: Schema.Boolean,
  applied: Schema.Boolean,
  payment_status: Schema.NullOr(Schema.String)
})
type WebhookAnswer = typeof WebhookAnswer.Type

const isPaymentId = Schema.is(PaymentId)
const signatureRefused = (message: string) => new ApiError({ status: 401, code: "invalid_signature", message, details: {} })

export const receiveWebhook = (deps: WebhookDeps, header: string | undefined, bodyText: string, nowMs: number): Effect.Effect<WebhookAnswer, ApiError, Actors> =>
  Effect.gen(function* () {
    const event = yield* verifyWebhook({ secrets: deps.config.webhookSecrets, toleranceSeconds: deps.config.webhookToleranceSeconds }, header, bodyText, nowMs).pipe(
      Effect.mapError((rejected) => (rejected.reason === "malformed_body" ? unprocessable("invalid_event", rejected.message) : signatureRefused(rejected.message)))
    )
    const record = event.data.payment
    const ignored: WebhookAnswer = { received: true, applied: false, payment_status: null }
    if (!isPaymentId(record.reference)) return ignored
    const before = yield* askPayment(record.reference, { _tag: "Get" }).pipe(
      Effect.catchTag("PaymentNotFound", () => Effect.succeed(undefined)),
      Effect.mapError(paymentApiError)
    )
    if (before === undefined) return ignored
    const after = yield* askPayment(record.reference, { _tag: "ApplyWebhook", event_id: event.id, facts: providerFactsOf(record) }).pipe(
      Effect.mapError((error) => (error._tag === "ProviderFactsRejected" ? unprocessable("webhook_refused", error.message, { reason: error.reason }) : paymentApiError(error)))
    )
    const changed = after.status !== before.status || after.provider_version !== before.provider_version
    if (changed && deps.onPaymentChanged !== undefined) yield* deps.onPaymentChanged(after)
    return { received: true, applied: changed, payment_status: after.status }
  })

export const webhookRoutes = (deps: WebhookDeps): ReadonlyArray<AnyRoute<Actors>> => [
  route({
    operationId: "receivePaymentProviderWebhook",
    method: "post",
    path: webhookPath,
    summary:
      "For the payment provider only: a signed payment event (Provider-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'> with a secret of PAYMENT_WEBHOOK_SECRETS). Applied to the payment it names; repeated, late and out-of-order events change nothing. Events about unknown payments are acknowledged and ignored.",
    tags: ["payments"],
    access: "public",
    rateClass: "write",
    idempotency: "none",
    body: Schema.Unknown,
    success: { status: 200, schema: WebhookAnswer, description: "the event was verified; `applied` says whether it changed the payment" },
    errors: [...commonErrors, [401, "invalid_signature"], [422, "invalid_event"], [422, "webhook_refused"]],
    handler: (r) =>
      receiveWebhook(deps, r.headers["provider-signature"], r.bodyText ?? "", r.nowMs).pipe(Effect.map((body) => ({ body })))
  })
]
