import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { Layer, ManagedRuntime } from "effect"
import { type HostConfig, hostConfigFromEnv } from "../../runtime/config.ts"
import { Actors, ActorsLive, MetricsLive } from "../../runtime/service.ts"
import { StorageLive, storageMode, storageSettingsFromEnv } from "../../storage/select.ts"
import { auditedLedger, type AuditedLedgerReply } from "./ledger-ids.ts"

/**
 * A child process for crash tests: the ledger actor on the storage the environment selects
 * (DATA_DIR for embedded; REDIS_URL + DATABASE_URL, REDIS_PREFIX for production mode), served
 * over plain node:http on 127.0.0.1:PORT (0 = any free port).
 *
 *   POST /deposit {actor, id, amount} → 200 {balance, seen} once the deposit is durable; 503 otherwise
 *   GET  /state/:actor                → 200 {balance, seen, applied}
 *
 * Prints `READY <port>` on stdout once the host has recovered and the socket listens. With
 * EXIT_WITH_STDIN=1 it exits at once when its stdin closes (its parent died).
 * Run with `node --import tsx test/support/ledger-server.ts`.
 */

const startedAt = performance.now()
const env = process.env
const intEnv = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback)

const config: HostConfig = {
  ...hostConfigFromEnv(),
  // Checkpoints and trimming during a short run, so recovery starts from a trimmed journal.
  checkpointEveryMs: intEnv("CHECKPOINT_EVERY_MS", 200),
  trimEveryMs: intEnv("TRIM_EVERY_MS", 200),
  passivateAfterIdleMs: intEnv("PASSIVATE_AFTER_IDLE_MS", 120_000),
  passivationSweepMs: intEnv("PASSIVATION_SWEEP_MS", 10_000)
}

const settings = storageSettingsFromEnv()
const runtime = ManagedRuntime.make(ActorsLive([auditedLedger], config).pipe(Layer.provideMerge(Layer.merge(StorageLive(settings), MetricsLive))))

const maxBodyBytes = 4096

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(JSON.stringify(body))
}

const failure = (error: unknown) => {
  if (error instanceof Error) return { error: (error as { _tag?: string })._tag ?? error.name, message: error.message }
  return { error: "unknown", message: String(error) }
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBodyBytes) {
        reject(new Error("body too large"))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

interface DepositRequest {
  readonly actor: string
  readonly id: string
  readonly amount: number
}

const parseDeposit = (text: string): DepositRequest | undefined => {
  try {
    const value = JSON.parse(text) as Partial<DepositRequest>
    if (typeof value.actor !== "string" || value.actor === "" || typeof value.id !== "string" || value.id === "") return undefined
    if (typeof value.amount !== "number" || !Number.isFinite(value.amount) || value.amount <= 0) return undefined
    return { actor: value.actor, id: value.id, amount: value.amount }
  } catch {
    return undefined
  }
}

const main = async () => {
  // A test runner that dies without killing its child closes our stdin: do not outlive it.
  if (env["EXIT_WITH_STDIN"] === "1") {
    process.stdin.on("end", () => process.exit(1)).resume()
  }
  const host = await runtime.runPromise(Actors)
  const hostReadyMs = performance.now() - startedAt

  const server = createServer((req, res) => {
    const url = req.url ?? "/"
    if (req.method === "POST" && url === "/deposit") {
      readBody(req).then(
        (text) => {
          const deposit = parseDeposit(text)
          if (deposit === undefined) return send(res, 400, { error: "bad_request", message: "expected {actor, id, amount > 0}" })
          host
            .ask<AuditedLedgerReply>(auditedLedger, deposit.actor, { _tag: "Deposit", id: deposit.id, amount: deposit.amount })
            .then(
              (reply) => send(res, 200, { balance: reply.balance, seen: reply.seen }),
              (error: unknown) => send(res, 503, failure(error))
            )
        },
        (error: unknown) => send(res, 400, failure(error))
      )
      return
    }
    const state = req.method === "GET" ? /^\/state\/([^/?]+)$/.exec(url) : null
    if (state !== null) {
      host.ask<AuditedLedgerReply>(auditedLedger, decodeURIComponent(state[1]!), { _tag: "Audit" }).then(
        (reply) => send(res, 200, reply),
        (error: unknown) => send(res, 503, failure(error))
      )
      return
    }
    send(res, 404, { error: "not_found", message: `${req.method} ${url}` })
  })

  // Installed before READY is printed: a SIGTERM sent on READY must find the handler in place.
  const shutdown = () => {
    server.close()
    server.closeAllConnections()
    runtime.dispose().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("shutdown failed", error)
        process.exit(1)
      }
    )
  }
  process.once("SIGTERM", shutdown)
  process.once("SIGINT", shutdown)

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(intEnv("PORT", 0), "127.0.0.1", () => resolve())
  })
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  console.error(
    `ledger-server pid ${process.pid} (${storageMode(settings)}) host ready after ${hostReadyMs.toFixed(0)} ms, ` +
      `replayed ${host.metrics.recoveredEvents.value} journaled events`
  )
  console.log(`READY ${port}`)
}

main().catch((error: unknown) => {
  console.error("ledger-server failed to start", error)
  process.exit(1)
})
