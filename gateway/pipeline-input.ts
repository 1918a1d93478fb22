import { Either, ParseResult, Schema, SchemaAST } from "effect"
import type { Issue } from "./api-error.ts"
import { quickCheckOf } from "./fast-decode.ts"

/**
 * Turning what a request carries (path parameters, query string, JSON body) into a route's inputs:
 * the strict decoders of its schemas and the checks that come before them.
 */
export type Decoder = (u: unknown) => Either.Either<unknown, ParseResult.ParseError>

const strict = { errors: "all", onExcessProperty: "error" } as const

/**
 * Replies are checked against the route's schema (a mismatch is a 500). Without transformations,
 * encoding only checks: a reply the quick check accepts is its own encoding.
 */
export const encoderOf = (schema: Schema.Schema<unknown, unknown, never>): ((a: unknown) => unknown) => {
  const encode = Schema.encodeSync(schema)
  const quick = SchemaAST.typeAST(schema.ast) === schema.ast ? quickCheckOf(schema.ast) : undefined
  return quick === undefined ? encode : (a) => (quick(a) ? a : encode(a))
}

/** The strict decode, behind a quick check of inputs that need no transformation (gateway/fast-decode.ts). */
export const decoderOf = (schema: Schema.Schema<unknown, unknown, never>): Decoder => {
  const decode: Decoder = Schema.decodeUnknownEither(schema, strict)
  const quick = quickCheckOf(schema.ast)
  return quick === undefined ? decode : (u) => (quick(u) ? Either.right(u) : decode(u))
}

const issuesOf = (error: ParseResult.ParseError, prefix: string): Array<Issue> => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error).map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((s) => s !== "").join("."),
    message: i.message
  }))
  // `Schema.optional(X)` decodes as `X | undefined`: a bad value fails both members, and the
  // "Expected undefined" half only confuses. Keep it only when it is the sole issue at its path.
  const paths = new Map<string, number>()
  for (const i of issues) paths.set(i.path, (paths.get(i.path) ?? 0) + 1)
  return issues.filter((i) => !(paths.get(i.path)! > 1 && i.message.startsWith("Expected undefined, actual")))
}

export const isPlainObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** Decode one input with its route's decoder (none: only an empty object is accepted, bodies aside); issues are appended. */
export const decodeInput = (decode: Decoder | undefined, input: unknown, where: string, issues: Array<Issue>): unknown => {
  if (decode === undefined) {
    if (where !== "body" && isPlainObject(input)) {
      for (const k in input) issues.push({ path: `${where}.${k}`, message: "unknown parameter" })
    }
    return input
  }
  const result = decode(input ?? (where === "body" ? undefined : {}))
  if (result._tag === "Right") return result.right
  issues.push(...issuesOf(result.left, where))
  return undefined
}

export const parseQuery = (raw: string, issues: Array<Issue>): Record<string, string> => {
  const out: Record<string, string> = {}
  if (raw.length === 0) return out
  for (const pair of raw.split("&")) {
    if (pair.length === 0) continue
    const eq = pair.indexOf("=")
    const rawKey = eq < 0 ? pair : pair.slice(0, eq)
    const rawValue = eq < 0 ? "" : pair.slice(eq + 1)
    try {
      const key = decodeURIComponent(rawKey.replace(/\+/g, " "))
      if (key in out) issues.push({ path: `query.${key}`, message: "given more than once" })
      out[key] = decodeURIComponent(rawValue.replace(/\+/g, " "))
    } catch {
      issues.push({ path: "query", message: "the query string is not valid percent-encoding" })
    }
  }
  return out
}

/** A UTF-16 code unit of a surrogate pair standing alone: `\ud800` is valid JSON but not Unicode. */
const loneSurrogate = /\p{Cs}/u

/**
 * What makes a parsed body unusable before any schema sees it: arrays/objects nested deeper than
 * `maxDepth` (formatting the issues of a very deep value overflows the stack), and strings or keys
 * with a lone surrogate (they cannot be stored as UTF-8: two such emails would become one).
 * Iterative: the value may be 60 000 levels deep.
 */
export const jsonProblem = (value: unknown, maxDepth: number): string | undefined => {
  const stack: Array<readonly [unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (typeof v === "string") {
      if (loneSurrogate.test(v)) return "the body contains an unpaired surrogate escape (\\ud800-\\udfff): not valid Unicode"
      continue
    }
    if (typeof v !== "object" || v === null) continue
    if (depth > maxDepth) return `the body nests arrays and objects deeper than ${maxDepth} levels`
    if (Array.isArray(v)) for (const child of v) stack.push([child, depth + 1])
    else {
      for (const [key, child] of Object.entries(v)) {
        if (loneSurrogate.test(key)) return "the body contains an unpaired surrogate escape (\\ud800-\\udfff): not valid Unicode"
        stack.push([child, depth + 1])
      }
    }
  }
  return undefined
}
