import { type ChildProcess, spawn } from "node:child_process"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { type StorageSettings, storageMode } from "../../storage/select.ts"

/**
 * `npm start` without `PAYMENT_PROVIDER_URL` runs the payment-provider simulator as a child
 * process (API.md: "in the embedded default `npm start` runs one on `PORT + 10`"): port
 * `PROVIDER_PORT`, else `PORT + 10` (any free port when `PORT` is 0), data in
 * `$DATA_DIR/provider`, so it keeps its tokens and payments across restarts like the store does.
 * It is stopped (SIGTERM, then SIGKILL) when the store's scope closes, and exits by itself when
 * the store dies (it watches its stdin, a pipe from us).
 *
 * Only storage modes that own a `DATA_DIR` start one: with Postgres storage and no
 * `PAYMENT_PROVIDER_URL` there is no provider (payment steps answer 503), so two stores sharing
 * the default `./data` never run two simulators on one data file.
 */

export type ProviderSetting =
  | { readonly _tag: "external"; readonly url: string }
  | { readonly _tag: "simulator"; readonly port: number; readonly host: string; readonly dataDir: string }
  | { readonly _tag: "none"; readonly why: string }

export const providerSettingFromEnv = (env: NodeJS.ProcessEnv, storage: StorageSettings): ProviderSetting => {
  const url = env["PAYMENT_PROVIDER_URL"]
  if (url !== undefined && url !== "") {
    if (!/^https?:\/\/\S+$/.test(url)) throw new Error(`PAYMENT_PROVIDER_URL must be an http(s) URL, got "${url}"`)
    return { _tag: "external", url }
  }
  const mode = storageMode(storage)
  if (mode !== "embedded" && mode !== "redis+embedded") {
    return { _tag: "none", why: `PAYMENT_PROVIDER_URL is not set and ${mode} storage runs no simulator: payments answer 503` }
  }
  const explicit = env["PROVIDER_PORT"]
  const storePort = Number(env["PORT"] ?? 8080)
  const port = explicit !== undefined && explicit !== "" ? Number(explicit) : storePort === 0 ? 0 : storePort + 10
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PROVIDER_PORT (or PORT + 10) must be 0..65535, got ${port}`)
  return { _tag: "simulator", port, host: "127.0.0.1", dataDir: join(storage.dataDir, "provider") }
}

export interface ProviderProcess {
  readonly url: string
  readonly pid: number | undefined
}

const repoRoot = fileURLToPath(new URL("../..", import.meta.url))
const startTimeoutMs = 60_000
const stopTimeoutMs = 10_000

const waitForReady = (child: ChildProcess, host: string): Promise<ProviderProcess> =>
  new Promise((resolve, reject) => {
    let buffered = ""
    let ready = false
    const timer = setTimeout(() => reject(new Error(`the payment-provider simulator printed no READY within ${startTimeoutMs} ms`)), startTimeoutMs)
    child.stdout!.setEncoding("utf8")
    child.stdout!.on("data", (chunk: string) => {
      if (ready) return
      buffered += chunk
      const match = /^READY (\d+)$/m.exec(buffered)
      if (match !== null) {
        ready = true
        clearTimeout(timer)
        resolve({ url: `http://${host}:${match[1]}`, pid: child.pid })
      } else if (buffered.length > 64 * 1024) buffered = buffered.slice(-1024)
    })
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      if (!ready) reject(new Error(`the payment-provider simulator exited before it was ready (code ${code}, signal ${signal})`))
    })
    child.once("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })

const stopping = new WeakSet<ChildProcess>()

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    stopping.add(child)
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const killer = setTimeout(() => child.kill("SIGKILL"), stopTimeoutMs)
    child.once("exit", () => {
      clearTimeout(killer)
      resolve()
    })
    child.kill("SIGTERM")
  })

/** Starts the simulator and stops it when the scope closes. Its own output goes to ours, prefixed. */
export const startProviderProcess = (setting: Extract<ProviderSetting, { _tag: "simulator" }>, env: NodeJS.ProcessEnv = process.env) =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const child = spawn(process.execPath, ["--import", "tsx", "provider/main.ts"], {
        cwd: repoRoot,
        env: {
          ...env,
          PROVIDER_PORT: String(setting.port),
          PROVIDER_HOST: setting.host,
          PROVIDER_DATA_DIR: setting.dataDir,
          EXIT_WITH_STDIN: "1"
        },
        stdio: ["pipe", "pipe", "pipe"]
      })
      child.stderr!.on("data", (chunk: Buffer) => process.stderr.write(`[provider] ${chunk.toString("utf8")}`))
      // Not restarted here: payments then answer "provider unavailable" and reconcile once a provider answers again.
      child.once("exit", (code, signal) => {
        if (!stopping.has(child)) console.error(`the payment-provider simulator exited on its own (code ${code}, signal ${signal}); payments are unavailable until the store restarts`)
      })
      return Effect.tryPromise({ try: () => waitForReady(child, setting.host), catch: (error) => error as Error }).pipe(
        Effect.tapError(() => Effect.promise(() => stop(child))),
        Effect.map((ready) => ({ ...ready, child }))
      )
    }),
    ({ child }) => Effect.promise(() => stop(child))
  ).pipe(Effect.map(({ url, pid }): ProviderProcess => ({ url, pid })))
