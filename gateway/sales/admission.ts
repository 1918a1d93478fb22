import { Effect } from "effect"
import { sale } from "../../actors/sales/sale.ts"
import type { SaleReply } from "../../actors/sales/sale-schema.ts"
import { liveSales, type SkuSalesReply, skuSales } from "../../actors/sales/sku-sales.ts"
import { MailboxFull, Unavailable } from "../../runtime/errors.ts"
import type { ActorHost } from "../../runtime/host.ts"
import { type ApiError, unavailable } from "../api-error.ts"
import { ApiError as ApiErrorClass } from "../api-error.ts"
import type { SaleMetrics } from "./metrics.ts"
import type { KeyRing } from "./tokens.ts"

/**
 * The checkout's side of the waiting room (API.md, "Waiting room"): a checkout of a flash-sale
 * SKU needs the buyer's admission token (`X-Admission-Token`).
 *
 *   1. `checkAdmission` before anything else of the checkout (before the per-user limit):
 *      - no SKU of the cart is in a live sale → succeeds with `undefined` (nothing to do);
 *      - no token → 403 `admission_required`;
 *      - a token that is malformed, forged, expired, another user's or another sale's, already
 *        used, or claimed by another checkout → 403 `admission_invalid` (`details.reason`); a
 *        refusal for another user never touches the owner's token;
 *      - otherwise the token is claimed for `claimKey` (the checkout id: a retry of the same
 *        checkout claims again harmlessly) and the `Admission` comes back.
 *   2. Order placed → `completeAdmission(admission)`: the token is used up and the shopper's
 *      slot is freed for the next in line.
 *   3. Checkout failed before an order exists → `releaseAdmission(admission)`: the token may be
 *      used by another checkout of the same shopper while its session lasts.
 */

export interface Admission {
  readonly saleId: string
  readonly userId: string
  readonly tokenId: number
  readonly claimKey: string
}

export interface AdmissionRequest {
  readonly userId: string
  readonly skuIds: ReadonlyArray<string>
  readonly token: string | undefined
  /** The checkout that will use the token (its id); defaults to the token itself. */
  readonly claimKey?: string
  readonly nowMs: number
}

const forbidden = (code: "admission_required" | "admission_invalid", message: string, details: Record<string, unknown>) =>
  new ApiErrorClass({ status: 403, code, message, details })

const runtimeError = (error: unknown): ApiError | undefined => {
  if (error instanceof MailboxFull) return unavailable("the sale is busy; retry shortly", 1)
  if (error instanceof Unavailable) return unavailable(error.message, Math.max(1, Math.ceil(error.retryAfterMs / 1000)))
  return undefined
}

export class AdmissionGate {
  constructor(private readonly deps: { readonly host: ActorHost; readonly keys: KeyRing; readonly metrics: SaleMetrics }) {}

  /** The live sale that gates any of `skuIds`, if one does (a sale not created or ended gates nothing). */
  private async gatingSales(skuIds: ReadonlyArray<string>, nowMs: number): Promise<Array<string>> {
    const unique = [...new Set(skuIds)]
    const replies = await Promise.all(unique.map((id) => this.deps.host.ask<SkuSalesReply>(skuSales, id, { _tag: "Get" }, nowMs)))
    const candidates = [...new Set(replies.flatMap((r) => liveSales(r.sales, nowMs).map((s) => s.sale_id)))]
    const live: Array<string> = []
    for (const saleId of candidates) {
      const reply = await this.deps.host.ask<SaleReply>(sale, saleId, { _tag: "Get" }, nowMs).catch((error: unknown) => {
        if ((error as { _tag?: string })._tag === "SaleNotFound") return undefined
        throw error
      })
      if (reply !== undefined && reply._tag === "Sale" && reply.sale.state !== "ended" && (reply.sale.config.ends_at_ms === null || reply.sale.config.ends_at_ms > nowMs)) live.push(saleId)
    }
    return live
  }

  private async check(request: AdmissionRequest): Promise<Admission | undefined> {
    const { userId, token, nowMs } = request
    const sales = await this.gatingSales(request.skuIds, nowMs)
    if (sales.length === 0) return undefined
    if (sales.length > 1) throw forbidden("admission_required", "the cart holds SKUs of several flash sales; check them out one sale at a time", { sale_ids: sales })
    const saleId = sales[0]!
    if (token === undefined || token === "") {
      this.deps.metrics.rejectedOne("missing")
      throw forbidden("admission_required", "this SKU is in a flash sale: join its queue and send the admission token as X-Admission-Token", { sale_id: saleId })
    }
    const verdict = await this.deps.keys.verify(token, { userId, saleId }, nowMs)
    if (!verdict.ok) {
      this.deps.metrics.rejectedOne(verdict.reason)
      throw forbidden("admission_invalid", "the admission token is not valid for this checkout", { sale_id: saleId, reason: verdict.reason })
    }
    const claimKey = request.claimKey ?? token.slice(-43)
    try {
      await this.deps.host.ask(sale, saleId, { _tag: "Claim", user_id: userId, token_id: verdict.claims.tokenId, claim_key: claimKey }, nowMs)
    } catch (error) {
      const reason = (error as { _tag?: string; reason?: string })._tag === "AdmissionRefused" ? (error as { reason: string }).reason : undefined
      if (reason === undefined) throw error
      this.deps.metrics.rejectedOne(reason)
      throw forbidden("admission_invalid", "the admission token was used already or its session is over", { sale_id: saleId, reason })
    }
    return { saleId, userId, tokenId: verdict.claims.tokenId, claimKey }
  }

  /** Step 1 (see above). Fails with 403 admission_required / admission_invalid, or 503. */
  checkAdmission(request: AdmissionRequest): Effect.Effect<Admission | undefined, ApiError> {
    return Effect.tryPromise({ try: () => this.check(request), catch: (e) => e }).pipe(
      Effect.catchAll((error) => (error instanceof ApiErrorClass ? Effect.fail(error) : Effect.fail(runtimeError(error) ?? unavailable("the waiting room could not be reached", 1))))
    )
  }

  /**
   * Step 2: the order is placed. Idempotent. A session the sale already closed (expired long
   * after the claim) is left as it is: the order stands either way.
   */
  completeAdmission(admission: Admission, nowMs: number): Effect.Effect<void, ApiError> {
    return Effect.tryPromise({
      try: () =>
        this.deps.host.ask(sale, admission.saleId, { _tag: "Complete", user_id: admission.userId, token_id: admission.tokenId }, nowMs).then(
          () => this.deps.metrics.redeemedOne(admission.saleId),
          (error: unknown) => {
            if ((error as { _tag?: string })._tag !== "AdmissionRefused") throw error
          }
        ),
      catch: (e) => runtimeError(e) ?? unavailable("the waiting room could not be reached", 1)
    })
  }

  /** Step 3: the checkout failed without an order. Idempotent. */
  releaseAdmission(admission: Admission, nowMs: number): Effect.Effect<void, ApiError> {
    return Effect.tryPromise({
      try: () => this.deps.host.ask(sale, admission.saleId, { _tag: "Unclaim", user_id: admission.userId, token_id: admission.tokenId, claim_key: admission.claimKey }, nowMs),
      catch: (e) => runtimeError(e) ?? unavailable("the waiting room could not be reached", 1)
    }).pipe(Effect.asVoid)
  }
}
