import { Effect, Either, Schedule, Schema } from "effect"
import { type Line, type ReservationView, SkuRejection, type SkuView } from "../../actors/inventory/sku-schema.ts"
import { sku } from "../../actors/inventory/sku.ts"
import type { MailboxFull, Unavailable } from "../../runtime/errors.ts"
import { type Actors, send, type SendError } from "../../runtime/service.ts"
import { type ApiError, unavailable } from "../api-error.ts"
import { outOfStock, skuRejection } from "./sku-errors.ts"

/**
 * Reserve several SKUs all or nothing (a cart at checkout), one SKU actor after another.
 *
 * Lines go in a fixed order (by sku_id, duplicates merged), so two carts contend for their common
 * SKUs in the same order. Every line is held under the same `reservationId` (the checkout's), so a
 * retry of the whole call replays each hold instead of taking new ones. On the first failure every
 * line already taken is released — and the failing line too when its outcome is unknown (a runtime
 * failure: the hold may have become durable without its reply; a Release of an id a SKU never held
 * is recorded there, so a late Reserve with it is refused). Releases are retried a few times; one
 * that still fails is left to the hold's own expiry at `expiresAtMs`.
 *
 * Failures: `LinesOutOfStock` with every line that is short (the failing one, plus the later lines
 * whose availability, read with `Get`, is below what they ask for), `LineRejected` for any other
 * rejection of a SKU (unknown SKU, purchase limit, a reservation id already settled, …), or the
 * runtime's `MailboxFull` / `Unavailable` (retryable).
 */

export interface LineRequest {
  readonly sku_id: string
  readonly quantity: number
}

export interface ReserveLinesOptions {
  /** The user the holds are for (per-user purchase limits count against them). */
  readonly owner: string
  /** One id for every line: the idempotency key of each SKU's hold. */
  readonly reservationId: string
  readonly expiresAtMs: number
  readonly nowMs: number
}

export interface ReservedLine {
  readonly sku_id: string
  readonly reservation_id: string
  readonly quantity: number
  /** Where the units are held, per warehouse. */
  readonly lines: ReadonlyArray<Line>
  readonly expires_at_ms: number
}

const Short = Schema.Struct({ sku_id: Schema.String, requested: Schema.Number, available: Schema.Number })

/** Some lines are short: all of them, in sku_id order. 409 `out_of_stock` at the edge. */
export class LinesOutOfStock extends Schema.TaggedError<LinesOutOfStock>()("LinesOutOfStock", { skus: Schema.Array(Short) }) {}
/** A SKU refused its line for another reason than stock. */
export class LineRejected extends Schema.TaggedError<LineRejected>()("LineRejected", { sku_id: Schema.String, rejection: SkuRejection }) {}

export type ReserveLinesError = LinesOutOfStock | LineRejected | MailboxFull | Unavailable

type RuntimeFailure = MailboxFull | Unavailable

const isRuntimeFailure = (e: SendError<SkuRejection>): e is RuntimeFailure => e._tag === "MailboxFull" || e._tag === "Unavailable"

/** Turn a runtime CorruptData into a defect; everything else stays a typed failure. */
const ask = <R>(id: string, command: Parameters<typeof sku.decide>[1], nowMs: number) =>
  send(sku, id, command, nowMs).pipe(
    Effect.map((reply) => reply as R),
    Effect.catchTag("CorruptData", (e) => Effect.die(e))
  ) as Effect.Effect<R, SkuRejection | RuntimeFailure, Actors>

/** Merge duplicate SKUs (quantities add up) and sort by sku_id. */
export const orderLines = (lines: ReadonlyArray<LineRequest>): ReadonlyArray<LineRequest> => {
  const bySku = new Map<string, number>()
  for (const line of lines) bySku.set(line.sku_id, (bySku.get(line.sku_id) ?? 0) + line.quantity)
  return [...bySku.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([sku_id, quantity]) => ({ sku_id, quantity }))
}

const releaseRetry = Schedule.exponential("20 millis").pipe(Schedule.intersect(Schedule.recurs(3)))

const release = (skuIds: ReadonlyArray<string>, reservationId: string, nowMs: number) =>
  Effect.forEach(
    skuIds,
    (skuId) =>
      ask<ReservationView>(skuId, { _tag: "Release", reservation_id: reservationId }, nowMs).pipe(
        Effect.retry({ schedule: releaseRetry, while: (e) => isRuntimeFailure(e) }),
        Effect.catchAll((e) =>
          Effect.logWarning(`reserveLines: could not release ${reservationId} on ${skuId}; it expires on its own`, e)
        )
      ),
    { concurrency: "unbounded", discard: true }
  )

/** What a SKU has available now; undefined when it cannot be read (it is then not reported). */
const availableOf = (skuId: string, nowMs: number) =>
  ask<SkuView>(skuId, { _tag: "Get" }, nowMs).pipe(
    Effect.map((view): number | undefined => view.available),
    Effect.catchAll((e) => Effect.succeed(e._tag === "SkuNotFound" ? 0 : undefined))
  )

export const reserveLines = (
  lines: ReadonlyArray<LineRequest>,
  options: ReserveLinesOptions
): Effect.Effect<ReadonlyArray<ReservedLine>, ReserveLinesError, Actors> =>
  Effect.gen(function* () {
    const { owner, reservationId, expiresAtMs, nowMs } = options
    const ordered = orderLines(lines)
    const taken: Array<ReservedLine> = []
    for (let i = 0; i < ordered.length; i++) {
      const line = ordered[i]!
      const result = yield* Effect.either(
        ask<ReservationView>(
          line.sku_id,
          { _tag: "Reserve", reservation_id: reservationId, quantity: line.quantity, expires_at_ms: expiresAtMs, owner },
          nowMs
        )
      )
      if (Either.isRight(result)) {
        const hold = result.right
        taken.push({ sku_id: line.sku_id, reservation_id: reservationId, quantity: hold.quantity, lines: hold.lines, expires_at_ms: hold.expires_at_ms })
        continue
      }
      const error = result.left
      const toRelease = taken.map((t) => t.sku_id)
      if (isRuntimeFailure(error)) toRelease.push(line.sku_id)
      yield* release(toRelease, reservationId, nowMs)
      if (isRuntimeFailure(error)) return yield* Effect.fail(error)
      if (error._tag !== "OutOfStock") return yield* Effect.fail(new LineRejected({ sku_id: line.sku_id, rejection: error }))
      const rest = ordered.slice(i + 1)
      const availability = yield* Effect.forEach(rest, (r) => availableOf(r.sku_id, nowMs), { concurrency: "unbounded" })
      const short = [{ sku_id: line.sku_id, requested: line.quantity, available: error.available }]
      rest.forEach((r, j) => {
        const available = availability[j]
        if (available !== undefined && available < r.quantity) short.push({ sku_id: r.sku_id, requested: r.quantity, available })
      })
      return yield* Effect.fail(new LinesOutOfStock({ skus: short }))
    }
    return taken
  })

/** The HTTP answer for a failure of `reserveLines` (API.md: 409 `out_of_stock` with `details.skus`). */
export const reserveLinesApiError = (error: ReserveLinesError): ApiError => {
  switch (error._tag) {
    case "LinesOutOfStock":
      return outOfStock(error.skus)
    case "LineRejected":
      return skuRejection(error.sku_id)(error.rejection)
    case "MailboxFull":
      return unavailable("a SKU is busy; retry shortly", 1)
    case "Unavailable":
      return unavailable(error.message, Math.max(1, Math.ceil(error.retryAfterMs / 1000)))
  }
}

