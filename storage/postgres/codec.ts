import { Packr } from "msgpackr"
import type { JournalEvent } from "../../runtime/ports.ts"

/**
 * Binary formats stored in Postgres. `useRecords: false` keeps msgpack plain (maps and arrays
 * only, no msgpackr record extension) so any msgpack reader can decode the data.
 */
const packr = new Packr({ useRecords: false })

/** A journal batch payload: `[[actor, seq, event], …]`. */
export const encodeEvents = (events: ReadonlyArray<JournalEvent>): Uint8Array =>
  packr.pack(events.map((e) => [e.actor, e.seq, e.event]))

/** Decodes a journal batch payload; throws an Error saying what is wrong when it is not one. */
export const decodeEvents = (bytes: Uint8Array): ReadonlyArray<JournalEvent> => {
  const decoded: unknown = packr.unpack(bytes)
  if (!Array.isArray(decoded)) throw new Error(`expected an array of events, got ${describe(decoded)}`)
  return decoded.map((entry: unknown, i) => {
    if (!Array.isArray(entry) || entry.length !== 3) {
      throw new Error(`event ${i} is not an [actor, seq, event] triple: ${describe(entry)}`)
    }
    const [actor, seq, event] = entry as [unknown, unknown, unknown]
    if (typeof actor !== "string") throw new Error(`event ${i} has a non-string actor: ${describe(actor)}`)
    if (typeof seq !== "number" || !Number.isSafeInteger(seq)) {
      throw new Error(`event ${i} has a non-integer seq: ${describe(seq)}`)
    }
    return { actor, seq, event }
  })
}

export const encodeState = (state: unknown): Uint8Array => packr.pack(state)

/** Decodes a snapshot state; throws when the bytes are not one complete msgpack value. */
export const decodeState = (bytes: Uint8Array): unknown => packr.unpack(bytes)

const describe = (value: unknown): string => {
  if (value === null || typeof value !== "object") return `${typeof value} ${String(value).slice(0, 40)}`
  return Array.isArray(value) ? `array of ${value.length}` : "object"
}
