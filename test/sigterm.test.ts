/**
 * SIGTERM on the real server process (`node --import tsx gateway/main.ts`, embedded storage in a
 * temporary DATA_DIR): requests in flight when the signal arrives complete with 2xx (signups
 * queued on a deliberately slow password hasher, address POSTs whose bodies are still arriving),
 * new connections are no longer served, the process exits with code 0 within a bounded time, and
 * a restart on the same DATA_DIR has the account, its addresses (those acknowledged during the
 * shutdown included) and its sessions.
 */
import net from "node:net"
import { afterAll, describe, expect, it } from "vitest"
import { call, embeddedStorage, sampleAddress, signUp, spawnStore, type StoreProcess, uniqueEmail } from "./support/store.ts"

const storage = embeddedStorage()
const children: Array<StoreProcess> = []

afterAll(async () => {
  for (const child of children) await child.kill()
  await storage.cleanup()
})

interface RawAnswer {
  readonly status: number
  readonly json: unknown
}

/**
 * One kept-alive connection, one request at a time, over node:net. `open` answers once a first
 * request on it has been answered: the server has accepted the connection, so what is sent next
 * on it is in flight whatever happens to the listening socket.
 */
const openConnection = async (port: number) => {
  const socket = net.connect(port, "127.0.0.1")
  socket.on("error", () => {})
  let buffered = Buffer.alloc(0)
  let waiter: (() => void) | undefined
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk])
    waiter?.()
  })
  socket.on("close", () => waiter?.())
  const nextAnswer = async (): Promise<RawAnswer> => {
    const deadline = Date.now() + 20_000
    for (;;) {
      const end = buffered.indexOf("\r\n\r\n")
      if (end >= 0) {
        const head = buffered.subarray(0, end).toString("latin1")
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
        if (buffered.length >= end + 4 + length) {
          const body = buffered.subarray(end + 4, end + 4 + length).toString("utf8")
          buffered = buffered.subarray(end + 4 + length)
          let json: unknown = body
          try {
            json = body === "" ? undefined : JSON.parse(body)
          } catch {
            // not JSON: keep the text
          }
          return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), json }
        }
      }
      if (socket.destroyed || Date.now() > deadline) return { status: 0, json: `no answer: ${buffered.toString("latin1").slice(0, 200)}` }
      await new Promise<void>((resolve) => {
        waiter = resolve
        setTimeout(resolve, 100)
      })
    }
  }
  const send = (bytes: Buffer) => new Promise<void>((resolve) => socket.write(bytes, () => resolve()))
  const request = (method: string, path: string, headers: Record<string, string>, body?: Buffer) =>
    Buffer.from(
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join("")}${body === undefined ? "" : `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`}\r\n`
    )
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()))
  await send(request("GET", "/healthz", {}))
  const primed = await nextAnswer()
  if (primed.status !== 200) throw new Error(`priming the connection failed: ${JSON.stringify(primed)}`)
  return {
    /** Send the head and the first `sendFirst` bytes of the body now; the rest when `finish` is called. */
    post: async (path: string, token: string | undefined, body: unknown, sendFirst = Number.POSITIVE_INFINITY) => {
      const bytes = Buffer.from(JSON.stringify(body))
      const head = request("POST", path, token === undefined ? {} : { Authorization: `Bearer ${token}` }, bytes)
      await send(Buffer.concat([head, bytes.subarray(0, sendFirst)]))
      return {
        finish: async (): Promise<RawAnswer> => {
          if (sendFirst < bytes.length) await send(bytes.subarray(sendFirst))
          return nextAnswer()
        }
      }
    },
    get: async (path: string, token: string) => {
      await send(request("GET", path, { Authorization: `Bearer ${token}` }))
      return { finish: nextAnswer }
    },
    close: () => socket.destroy()
  }
}

describe("SIGTERM", () => {
  it("lets in-flight requests finish, exits 0, and everything acknowledged is there after a restart", { timeout: 240_000 }, async () => {
    const env = {
      ...storage.env,
      // One slow hash at a time: signups sent together are still queued when the signal arrives.
      PASSWORD_HASH_LOG_N: "15",
      PASSWORD_HASH_MAX_CONCURRENT: "1",
      SHUTDOWN_GRACE_MS: "10000"
    }
    const first = await spawnStore(env)
    children.push(first)
    const account = await signUp(first.base, "sigterm")
    const address = await call(first.base, "POST", "/v1/me/addresses", { token: account.token, body: sampleAddress({ line1: "1 Before Signal Street" }) })
    expect(address.status, address.text).toBe(201)
    const second = await call(first.base, "POST", "/v1/auth/login", { body: { email: account.email, password: account.password } })
    expect(second.status).toBe(200)
    const secondToken = (second.json as { token: string }).token

    // In flight: address POSTs with half a body, signups waiting for the hasher, a read. Each on a
    // connection the server has already accepted.
    const connections = await Promise.all(Array.from({ length: 7 }, () => openConnection(first.port)))
    const slow = await Promise.all(
      [1, 2].map((i) => connections[i - 1]!.post("/v1/me/addresses", account.token, sampleAddress({ line1: `${i} During Shutdown Road` }), 40))
    )
    const signupBodies = [1, 2, 3, 4].map((i) => ({ email: uniqueEmail(`inflight${i}`), password: `password-${i}-inflight`, name: `In Flight ${i}` }))
    const answeredAt: Array<number> = []
    const signups = signupBodies.map(async (body, i) => {
      const sent = await connections[2 + i]!.post("/v1/auth/signup", undefined, body)
      const answer = await sent.finish()
      answeredAt.push(Date.now())
      return answer
    })
    const read = connections[6]!.get("/v1/me/addresses", account.token).then((sent) => sent.finish())
    // Let every request be read by the server (loopback, accepted connections: well under this).
    await new Promise((resolve) => setTimeout(resolve, 200))

    const signalledAt = Date.now()
    first.signal("SIGTERM")
    // It stops taking new work while the requests above are still in flight: new connections are
    // refused (or, if one slipped in, told to retry). Polled: a loaded machine may take a while to act on the signal.
    let late: number | "refused" = 200
    for (const deadline = Date.now() + 10_000; late === 200 && Date.now() < deadline; ) {
      late = await call(first.base, "GET", "/healthz").then(
        (res) => res.status,
        () => "refused" as const
      )
      if (late === 200) await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect([503, "refused"]).toContain(late)
    // The bodies still arriving complete their requests.
    const slowAnswers = await Promise.all(slow.map((s) => s.finish()))
    const signupAnswers = await Promise.all(signups)
    const readAnswer = await read

    for (const answer of slowAnswers) expect(answer.status, JSON.stringify(answer.json)).toBe(201)
    for (const answer of signupAnswers) expect(answer.status, JSON.stringify(answer.json)).toBe(201)
    // The test did what it says: signups were still waiting for the hasher when the signal came (≈170 ms per hash).
    expect(answeredAt.filter((t) => t > signalledAt).length).toBeGreaterThanOrEqual(2)
    expect(readAnswer.status).toBe(200)
    for (const c of connections) c.close()

    const exit = await Promise.race([first.exited, new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 20_000))])
    expect(exit, first.output()).toEqual({ code: 0, signal: null })
    const shutdownMs = Date.now() - signalledAt
    console.log(`SIGTERM → exit 0 in ${shutdownMs} ms`)
    expect(shutdownMs).toBeLessThan(20_000)

    // The same DATA_DIR after a restart: account, addresses (also those acknowledged while stopping), sessions.
    const restarted = await spawnStore(env)
    children.push(restarted)
    const me = await call(restarted.base, "GET", "/v1/me", { token: account.token })
    expect(me.status, me.text).toBe(200)
    expect(me.json).toMatchObject({ user_id: account.userId, email: account.email })
    expect((await call(restarted.base, "GET", "/v1/me", { token: secondToken })).status).toBe(200)
    const addresses = (await call(restarted.base, "GET", "/v1/me/addresses", { token: account.token })).json as { addresses: Array<{ address_id: string; line1: string }> }
    const expectedIds = [(address.json as { address_id: string }).address_id, ...slowAnswers.map((a) => (a.json as { address_id: string }).address_id)]
    expect(addresses.addresses.map((a) => a.address_id).sort()).toEqual(expectedIds.sort())
    for (const [i, body] of signupBodies.entries()) {
      const signedUp = signupAnswers[i]!.json as { user_id: string; token: string }
      const meAgain = await call(restarted.base, "GET", "/v1/me", { token: signedUp.token })
      expect(meAgain.status, meAgain.text).toBe(200)
      expect((meAgain.json as { user_id: string }).user_id).toBe(signedUp.user_id)
      const login = await call(restarted.base, "POST", "/v1/auth/login", { body: { email: body.email, password: body.password } })
      expect(login.status, login.text).toBe(200)
    }

    restarted.signal("SIGTERM")
    expect(await restarted.exited).toEqual({ code: 0, signal: null })
  })
})
