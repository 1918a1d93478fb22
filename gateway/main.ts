import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { hostConfigFromEnv } from "../runtime/config.ts"
import { Actors, ActorsLive, Metrics, MetricsLive } from "../runtime/service.ts"
import { StorageLive, storageMode, storageSettingsFromEnv } from "../storage/select.ts"
import { gatewayConfigFromEnv } from "./config.ts"
import { serveHttp } from "./server.ts"

/** `npm start`: the store on the storage the environment selects (embedded PGlite by default). */
const program = Effect.gen(function* () {
  const config = gatewayConfigFromEnv()
  const host = yield* Actors
  const metrics = yield* Metrics
  const server = yield* serveHttp({ host: config.host, port: config.port, health: { ready: () => host.ready }, metrics })
  const shown = config.host === "0.0.0.0" ? "127.0.0.1" : config.host
  console.log(`store listening on http://${shown}:${server.port} (storage: ${storageMode(storageSettingsFromEnv())})`)
  return yield* Effect.never
})

const storage = StorageLive(storageSettingsFromEnv())
const live = ActorsLive([], hostConfigFromEnv()).pipe(Layer.provideMerge(Layer.merge(storage, MetricsLive)))

program.pipe(Effect.scoped, Effect.provide(live), NodeRuntime.runMain)
