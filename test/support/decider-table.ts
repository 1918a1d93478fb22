import { expect } from "vitest"
import { type AnyActorDefinition, codecFor } from "../../runtime/actor.ts"

/**
 * Given-events / when-command / then-events-or-rejection tables for a decider (DESIGN convention 1).
 * Each row replays `given` through `evolve` from the initial state, runs `decide`, checks the
 * outcome, applies the new events (so `evolve` checks its invariants), and round-trips every event,
 * the resulting state and the reply through the actor's schemas as the journal and snapshots would.
 * States are compared through their encoded (snapshot) form, so states built from persistent
 * structures (HashMap, RedBlackTree) work too.
 */
export interface DeciderRow {
  readonly name: string
  readonly given: ReadonlyArray<unknown>
  readonly when: unknown
  readonly nowMs?: number
  /** Expected events, or a rejection: its `reason` (and optionally other fields). */
  readonly then: ReadonlyArray<unknown> | { readonly reason: string; readonly [field: string]: unknown }
  /** Expected reply (when accepted), checked with toMatchObject. */
  readonly reply?: unknown
  /** Actor id; the table's default unless a row says otherwise. */
  readonly id?: string
}

const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

export const runRow = (definition: AnyActorDefinition, row: DeciderRow, defaultId = "test-id") => {
  const state = row.given.reduce((s: unknown, e) => definition.evolve(s, e), definition.initialState(row.id ?? defaultId))
  const decision = definition.decide(state, row.when, row.nowMs ?? 0)
  if (Array.isArray(row.then)) {
    if (decision._tag !== "Accept") throw new Error(`expected events, got rejection ${JSON.stringify(decision.rejection)}`)
    expect(decision.events).toEqual(row.then)
    if (row.reply !== undefined) expect(decision.reply).toMatchObject(row.reply as object)
    const events = codecFor(definition.event)
    const states = codecFor(definition.state)
    const replies = codecFor(definition.reply)
    let next = state
    for (const event of decision.events) {
      expect(events.decode(json(events.encode(event)))).toEqual(event)
      next = definition.evolve(next, event)
    }
    const encoded = json(states.encode(next))
    expect(json(states.encode(states.decode(encoded)))).toEqual(encoded)
    expect(replies.decode(json(replies.encode(decision.reply)))).toEqual(decision.reply)
  } else {
    if (decision._tag !== "Reject") throw new Error(`expected rejection ${JSON.stringify(row.then)}, got events ${JSON.stringify(decision.events)}`)
    expect(decision.rejection).toMatchObject(row.then)
    const rejections = codecFor(definition.rejection)
    expect(rejections.decode(rejections.encode(decision.rejection))).toMatchObject(row.then)
  }
  return decision
}
