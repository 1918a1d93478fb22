import uWS from "uWebSockets.js"
import type { MetricsRegistry } from "../runtime/metrics.ts"
import type { Authenticator, RateLimiter } from "./ports.ts"
import type { Caller } from "./route.ts"

export interface WsLimits {
  /** Largest frame accepted from a client, in bytes; larger closes the socket (uWS). */
  readonly maxPayloadLength: number
  /** Bytes buffered towards a slow client before messages to it are dropped (and counted). */
  readonly maxBackpressure: number
  /** Seconds without traffic before the socket is closed (pings are sent automatically). */
  readonly idleTimeoutSeconds: number
  /** Messages a client may send per second before it is closed with 4429. */
  readonly maxMessagesPerSecond: number
}

export const defaultWsLimits: WsLimits = {
  maxPayloadLength: 4 * 1024,
  maxBackpressure: 64 * 1024,
  idleTimeoutSeconds: 60,
  maxMessagesPerSecond: 20
}

/** The error codes of API.md's waiting-room protocol and their close codes. */
export const wsErrorClose = {
  unauthenticated: 4401,
  not_found: 4404,
  rate_limited: 4429,
  invalid_message: 4400
} as const
export type WsErrorCode = keyof typeof wsErrorClose

/** A connected client as endpoint code sees it. */
export interface WsClient {
  readonly caller: Caller
  readonly params: Readonly<Record<string, string>>
  readonly ip: string
  /** Send a JSON message; false when it was dropped because the client is too slow. */
  send(message: unknown): boolean
  /** Send an error frame, then close with the matching 44xx code. */
  fail(code: WsErrorCode, message: string): void
  readonly closed: boolean
}

export interface WsEndpoint {
  /** uWS pattern, e.g. `/v1/sales/:sale_id/queue`; parameter names in the order they appear. */
  readonly pattern: string
  readonly paramNames: ReadonlyArray<string>
  readonly limits: WsLimits
  /** Decide whether the socket may stay (e.g. the sale exists); return an error to refuse it after the upgrade. */
  readonly accept?: (client: WsClient) => Promise<{ readonly code: WsErrorCode; readonly message: string } | undefined>
  readonly onOpen: (client: WsClient) => void
  readonly onMessage: (client: WsClient, message: unknown) => void
  readonly onClose: (client: WsClient) => void
}

/** The open sockets of a server, for shutdown. */
export type OpenSockets = Set<uWS.WebSocket<SocketData>>

interface SocketData {
  client: ClientImpl | undefined
  readonly pending: { readonly error?: { readonly code: WsErrorCode; readonly message: string }; readonly caller?: Caller; readonly params: Record<string, string>; readonly ip: string }
}

class ClientImpl implements WsClient {
  closed = false
  private windowStartMs = 0
  private windowCount = 0
  constructor(
    private readonly ws: uWS.WebSocket<SocketData>,
    readonly caller: Caller,
    readonly params: Readonly<Record<string, string>>,
    readonly ip: string,
    private readonly limits: WsLimits,
    private readonly counters: WsCounters
  ) {}
  send(message: unknown): boolean {
    if (this.closed) return false
    if (this.ws.getBufferedAmount() > this.limits.maxBackpressure) {
      this.counters.dropped.inc()
      return false
    }
    const result = this.ws.send(JSON.stringify(message), false)
    if (result === 2) {
      this.counters.dropped.inc()
      return false
    }
    this.counters.sent.inc()
    return true
  }
  fail(code: WsErrorCode, message: string) {
    if (this.closed) return
    this.counters.errors.with({ code }).inc()
    this.ws.send(JSON.stringify({ type: "error", code, message }), false)
    this.closed = true
    this.ws.end(wsErrorClose[code], code)
  }
  /** Counts an inbound message; false when the client exceeded its rate. */
  admitMessage(nowMs: number): boolean {
    if (nowMs - this.windowStartMs >= 1000) {
      this.windowStartMs = nowMs
      this.windowCount = 0
    }
    return ++this.windowCount <= this.limits.maxMessagesPerSecond
  }
}

