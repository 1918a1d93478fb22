import { mkdtempSync, rmSync } from "node:fs"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit } from "effect"
import { defaultProviderClientConfig, makeProviderClient, type ProviderClient, type ProviderClientConfig } from "./client.ts"
import { type ProviderConfig, providerConfig } from "./config.ts"
import { type RunningProvider, startProvider } from "./server.ts"

/** Helpers for tests that run the simulator in-process on loopback with a fresh data folder. */

export const cards = {
  approve: "4242424242424242",
  decline: "4000000000000002",
  insufficientFunds: "4000000000009995",
  slow: "4000000000000259",
  pending: "4000000000003220",
  errorAfterCharge: "4000000000000119",
  dropAfterCharge: "4000000000000127",
  mastercard: "5555555555554444",
  amex: "378282246310005"
} as const

export const validCard = (card_number: string) => ({
  card_number,
  exp_month: 12,
  exp_year: new Date().getUTCFullYear() + 3,
  cvc: card_number.startsWith("37") ? "1234" : "123"
})

export interface TestProvider extends RunningProvider {
  readonly dataDir: string
  readonly client: ProviderClient
  /** A client with other settings against the same provider (closed with it). */
  clientWith(overrides: Partial<ProviderClientConfig>): ProviderClient
  /** Stop and start again on the same data folder (a clean restart). */
  restart(overrides?: Partial<ProviderConfig>): Promise<TestProvider>
  /** Stop and delete the data folder. */
  dispose(): Promise<void>
}

export const startTestProvider = async (overrides: Partial<ProviderConfig> = {}, dataDir?: string): Promise<TestProvider> => {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "provider-test-"))
  const running = await startProvider(providerConfig({ host: "127.0.0.1", port: 0, dataDir: dir, webhookDelay: { minMs: 0, maxMs: 0 }, ...overrides }))
  const clients: Array<{ close(): void }> = []
  const clientWith = (config: Partial<ProviderClientConfig>) => {
    const made = makeProviderClient({ ...defaultProviderClientConfig, retryBaseMs: 20, baseUrl: running.url, ...config })
    clients.push(made)
    return made.client
  }
  const close = async () => {
    for (const client of clients) client.close()
    await running.close()
  }
  return {
    ...running,
    dataDir: dir,
    client: clientWith({}),
    clientWith,
    close,
    restart: async (next = {}) => {
      await close()
      return startTestProvider({ ...overrides, ...next }, dir)
    },
    dispose: async () => {
      await close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** Runs an Effect; resolves with its Exit (so a test can look at typed failures). */
export const exitOf = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromiseExit(effect)

/** The typed failure of an Exit, or undefined when it succeeded or died. */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

export interface ReceivedWebhook {
  readonly header: string | undefined
  readonly body: string
  readonly atMs: number
}

/**
 * A webhook receiver on loopback: records every delivery and answers with `status()` (200 unless
 * changed), so tests can make it fail for a while.
 */
export const startWebhookReceiver = async () => {
  const received: Array<ReceivedWebhook> = []
  let status = () => 200
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const answer = status()
      received.push({ header: req.headers["provider-signature"] as string | undefined, body: Buffer.concat(chunks).toString("utf8"), atMs: Date.now() })
      res.writeHead(answer, { "content-type": "text/plain" })
      res.end(answer === 200 ? "ok" : "failing")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/webhooks/provider`,
    received,
    answerWith(next: () => number) {
      status = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** Polls until `check` is true or the time is up. */
export const eventually = async (check: () => boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
