/**
 * Shared by the inventory suites (test/inventory.e2e.test.ts, test/flash-sale*.test.ts): the store
 * with its actor host at hand, shoppers created in bulk, many shoppers each reserving one unit of
 * one hot SKU over HTTP, some retrying with the same Idempotency-Key (concurrently, like a double
 * click, and sequentially, like a retry after a lost answer), and the audit of what they were told.
 */
import { randomBytes } from "node:crypto"
import { Effect, Exit, Scope } from "effect"
import { user } from "../../actors/accounts/user.ts"
import { signup } from "../../gateway/accounts/accounts.ts"
import { PasswordHasher, defaultPasswordHashConfig } from "../../gateway/auth/password.ts"
import { runStore, storeSettingsFromEnv } from "../../gateway/store.ts"
import type { ActorHost } from "../../runtime/host.ts"
import { Actors } from "../../runtime/service.ts"
import { type Account, type Answer, call, type Env, testDefaults, uniqueEmail } from "./store.ts"

export interface StoreWithHost {
  readonly base: string
  readonly host: ActorHost
  readonly stop: () => Promise<void>
}

/**
 * The store exactly as `startStore` runs it (test defaults, then `overrides`), keeping the actor
 * host at hand: for shortcuts past the routes (granting the seller role without registration) and for
 * creating many accounts without HTTP.
 */
export const startStoreWithHost = async (overrides: Env): Promise<StoreWithHost> => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...testDefaults, ...overrides })) if (v !== undefined) env[k] = v
  const settings = storeSettingsFromEnv(env)
  const scope = Effect.runSync(Scope.make())
  const exit = await Effect.runPromiseExit(Scope.extend(runStore(settings), scope))
  if (Exit.isFailure(exit)) {
    await Effect.runPromise(Scope.close(scope, exit))
    throw new Error(`the store did not start: ${JSON.stringify(exit.cause)}`)
  }
  let stopping: Promise<void> | undefined
  return {
    base: `http://127.0.0.1:${exit.value.port}`,
    host: exit.value.host,
    stop: () => (stopping ??= Effect.runPromise(Scope.close(scope, Exit.void)))
  }
}

/**
 * Give an account the seller role directly (no registration and approval, which test/catalog-write.e2e.test.ts
 * covers); its seller id is `sellerIdOfUser(userId)` (gateway/inventory/sellers.ts).
 */
export const grantSeller = (store: StoreWithHost, userId: string) => store.host.ask(user, userId, { _tag: "GrantRole", role: "seller" })

/**
 * `n` customer accounts, each signed in, through the signup code the route runs (email claim, user,
 * session: all durable) but without HTTP. They share one password, hashed once at the cheapest
 * cost: thousands of accounts a second, each one able to log in like any other.
 */
