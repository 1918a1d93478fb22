/**
 * One metrics registry for the runtime and the gateway, rendered in the Prometheus text format.
 * Hand-rolled because these sit on per-command paths: an increment is a property write.
 */
export type Labels = Readonly<Record<string, string>>

const labelText = (labels: Labels | undefined): string => {
  if (labels === undefined) return ""
  const keys = Object.keys(labels)
  if (keys.length === 0) return ""
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k]!)}"`).join(",")}}`
}
const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN")

interface Metric {
  readonly name: string
  readonly help: string
  readonly type: "counter" | "gauge" | "histogram"
  render(lines: Array<string>): void
}

export class Counter {
  value = 0
  inc(by = 1) {
    this.value += by
  }
}

export class Gauge {
  constructor(private readonly read?: () => number) {}
  value = 0
  set(v: number) {
    this.value = v
  }
  current() {
    return this.read === undefined ? this.value : this.read()
  }
}

export class Histogram {
  readonly counts: Float64Array
  sum = 0
  count = 0
  constructor(readonly buckets: ReadonlyArray<number>) {
    this.counts = new Float64Array(buckets.length)
  }
  observe(v: number) {
    this.sum += v
    this.count++
    const b = this.buckets
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]!) {
        this.counts[i]!++
        return
      }
    }
  }
  /** Approximate quantile from the buckets (upper bound of the bucket holding it). */
  quantile(q: number): number {
    if (this.count === 0) return 0
    const target = q * this.count
    let seen = 0
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.counts[i]!
      if (seen >= target) return this.buckets[i]!
    }
    return Infinity
  }
}

class Family<M> implements Metric {
  private readonly series = new Map<string, { labels: Labels | undefined; metric: M }>()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge" | "histogram",
    private readonly make: () => M,
    private readonly renderOne: (name: string, labels: Labels | undefined, m: M, lines: Array<string>) => void
  ) {}
  with(labels?: Labels): M {
    const key = labels === undefined ? "" : labelText(labels)
    let s = this.series.get(key)
    if (s === undefined) {
      s = { labels, metric: this.make() }
      this.series.set(key, s)
    }
    return s.metric
  }
  remove(labels: Labels) {
    this.series.delete(labelText(labels))
  }
  render(lines: Array<string>) {
    lines.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`)
    for (const { labels, metric } of this.series.values()) this.renderOne(this.name, labels, metric, lines)
  }
}

export const latencyBucketsMs = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]
export const sizeBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000]

export class MetricsRegistry {
  private readonly families = new Map<string, Metric>()

  private family<M>(name: string, create: () => Family<M>): Family<M> {
    const existing = this.families.get(name)
    if (existing !== undefined) return existing as unknown as Family<M>
    const f = create()
    this.families.set(name, f)
    return f
  }

  counter(name: string, help: string): Family<Counter> {
    return this.family(name, () =>
      new Family(name, help, "counter", () => new Counter(), (n, l, m, lines) => lines.push(`${n}${labelText(l)} ${num(m.value)}`))
    )
  }

  gauge(name: string, help: string, read?: () => number): Family<Gauge> {
    return this.family(name, () =>
      new Family(name, help, "gauge", () => new Gauge(read), (n, l, m, lines) => lines.push(`${n}${labelText(l)} ${num(m.current())}`))
    )
  }

  histogram(name: string, help: string, buckets: ReadonlyArray<number>): Family<Histogram> {
    return this.family(name, () =>
      new Family(name, help, "histogram", () => new Histogram(buckets), (n, l, m, lines) => {
        let cumulative = 0
        for (let i = 0; i < m.buckets.length; i++) {
          cumulative += m.counts[i]!
          lines.push(`${n}_bucket${labelText({ ...l, le: num(m.buckets[i]!) })} ${cumulative}`)
        }
        lines.push(`${n}_bucket${labelText({ ...l, le: "+Inf" })} ${m.count}`)
        lines.push(`${n}_sum${labelText(l)} ${num(m.sum)}`)
        lines.push(`${n}_count${labelText(l)} ${m.count}`)
      })
    )
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const lines: Array<string> = []
    for (const f of this.families.values()) f.render(lines)
    return lines.join("\n") + "\n"
  }
}
