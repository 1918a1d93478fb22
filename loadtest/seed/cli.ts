/**
 * `npm run seed -- --products 100000 [--seed 42] [--warehouses 3]`: load a generated demo catalog
 * into the store's storage (DATABASE_URL / REDIS_URL / DATA_DIR, selected as by `npm start`).
 *
 * It starts the store itself in this process (`runStore`, gateway on 127.0.0.1 with a free port,
 * projections included), writes through the actors (loadtest/seed/load.ts), waits until every
 * projection has caught up (the `projection_lag_positions` metric at 0), and shuts the store down
 * gracefully (journals flushed, actors snapshotted). Stop `npm start` first: a store owns its
 * shards, and two processes on one storage fence each other out.
 */
import { parseArgs } from "node:util"
import { Cause, Effect, Exit, Scope } from "effect"
import { PasswordHasher } from "../../gateway/auth/password.ts"
import { runStore, storeSettingsFromEnv } from "../../gateway/store.ts"
import { storageMode } from "../../storage/select.ts"
import { checkSeedOptions, defaultSeedOptions, maxSeedProducts, maxSeedWarehouses, type SeedOptions } from "./generate.ts"
import { type CatalogLoadReport, loadCatalog, lockedPasswordHash, SeedError } from "./load.ts"
import { type LagReading, waitForProjections } from "./projection-lag.ts"

const HELP = `usage: npm run seed -- [options]
  --products N          products to load (default ${defaultSeedOptions.products}, at most ${maxSeedProducts.toLocaleString("en-US")})
  --seed N              the catalog's seed: the same seed gives the same catalog (default ${defaultSeedOptions.seed})
  --warehouses N        warehouses stock is spread over, wh_main included (1..${maxSeedWarehouses}, default ${defaultSeedOptions.warehouses})
  --concurrency N       products written at once (default 32)
  --seller-password PW  password of the seller accounts the seed creates (env SEED_SELLER_PASSWORD);
                        without one they cannot sign in. An existing account keeps its password.
  --no-wait             exit without waiting for the read models (projections) to catch up
  --wait-timeout-s N    give up waiting for the projections after N s (default 900)
  --quiet               no progress lines
environment: the store's own (DATABASE_URL, REDIS_URL, REDIS_PREFIX, DATA_DIR, SHARD_COUNT, STORE_CURRENCY, …).
Stop the store first: the seed runs the store's actors in this process.`

const positiveInt = (name: string, raw: string | undefined, fallback: number, min: number): number => {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) throw new SeedError(`--${name} must be a whole number ≥ ${min}, got "${raw}"`)
  return n
}

interface CliOptions {
  readonly seed: SeedOptions
  readonly concurrency: number
  readonly sellerPassword: string | undefined
  readonly wait: boolean
  readonly waitTimeoutS: number
  readonly quiet: boolean
}

