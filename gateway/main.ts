import { NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { demoCatalogEnabled, loadDemoCatalog } from "../loadtest/seed/demo.ts"
import { storageMode } from "../storage/select.ts"
import { runStore, storeSettingsFromEnv } from "./store.ts"

/** `npm start`: the store on the storage the environment selects (embedded PGlite by default). */
const settings = storeSettingsFromEnv()
demoCatalogEnabled(process.env)

const program = Effect.gen(function* () {
  const store = yield* runStore(settings)
  // An empty store gets the demo catalog (DEMO_CATALOG=off: never) before it announces itself.
  const demo = yield* Effect.tryPromise(() => loadDemoCatalog(store.host, process.env)).pipe(
    Effect.catchAll((error) => Effect.sync(() => console.error("the demo catalog could not be loaded; the store runs without it", error.cause)))
  )
  if (demo !== undefined && "loaded" in demo) console.log(`demo catalog loaded: ${demo.loaded.products} products (DEMO_CATALOG=off to start empty)`)
  const shown = settings.gateway.host === "0.0.0.0" ? "127.0.0.1" : settings.gateway.host
  console.log(`store listening on http://${shown}:${store.port} (storage: ${storageMode(settings.storage)})`)
  // A shutdown that hangs must still end: after SIGTERM the scope gets a bounded time to close.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), settings.gateway.shutdownGraceMs + 15_000).unref())
  }
  return yield* Effect.never
})

program.pipe(Effect.scoped, NodeRuntime.runMain)
