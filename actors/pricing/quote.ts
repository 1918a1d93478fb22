import { Either } from "effect"
import { bundle } from "./bundle.ts"
import { buyXGetY } from "./buy-x-get-y.ts"
import { activeFlashPrices, unitPriceOf } from "./flash-prices.ts"
import { isMoney } from "./money.ts"
import { itemFixed, itemPercentage, orderFixed, orderPercentage, shippingDiscount } from "./line-rewards.ts"
import type { PricedLine } from "./priced-line.ts"
import { levelOf, type Reward } from "./promotion-schema.ts"
import {
  type AppliedPromotion,
  CartEmpty,
  type CouponOutcome,
  NotShippable,
  type Quote,
  type QuotedLine,
  type QuoteInput,
  type QuoteRejection,
  ShippingOptionUnavailable,
  type ShippingQuote
} from "./quote-schema.ts"
import { offersFor, type Parcel, parcelsOf } from "./shipping.ts"
import { applicationOrder, type Candidate, couponCandidate, exclusiveTieBreak, promotionCandidates, type Shopping } from "./stacking.ts"
import { jurisdictionFor, lineRateBps, taxOn } from "./tax.ts"
import type { TaxJurisdiction } from "./store-tables.ts"
import type { UnitPrice } from "./flash-prices.ts"

/**
 * The one place a price is computed: cart lines, shopper, address, shipping choice, coupon,
 * promotions and the store's tables in; a quote out. Pure and deterministic: the same input gives
 * the same quote. The rules (stacking, rounding, tax, shipping) are in README.md.
 */
export const quote = (input: QuoteInput): Either.Either<Quote, QuoteRejection> => {
  if (input.lines.length === 0) return Either.left(new CartEmpty({ reason: "cart_empty" }))
  const flashPrices = activeFlashPrices(input.promotions, input.now_ms, input.shopper.member_tier)
  const prices = input.lines.map((line) => unitPriceOf(line, flashPrices))
  const baseLines: Array<PricedLine> = input.lines.map((line, i) => ({
    sku_id: line.sku_id,
    product_id: line.product_id,
    seller_id: line.seller_id,
    category_ids: [line.category_id, ...line.category_ancestor_ids],
    quantity: line.quantity,
    remaining: prices[i]!.unit_price * line.quantity
  }))
  const subtotal = baseLines.reduce((s, l) => s + l.remaining, 0)
  const shopping: Shopping = { nowMs: input.now_ms, memberTier: input.shopper.member_tier, subtotal }
  const coupon = input.coupon === null ? undefined : couponCandidate(input.coupon, shopping)
  const candidates = promotionCandidates(input.promotions, shopping)
  if (coupon !== undefined && typeof coupon !== "string") candidates.push(coupon)

  const context: Context = {
    input,
    baseLines,
    prices,
    subtotal,
    parcels: parcelsOf(input.lines, input.tables.shipping),
    jurisdiction: jurisdictionFor(input.tables.tax, input.destination)
  }
  const evaluate = (chosen: ReadonlyArray<Candidate>) => evaluateWith(context, chosen)
  // Exclusive promotions beat stacking: the best one that applies (lowest total) applies alone.
  let best: Evaluation | undefined
  let winner: Candidate | undefined
  for (const exclusive of candidates.filter((c) => c.exclusive)) {
    const alone = evaluate([exclusive])
    if (Either.isLeft(alone)) return Either.left(alone.left)
    if (alone.right.applied.length === 0) continue
    if (best === undefined || winner === undefined || alone.right.total < best.total || (alone.right.total === best.total && exclusiveTieBreak(exclusive, winner) < 0)) {
      best = alone.right
      winner = exclusive
    }
  }
  const result = best === undefined ? evaluate(candidates.filter((c) => !c.exclusive)) : Either.right(best)
  return Either.map(result, (evaluation) => {
    const couponOutcome = input.coupon === null ? null : outcomeOf(input.coupon.code, coupon, evaluation, winner)
    const q: Quote = { ...evaluation, currency: input.tables.currency, prices_include_tax: input.tables.tax.prices_include_tax, coupon: couponOutcome }
    assertQuote(q)
    return q
  })
}

