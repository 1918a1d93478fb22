/** What a scenario gives the harness: its operation, its audit, and what its store needs. */
import type { Outcome } from "../driver.ts"
import type { Http } from "../http.ts"
import type { Target } from "../target.ts"

export interface AuditCheck {
  readonly name: string
  readonly passed: boolean
  readonly detail: string
}

export interface Workload {
  readonly operation: (i: number) => Promise<Outcome>
  /** After the load (every operation has ended), with the store still running. */
  readonly audit: () => Promise<ReadonlyArray<AuditCheck>>
  /** A fixed number of operations this scenario runs (overrides --duration-s/--requests). */
  readonly fixedOperations?: number
  /** Facts for the report (what was set up). */
  readonly facts: Record<string, unknown>
}

export interface ScenarioContext {
  readonly target: Target
  /** Client for the load (bounded by --connections). */
  readonly http: Http
  readonly connections: number
  readonly seed: number
  /** Operations planned (--requests), when bounded by count. */
  readonly requests: number | undefined
  readonly log: (line: string) => void
}

export interface Scenario {
  readonly name: string
  readonly describe: string
  /** Environment our fresh store starts with for this scenario. */
  readonly storeEnv: Record<string, string>
  readonly setUp: (ctx: ScenarioContext) => Promise<Workload>
}

/** A check over numbers: passed when `ok`, with the detail either way. */
export const check = (name: string, ok: boolean, detail: string): AuditCheck => ({ name, passed: ok, detail })
