import { type Counter, type Histogram, latencyBucketsMs, type MetricsRegistry } from "../runtime/metrics.ts"

/** Per route and status: a request counter and a latency histogram (ms). */
export class HttpMetrics {
  private readonly series = new Map<string, { readonly count: Counter; readonly latency: Histogram }>()
  private readonly requests
  private readonly durations

  constructor(registry: MetricsRegistry) {
    this.requests = registry.counter("http_requests_total", "HTTP requests answered, by route and status")
    this.durations = registry.histogram("http_request_duration_ms", "HTTP request latency in ms, by route and status", latencyBucketsMs)
  }

  observe(route: string, status: number, ms: number) {
    const key = `${route}|${status}`
    let s = this.series.get(key)
    if (s === undefined) {
      const labels = { route, status: String(status) }
      s = { count: this.requests.with(labels), latency: this.durations.with(labels) }
      this.series.set(key, s)
    }
    s.count.inc()
    s.latency.observe(ms)
  }
}