const parseOptions = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv): CliOptions | "help" => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      products: { type: "string" },
      seed: { type: "string" },
      warehouses: { type: "string" },
      concurrency: { type: "string" },
      "seller-password": { type: "string" },
      "no-wait": { type: "boolean" },
      "wait-timeout-s": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean" }
    },
    strict: true
  })
  if (values.help === true) return "help"
  const sellerPassword = values["seller-password"] ?? (env["SEED_SELLER_PASSWORD"] || undefined)
  if (sellerPassword !== undefined && (sellerPassword.length < 8 || sellerPassword.length > 128)) throw new SeedError("the seller password must have 8..128 characters")
  return {
    seed: checkSeedOptions({
      seed: positiveInt("seed", values.seed, defaultSeedOptions.seed, 0),
      products: positiveInt("products", values.products, defaultSeedOptions.products, 0),
      warehouses: positiveInt("warehouses", values.warehouses, defaultSeedOptions.warehouses, 1),
      currency: env["STORE_CURRENCY"] || "INR"
    }),
    concurrency: positiveInt("concurrency", values.concurrency, 32, 1),
    sellerPassword,
    wait: values["no-wait"] !== true,
    waitTimeoutS: positiveInt("wait-timeout-s", values["wait-timeout-s"], 900, 1),
    quiet: values.quiet === true
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

const summary = (r: CatalogLoadReport, lag: LagReading | undefined, stopMs: number) =>
  [
    `loaded ${r.products.toLocaleString("en-US")} products with ${r.skus.toLocaleString("en-US")} SKUs in ${seconds(r.elapsedMs)}: ` +
      `${r.productsPerSecond.toLocaleString("en-US")} products/s, ${r.commandsPerSecond.toLocaleString("en-US")} commands/s ` +
      `(${r.commands.toLocaleString("en-US")} commands, ${r.receives.toLocaleString("en-US")} stock receipts, ${r.events.toLocaleString("en-US")} events journaled)`,
    ...(r.productsKept > 0 ? [`${r.productsKept} products had been changed since they were seeded and were left as they are`] : []),
    ...(r.events === 0 ? ["nothing to do: the catalog was already there"] : []),
    lag === undefined
      ? "read models: not waited for"
      : lag.projections.length === 0
        ? "read models: this store runs no projection"
        : `read models caught up in ${seconds(lag.waitedMs)} after the load (${lag.projections.join(", ")})`,
    `store stopped (journals flushed, actors snapshotted) in ${seconds(stopMs)}`
  ].join("\n")

const main = async () => {
  const parsed = parseOptions(process.argv.slice(2), process.env)
  if (parsed === "help") {
    console.log(HELP)
    return
  }
  const env = process.env
  const base = storeSettingsFromEnv(env)
  const settings = {
    ...base,
    // Nobody but this process talks to this store: loopback, any free port (for /metrics).
    gateway: { ...base.gateway, host: "127.0.0.1", port: 0 },
    // Hundreds of thousands of fresh actors: let idle ones go (snapshotted) sooner than a serving store would.
    host: env["PASSIVATE_AFTER_IDLE_MS"] ? base.host : { ...base.host, passivateAfterIdleMs: 15_000 }
  }
  const log = parsed.quiet ? undefined : (line: string) => console.log(line)
  log?.(`seed: starting the store's actors on ${storageMode(settings.storage)} storage`)
  const scope = Effect.runSync(Scope.make())
  const started = await Effect.runPromiseExit(Scope.extend(runStore(settings), scope))
  if (Exit.isFailure(started)) {
    await Effect.runPromise(Scope.close(scope, started))
    throw new SeedError(`the store did not start: ${Cause.pretty(started.cause)}`)
  }
  const { host, port } = started.value
  // A first Ctrl-C stops after the products in flight and shuts the store down cleanly; a second one exits at once.
  let stopRequested = false
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopRequested) process.exit(130)
      stopRequested = true
      console.log("seed: stopping after the products in flight (again to exit at once); a later run with the same options completes the catalog")
    })
  }
  let result: { report: CatalogLoadReport; lag: LagReading | undefined } | undefined
  try {
    const sellerPasswordHash = parsed.sellerPassword === undefined ? lockedPasswordHash : await new PasswordHasher(settings.passwordHash).hash(parsed.sellerPassword)
    const report = await loadCatalog(host, parsed.seed, {
      concurrency: parsed.concurrency,
      sellerPasswordHash,
      log,
      progressEveryMs: 10_000,
      stopRequested: () => stopRequested
    })
    log?.(`seed: load done in ${seconds(report.elapsedMs)}${parsed.wait ? "; waiting for the read models to catch up" : ""}`)
    const lag = parsed.wait ? await waitForProjections(`http://127.0.0.1:${port}/metrics`, parsed.waitTimeoutS * 1000, log) : undefined
    result = { report, lag }
  } finally {
    const stopStarted = performance.now()
    await Effect.runPromise(Scope.close(scope, Exit.void))
    if (result !== undefined) console.log(summary(result.report, result.lag, performance.now() - stopStarted))
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof SeedError ? `seed: ${error.message}` : error)
    process.exit(1)
  }
)
