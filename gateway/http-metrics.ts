import { type Counter, type Histogram, latencyBucketsMs, type MetricsRegistry } from "../runtime/metrics.ts"

interface Series {
  readonly count: Counter
  readonly latency: Histogram
}

/**
 * The series of one route, resolved once (the pipeline keeps it with the compiled route): recording
 * an answer is a lookup by status (the last status is remembered: nearly every answer repeats it)
 * and two property writes. A series appears in the output once it has an answer, as before.
 */
export class RouteSeries {
  private readonly byStatus = new Map<number, Series>()
  private lastStatus = -1
  private last: Series | undefined

  constructor(
    private readonly route: string,
    private readonly metrics: HttpMetrics
  ) {}

  observe(status: number, ms: number) {
    let s = status === this.lastStatus ? this.last : this.byStatus.get(status)
    if (s === undefined) {
      s = this.metrics.seriesOf(this.route, status)
      this.byStatus.set(status, s)
    }
    this.lastStatus = status
    this.last = s
    s.count.inc()
    s.latency.observe(ms)
  }
}

/** Per route and status: a request counter and a latency histogram (ms). */
export class HttpMetrics {
  private readonly routes = new Map<string, RouteSeries>()
  private readonly requests
  private readonly durations

  constructor(registry: MetricsRegistry) {
    this.requests = registry.counter("http_requests_total", "HTTP requests answered, by route and status")
    this.durations = registry.histogram("http_request_duration_ms", "HTTP request latency in ms, by route and status", latencyBucketsMs)
  }

  /** The series of `route`, to record its answers without looking the route up each time. */
  route(route: string): RouteSeries {
    let r = this.routes.get(route)
    if (r === undefined) this.routes.set(route, (r = new RouteSeries(route, this)))
    return r
  }

  observe(route: string, status: number, ms: number) {
    this.route(route).observe(status, ms)
  }

  /** @internal The counter and histogram of (`route`, `status`), created on first use. */
  seriesOf(route: string, status: number): Series {
    const labels = { route, status: String(status) }
    return { count: this.requests.with(labels), latency: this.durations.with(labels) }
  }
}
