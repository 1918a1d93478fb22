/**
 * Baseline for `gateway-bench.ts`: a `node:http` hello-world answering every request with the
 * same JSON body and content type as the gateway's `/healthz`. Own process, loopback only.
 *
 *   PORT=0 node --import tsx loadtest/baselines/bare-node-http.ts     prints "listening <port>"
 */
import http from "node:http"
import type { AddressInfo } from "node:net"

const body = Buffer.from(JSON.stringify({ status: "ok" }))
const headers = { "content-type": "application/json; charset=utf-8", "content-length": String(body.length) }
const port = Number(process.env["PORT"] ?? 0)

const server = http.createServer((_req, res) => {
  res.writeHead(200, headers)
  res.end(body)
})
// Load generators keep connections open for the whole run; do not let idle timeouts cut them mid-warm-up.
server.keepAliveTimeout = 60_000

server.on("error", (error) => {
  console.error(`bare node:http: ${error.message}`)
  process.exit(1)
})
server.listen(port, "127.0.0.1", () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`)
})
const stop = () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
}
process.once("SIGTERM", stop)
process.once("SIGINT", stop)
