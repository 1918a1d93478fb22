/**
 * The harness's HTTP client: node:http with one keep-alive agent of at most `maxSockets` sockets
 * (requests beyond wait in the agent's queue, and that wait is part of their latency). Every
 * request has a timeout. The answer is the status (0 when no answer came), the error code of an
 * error-shaped body and, when asked for, the parsed JSON.
 */
import http from "node:http"

export interface Answer {
  /** 0: no answer (connection error or timeout). */
  readonly status: number
  /** `error.code` of an error-shaped body, or a client-side code (`timeout`, `connection_error`). */
  readonly code: string | undefined
  readonly json: any // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  readonly token?: string | undefined
  readonly body?: unknown
  readonly headers?: Record<string, string>
}

export interface Http {
  readonly base: string
  readonly request: (method: string, path: string, options?: RequestOptions) => Promise<Answer>
  /** Requests sent so far. */
  readonly sent: () => number
  readonly close: () => void
}

export const httpClient = (base: string, maxSockets: number, timeoutMs = 30_000): Http => {
  const url = new URL(base)
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets })
  let sent = 0
  const request: Http["request"] = (method, path, options = {}) =>
    new Promise((resolve) => {
      sent++
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
      const headers: Record<string, string> = { ...options.headers }
      if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`
      if (payload !== undefined) {
        headers["content-type"] = "application/json"
        headers["content-length"] = String(Buffer.byteLength(payload))
      }
      let done = false
      const finish = (answer: Answer) => {
        if (done) return
        done = true
        resolve(answer)
      }
      const req = http.request({ host: url.hostname, port: url.port, method, path, headers, agent, timeout: timeoutMs }, (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8")
          let json: unknown = undefined
          try {
            json = text === "" ? undefined : JSON.parse(text)
          } catch {
            // not JSON
          }
          const status = res.statusCode ?? 0
          const code = status >= 400 ? ((json as { error?: { code?: string } } | undefined)?.error?.code ?? `http_${status}`) : undefined
          finish({ status, code, json })
        })
        res.on("error", () => finish({ status: 0, code: "connection_error", json: undefined }))
      })
      req.on("timeout", () => {
        req.destroy()
        finish({ status: 0, code: "timeout", json: undefined })
      })
      req.on("error", () => finish({ status: 0, code: "connection_error", json: undefined }))
      req.end(payload)
    })
  return { base, request, sent: () => sent, close: () => agent.destroy() }
}

/** Run `f` over `items`, at most `limit` at a time; results in order. */
export const inParallel = async <A, B>(items: ReadonlyArray<A>, limit: number, f: (a: A, i: number) => Promise<B>): Promise<Array<B>> => {
  const out: Array<B> = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await f(items[i]!, i)
      }
    })
  )
  return out
}

/** The answer's JSON when its status is one of `ok`, else an error naming `what`. */
export const expectStatus = (what: string, answer: Answer, ...ok: ReadonlyArray<number>) => {
  if (!ok.includes(answer.status)) throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.json)?.slice(0, 300)}`)
  return answer.json as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
