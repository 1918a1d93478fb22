/**
 * WebSocket endpoints over real sockets (the `ws` client against the uWS gateway): bearer token
 * in the header or `?token=`, the upgrade that always completes and then errors with an error
 * frame and a 44xx close (API.md, "Waiting room"), message limits and the ws_* metrics.
 */
import { createRequire } from "node:module"
import net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import type { RateLimiter } from "./ports.ts"
import { startTestGateway, type TestGateway, tokens } from "./testing.ts"
import { defaultWsLimits, type WsClient, type WsEndpoint } from "./websocket.ts"

interface PromMetric {
  readonly name: string
  readonly type: string
  readonly metrics: ReadonlyArray<{ readonly value?: string; readonly labels?: Record<string, string> }>
}
const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (text: string) => Array<PromMetric>

const PATTERN = "/v1/test/rooms/:room/ws"
const MAX_PAYLOAD = 1024
const MAX_PER_SECOND = 5

/** What the endpoint saw, for assertions. */
const seen = { opened: [] as Array<string>, closed: [] as Array<string>, messages: [] as Array<unknown> }

const echoEndpoint: WsEndpoint = {
  pattern: PATTERN,
  paramNames: ["room"],
  limits: { ...defaultWsLimits, maxPayloadLength: MAX_PAYLOAD, maxMessagesPerSecond: MAX_PER_SECOND },
  accept: (client) => Promise.resolve(client.params["room"] === "missing" ? { code: "not_found" as const, message: "no such room" } : undefined),
  onOpen: (client: WsClient) => {
    seen.opened.push(`${client.caller.userId}@${client.params["room"]}`)
    client.send({ type: "welcome", user_id: client.caller.userId, room: client.params["room"] })
  },
  onMessage: (client, message) => {
    seen.messages.push(message)
    client.send({ type: "echo", message })
  },
  onClose: (client) => {
    seen.closed.push(`${client.caller.userId}@${client.params["room"]}`)
  }
}

/** A second endpoint, to check that per-endpoint metrics stay per endpoint. */
const otherEndpoint: WsEndpoint = {
  pattern: "/v1/test/other/ws",
  paramNames: [],
  limits: defaultWsLimits,
  onOpen: (client) => client.send({ type: "welcome" }),
  onMessage: () => {},
  onClose: () => {}
}

let gw: TestGateway
beforeAll(async () => {
  gw = await startTestGateway([], { websockets: [echoEndpoint, otherEndpoint] })
})
afterAll(async () => {
  await gw.shutdown()
})

interface Conn {
  readonly ws: WebSocket
  /** The HTTP status of the handshake (101 when the upgrade completed). */
  readonly upgraded: Promise<number>
  readonly closed: Promise<{ code: number; reason: string }>
  /** The next message not yet taken. */
  next(): Promise<Record<string, unknown>>
  readonly received: Array<Record<string, unknown>>
}

const connect = (path: string, headers: Record<string, string> = {}, base = gw): Conn => {
  const ws = new WebSocket(`ws://127.0.0.1:${base.port}${path}`, { headers })
  const received: Array<Record<string, unknown>> = []
  const waiting: Array<(m: Record<string, unknown>) => void> = []
  let taken = 0
  ws.on("message", (data, isBinary) => {
    expect(isBinary).toBe(false)
    const message = JSON.parse(data.toString()) as Record<string, unknown>
    received.push(message)
    const w = waiting.shift()
    if (w !== undefined) {
      taken++
      w(message)
    }
  })
  ws.on("error", () => {})
  return {
    ws,
    received,
    upgraded: new Promise((resolve) => {
      ws.once("upgrade", (res) => resolve(res.statusCode ?? 0))
      ws.once("unexpected-response", (req, res) => {
        resolve(res.statusCode ?? 0)
        // with this listener the ws client leaves the request open: end it
        req.destroy()
      })
    }),
    closed: new Promise((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() }))),
    next: () =>
      new Promise((resolve, reject) => {
        if (taken < received.length) return resolve(received[taken++]!)
        const timer = setTimeout(() => reject(new Error(`no message on ${path}`)), 3000)
        waiting.push((m) => {
          clearTimeout(timer)
          resolve(m)
        })
      })
  }
}

