/**
 * Baselines measured in the same run, each its own process on 127.0.0.1 (loadtest/baselines/):
 *   uws        bare uWebSockets.js hello-world (GET /)
 *   node-http  bare node:http hello-world (GET /)
 *   postgres   1-unit reservations on one SKU: one conditional UPDATE + INSERT per request (row lock)
 *   redis      the same as one Lua check-and-reserve + XADD per request
 * The reservation baselines are audited like hot-sku: no oversell, every acknowledged one present.
 */
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { Redis } from "ioredis"
import { pgPool, postgresTables, redisKeys } from "../baselines/reserve-server.ts"
import { startServer, stop } from "../lib/processes.ts"
import type { Operation } from "./driver.ts"
import { type Http, httpClient } from "./http.ts"
import { type AuditCheck, check } from "./scenarios/types.ts"

export const BASELINES = ["uws", "node-http", "postgres", "redis"] as const
export type BaselineId = (typeof BASELINES)[number]

export interface Baseline {
  readonly id: BaselineId
  readonly http: Http
  readonly operation: Operation
  readonly audit: () => Promise<ReadonlyArray<AuditCheck>>
  readonly close: () => Promise<void>
}

const STOCK = 1_000_000

export const startBaseline = async (id: BaselineId, connections: number, databaseUrl: string, redisUrl: string): Promise<Baseline> => {
  if (id === "uws" || id === "node-http") {
    const server = await startServer(id, ["--import", "tsx", `loadtest/baselines/${id === "uws" ? "bare-uws" : "bare-node-http"}.ts`], { ...process.env, PORT: "0" }, /^listening (\d+)/, 60_000)
    const http = httpClient(`http://127.0.0.1:${server.port}`, connections)
    return {
      id,
      http,
      operation: async () => {
        const res = await http.request("GET", "/")
        return { kind: "hello", status: res.status, code: res.code, ok: res.status === 200 }
      },
      audit: async () => [],
      close: async () => {
        http.close()
        await stop(server.child, 10_000)
      }
    }
  }
  const scratch = mkdtempSync(path.join(tmpdir(), "loadtest-baseline-"))
  const tokens = Array.from({ length: 100 }, () => randomBytes(32).toString("base64url"))
  const tokensFile = path.join(scratch, "tokens.txt")
  writeFileSync(tokensFile, tokens.join("\n") + "\n")
  const sku = "sku_baseline"
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`
  let count: () => Promise<{ onHand: number; reserved: number; records: number }>
  let cleanup: () => Promise<void>
  let env: NodeJS.ProcessEnv
  if (id === "postgres") {
    const schema = `loadtest_base_${runId}`
    const admin = pgPool({ connectionString: databaseUrl, max: 1 })
    admin.on("error", () => {})
    await admin.query({ text: `CREATE SCHEMA ${schema}` })
    await admin.query({ text: postgresTables.replace(/CREATE TABLE (\w+)/g, `CREATE TABLE ${schema}.$1`) })
    await admin.query({ text: `INSERT INTO ${schema}.stock (sku, on_hand, reserved) VALUES ($1, $2, 0)`, values: [sku, STOCK] })
    const url = new URL(databaseUrl)
    url.searchParams.set("options", `-c search_path=${schema},public`)
    env = { ...process.env, MODE: "postgres", PORT: "0", TOKENS_FILE: tokensFile, DATABASE_URL: url.toString(), PG_POOL: "10" }
    count = async () => {
      const { rows } = await admin.query({ text: `SELECT s.on_hand, s.reserved, (SELECT count(*) FROM ${schema}.reservations) AS records FROM ${schema}.stock s WHERE s.sku = $1`, values: [sku] })
      return { onHand: Number(rows[0]!["on_hand"]), reserved: Number(rows[0]!["reserved"]), records: Number(rows[0]!["records"]) }
    }
    cleanup = async () => {
      await admin.query({ text: `DROP SCHEMA IF EXISTS ${schema} CASCADE` }).catch(() => {})
      await admin.end()
    }
  } else {
    const prefix = `loadtest:base:${runId}`
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
    const keys = redisKeys(prefix, sku)
    await redis.hset(keys.stock, "on_hand", STOCK, "reserved", 0)
    env = { ...process.env, MODE: "redis", PORT: "0", TOKENS_FILE: tokensFile, REDIS_URL: redisUrl, REDIS_PREFIX: prefix }
    count = async () => {
      const [onHand, reserved] = await redis.hmget(keys.stock, "on_hand", "reserved")
      return { onHand: Number(onHand), reserved: Number(reserved ?? 0), records: await redis.xlen(keys.events) }
    }
    cleanup = async () => {
      await redis.del(keys.stock, keys.events).catch(() => 0)
      redis.disconnect()
    }
  }
  const server = await startServer(`${id} baseline`, ["--import", "tsx", "loadtest/baselines/reserve-server.ts"], env, /^listening (\d+)/, 60_000).catch(async (error: unknown) => {
    await cleanup()
    throw error
  })
  const http = httpClient(`http://127.0.0.1:${server.port}`, connections)
  let acked = 0
  let unanswered = 0
  return {
    id,
    http,
    operation: async (i) => {
      const res = await http.request("POST", `/v1/skus/${sku}/reservations`, { token: tokens[i % tokens.length]!, body: { quantity: 1 } })
      if (res.status === 201) acked++
      else if (res.status === 0 || res.status >= 500) unanswered++
      return { kind: "reserve", status: res.status, code: res.code, ok: res.status === 201 }
    },
    audit: async () => {
      const c = await count()
      return [
        check(`${id}: no oversell`, c.reserved <= c.onHand, `on_hand ${c.onHand}, reserved ${c.reserved}`),
        check(`${id}: every acknowledged reservation present`, c.reserved >= acked && c.reserved <= acked + unanswered && c.records === c.reserved, `${acked} acknowledged, ${unanswered} unanswered, ${c.reserved} reserved, ${c.records} records`)
      ]
    },
    close: async () => {
      http.close()
      await stop(server.child, 10_000)
      await cleanup()
      rmSync(scratch, { recursive: true, force: true })
    }
  }
}
