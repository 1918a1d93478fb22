import { Effect } from "effect"
import uWS from "uWebSockets.js"
import type { MetricsRegistry } from "../runtime/metrics.ts"

export interface HealthSource {
  /** Recovery and migrations are done and the host serves commands. */
  readonly ready: () => boolean
}

const json = (res: uWS.HttpResponse, status: string, body: unknown): void => {
  res.cork(() => {
    res.writeStatus(status).writeHeader("content-type", "application/json; charset=utf-8").end(JSON.stringify(body))
  })
}

/**
 * The uWebSockets.js listener. For now it serves the operational routes; the public API routes
 * are mounted by the gateway issue on the same app.
 */
export const serveHttp = (options: {
  readonly host: string
  readonly port: number
  readonly health: HealthSource
  readonly metrics: MetricsRegistry
}) =>
  Effect.acquireRelease(
    Effect.async<{ readonly port: number; readonly close: () => void }, Error>((resume) => {
      const app = uWS.App()
      app.get("/healthz", (res) => json(res, "200 OK", { status: "ok" }))
      app.get("/readyz", (res) => {
        if (options.health.ready()) return json(res, "200 OK", { status: "ready" })
        res.cork(() => {
          res
            .writeStatus("503 Service Unavailable")
            .writeHeader("content-type", "application/json; charset=utf-8")
            .writeHeader("retry-after", "1")
            .end(JSON.stringify({ error: { code: "unavailable", message: "recovering", details: {} } }))
        })
      })
      app.get("/metrics", (res) => {
        res.cork(() => {
          res.writeStatus("200 OK").writeHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(options.metrics.render())
        })
      })
      app.any("/*", (res) => json(res, "404 Not Found", { error: { code: "not_found", message: "no such route", details: {} } }))
      app.listen(options.host, options.port, (token) => {
        if (!token) return resume(Effect.fail(new Error(`cannot listen on ${options.host}:${options.port}`)))
        const port = uWS.us_socket_local_port(token)
        resume(Effect.succeed({ port, close: () => uWS.us_listen_socket_close(token) }))
      })
    }),
    (server) => Effect.sync(() => server.close())
  )
