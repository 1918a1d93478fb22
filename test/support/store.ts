/**
 * The real store for black-box tests: in this process (`startStore`, the same `runStore` as
 * `npm start`, in a Scope the test closes) or as a child process (`spawnStore`, exactly
 * `node --import tsx gateway/main.ts`). Both listen on 127.0.0.1 with an OS-chosen port.
 *
 * Storage is real: a fresh Postgres schema (`postgresStorage`, dropped by its cleanup) or a
 * temporary embedded data directory (`embeddedStorage`, removed by its cleanup). Restarting a
 * store on the same storage is `startStore(storage.env)` again after `stop()`.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { SqlClient } from "@effect/sql"
import { Cause, Effect, Exit, ManagedRuntime, Scope } from "effect"
import { runStore, storeSettingsFromEnv } from "../../gateway/store.ts"
import { pgClientLayer } from "../../storage/postgres/client.ts"
import { migrationLockKey } from "../../storage/postgres/migrations.ts"

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url))

export type Env = Readonly<Record<string, string | undefined>>

/**
 * Settings every test store starts with unless overridden: loopback, any port, a cheap password
 * hash (tests that measure hashing raise it), 16 shards (recovery at start is per shard), no
 * rate limits (tests of limits turn them on), a short shutdown grace, no demo catalog (a spawned
 * store on empty storage would load one; tests of the demo turn it on).
 */
export const testDefaults: Env = {
  HOST: "127.0.0.1",
  PORT: "0",
  PASSWORD_HASH_LOG_N: "12",
  SHARD_COUNT: "16",
  RATE_LIMITS: "off",
  SHUTDOWN_GRACE_MS: "5000",
  DEMO_CATALOG: "off"
}

const withoutUndefined = (env: Env): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  return out
}

// ---------------------------------------------------------------------------------------------
// Storage

export interface TestStorage {
  /** The storage part of a store's environment (`DATABASE_URL` or `DATA_DIR`). */
  readonly env: Record<string, string>
  readonly describe: string
  /** Drop the schema / remove the directory. Call after every store on it has stopped. */
  readonly cleanup: () => Promise<void>
}

export const postgresBaseUrl = process.env["DATABASE_URL_TEST"] ?? "postgres://postgres@127.0.0.1:5432/test"

/** A URL whose connections see only `schema` (plus public, where shared extensions live). */
export const urlWithSchema = (schema: string): string => {
  const url = new URL(postgresBaseUrl)
  url.searchParams.set("options", `-c search_path=${schema},public`)
  return url.toString()
}

let adminRuntime: ManagedRuntime.ManagedRuntime<SqlClient.SqlClient, unknown> | undefined
let adminUsers = 0
const adminSql = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>): Promise<A> => {
  adminRuntime ??= ManagedRuntime.make(pgClientLayer({ url: postgresBaseUrl, maxConnections: 2 }))
  return adminRuntime.runPromise(Effect.flatMap(SqlClient.SqlClient, f))
}

/**
 * A fresh schema in the test database. pg_trgm is database-wide: it is made sure of in public
 * first (under the migration lock, as other test files migrate concurrently), so the store's own
 * `CREATE EXTENSION IF NOT EXISTS` finds it and dropping the schema never drops the extension.
 */
export const postgresStorage = async (): Promise<TestStorage> => {
  const schema = `t_${randomBytes(6).toString("hex")}`
  adminUsers++
  const release = async () => {
    if (--adminUsers === 0 && adminRuntime !== undefined) {
      const runtime = adminRuntime
      adminRuntime = undefined
      await runtime.dispose()
    }
  }
  try {
    await adminSql((sql) =>
      sql.withTransaction(
        Effect.zipRight(sql`SELECT pg_advisory_xact_lock(${migrationLockKey}::bigint)`, sql`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`)
      )
    )
    await adminSql((sql) => sql.unsafe(`CREATE SCHEMA ${schema}`))
  } catch (error) {
    await release()
    throw error
  }
  let cleaned = false
  return {
    env: { DATABASE_URL: urlWithSchema(schema) },
    describe: `postgres schema ${schema}`,
    cleanup: async () => {
      if (cleaned) return
      cleaned = true
      try {
        await adminSql((sql) => sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
      } finally {
        await release()
      }
    }
  }
}

/** A temporary DATA_DIR for embedded storage (PGlite). */
export const embeddedStorage = (): TestStorage => {
  const dir = mkdtempSync(join(tmpdir(), "store-test-"))
  return {
    env: { DATA_DIR: dir },
    describe: `embedded ${dir}`,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true })
      return Promise.resolve()
    }
  }
}

/** `STORE_TEST_STORAGE=embedded` runs the in-process suites on embedded storage instead of Postgres. */
export const defaultStorage = (): Promise<TestStorage> =>
  process.env["STORE_TEST_STORAGE"] === "embedded" ? Promise.resolve(embeddedStorage()) : postgresStorage()

// ---------------------------------------------------------------------------------------------
// In-process store

export interface RunningStore {
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly base: string
  /** The environment the store was started with (defaults, storage and overrides merged). */
  readonly env: Record<string, string>
  /** Close the store's scope: drain requests, flush journals, close storage. Idempotent. */
  readonly stop: () => Promise<void>
}

/**
 * `runStore(storeSettingsFromEnv(env))` in a Scope of its own, with `env` = test defaults, then
 * `overrides` (include the storage's `env`). Nothing is read from `process.env`.
 */
