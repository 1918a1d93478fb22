import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { hostConfigFromEnv } from "../runtime/config.ts"
import { Actors, ActorsLive, Metrics, MetricsLive } from "../runtime/service.ts"
import { StorageLive, storageMode, storageSettingsFromEnv } from "../storage/select.ts"
import { gatewayConfigFromEnv } from "./config.ts"
import { noAuthentication, unlimited } from "./ports.ts"
import { serveGateway } from "./server.ts"

/** `npm start`: the store on the storage the environment selects (embedded PGlite by default). */
const program = Effect.gen(function* () {
  const config = gatewayConfigFromEnv()
  const host = yield* Actors
  const registry = yield* Metrics
  const runtime = yield* Effect.runtime<Actors | Metrics>()
  const gateway = yield* serveGateway(
    {
      host: config.host,
      port: config.port,
      routes: [],
      runtime,
      authenticator: noAuthentication,
      idempotency: undefined,
      rateLimiter: unlimited,
      registry,
      ready: () => host.ready
    },
    config.shutdownGraceMs
  )
  const shown = config.host === "0.0.0.0" ? "127.0.0.1" : config.host
  console.log(`store listening on http://${shown}:${gateway.port} (storage: ${storageMode(storageSettingsFromEnv())})`)
  // A shutdown that hangs must still end: SIGTERM gives the scope a bounded time to close.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), config.shutdownGraceMs + 5_000).unref())
  }
  return yield* Effect.never
})

const storage = StorageLive(storageSettingsFromEnv())
const live = ActorsLive([], hostConfigFromEnv()).pipe(Layer.provideMerge(Layer.merge(storage, MetricsLive)))

program.pipe(Effect.scoped, Effect.provide(live), NodeRuntime.runMain)
