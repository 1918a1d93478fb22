import { Clock, Effect, Either, Schema } from "effect"
import { type Payment, payment, type PaymentCommand, type PaymentRejection } from "../../actors/payments/payment.ts"
import { providerFactsOf } from "../../actors/payments/provider-facts.ts"
import { wallet, type Wallet, type WalletCommand, type WalletRejection } from "../../actors/payments/wallet.ts"
import type { ActorDefinition } from "../../runtime/actor.ts"
import { CorruptData, MailboxFull, Unavailable } from "../../runtime/errors.ts"
import { type Actors, send } from "../../runtime/service.ts"
import { PaymentProvider } from "../../provider/client.ts"
import type * as Wire from "../../provider/wire.ts"

/**
 * The two sides a payment step talks to: the payment (and wallet) actors, and the provider's
 * reads used to reconcile. Actor rejections stay typed; runtime trouble (full mailbox, storage
 * down) is `PaymentsBusy`, retryable; corrupt data is a defect.
 */

/** The store cannot take the command right now (mailbox full, storage down): retry after `retryAfterMs`. */
export class PaymentsBusy extends Schema.TaggedError<PaymentsBusy>()("PaymentsBusy", {
  message: Schema.String,
  retryAfterMs: Schema.Number
}) {}

const askActor = <State, Command, Event, Reply, Rejection>(
  definition: ActorDefinition<State, Command, Event, Reply, Rejection>,
  id: string,
  command: Command
): Effect.Effect<Reply, Rejection | PaymentsBusy, Actors> =>
  Effect.flatMap(Clock.currentTimeMillis, (nowMs) =>
    send(definition, id, command, nowMs).pipe(
      Effect.catchAll((error): Effect.Effect<never, Rejection | PaymentsBusy> => {
        if (error instanceof MailboxFull) return Effect.fail(new PaymentsBusy({ message: error.message, retryAfterMs: 1_000 }))
        if (error instanceof Unavailable) return Effect.fail(new PaymentsBusy({ message: error.message, retryAfterMs: error.retryAfterMs }))
        if (error instanceof CorruptData) return Effect.die(error)
        return Effect.fail(error as Rejection)
      })
    )
  )

export const askPayment = (paymentId: string, command: PaymentCommand): Effect.Effect<Payment, PaymentRejection | PaymentsBusy, Actors> =>
  askActor(payment, paymentId, command)

export const askWallet = (userId: string, command: WalletCommand): Effect.Effect<Wallet, WalletRejection | PaymentsBusy, Actors> =>
  askActor(wallet, userId, command)

/** The provider's record of this payment applied to the actor (same rules as a webhook: only newer, only forward). */
export const applyProviderRecord = (paymentId: string, record: Wire.Payment) => askPayment(paymentId, { _tag: "Reconcile", facts: providerFactsOf(record) })

/** A machine code the payment actor accepts (`[a-z0-9_]{1,64}`) from whatever the provider said. */
export const codeOf = (text: string | undefined, fallback = "provider_error") => {
  const code = (text ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 64)
  return code.length > 0 ? code : fallback
}

/**
 * Looks the payment up at the provider by its reference (our payment id) and applies what is
 * found. `undefined`: the provider could not be asked, or has no such payment (yet).
 */
export const findAtProvider = (current: Payment): Effect.Effect<Payment | undefined, PaymentRejection | PaymentsBusy, Actors | PaymentProvider> =>
  Effect.gen(function* () {
    const provider = yield* PaymentProvider
    const answer = yield* Effect.either(provider.paymentsOfReference(current.payment_id))
    if (Either.isLeft(answer)) return undefined
    const mine = answer.right.filter(
      (record) =>
        record.reference === current.payment_id &&
        record.amount === current.amount &&
        record.currency === current.currency &&
        (current.provider_payment_id === null ? current.token === null || record.token === current.token : record.payment_id === current.provider_payment_id)
    )
    // One idempotency key makes one provider payment; anything else is not ours to pick from.
    if (mine.length !== 1) return undefined
    return yield* applyProviderRecord(current.payment_id, mine[0]!)
  })

/** Reads the provider's record of a payment whose provider id is known and applies it; the payment as it was when the provider cannot be asked. */
export const refreshFromProvider = (current: Payment): Effect.Effect<Payment, PaymentRejection | PaymentsBusy, Actors | PaymentProvider> =>
  Effect.gen(function* () {
    if (current.provider_payment_id === null) return (yield* findAtProvider(current)) ?? current
    const provider = yield* PaymentProvider
    const answer = yield* Effect.either(provider.getPayment(current.provider_payment_id))
    if (Either.isLeft(answer)) return current
    return yield* applyProviderRecord(current.payment_id, answer.right)
  })
