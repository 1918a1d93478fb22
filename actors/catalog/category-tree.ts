import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandValidator } from "../accounts/fields.ts"
import { CategoryName } from "./category.ts"
import { CategoryId } from "./fields.ts"

/**
 * Actor "category-tree", one instance, id `root`: every category's id, name and parent, so
 * `GET /v1/categories` is one read. It is the first step of creating a category (see
 * category.ts): it checks that the parent exists, that no sibling has the same name, and the
 * limits. Categories are never removed or moved, so a cached tree only grows.
 *
 * State is a flat list in creation order (a parent always comes before its children); `Get`
 * builds the nested tree.
 */

export const categoryTreeActorId = "root"

export const categoryTreeLimits = {
  /** Categories a store may have; one more is `category_limit`. */
  maxCategories: 5_000,
  /** Levels below the root: a top-level category is depth 1. Deeper is `category_too_deep`. */
  maxDepth: 8
} as const

export const CategoryEntry = Schema.Struct({ category_id: CategoryId, name: CategoryName, parent_id: Schema.NullOr(CategoryId) })
export type CategoryEntry = typeof CategoryEntry.Type

export const CategoryTreeState = Schema.Struct({ categories: Schema.Array(CategoryEntry) })
export type CategoryTreeState = typeof CategoryTreeState.Type

export interface CategoryNode {
  readonly category_id: string
  readonly name: string
  readonly parent_id: string | null
  readonly children: ReadonlyArray<CategoryNode>
}
export const CategoryNode: Schema.Schema<CategoryNode> = Schema.Struct({
  category_id: Schema.String,
  name: Schema.String,
  parent_id: Schema.NullOr(Schema.String),
  children: Schema.Array(Schema.suspend((): Schema.Schema<CategoryNode> => CategoryNode))
})

export const CategoryTreeCommand = Schema.Union(
  /** Claim an id under a parent (absent = top level). The same Add again is answered with no events. */
  Schema.TaggedStruct("Add", { category_id: CategoryId, name: CategoryName, parent_id: Schema.optional(CategoryId) }),
  /** The whole tree: top-level categories, each with its children, in creation order. */
  Schema.TaggedStruct("Get", {})
)
export type CategoryTreeCommand = typeof CategoryTreeCommand.Type

export const CategoryTreeEvent = Schema.TaggedStruct("CategoryAdded", { category: CategoryEntry })
export type CategoryTreeEvent = typeof CategoryTreeEvent.Type

export const CategoryTreeReply = Schema.Union(CategoryEntry, Schema.Struct({ categories: Schema.Array(CategoryNode) }))
export type CategoryTreeReply = typeof CategoryTreeReply.Type

/** The id exists with another name or parent. 409 `conflict`. */
export class CategoryIdTaken extends Schema.TaggedError<CategoryIdTaken>()("CategoryIdTaken", {
  reason: Schema.Literal("category_exists"),
  category: CategoryEntry
}) {}
/** A sibling (same parent) has the same name, case-insensitively. 409 `conflict`. */
export class CategoryNameTaken extends Schema.TaggedError<CategoryNameTaken>()("CategoryNameTaken", {
  reason: Schema.Literal("category_name_taken"),
  category: CategoryEntry
}) {}
/** The parent does not exist. 400 `invalid_request` (path `parent_id`). */
export class ParentNotFound extends Schema.TaggedError<ParentNotFound>()("ParentNotFound", {
  reason: Schema.Literal("parent_not_found"),
  parent_id: CategoryId
}) {}
/** 422 `category_limit`. */
export class CategoryLimit extends Schema.TaggedError<CategoryLimit>()("CategoryLimit", {
  reason: Schema.Literal("category_limit", "category_too_deep"),
  limit: Schema.Number
}) {}

export const CategoryTreeRejection = Schema.Union(CategoryIdTaken, CategoryNameTaken, ParentNotFound, CategoryLimit)
export type CategoryTreeRejection = typeof CategoryTreeRejection.Type

const validateCommand = commandValidator("category-tree", CategoryTreeCommand)

const sameName = (a: string, b: string) => a.normalize("NFC").toLowerCase() === b.normalize("NFC").toLowerCase()

