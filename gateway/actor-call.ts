import { Effect } from "effect"
import type { ActorDefinition } from "../runtime/actor.ts"
import { CorruptData, MailboxFull, Unavailable } from "../runtime/errors.ts"
import { type Actors, send } from "../runtime/service.ts"
import { type ApiError, unavailable } from "./api-error.ts"

/**
 * Ask an actor from a route handler. Runtime trouble (full mailbox, storage down, shard moving) is
 * 503 with Retry-After; corrupt data is a defect (500, logged); the actor's typed rejections are
 * mapped by the route, which knows what they mean to a client.
 */
export const callActor = <State, Command, Event, Reply, Rejection>(
  definition: ActorDefinition<State, Command, Event, Reply, Rejection>,
  id: string,
  command: Command,
  nowMs: number,
  onRejection: (rejection: Rejection) => ApiError
): Effect.Effect<Reply, ApiError, Actors> =>
  send(definition, id, command, nowMs).pipe(
    Effect.catchAll((error) => {
      if (error instanceof MailboxFull) return Effect.fail(unavailable(`${definition.name} is busy; retry shortly`, 1))
      if (error instanceof Unavailable) return Effect.fail(unavailable(error.message, Math.max(1, Math.ceil(error.retryAfterMs / 1000))))
      if (error instanceof CorruptData) return Effect.die(error)
      return Effect.fail(onRejection(error as Rejection))
    })
  )
