/**
 * Graceful shutdown of a running gateway: in-flight requests finish, new connections are
 * refused, kept-alive connections stop being served, sockets are closed, and `shutdown` resolves
 * (at the latest after its grace period).
 */
import http from "node:http"
import net from "node:net"
import { Effect, Schema } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { type AnyRoute, route } from "./route.ts"
import { startTestGateway, type TestGateway, tokens } from "./testing.ts"
import { defaultWsLimits, type WsEndpoint } from "./websocket.ts"

/** Handlers wait on this gate: `started` resolves when one runs, `release()` lets them all answer. */
const makeGate = () => {
  let release!: () => void
  let started!: () => void
  return {
    released: new Promise<void>((r) => (release = r)),
    started: new Promise<void>((r) => (started = r)),
    release: () => release(),
    markStarted: () => started()
  }
}
let gate = makeGate()
let completed = 0

const slow = route({
  operationId: "testSlow",
  method: "post",
  path: "/v1/test/slow",
  summary: "Answers when the test releases it",
  tags: ["test"],
  access: "public",
  rateClass: "write",
  idempotency: "none",
  body: Schema.Struct({ n: Schema.Int }),
  success: { status: 200, description: "done" },
  errors: [],
  handler: (r) =>
    Effect.promise(async () => {
      gate.markStarted()
      await gate.released
      completed++
      return { body: { n: r.body.n, done: true } }
    })
})
const routes: ReadonlyArray<AnyRoute<never>> = [slow]

const closedSockets: Array<string> = []
const endpoint: WsEndpoint = {
  pattern: "/v1/test/ws",
  paramNames: [],
  limits: defaultWsLimits,
  onOpen: (client) => client.send({ type: "welcome" }),
  onMessage: () => {},
  onClose: (client) => closedSockets.push(client.caller.userId)
}

const gateways: Array<TestGateway> = []
const start = async () => {
  gate = makeGate()
  const g = await startTestGateway(routes, { websockets: [endpoint] })
  gateways.push(g)
  return g
}
afterEach(async () => {
  gate.release()
  await Promise.all(gateways.splice(0).map((g) => g.shutdown(100)))
})

/** One request on a fresh connection (no pooling), so "refused" means a refused connection. */
const request = (
  port: number,
  method: string,
  path: string,
  body?: string
): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: unknown }> =>
  new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, agent: false, headers: body === undefined ? {} : { "content-type": "application/json" } }, (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (c: string) => (text += c))
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, json: JSON.parse(text) as unknown }))
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end(body)
  })

const refused = (port: number) =>
  new Promise<string>((resolve) => {
    const s = net.connect(port, "127.0.0.1")
    s.on("connect", () => {
      s.destroy()
      resolve("connected")
    })
    s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
  })

/** A kept-alive raw connection: send requests on it, read what comes back, see when it closes. */
const keepAlive = async (port: number) => {
  const socket = net.connect(port, "127.0.0.1")
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()))
  let buffer = ""
  let waiter: (() => void) | undefined
  socket.on("data", (d: Buffer) => {
    buffer += d.toString("latin1")
    waiter?.()
  })
  socket.on("error", () => {})
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()))
  return {
    closed,
    send: (text: string) => socket.write(text),
    /** Waits for one complete response (headers + content-length body) and takes it off the buffer. */
    response: () =>
      new Promise<{ status: number; head: string; body: string }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no response")), 3000)
        const check = () => {
          const end = buffer.indexOf("\r\n\r\n")
          if (end < 0) return
          const head = buffer.slice(0, end)
          const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? "0")
          if (buffer.length < end + 4 + length) return
          const body = buffer.slice(end + 4, end + 4 + length)
          buffer = buffer.slice(end + 4 + length)
          clearTimeout(timer)
          waiter = undefined
          resolve({ status: Number(head.slice(9, 12)), head, body })
        }
        waiter = check
        check()
      }),
    destroy: () => socket.destroy()
  }
}

