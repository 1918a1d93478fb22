import { Schema } from "effect"
import { Address, ProviderToken, Rfc3339Utc, UserId, Vpa } from "../accounts/fields.ts"
import { InvalidCommand, OpaqueId, ProductId, ProductTitle, Quantity, SkuId, Text, UnitPrice } from "../cart/fields.ts"
import { CheckoutId, OrderId, orderLimits, Totals } from "../orders/fields.ts"
import { Code, Currency, PaymentId, PaymentMethodKind } from "../payments/fields.ts"

/** State, commands, events and rejections of the checkout saga actor (see checkout.ts for the rules). */

export const checkoutLimits = {
  /** Warehouse lines one SKU's hold may span. */
  maxHoldLines: 64,
  /** Fraud reasons kept. */
  maxRiskReasons: 10
} as const

const EpochMs = Schema.Number.pipe(Schema.int(), Schema.between(0, 8.64e15))

/** One line as the checkout priced it: the order's item (title and prices frozen at checkout). */
export const PlanLine = Schema.Struct({
  sku_id: SkuId,
  product_id: ProductId,
  seller_id: OpaqueId,
  title: ProductTitle,
  quantity: Quantity,
  unit_price: UnitPrice
})
export type PlanLine = typeof PlanLine.Type

/** The payment method as it was when the checkout started (a later edit of the wallet changes nothing). */
export const PaymentChoice = Schema.Struct({
  payment_method_id: Schema.String.pipe(Schema.pattern(/^pm_[A-Za-z0-9_-]{16,64}$/)),
  type: PaymentMethodKind,
  token: Schema.NullOr(ProviderToken),
  vpa: Schema.NullOr(Vpa)
})
export type PaymentChoice = typeof PaymentChoice.Type

/** The waiting room's claim for this checkout (gateway/sales/admission.ts `Admission`, without the user: the plan's). */
export const Admission = Schema.Struct({
  sale_id: Schema.String.pipe(Schema.maxLength(64)),
  token_id: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
  claim_key: Schema.String.pipe(Schema.maxLength(128))
})
export type Admission = typeof Admission.Type

/** Everything the saga needs, fixed when it starts: a retry never re-prices a checkout that exists. */
export const Plan = Schema.Struct({
  user_id: UserId,
  cart_id: OpaqueId,
  order_id: OrderId,
  payment_id: PaymentId,
  /** The id of every SKU hold of this checkout. */
  reservation_id: OpaqueId,
  currency: Currency,
  lines: Schema.Array(PlanLine).pipe(Schema.minItems(1), Schema.maxItems(orderLimits.maxItems)),
  totals: Totals,
  tax_inclusive: Schema.Boolean,
  shipping_address: Address,
  shipping_option_id: Schema.String.pipe(Schema.maxLength(64)),
  /** Canonical coupon code, redeemed through the coupon actor; null without one. */
  coupon_code: Schema.NullOr(Schema.String.pipe(Schema.pattern(/^[A-Z0-9_-]{1,64}$/))),
  payment_method: PaymentChoice,
  /** For the fraud rules' IP velocity. */
  client_ip: Schema.NullOr(Schema.String.pipe(Schema.maxLength(64))),
  /** Deadline of the stock holds. */
  hold_expires_at_ms: EpochMs,
  /** A flash-sale admission token this checkout claimed: used up when the order is placed, given back when it fails. */
  admission: Schema.optional(Admission)
})
export type Plan = typeof Plan.Type

export const HoldLine = Schema.Struct({ warehouse_id: Schema.String.pipe(Schema.maxLength(64)), quantity: Schema.Number.pipe(Schema.int(), Schema.positive()) })

/** A SKU's hold as the SKU actor answered it. */
export const TakenHold = Schema.Struct({
  sku_id: SkuId,
  quantity: Quantity,
  lines: Schema.Array(HoldLine).pipe(Schema.maxItems(checkoutLimits.maxHoldLines))
})
export type TakenHold = typeof TakenHold.Type

export const RiskReason = Schema.Struct({ rule: Code, verdict: Schema.Literal("review", "reject"), detail: Text(300) })
export const Risk = Schema.Struct({
  verdict: Schema.Literal("allow", "review", "reject"),
  reasons: Schema.Array(RiskReason).pipe(Schema.maxItems(checkoutLimits.maxRiskReasons))
})
export type Risk = typeof Risk.Type

/** Why a checkout failed: the API error its POST answered (or that GET shows). */
export const Failure = Schema.Struct({
  /** The HTTP status of that error (402, 409, 422). */
  status: Schema.Number.pipe(Schema.int(), Schema.between(400, 499)),
  code: Code,
  message: Text(500),
  details: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})
export type Failure = typeof Failure.Type

/** The forward steps, in order. */
export const Step = Schema.Literal("coupon", "reserve", "fraud", "payment", "confirm", "order", "cart")
export type Step = typeof Step.Type
export const steps: ReadonlyArray<Step> = Step.literals

/** The compensations, in the order they run: give the money back, then the stock, then the coupon's use. */
export const Undo = Schema.Literal("void", "release", "revert")
export type Undo = typeof Undo.Type
export const undos: ReadonlyArray<Undo> = Undo.literals

export const CheckoutStatus = Schema.Literal("running", "compensating", "completed", "failed")
export type CheckoutStatus = typeof CheckoutStatus.Type