const auth = (name: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[name]}` })

const metrics = async () => parsePrometheus(await (await fetch(`${gw.base}/metrics`)).text())
const value = (families: Array<PromMetric>, name: string, labels: Record<string, string>) => {
  const family = families.find((f) => f.name === name)
  const m = family?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v))
  return Number(m?.value ?? "0")
}

/** Waits until `check` holds (metrics and endpoint callbacks settle a moment after a close). */
const eventually = async (check: () => Promise<boolean> | boolean, timeoutMs = 3000) => {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not met in time")
    await new Promise((r) => setTimeout(r, 20))
  }
}

const expectErrorClose = async (c: Conn, code: string, closeCode: number) => {
  expect(await c.upgraded).toBe(101)
  const frame = await c.next()
  expect(Object.keys(frame).sort()).toEqual(["code", "message", "type"])
  expect(frame["type"]).toBe("error")
  expect(frame["code"]).toBe(code)
  expect(typeof frame["message"]).toBe("string")
  expect((frame["message"] as string).length).toBeGreaterThan(0)
  const closed = await c.closed
  expect(closed.code).toBe(closeCode)
  expect(closed.reason).toBe(code)
}

describe("WebSocket endpoints", () => {
  it("accepts a bearer token in the Authorization header", async () => {
    const c = connect("/v1/test/rooms/r1/ws", auth("alice"))
    expect(await c.upgraded).toBe(101)
    expect(await c.next()).toEqual({ type: "welcome", user_id: "u_alice", room: "r1" })
    c.ws.send(JSON.stringify({ type: "join" }))
    expect(await c.next()).toEqual({ type: "echo", message: { type: "join" } })
    c.ws.close(1000)
    expect((await c.closed).code).toBe(1000)
    await eventually(() => seen.closed.includes("u_alice@r1"))
  })

  it("accepts a token in ?token= and decodes path parameters", async () => {
    const c = connect(`/v1/test/rooms/r%202/ws?token=${tokens.bob}`)
    expect(await c.next()).toEqual({ type: "welcome", user_id: "u_bob", room: "r 2" })
    c.ws.send(JSON.stringify([1, "two", { three: 3 }]))
    expect(await c.next()).toEqual({ type: "echo", message: [1, "two", { three: 3 }] })
    c.ws.close()
    await c.closed
  })

  it("without a token: the upgrade completes, then an unauthenticated frame and 4401", async () => {
    const before = seen.opened.length
    await expectErrorClose(connect("/v1/test/rooms/r1/ws"), "unauthenticated", 4401)
    await expectErrorClose(connect("/v1/test/rooms/r1/ws", { authorization: "Basic dXNlcjpwYXNz" }), "unauthenticated", 4401)
    expect(seen.opened.length).toBe(before)
  })

  it("with an unknown token, in the header or the query: unauthenticated and 4401", async () => {
    await expectErrorClose(connect("/v1/test/rooms/r1/ws", { authorization: "Bearer tok_unknown_0123456789abcdef" }), "unauthenticated", 4401)
    await expectErrorClose(connect("/v1/test/rooms/r1/ws?token=tok_unknown_0123456789abcdef"), "unauthenticated", 4401)
  })

  it("refused by the endpoint after the upgrade: not_found and 4404, and onOpen never runs", async () => {
    const before = seen.opened.length
    await expectErrorClose(connect("/v1/test/rooms/missing/ws", auth("alice")), "not_found", 4404)
    expect(seen.opened.length).toBe(before)
  })

  it("a path parameter that is not valid percent-encoding is refused, and the server keeps serving", async () => {
    await expectErrorClose(connect("/v1/test/rooms/%E0%A4%A/ws", auth("alice")), "not_found", 4404)
    expect((await fetch(`${gw.base}/healthz`)).status).toBe(200)
  })

  it("a message that is not JSON: invalid_message and 4400", async () => {
    const c = connect("/v1/test/rooms/r1/ws", auth("alice"))
    await c.next()
    c.ws.send("{not json")
    await expectErrorClose(c, "invalid_message", 4400)
  })

  it("a binary frame: invalid_message and 4400", async () => {
    const c = connect("/v1/test/rooms/r1/ws", auth("alice"))
    await c.next()
    c.ws.send(Buffer.from('{"type":"join"}'), { binary: true })
    await expectErrorClose(c, "invalid_message", 4400)
  })

  it("a text frame that is not UTF-8 closes the socket without reaching the endpoint", async () => {
    const c = connect("/v1/test/rooms/r1/ws", auth("alice"))
    await c.next()
    const before = seen.messages.length
    c.ws.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { binary: false })
    const closed = await c.closed
    // uWS drops such a socket itself (the client sees 1006 or 1007)
    expect([1006, 1007]).toContain(closed.code)
    expect(seen.messages.length).toBe(before)
  })

  it("too many messages per second: rate_limited and 4429", async () => {
    const c = connect("/v1/test/rooms/r1/ws", auth("alice"))
    await c.next()
    for (let i = 0; i < MAX_PER_SECOND * 3; i++) c.ws.send(JSON.stringify({ i }))
    const closed = await c.closed
    expect(closed).toEqual({ code: 4429, reason: "rate_limited" })
    const echoes = c.received.filter((m) => m["type"] === "echo")
    expect(echoes.map((m) => (m["message"] as { i: number }).i)).toEqual([0, 1, 2, 3, 4])
    const last = c.received.at(-1)!
    expect(last).toMatchObject({ type: "error", code: "rate_limited" })
  })

  it("the rate is per second: a client that keeps under it stays connected", async () => {
    const c = connect("/v1/test/rooms/r1/ws", auth("bob"))
    await c.next()
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < MAX_PER_SECOND; i++) {
        c.ws.send(JSON.stringify({ round, i }))
        await c.next()
      }
      await new Promise((r) => setTimeout(r, 1050))
    }
    expect(c.ws.readyState).toBe(WebSocket.OPEN)
    c.ws.close()
    await c.closed
  })

  it("a frame over maxPayloadLength closes the socket without reaching the endpoint", async () => {
    const c = connect("/v1/test/rooms/r1/ws", auth("alice"))
    await c.next()
    const before = seen.messages.length
    c.ws.send(JSON.stringify({ padding: "x".repeat(MAX_PAYLOAD) }))
    const closed = await c.closed
    expect(closed.code).not.toBe(1000)
    expect(seen.messages.length).toBe(before)
    expect(c.received.filter((m) => m["type"] === "echo")).toEqual([])
    // one just under the limit passes
    const d = connect("/v1/test/rooms/r1/ws", auth("alice"))
    await d.next()
    const fits = JSON.stringify({ p: "x".repeat(MAX_PAYLOAD - 20) })
    expect(fits.length).toBeLessThanOrEqual(MAX_PAYLOAD)
    d.ws.send(fits)
    expect((await d.next())["type"]).toBe("echo")
    d.ws.close()
    await d.closed
  })

  it("a refused connection (the limiter says no): rate_limited and 4429", async () => {
    const limiter: RateLimiter = { take: (rateClass, key) => (rateClass === "write" && key.startsWith("ip:") ? { ok: false, retryAfterSeconds: 5 } : { ok: true }) }
    const g = await startTestGateway([], { websockets: [echoEndpoint], rateLimiter: limiter })
    try {
      await expectErrorClose(connect("/v1/test/rooms/r1/ws", auth("alice"), g), "rate_limited", 4429)
    } finally {
      await g.shutdown()
    }
  })

  it("an upgrade to an unknown path is not a WebSocket; a plain GET on a socket path is an HTTP 404", async () => {
    const c = connect("/v1/test/nowhere/ws", auth("alice"))
    expect(await c.upgraded).toBe(404)
    expect(c.ws.readyState).not.toBe(WebSocket.OPEN)
    const res = await fetch(`${gw.base}/v1/test/rooms/r1/ws`)
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found")
  })

  it("a client that vanishes without a close frame is cleaned up", async () => {
    const c = connect("/v1/test/rooms/vanish/ws", auth("alice"))
    await c.next()
    c.ws.terminate()
    await eventually(() => seen.closed.includes("u_alice@vanish"))
    // a raw socket that starts a handshake and disappears does no harm either
    const s = net.connect(gw.port, "127.0.0.1", () =>
      s.end(`GET /v1/test/rooms/r1/ws HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\nauthorization: Bearer ${tokens.alice}\r\n\r\n`)
    )
    s.on("error", () => {})
    s.destroy()
    expect((await fetch(`${gw.base}/healthz`)).status).toBe(200)
  })

  it("moves the ws_* metrics, per endpoint", async () => {
    const labels = { endpoint: PATTERN }
    await eventually(async () => value(await metrics(), "ws_connections", labels) === 0)
    const before = await metrics()
    const c = connect("/v1/test/rooms/m/ws", auth("alice"))
    await c.next()
    const o = connect("/v1/test/other/ws", auth("bob"))
    await o.next()
    c.ws.send(JSON.stringify({ n: 1 }))
    await c.next()
    const during = await metrics()
    expect(value(during, "ws_connections", labels)).toBe(1)
    expect(value(during, "ws_connections", { endpoint: "/v1/test/other/ws" })).toBe(1)
    expect(value(during, "ws_messages_received_total", labels)).toBe(value(before, "ws_messages_received_total", labels) + 1)
    // welcome + echo
    expect(value(during, "ws_messages_sent_total", labels)).toBe(value(before, "ws_messages_sent_total", labels) + 2)
    await expectErrorClose(connect("/v1/test/rooms/m/ws"), "unauthenticated", 4401)
    c.ws.send("nope")
    await expectErrorClose(c, "invalid_message", 4400)
    await eventually(async () => value(await metrics(), "ws_connections", labels) === 0)
    const after = await metrics()
    expect(value(after, "ws_connections", { endpoint: "/v1/test/other/ws" })).toBe(1)
    expect(value(after, "ws_errors_total", { code: "unauthenticated" })).toBe(value(before, "ws_errors_total", { code: "unauthenticated" }) + 1)
    expect(value(after, "ws_errors_total", { code: "invalid_message" })).toBe(value(before, "ws_errors_total", { code: "invalid_message" }) + 1)
    expect(after.find((f) => f.name === "ws_connections")?.type).toBe("GAUGE")
    expect(after.find((f) => f.name === "ws_messages_dropped_total")?.type).toBe("COUNTER")
    o.ws.close()
    await o.closed
    await eventually(async () => value(await metrics(), "ws_connections", { endpoint: "/v1/test/other/ws" }) === 0)
  })
})
