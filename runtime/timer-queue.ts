/**
 * Deadlines of many actors behind one Node timer: a binary min-heap with lazy deletion.
 * An entry is live only while `isCurrent(key, atMs)` says so, so re-arming an actor is O(log n)
 * and never needs to find its old entry.
 */
export class TimerQueue {
  private readonly heap: Array<{ atMs: number; key: string }> = []
  private handle: NodeJS.Timeout | undefined
  private armedAtMs = Infinity
  private stopped = false

  constructor(
    private readonly isCurrent: (key: string, atMs: number) => boolean,
    private readonly fire: (key: string, atMs: number) => void,
    private readonly now: () => number = Date.now
  ) {}

  get size() {
    return this.heap.length
  }

  schedule(key: string, atMs: number) {
    if (this.stopped) return
    this.heap.push({ atMs, key })
    this.siftUp(this.heap.length - 1)
    this.rearm()
  }

  stop() {
    this.stopped = true
    if (this.handle !== undefined) clearTimeout(this.handle)
    this.handle = undefined
    this.heap.length = 0
  }

  private rearm() {
    const top = this.heap[0]
    if (top === undefined || this.stopped) return
    if (top.atMs >= this.armedAtMs && this.handle !== undefined) return
    if (this.handle !== undefined) clearTimeout(this.handle)
    this.armedAtMs = top.atMs
    // setTimeout is limited to 2^31-1 ms; a far deadline simply re-arms when this one fires.
    const delay = Math.min(Math.max(0, top.atMs - this.now()), 2_000_000_000)
    this.handle = setTimeout(() => this.run(), delay)
    this.handle.unref()
  }

  private run() {
    this.handle = undefined
    this.armedAtMs = Infinity
    const now = this.now()
    while (this.heap.length > 0 && this.heap[0]!.atMs <= now) {
      const top = this.pop()!
      if (this.isCurrent(top.key, top.atMs)) this.fire(top.key, top.atMs)
    }
    this.rearm()
  }

  private pop() {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop()
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last
      this.siftDown(0)
    }
    return top
  }

  private siftUp(i: number) {
    const heap = this.heap
    const item = heap[i]!
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (heap[parent]!.atMs <= item.atMs) break
      heap[i] = heap[parent]!
      i = parent
    }
    heap[i] = item
  }

  private siftDown(i: number) {
    const heap = this.heap
    const item = heap[i]!
    const n = heap.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && heap[r]!.atMs < heap[l]!.atMs ? r : l
      if (heap[c]!.atMs >= item.atMs) break
      heap[i] = heap[c]!
      i = c
    }
    heap[i] = item
  }
}