export const createShoppers = async (store: StoreWithHost, n: number, concurrency = 128): Promise<Array<Account>> => {
  const password = "shopper-password-1"
  const hash = await new PasswordHasher({ ...defaultPasswordHashConfig, logN: 10 }).hash(password)
  const hasher = { hash: () => Promise.resolve(hash) } as unknown as PasswordHasher
  const config = { sessionTtlMs: 24 * 3_600_000 }
  return pool(Array.from({ length: n }, (_, i) => i), concurrency, async (i) => {
    const email = uniqueEmail("shopper")
    const name = `Shopper ${i}`
    const session = await Effect.runPromise(signup({ email, password, name }, ["customer"], Date.now(), hasher, config).pipe(Effect.provideService(Actors, store.host)))
    return { email, password, name, userId: session.user_id, token: session.token }
  })
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Run `task` over `items` with at most `limit` at once; results in input order. */
export const pool = async <T, R>(items: ReadonlyArray<T>, limit: number, task: (item: T, index: number) => Promise<R>): Promise<Array<R>> => {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await task(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** Where the store is now (its port changes across a restart) and a wait for it to be back. */
export interface Target {
  readonly base: () => string
  /** Resolves when the store answers again (at once when it never went away). */
  readonly ready: () => Promise<void>
}

export const fixedTarget = (base: string): Target => ({ base: () => base, ready: () => Promise.resolve() })

/** How a shopper behaves. */
export type Plan =
  /** One request without an Idempotency-Key. */
  | "once_without_key"
  /** One request with a key. */
  | "once"
  /** Three requests with the same key at the same time (a double click and more). */
  | "concurrent_retries"
  /** A request, then two more with the same key after each answer (a retry after a lost answer). */
  | "sequential_retries"

/** The mix of a sale: everyone sends a key; half retry at once, a quarter after each answer. */
export const planFor = (i: number): Plan => (["once", "concurrent_retries", "sequential_retries", "concurrent_retries"] as const)[i % 4]!

export interface Outcome {
  readonly shopper: Account
  readonly plan: Plan
  readonly key: string | undefined
  /** The final answer of every request the shopper sent (after waiting out `idempotency_in_progress`). */
  readonly answers: ReadonlyArray<Answer>
  /** Requests that got no answer at all (the server went away); each was sent again. */
  readonly lost: number
}

export interface ShopOptions {
  /** Send again, with the same key, when the connection fails or the store answers 503 (the crash suite); otherwise such an answer is final. */
  readonly retryLost?: boolean
  /** Called with every 201 the moment it arrives. */
  readonly onHeld?: (shopper: Account, answer: Answer) => void
  /** Give up after this long (a bound on the test, not a client rule). */
  readonly deadlineMs?: number
  /** The Idempotency-Key to send (a fresh one when omitted). */
  readonly key?: string
}

/**
 * One request, as a careful client sends it: on 409 `idempotency_in_progress` it waits (briefly,
 * then Retry-After) and asks again with the same key, so the answer returned is final.
 */
const reserveOnce = async (target: Target, skuId: string, shopper: Account, key: string | undefined, options: ShopOptions, lost: { n: number }) => {
  const deadline = Date.now() + (options.deadlineMs ?? 60_000)
  for (let attempt = 0; ; attempt++) {
    if (Date.now() > deadline) throw new Error(`shopper ${shopper.userId} got no final answer in time`)
    let answer: Answer
    try {
      answer = await call(target.base(), "POST", `/v1/skus/${skuId}/reservations`, {
        token: shopper.token,
        body: { quantity: 1 },
        headers: key === undefined ? {} : { "idempotency-key": key }
      })
    } catch (error) {
      if (options.retryLost !== true) throw error
      lost.n++
      await sleep(20)
      await target.ready()
      continue
    }
    const code = (answer.json as { error?: { code?: string } } | undefined)?.error?.code
    if (answer.status === 409 && code === "idempotency_in_progress") {
      await sleep(Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)))
      continue
    }
    if (answer.status === 503 && options.retryLost === true) {
      await sleep(100)
      continue
    }
    if (answer.status === 201) options.onHeld?.(shopper, answer)
    return answer
  }
}

/** One shopper's whole visit, per its plan. */
export const shop = async (target: Target, skuId: string, shopper: Account, plan: Plan, options: ShopOptions = {}): Promise<Outcome> => {
  const key = plan === "once_without_key" ? undefined : (options.key ?? `flash-${randomBytes(8).toString("hex")}`)
  const lost = { n: 0 }
  const one = () => reserveOnce(target, skuId, shopper, key, options, lost)
  let answers: Array<Answer>
  switch (plan) {
    case "once":
    case "once_without_key":
      answers = [await one()]
      break
    case "concurrent_retries":
      answers = await Promise.all([one(), one(), one()])
      break
    case "sequential_retries":
      answers = [await one(), await one(), await one()]
      break
  }
  return { shopper, plan, key, answers, lost: lost.n }
}

export interface SaleAudit {
  readonly held: ReadonlyArray<Outcome>
  readonly refused: ReadonlyArray<Outcome>
  /** Distinct reservation ids among all 201s. */
  readonly reservationIds: ReadonlySet<string>
  /** Everything that is neither a consistent 201 nor a consistent 409 out_of_stock. */
  readonly problems: ReadonlyArray<string>
}

/**
 * Every shopper's answers agree (one reservation per key, replays included); each is a 201 or a
 * 409 `out_of_stock` in the checkout shape; nothing else (no 5xx).
 */
export const auditSale = (outcomes: ReadonlyArray<Outcome>, skuId: string): SaleAudit => {
  const held: Array<Outcome> = []
  const refused: Array<Outcome> = []
  const reservationIds = new Set<string>()
  const problems: Array<string> = []
  for (const o of outcomes) {
    const statuses = new Set(o.answers.map((a) => a.status))
    if (statuses.size !== 1) {
      problems.push(`${o.shopper.userId} (${o.plan}) got different answers: ${o.answers.map((a) => `${a.status} ${a.text}`).join(" | ")}`)
      continue
    }
    const status = o.answers[0]!.status
    if (status === 201) {
      const ids = new Set(o.answers.map((a) => (a.json as { reservation_id: string }).reservation_id))
      if (ids.size !== 1) problems.push(`${o.shopper.userId} (${o.plan}) holds several reservations: ${[...ids].join(", ")}`)
      for (const a of o.answers) {
        const body = a.json as { reservation_id: string; sku_id: string; quantity: number; status: string }
        if (body.sku_id !== skuId || body.quantity !== 1 || body.status !== "held") problems.push(`${o.shopper.userId}: unexpected 201 ${a.text}`)
        reservationIds.add(body.reservation_id)
      }
      held.push(o)
    } else if (status === 409) {
      for (const a of o.answers) {
        const error = (a.json as { error?: { code?: string; details?: unknown } } | undefined)?.error
        const details = JSON.stringify(error?.details)
        if (error?.code !== "out_of_stock" || details !== JSON.stringify({ skus: [{ sku_id: skuId, requested: 1, available: 0 }] })) {
          problems.push(`${o.shopper.userId}: unexpected 409 ${a.text}`)
        }
      }
      refused.push(o)
    } else {
      problems.push(`${o.shopper.userId} (${o.plan}): ${status} ${o.answers[0]!.text}`)
    }
  }
  return { held, refused, reservationIds, problems }
}
