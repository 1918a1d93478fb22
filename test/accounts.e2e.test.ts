/**
 * Accounts end to end: the real store (runStore, real storage: a fresh Postgres schema, or an
 * embedded data directory with STORE_TEST_STORAGE=embedded) over real HTTP with fetch. Signup,
 * login, logout, /v1/me, addresses, payment methods, idempotent replays, login rate limits, the
 * ADMIN_EMAIL bootstrap and sessions surviving a restart (API.md, "Accounts", "Idempotency").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  type Account,
  call,
  defaultStorage,
  isErrorShape,
  type RunningStore,
  sampleAddress,
  signUp,
  startStore,
  type TestStorage,
  uniqueEmail
} from "./support/store.ts"

const expectError = (res: { status: number; json: unknown; text: string }, status: number, code: string) => {
  expect(res.status, res.text).toBe(status)
  expect(isErrorShape(res.json), res.text).toBe(true)
  expect((res.json as { error: { code: string } }).error.code).toBe(code)
}

const issuePaths = (json: unknown): Array<string> =>
  ((json as { error: { details: { issues?: Array<{ path: string }> } } }).error.details.issues ?? []).map((i) => i.path)

describe("accounts over HTTP", () => {
  let storage: TestStorage
  let store: RunningStore
  let base: string

  beforeAll(async () => {
    storage = await defaultStorage()
    store = await startStore(storage.env)
    base = store.base
  })
  afterAll(async () => {
    await store?.stop()
    await storage?.cleanup()
  })

  it("signup answers 201 {user_id, token, expires_at} and signs in at once", async () => {
    const email = uniqueEmail("signup")
    const before = Date.now()
    const res = await call(base, "POST", "/v1/auth/signup", { body: { email, password: "correct horse", name: "Asha Rao" } })
    expect(res.status, res.text).toBe(201)
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8")
    const body = res.json as Record<string, string>
    expect(Object.keys(body).sort()).toEqual(["expires_at", "token", "user_id"])
    expect(body["user_id"]).toMatch(/^u_[A-Za-z0-9_-]{16,}$/)
    expect(body["token"]).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(body["expires_at"]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/)
    expect(Date.parse(body["expires_at"]!)).toBeGreaterThan(before)

    const me = await call(base, "GET", "/v1/me", { token: body["token"] })
    expect(me.status, me.text).toBe(200)
    expect(me.json).toEqual({ user_id: body["user_id"], email, name: "Asha Rao", roles: ["customer"] })
  })

  it("a duplicate email is 409 email_taken, whatever its case and surrounding whitespace", async () => {
    const email = uniqueEmail("dup")
    expect((await call(base, "POST", "/v1/auth/signup", { body: { email, password: "password-1", name: "First" } })).status).toBe(201)
    const [local, domain] = email.split("@") as [string, string]
    const variants = [email, email.toUpperCase(), `  ${email}  `, `\t${local.toUpperCase()}@${domain}\n`, `${local}@${domain.toUpperCase()}`]
    for (const variant of variants) {
      const res = await call(base, "POST", "/v1/auth/signup", { body: { email: variant, password: "password-2", name: "Second" } })
      expectError(res, 409, "email_taken")
    }
    // The first account is untouched: its password still works, the second one's never did.
    expect((await call(base, "POST", "/v1/auth/login", { body: { email, password: "password-1" } })).status).toBe(200)
    expectError(await call(base, "POST", "/v1/auth/login", { body: { email, password: "password-2" } }), 401, "unauthenticated")
  })

  it("an email typed with capitals and spaces signs up under its normalized form", async () => {
    const email = uniqueEmail("typed")
    const res = await call(base, "POST", "/v1/auth/signup", { body: { email: ` ${email.toUpperCase()} `, password: "password-1", name: "Typed" } })
    expect(res.status, res.text).toBe(201)
    const me = await call(base, "GET", "/v1/me", { token: (res.json as { token: string }).token })
    expect((me.json as { email: string }).email).toBe(email)
    expect((await call(base, "POST", "/v1/auth/login", { body: { email, password: "password-1" } })).status).toBe(200)
  })

  it("signup bodies are checked: bad email, short password, unknown fields, no body", async () => {
    const bad: Array<[unknown, string]> = [
      [{ email: "not-an-email", password: "password-1", name: "X" }, "body.email"],
      [{ email: uniqueEmail(), password: "short", name: "X" }, "body.password"],
      [{ email: uniqueEmail(), password: "password-1", name: "" }, "body.name"],
      [{ email: uniqueEmail(), password: "password-1", name: "X", roles: ["admin"] }, "body.roles"],
      [{ email: uniqueEmail(), password: "password-1" }, "body.name"]
    ]
    for (const [body, path] of bad) {
      const res = await call(base, "POST", "/v1/auth/signup", { body })
      expectError(res, 400, "invalid_request")
      expect(issuePaths(res.json)).toContain(path)
    }
    expectError(await call(base, "POST", "/v1/auth/signup", { body: "{" }), 400, "invalid_request")
    expectError(await call(base, "POST", "/v1/auth/signup"), 400, "invalid_request")
  })

  it("login answers 200 {token, user_id, expires_at}; the email is matched case-insensitively", async () => {
    const a = await signUp(base, "login")
    for (const email of [a.email, ` ${a.email.toUpperCase()} `]) {
      const res = await call(base, "POST", "/v1/auth/login", { body: { email, password: a.password } })
      expect(res.status, res.text).toBe(200)
      const body = res.json as Record<string, string>
      expect(Object.keys(body).sort()).toEqual(["expires_at", "token", "user_id"])
      expect(body["user_id"]).toBe(a.userId)
      expect(body["token"]).not.toBe(a.token)
      expect((await call(base, "GET", "/v1/me", { token: body["token"] })).status).toBe(200)
    }
  })

  it("a wrong password and an unknown email get the same 401 body", async () => {
    const a = await signUp(base, "creds")
    const wrong = await call(base, "POST", "/v1/auth/login", { body: { email: a.email, password: `${a.password}x` } })
    const unknown = await call(base, "POST", "/v1/auth/login", { body: { email: uniqueEmail("nobody"), password: a.password } })
    expectError(wrong, 401, "unauthenticated")
    expectError(unknown, 401, "unauthenticated")
    expect(unknown.text).toBe(wrong.text)
    expect(unknown.headers.get("content-type")).toBe(wrong.headers.get("content-type"))
    // A malformed login body is a 400, not a hint either way.
    expectError(await call(base, "POST", "/v1/auth/login", { body: { email: a.email } }), 400, "invalid_request")
  })

  it("logout answers 204 and that token stops working; other sessions keep working", async () => {
    const a = await signUp(base, "logout")
    const second = (await call(base, "POST", "/v1/auth/login", { body: { email: a.email, password: a.password } })).json as { token: string }
    const res = await call(base, "POST", "/v1/auth/logout", { token: a.token })
    expect(res.status, res.text).toBe(204)
    expect(res.text).toBe("")
    expectError(await call(base, "GET", "/v1/me", { token: a.token }), 401, "unauthenticated")
    expectError(await call(base, "POST", "/v1/auth/logout", { token: a.token }), 401, "unauthenticated")
    expect((await call(base, "GET", "/v1/me", { token: second.token })).status).toBe(200)
    // Action POSTs take `{}` as well as no body; anything else is refused.
    expectError(await call(base, "POST", "/v1/auth/logout", { token: second.token, body: { all: true } }), 400, "invalid_request")
    expect((await call(base, "POST", "/v1/auth/logout", { token: second.token, body: {} })).status).toBe(204)
    expectError(await call(base, "GET", "/v1/me", { token: second.token }), 401, "unauthenticated")
    expectError(await call(base, "POST", "/v1/auth/logout"), 401, "unauthenticated")
  })

  it("/v1/me needs a valid bearer token", async () => {
    expectError(await call(base, "GET", "/v1/me"), 401, "unauthenticated")
    expectError(await call(base, "GET", "/v1/me", { headers: { authorization: "Basic dXNlcjpwYXNz" } }), 401, "unauthenticated")
    expectError(await call(base, "GET", "/v1/me", { token: "A".repeat(43) }), 401, "unauthenticated")
    expectError(await call(base, "GET", "/v1/me", { token: "short" }), 401, "unauthenticated")
  })

  it("addresses: 201 with address_id, listed, at most 20 (then 422 address_limit), country checked", async () => {
    const a = await signUp(base, "addr")
    const first = await call(base, "POST", "/v1/me/addresses", { token: a.token, body: sampleAddress({ line2: "Flat 4" }) })
    expect(first.status, first.text).toBe(201)
    const created = first.json as Record<string, string>
    expect(created["address_id"]).toMatch(/^addr_[A-Za-z0-9_-]{16,}$/)
    expect(created).toEqual({ ...sampleAddress({ line2: "Flat 4" }), address_id: created["address_id"] })

    const ids = [created["address_id"]!]
    for (let i = 2; i <= 20; i++) {
      const res = await call(base, "POST", "/v1/me/addresses", { token: a.token, body: sampleAddress({ line1: `${i} Brigade Road`, country: i % 2 === 0 ? "US" : "IN" }) })
      expect(res.status, res.text).toBe(201)
      ids.push((res.json as { address_id: string }).address_id)
    }
    expect(new Set(ids).size).toBe(20)
    const over = await call(base, "POST", "/v1/me/addresses", { token: a.token, body: sampleAddress({ line1: "21 Too Many Lane" }) })
    expectError(over, 422, "address_limit")
    expect((over.json as { error: { details: { limit: number } } }).error.details.limit).toBe(20)

    const list = await call(base, "GET", "/v1/me/addresses", { token: a.token })
    expect(list.status).toBe(200)
    const listed = (list.json as { addresses: Array<Record<string, string>> }).addresses
    expect(listed.map((x) => x["address_id"])).toEqual(ids)
    expect(listed[0]).toEqual(created)
    expect(list.text).not.toContain("Too Many Lane")

    const b = await signUp(base, "addr-bad")
    for (const country of ["XX", "in", "IND", "", 91]) {
      const res = await call(base, "POST", "/v1/me/addresses", { token: b.token, body: sampleAddress({ country }) })
      expectError(res, 400, "invalid_request")
      expect(issuePaths(res.json)).toContain("body.country")
    }
    expectError(await call(base, "POST", "/v1/me/addresses", { token: b.token, body: sampleAddress({ address_id: "addr_chosen_by_client_0001" }) }), 400, "invalid_request")
    expectError(await call(base, "POST", "/v1/me/addresses", { token: b.token, body: { name: "No Lines", country: "IN" } }), 400, "invalid_request")
    expectError(await call(base, "POST", "/v1/me/addresses", { token: b.token, body: sampleAddress({ city: "a\u0000b" }) }), 400, "invalid_request")
    expectError(await call(base, "POST", "/v1/me/addresses", { body: sampleAddress() }), 401, "unauthenticated")
    expect((await call(base, "GET", "/v1/me/addresses", { token: b.token })).json).toEqual({ addresses: [] })
  })

  it("payment methods: card token, cod, wallet, upi; card numbers and CVVs refused; tokens never listed", async () => {
    const a = await signUp(base, "pm")
    const cardToken = `tok_visa_${Date.now().toString(36)}`
    const card = await call(base, "POST", "/v1/me/payment-methods", { token: a.token, body: { type: "card", token: cardToken } })
    expect(card.status, card.text).toBe(201)
    expect((card.json as { payment_method_id: string }).payment_method_id).toMatch(/^pm_[A-Za-z0-9_-]{16,}$/)
    expect((card.json as { type: string }).type).toBe("card")
    expect(card.text).not.toContain(cardToken)

    const cod = await call(base, "POST", "/v1/me/payment-methods", { token: a.token, body: { type: "cod" } })
    expect(cod.status, cod.text).toBe(201)
    expect(cod.json).toEqual({ payment_method_id: (cod.json as { payment_method_id: string }).payment_method_id, type: "cod" })
    const wallet = await call(base, "POST", "/v1/me/payment-methods", { token: a.token, body: { type: "wallet" } })
    expect(wallet.status, wallet.text).toBe(201)
    expect((wallet.json as { type: string }).type).toBe("wallet")
    const upi = await call(base, "POST", "/v1/me/payment-methods", { token: a.token, body: { type: "upi", vpa: "asha.rao@okaxis" } })
    expect(upi.status, upi.text).toBe(201)
    expect(upi.json).toMatchObject({ type: "upi", vpa: "asha.rao@okaxis" })

    const refused: Array<unknown> = [
      { type: "card", token: "tok_ok", card_number: "4242424242424242" },
      { type: "card", token: "tok_ok", cvc: "123" },
      { type: "card", token: "tok_ok", cvv: "123" },
      { type: "card", card_number: "4242424242424242", exp_month: 12, exp_year: 2030, cvc: "123" },
      { type: "card", token: "4242424242424242" },
      { type: "card", token: "tok_4000000000000002" },
      { type: "card", token: "4242 4242 4242 4242" },
      { type: "card" },
      { type: "upi" },
      { type: "upi", vpa: "not a vpa" },
      { type: "bitcoin" },
      { type: "cod", token: "tok_ok" },
      {}
    ]
    for (const body of refused) {
      const res = await call(base, "POST", "/v1/me/payment-methods", { token: a.token, body })
      expectError(res, 400, "invalid_request")
      expect(res.text).not.toContain("4242424242424242")
    }

    const list = await call(base, "GET", "/v1/me/payment-methods", { token: a.token })
    expect(list.status, list.text).toBe(200)
    const methods = (list.json as { payment_methods: Array<Record<string, unknown>> }).payment_methods
    expect(methods.map((m) => m["type"])).toEqual(["card", "cod", "wallet", "upi"])
    for (const m of methods) expect(m).not.toHaveProperty("token")
    expect(list.text).not.toContain(cardToken)
    expect(list.text).not.toMatch(/\d{12,}/)
    expectError(await call(base, "GET", "/v1/me/payment-methods"), 401, "unauthenticated")
  })

  it("idempotent signup: a replay answers the stored 201 with Idempotent-Replayed: true; a different body is 422", async () => {
    const key = `signup-${Date.now()}-${Math.random()}`
    const body = { email: uniqueEmail("idem"), password: "password-1", name: "Idem" }
    const first = await call(base, "POST", "/v1/auth/signup", { body, headers: { "idempotency-key": key } })
    expect(first.status, first.text).toBe(201)
    expect(first.headers.get("idempotent-replayed")).toBeNull()
    const again = await call(base, "POST", "/v1/auth/signup", { body, headers: { "idempotency-key": key } })
    expect(again.status, again.text).toBe(201)
    expect(again.headers.get("idempotent-replayed")).toBe("true")
    expect(again.json).toEqual(first.json)
    const other = await call(base, "POST", "/v1/auth/signup", { body: { ...body, name: "Other" }, headers: { "idempotency-key": key } })
    expectError(other, 422, "idempotency_key_reused")
    // Without the key the same body is a new signup attempt: the email is taken.
    expectError(await call(base, "POST", "/v1/auth/signup", { body }), 409, "email_taken")
    expectError(await call(base, "POST", "/v1/auth/signup", { body, headers: { "idempotency-key": "x".repeat(256) } }), 400, "invalid_request")
  })

  it("idempotent addresses: one address per key, replayed with Idempotent-Replayed: true; keys are per user", async () => {
    const a = await signUp(base, "idem-addr")
    const b = await signUp(base, "idem-addr-b")
    const key = `addr-${Date.now()}`
    const body = sampleAddress({ line1: "7 Idempotent Street" })
    const first = await call(base, "POST", "/v1/me/addresses", { token: a.token, body, headers: { "idempotency-key": key } })
    expect(first.status, first.text).toBe(201)
    for (let i = 0; i < 3; i++) {
      const again = await call(base, "POST", "/v1/me/addresses", { token: a.token, body, headers: { "idempotency-key": key } })
      expect(again.status).toBe(201)
      expect(again.headers.get("idempotent-replayed")).toBe("true")
      expect(again.json).toEqual(first.json)
    }
    const other = await call(base, "POST", "/v1/me/addresses", { token: a.token, body: { ...body, city: "Mysuru" }, headers: { "idempotency-key": key } })
    expectError(other, 422, "idempotency_key_reused")
    const listed = (await call(base, "GET", "/v1/me/addresses", { token: a.token })).json as { addresses: Array<{ address_id: string }> }
    expect(listed.addresses.map((x) => x.address_id)).toEqual([(first.json as { address_id: string }).address_id])

    // The same key from another user is another request altogether.
    const fromB = await call(base, "POST", "/v1/me/addresses", { token: b.token, body, headers: { "idempotency-key": key } })
    expect(fromB.status).toBe(201)
    expect(fromB.headers.get("idempotent-replayed")).toBeNull()
    expect((fromB.json as { address_id: string }).address_id).not.toBe((first.json as { address_id: string }).address_id)

  })
})

describe("login rate limits", () => {
  let storage: TestStorage
  let store: RunningStore

  beforeAll(async () => {
    storage = await defaultStorage()
    store = await startStore({
      ...storage.env,
      RATE_LIMITS: "on",
      // A refill this slow adds nothing during the test: the buckets' counts are exact.
      RATE_LIMIT_AUTH_CAPACITY: "10",
      RATE_LIMIT_AUTH_REFILL_PER_SECOND: "0.001",
      RATE_LIMIT_AUTH_ACCOUNT_CAPACITY: "3",
      RATE_LIMIT_AUTH_ACCOUNT_REFILL_PER_SECOND: "0.001"
    })
  })
  afterAll(async () => {
    await store?.stop()
    await storage?.cleanup()
  })

  const expectLimited = (res: { status: number; json: unknown; text: string; headers: Headers }) => {
    expectError(res, 429, "rate_limited")
    const retryAfter = Number(res.headers.get("retry-after"))
    expect(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After: ${res.headers.get("retry-after")}`).toBe(true)
  }

  it("per account, then per IP: 429 rate_limited with Retry-After", async () => {
    const base = store.base
    // IP bucket: 10. Signup takes 1.
    const a = await signUp(base, "limited")
    // Account bucket: 3 logins for this email, right or wrong, whatever its spelling.
    expect((await call(base, "POST", "/v1/auth/login", { body: { email: a.email, password: a.password } })).status).toBe(200)
    expect((await call(base, "POST", "/v1/auth/login", { body: { email: a.email, password: "wrong-password" } })).status).toBe(401)
    expect((await call(base, "POST", "/v1/auth/login", { body: { email: a.email.toUpperCase(), password: a.password } })).status).toBe(200)
    // 4 IP tokens used before it: this refusal is the account's (it still takes an IP token).
    expectLimited(await call(base, "POST", "/v1/auth/login", { body: { email: ` ${a.email} `, password: a.password } }))
    // Other accounts are not affected by that account's bucket; the existing session still works.
    expect((await call(base, "GET", "/v1/me", { token: a.token })).status).toBe(200)
    for (let i = 0; i < 5; i++) {
      expect((await call(base, "POST", "/v1/auth/login", { body: { email: uniqueEmail("other"), password: "whatever-1" } })).status).toBe(401)
    }
    // IP bucket: 10 used. Any further auth request from this IP is refused, signup included.
    expectLimited(await call(base, "POST", "/v1/auth/login", { body: { email: uniqueEmail("other"), password: "whatever-1" } }))
    expectLimited(await call(base, "POST", "/v1/auth/signup", { body: { email: uniqueEmail("late"), password: "password-1", name: "Late" } }))
    // Other route classes are not limited by the auth buckets.
    expect((await call(base, "GET", "/v1/me", { token: a.token })).status).toBe(200)
    expect((await call(base, "GET", "/healthz")).status).toBe(200)
  })
})

describe("admin bootstrap and restarts on the same storage", () => {
  let storage: TestStorage
  let store: RunningStore | undefined

  beforeAll(async () => {
    storage = await defaultStorage()
  })
  afterAll(async () => {
    await store?.stop()
    await storage?.cleanup()
  })

  const login = async (base: string, email: string, password: string) => call(base, "POST", "/v1/auth/login", { body: { email, password } })

  it("ADMIN_EMAIL/ADMIN_PASSWORD create one admin; a restart neither duplicates it nor changes its password; sessions survive", async () => {
    const adminEmail = uniqueEmail("admin")
    store = await startStore({ ...storage.env, ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: "admin-password-1" })
    const first = await login(store.base, adminEmail, "admin-password-1")
    expect(first.status, first.text).toBe(200)
    const adminId = (first.json as { user_id: string }).user_id
    const adminToken = (first.json as { token: string }).token
    const me = await call(store.base, "GET", "/v1/me", { token: adminToken })
    expect(me.json).toMatchObject({ user_id: adminId, email: adminEmail })
    expect((me.json as { roles: Array<string> }).roles).toContain("admin")
    expectError(await call(store.base, "POST", "/v1/auth/signup", { body: { email: adminEmail, password: "password-x", name: "Impostor" } }), 409, "email_taken")

    // A customer who signs up now, and is named operator at the next start, keeps their account and password.
    const customer: Account = await signUp(store.base, "promoted")
    const address = await call(store.base, "POST", "/v1/me/addresses", { token: customer.token, body: sampleAddress({ line1: "1 Restart Road" }) })
    expect(address.status).toBe(201)
    const customerLogin = await login(store.base, customer.email, customer.password)
    const customerToken = (customerLogin.json as { token: string }).token

    await store.stop()
    store = await startStore({ ...storage.env, ADMIN_EMAIL: ` ${adminEmail.toUpperCase()} `, ADMIN_PASSWORD: "a-different-password" })
    // Sessions survive the restart.
    const again = await call(store.base, "GET", "/v1/me", { token: adminToken })
    expect(again.status, again.text).toBe(200)
    expect(again.json).toEqual(me.json)
    expect((await call(store.base, "GET", "/v1/me", { token: customerToken })).json).toMatchObject({ user_id: customer.userId, roles: ["customer"] })
    expect((await call(store.base, "GET", "/v1/me/addresses", { token: customer.token })).json).toEqual({ addresses: [address.json] })
    // Same account, same password; the new ADMIN_PASSWORD does not overwrite it.
    const relogin = await login(store.base, adminEmail, "admin-password-1")
    expect(relogin.status, relogin.text).toBe(200)
    expect((relogin.json as { user_id: string }).user_id).toBe(adminId)
    expectError(await login(store.base, adminEmail, "a-different-password"), 401, "unauthenticated")
    const roles = ((await call(store.base, "GET", "/v1/me", { token: adminToken })).json as { roles: Array<string> }).roles
    expect(roles.filter((r) => r === "admin")).toEqual(["admin"])

    // An existing account named by ADMIN_EMAIL is granted admin, with its own password kept.
    await store.stop()
    store = await startStore({ ...storage.env, ADMIN_EMAIL: customer.email, ADMIN_PASSWORD: "not-the-customers-password" })
    const promoted = await login(store.base, customer.email, customer.password)
    expect(promoted.status, promoted.text).toBe(200)
    expect((promoted.json as { user_id: string }).user_id).toBe(customer.userId)
    expect(((await call(store.base, "GET", "/v1/me", { token: customerToken })).json as { roles: Array<string> }).roles).toEqual(["customer", "admin"])
    expectError(await login(store.base, customer.email, "not-the-customers-password"), 401, "unauthenticated")
    // The first admin is still there, still admin.
    expect(((await call(store.base, "GET", "/v1/me", { token: adminToken })).json as { roles: Array<string> }).roles).toContain("admin")
  })

  it("a logged-out token stays logged out after a restart", async () => {
    store ??= await startStore(storage.env)
    const a = await signUp(store.base, "revoked")
    expect((await call(store.base, "POST", "/v1/auth/logout", { token: a.token })).status).toBe(204)
    await store.stop()
    store = await startStore(storage.env)
    expectError(await call(store.base, "GET", "/v1/me", { token: a.token }), 401, "unauthenticated")
    expect((await login(store.base, a.email, a.password)).status).toBe(200)
  })
})
