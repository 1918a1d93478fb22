import { mkdir, open, readFile, rename, type FileHandle } from "node:fs/promises"
import { join } from "node:path"

/**
 * An append-only file of JSON lines, group-committed: the lines appended during one turn of
 * the event loop (and while the previous write is in flight) go out as one write followed by
 * one fdatasync, and each `append` resolves only then. A `kill -9` can leave at most one torn
 * last line, which was never acknowledged and is cut off when the file is opened. When the file
 * grows past the threshold it is replaced (write, fsync, rename, fsync of the folder) by a
 * snapshot of the state, between two batches.
 */
export interface DurableLogOptions<R> {
  readonly dir: string
  readonly fileName: string
  /** Called for every record found when the file is opened, in order. */
  readonly replay: (record: R) => void
  /** The records that rebuild the current state, for compaction. */
  readonly snapshot: () => Iterable<R>
  readonly compactAtBytes: number
  /**
   * fdatasync before acknowledging (default). Without it an acknowledged record survives a crash
   * of the process (it is in the kernel's page cache) but not of the machine.
   */
  readonly sync: boolean
}

interface Waiter {
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

export class CorruptLog extends Error {}

export class DurableLog<R> {
  private pending: Array<string> = []
  private waiters: Array<Waiter> = []
  private flushing = false
  private failure: unknown = null
  private compactions = 0

  private constructor(
    private readonly options: DurableLogOptions<R>,
    private handle: FileHandle,
    private sizeBytes: number,
    private compactAtBytes: number
  ) {}

  static async open<R>(options: DurableLogOptions<R>): Promise<DurableLog<R>> {
    await mkdir(options.dir, { recursive: true })
    const path = join(options.dir, options.fileName)
    const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return ""
      throw error
    })
    const lastNewline = text.lastIndexOf("\n")
    const complete = text.slice(0, lastNewline + 1)
    let lineNumber = 0
    for (const line of complete.split("\n")) {
      lineNumber++
      if (line === "") continue
      let record: R
      try {
        record = JSON.parse(line) as R
      } catch {
        throw new CorruptLog(`${path}: line ${lineNumber} is not JSON; the data file is damaged`)
      }
      options.replay(record)
    }
    const handle = await open(path, "a")
    const completeBytes = Buffer.byteLength(complete)
    // A torn last line (a write cut short by a crash) was never acknowledged: drop it.
    if (completeBytes < Buffer.byteLength(text)) {
      await handle.truncate(completeBytes)
      await handle.sync()
    }
    return new DurableLog(options, handle, completeBytes, options.compactAtBytes)
  }

  /** Resolves once the record is durable; rejects if the file cannot be written. */
  append(record: R): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => {
      this.pending.push(`${JSON.stringify(record)}\n`)
      this.waiters.push({ resolve, reject })
      this.schedule()
    })
  }

  /** Resolves once everything appended so far is durable. */
  whenDurable(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure)
    if (!this.flushing && this.waiters.length === 0) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject })
      this.schedule()
    })
  }

  get failed(): boolean {
    return this.failure !== null
  }

  get stats() {
    return { size_bytes: this.sizeBytes, compactions: this.compactions }
  }

  async close(): Promise<void> {
    await this.whenDurable().catch(() => undefined)
    await this.handle.close()
  }

  private schedule() {
    if (this.flushing) return
    this.flushing = true
    setImmediate(() => void this.flush())
  }

  private async flush() {
    try {
      while (this.waiters.length > 0) {
        if (this.sizeBytes >= this.compactAtBytes) await this.compact()
        const lines = this.pending
        const waiters = this.waiters
        this.pending = []
        this.waiters = []
        if (lines.length > 0) {
          const data = Buffer.from(lines.join(""), "utf8")
          let written = 0
          while (written < data.length) written += (await this.handle.write(data, written)).bytesWritten
          if (this.options.sync) await this.handle.datasync()
          this.sizeBytes += data.length
        }
        for (const waiter of waiters) waiter.resolve()
      }
    } catch (error) {
      this.failure = error
      const waiters = this.waiters
      this.waiters = []
      this.pending = []
      for (const waiter of waiters) waiter.reject(error)
    } finally {
      this.flushing = false
    }
  }

  private async compact() {
    const path = join(this.options.dir, this.options.fileName)
    const temporary = `${path}.compacting`
    const out = await open(temporary, "w")
    let size = 0
    try {
      let chunk: Array<string> = []
      const writeChunk = async () => {
        const data = Buffer.from(chunk.join(""), "utf8")
        chunk = []
        let written = 0
        while (written < data.length) written += (await out.write(data, written)).bytesWritten
        size += data.length
      }
      for (const record of this.options.snapshot()) {
        chunk.push(`${JSON.stringify(record)}\n`)
        if (chunk.length >= 1000) await writeChunk()
      }
      await writeChunk()
      await out.sync()
    } finally {
      await out.close()
    }
    await rename(temporary, path)
    const folder = await open(this.options.dir, "r")
    await folder.sync().finally(() => folder.close())
    await this.handle.close()
    this.handle = await open(path, "a")
    this.sizeBytes = size
    // Never compact again before the file has grown well past the snapshot.
    this.compactAtBytes = Math.max(this.options.compactAtBytes, size * 2)
    this.compactions++
  }
}
