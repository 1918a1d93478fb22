/**
 * Deadlines of request bodies still arriving, checked by one timer for all of them instead of a
 * `setTimeout` per request (a timer per POST showed in profiles). Every body gets the same
 * allowance, so insertion order is deadline order and a sweep stops at the first body still in
 * time. A late body is expired at most one sweep period (a tenth of the allowance, 10 ms to 1 s)
 * after its deadline.
 */
export class BodyDeadlines<T> {
  private readonly pending = new Map<T, number>()
  private timer: ReturnType<typeof setInterval> | undefined
  private readonly periodMs: number

  constructor(
    private readonly allowanceMs: number,
    private readonly expire: (item: T) => void
  ) {
    this.periodMs = Math.min(1000, Math.max(10, Math.floor(allowanceMs / 10)))
  }

  /** Start the clock of `item` (its body must arrive within the allowance). */
  add(item: T): void {
    this.pending.set(item, performance.now() + this.allowanceMs)
    this.timer ??= setInterval(() => this.sweep(), this.periodMs)
  }

  /** The body arrived, or the request ended otherwise. */
  delete(item: T): void {
    // The timer stops at its next sweep with nothing pending, not here: a steady stream of small
    // bodies would otherwise start and stop it once per request.
    this.pending.delete(item)
  }

  /** Bodies still arriving. */
  get size(): number {
    return this.pending.size
  }

  private sweep() {
    const now = performance.now()
    for (const [item, deadline] of this.pending) {
      if (deadline > now) break
      this.pending.delete(item)
      this.expire(item)
    }
    if (this.pending.size === 0) this.stop()
  }

  private stop() {
    if (this.timer === undefined) return
    clearInterval(this.timer)
    this.timer = undefined
  }
}
