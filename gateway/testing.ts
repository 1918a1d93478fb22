/**
 * Test support for the gateway: an in-memory IdempotencyGuard with the semantics of API.md
 * ("Idempotency"), a fake Authenticator with fixed tokens, and a gateway started on 127.0.0.1
 * port 0 with the system routes plus the routes under test.
 */
import { Runtime } from "effect"
import { MetricsRegistry } from "../runtime/metrics.ts"
import type { Authenticator, IdempotencyBegin, IdempotencyGuard } from "./ports.ts"
import { unlimited } from "./ports.ts"
import type { AnyRoute, Caller } from "./route.ts"
import { type GatewayOptions, type RunningGateway, startGateway } from "./server.ts"

/** Tokens of the fake authenticator: long enough for the `Bearer <token>` format check (16+ characters). */
export const tokens = {
  alice: "tok_alice_0123456789abcdef",
  bob: "tok_bob_0123456789abcdef00",
  seller: "tok_seller_0123456789abcdef",
  admin: "tok_admin_0123456789abcdef0"
} as const

export const callers: Readonly<Record<keyof typeof tokens, Caller>> = {
  alice: { userId: "u_alice", roles: ["customer"], sessionId: "s_alice" },
  bob: { userId: "u_bob", roles: ["customer"], sessionId: "s_bob" },
  seller: { userId: "u_seller", roles: ["customer", "seller"], sessionId: "s_seller" },
  admin: { userId: "u_admin", roles: ["admin"], sessionId: "s_admin" }
}

/** An Authenticator that knows a fixed set of tokens; every other token is unknown. */
export const fakeAuthenticator = (known: Readonly<Record<string, Caller>> = defaultKnown()): Authenticator & { calls: number } => {
  const auth = {
    calls: 0,
    authenticate: (token: string) => {
      auth.calls++
      return Promise.resolve(known[token])
    }
  }
  return auth
}

const defaultKnown = (): Record<string, Caller> => {
  const out: Record<string, Caller> = {}
  for (const name of Object.keys(tokens) as Array<keyof typeof tokens>) out[tokens[name]] = callers[name]
  return out
}

export const bearer = (name: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[name]}` })

interface IdempotencyRecord {
  readonly requestHash: string
  readonly attempt: string
  state: "running" | "done"
  status: number
  body: unknown
  /** Running: when the claim lapses (the process that held it died). Done: when the record expires. */
  untilMs: number
}

export interface MemoryIdempotencyOptions {
  /** How long a completed answer is kept; API.md: at least 24 h. */
  readonly retentionMs?: number
  /** How long a claim stays "in progress" without an answer before another request may take it over. */
  readonly leaseMs?: number
}

/**
 * In-memory idempotency records, scoped by `scope` (the user): same key + same request hash →
 * replay of the stored answer; different hash → reused; a claim still running → in progress;
 * `abandon` forgets a claim whose answer must not be stored (429, 503, 5xx).
 */
export const memoryIdempotency = (options: MemoryIdempotencyOptions = {}): IdempotencyGuard & { readonly size: () => number } => {
  const retentionMs = options.retentionMs ?? 24 * 3600_000
  const leaseMs = options.leaseMs ?? 60_000
  const records = new Map<string, IdempotencyRecord>()
  let attempts = 0
  const id = (scope: string, key: string) => `${scope}\u0000${key}`
  return {
    size: () => records.size,
    begin: (scope, key, requestHash, nowMs): Promise<IdempotencyBegin> => {
      const k = id(scope, key)
      const existing = records.get(k)
      if (existing !== undefined && existing.untilMs > nowMs) {
        if (existing.requestHash !== requestHash) return Promise.resolve({ _tag: "reused" })
        if (existing.state === "running") return Promise.resolve({ _tag: "in_progress" })
        return Promise.resolve({ _tag: "replay", status: existing.status, body: existing.body })
      }
      const attempt = `a${++attempts}`
      records.set(k, { requestHash, attempt, state: "running", status: 0, body: undefined, untilMs: nowMs + leaseMs })
      return Promise.resolve({ _tag: "started", attempt })
    },
    complete: (scope, key, requestHash, attempt, status, body, nowMs) => {
      const k = id(scope, key)
      const existing = records.get(k)
      if (existing !== undefined && (existing.requestHash !== requestHash || existing.attempt !== attempt)) {
        return Promise.reject(new Error(`idempotency record ${key} is held by another request`))
      }
      // Store an encoded copy, as a durable store would: later mutation of `body` must not leak in.
      records.set(k, { requestHash, attempt, state: "done", status, body: structuredClone(body), untilMs: nowMs + retentionMs })
      return Promise.resolve()
    },
    abandon: (scope, key, requestHash, attempt) => {
      const k = id(scope, key)
      const existing = records.get(k)
      if (existing !== undefined && existing.requestHash === requestHash && existing.attempt === attempt && existing.state === "running") records.delete(k)
      return Promise.resolve()
    }
  }
}

export interface TestGateway {
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly base: string
  readonly registry: MetricsRegistry
  /** What the gateway logged (defects, unexpected failures), instead of printing it. */
  readonly logs: Array<{ readonly message: string; readonly detail: unknown }>
  readonly shutdown: (graceMs?: number) => Promise<void>
}

export type TestGatewayOverrides = Partial<Omit<GatewayOptions<never>, "routes" | "runtime">>

/** Start a gateway on 127.0.0.1, port 0, with fake auth, in-memory idempotency and no rate limits unless overridden. */
export const startTestGateway = async (routes: ReadonlyArray<AnyRoute<never>>, overrides: TestGatewayOverrides = {}): Promise<TestGateway> => {
  const registry = overrides.registry ?? new MetricsRegistry()
  const logs: Array<{ message: string; detail: unknown }> = []
  const options: GatewayOptions<never> = {
    host: "127.0.0.1",
    port: 0,
    routes,
    runtime: Runtime.defaultRuntime,
    authenticator: fakeAuthenticator(),
    idempotency: memoryIdempotency(),
    rateLimiter: unlimited,
    ready: () => true,
    log: (message, detail) => logs.push({ message, detail }),
    ...overrides,
    registry
  }
  const gateway: RunningGateway = await startGateway(options)
  return {
    port: gateway.port,
    base: `http://127.0.0.1:${gateway.port}`,
    registry,
    logs,
    shutdown: (graceMs = 1000) => gateway.shutdown(graceMs)
  }
}
