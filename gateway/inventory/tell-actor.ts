import { Exit } from "effect"
import type { ActorDefinition } from "../../runtime/actor.ts"
import { ActorCrashed, CorruptData, MailboxFull, Unavailable } from "../../runtime/errors.ts"
import type { ActorHost } from "../../runtime/host.ts"
import { type ApiError, unavailable } from "../api-error.ts"
import type { Reply } from "../route.ts"

/**
 * `callActor` (gateway/actor-call.ts) for a route's fiber-less `direct` handler: asks the actor
 * with callbacks and ends with the exit the Effect version would: the reply turned into the
 * route's answer, runtime trouble as 503 with Retry-After, a typed rejection through the route's
 * mapping, corrupt data and crashes as defects (500, logged by the pipeline).
 */
export const tellActor = <State, Command, Event, ActorReply, Rejection, Success>(
  host: ActorHost,
  definition: ActorDefinition<State, Command, Event, ActorReply, Rejection>,
  id: string,
  command: Command,
  nowMs: number,
  onRejection: (rejection: Rejection) => ApiError,
  onReply: (reply: ActorReply) => Reply<Success>,
  done: (exit: Exit.Exit<Reply<Success>, ApiError>) => void
): void =>
  host.tell(
    definition,
    id,
    command,
    nowMs,
    (reply) => {
      let answer: Reply<Success>
      try {
        answer = onReply(reply as ActorReply)
      } catch (defect) {
        return done(Exit.die(defect))
      }
      done(Exit.succeed(answer))
    },
    (error) => done(failureOf(definition.name, error, onRejection))
  )

const failureOf = <Rejection>(name: string, error: unknown, onRejection: (rejection: Rejection) => ApiError): Exit.Exit<never, ApiError> => {
  if (error instanceof MailboxFull) return Exit.fail(unavailable(`${name} is busy; retry shortly`, 1))
  if (error instanceof Unavailable) return Exit.fail(unavailable(error.message, Math.max(1, Math.ceil(error.retryAfterMs / 1000))))
  if (error instanceof CorruptData || error instanceof ActorCrashed) return Exit.die(error)
  return Exit.fail(onRejection(error as Rejection))
}
