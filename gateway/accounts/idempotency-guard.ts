import { defaultRetentionMs, idempotency, idempotencyActorId } from "../../actors/idempotency/idempotency.ts"
import type { ActorHost } from "../../runtime/host.ts"
import { newAttemptId } from "../auth/tokens.ts"
import type { IdempotencyBegin, IdempotencyGuard } from "../ports.ts"

export interface IdempotencyGuardConfig {
  /** How long a first request owns its key before a retry may take over (its process died). */
  readonly leaseMs: number
  /** How long answers are kept for replay (API.md: at least 24 h). */
  readonly retentionMs: number
}

export const idempotencyGuardConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): IdempotencyGuardConfig => ({
  leaseMs: Number(env["IDEMPOTENCY_LEASE_MS"] ?? 60_000),
  retentionMs: Math.max(defaultRetentionMs, Number(env["IDEMPOTENCY_RETENTION_MS"] ?? defaultRetentionMs))
})

type Rejection = { readonly _tag: string; readonly reason?: string; readonly status?: number }

/** Idempotency records kept by one durable actor per (user, key). */
export const actorIdempotencyGuard = (host: ActorHost, config: IdempotencyGuardConfig): IdempotencyGuard => ({
  begin: async (scope, key, requestHash, nowMs): Promise<IdempotencyBegin> => {
    const attempt = newAttemptId()
    try {
      const reply = await host.ask<{ outcome: string; status?: number; body?: string }>(
        idempotency,
        idempotencyActorId(scope, key),
        { _tag: "Begin", request_hash: requestHash, attempt_id: attempt, started_at_ms: nowMs, lease_ms: config.leaseMs },
        nowMs
      )
      if (reply.outcome === "replay") return { _tag: "replay", status: reply.status!, body: JSON.parse(reply.body!) as unknown }
      return { _tag: "started", attempt }
    } catch (error) {
      const r = error as Rejection
      if (r.reason === "in_progress") return { _tag: "in_progress" }
      if (r.reason === "key_reused") return { _tag: "reused" }
      if (r.reason === "response_not_stored") return { _tag: "not_stored", status: r.status ?? 200 }
      throw error
    }
  },
  complete: async (scope, key, requestHash, attempt, status, body, nowMs) => {
    await host
      .ask(
        idempotency,
        idempotencyActorId(scope, key),
        { _tag: "Complete", request_hash: requestHash, attempt_id: attempt, status, body: JSON.stringify(body ?? null), completed_at_ms: nowMs, retention_ms: config.retentionMs },
        nowMs
      )
      .catch((error: Rejection) => {
        // Another attempt took the key over after this one's lease ran out: its answer simply is not stored.
        if (error.reason !== "not_owner") throw error
      })
  },
  abandon: async (scope, key, requestHash, attempt) => {
    await host.ask(idempotency, idempotencyActorId(scope, key), { _tag: "Abandon", request_hash: requestHash, attempt_id: attempt })
  }
})