export const startStore = async (overrides: Env): Promise<RunningStore> => {
  const env = withoutUndefined({ ...testDefaults, ...overrides })
  const settings = storeSettingsFromEnv(env)
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(Scope.extend(runStore(settings), scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw new Error(`the store did not start: ${Cause.pretty(exit.cause)}`)
  }
  let stopping: Promise<void> | undefined
  return {
    port: exit.value.port,
    base: `http://127.0.0.1:${exit.value.port}`,
    env,
    stop: () => (stopping ??= Effect.runPromise(Scope.close(scope, Exit.void)))
  }
}

// ---------------------------------------------------------------------------------------------
// Child process (`npm start`)

export interface StoreProcess {
  readonly pid: number
  readonly port: number
  readonly base: string
  /** Everything the child wrote, stdout and stderr interleaved (bounded to the last 256 KiB). */
  readonly output: () => string
  /** Resolves with the exit code and signal once the child has exited. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>
  /** Send a signal to the child's pid (nothing if it has exited). */
  readonly signal: (signal: NodeJS.Signals) => void
  /** SIGKILL the child by pid (if still running) and wait for it to be gone. */
  readonly kill: () => Promise<void>
}

const running = new Set<ChildProcess>()
// If the test process goes away without its cleanup, leave no server behind.
process.once("exit", () => {
  for (const child of running) if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
})

/**
 * Spawn `node --import tsx gateway/main.ts` (what `npm start` runs) with `process.env` plus test
 * defaults plus `overrides` (a value of `undefined` removes an inherited variable), and resolve
 * once it prints `store listening on http://…:<port>`.
 */
export const spawnStore = (overrides: Env, timeoutMs = 90_000): Promise<StoreProcess> => {
  const env = withoutUndefined({
    ...process.env,
    // Inherited storage settings would point the child at someone else's storage.
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    DATA_DIR: undefined,
    ...testDefaults,
    ...overrides
  })
  const child = spawn(process.execPath, ["--import", "tsx", "gateway/main.ts"], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] })
  running.add(child)
  let output = ""
  const append = (chunk: Buffer) => {
    output += chunk.toString("utf8")
    if (output.length > 256 * 1024) output = output.slice(-256 * 1024)
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child)
      resolve({ code, signal })
    })
  )
  const signal = (s: NodeJS.Signals) => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, s)
  }
  const kill = async () => {
    signal("SIGKILL")
    await exited
  }
  return new Promise<StoreProcess>((resolve, reject) => {
    let settled = false
    const fail = (why: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void kill().then(() => reject(new Error(`${why}; output:\n${output}`)))
    }
    const timer = setTimeout(() => fail(`the store printed no "store listening" line within ${timeoutMs} ms`), timeoutMs)
    child.stderr!.on("data", append)
    child.stdout!.on("data", (chunk: Buffer) => {
      append(chunk)
      const match = /store listening on http:\/\/[^\s:]+:(\d+)/.exec(output)
      if (match !== null && !settled) {
        settled = true
        clearTimeout(timer)
        const port = Number(match[1])
        resolve({ pid: child.pid!, port, base: `http://127.0.0.1:${port}`, output: () => output, exited, signal, kill })
      }
    })
    void exited.then(({ code, signal: s }) => fail(`the store exited before listening (code ${code}, signal ${s})`))
  })
}

// ---------------------------------------------------------------------------------------------
// HTTP

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  readonly json: unknown
}

/** `fetch` with a JSON body (a string is sent as is) and the answer read completely. */
export const call = async (
  base: string,
  method: string,
  path: string,
  options: { readonly body?: unknown; readonly token?: string | undefined; readonly headers?: Record<string, string> } = {}
): Promise<Answer> => {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`
  let body: string | undefined
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body)
    headers["content-type"] ??= "application/json"
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(15_000) })
  const text = await res.text()
  let json: unknown
  try {
    json = text === "" ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json }
}

/** True when `json` is exactly `{error: {code, message, details}}` with string code/message and an object details. */
export const isErrorShape = (json: unknown): json is { error: { code: string; message: string; details: Record<string, unknown> } } => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return false
  const keys = Object.keys(json)
  if (keys.length !== 1 || keys[0] !== "error") return false
  const e = (json as { error: unknown }).error
  if (typeof e !== "object" || e === null || Array.isArray(e)) return false
  const { code, message, details } = e as Record<string, unknown>
  return (
    Object.keys(e).length === 3 &&
    typeof code === "string" &&
    /^[a-z_]+$/.test(code) &&
    typeof message === "string" &&
    typeof details === "object" &&
    details !== null &&
    !Array.isArray(details)
  )
}

let emails = 0
/** A unique, normalized email for one test account. */
export const uniqueEmail = (tag = "user") => `${tag}.${process.pid}.${Date.now().toString(36)}.${++emails}@example.com`

export interface Account {
  readonly email: string
  readonly password: string
  readonly name: string
  readonly userId: string
  readonly token: string
}

/** Sign up a fresh account (expects 201). */
export const signUp = async (base: string, tag = "user", name = `Test ${tag}`): Promise<Account> => {
  const email = uniqueEmail(tag)
  const password = `pw-${randomBytes(6).toString("hex")}`
  const res = await call(base, "POST", "/v1/auth/signup", { body: { email, password, name } })
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${res.text}`)
  const body = res.json as { user_id: string; token: string }
  return { email, password, name, userId: body.user_id, token: body.token }
}

export const sampleAddress = (overrides: Record<string, unknown> = {}) => ({
  name: "Asha Rao",
  line1: "12 MG Road",
  city: "Bengaluru",
  region: "KA",
  postal_code: "560001",
  country: "IN",
  ...overrides
})
