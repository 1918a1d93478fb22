import { Effect, Layer } from "effect"
import { emailIndex } from "../actors/accounts/email-index.ts"
import { session } from "../actors/accounts/session.ts"
import { user } from "../actors/accounts/user.ts"
import { idempotency } from "../actors/idempotency/idempotency.ts"
import { category } from "../actors/catalog/category.ts"
import { categoryTree } from "../actors/catalog/category-tree.ts"
import { product } from "../actors/catalog/product.ts"
import { seller } from "../actors/catalog/seller.ts"
import { cart } from "../actors/cart/cart.ts"
import { recentlyViewed } from "../actors/cart/recently-viewed.ts"
import { shopperCart } from "../actors/cart/shopper-cart.ts"
import { wishlist } from "../actors/cart/wishlist.ts"
import { sku } from "../actors/inventory/sku.ts"
import { warehouses } from "../actors/warehouses/warehouses.ts"
import { checkout } from "../actors/checkout/checkout.ts"
import { openCheckouts } from "../actors/checkout/open-checkouts.ts"
import { cartClaim } from "../actors/checkout/cart-claim.ts"
import { riskCounter } from "../actors/fraud/counters.ts"
import { order } from "../actors/orders/order.ts"
import { orderIndex } from "../actors/orders/order-index.ts"
import { payment } from "../actors/payments/payment.ts"
import { wallet } from "../actors/payments/wallet.ts"
import { coupon } from "../actors/pricing/coupon.ts"
import { type CheckoutConfig, checkoutConfigFromEnv } from "./checkout/config.ts"
import { startCheckout } from "./checkout/setup.ts"
import type { AnyActorDefinition } from "../runtime/actor.ts"
import { type HostConfig, hostConfigFromEnv } from "../runtime/config.ts"
import { Actors, ActorsLive, Metrics, MetricsLive } from "../runtime/service.ts"
import { StorageLive, type StorageSettings, storageSettingsFromEnv } from "../storage/select.ts"
import { type AccountsConfig, accountsConfigFromEnv, actorAuthenticator, bootstrapAdmin } from "./accounts/accounts.ts"
import { actorIdempotencyGuard, idempotencyGuardConfigFromEnv, type IdempotencyGuardConfig } from "./accounts/idempotency-guard.ts"
import { PasswordHasher, passwordHashConfigFromEnv } from "./auth/password.ts"
import { type CatalogReadConfig, catalogReadConfigFromEnv } from "./catalog/config.ts"
import { catalogProjectionName } from "./catalog/catalog-projection.ts"
import { startCatalogReadModel } from "./catalog/read-model.ts"
import { type CartConfig, cartConfigFromEnv } from "./cart/config.ts"
import { mergeCartAtSignIn } from "./cart/sign-in.ts"
import { type InventoryConfig, inventoryConfigFromEnv } from "./inventory/config.ts"
import { gatewayConfigFromEnv, type GatewayConfig } from "./config.ts"
import { type RateLimiter as Limiter, unlimited } from "./ports.ts"
import { RateLimiter, rateLimitConfigFromEnv } from "./rate-limit.ts"
import { accountRoutes } from "./routes/accounts.ts"
import { cartRoutes } from "./routes/cart.ts"
import { wishlistRoutes } from "./routes/wishlist.ts"
import { inventoryRoutes } from "./routes/inventory.ts"
import { productRoutes } from "./routes/products.ts"
import { searchRoutes } from "./routes/search.ts"
import { categoryRoutes } from "./routes/categories.ts"
import { sellerProductRoutes } from "./routes/seller-products.ts"
import { sellerRoutes } from "./routes/sellers.ts"
import { type CatalogWriteConfig, catalogWriteConfigFromEnv } from "./sellers/config.ts"
import { serveGateway } from "./server.ts"
import { type SalesConfig, salesConfigFromEnv } from "./sales/config.ts"
import { startSales } from "./sales/start.ts"
import { admissionKeys } from "../actors/sales/admission-keys.ts"
import { sale } from "../actors/sales/sale.ts"
import { skuSales } from "../actors/sales/sku-sales.ts"
import { type PaymentsSettings, paymentsSettingsFromEnv } from "./payments/config.ts"
import { paymentSteps } from "./payments/payment-steps.ts"
import { scopedProviderClient } from "./payments/provider-client.ts"
import { webhookRoutes } from "./payments/webhook-route.ts"
import { orderRoutes } from "./routes/orders.ts"
import { couponCodeOfCheckout } from "./orders/order-coupon.ts"
import { showPaymentOnOrder } from "./orders/payment-sync.ts"

/** Every actor type of the store. A type missing here cannot be recovered from the journal. */
export const storeActors: ReadonlyArray<AnyActorDefinition> = [user, emailIndex, session, idempotency, sku, warehouses, seller, category, categoryTree, product, cart, shopperCart, wishlist, recentlyViewed, checkout, openCheckouts, cartClaim, order, orderIndex, payment, wallet, coupon, riskCounter, sale, skuSales, admissionKeys]

