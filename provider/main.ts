import { providerConfigFromEnv } from "./config.ts"
import { startProvider } from "./server.ts"

/**
 * `npm run provider`: the payment-provider simulator on its own (PROVIDER_PORT, else PORT,
 * default 8090). Prints `READY <port>` once it serves. With EXIT_WITH_STDIN=1 it exits when its
 * stdin closes (a test runner that started it died).
 */
const config = providerConfigFromEnv()

const main = async () => {
  if (process.env["EXIT_WITH_STDIN"] === "1") process.stdin.on("end", () => process.exit(1)).resume()
  const provider = await startProvider(config)
  // A data file that cannot be written leaves memory ahead of disk: restart from the disk.
  const watchdog = setInterval(() => {
    if (provider.core.broken) {
      console.error("provider: the data file cannot be written; exiting so a restart replays what is durable")
      process.exit(1)
    }
  }, 200)
  watchdog.unref()
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      setTimeout(() => process.exit(1), 10_000).unref()
      provider.close().then(
        () => process.exit(0),
        () => process.exit(1)
      )
    })
  }
  console.log(`payment provider simulator listening on ${provider.url} (data: ${config.dataDir})`)
  console.log(`READY ${provider.port}`)
}

main().catch((error: unknown) => {
  console.error(`provider: could not start: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