interface WsCounters {
  readonly sent: { inc(): void }
  readonly dropped: { inc(): void }
  readonly errors: { with(labels: Record<string, string>): { inc(): void } }
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/**
 * Mount a WebSocket endpoint. The upgrade always completes (API.md): a refused client gets an
 * error frame and a 44xx close, so browsers can tell why. Auth is the bearer token from the
 * Authorization header or `?token=`.
 */
export const mountWebSocket = (
  app: uWS.TemplatedApp,
  endpoint: WsEndpoint,
  deps: { readonly authenticator: Authenticator; readonly rateLimiter: RateLimiter; readonly registry: MetricsRegistry; readonly sockets: OpenSockets; readonly log?: (message: string, detail?: unknown) => void }
) => {
  const labels = { endpoint: endpoint.pattern }
  const open = deps.registry.gauge("ws_connections", "Open WebSocket connections").with(labels)
  const counters: WsCounters = {
    sent: deps.registry.counter("ws_messages_sent_total", "WebSocket messages sent").with(labels),
    dropped: deps.registry.counter("ws_messages_dropped_total", "WebSocket messages dropped because the client was too slow").with(labels),
    errors: deps.registry.counter("ws_errors_total", "WebSocket error frames sent, by code")
  }
  const received = deps.registry.counter("ws_messages_received_total", "WebSocket messages received").with(labels)
  // `deps.sockets` holds the sockets of every endpoint; the gauge counts this endpoint's own.
  let openHere = 0

  // An endpoint that throws must not take the process down: log it and drop that client.
  const guarded = (call: () => void, client: ClientImpl | undefined) => {
    try {
      call()
    } catch (defect) {
      deps.log?.(`WebSocket endpoint ${endpoint.pattern} threw`, defect)
      if (client !== undefined && !client.closed) client.fail("invalid_message", "the server could not handle that")
    }
  }

  app.ws<SocketData>(endpoint.pattern, {
    maxPayloadLength: endpoint.limits.maxPayloadLength,
    maxBackpressure: endpoint.limits.maxBackpressure,
    closeOnBackpressureLimit: 0,
    idleTimeout: endpoint.limits.idleTimeoutSeconds,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      let aborted = false
      res.onAborted(() => {
        aborted = true
      })
      const secKey = req.getHeader("sec-websocket-key")
      const secProtocol = req.getHeader("sec-websocket-protocol")
      const secExtensions = req.getHeader("sec-websocket-extensions")
      const authorization = req.getHeader("authorization")
      const queryToken = new URLSearchParams(req.getQuery() ?? "").get("token") ?? ""
      const params: Record<string, string> = {}
      let badPath = false
      endpoint.paramNames.forEach((name, i) => {
        // A malformed escape must not throw out of a uWS callback (that ends the process).
        try {
          params[name] = decodeURIComponent(req.getParameter(i) ?? "")
        } catch {
          badPath = true
        }
      })
      const ip = Buffer.from(res.getRemoteAddressAsText()).toString()
      const token = /^Bearer (.+)$/.exec(authorization)?.[1] ?? queryToken
      const nowMs = Date.now()
      const finish = (pending: SocketData["pending"]) => {
        if (aborted) return
        res.cork(() => res.upgrade<SocketData>({ client: undefined, pending }, secKey, secProtocol, secExtensions, context))
      }
      if (badPath) return finish({ params, ip, error: { code: "not_found", message: "the path is not valid percent-encoding" } })
      const limited = deps.rateLimiter.take("write", `ip:${ip}`, nowMs)
      if (!limited.ok) return finish({ params, ip, error: { code: "rate_limited", message: "too many connections; retry later" } })
      if (token === "") return finish({ params, ip, error: { code: "unauthenticated", message: "a bearer token is required" } })
      deps.authenticator.authenticate(token, nowMs).then(
        (caller) => finish(caller === undefined ? { params, ip, error: { code: "unauthenticated", message: "the token is unknown, expired or revoked" } } : { params, ip, caller }),
        () => finish({ params, ip, error: { code: "unauthenticated", message: "the token could not be checked; retry" } })
      )
    },
    open: (ws) => {
      const data = ws.getUserData()
      const { pending } = data
      if (pending.error !== undefined || pending.caller === undefined) {
        const error = pending.error ?? { code: "unauthenticated" as const, message: "not signed in" }
        counters.errors.with({ code: error.code }).inc()
        ws.send(JSON.stringify({ type: "error", ...error }), false)
        ws.end(wsErrorClose[error.code], error.code)
        return
      }
      const client = new ClientImpl(ws, pending.caller, pending.params, pending.ip, endpoint.limits, counters)
      data.client = client
      deps.sockets.add(ws)
      open.set(++openHere)
      const proceed = () => {
        if (!client.closed) guarded(() => endpoint.onOpen(client), client)
      }
      if (endpoint.accept === undefined) return proceed()
      endpoint.accept(client).then(
        (refusal) => (refusal === undefined ? proceed() : client.fail(refusal.code, refusal.message)),
        () => client.fail("not_found", "the endpoint could not accept the connection")
      )
    },
    message: (ws, message, isBinary) => {
      const client = ws.getUserData().client
      if (client === undefined || client.closed) return
      received.inc()
      if (!client.admitMessage(Date.now())) return client.fail("rate_limited", "too many messages")
      if (isBinary) return client.fail("invalid_message", "send JSON text frames")
      let parsed: unknown
      try {
        parsed = JSON.parse(utf8.decode(message))
      } catch {
        return client.fail("invalid_message", "the message is not valid JSON")
      }
      guarded(() => endpoint.onMessage(client, parsed), client)
    },
    close: (ws) => {
      const client = ws.getUserData().client
      if (deps.sockets.delete(ws)) open.set(--openHere)
      if (client === undefined) return
      client.closed = true
      guarded(() => endpoint.onClose(client), undefined)
    }
  })
}
