/**
 * `npm run loadtest` end to end: a short run of each scenario as its own process (exactly the npm
 * script's command), asserting exit 0, the JSON and HTML reports, and an audit that passed. Most
 * scenarios share one store (embedded, demo catalog and payment simulator, started once, reached
 * with --target); hot-sku runs on a fresh Redis + Postgres store the harness starts and stops
 * itself, in the open model, with a same-run baseline. No timing assertions.
 */
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { embeddedStorage, repoRoot, spawnStore, type StoreProcess, type TestStorage } from "../../test/support/store.ts"
import { parseOptions } from "./cli.ts"
import type { HarnessReport } from "./report.ts"

const reportDir = mkdtempSync(path.join(tmpdir(), "loadtest-reports-"))
const admin = { email: "loadtest-admin@example.com", password: "loadtest-admin-password" }
let storage: TestStorage
let store: StoreProcess
let providerUrl: string | undefined

const cli = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "loadtest/harness/cli.ts", ...args, "--report-dir", reportDir, "--quiet"],
      { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, out: `${stdout}\n${stderr}` })
    )
  })

/** Run the CLI, expect PASSED and both report files; the parsed JSON report. */
const passing = async (args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<HarnessReport> => {
  const { code, out } = await cli(args, env)
  expect(code, out).toBe(0)
  const json = /report: (\S+\.json)/.exec(out)?.[1]
  const html = /^\s+(\S+\.html)$/m.exec(out)?.[1]
  expect(json, out).toBeDefined()
  expect(existsSync(json!) && existsSync(html!), out).toBe(true)
  const report = JSON.parse(readFileSync(json!, "utf8")) as HarnessReport
  expect(report.passed, out).toBe(true)
  expect(report.audit.filter((c) => !c.passed), out).toEqual([])
  const page = readFileSync(html!, "utf8")
  expect(page).toContain("<svg")
  expect(page).toContain("PASSED")
  expect(page).not.toMatch(/<script|<link/)
  expect(report.runs.length).toBeGreaterThan(0)
  for (const run of report.runs) {
    expect(run.result.all.count, run.name).toBeGreaterThan(0)
    expect(run.result.all.latency.buckets.length, run.name).toBeGreaterThan(0)
  }
  return report
}

const shared = () => ["--target", store.base, "--admin-email", admin.email, "--admin-password", admin.password, "--connections", "10"]
const sharedEnv = () => (providerUrl === undefined ? {} : { PAYMENT_PROVIDER_URL: providerUrl })

beforeAll(async () => {
  storage = embeddedStorage()
  store = await spawnStore({ ...storage.env, DEMO_CATALOG: "on", ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password, FRAUD_RULES: "off", PASSWORD_HASH_LOG_N: "10", SALE_TICK_MS: "250", PAYMENT_PROVIDER_URL: undefined })
  providerUrl = /payment provider simulator on (http:\/\/\S+)/.exec(store.output())?.[1]
}, 180_000)

afterAll(async () => {
  await store?.kill()
  await storage?.cleanup()
  rmSync(reportDir, { recursive: true, force: true })
})

describe("npm run loadtest", () => {
  it("browse: product pages, search and autocomplete", async () => {
    const report = await passing(["browse", "--duration-s", "2", ...shared()])
    expect(report.runs[0]!.result.kinds.map((k) => k.kind).sort()).toEqual(["autocomplete", "product", "search"])
  }, 160_000)

  it("cart: every acknowledged add in its cart", async () => {
    const report = await passing(["cart", "--requests", "200", ...shared()])
    expect(report.audit.map((c) => c.name)).toContain("every acknowledged cart add is in its cart")
  }, 160_000)

  it("mixed: reads and cart writes with Zipf popularity, in the open model", async () => {
    const report = await passing(["mixed", "--duration-s", "2", "--rate", "100", ...shared()])
    expect(report.runs[0]!.result.kinds.map((k) => k.kind)).toContain("cart-add")
  }, 160_000)

  it("flash-sale: waiting room and checkout, no oversell", async () => {
    const report = await passing(["flash-sale", "--requests", "20", ...shared()], sharedEnv())
    expect(report.runs[0]!.result.all.count).toBe(20)
    expect(report.audit.find((c) => c.name === "no oversell")?.detail).toMatch(/^10 orders for 10 units/)
  }, 160_000)

  it("checkout: orders, stock, holds and one charge per order (cards at the simulator)", async () => {
    const report = await passing(["checkout", "--duration-s", "2", ...shared()], sharedEnv())
    expect(report.facts["payment"]).toBe("card (simulator)")
    expect(report.audit.map((c) => c.name)).toEqual(expect.arrayContaining(["every acknowledged order is present", "reservations all confirmed or released", "one charge per order"]))
  }, 160_000)

  it("hot-sku on a fresh Redis + Postgres store, open model, with a bare uWS baseline of the same run", async () => {
    const report = await passing(["hot-sku", "--storage", "redis+pg", "--rate", "150", "--duration-s", "2", "--connections", "10", "--baseline", "uws"])
    expect(report.runs.map((r) => r.name)).toEqual(["hot-sku", "baseline:uws"])
    expect(report.ratios.map((r) => r.baseline)).toEqual(["uws"])
  }, 160_000)

  it("baselines: bare uWS, bare node:http, Postgres row lock, Redis Lua; then compare two reports", async () => {
    const a = await passing(["baselines", "--requests", "300", "--connections", "10"])
    expect(a.runs.map((r) => r.name)).toEqual(["baseline:uws", "baseline:node-http", "baseline:postgres", "baseline:redis"])
    const reports = readdirSync(reportDir).filter((f) => f.startsWith("loadtest-baselines-") && f.endsWith(".json"))
    const file = path.join(reportDir, reports[0]!)
    const { code, out } = await cli(["compare", file, file])
    expect(code, out).toBe(0)
    expect(out).toMatch(/baseline:postgres all\s+ops\/s/)
  }, 160_000)
})

describe("a store that loses acknowledged writes", () => {
  it("fails the audit: FAILED, exit 1, and the reports say so", async () => {
    // Acknowledges every reservation and keeps none of them.
    let stock = 0
    const fake = createServer((req, res) => {
      let body = ""
      req.on("data", (c: Buffer) => (body += c.toString("utf8")))
      req.on("end", () => {
        const answer = (status: number, json: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json))
        const url = req.url ?? ""
        if (url === "/v1/auth/login" || url === "/v1/auth/signup") return answer(url.endsWith("login") ? 200 : 201, { token: "t", user_id: `u_${Math.random()}` })
        if (url === "/v1/seller/inventory" && req.method === "POST") {
          stock = (JSON.parse(body) as { on_hand: number }).on_hand
          return answer(200, {})
        }
        if (url.startsWith("/v1/seller/inventory/")) return answer(200, { on_hand: stock, reserved: 0, available: stock, live_holds: 0 })
        if (url === "/v1/me/addresses") return answer(201, { address_id: "a" })
        if (url === "/v1/me/payment-methods") return answer(201, { payment_method_id: "pm" })
        if (url === "/v1/cart") return answer(200, { cart_id: "c", items: [] })
        if (url === "/v1/admin/skus" || url.endsWith("/reservations")) return answer(201, {})
        answer(404, { error: { code: "not_found", message: "", details: {} } })
      })
    })
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve))
    try {
      const port = (fake.address() as AddressInfo).port
      const { code, out } = await cli(["hot-sku", "--requests", "50", "--connections", "5", "--target", `http://127.0.0.1:${port}`, "--admin-email", "a@example.com", "--admin-password", "x"])
      expect(code, out).toBe(1)
      expect(out).toMatch(/FAILED every acknowledged reservation present: 50 acknowledged, 0 unanswered, 0 reserved/)
      const report = JSON.parse(readFileSync(/report: (\S+\.json)/.exec(out)![1]!, "utf8")) as HarnessReport
      expect(report.passed).toBe(false)
      expect(readFileSync(/^\s+(\S+\.html)$/m.exec(out)![1]!, "utf8")).toContain("FAILED")
    } finally {
      fake.close()
    }
  }, 60_000)
})

describe("options", () => {
  it("refuses unbounded or contradictory runs and unknown scenarios", () => {
    expect(() => parseOptions(["nope"])).toThrow(/unknown scenario/)
    expect(() => parseOptions(["browse", "--duration-s", "2", "--requests", "5"])).toThrow(/not both/)
    expect(() => parseOptions(["browse", "--rate", "0"])).toThrow(/--rate/)
    expect(() => parseOptions(["browse", "--storage", "mongo"])).toThrow(/--storage/)
    expect(parseOptions(["browse"])).toMatchObject({ durationS: 10, requests: undefined, connections: 50, rate: undefined, seed: 42 })
  })
})
