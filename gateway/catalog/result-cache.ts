import { Effect, Exit } from "effect"

export interface Versioned<A> {
  readonly value: A
  /** The data version the value was computed from. */
  readonly version: number
}

/**
 * Answers reused while they are right or nearly so. Each answer is tagged with the version of the
 * data it was computed from (`version()` when its computation started). An answer of the current
 * version is exact and served however old; otherwise one younger than `freshMs` (counted from
 * when its computation started) is served as is, one younger than 2 × `freshMs` is served while a
 * refresh runs in the background, and an older one (or none) is computed and waited for. At most
 * one computation per key runs at a time: concurrent requests for it share its result. So an
 * answer is never more than 2 × `freshMs` behind the data, and the work per key is at most one
 * computation per `freshMs` while the data changes, none while it does not. `freshMs` 0 turns
 * all of it off.
 */
export class ResultCache<A> {
  private readonly entries = new Map<string, { readonly atMs: number; readonly version: number; readonly value: A }>()
  private readonly running = new Map<string, Promise<Exit.Exit<Versioned<A>, unknown>>>()

  constructor(
    private readonly freshMs: number,
    private readonly maxEntries: number,
    private readonly version: () => number,
    private readonly onOutcome: (outcome: "fresh" | "stale" | "computed" | "joined") => void = () => {}
  ) {}

  get size(): number {
    return this.entries.size
  }

  /** The answer for `key`, with the data version it was computed from. */
  get<E>(key: string, compute: Effect.Effect<A, E>): Effect.Effect<Versioned<A>, E> {
    if (this.freshMs <= 0) {
      this.onOutcome("computed")
      const version = this.version()
      return Effect.map(compute, (value) => ({ value, version }))
    }
    const hit = this.entries.get(key)
    const age = hit === undefined ? Infinity : Date.now() - hit.atMs
    if (hit !== undefined && (hit.version === this.version() || age < this.freshMs)) {
      this.onOutcome("fresh")
      return Effect.succeed(hit)
    }
    if (age < 2 * this.freshMs) {
      this.onOutcome("stale")
      void this.refresh(key, compute)
      return Effect.succeed(hit!)
    }
    const joining = this.running.has(key)
    this.onOutcome(joining ? "joined" : "computed")
    const result = this.refresh(key, compute)
    return Effect.flatten(Effect.promise(() => result)) as Effect.Effect<Versioned<A>, E>
  }

  private refresh<E>(key: string, compute: Effect.Effect<A, E>): Promise<Exit.Exit<Versioned<A>, unknown>> {
    const running = this.running.get(key)
    if (running !== undefined) return running
    const startedAt = Date.now()
    const version = this.version()
    const promise = Effect.runPromiseExit(compute)
      .then((exit) => {
        if (Exit.isFailure(exit)) return exit as Exit.Exit<Versioned<A>, unknown>
        const entry = { atMs: startedAt, version, value: exit.value }
        this.put(key, entry)
        return Exit.succeed(entry)
      })
      .finally(() => this.running.delete(key))
    this.running.set(key, promise)
    return promise
  }

  private put(key: string, entry: Versioned<A> & { readonly atMs: number }) {
    const before = this.entries.get(key)
    if (before !== undefined && before.atMs > entry.atMs) return
    this.entries.delete(key)
    this.entries.set(key, entry)
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
  }
}
