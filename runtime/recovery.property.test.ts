import { Effect } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { makeMemoryFaults, makeMemoryJournal, makeMemoryPositionStore, makeMemorySnapshotStore } from "../storage/memory.ts"
import { ledger, type LedgerCommand, type LedgerState } from "../test/support/ledger.ts"
import { ActorHost, type HostPorts } from "./host.ts"

const SHARDS = 4
const actors = ["a", "b", "c"]

type Step =
  | { readonly kind: "command"; readonly actor: string; readonly command: LedgerCommand }
  | { readonly kind: "checkpoint" }
  | { readonly kind: "passivate" }
  | { readonly kind: "crash" }

const command: fc.Arbitrary<LedgerCommand> = fc.oneof(
  fc.record({ _tag: fc.constant("Deposit" as const), id: fc.integer({ min: 0, max: 30 }).map(String), amount: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ _tag: fc.constant("Withdraw" as const), id: fc.integer({ min: 0, max: 30 }).map(String), amount: fc.integer({ min: 0, max: 80 }) }),
  fc.record({ _tag: fc.constant("Read" as const) })
)

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant("command" as const), actor: fc.constantFrom(...actors), command }) },
  { weight: 1, arbitrary: fc.constant({ kind: "checkpoint" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "passivate" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "crash" as const }) }
)

/** The same commands applied by the pure decider alone, with no host and no storage. */
const model = (steps: ReadonlyArray<Step>) => {
  const states = new Map<string, LedgerState>(actors.map((a) => [a, ledger.initialState(a)]))
  for (const s of steps) {
    if (s.kind !== "command") continue
    const decision = ledger.decide(states.get(s.actor)!, s.command, 0)
    if (decision._tag === "Accept") states.set(s.actor, decision.events.reduce(ledger.evolve, states.get(s.actor)!))
  }
  return states
}

describe("recovery properties", () => {
  it("state after any mix of snapshots, passivation and crashes equals the pure replay; sequence numbers are gapless", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 7 }), async (steps, snapshotEvery) => {
        const faults = makeMemoryFaults()
        const ports: HostPorts = {
          journal: makeMemoryJournal(faults),
          snapshots: makeMemorySnapshotStore(faults),
          positions: makeMemoryPositionStore()
        }
        const definition = { ...ledger, limits: { ...ledger.limits, snapshotEveryEvents: snapshotEvery } }
        const boot = async () => {
          const h = new ActorHost(ports, [definition], { shardCount: SHARDS, trimJournal: true, checkpointEveryMs: 3_600_000 }, undefined, () => {})
          await h.start()
          return h
        }
        let host = await boot()
        const all: Array<ActorHost> = [host]
        for (const s of steps) {
          if (s.kind === "command") await host.ask(definition, s.actor, s.command).catch(() => undefined)
          else if (s.kind === "checkpoint") {
            await new Promise((r) => setTimeout(r, 1))
            await host.checkpointAll()
            await host.trimAll()
          } else if (s.kind === "passivate") {
            host.passivateIdle(Date.now() + 3_600_000)
            await new Promise((r) => setTimeout(r, 1))
          } else {
            ;(host as unknown as { stopping: boolean }).stopping = true // abandoned like a killed process
            host = await boot()
            all.push(host)
          }
        }
        const expected = model(steps)
        for (const a of actors) {
          const reply = await host.ask<{ balance: number; seen: number }>(definition, a, { _tag: "Read" })
          expect(reply).toEqual({ balance: expected.get(a)!.balance, seen: expected.get(a)!.applied.length })
        }
        // Gapless, never repeated sequence numbers per actor over whatever is left of the journal.
        for (let shard = 0; shard < SHARDS; shard++) {
          const batches = await Effect.runPromise(ports.journal.read(shard, 0, 10_000))
          const last = new Map<string, number>()
          for (const b of batches) {
            for (const e of b.events) {
              const prev = last.get(e.actor)
              if (prev !== undefined) expect(e.seq).toBe(prev + 1)
              last.set(e.actor, e.seq)
            }
          }
        }
        await host.stop()
        void all
      }),
      { numRuns: 60 }
    )
  })
})
