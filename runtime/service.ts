import { Context, Effect, Layer } from "effect"
import type { ActorDefinition, AnyActorDefinition } from "./actor.ts"
import type { HostConfig } from "./config.ts"
import { ActorCrashed, type CorruptData, type MailboxFull, type Unavailable } from "./errors.ts"
import { ActorHost } from "./host.ts"
import { MetricsRegistry } from "./metrics.ts"
import { Journal, PositionStore, SnapshotStore } from "./ports.ts"

/** The metrics registry shared by the runtime and the gateway. */
export class Metrics extends Context.Tag("runtime/Metrics")<Metrics, MetricsRegistry>() {}
export const MetricsLive = Layer.sync(Metrics, () => new MetricsRegistry())

/** The actor host of this process. */
export class Actors extends Context.Tag("runtime/Actors")<Actors, ActorHost>() {}

/**
 * Starts the host on the given storage ports (acquiring and recovering its shards) and stops it
 * gracefully when the scope closes: in-flight appends land, dirty actors are snapshotted.
 */
export const ActorsLive = (definitions: ReadonlyArray<AnyActorDefinition>, config: Partial<HostConfig> = {}) =>
  Layer.scoped(
    Actors,
    Effect.gen(function* () {
      const journal = yield* Journal
      const snapshots = yield* SnapshotStore
      const positions = yield* PositionStore
      const registry = yield* Metrics
      const host = new ActorHost({ journal, snapshots, positions }, definitions, config, registry)
      yield* Effect.acquireRelease(
        Effect.tryPromise({ try: () => host.start(), catch: (e) => e as CorruptData | Error }),
        () => Effect.promise(() => host.stop())
      )
      return host
    })
  )

export type SendError<Rejection> = Rejection | MailboxFull | Unavailable | CorruptData

/**
 * Send a command to an actor. Typed rejections, a full mailbox and unavailability are failures;
 * a crash of the actor (broken invariant) is a defect.
 */
export const send = <State, Command, Event, Reply, Rejection>(
  definition: ActorDefinition<State, Command, Event, Reply, Rejection>,
  id: string,
  command: Command,
  nowMs?: number
): Effect.Effect<Reply, SendError<Rejection>, Actors> =>
  Effect.flatMap(Actors, (host) =>
    Effect.async<Reply, SendError<Rejection>>((resume) => {
      host.tell(
        definition,
        id,
        command,
        nowMs ?? Date.now(),
        (reply) => resume(Effect.succeed(reply as Reply)),
        (error: unknown) => resume(error instanceof ActorCrashed ? Effect.die(error) : Effect.fail(error as SendError<Rejection>))
      )
    })
  )
