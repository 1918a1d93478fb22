/**
 * Live holds ordered by deadline, then reservation id: a sorted list cut into chunks of at most
 * `2 × CHUNK` entries. Deadlines mostly arrive in order (now + a fixed TTL), so an insert is
 * usually an append to the last chunk; any other insert or a removal is two binary searches and
 * a splice of one chunk. The earliest hold is the first entry of the first chunk.
 *
 * Mutable: the SKU state wraps it (with the other hold collections) in a `Versioned` store.
 */

export interface Deadlined {
  readonly reservation_id: string
  readonly expires_at_ms: number
}

const CHUNK = 256

/** `a` comes strictly before `b`. */
const before = (a: Deadlined, b: Deadlined): boolean =>
  a.expires_at_ms < b.expires_at_ms || (a.expires_at_ms === b.expires_at_ms && a.reservation_id < b.reservation_id)

export class ExpiryIndex<H extends Deadlined> {
  private readonly chunks: Array<Array<H>> = []
  private count = 0

  get size(): number {
    return this.count
  }

  first(): H | undefined {
    return this.chunks.length === 0 ? undefined : this.chunks[0]![0]
  }

  insert(hold: H): void {
    const chunks = this.chunks
    this.count++
    const lastChunk = chunks[chunks.length - 1]
    if (lastChunk === undefined) {
      chunks.push([hold])
      return
    }
    if (before(lastChunk[lastChunk.length - 1]!, hold)) {
      if (lastChunk.length >= CHUNK) chunks.push([hold])
      else lastChunk.push(hold)
      return
    }
    const c = this.chunkOf(hold)
    const chunk = chunks[c]!
    chunk.splice(lowerBound(chunk, hold), 0, hold)
    if (chunk.length > 2 * CHUNK) chunks.splice(c + 1, 0, chunk.splice(CHUNK))
  }

  /** Remove the entry with `hold`'s deadline and id; false when there is none. */
  remove(hold: Deadlined): boolean {
    if (this.chunks.length === 0) return false
    const c = this.chunkOf(hold)
    const chunk = this.chunks[c]!
    const at = lowerBound(chunk, hold)
    const found = chunk[at]
    if (found === undefined || found.reservation_id !== hold.reservation_id || found.expires_at_ms !== hold.expires_at_ms) return false
    if (at === 0) chunk.shift()
    else chunk.splice(at, 1)
    if (chunk.length === 0) this.chunks.splice(c, 1)
    this.count--
    return true
  }

  has(hold: Deadlined): boolean {
    if (this.chunks.length === 0) return false
    const chunk = this.chunks[this.chunkOf(hold)]!
    const found = chunk[lowerBound(chunk, hold)]
    return found !== undefined && found.reservation_id === hold.reservation_id && found.expires_at_ms === hold.expires_at_ms
  }

  /** Call `f` on entries in order until it returns false. */
  forEachInOrder(f: (hold: H) => boolean): void {
    for (const chunk of this.chunks) for (const hold of chunk) if (!f(hold)) return
  }

  /** Every entry in order, as a new array. */
  toArray(): Array<H> {
    const out = new Array<H>(this.count)
    let i = 0
    for (const chunk of this.chunks) for (const hold of chunk) out[i++] = hold
    return out
  }

  /** The first chunk whose last entry is not before `hold` (the last chunk when every one is). */
  private chunkOf(hold: Deadlined): number {
    const chunks = this.chunks
    let lo = 0
    let hi = chunks.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const chunk = chunks[mid]!
      if (before(chunk[chunk.length - 1]!, hold)) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** The first position in `chunk` whose entry is not before `hold`. */
const lowerBound = <H extends Deadlined>(chunk: ReadonlyArray<H>, hold: Deadlined): number => {
  let lo = 0
  let hi = chunk.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (before(chunk[mid]!, hold)) lo = mid + 1
    else hi = mid
  }
  return lo
}
