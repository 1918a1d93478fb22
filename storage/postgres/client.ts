import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import type { SqlError } from "@effect/sql/SqlError"
import { Duration, Layer, Redacted } from "effect"
import { StorageUnavailable } from "../../runtime/errors.ts"

/** How to reach a Postgres server (a real one, or PGlite behind pglite-socket). */
export interface PgConnectionOptions {
  /** `postgres://user:password@host:port/database`; query parameters such as `options=-c search_path=…` pass through to `pg`. */
  readonly url: string
  /** Pool size. Default 10. */
  readonly maxConnections?: number
  /**
   * Bound on opening a connection and on waiting for a free one from the pool, in ms.
   * A server that is down or silent then surfaces as StorageUnavailable instead of a hang. Default 5000.
   */
  readonly connectTimeoutMs?: number
  /** Idle connections are closed after this long, in ms. Default 30000. */
  readonly idleTimeoutMs?: number
}

/**
 * A `pg` pool behind `@effect/sql`. Failing to connect at start fails the layer with
 * StorageUnavailable (store "postgres").
 */
export const pgClientLayer = (
  options: PgConnectionOptions
): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, StorageUnavailable> =>
  PgClient.layer({
    url: Redacted.make(options.url),
    maxConnections: options.maxConnections ?? 10,
    connectTimeout: Duration.millis(options.connectTimeoutMs ?? 5_000),
    idleTimeout: Duration.millis(options.idleTimeoutMs ?? 30_000),
    applicationName: "actor-commerce"
  }).pipe(Layer.mapError(toUnavailable("postgres")))

/** Every SQL or connection failure is "storage unavailable, retry later": never a defect. */
export const toUnavailable =
  (store: string) =>
  (error: SqlError): StorageUnavailable =>
    new StorageUnavailable({ store, message: describeSqlError(error) })

const describeSqlError = (error: SqlError): string => {
  const cause = describeCause(error.cause)
  return cause === "" ? error.message : `${error.message}: ${cause}`
}

const describeCause = (cause: unknown): string => {
  if (cause instanceof AggregateError && cause.errors.length > 0) {
    return cause.errors.map(describeCause).join("; ")
  }
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    const text = cause.message === "" ? cause.name : cause.message
    return typeof code === "string" && !text.includes(code) ? `${text} (${code})` : text
  }
  return cause === undefined ? "" : String(cause)
}

/** `pg` returns bigint columns as strings (they may exceed 2^53); positions, seqs and ms fit in a double. */
export const toNumber = (value: unknown): number => (typeof value === "number" ? value : Number(value))
