import { Effect } from "effect"
import type { DirectHandler, Reply, RouteRequest } from "./route.ts"
import type { ApiError } from "./api-error.ts"

/**
 * The Effect `handler` of a route declared with a fiber-less `direct` handler: the same work,
 * for everything that runs handlers as Effects (tests, tools). One implementation, two ways in.
 */
export const handlerOf =
  <Params, Query, Body, Success, R>(direct: DirectHandler<Params, Query, Body, Success, R>) =>
  (request: RouteRequest<Params, Query, Body>): Effect.Effect<Reply<Success>, ApiError, R> =>
    Effect.flatMap(Effect.context<R>(), (services) => Effect.async<Reply<Success>, ApiError>((resume) => direct(request, services, resume)))
