/** Gateway settings from the environment (API.md, "Running"). */
export interface GatewayConfig {
  readonly host: string
  readonly port: number
  /** Shutdown waits at most this long for in-flight requests before closing. */
  readonly shutdownGraceMs: number
}

export const gatewayConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): GatewayConfig => {
  const port = Number(env["PORT"] ?? 8080)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0..65535, got "${env["PORT"]}"`)
  return {
    host: env["HOST"] || "0.0.0.0",
    port,
    shutdownGraceMs: Number(env["SHUTDOWN_GRACE_MS"] ?? 10_000)
  }
}
