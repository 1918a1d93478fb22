import type { IncomingMessage, ServerResponse } from "node:http"

/** Small node:http helpers of the simulator: bounded body reading and JSON answers. */

export interface Answer {
  readonly status: number
  readonly body: unknown
  readonly headers?: Record<string, string>
}

export const errorAnswer = (status: number, code: string, message: string, details: Record<string, unknown> = {}, headers?: Record<string, string>): Answer => ({
  status,
  body: { error: { code, message, details } },
  ...(headers === undefined ? {} : { headers })
})

export const sendAnswer = (res: ServerResponse, answer: Answer) => {
  if (res.writableEnded || res.destroyed) return
  const text = JSON.stringify(answer.body)
  res.writeHead(answer.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...answer.headers
  })
  res.end(text)
}

export class BodyTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`)
  }
}

/** The request body as text; rejects with BodyTooLarge past `limitBytes` (without reading the rest). */
export const readBody = (req: IncomingMessage, limitBytes: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0)
    if (declared > limitBytes) {
      reject(new BodyTooLarge(limitBytes))
      return
    }
    const chunks: Array<Buffer> = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limitBytes) {
        req.off("data", onData)
        reject(new BodyTooLarge(limitBytes))
        return
      }
      chunks.push(chunk)
    }
    req.on("data", onData)
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.once("error", reject)
  })

/** JSON with object keys sorted at every level: equal values give equal text. */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`
  }
  return JSON.stringify(value)
}
