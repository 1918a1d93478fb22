/**
 * Shared by the waiting-room suites (test/sales*.test.ts): a real WebSocket shopper (the `ws`
 * package against the uWS gateway) that records every message, and small helpers to set up a
 * sale over the admin routes.
 */
import { expect } from "vitest"
import WebSocket from "ws"
import { sellerIdOfUser } from "../../gateway/inventory/sellers.ts"
import { call } from "./store.ts"

export type Message = Record<string, unknown> & { readonly type: string }

export interface QueueSocket {
  readonly ws: WebSocket
  readonly messages: Array<Message>
  /** Resolves with the first message (already received or to come) matching `type`, after `from`. */
  waitFor(type: string, options?: { readonly from?: number; readonly timeoutMs?: number }): Promise<Message>
  readonly opened: Promise<void>
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>
  send(message: unknown): void
  close(): Promise<void>
}

export const openQueue = (base: string, saleId: string, token: string | undefined, path = `/v1/sales/${saleId}/queue`): QueueSocket => {
  const url = `${base.replace("http://", "ws://")}${path}`
  const ws = new WebSocket(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })
  const messages: Array<Message> = []
  const listeners = new Set<() => void>()
  ws.on("message", (data) => {
    messages.push(JSON.parse(data.toString()) as Message)
    for (const l of listeners) l()
  })
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve())
    ws.once("error", reject)
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })))
  const waitFor = (type: string, options: { from?: number; timeoutMs?: number } = {}) =>
    new Promise<Message>((resolve, reject) => {
      const check = () => {
        const found = messages.slice(options.from ?? 0).find((m) => m.type === type)
        if (found === undefined) return false
        listeners.delete(check)
        clearTimeout(timer)
        resolve(found)
        return true
      }
      const timer = setTimeout(() => {
        listeners.delete(check)
        reject(new Error(`no "${type}" message within ${options.timeoutMs ?? 10_000} ms; got ${JSON.stringify(messages)}`))
      }, options.timeoutMs ?? 10_000)
      if (!check()) listeners.add(check)
    })
  return {
    ws,
    messages,
    waitFor,
    opened,
    closed,
    send: (message) => ws.send(typeof message === "string" ? message : JSON.stringify(message)),
    close: async () => {
      if (ws.readyState === WebSocket.CLOSED) return
      ws.close()
      await closed
    }
  }
}

/** Open a socket, join, and wait for the `queued` (or another first answer) message. */
export const joinQueue = async (base: string, saleId: string, token: string, expect = "queued"): Promise<QueueSocket> => {
  const socket = openQueue(base, saleId, token)
  await socket.opened
  socket.send({ type: "join" })
  await socket.waitFor(expect)
  return socket
}

/** The claims inside an admission token (`at1.<kid>.<payload>.<mac>`). */
export const tokenClaims = (token: string) => {
  const payload = JSON.parse(Buffer.from(token.split(".")[2]!, "base64url").toString("utf8")) as { s: string; u: string; t: number; e: number }
  return { keyId: token.split(".")[1]!, saleId: payload.s, userId: payload.u, tokenId: payload.t, expiresAtMs: payload.e }
}

export interface Admin {
  readonly token: string
  readonly userId: string
}

/** A SKU of the admin (as its seller) with `stock` units in wh_main. */
export const createSku = async (base: string, admin: Admin, skuId: string, stock: number) => {
  const registered = await call(base, "POST", "/v1/admin/skus", { token: admin.token, body: { sku_id: skuId, seller_id: sellerIdOfUser(admin.userId) } })
  expect(registered.status, registered.text).toBe(201)
  if (stock > 0) {
    const stocked = await call(base, "POST", "/v1/seller/inventory", { token: admin.token, body: { sku_id: skuId, warehouse_id: "wh_main", movement: "receive", quantity: stock } })
    expect(stocked.status, stocked.text).toBe(200)
  }
}

export interface SaleOptions {
  readonly sku_ids: ReadonlyArray<string>
  readonly starts_at?: string
  readonly ends_at?: string | null
  readonly admit_per_minute?: number
  readonly max_active?: number
  readonly per_user_limit?: number
  readonly mode?: "fifo" | "random_prequeue"
  readonly session_minutes?: number
}

let sales = 0
export const uniqueSaleId = (tag = "sale") => `${tag}-${process.pid}-${Date.now().toString(36)}-${++sales}`

export const createSale = async (base: string, admin: Admin, saleId: string, options: SaleOptions) => {
  const body = {
    sale_id: saleId,
    starts_at: new Date(Date.now() - 1_000).toISOString(),
    admit_per_minute: 600,
    max_active: 100,
    per_user_limit: 1,
    mode: "fifo",
    ...options
  }
  const res = await call(base, "POST", "/v1/admin/sales", { token: admin.token, body })
  expect(res.status, res.text).toBe(201)
  return res.json as Record<string, unknown>
}

export const saleState = async (base: string, saleId: string) => (await call(base, "GET", `/v1/sales/${saleId}`)).json as Record<string, number | string>

/** Poll `probe` until it returns a value (not undefined), at most `timeoutMs`. */
export const eventually = async <A>(probe: () => Promise<A | undefined>, timeoutMs = 10_000, everyMs = 100): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