export const Checkout = Schema.Struct({
  status: CheckoutStatus,
  checkout_id: Schema.String,
  plan: Plan,
  /** The next forward step while running; null otherwise. */
  step: Schema.NullOr(Step),
  /** The next compensation while compensating; null otherwise. */
  undo: Schema.NullOr(Undo),
  coupon: Schema.Literal("none", "pending", "redeemed", "reverted"),
  holds: Schema.Array(TakenHold).pipe(Schema.maxItems(orderLimits.maxItems)),
  holds_state: Schema.Literal("none", "reserved", "confirmed", "released"),
  /** SKUs whose hold became a sale (all of them once `holds_state` is confirmed). */
  confirmed: Schema.Array(SkuId).pipe(Schema.maxItems(orderLimits.maxItems)),
  risk: Schema.NullOr(Risk),
  /** `awaiting`: the provider has not told the outcome yet (pending_payment). */
  payment: Schema.Literal("not_started", "awaiting", "authorized", "declined", "voided"),
  payment_wait_reason: Schema.NullOr(Code),
  failure: Schema.NullOr(Failure),
  created_at: Rfc3339Utc,
  updated_at: Rfc3339Utc
})
export type Checkout = typeof Checkout.Type

export const NewCheckout = Schema.Struct({ status: Schema.Literal("new"), checkout_id: Schema.String })
export type NewCheckout = typeof NewCheckout.Type

export const CheckoutState = Schema.Union(NewCheckout, Checkout)
export type CheckoutState = typeof CheckoutState.Type

const Refused = { status: Schema.Number.pipe(Schema.int(), Schema.between(400, 499)), code: Code, message: Text(500), details: Schema.Record({ key: Schema.String, value: Schema.Unknown }) }

export const CheckoutCommand = Schema.Union(
  /** Begin with this plan; on a checkout that exists, replies it as it is (same key → same checkout). */
  Schema.TaggedStruct("Start", { plan: Plan }),
  Schema.TaggedStruct("RecordCouponRedeemed", {}),
  Schema.TaggedStruct("RecordCouponRefused", Refused),
  Schema.TaggedStruct("RecordReserved", { holds: Schema.Array(TakenHold).pipe(Schema.minItems(1), Schema.maxItems(orderLimits.maxItems)) }),
  Schema.TaggedStruct("RecordReserveRefused", Refused),
  Schema.TaggedStruct("RecordRisk", { risk: Risk }),
  Schema.TaggedStruct("RecordPaymentAuthorized", {}),
  /** No outcome yet (3-D-Secure-like pending, or the provider did not answer). */
  Schema.TaggedStruct("RecordPaymentAwaiting", { reason: Code }),
  Schema.TaggedStruct("RecordPaymentDeclined", Refused),
  /** The outcome took too long: give up (the payment, maybe pending at the provider, is then voided). */
  Schema.TaggedStruct("RecordPaymentAbandoned", Refused),
  /** Every hold became a sale. */
  Schema.TaggedStruct("RecordConfirmed", {}),
  /** A hold was lost (expired while the payment took long, and the stock is gone); `confirmed`: the SKUs already sold. */
  Schema.TaggedStruct("RecordConfirmFailed", { confirmed: Schema.Array(SkuId).pipe(Schema.maxItems(orderLimits.maxItems)), ...Refused }),
  Schema.TaggedStruct("RecordOrderPlaced", {}),
  Schema.TaggedStruct("RecordCartCleared", {}),
  Schema.TaggedStruct("RecordPaymentVoided", {}),
  Schema.TaggedStruct("RecordHoldsReleased", {}),
  Schema.TaggedStruct("RecordCouponReverted", {}),
  Schema.TaggedStruct("Get", {})
)
export type CheckoutCommand = typeof CheckoutCommand.Type

const at = { at: Rfc3339Utc }

export const CheckoutEvent = Schema.Union(
  Schema.TaggedStruct("Started", { plan: Plan, ...at }),
  Schema.TaggedStruct("CouponRedeemed", { ...at }),
  Schema.TaggedStruct("Reserved", { holds: Schema.Array(TakenHold).pipe(Schema.maxItems(orderLimits.maxItems)), ...at }),
  Schema.TaggedStruct("RiskAssessed", { risk: Risk, ...at }),
  Schema.TaggedStruct("PaymentAuthorized", { ...at }),
  Schema.TaggedStruct("PaymentAwaiting", { reason: Code, ...at }),
  Schema.TaggedStruct("Confirmed", { ...at }),
  Schema.TaggedStruct("OrderPlaced", { ...at }),
  Schema.TaggedStruct("CartCleared", { ...at }),
  /** A step failed: the saga turns to compensation (or fails at once when nothing needs undoing). */
  Schema.TaggedStruct("Failed", {
    failure: Failure,
    /** What the failing step itself left behind: a declined payment, holds confirmed before a hold was lost. */
    payment: Schema.optional(Schema.Literal("declined")),
    confirmed: Schema.optional(Schema.Array(SkuId).pipe(Schema.maxItems(orderLimits.maxItems))),
    ...at
  }),
  Schema.TaggedStruct("PaymentVoided", { ...at }),
  Schema.TaggedStruct("HoldsReleased", { ...at }),
  Schema.TaggedStruct("CouponReverted", { ...at })
)
export type CheckoutEvent = typeof CheckoutEvent.Type

/** Any command but `Start` on a checkout never started. 404. */
export class CheckoutNotFound extends Schema.TaggedError<CheckoutNotFound>()("CheckoutNotFound", {
  reason: Schema.Literal("not_found")
}) {}

/** The command does not fit where the saga stands (a driver bug or a stale driver). A defect at the edge. */
export class CheckoutInvalidTransition extends Schema.TaggedError<CheckoutInvalidTransition>()("CheckoutInvalidTransition", {
  reason: Schema.Literal("invalid_transition"),
  status: Schema.String,
  command: Schema.String
}) {}

export const CheckoutRejection = Schema.Union(InvalidCommand, CheckoutNotFound, CheckoutInvalidTransition)
export type CheckoutRejection = typeof CheckoutRejection.Type

export const CheckoutIdSchema = CheckoutId
