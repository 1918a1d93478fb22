/**
 * A small JSON client over node:http with a keep-alive agent of bounded sockets: lighter than
 * fetch per request, so the load generator is not what saturates first. Every request has a
 * timeout; the answer is the status and the parsed body (the text where it is not JSON).
 */
import http from "node:http"

export interface Answer {
  readonly status: number
  readonly body: unknown
}

export interface JsonClient {
  readonly request: (method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }) => Promise<Answer>
  readonly close: () => void
}

export const jsonClient = (base: string, maxSockets: number, timeoutMs = 30_000): JsonClient => {
  const url = new URL(base)
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets })
  const request: JsonClient["request"] = (method, path, options = {}) =>
    new Promise((resolve, reject) => {
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body)
      const headers: Record<string, string> = { ...(options.headers ?? {}) }
      if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`
      if (payload !== undefined) {
        headers["content-type"] = "application/json"
        headers["content-length"] = String(Buffer.byteLength(payload))
      }
      const req = http.request({ host: url.hostname, port: url.port, method, path, headers, agent, timeout: timeoutMs }, (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8")
          let body: unknown = text
          try {
            body = text === "" ? null : JSON.parse(text)
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body })
        })
        res.on("error", reject)
      })
      req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)))
      req.on("error", reject)
      req.end(payload)
    })
  return { request, close: () => agent.destroy() }
}

/** Run `f` over `items`, at most `limit` at a time. */
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

export const short = (body: unknown) => JSON.stringify(body).slice(0, 300)
