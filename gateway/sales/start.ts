import { Effect } from "effect"
import type { ActorHost } from "../../runtime/host.ts"
import type { MetricsRegistry } from "../../runtime/metrics.ts"
import type { RateLimiter } from "../rate-limit.ts"
import { saleRoutes } from "../routes/sales.ts"
import { AdmissionGate } from "./admission.ts"
import type { SalesConfig } from "./config.ts"
import { saleQueueEndpoint } from "./endpoint.ts"
import { SaleHub } from "./hub.ts"
import { SaleMetrics } from "./metrics.ts"
import { KeyRing } from "./tokens.ts"

/**
 * The waiting room in a running store: the admission keys (loaded, the first one created), the
 * hub that ticks live sales (stopped with the scope), the routes, the WebSocket endpoint, and the
 * gate the checkout asks (`admission.checkAdmission` / `completeAdmission` / `releaseAdmission`).
 */
export const startSales = (deps: {
  readonly host: ActorHost
  readonly registry: MetricsRegistry
  readonly config: SalesConfig
  /** undefined: RATE_LIMITS=off. */
  readonly limiter: RateLimiter | undefined
  readonly log?: (message: string, detail?: unknown) => void
}) =>
  Effect.gen(function* () {
    const keys = new KeyRing(deps.host)
    yield* Effect.tryPromise({ try: () => keys.load(), catch: (e) => e as Error })
    const metrics = new SaleMetrics(deps.registry)
    const hub = new SaleHub({ host: deps.host, keys, config: deps.config, metrics, log: deps.log ?? ((m, d) => console.error(m, d ?? "")) })
    yield* Effect.acquireRelease(
      Effect.sync(() => hub.start()),
      () => Effect.sync(() => hub.stop())
    )
    return {
      hub,
      keys,
      admission: new AdmissionGate({ host: deps.host, keys, metrics }),
      routes: saleRoutes({ hub, keys, config: deps.config }),
      websockets: [saleQueueEndpoint({ hub, config: deps.config, metrics, limiter: deps.limiter })]
    }
  })
