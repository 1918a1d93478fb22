import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type Store, Versioned } from "./versioned.ts"

/** A map store: every version must read what a plain copy-on-write map made at the same step reads. */
type Op = { readonly key: number; readonly value: number | undefined }

class MapStore implements Store<Op> {
  readonly map = new Map<number, number>()
  apply(op: Op): Op {
    const before = this.map.get(op.key)
    if (op.value === undefined) this.map.delete(op.key)
    else this.map.set(op.key, op.value)
    return { key: op.key, value: before }
  }
}

const contents = (v: Versioned<MapStore, Op>) => [...v.read().map.entries()].sort((a, b) => a[0] - b[0])

describe("Versioned", () => {
  it("every version reads as it was made, whichever versions are read or updated in between", () => {
    const step = fc.record({
      from: fc.nat(),
      ops: fc.array(fc.record({ key: fc.integer({ min: 0, max: 7 }), value: fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }) }), { maxLength: 4 }),
      probe: fc.nat()
    })
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const versions = [Versioned.of<MapStore, Op>(new MapStore())]
        const models: Array<Map<number, number>> = [new Map()]
        for (const s of steps) {
          // Update any earlier version (mostly the newest, as an actor does), then read any version.
          const i = s.from % 3 === 0 ? s.from % versions.length : versions.length - 1
          const model = new Map(models[i]!)
          for (const op of s.ops) {
            if (op.value === undefined) model.delete(op.key)
            else model.set(op.key, op.value)
          }
          versions.push(versions[i]!.update(s.ops))
          models.push(model)
          const j = s.probe % versions.length
          expect(contents(versions[j]!)).toEqual([...models[j]!.entries()].sort((a, b) => a[0] - b[0]))
        }
        versions.forEach((v, k) => expect(contents(v)).toEqual([...models[k]!.entries()].sort((a, b) => a[0] - b[0])))
      }),
      { numRuns: 300 }
    )
  })

  it("updating the newest version mutates in place (no copy)", () => {
    const v0 = Versioned.of<MapStore, Op>(new MapStore())
    const store = v0.read()
    const v1 = v0.update([{ key: 1, value: 1 }])
    expect(v1.read()).toBe(store)
    expect(v0.read().map.get(1)).toBeUndefined()
    expect(v1.read().map.get(1)).toBe(1)
  })

  it("an update whose operation throws leaves the version as it was", () => {
    class Picky extends MapStore {
      override apply(op: Op): Op {
        if (op.key < 0) throw new Error("no negative keys")
        return super.apply(op)
      }
    }
    const v0 = Versioned.of<MapStore, Op>(new Picky())
    const v1 = v0.update([{ key: 1, value: 1 }])
    expect(() => v1.update([{ key: 2, value: 2 }, { key: 1, value: 5 }, { key: -1, value: 0 }])).toThrow(/negative/)
    expect(contents(v1)).toEqual([[1, 1]])
    expect(contents(v1.update([{ key: 3, value: 3 }]))).toEqual([[1, 1], [3, 3]])
    expect(contents(v0)).toEqual([])
  })
})