export interface StoreSettings {
  readonly gateway: GatewayConfig
  readonly storage: StorageSettings
  readonly host: Partial<HostConfig>
  readonly accounts: AccountsConfig
  readonly idempotency: IdempotencyGuardConfig
  readonly inventory: InventoryConfig
  readonly cart: CartConfig
  readonly catalogWrite: CatalogWriteConfig
  readonly catalogRead: CatalogReadConfig
  /** Payment steps (PAYMENT_CAPTURE, PAYMENT_RECONCILE_*, webhook secrets) and the provider client (PAYMENT_PROVIDER_URL). */
  readonly payments: PaymentsSettings
  readonly checkout: CheckoutConfig
  /** The waiting room (SALE_* variables, gateway/sales/config.ts). */
  readonly sales: SalesConfig
  /** undefined: RATE_LIMITS=off. */
  readonly rateLimits: ReturnType<typeof rateLimitConfigFromEnv> | undefined
  readonly passwordHash: ReturnType<typeof passwordHashConfigFromEnv>
  readonly admin: { readonly email: string; readonly password: string } | undefined
}

export const storeSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): StoreSettings => ({
  gateway: gatewayConfigFromEnv(env),
  storage: storageSettingsFromEnv(env),
  host: hostConfigFromEnv(env),
  accounts: accountsConfigFromEnv(env),
  idempotency: idempotencyGuardConfigFromEnv(env),
  inventory: inventoryConfigFromEnv(env),
  cart: cartConfigFromEnv(env),
  catalogWrite: catalogWriteConfigFromEnv(env),
  catalogRead: catalogReadConfigFromEnv(env),
  payments: paymentsSettingsFromEnv(env),
  checkout: checkoutConfigFromEnv(env),
  sales: salesConfigFromEnv(env),
  rateLimits: env["RATE_LIMITS"] === "off" ? undefined : rateLimitConfigFromEnv(env),
  passwordHash: passwordHashConfigFromEnv(env),
  admin: env["ADMIN_EMAIL"] && env["ADMIN_PASSWORD"] ? { email: env["ADMIN_EMAIL"], password: env["ADMIN_PASSWORD"] } : undefined
})

/** The route classes of the gateway onto the token buckets (the pipeline never asks for `health`; the check narrows the type). */
const limiterOf = (limiter: RateLimiter | undefined): Limiter =>
  limiter === undefined
    ? unlimited
    : { take: (rateClass, key, nowMs) => (rateClass === "health" ? { ok: true } : limiter.take(rateClass, key, nowMs)) }

/**
 * The whole store as a scoped effect: storage, the actor host (recovered), the admin account,
 * and the gateway. Closing the scope shuts down in order: stop accepting and drain requests,
 * then flush journals and snapshot, then close storage.
 */
export const runStore = (settings: StoreSettings) => {
  const program = Effect.gen(function* () {
    const host = yield* Actors
    const registry = yield* Metrics
    const runtime = yield* Effect.runtime<Actors | Metrics>()
    const hasher = new PasswordHasher(settings.passwordHash)
    const limiter = settings.rateLimits === undefined ? undefined : new RateLimiter(settings.rateLimits)
    // The catalog read model (projection, product cache, search), started after recovery; its runner stops with the scope.
    const catalog = yield* startCatalogReadModel(settings.catalogRead)
    const cartDeps = { catalog: catalog.products, config: settings.cart }
    // Flash sales: admission keys, the hub that ticks live sales (stops with the scope), routes, the queue WebSocket, and the admission gate the checkout asks (salesPart.admission).
    const salesPart = yield* startSales({ host, registry, config: settings.sales, limiter })
    // The checkout saga: its routes, and the resumer of sagas a crash left half way (stops with the scope).
    const checkoutPart = yield* startCheckout(settings.checkout, catalog.products, salesPart.admission)
    // Orders and payment webhooks: the provider client closes with the scope (after the gateway stops).
    const orderPayments = { steps: paymentSteps(settings.payments.config), provider: yield* scopedProviderClient(settings.payments.provider) }
    if (settings.admin !== undefined) yield* bootstrapAdmin(settings.admin.email, settings.admin.password, hasher, settings.accounts)
    const gateway = yield* serveGateway(
      {
        host: settings.gateway.host,
        port: settings.gateway.port,
        routes: [
          ...accountRoutes({ hasher, config: settings.accounts, limiter, onSignIn: mergeCartAtSignIn(cartDeps) }),
          ...cartRoutes(cartDeps),
          ...wishlistRoutes(cartDeps),
          ...inventoryRoutes({ config: settings.inventory }),
          ...sellerRoutes(),
          ...categoryRoutes(),
          ...sellerProductRoutes({ config: settings.catalogWrite }),
          ...productRoutes({ products: catalog.products }),
          ...searchRoutes({ search: catalog.search }),
          ...orderRoutes({ ...orderPayments, couponCodeOf: couponCodeOfCheckout }),
          ...webhookRoutes({ config: settings.payments.config, onPaymentChanged: showPaymentOnOrder }),
          ...checkoutPart.routes,
          ...salesPart.routes
        ],
        websockets: salesPart.websockets,
        runtime,
        authenticator: actorAuthenticator(host),
        idempotency: actorIdempotencyGuard(host, settings.idempotency),
        rateLimiter: limiterOf(limiter),
        registry,
        ready: () => host.ready
      },
      settings.gateway.shutdownGraceMs
    )
    return { port: gateway.port, host }
  })
  // The journal is trimmed only below what the catalog projection has applied, even before it first stored a position.
  const host = { ...settings.host, retainForProjections: [...(settings.host.retainForProjections ?? []), catalogProjectionName] }
  const live = ActorsLive(storeActors, host).pipe(Layer.provideMerge(Layer.merge(StorageLive(settings.storage), MetricsLive)))
  // Built into the caller's scope (not the program's), so the host outlives this effect.
  return Effect.flatMap(Layer.build(live), (context) => Effect.provide(program, context))
}

export const defaultStoreSettings = () => storeSettingsFromEnv()