const depthOf = (categories: ReadonlyArray<CategoryEntry>, id: string | null): number => {
  let depth = 0
  for (let at = id; at !== null; depth++) {
    const entry = categories.find((c) => c.category_id === at)
    if (entry === undefined || depth > categoryTreeLimits.maxDepth) throw new Error(`category tree: broken parent chain at ${at}`)
    at = entry.parent_id
  }
  return depth
}

/** The nested tree, children in creation order. */
export const buildCategoryTree = (categories: ReadonlyArray<CategoryEntry>): ReadonlyArray<CategoryNode> => {
  const nodeOf = new Map<string, CategoryNode & { children: Array<CategoryNode> }>()
  const roots: Array<CategoryNode> = []
  for (const entry of categories) {
    const node = { ...entry, children: [] as Array<CategoryNode> }
    nodeOf.set(entry.category_id, node)
    if (entry.parent_id === null) roots.push(node)
    else nodeOf.get(entry.parent_id)!.children.push(node)
  }
  return roots
}

export const decideCategoryTree = (
  state: CategoryTreeState,
  command: CategoryTreeCommand
): Decision<CategoryTreeEvent, CategoryTreeReply, CategoryTreeRejection> => {
  validateCommand(command)
  switch (command._tag) {
    case "Get":
      return accept([], { categories: buildCategoryTree(state.categories) })
    case "Add": {
      const entry: CategoryEntry = { category_id: command.category_id, name: command.name, parent_id: command.parent_id ?? null }
      const existing = state.categories.find((c) => c.category_id === entry.category_id)
      if (existing !== undefined) {
        return existing.name === entry.name && existing.parent_id === entry.parent_id
          ? accept([], existing)
          : reject(new CategoryIdTaken({ reason: "category_exists", category: existing }))
      }
      if (entry.parent_id !== null && !state.categories.some((c) => c.category_id === entry.parent_id)) {
        return reject(new ParentNotFound({ reason: "parent_not_found", parent_id: entry.parent_id }))
      }
      const sibling = state.categories.find((c) => c.parent_id === entry.parent_id && sameName(c.name, entry.name))
      if (sibling !== undefined) return reject(new CategoryNameTaken({ reason: "category_name_taken", category: sibling }))
      if (state.categories.length >= categoryTreeLimits.maxCategories) {
        return reject(new CategoryLimit({ reason: "category_limit", limit: categoryTreeLimits.maxCategories }))
      }
      if (depthOf(state.categories, entry.parent_id) + 1 > categoryTreeLimits.maxDepth) {
        return reject(new CategoryLimit({ reason: "category_too_deep", limit: categoryTreeLimits.maxDepth }))
      }
      return accept([{ _tag: "CategoryAdded", category: entry }], entry)
    }
  }
}

export const evolveCategoryTree = (state: CategoryTreeState, event: CategoryTreeEvent): CategoryTreeState => {
  const { category } = event
  if (state.categories.some((c) => c.category_id === category.category_id)) throw new Error(`category tree: ${category.category_id} added twice`)
  if (category.parent_id !== null && !state.categories.some((c) => c.category_id === category.parent_id)) {
    throw new Error(`category tree: ${category.category_id} added before its parent ${category.parent_id}`)
  }
  if (state.categories.length >= categoryTreeLimits.maxCategories) throw new Error(`category tree: more than ${categoryTreeLimits.maxCategories} categories`)
  return { categories: [...state.categories, category] }
}

export const categoryTree: ActorDefinition<CategoryTreeState, CategoryTreeCommand, CategoryTreeEvent, CategoryTreeReply, CategoryTreeRejection> = {
  name: "category-tree",
  state: CategoryTreeState,
  command: CategoryTreeCommand,
  event: CategoryTreeEvent,
  reply: CategoryTreeReply,
  rejection: CategoryTreeRejection,
  initialState: () => ({ categories: [] }),
  decide: (state, command) => decideCategoryTree(state, command),
  evolve: evolveCategoryTree,
  limits: { mailboxCapacity: 256, snapshotEveryEvents: 100 }
}
