import { describe, it } from "vitest"
import { type DeciderRow, runRow } from "../../test/support/decider-table.ts"
import { admissionKeyLimits, admissionKeys } from "./admission-keys.ts"
import { skuSales } from "./sku-sales.ts"

const key = (n: number) => ({ key_id: `k${n}`, secret: "a".repeat(42) + String(n % 10), created_at_ms: n })
const added = (n: number) => ({ _tag: "KeyAdded", key: key(n) })

const keyRows: ReadonlyArray<DeciderRow> = [
  { name: "ensure creates the first key", given: [], when: { _tag: "Ensure", key: key(1) }, then: [added(1)], reply: { keys: [key(1)] } },
  { name: "ensure keeps an existing key", given: [added(1)], when: { _tag: "Ensure", key: key(2) }, then: [], reply: { keys: [key(1)] } },
  { name: "rotate puts the new key first", given: [added(1)], when: { _tag: "Rotate", key: key(2) }, then: [added(2)], reply: { keys: [key(2), key(1)] } },
  { name: "a reused key id is refused", given: [added(1)], when: { _tag: "Rotate", key: key(1) }, then: { reason: "key_id_taken" } },
  {
    name: `only the last ${admissionKeyLimits.keep} keys are kept`,
    given: [1, 2, 3, 4].map(added),
    when: { _tag: "Rotate", key: key(5) },
    then: [added(5)],
    reply: { keys: [key(5), key(4), key(3), key(2)] }
  },
  { name: "a malformed secret is refused", given: [], when: { _tag: "Rotate", key: { ...key(1), secret: "short" } }, then: { reason: "invalid_command" } }
]

const attached = (saleId: string, endsAt: number | null, at = 0) => ({ _tag: "Attached", sale: { sale_id: saleId, ends_at_ms: endsAt }, at_ms: at })
const skuRows: ReadonlyArray<DeciderRow> = [
  { name: "attach a sale", given: [], when: { _tag: "Attach", sale: { sale_id: "s1", ends_at_ms: null } }, nowMs: 5, then: [attached("s1", null, 5)] },
  { name: "attaching again is a replay", given: [attached("s1", null)], when: { _tag: "Attach", sale: { sale_id: "s1", ends_at_ms: null } }, then: [] },
  { name: "a second live sale is refused", given: [attached("s1", null)], when: { _tag: "Attach", sale: { sale_id: "s2", ends_at_ms: null } }, then: { reason: "sku_in_sale", sale_id: "s1" } },
  { name: "after the first ended, another may attach", given: [attached("s1", 100)], when: { _tag: "Attach", sale: { sale_id: "s2", ends_at_ms: null } }, nowMs: 100, then: [attached("s2", null, 100)], reply: { sales: [{ sale_id: "s2" }] } }
]

describe("admission keys", () => {
  for (const row of keyRows) it(row.name, () => void runRow(admissionKeys, row, "current"))
})
describe("sku sales index", () => {
  for (const row of skuRows) it(row.name, () => void runRow(skuSales, row, "sku_a"))
})
