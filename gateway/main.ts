import { NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { demoCatalogEnabled, loadDemoCatalog } from "../loadtest/seed/demo.ts"
import { storageMode, storageSettingsFromEnv } from "../storage/select.ts"
import { providerSettingFromEnv, startProviderProcess } from "./payments/provider-process.ts"
import { webhookPath } from "./payments/webhook-route.ts"
import { runStore, storeSettingsFromEnv } from "./store.ts"

/**
 * `npm start`: the store on the storage the environment selects (embedded PGlite by default).
 * Without PAYMENT_PROVIDER_URL (and with a DATA_DIR of its own) the payment-provider simulator
 * runs as a child process and the store uses it; it is stopped with the store.
 */
// Every setting is checked before anything starts; the store's are read again once the simulator's URL is known.
const initialSettings = storeSettingsFromEnv()
const providerSetting = providerSettingFromEnv(process.env, storageSettingsFromEnv(process.env))
demoCatalogEnabled(process.env)

/** Points the simulator's webhooks at this store (not persisted by the simulator: set at every start). */
const routeWebhooks = (providerUrl: string, storeUrl: string) =>
  Effect.tryPromise(async () => {
    const response = await fetch(`${providerUrl}/v1/test/settings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ webhook_url: `${storeUrl}${webhookPath}` }),
      signal: AbortSignal.timeout(10_000)
    })
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
  }).pipe(Effect.catchAll((error) => Effect.sync(() => console.error("the simulator's webhooks could not be pointed at the store; payments still reconcile by reading it", error.cause))))

const program = Effect.gen(function* () {
  if (providerSetting._tag === "simulator") {
    const simulator = yield* startProviderProcess(providerSetting)
    process.env["PAYMENT_PROVIDER_URL"] = simulator.url
    console.log(`payment provider simulator on ${simulator.url} (data: ${providerSetting.dataDir}; PAYMENT_PROVIDER_URL to use another)`)
  } else if (providerSetting._tag === "none") {
    console.log(providerSetting.why)
  }
  const settings = providerSetting._tag === "simulator" ? storeSettingsFromEnv() : initialSettings
  const store = yield* runStore(settings)
  const shown = settings.gateway.host === "0.0.0.0" ? "127.0.0.1" : settings.gateway.host
  if (providerSetting._tag === "simulator") yield* routeWebhooks(process.env["PAYMENT_PROVIDER_URL"]!, `http://${shown}:${store.port}`)
  // An empty store gets the demo catalog (DEMO_CATALOG=off: never) before it announces itself.
  const demo = yield* Effect.tryPromise(() => loadDemoCatalog(store.host, process.env)).pipe(
    Effect.catchAll((error) => Effect.sync(() => console.error("the demo catalog could not be loaded; the store runs without it", error.cause)))
  )
  if (demo !== undefined && "loaded" in demo) console.log(`demo catalog loaded: ${demo.loaded.products} products (DEMO_CATALOG=off to start empty)`)
  console.log(`store listening on http://${shown}:${store.port} (storage: ${storageMode(settings.storage)})`)
  // A shutdown that hangs must still end: after SIGTERM the scope gets a bounded time to close.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), settings.gateway.shutdownGraceMs + 15_000).unref())
  }
  return yield* Effect.never
})

program.pipe(Effect.scoped, NodeRuntime.runMain)
