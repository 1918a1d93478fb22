import net from "node:net"
import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { BodyDeadlines } from "./body-deadlines.ts"
import { route } from "./route.ts"
import { startTestGateway } from "./testing.ts"

describe("body deadlines", () => {
  it("expires items in insertion order once their allowance has passed, and not those deleted", async () => {
    const expired: Array<string> = []
    const deadlines = new BodyDeadlines<string>(30, (item) => expired.push(item))
    deadlines.add("a")
    deadlines.add("b")
    deadlines.add("c")
    deadlines.delete("b")
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (deadlines.size === 0) {
          clearInterval(check)
          resolve()
        }
      }, 5)
    })
    expect(expired).toEqual(["a", "c"])
    // Nothing pending: the next item starts the timer again.
    deadlines.add("d")
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (deadlines.size === 0) {
          clearInterval(check)
          resolve()
        }
      }, 5)
    })
    expect(expired).toEqual(["a", "c", "d"])
  })
})

const echo = route({
  operationId: "testEcho",
  method: "post",
  path: "/v1/test/echo",
  summary: "Echo",
  tags: ["test"],
  access: "public",
  rateClass: "write",
  idempotency: "none",
  body: Schema.Struct({ name: Schema.String }),
  success: { status: 200, description: "the body" },
  errors: [],
  handler: (r) => Effect.succeed({ body: r.body })
})

describe("a client that goes away while sending its body", () => {
  it("ends the request at once (499 in the metrics), so a drain does not wait for it", async () => {
    const g = await startTestGateway([echo], { limits: { bodyTimeoutMs: 60_000 } })
    let shutdown: Promise<void> | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(g.port, "127.0.0.1", () => {
          socket.write("POST /v1/test/echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"name\":", () => {
            // Let the server see the headers and the first bytes, then hang up.
            setTimeout(() => {
              socket.destroy()
              resolve()
            }, 100)
          })
        })
        socket.on("error", reject)
      })
      const answered = () => /http_requests_total\{route="testEcho",status="499"\} 1/.test(g.registry.render())
      while (!answered()) await new Promise((r) => setTimeout(r, 10))
      // Nothing is in flight: a drain with a long grace resolves at once (the test would time out otherwise).
      shutdown = g.shutdown(60_000)
      await shutdown
    } finally {
      if (shutdown === undefined) await g.shutdown()
    }
  })
})
