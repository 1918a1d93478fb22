import { randomUUID } from "node:crypto"
import net from "node:net"
import { Cause, Effect, Either, Exit, Layer, ManagedRuntime } from "effect"
import { Redis } from "ioredis"
import { pack, unpack } from "msgpackr"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { JournalError } from "../../runtime/errors.ts"
import { Journal, PositionStore, SnapshotStore } from "../../runtime/ports.ts"
import { storageContract } from "../contract.ts"
import { makeMemoryPositionStore, makeMemorySnapshotStore } from "../memory.ts"
import { journalStreamKey, RedisJournalLive, type RedisJournalLiveOptions, shardMetaKey } from "./journal.ts"

const url = process.env.REDIS_URL_TEST ?? "redis://127.0.0.1:6379"
const redisAddress = new URL(url)

const prefixes: Array<string> = []
const freshPrefix = () => {
  const prefix = `test:${randomUUID()}`
  prefixes.push(prefix)
  return prefix
}

let admin: Redis
beforeAll(() => {
  admin = new Redis(url)
})
afterAll(async () => {
  for (const prefix of prefixes) {
    let cursor = "0"
    do {
      const [next, keys] = await admin.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000)
      if (keys.length > 0) await admin.del(...keys)
      cursor = next
    } while (cursor !== "0")
  }
  await admin.quit()
})

/** Next position, written behind the adapter's back, like a broken writer would. */
const writeRawEntry = async (prefix: string, shard: number, fields: Array<string | Buffer>) => {
  const position = await admin.hincrby(shardMetaKey(prefix, shard), "head", 1)
  await admin.xadd(journalStreamKey(prefix, shard), `${position}-0`, ...fields)
  return position
}

storageContract("redis journal", () => {
  const prefix = freshPrefix()
  return {
    layer: Layer.mergeAll(
      RedisJournalLive({ url, prefix }),
      Layer.succeed(SnapshotStore, makeMemorySnapshotStore()),
      Layer.succeed(PositionStore, makeMemoryPositionStore())
    ),
    corruptNextBatch: async (shard) => {
      // 0xc1 is the one byte msgpack never uses.
      await writeRawEntry(prefix, shard, ["b", Buffer.from([0xc1, 0x00, 0xff])])
    }
  }
})

type Run = <B, E>(eff: Effect.Effect<B, E, Journal>) => Promise<B>
type RunExit = <B, E>(eff: Effect.Effect<B, E, Journal>) => Promise<Exit.Exit<B, E>>

const withJournal = async <A>(options: RedisJournalLiveOptions, body: (run: Run, exit: RunExit) => Promise<A>) => {
  const rt = ManagedRuntime.make(RedisJournalLive(options))
  try {
    return await body((eff) => rt.runPromise(eff), (eff) => rt.runPromiseExit(eff))
  } finally {
    await rt.dispose()
  }
}

const ev = (actor: string, seq: number, event: unknown) => ({ actor, seq, event })

/** The typed failure of an effect, or a test failure if it succeeded or died. */
const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

/** A TCP proxy to the real Redis that can drop every connection, refuse new ones, or swallow requests. */
const makeProxy = async () => {
  const sockets = new Set<net.Socket>()
  let swallow = false
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(redisAddress.port || 6379), redisAddress.hostname)
    sockets.add(client).add(upstream)
    client.on("data", (chunk) => {
      if (!swallow) upstream.write(chunk)
    })
    upstream.pipe(client)
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on("error", end).on("close", end)
    upstream.on("error", end).on("close", end)
  })
  const listen = (port: number) => new Promise<number>((resolve) => server.listen(port, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)))
  const port = await listen(0)
  return {
    url: `redis://127.0.0.1:${port}`,
    setSwallow: (on: boolean) => {
      swallow = on
    },
    /** Cut every open connection but keep accepting new ones. */
    dropConnections: () => {
      for (const s of sockets) s.destroy()
      sockets.clear()
    },
    down: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
        sockets.clear()
      }),
    up: () => listen(port).then(() => undefined),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        if (server.listening) server.close(() => resolve())
        else resolve()
      })
  }
}

