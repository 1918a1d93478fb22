import { latencyBucketsMs, MetricsRegistry, sizeBuckets } from "./metrics.ts"

/** The host's metrics, registered once in the shared registry the gateway serves. */
export class HostMetrics {
  readonly registry: MetricsRegistry
  readonly accepted
  readonly rejected
  readonly crashes
  readonly mailboxFull
  readonly mailboxDepth
  readonly batchEvents
  readonly appendLatencyMs
  readonly appendFailures
  readonly snapshotsWritten
  readonly snapshotLatencyMs
  readonly snapshotEncodeMs
  readonly passivated
  readonly shardsLost
  readonly recoveryMs
  readonly recoveredEvents

  constructor(registry: MetricsRegistry | undefined, resident: () => number, queued: () => number) {
    const r = (this.registry = registry ?? new MetricsRegistry())
    this.accepted = r.counter("actor_commands_accepted_total", "Commands that decide accepted").with()
    this.rejected = r.counter("actor_commands_rejected_total", "Commands that decide rejected with a typed rejection").with()
    this.crashes = r.counter("actor_crashes_total", "Defects thrown by decide or evolve (actor reset)").with()
    this.mailboxFull = r.counter("actor_mailbox_full_total", "Commands refused because a mailbox was full").with()
    this.mailboxDepth = r.histogram("actor_mailbox_depth", "Mailbox depth seen when a command had to wait", sizeBuckets).with()
    r.gauge("actor_mailbox_queued", "Commands waiting in mailboxes now", queued).with()
    r.gauge("actors_resident", "Actors held in memory", resident).with()
    this.batchEvents = r.histogram("journal_batch_events", "Events per group-committed journal append", sizeBuckets).with()
    this.appendLatencyMs = r.histogram("journal_append_latency_ms", "Latency of one journal append", latencyBucketsMs).with()
    this.appendFailures = r.counter("journal_append_failures_total", "Journal appends that failed").with()
    this.snapshotsWritten = r.counter("snapshots_written_total", "Actor snapshots stored").with()
    this.snapshotLatencyMs = r.histogram("snapshot_write_latency_ms", "Latency of one snapshot write round-trip", latencyBucketsMs).with()
    this.snapshotEncodeMs = r.histogram("snapshot_encode_ms", "Time to encode one actor state for a snapshot (the event loop is busy meanwhile)", latencyBucketsMs).with()
    this.passivated = r.counter("actors_passivated_total", "Idle actors dropped from memory").with()
    this.shardsLost = r.counter("shards_lost_total", "Shards given up because a newer owner fenced this host").with()
    this.recoveryMs = r.histogram("shard_recovery_ms", "Time to recover one shard (snapshot + journal tail)", latencyBucketsMs).with()
    this.recoveredEvents = r.counter("recovered_events_total", "Journaled events replayed during recovery").with()
  }

  recovered(ms: number, events: number) {
    this.recoveryMs.observe(ms)
    this.recoveredEvents.inc(events)
  }
}
