import { Schema } from "effect"

/**
 * Every error a client sees, in the shape of API.md:
 * `{ "error": { "code", "message", "details" } }` with the matching status.
 */
export class ApiError extends Schema.TaggedError<ApiError>()("ApiError", {
  status: Schema.Number,
  code: Schema.String,
  message: Schema.String,
  details: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  retryAfterSeconds: Schema.optional(Schema.Number)
}) {}

export interface Issue {
  readonly path: string
  readonly message: string
}

const make = (status: number, code: string, message: string, details: Record<string, unknown> = {}, retryAfterSeconds?: number) =>
  new ApiError({ status, code, message, details, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) })

export const invalidRequest = (message: string, issues: ReadonlyArray<Issue> = []) => make(400, "invalid_request", message, { issues })
export const unauthenticated = (message = "a valid bearer token is required") => make(401, "unauthenticated", message)
export const forbidden = (message = "not allowed") => make(403, "forbidden", message)
export const notFound = (message = "not found") => make(404, "not_found", message)
export const methodNotAllowed = (allowed: ReadonlyArray<string>) =>
  make(405, "method_not_allowed", `method not allowed; use ${allowed.join(", ")}`, { allowed })
export const conflict = (code: string, message: string, details: Record<string, unknown> = {}) => make(409, code, message, details)
export const payloadTooLarge = (limitBytes: number) => make(413, "payload_too_large", `request body exceeds ${limitBytes} bytes`, { limit_bytes: limitBytes })
export const uriTooLong = (limitBytes: number) => make(414, "uri_too_long", `URL exceeds ${limitBytes} bytes`, { limit_bytes: limitBytes })
export const unprocessable = (code: string, message: string, details: Record<string, unknown> = {}) => make(422, code, message, details)
export const rateLimited = (retryAfterSeconds: number) =>
  make(429, "rate_limited", "too many requests; retry later", { retry_after_seconds: retryAfterSeconds }, retryAfterSeconds)
export const headersTooLarge = (limitBytes: number) => make(431, "headers_too_large", `request headers exceed ${limitBytes} bytes`, { limit_bytes: limitBytes })
export const unavailable = (message: string, retryAfterSeconds = 1) => make(503, "unavailable", message, {}, retryAfterSeconds)
export const internal = (requestId: string) => make(500, "internal", `internal error (request ${requestId})`, { request_id: requestId })

/** The JSON body of an error response. */
export const errorBody = (e: ApiError) => ({ error: { code: e.code, message: e.message, details: e.details } })

/** Reason phrases for the status line uWS writes verbatim. */
export const statusLine = (status: number): string => `${status} ${reasons[status] ?? "Status"}`
const reasons: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Payload Too Large",
  414: "URI Too Long",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable"
}