type Evaluation = Omit<Quote, "currency" | "prices_include_tax" | "coupon">

/** What every evaluation of one quote shares. */
interface Context {
  readonly input: QuoteInput
  /** Lines at their unit prices, before any discount. */
  readonly baseLines: ReadonlyArray<PricedLine>
  readonly prices: ReadonlyArray<UnitPrice>
  readonly subtotal: number
  readonly parcels: ReadonlyArray<Parcel>
  readonly jurisdiction: TaxJurisdiction | undefined
}

const lineDiscounts = (reward: Exclude<Reward, { kind: "shipping_percentage" | "shipping_fixed" }>, lines: ReadonlyArray<PricedLine>): Array<number> => {
  switch (reward.kind) {
    case "item_percentage":
      return itemPercentage(reward, lines)
    case "item_fixed":
      return itemFixed(reward, lines)
    case "order_percentage":
      return orderPercentage(reward, lines)
    case "order_fixed":
      return orderFixed(reward, lines)
    case "buy_x_get_y":
      return buyXGetY(reward, lines)
    case "bundle":
      return bundle(reward, lines)
  }
}

const appliedOf = (c: Candidate, amount: number): AppliedPromotion => ({
  source: c.source,
  id: c.id,
  name: c.name,
  kind: c.reward.kind,
  level: levelOf(c.reward.kind),
  amount
})

/** The quote that `chosen` promotions give, applied in `applicationOrder`. */
const evaluateWith = (context: Context, chosen: ReadonlyArray<Candidate>): Either.Either<Evaluation, QuoteRejection> => {
  const { input, baseLines, prices, subtotal, jurisdiction } = context
  const ordered = [...chosen].sort(applicationOrder)
  const applied: Array<AppliedPromotion> = []
  let lines = baseLines
  for (const c of ordered) {
    const reward = c.reward
    if (reward.kind === "shipping_percentage" || reward.kind === "shipping_fixed") continue
    const discounts = lineDiscounts(reward, lines)
    const amount = discounts.reduce((s, d) => s + d, 0)
    if (amount === 0) continue
    lines = lines.map((line, i) => (discounts[i] === 0 ? line : { ...line, remaining: line.remaining - discounts[i]! }))
    applied.push(appliedOf(c, amount))
  }
  const merchandise = lines.reduce((s, l) => s + l.remaining, 0)
  const discount = subtotal - merchandise

  const shippingCandidates = ordered.filter((c) => levelOf(c.reward.kind) === "shipping")
  const offers = offersFor(input.tables.shipping, context.parcels, input.destination, merchandise).map((offer) => {
    let price = offer.price
    const amounts = shippingCandidates.map((c) => {
      const amount = shippingDiscount(c.reward as Extract<Reward, { kind: "shipping_percentage" | "shipping_fixed" }>, offer.option.shipping_option_id, price)
      price -= amount
      return amount
    })
    return { ...offer, price, amounts }
  })
  if (offers.length === 0) return Either.left(new NotShippable({ reason: "not_shippable", country: input.destination.country, region: input.destination.region }))
  const requested = input.shipping_option_id
  const chosenOffer =
    requested === null
      ? offers.reduce((best, o) => (o.price < best.price || (o.price === best.price && o.eta_days < best.eta_days) ? o : best))
      : offers.find((o) => o.option.shipping_option_id === requested)
  if (chosenOffer === undefined) {
    return Either.left(
      new ShippingOptionUnavailable({ reason: "shipping_option_unavailable", shipping_option_id: requested!, available: offers.map((o) => o.option.shipping_option_id) })
    )
  }
  shippingCandidates.forEach((c, k) => {
    if (chosenOffer.amounts[k]! > 0) applied.push(appliedOf(c, chosenOffer.amounts[k]!))
  })

  const inclusive = input.tables.tax.prices_include_tax
  const quoted: Array<QuotedLine> = input.lines.map((line, i) => {
    const priced = lines[i]!
    const base = baseLines[i]!
    const rate = lineRateBps(jurisdiction, priced.category_ids)
    const tax = taxOn(priced.remaining, rate, inclusive)
    return {
      sku_id: line.sku_id,
      product_id: line.product_id,
      quantity: line.quantity,
      unit_base_price: line.unit_base_price,
      unit_price: prices[i]!.unit_price,
      flash_sale_id: prices[i]!.flash_sale_id,
      line_subtotal: base.remaining,
      discount: base.remaining - priced.remaining,
      tax_rate_bps: rate,
      tax,
      line_total: priced.remaining + (inclusive ? 0 : tax)
    }
  })
  const shipping = chosenOffer.price
  const shippingTax = taxOn(shipping, jurisdiction?.shipping_rate_bps ?? 0, inclusive)
  const tax = quoted.reduce((s, l) => s + l.tax, 0) + shippingTax
  const shippingOptions: Array<ShippingQuote> = offers.map((o) => ({
    shipping_option_id: o.option.shipping_option_id,
    name: o.option.name,
    price: o.price,
    eta_days: o.eta_days
  }))
  return Either.right({
    lines: quoted,
    subtotal,
    discount,
    shipping,
    shipping_discount: chosenOffer.list_price - shipping,
    tax,
    shipping_tax: shippingTax,
    total: subtotal - discount + shipping + (inclusive ? 0 : tax),
    shipping_option_id: chosenOffer.option.shipping_option_id,
    eta_days: chosenOffer.eta_days,
    shipping_options: shippingOptions,
    applied
  })
}

