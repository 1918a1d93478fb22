import type { AnyActorDefinition, Codec } from "./actor.ts"
import type { JournalEvent, Position } from "./ports.ts"

export const enum CellStatus {
  Loading = 0,
  Ready = 1
}

/** A caller waiting for its reply, released once the events it depends on are durable. */
export interface Waiter {
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
  readonly cell: Cell
  readonly ok: boolean
  readonly value: unknown
}

/** A command waiting in a mailbox. */
export interface Envelope {
  readonly command: unknown
  readonly nowMs: number
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown) => void
}

/** Codecs of one actor type, compiled once. */
export interface ActorType {
  readonly definition: AnyActorDefinition
  readonly stateCodec: Codec<unknown>
  readonly eventCodec: Codec<unknown>
}

/**
 * One resident actor. Kept small on purpose (a million idle ones must fit in well under 1 GiB):
 * the mailbox array exists only while commands wait.
 */
export class Cell {
  status: CellStatus = CellStatus.Loading
  state: unknown = undefined
  /** Last sequence number applied to `state` (durable or not). */
  seq = 0
  /** Last sequence number known durable in the journal. */
  durableSeq = 0
  /** Sequence number covered by the stored snapshot. */
  snapshotSeq = 0
  /** Position of the earliest durable event not covered by the stored snapshot; 0 when clean. */
  dirtyFrom: Position = 0
  /** Earliest armed durable timer (ms), 0 when none. */
  timerAtMs = 0
  lastActiveMs = 0
  /** Bumped whenever the cell's state is thrown away; stale callbacks compare it. */
  generation = 0
  snapshotQueued = false
  mailbox: Array<Envelope> | null = null
  mailboxHead = 0

  constructor(
    readonly key: string,
    readonly type: ActorType
  ) {}

  get queued(): number {
    return this.mailbox === null ? 0 : this.mailbox.length - this.mailboxHead
  }
}

/** Events of one shard waiting to be appended together, and the replies that depend on them. */
export class Batch {
  readonly events: Array<JournalEvent> = []
  readonly waiters: Array<Waiter> = []
  readonly touched = new Set<Cell>()
  /** State of each touched cell after this batch's events, captured when the batch is sent. */
  captured: Array<{ readonly cell: Cell; readonly generation: number; readonly state: unknown; readonly seq: number }> = []
}