/**
 * Speaks just enough RESP to get an ioredis client to "ready" (INFO, CLIENT), then never
 * answers anything else: a Redis that hangs.
 */
const makeSilentRedis = async () => {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => socket.destroy())
    let pending = Buffer.alloc(0)
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk])
      for (;;) {
        const parsed = parseCommand(pending)
        if (parsed === undefined) return
        pending = pending.subarray(parsed.length)
        const name = parsed.args[0]?.toUpperCase()
        if (name === "INFO") {
          const body = "# Server\r\nredis_version:7.0.0\r\nloading:0\r\n"
          socket.write(`$${Buffer.byteLength(body)}\r\n${body}\r\n`)
        } else if (name === "CLIENT") {
          socket.write("+OK\r\n")
        }
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  return {
    url: `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}

/** One RESP array of bulk strings from the front of `buf`, or undefined if incomplete. */
const parseCommand = (buf: Buffer): { args: Array<string>; length: number } | undefined => {
  const line = (from: number) => {
    const end = buf.indexOf("\r\n", from)
    return end < 0 ? undefined : { text: buf.toString("latin1", from, end), next: end + 2 }
  }
  const header = line(0)
  if (header === undefined) return undefined
  const count = Number(header.text.slice(1))
  const args: Array<string> = []
  let at = header.next
  for (let i = 0; i < count; i++) {
    const size = line(at)
    if (size === undefined) return undefined
    const len = Number(size.text.slice(1))
    if (buf.length < size.next + len + 2) return undefined
    args.push(buf.toString("latin1", size.next, size.next + len))
    at = size.next + len + 2
  }
  return { args, length: at }
}

describe("redis journal adapter", () => {
  it("keeps the documented layout: stream entry `${position}-0` with msgpack [atMs, [[actor, seq, event]]], meta hash with epoch and head", async () => {
    const prefix = freshPrefix()
    await withJournal({ url, prefix }, async (run) => {
      const position = await run(
        Effect.gen(function* () {
          const j = yield* Journal
          const epoch = yield* j.acquire(5)
          return yield* j.append(5, epoch, 1_700_000_000_123, [ev("sku/1", 1, { _tag: "Reserved", qty: 2 })])
        })
      )
      expect(position).toBe(1)
    })
    expect(await admin.hgetall(`${prefix}:shard:{5}`)).toEqual({ epoch: "1", head: "1" })
    const entries = await admin.xrangeBuffer(`${prefix}:journal:{5}`, "-", "+")
    expect(entries).toHaveLength(1)
    const [id, fields] = entries[0]!
    expect(id.toString()).toBe("1-0")
    expect(fields[0]!.toString()).toBe("b")
    expect(unpack(fields[1]!)).toEqual([1_700_000_000_123, [["sku/1", 1, { _tag: "Reserved", qty: 2 }]]])
  })

  it("a Redis with nothing listening: every call fails with StorageUnavailable within 2 s, no hang, no defect", async () => {
    const started = Date.now()
    const rt = ManagedRuntime.make(RedisJournalLive({ url: "redis://127.0.0.1:1", prefix: freshPrefix() }))
    try {
      const exits: Array<Exit.Exit<unknown, JournalError>> = await Promise.all([
        rt.runPromiseExit(Effect.flatMap(Journal, (j) => j.append(1, 1, 1, [ev("counter/a", 1, 1)]))),
        rt.runPromiseExit(Effect.flatMap(Journal, (j) => j.read(1, 0, 10))),
        rt.runPromiseExit(Effect.flatMap(Journal, (j) => j.acquire(1))),
        rt.runPromiseExit(Effect.flatMap(Journal, (j) => j.head(1))),
        rt.runPromiseExit(Effect.flatMap(Journal, (j) => j.trim(1, 5)))
      ])
      for (const exit of exits) {
        const error = failureOf(exit)
        expect(error).toMatchObject({ _tag: "StorageUnavailable", store: "redis-journal" })
      }
      expect(failureOf(exits[0]!).message).toMatch(/append on shard 1 failed/)
      expect(Date.now() - started).toBeLessThan(2_000)
    } finally {
      await rt.dispose()
    }
  })

  it("a Redis that stops answering: append and read fail with StorageUnavailable after commandTimeoutMs", async () => {
    const silent = await makeSilentRedis()
    try {
      await withJournal({ url: silent.url, prefix: freshPrefix(), commandTimeoutMs: 300 }, async (run) => {
        const started = Date.now()
        const [append, read] = await Promise.all([
          run(Effect.either(Effect.flatMap(Journal, (j) => j.append(1, 1, 1, [ev("counter/a", 1, 1)])))),
          run(Effect.either(Effect.flatMap(Journal, (j) => j.read(1, 0, 10))))
        ])
        const elapsed = Date.now() - started
        expect(Either.getLeft(append).pipe((l) => l._tag === "Some" && l.value._tag)).toBe("StorageUnavailable")
        expect(Either.getLeft(read).pipe((l) => l._tag === "Some" && l.value._tag)).toBe("StorageUnavailable")
        expect(JSON.stringify(append)).toMatch(/timed out/)
        expect(elapsed).toBeGreaterThanOrEqual(250)
        expect(elapsed).toBeLessThan(2_000)
      })
    } finally {
      await silent.close()
    }
  })

  it("an append on the wire when the connection drops fails, and is not re-sent to land behind the caller's back", async () => {
    const proxy = await makeProxy()
    const prefix = freshPrefix()
    try {
      await withJournal({ url: proxy.url, prefix, commandTimeoutMs: 500, reconnectMaxDelayMs: 100 }, async (run) => {
        const epoch = await run(Effect.flatMap(Journal, (j) => j.acquire(3)))
        expect(await run(Effect.flatMap(Journal, (j) => j.append(3, epoch, 1, [ev("counter/a", 1, "kept")])))).toBe(1)

        // Reaches the client's socket but never Redis; then the connection drops and the client reconnects at once.
        proxy.setSwallow(true)
        const lost = run(Effect.either(Effect.flatMap(Journal, (j) => j.append(3, epoch, 2, [ev("counter/a", 2, "lost")]))))
        await new Promise((r) => setTimeout(r, 50))
        proxy.setSwallow(false)
        proxy.dropConnections()
        expect(JSON.stringify(await lost)).toContain("StorageUnavailable")

        // Reconnected, and long past the point where a re-sent command would have landed.
        await new Promise((r) => setTimeout(r, 200))
        expect(await run(Effect.flatMap(Journal, (j) => j.append(3, epoch, 3, [ev("counter/a", 2, "after")])))).toBe(2)
        const batches = await run(Effect.flatMap(Journal, (j) => j.read(3, 0, 10)))
        expect(batches.map((b) => b.events[0]!.event)).toEqual(["kept", "after"])
      })
    } finally {
      await proxy.close()
    }
  })

  it("Redis goes away: calls fail fast while it is down and work again once it is back", async () => {
    const proxy = await makeProxy()
    const prefix = freshPrefix()
    try {
      await withJournal({ url: proxy.url, prefix, reconnectMaxDelayMs: 100 }, async (run) => {
        const epoch = await run(Effect.flatMap(Journal, (j) => j.acquire(3)))
        expect(await run(Effect.flatMap(Journal, (j) => j.append(3, epoch, 1, [ev("counter/a", 1, 1)])))).toBe(1)
        await proxy.down()
        await new Promise((r) => setTimeout(r, 20))

        const started = Date.now()
        const whileDown: Array<Either.Either<unknown, JournalError>> = await Promise.all([
          run(Effect.either(Effect.flatMap(Journal, (j) => j.append(3, epoch, 2, [ev("counter/a", 2, 2)])))),
          run(Effect.either(Effect.flatMap(Journal, (j) => j.read(3, 0, 10)))),
          run(Effect.either(Effect.flatMap(Journal, (j) => j.head(3))))
        ])
        expect(Date.now() - started).toBeLessThan(100)
        for (const result of whileDown) {
          expect(Either.isLeft(result) && result.left._tag).toBe("StorageUnavailable")
        }
        expect(JSON.stringify(whileDown[0])).toMatch(/append on shard 3 failed: .*\(connection (reconnecting|connecting|close)/)

        await proxy.up()
        let position: number | undefined
        for (let i = 0; i < 100 && position === undefined; i++) {
          await new Promise((r) => setTimeout(r, 50))
          const attempt = await run(Effect.either(Effect.flatMap(Journal, (j) => j.append(3, epoch, 3, [ev("counter/a", 2, 3)]))))
          if (Either.isRight(attempt)) position = attempt.right
        }
        expect(position).toBe(2)
      })
    } finally {
      await proxy.close()
    }
  })

  it("fencing is atomic across connections: after a newer owner acquired, no older-epoch batch lands, and a refused append writes nothing", async () => {
    const prefix = freshPrefix()
    const shard = 11
    await withJournal({ url, prefix }, (runA) =>
      withJournal({ url, prefix }, async (runB) => {
        const old = await runA(Effect.flatMap(Journal, (j) => j.acquire(shard)))
        const appendsA = runA(
          Effect.flatMap(Journal, (j) =>
            Effect.forEach(
              Array.from({ length: 2_000 }, (_, i) => i),
              (i) => Effect.either(j.append(shard, old, i, [ev("counter/a", i, `A${i}`)])),
              { concurrency: 8 }
            )
          )
        )
        // Let the old owner get going, then take the shard over from another connection mid-stream.
        while (Number(await admin.hget(shardMetaKey(prefix, shard), "head")) < 50) await new Promise((r) => setTimeout(r, 1))
        const { newer, headAtAcquire } = await runB(
          Effect.gen(function* () {
            const j = yield* Journal
            const newer = yield* j.acquire(shard)
            return { newer, headAtAcquire: yield* j.head(shard) }
          })
        )
        const outcomes = await appendsA
        const landed = outcomes.flatMap((o) => (Either.isRight(o) ? [o.right] : []))
        const refused = outcomes.filter(Either.isLeft)
        expect(refused.length).toBeGreaterThan(0)
        expect(refused.every((o) => o.left._tag === "StaleEpoch")).toBe(true)
        expect(Math.max(0, ...landed)).toBeLessThanOrEqual(headAtAcquire)
        expect(landed).toHaveLength(headAtAcquire)

        const streamLength = await admin.xlen(journalStreamKey(prefix, shard))
        const refusedLate = await runA(Effect.either(Effect.flatMap(Journal, (j) => j.append(shard, old, 999, [ev("counter/a", 999, "late")]))))
        expect(Either.isLeft(refusedLate) && refusedLate.left._tag).toBe("StaleEpoch")
        expect(await admin.xlen(journalStreamKey(prefix, shard))).toBe(streamLength)
        expect(await runB(Effect.flatMap(Journal, (j) => j.head(shard)))).toBe(headAtAcquire)

        const p = await runB(Effect.flatMap(Journal, (j) => j.append(shard, newer, 1000, [ev("counter/a", 1000, "B")])))
        expect(p).toBe(headAtAcquire + 1)
        const batches = await runA(Effect.flatMap(Journal, (j) => j.read(shard, 0, 5_000)))
        expect(batches.map((b) => b.position)).toEqual(batches.map((_, i) => i + 1))
        // Each returned position holds exactly the batch that was told it landed there.
        outcomes.forEach((o, i) => {
          if (Either.isRight(o)) expect(batches[o.right - 1]!.events[0]!.event).toBe(`A${i}`)
        })
        expect(batches.at(-1)!.events[0]!.event).toBe("B")
      })
    )
  })

  it("valid msgpack of the wrong shape, or an entry without field b, is CorruptData naming shard and position", async () => {
    const prefix = freshPrefix()
    await withJournal({ url, prefix }, async (run, exit) => {
      const epoch = await run(Effect.flatMap(Journal, (j) => j.acquire(4)))
      await run(Effect.flatMap(Journal, (j) => j.append(4, epoch, 1, [ev("counter/a", 1, 1)])))
      const wrongShape = await writeRawEntry(prefix, 4, ["b", pack([1, [["counter/a", "not a seq", 1]]])])
      const noField = await writeRawEntry(prefix, 4, ["x", "y"])
      const notArray = await writeRawEntry(prefix, 4, ["b", pack({ atMs: 1 })])

      const errorAt = async (after: number) => failureOf(await exit(Effect.flatMap(Journal, (j) => j.read(4, after, 1))))
      for (const [position, why] of [[wrongShape, /event 0/], [noField, /no field b/], [notArray, /\[atMs, events\]/]] as const) {
        const error = await errorAt(position - 1)
        expect(error).toMatchObject({ _tag: "CorruptData", store: "redis-journal", shard: 4, position })
        expect(error.message).toMatch(new RegExp(`shard 4 position ${position}\\b`))
        expect(error.message).toMatch(why)
      }
      // The batch before the damage still reads.
      expect((await run(Effect.flatMap(Journal, (j) => j.read(4, 0, 1)))).map((b) => b.position)).toEqual([1])
    })
  })

  it("append is one EVALSHA per batch (after the script's first EVAL on a connection), with no per-event commands", async () => {
    const prefix = freshPrefix()
    const monitor = await admin.duplicate().monitor()
    const seen: Array<string> = []
    monitor.on("monitor", (_time: string, args: Array<string>) => {
      if (args.some((a) => typeof a === "string" && a.includes(prefix))) seen.push(String(args[0]).toLowerCase())
    })
    try {
      await withJournal({ url, prefix }, (run) =>
        run(
          Effect.gen(function* () {
            const j = yield* Journal
            const epoch = yield* j.acquire(6)
            const events = Array.from({ length: 50 }, (_, i) => ev(`counter/${i}`, 1, i))
            for (let i = 0; i < 3; i++) yield* j.append(6, epoch, i, events)
          })
        )
      )
      await new Promise((r) => setTimeout(r, 100))
    } finally {
      monitor.disconnect()
    }
    const clientCommands = seen.filter((c) => ["hincrby", "eval", "evalsha"].includes(c))
    expect(clientCommands).toEqual(["hincrby", "eval", "evalsha", "evalsha"])
    expect(seen.filter((c) => c === "xadd")).toHaveLength(3)
  })

  it(`takes 200,000 events through one shard in big concurrent batches and reads every one back in order`, async () => {
    const prefix = freshPrefix()
    const batchSize = 2_000
    const batches = 100
    const batch = (b: number) =>
      Array.from({ length: batchSize }, (_, i) =>
        ev(`sku/${(b * batchSize + i) % 5_000}`, b + 1, { _tag: "Reserved", cart: `cart/${i}`, qty: 1 + (i % 3), atMs: 1_700_000_000_000 + i })
      )
    const inputs = Array.from({ length: batches }, (_, b) => batch(b))
    await withJournal({ url, prefix }, async (run) => {
      const epoch = await run(Effect.flatMap(Journal, (j) => j.acquire(0)))
      const started = performance.now()
      await run(
        Effect.flatMap(Journal, (j) =>
          Effect.forEach(inputs, (events, b) => j.append(0, epoch, b, events), { concurrency: 4, discard: true })
        )
      )
      const wrote = performance.now()
      const readBack = await run(Effect.flatMap(Journal, (j) => j.read(0, 0, batches)))
      const read = performance.now()
      const total = batchSize * batches
      const writeRate = total / ((wrote - started) / 1000)
      const readRate = total / ((read - wrote) / 1000)
      console.log(`redis journal: append ${Math.round(writeRate)} events/s, read ${Math.round(readRate)} events/s (${batches} batches of ${batchSize})`)
      expect(readBack).toHaveLength(batches)
      expect(readBack.reduce((n, b) => n + b.events.length, 0)).toBe(total)
      // Throughput is printed, not asserted: performance goals live in loadtest/ (npm run bench:runtime).
      expect(readBack.map((b) => b.events[0]!.seq)).toEqual(inputs.map((events) => events[0]!.seq))
    })
  })
})
