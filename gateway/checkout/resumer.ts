import { Effect } from "effect"
import { openCheckouts, openCheckoutsLimits } from "../../actors/checkout/open-checkouts.ts"
import { isSettled } from "../../actors/checkout/checkout.ts"
import type { Actors } from "../../runtime/service.ts"
import type { CheckoutService } from "./checkouts.ts"
import type { CheckoutConfig } from "./config.ts"
import { ask, SagaStalled } from "./driver.ts"

/**
 * Finishes what a request did not: every `resumeEveryMs` it lists the open checkouts (the
 * open-checkouts index) and drives each one no driver of this process is running. At start that
 * is every saga a killed process left half way (it resumes from the step its checkout actor
 * recorded last); afterwards, checkouts waiting for a payment outcome (polled with backoff, up to
 * 30 s apart) and sagas a busy dependency stalled. A checkout indexed but never started (the
 * process died between the two writes) is dropped from the index after a minute.
 */

const maxBackoffMs = 30_000
const forgetNeverStartedAfterMs = 60_000

export const startCheckoutResumer = (service: CheckoutService, config: CheckoutConfig) =>
  Effect.gen(function* () {
    const next = new Map<string, { atMs: number; delayMs: number }>()
    const missingSince = new Map<string, number>()

    const listAll = Effect.forEach(
      Array.from({ length: openCheckoutsLimits.buckets }, (_, i) => String(i)),
      (bucket) =>
        ask(openCheckouts, bucket, { _tag: "List" }).pipe(
          Effect.map((b) => b.ids),
          Effect.orElseSucceed((): ReadonlyArray<string> => [])
        ),
      { concurrency: 4 }
    ).pipe(Effect.map((lists) => lists.flat()))

    const resumeOne = (id: string, nowMs: number) =>
      service.resume(id).pipe(
        // A defect (a bug, logged) must not stop the others: it is retried later, with backoff, like a stall.
        Effect.catchAllDefect((defect) =>
          Effect.logError(`checkout ${id}: the saga driver failed`, defect).pipe(Effect.zipRight(Effect.fail(new SagaStalled({ message: "driver defect", retryAfterMs: maxBackoffMs }))))
        ),
        Effect.either,
        Effect.flatMap((result) => {
          if (result._tag === "Right" && result.right === undefined && !service.inFlight.has(id)) {
            const since = missingSince.get(id) ?? nowMs
            missingSince.set(id, since)
            return nowMs - since >= forgetNeverStartedAfterMs ? service.forget(id) : Effect.void
          }
          missingSince.delete(id)
          if (result._tag === "Right" && result.right !== undefined && isSettled(result.right)) {
            next.delete(id)
            return Effect.void
          }
          const delayMs = Math.min(maxBackoffMs, Math.max(config.resumeEveryMs, (next.get(id)?.delayMs ?? config.resumeEveryMs / 2) * 2))
          next.set(id, { atMs: Date.now() + delayMs, delayMs })
          return Effect.void
        })
      )

    const round = Effect.gen(function* () {
      const ids = yield* listAll
      const nowMs = Date.now()
      const open = new Set(ids)
      for (const id of next.keys()) if (!open.has(id)) next.delete(id)
      for (const id of missingSince.keys()) if (!open.has(id)) missingSince.delete(id)
      const due = ids.filter((id) => !service.inFlight.has(id) && (next.get(id)?.atMs ?? 0) <= nowMs)
      yield* Effect.forEach(due, (id) => resumeOne(id, nowMs), { concurrency: config.resumeConcurrency, discard: true })
    })

    yield* round.pipe(
      Effect.catchAllCause((cause) => Effect.logWarning("checkout resumer round failed", cause)),
      Effect.zipRight(Effect.sleep(config.resumeEveryMs)),
      Effect.forever,
      Effect.forkScoped
    )
  }) satisfies Effect.Effect<void, never, Actors | import("effect").Scope.Scope>
