import { describe, expect, it } from "vitest"
import { runRow, type DeciderRow } from "../../test/support/decider-table.ts"
import { type CategoryEntry, categoryTree, categoryTreeLimits, type CategoryTreeEvent } from "./category-tree.ts"

const entry = (category_id: string, name: string, parent_id: string | null = null): CategoryEntry => ({ category_id, name, parent_id })
const added = (category: CategoryEntry): CategoryTreeEvent => ({ _tag: "CategoryAdded", category })
const electronics = entry("cat_electronics", "Electronics")
const laptops = entry("cat_laptops", "Laptops", "cat_electronics")
const phones = entry("cat_phones", "Phones", "cat_electronics")
const books = entry("cat_books", "Books")

const rows: ReadonlyArray<DeciderRow> = [
  { name: "an empty store has an empty tree", given: [], when: { _tag: "Get" }, then: [], reply: { categories: [] } },
  { name: "Add a top-level category", given: [], when: { _tag: "Add", category_id: "cat_electronics", name: "Electronics" }, then: [added(electronics)], reply: electronics },
  { name: "Add under a parent", given: [added(electronics)], when: { _tag: "Add", ...laptops }, then: [added(laptops)], reply: laptops },
  { name: "Add again, same data → no events", given: [added(electronics), added(laptops)], when: { _tag: "Add", ...laptops }, then: [], reply: laptops },
  {
    name: "Add an id in use with another name → category_exists",
    given: [added(electronics), added(laptops)],
    when: { _tag: "Add", ...laptops, name: "Notebooks" },
    then: { reason: "category_exists", category: laptops }
  },
  { name: "Add an id in use under another parent → category_exists", given: [added(electronics), added(laptops)], when: { _tag: "Add", category_id: "cat_laptops", name: "Laptops" }, then: { reason: "category_exists" } },
  { name: "Add under an unknown parent → parent_not_found", given: [], when: { _tag: "Add", ...laptops }, then: { reason: "parent_not_found", parent_id: "cat_electronics" } },
  {
    name: "Add a sibling with the same name, other case → category_name_taken",
    given: [added(electronics), added(laptops)],
    when: { _tag: "Add", category_id: "cat_laptops2", name: "LAPTOPS", parent_id: "cat_electronics" },
    then: { reason: "category_name_taken", category: laptops }
  },
  { name: "the same name under another parent is fine", given: [added(electronics), added(books)], when: { _tag: "Add", category_id: "cat_e_books", name: "Books", parent_id: "cat_electronics" }, then: [added(entry("cat_e_books", "Books", "cat_electronics"))] },
  {
    name: "Get nests children in creation order",
    given: [added(electronics), added(laptops), added(books), added(phones)],
    when: { _tag: "Get" },
    then: [],
    reply: {
      categories: [
        { ...electronics, children: [{ ...laptops, children: [] }, { ...phones, children: [] }] },
        { ...books, children: [] }
      ]
    }
  }
]

const chain = (depth: number) => Array.from({ length: depth }, (_, i) => added(entry(`cat_d${i}`, `Level ${i}`, i === 0 ? null : `cat_d${i - 1}`)))

describe("category-tree decider", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_, row) => {
    runRow(categoryTree, row, "root")
  })

  it(`at most ${categoryTreeLimits.maxDepth} levels`, () => {
    const at = (depth: number) => ({ _tag: "Add", category_id: "cat_deep", name: "Deep", parent_id: `cat_d${depth - 1}` })
    runRow(categoryTree, { name: "", given: chain(categoryTreeLimits.maxDepth - 1), when: at(categoryTreeLimits.maxDepth - 1), then: [added(entry("cat_deep", "Deep", `cat_d${categoryTreeLimits.maxDepth - 2}`))] }, "root")
    runRow(categoryTree, { name: "", given: chain(categoryTreeLimits.maxDepth), when: at(categoryTreeLimits.maxDepth), then: { reason: "category_too_deep", limit: categoryTreeLimits.maxDepth } }, "root")
  })

  it(`at most ${categoryTreeLimits.maxCategories} categories`, () => {
    let state = categoryTree.initialState("root")
    for (let i = 0; i < categoryTreeLimits.maxCategories; i++) state = categoryTree.evolve(state, added(entry(`cat_${i}`, `C ${i}`)))
    const decision = categoryTree.decide(state, { _tag: "Add", category_id: "cat_more", name: "More" }, 0)
    expect(decision).toMatchObject({ _tag: "Reject", rejection: { reason: "category_limit", limit: categoryTreeLimits.maxCategories } })
    expect(() => categoryTree.evolve(state, added(entry("cat_more", "More")))).toThrow(/more than/)
  })

  it("malformed commands and impossible events are defects", () => {
    const fresh = categoryTree.initialState("root")
    expect(() => categoryTree.decide(fresh, { _tag: "Add", category_id: "laptops", name: "Laptops" }, 0)).toThrow(/invalid category-tree command/)
    expect(() => categoryTree.decide(fresh, { _tag: "Add", category_id: "cat_x", name: " " }, 0)).toThrow(/invalid category-tree command/)
    expect(() => categoryTree.evolve(fresh, added(laptops))).toThrow(/before its parent/)
    expect(() => categoryTree.evolve(categoryTree.evolve(fresh, added(books)), added(books))).toThrow(/added twice/)
  })
})
