import type { AnyRoute, Method } from "./route.ts"

/** A path template compiled to literal segments and parameter names. */
interface Compiled {
  readonly route: AnyRoute
  readonly segments: ReadonlyArray<{ readonly literal: string } | { readonly param: string }>
}

export type Match =
  | { readonly _tag: "found"; readonly route: AnyRoute; readonly params: Record<string, string> }
  | { readonly _tag: "method_not_allowed"; readonly allowed: ReadonlyArray<string> }
  | { readonly _tag: "not_found" }
  | { readonly _tag: "bad_path" }

const splitPath = (path: string) => path.split("/").slice(1)

/** The path parameters of a static route: none. Shared by every match, so frozen. */
const noParams: Record<string, string> = Object.freeze({}) as Record<string, string>

/**
 * Routes by method and path. Static paths are one map lookup; templated ones are matched
 * segment by segment among the few routes with the same segment count.
 */
export class Router {
  /** Static paths: the match of each method, built once (a lookup allocates nothing). */
  private readonly exact = new Map<string, Map<Method, Match>>()
  private readonly templated = new Map<number, Array<Compiled>>()

  constructor(routes: ReadonlyArray<AnyRoute>) {
    const seen = new Set<string>()
    for (const route of routes) {
      const id = `${route.method} ${route.path}`
      if (seen.has(id)) throw new Error(`route declared twice: ${id}`)
      seen.add(id)
      const segments = splitPath(route.path).map((s) =>
        s.startsWith("{") && s.endsWith("}") ? { param: s.slice(1, -1) } : { literal: s }
      )
      if (segments.every((s) => "literal" in s)) {
        let byMethod = this.exact.get(route.path)
        if (byMethod === undefined) this.exact.set(route.path, (byMethod = new Map()))
        byMethod.set(route.method, { _tag: "found", route, params: noParams })
      } else {
        let list = this.templated.get(segments.length)
        if (list === undefined) this.templated.set(segments.length, (list = []))
        list.push({ route, segments })
      }
    }
  }

  match(method: Method, path: string): Match {
    const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path
    const byMethod = this.exact.get(trimmed)
    if (byMethod !== undefined) {
      const found = byMethod.get(method)
      return found !== undefined ? found : { _tag: "method_not_allowed", allowed: [...byMethod.keys()].map((m) => m.toUpperCase()) }
    }
    const parts = splitPath(trimmed)
    const candidates = this.templated.get(parts.length)
    if (candidates === undefined) return { _tag: "not_found" }
    const allowed: Array<string> = []
    for (const c of candidates) {
      let params: Record<string, string> | undefined = {}
      for (let i = 0; i < parts.length; i++) {
        const seg = c.segments[i]!
        const part = parts[i]!
        if ("literal" in seg) {
          if (seg.literal !== part) {
            params = undefined
            break
          }
        } else {
          if (part.length === 0) {
            params = undefined
            break
          }
          let decoded: string
          try {
            decoded = decodeURIComponent(part)
          } catch {
            return { _tag: "bad_path" }
          }
          params[seg.param] = decoded
        }
      }
      if (params === undefined) continue
      if (c.route.method === method) return { _tag: "found", route: c.route, params }
      allowed.push(c.route.method.toUpperCase())
    }
    return allowed.length > 0 ? { _tag: "method_not_allowed", allowed } : { _tag: "not_found" }
  }
}
