import { Effect, type Runtime } from "effect"
import uWS from "uWebSockets.js"
import type { MetricsRegistry } from "../runtime/metrics.ts"
import { HttpMetrics } from "./http-metrics.ts"
import { openApiDocument, type OpenApiInfo } from "./openapi.ts"
import { defaultHttpLimits, type HttpLimits, Pipeline } from "./pipeline.ts"
import type { Authenticator, IdempotencyGuard, RateLimiter } from "./ports.ts"
import type { AnyRoute } from "./route.ts"
import { Router } from "./router.ts"
import { systemRoutes } from "./routes/system.ts"
import { mountWebSocket, type OpenSockets, type WsEndpoint } from "./websocket.ts"

export interface GatewayOptions<R> {
  readonly host: string
  readonly port: number
  readonly routes: ReadonlyArray<AnyRoute<R>>
  readonly runtime: Runtime.Runtime<R>
  readonly authenticator: Authenticator
  readonly idempotency: IdempotencyGuard | undefined
  readonly rateLimiter: RateLimiter
  readonly registry: MetricsRegistry
  readonly ready: () => boolean
  readonly websockets?: ReadonlyArray<WsEndpoint>
  readonly limits?: Partial<HttpLimits>
  readonly info?: OpenApiInfo
  readonly log?: (message: string, detail?: unknown) => void
}

export interface RunningGateway {
  readonly port: number
  /** Stop accepting, let in-flight requests finish (at most `graceMs`), close sockets. */
  readonly shutdown: (graceMs: number) => Promise<void>
}

const defaultInfo: OpenApiInfo = {
  title: "actor-commerce",
  version: "1.0.0",
  description: "The commerce API. WebSocket endpoints (waiting room) speak JSON text frames; see API.md."
}

/** Start the uWebSockets.js server: one pipeline for every HTTP route, plus WebSocket endpoints. */
export const startGateway = <R>(options: GatewayOptions<R>): Promise<RunningGateway> => {
  const log = options.log ?? ((m: string, d?: unknown) => console.error(m, d ?? ""))
  let document: Record<string, unknown> | undefined
  const system = systemRoutes({
    ready: options.ready,
    metrics: options.registry,
    openapi: () => (document ??= openApiDocument(routes, options.info ?? defaultInfo))
  })
  const routes: ReadonlyArray<AnyRoute> = [...system, ...options.routes]
  const pipeline = new Pipeline(
    {
      router: new Router(routes),
      runtime: options.runtime,
      authenticator: options.authenticator,
      idempotency: options.idempotency,
      rateLimiter: options.rateLimiter,
      metrics: new HttpMetrics(options.registry),
      limits: { ...defaultHttpLimits, ...options.limits },
      log
    },
    routes
  )
  const app = uWS.App()
  const sockets: OpenSockets = new Set()
  for (const endpoint of options.websockets ?? []) {
    mountWebSocket(app, endpoint, { authenticator: options.authenticator, rateLimiter: options.rateLimiter, registry: options.registry, sockets, log })
  }
  app.any("/*", pipeline.handle)
  return new Promise((resolve, reject) => {
    app.listen(options.host, options.port, (token) => {
      if (!token) return reject(new Error(`cannot listen on ${options.host}:${options.port}`))
      // Once only: closing a listen socket twice touches freed memory.
      let stopping: Promise<void> | undefined
      const stop = async (graceMs: number) => {
        uWS.us_listen_socket_close(token)
        await pipeline.drain(graceMs)
        for (const ws of sockets) ws.end(1001, "server shutting down")
        // Kept-alive HTTP connections would otherwise go on being served after shutdown.
        ;(app as unknown as { close?: () => void }).close?.()
      }
      resolve({
        port: uWS.us_socket_local_port(token),
        shutdown: (graceMs) => (stopping ??= stop(graceMs))
      })
    })
  })
}

/** The gateway as a scoped resource: shut down gracefully when the scope closes. */
export const serveGateway = <R>(options: GatewayOptions<R>, graceMs: number) =>
  Effect.acquireRelease(
    Effect.tryPromise({ try: () => startGateway(options), catch: (e) => e as Error }),
    (gateway) => Effect.promise(() => gateway.shutdown(graceMs))
  )