const outcomeOf = (
  code: string,
  candidate: Candidate | string | undefined,
  evaluation: Evaluation,
  winner: Candidate | undefined
): CouponOutcome => {
  if (typeof candidate === "string") return { code, applied: false, amount: 0, reason: candidate as CouponOutcome["reason"] }
  const amount = evaluation.applied.filter((a) => a.source === "coupon").reduce((s, a) => s + a.amount, 0)
  if (amount > 0) return { code, applied: true, amount, reason: null }
  const reason = winner !== undefined && winner.source !== "coupon" ? "not_combinable" : "nothing_to_discount"
  return { code, applied: false, amount: 0, reason }
}

/** Invariants every quote keeps; a violation is a bug (a defect), never a price shown to a shopper. */
export const assertQuote = (q: Quote): void => {
  const fail = (what: string) => {
    throw new Error(`pricing: ${what} in ${JSON.stringify({ subtotal: q.subtotal, discount: q.discount, shipping: q.shipping, tax: q.tax, total: q.total })}`)
  }
  for (const [name, value] of Object.entries({ subtotal: q.subtotal, discount: q.discount, shipping: q.shipping, tax: q.tax, total: q.total, shipping_tax: q.shipping_tax, shipping_discount: q.shipping_discount })) {
    if (!isMoney(value)) fail(`${name} ${value} is not a non-negative safe integer`)
  }
  if (q.discount > q.subtotal) fail("discount above the subtotal")
  const expected = q.subtotal - q.discount + q.shipping + (q.prices_include_tax ? 0 : q.tax)
  if (q.total !== expected) fail(`total ${q.total} ≠ ${expected}`)
  let lineDiscount = 0
  let lineTax = 0
  for (const line of q.lines) {
    if (!isMoney(line.discount) || !isMoney(line.tax) || !isMoney(line.line_total) || line.discount > line.line_subtotal) fail(`line ${line.sku_id} out of bounds`)
    lineDiscount += line.discount
    lineTax += line.tax
  }
  if (lineDiscount !== q.discount) fail("line discounts do not add up")
  if (lineTax + q.shipping_tax !== q.tax) fail("line taxes do not add up")
  const itemAndOrder = q.applied.filter((a) => a.level !== "shipping").reduce((s, a) => s + a.amount, 0)
  if (itemAndOrder !== q.discount) fail("applied promotions do not add up to the discount")
}
