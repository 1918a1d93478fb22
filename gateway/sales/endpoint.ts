import type { RateLimiter } from "../rate-limit.ts"
import { defaultWsLimits, type WsClient, type WsEndpoint } from "../websocket.ts"
import type { SalesConfig } from "./config.ts"
import type { SaleHub } from "./hub.ts"
import type { SaleMetrics } from "./metrics.ts"
import { checkProof, makeChallenge } from "./pow.ts"

/**
 * WS /v1/sales/{sale_id}/queue (API.md): the client sends `{"type":"join"}` (with
 * `"pow": {"prefix", "solution"}` when the operator turned the proof of work on; the challenge
 * arrives right after the upgrade), then listens. `{"type":"ping"}` answers `{"type":"pong"}`.
 * Joins are rate-limited per account (`ws_join`); connections per IP (`write`, at the upgrade).
 */

const saleIdPattern = /^[a-z0-9_-]{1,64}$/

interface SocketState {
  challenge: string | undefined
  joining: boolean
}

export const saleQueueEndpoint = (deps: {
  readonly hub: SaleHub
  readonly config: SalesConfig
  readonly metrics: SaleMetrics
  /** undefined: RATE_LIMITS=off. */
  readonly limiter: RateLimiter | undefined
}): WsEndpoint => {
  const states = new WeakMap<WsClient, SocketState>()
  const saleOf = (client: WsClient) => client.params["sale_id"] ?? ""
  // A join may arrive before `onOpen` (the sale is still being looked up): the state starts with whichever comes first.
  const stateOf = (client: WsClient): SocketState => {
    let state = states.get(client)
    if (state === undefined) states.set(client, (state = { challenge: undefined, joining: false }))
    return state
  }

  const join = (client: WsClient, message: Record<string, unknown>, state: SocketState) => {
    const nowMs = Date.now()
    const userId = client.caller.userId
    const limited = deps.limiter?.take("ws_join", `user:${userId}`, nowMs)
    if (limited !== undefined && !limited.ok) {
      deps.metrics.join("rate_limited")
      return client.fail("rate_limited", `too many joins; retry in ${limited.retryAfterSeconds} s`)
    }
    if (deps.config.pow.enabled) {
      const pow = (typeof message["pow"] === "object" && message["pow"] !== null ? message["pow"] : {}) as Record<string, unknown>
      const verdict = pow["prefix"] === state.challenge ? checkProof(userId, deps.config.pow.bits, pow["prefix"], pow["solution"], nowMs) : "forged"
      if (verdict !== "ok") {
        deps.metrics.join(`pow_${verdict}`)
        return client.fail("invalid_message", `the join needs a proof of work for the challenge sent on this socket (${verdict})`)
      }
      state.challenge = undefined
    }
    if (state.joining) return
    state.joining = true
    deps.hub.join(client, saleOf(client), nowMs).then(
      () => {
        state.joining = false
      },
      (error: unknown) => {
        state.joining = false
        const tag = (error as { _tag?: string })._tag
        if (tag === "SaleNotFound") return client.fail("not_found", "no such sale")
        if (tag === "QueueFull") return client.fail("rate_limited", "the queue is full")
        client.fail("rate_limited", "the waiting room is busy; reconnect shortly")
      }
    )
  }

  return {
    pattern: "/v1/sales/:sale_id/queue",
    paramNames: ["sale_id"],
    limits: defaultWsLimits,
    accept: async (client) => {
      const saleId = saleOf(client)
      if (!saleIdPattern.test(saleId)) return { code: "not_found", message: "no such sale" }
      try {
        await deps.hub.ask(saleId, { _tag: "Get" })
        deps.hub.touch(saleId)
        return undefined
      } catch (error) {
        if ((error as { _tag?: string })._tag === "SaleNotFound") return { code: "not_found", message: "no such sale" }
        return { code: "rate_limited", message: "the waiting room is busy; reconnect shortly" }
      }
    },
    onOpen: (client) => {
      const state = stateOf(client)
      if (!deps.config.pow.enabled) return
      const challenge = makeChallenge(client.caller.userId, deps.config.pow.bits, Date.now(), deps.config.pow.ttlMs)
      state.challenge = challenge.prefix
      client.send(challenge)
    },
    onMessage: (client, message) => {
      const state = stateOf(client)
      if (typeof message !== "object" || message === null || Array.isArray(message)) return client.fail("invalid_message", 'send {"type":"join"}')
      const m = message as Record<string, unknown>
      if (m["type"] === "join") return join(client, m, state)
      if (m["type"] === "ping") return void client.send({ type: "pong" })
      client.fail("invalid_message", 'unknown message type; send {"type":"join"}')
    },
    onClose: (client) => deps.hub.closed(client, saleOf(client))
  }
}
