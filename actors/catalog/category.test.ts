import { describe, expect, it } from "vitest"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { category } from "./category.ts"

const cid = "cat_laptops"
const schema = {
  ram_gb: { type: "number", required: true },
  cpu: { type: "string" },
  touch: { type: "boolean" },
  colour: { type: "enum", values: ["black", "silver"] }
} as const
const creation = { name: "Laptops", parent_id: "cat_electronics", attribute_schema: schema, created_at: "2025-01-31T12:00:00.000Z" }
const created = { _tag: "CategoryCreated", ...creation } as const
const stored = { status: "active", category_id: cid, ...creation }

const rows: ReadonlyArray<DeciderRow> = [
  { name: "Create with a parent and a schema", given: [], when: { _tag: "Create", ...creation }, then: [created], reply: stored },
  {
    name: "Create top-level without a schema",
    given: [],
    when: { _tag: "Create", name: "Books", created_at: creation.created_at },
    then: [{ _tag: "CategoryCreated", name: "Books", parent_id: null, created_at: creation.created_at }],
    reply: { parent_id: null }
  },
  {
    name: "Create keeps only the known fields of the schema",
    given: [],
    when: { _tag: "Create", ...creation, attribute_schema: { ram_gb: { type: "number", required: true, note: "x" } } },
    then: [{ ...created, attribute_schema: { ram_gb: { type: "number", required: true } } }]
  },
  { name: "Create again, same data, restamped → no events", given: [created], when: { _tag: "Create", ...creation, created_at: "2025-06-01T00:00:00Z" }, then: [], reply: stored },
  { name: "Create again with another name → category_exists", given: [created], when: { _tag: "Create", ...creation, name: "Notebooks" }, then: { reason: "category_exists", category: stored } },
  { name: "Create again with another parent → category_exists", given: [created], when: { _tag: "Create", ...creation, parent_id: "cat_other" }, then: { reason: "category_exists" } },
  {
    name: "Create again with another schema → category_exists",
    given: [created],
    when: { _tag: "Create", ...creation, attribute_schema: { ram_gb: { type: "number" } } },
    then: { reason: "category_exists" }
  },
  { name: "Get", given: [created], when: { _tag: "Get" }, then: [], reply: stored },
  { name: "Get an unknown category → not_found", given: [], when: { _tag: "Get" }, then: { reason: "not_found" } }
]

describe("category decider", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_, row) => {
    runRow(category, row, cid)
  })

  it.each([
    ["an enum without values", { colour: { type: "enum" } }],
    ["an enum with empty values", { colour: { type: "enum", values: [] } }],
    ["an enum with repeated values", { colour: { type: "enum", values: ["red", "red"] } }],
    ["values on a non-enum", { colour: { type: "string", values: ["red"] } }],
    ["an unknown type", { colour: { type: "date" } }],
    ["required: false", { colour: { type: "string", required: false } }],
    ["an upper-case name", { Colour: { type: "string" } }],
    ["a name starting with a digit", { "1colour": { type: "string" } }],
    ["a 41-character name", { ["a".repeat(41)]: { type: "string" } }],
    ["51 attributes", Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, { type: "string" }]))]
  ])("an attribute schema with %s is refused (a defect here, a 400 at the edge)", (_, attribute_schema) => {
    expect(() => category.decide(category.initialState(cid), { _tag: "Create", ...creation, attribute_schema: attribute_schema as never }, 0)).toThrow(/invalid category command/)
  })

  it("50 attributes and a 40-character name are fine", () => {
    const attribute_schema = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`a${i}`.padEnd(40, "x"), { type: "string" }]))
    expect(category.decide(category.initialState(cid), { _tag: "Create", ...creation, attribute_schema: attribute_schema as never }, 0)._tag).toBe("Accept")
  })

  it("other defects: wrong actor id, own parent, created twice", () => {
    expect(() => category.decide(category.initialState("laptops"), { _tag: "Create", ...creation }, 0)).toThrow(/not a category id/)
    expect(() => category.decide(category.initialState(cid), { _tag: "Create", ...creation, parent_id: cid }, 0)).toThrow(/own parent/)
    expect(() => category.evolve(category.evolve(category.initialState(cid), created), created)).toThrow(/created twice/)
  })
})
