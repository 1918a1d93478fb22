import type { SaleView } from "../../actors/sales/sale-schema.ts"
import type { MetricsRegistry } from "../../runtime/metrics.ts"

const waitBucketsSeconds = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200]

/**
 * Waiting-room metrics (issue 7): queued, active, admitted per minute, time in queue (histogram
 * plus p50/p90 gauges), abandonment, tokens issued / redeemed / rejected by reason, joins.
 * Dropped socket messages are `ws_messages_dropped_total{endpoint="/v1/sales/:sale_id/queue"}`.
 */
const families = (registry: MetricsRegistry) => ({
  queued: registry.gauge("sale_queued", "Shoppers waiting in a sale's queue"),
  active: registry.gauge("sale_active", "Admitted shoppers whose session is running"),
  perMinute: registry.gauge("sale_admitted_per_minute", "Admissions in the last 60 s"),
  admitted: registry.counter("sale_admitted_total", "Shoppers admitted (seen by this process)"),
  abandoned: registry.counter("sale_abandoned_total", "Places given up: away longer than the reconnect grace"),
  expired: registry.counter("sale_sessions_expired_total", "Admitted sessions that ended without a completed checkout"),
  wait: registry.histogram("sale_time_in_queue_seconds", "Time from join to admission", waitBucketsSeconds),
  p50: registry.gauge("sale_time_in_queue_p50_seconds", "Median time in queue (bucket upper bound)"),
  p90: registry.gauge("sale_time_in_queue_p90_seconds", "90th percentile time in queue (bucket upper bound)"),
  issued: registry.counter("admission_tokens_issued_total", "Admission tokens issued"),
  redeemed: registry.counter("admission_tokens_redeemed_total", "Admission tokens used by a placed order"),
  rejected: registry.counter("admission_tokens_rejected_total", "Checkouts refused for their admission token, by reason"),
  joins: registry.counter("sale_joins_total", "Join messages, by outcome"),
})

export class SaleMetrics {
  private readonly f: ReturnType<typeof families>
  constructor(registry: MetricsRegistry) {
    this.f = families(registry)
  }

  observe(view: SaleView) {
    const labels = { sale_id: view.sale_id }
    this.f.queued.with(labels).set(view.queued)
    this.f.active.with(labels).set(view.active)
    this.f.perMinute.with(labels).set(view.admitted_last_minute)
  }

  admittedOne(saleId: string, waitedMs: number) {
    const labels = { sale_id: saleId }
    this.f.admitted.with(labels).inc()
    this.f.issued.with(labels).inc()
    const histogram = this.f.wait.with(labels)
    histogram.observe(waitedMs / 1_000)
    this.f.p50.with(labels).set(histogram.quantile(0.5))
    this.f.p90.with(labels).set(histogram.quantile(0.9))
  }

  abandonedSome(saleId: string, n: number) {
    this.f.abandoned.with({ sale_id: saleId }).inc(n)
  }

  expiredSome(saleId: string, n: number) {
    this.f.expired.with({ sale_id: saleId }).inc(n)
  }

  redeemedOne(saleId: string) {
    this.f.redeemed.with({ sale_id: saleId }).inc()
  }

  rejectedOne(reason: string) {
    this.f.rejected.with({ reason }).inc()
  }

  join(outcome: string) {
    this.f.joins.with({ outcome }).inc()
  }
}
