/**
 * Baseline for `gateway-bench.ts`: the least a uWebSockets.js server can do for one request —
 * the same JSON body and content type as the gateway's `/healthz`, nothing else (no routing,
 * no limits, no metrics, no request id). Own process, loopback only.
 *
 *   PORT=0 node --import tsx loadtest/baselines/bare-uws.ts     prints "listening <port>"
 */
import uWS from "uWebSockets.js"

const body = JSON.stringify({ status: "ok" })
const port = Number(process.env["PORT"] ?? 0)

const app = uWS.App().any("/*", (res) => {
  res.cork(() => {
    res.writeStatus("200 OK").writeHeader("content-type", "application/json; charset=utf-8").end(body)
  })
})

app.listen("127.0.0.1", port, (token) => {
  if (!token) {
    console.error(`bare uWS: cannot listen on 127.0.0.1:${port}`)
    process.exit(1)
  }
  console.log(`listening ${uWS.us_socket_local_port(token)}`)
  const stop = () => {
    uWS.us_listen_socket_close(token)
    process.exit(0)
  }
  process.once("SIGTERM", stop)
  process.once("SIGINT", stop)
})
