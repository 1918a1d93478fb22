import { type Counter, type Histogram, latencyBucketsMs, type MetricsRegistry } from "../runtime/metrics.ts"

/** Per route and status: a request counter and a latency histogram (ms). */
export class HttpMetrics {
  private readonly series = new Map<string, Map<number, { readonly count: Counter; readonly latency: Histogram }>>()
  private readonly requests
  private readonly durations

  constructor(registry: MetricsRegistry) {
    this.requests = registry.counter("http_requests_total", "HTTP requests answered, by route and status")
    this.durations = registry.histogram("http_request_duration_ms", "HTTP request latency in ms, by route and status", latencyBucketsMs)
  }

  observe(route: string, status: number, ms: number) {
    let byStatus = this.series.get(route)
    if (byStatus === undefined) this.series.set(route, (byStatus = new Map()))
    let s = byStatus.get(status)
    if (s === undefined) {
      const labels = { route, status: String(status) }
      s = { count: this.requests.with(labels), latency: this.durations.with(labels) }
      byStatus.set(status, s)
    }
    s.count.inc()
    s.latency.observe(ms)
  }
}