describe("shutdown", () => {
  it("lets an in-flight request finish with 200, refuses new connections, and resolves", async () => {
    const g = await start()
    const inFlight = request(g.port, "POST", "/v1/test/slow", JSON.stringify({ n: 1 }))
    await gate.started
    let resolvedAt = 0
    const shutdown = g.shutdown(5000).then(() => (resolvedAt = performance.now()))
    // new connections are refused at once, while the slow request is still running
    await new Promise((r) => setTimeout(r, 50))
    expect(await refused(g.port)).toBe("ECONNREFUSED")
    await expect(request(g.port, "GET", "/healthz")).rejects.toThrow(/ECONNREFUSED/)
    expect(resolvedAt).toBe(0)
    // the slow request completes
    gate.release()
    const answer = await inFlight
    const answeredAt = performance.now()
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({ n: 1, done: true })
    await shutdown
    expect(resolvedAt).toBeGreaterThan(0)
    expect(resolvedAt).toBeLessThan(answeredAt + 1000)
    expect(await refused(g.port)).toBe("ECONNREFUSED")
  })

  it("stops serving kept-alive connections: 503 with Connection: close during the drain, closed after it", async () => {
    const g = await start()
    const idle = await keepAlive(g.port)
    idle.send("GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
    expect((await idle.response()).status).toBe(200)
    const busy = await keepAlive(g.port)
    busy.send("GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
    expect((await busy.response()).status).toBe(200)
    const slowConn = await keepAlive(g.port)
    const body = JSON.stringify({ n: 2 })
    slowConn.send(`POST /v1/test/slow HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`)
    await gate.started
    const shutdown = g.shutdown(5000)
    // a request on an already open connection during the drain is refused, retryably
    busy.send("GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
    const refusedAnswer = await busy.response()
    expect(refusedAnswer.status).toBe(503)
    expect(refusedAnswer.head).toMatch(/^retry-after: 1$/im)
    expect(refusedAnswer.head).toMatch(/^connection: close$/im)
    expect(JSON.parse(refusedAnswer.body)).toMatchObject({ error: { code: "unavailable", details: {} } })
    await busy.closed
    // the in-flight request on a kept-alive connection is answered, and that connection closed
    gate.release()
    const slowAnswer = await slowConn.response()
    expect(slowAnswer.status).toBe(200)
    expect(JSON.parse(slowAnswer.body)).toEqual({ n: 2, done: true })
    expect(slowAnswer.head).toMatch(/^connection: close$/im)
    await slowConn.closed
    await shutdown
    // the idle connection does not outlive the server
    await idle.closed
    idle.destroy()
  })

  it("resolves after the grace period when a request does not finish, dropping its connection", async () => {
    const g = await start()
    const inFlight = request(g.port, "POST", "/v1/test/slow", JSON.stringify({ n: 3 }))
    const outcome = inFlight.then(
      (a) => `answered ${a.status}`,
      (e: Error) => `failed ${e.message}`
    )
    await gate.started
    const started = performance.now()
    await g.shutdown(300)
    const took = performance.now() - started
    expect(took).toBeGreaterThanOrEqual(250)
    expect(took).toBeLessThan(2000)
    expect(await outcome).toMatch(/^failed /)
    // the handler finishing later writes to nothing and breaks nothing
    const before = completed
    gate.release()
    await new Promise((r) => setTimeout(r, 50))
    expect(completed).toBe(before + 1)
  })

  it("closes open WebSockets with 1001 and tells the endpoint", async () => {
    const g = await start()
    const ws = new WebSocket(`ws://127.0.0.1:${g.port}/v1/test/ws`, { headers: { authorization: `Bearer ${tokens.alice}` } })
    const welcome = new Promise<string>((resolve) => ws.once("message", (d) => resolve(d.toString())))
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)))
    expect(JSON.parse(await welcome)).toEqual({ type: "welcome" })
    const before = closedSockets.length
    await g.shutdown(1000)
    expect(await closed).toBe(1001)
    expect(closedSockets.slice(before)).toEqual(["u_alice"])
  })

  it("resolves at once when nothing is in flight, and calling it again is harmless", async () => {
    const g = await start()
    expect((await request(g.port, "GET", "/healthz")).status).toBe(200)
    const started = performance.now()
    await g.shutdown(5000)
    expect(performance.now() - started).toBeLessThan(500)
    await g.shutdown(5000)
    expect(await refused(g.port)).toBe("ECONNREFUSED")
  })
})
