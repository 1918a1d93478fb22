import type { PaymentRejection } from "../../actors/payments/payment.ts"
import type { WalletRejection } from "../../actors/payments/wallet.ts"
import { ApiError, conflict, notFound, unavailable, unprocessable } from "../api-error.ts"
import type { PaymentsBusy } from "./payment-io.ts"
import type { PaymentMethodUnsupported } from "./payment-steps.ts"

/** What a payment step's typed failure means to a client (API.md's statuses). */
export const paymentApiError = (error: PaymentRejection | WalletRejection | PaymentsBusy | PaymentMethodUnsupported): ApiError => {
  switch (error._tag) {
    case "PaymentsBusy":
      return unavailable(error.message, Math.max(1, Math.ceil(error.retryAfterMs / 1000)))
    case "PaymentNotFound":
      return notFound("payment not found")
    case "PaymentMethodUnsupported":
      return unprocessable("payment_method_unsupported", error.message, { method: error.method })
    case "PaymentExists":
      return conflict("conflict", "this payment exists with other data")
    case "PaymentInvalidTransition":
      return conflict("conflict", error.message, { status: error.status })
    case "OperationInProgress":
      return conflict("conflict", `another payment operation is in progress (${error.reason})`, { reason: error.reason })
    case "RefundConflict":
    case "WalletEntryConflict":
      return conflict("conflict", `${error.reason}`, { reason: error.reason })
    case "InsufficientFunds":
      return new ApiError({ status: 402, code: "payment_declined", message: "not enough store credit", details: { reason: "insufficient_funds" } })
    case "InvalidCommand":
      return unprocessable("invalid_payment", error.message)
    case "PaymentAmountInvalid":
    case "RefundExceedsCaptured":
    case "RefundLimit":
    case "ProviderFactsRejected":
    case "WalletCurrencyMismatch":
    case "WalletBalanceLimit":
      return unprocessable(error.reason, `the payment refused: ${error.reason}`, { reason: error.reason })
  }
}
