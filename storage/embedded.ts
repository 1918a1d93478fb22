import { mkdir, open, readFile, rm } from "node:fs/promises"
import { join } from "node:path"
import type { SqlClient } from "@effect/sql"
import type { PgClient } from "@effect/sql-pg"
import { PGlite } from "@electric-sql/pglite"
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import { Config, Effect, Layer } from "effect"
import { StorageUnavailable } from "../runtime/errors.ts"
import type { Journal, PositionStore, SnapshotStore } from "../runtime/ports.ts"
import { pgClientLayer } from "./postgres/client.ts"
import type { Migration } from "./postgres/migrations.ts"
import { postgresStorageOnClient } from "./postgres/storage.ts"

/**
 * The default storage mode: PGlite (Postgres compiled to WASM, in this process) keeping its files
 * in `${dataDir}/pglite`, served on 127.0.0.1 over the Postgres wire protocol so the same
 * `@effect/sql-pg` adapters as production talk to it.
 */
export interface EmbeddedOptions {
  /** Directory for all local data (`DATA_DIR`, default `./data`). Created when missing. */
  readonly dataDir: string
  readonly migrations?: ReadonlyArray<Migration>
}

/** `DATA_DIR`: where embedded mode keeps its files. Default `./data`. */
export const dataDirConfig: Config.Config<string> = Config.string("DATA_DIR").pipe(Config.withDefault("./data"))

const store = "embedded-postgres"

/**
 * The pool keeps exactly one connection. pglite-socket (0.2.17) accepts up to `maxConnections`
 * sockets (default 1), but they all feed PGlite's single backend through one queue of individual
 * protocol messages; only an explicit transaction keeps other sockets' messages out. A query whose
 * messages arrive in more than one TCP read (large parameters) can then interleave with another
 * socket's unnamed statement. A second connection would buy no parallelism anyway: PGlite runs
 * one message at a time.
 */
const poolConnections = 1
/**
 * The server admits one more socket than the pool uses: when the pool replaces a connection, the
 * old socket may not be closed yet, and with a limit of 1 about a third of such reconnects were refused.
 */
const serverConnections = poolConnections + 1

const unavailable = (what: string) => (cause: unknown) =>
  new StorageUnavailable({
    store,
    message: `${what}: ${cause instanceof Error ? cause.message : String(cause)}`
  })

/**
 * PGlite has no postmaster.pid check: two processes on one directory would both write it and
 * corrupt it. A lock file with the owner's pid refuses the second one (a dead owner's lock is taken over).
 */
const lockDataDir = (dir: string) => {
  const path = join(dir, "pglite.lock")
  const take = async (): Promise<void> => {
    try {
      const file = await open(path, "wx")
      await file.writeFile(String(process.pid))
      await file.close()
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
      const owner = Number((await readFile(path, "utf8").catch(() => "")).trim())
      if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new Error(`${dir} is in use by process ${owner} (delete ${path} if that process is not this app)`)
      }
      if (owner === process.pid) throw new Error(`${dir} is already open in this process`)
      await rm(path, { force: true })
      return take()
    }
  }
  return Effect.acquireRelease(Effect.tryPromise({ try: take, catch: unavailable(`cannot lock ${dir}`) }), () =>
    Effect.promise(() => rm(path, { force: true }))
  )
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Starts PGlite and its socket server; on release stops the server, then closes PGlite so its files are complete. */
const serveEmbeddedPostgres = (dataDir: string) =>
  Effect.gen(function* () {
    const dir = join(dataDir, "pglite")
    yield* Effect.tryPromise({ try: () => mkdir(dir, { recursive: true }), catch: unavailable(`cannot create ${dir}`) })
    yield* lockDataDir(dir)
    const db = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => PGlite.create(dir, { extensions: { pg_trgm } }),
        catch: unavailable(`cannot open PGlite in ${dir}`)
      }),
      (db) =>
        Effect.tryPromise(() => db.close()).pipe(
          Effect.catchAll((error) => Effect.logError(`closing PGlite in ${dir} failed`, error))
        )
    )
    const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: serverConnections })
    yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => server.start(), catch: unavailable("cannot start the PGlite socket server") }),
      () =>
        Effect.tryPromise(() => server.stop()).pipe(
          Effect.catchAll((error) => Effect.logError("stopping the PGlite socket server failed", error))
        )
    )
    // "127.0.0.1:<port>", the port the OS picked for port 0.
    const port = Number(server.getServerConn().split(":").at(-1))
    return `postgres://postgres@127.0.0.1:${port}/postgres`
  })

/** The embedded database as a SqlClient (one pooled connection to PGlite), for storage and read models alike. */
export const EmbeddedPostgresLive = (options: {
  readonly dataDir: string
}): Layer.Layer<SqlClient.SqlClient | PgClient.PgClient, StorageUnavailable> =>
  Layer.unwrapScoped(
    Effect.map(serveEmbeddedPostgres(options.dataDir), (url) =>
      pgClientLayer({ url, maxConnections: poolConnections, idleTimeoutMs: 3_600_000 })
    )
  )

/** Journal, snapshots and positions in embedded Postgres (migrated at start), plus its SqlClient. */
export const EmbeddedStorageLive = (
  options: EmbeddedOptions
): Layer.Layer<Journal | SnapshotStore | PositionStore | SqlClient.SqlClient | PgClient.PgClient, StorageUnavailable> =>
  postgresStorageOnClient(options.migrations).pipe(Layer.provideMerge(EmbeddedPostgresLive(options)))
