/**
 * The store under load: the one at `--target URL`, or a fresh `gateway/main.ts` started here (its
 * own process) on embedded storage (a temporary DATA_DIR, the payment-provider simulator included)
 * or on Redis + Postgres (a fresh schema in DATABASE_URL and a fresh REDIS_PREFIX, and a
 * payment-provider simulator started here in its own process), stopped and cleaned up at the end.
 */
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { Redis } from "ioredis"
import { migrationLockKey } from "../../storage/postgres/migrations.ts"
import { pgPool } from "../baselines/reserve-server.ts"
import { type RunningServer, startServer, stop } from "../lib/processes.ts"

export type Storage = "embedded" | "redis+pg"

export interface Target {
  readonly base: string
  readonly admin: { readonly email: string; readonly password: string } | undefined
  /** The payment-provider simulator the store uses (bundled on embedded storage, started here on Redis + Postgres), else undefined. */
  readonly providerUrl: string | undefined
  readonly describe: string
  /** Our own store process (undefined for --target). */
  readonly server: RunningServer | undefined
  /** Stop our store (SIGTERM, then SIGKILL after 30 s); nothing for --target. Idempotent. */
  readonly stop: () => Promise<void>
  /** Remove what the run created (data dir, schema, Redis keys). Call after stop. Idempotent. */
  readonly cleanup: () => Promise<void>
}

export interface TargetOptions {
  readonly target: string | undefined
  readonly storage: Storage
  readonly databaseUrl: string
  readonly redisUrl: string
  /** Extra environment for our store (a scenario's settings). */
  readonly env: Record<string, string>
  readonly adminEmail: string | undefined
  readonly adminPassword: string | undefined
}

const schemaUrl = (base: string, schema: string) => {
  const url = new URL(base)
  url.searchParams.set("options", `-c search_path=${schema},public`)
  return url.toString()
}

export const openTarget = async (o: TargetOptions): Promise<Target> => {
  if (o.target !== undefined) {
    const admin = o.adminEmail !== undefined && o.adminPassword !== undefined ? { email: o.adminEmail, password: o.adminPassword } : undefined
    return { base: o.target.replace(/\/$/, ""), admin, providerUrl: process.env["PAYMENT_PROVIDER_URL"] || undefined, describe: `target ${o.target}`, server: undefined, stop: async () => {}, cleanup: async () => {} }
  }
  const runId = `lt${Date.now().toString(36)}${randomBytes(3).toString("hex")}`
  const admin = { email: `loadtest-admin-${runId}@example.com`, password: randomBytes(12).toString("hex") }
  const cleanups: Array<() => Promise<void>> = []
  let storageEnv: Record<string, string>
  let ownProviderUrl: string | undefined
  if (o.storage === "embedded") {
    const dir = mkdtempSync(path.join(tmpdir(), "loadtest-"))
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }))
    storageEnv = { DATA_DIR: dir, REDIS_URL: "", DATABASE_URL: "" }
  } else {
    const schema = `loadtest_${runId}`
    const admin = pgPool({ connectionString: o.databaseUrl, max: 1 })
    admin.on("error", () => {})
    await admin.query({ text: `BEGIN; SELECT pg_advisory_xact_lock(${BigInt(migrationLockKey)}::bigint); CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public; COMMIT` })
    await admin.query({ text: `CREATE SCHEMA ${schema}` })
    cleanups.push(async () => {
      try {
        await admin.query({ text: `DROP SCHEMA IF EXISTS ${schema} CASCADE` })
      } finally {
        await admin.end()
      }
    })
    const prefix = `loadtest:${runId}`
    cleanups.push(async () => {
      const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1 })
      try {
        let cursor = "0"
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000)
          cursor = next
          if (keys.length > 0) await redis.del(...keys)
        } while (cursor !== "0")
      } finally {
        redis.disconnect()
      }
    })
    storageEnv = { DATABASE_URL: schemaUrl(o.databaseUrl, schema), REDIS_URL: o.redisUrl, REDIS_PREFIX: prefix }
    // The store runs the simulator itself only on embedded storage: here the harness starts one, in its own process.
    const providerDir = mkdtempSync(path.join(tmpdir(), "loadtest-provider-"))
    cleanups.push(async () => rmSync(providerDir, { recursive: true, force: true }))
    const provider = await startServer(
      "provider",
      ["--import", "tsx", "provider/main.ts"],
      { ...process.env, PROVIDER_PORT: "0", PROVIDER_HOST: "127.0.0.1", PROVIDER_DATA_DIR: providerDir, PROVIDER_WEBHOOK_URL: "" },
      /^READY (\d+)/,
      60_000
    )
    cleanups.unshift(() => stop(provider.child, 10_000))
    ownProviderUrl = `http://127.0.0.1:${provider.port}`
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: "127.0.0.1",
    PORT: "0",
    RATE_LIMITS: "off",
    FRAUD_RULES: "off",
    PASSWORD_HASH_LOG_N: "10",
    RESERVATION_TTL_MS: String(60 * 60_000),
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    PAYMENT_PROVIDER_URL: ownProviderUrl ?? "",
    ...storageEnv,
    ...o.env
  }
  let server: RunningServer
  try {
    server = await startServer("store", ["--import", "tsx", "gateway/main.ts"], env, /^store listening on http:\/\/[^\s:]+:(\d+)/, 180_000)
  } catch (error) {
    for (const c of cleanups) await c().catch(() => {})
    throw error
  }
  const providerUrl = ownProviderUrl ?? server.output.map((line) => /^payment provider simulator on (http:\/\/\S+)/.exec(line)?.[1]).find((u) => u !== undefined)
  let stopped: Promise<void> | undefined
  let cleaned: Promise<void> | undefined
  return {
    base: `http://127.0.0.1:${server.port}`,
    admin,
    providerUrl,
    describe: `fresh store (${o.storage}), pid ${server.pid}`,
    server,
    stop: () => (stopped ??= stop(server.child, 30_000)),
    cleanup: () =>
      (cleaned ??= (async () => {
        for (const c of cleanups) await c().catch((error: unknown) => console.error(`cleanup: ${String(error)}`))
      })())
  }
}
