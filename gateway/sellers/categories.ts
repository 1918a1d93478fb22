import { Effect } from "effect"
import type { AttributeSchema } from "../../actors/catalog/attributes.ts"
import { category, type Category, type CategoryCommand } from "../../actors/catalog/category.ts"
import { categoryTree, categoryTreeActorId, type CategoryEntry, type CategoryNode, type CategoryTreeCommand } from "../../actors/catalog/category-tree.ts"
import type { Actors } from "../../runtime/service.ts"
import { callActor } from "../actor-call.ts"
import type { ApiError } from "../api-error.ts"
import { categoryRejection, categoryTreeRejection } from "./errors.ts"

/**
 * Categories as the gateway uses them. Creating one is two idempotent steps (see
 * actors/catalog/category.ts): claim the id, name and parent in the category tree (which refuses
 * unknown parents, sibling names and limits), then create the category with its attribute schema.
 */

const askTree = (command: CategoryTreeCommand, nowMs: number) => callActor(categoryTree, categoryTreeActorId, command, nowMs, categoryTreeRejection)

const askCategory = (categoryId: string, command: CategoryCommand, nowMs: number, field?: string): Effect.Effect<Category, ApiError, Actors> =>
  callActor(category, categoryId, command, nowMs, categoryRejection(categoryId, field))

export interface NewCategory {
  readonly category_id: string
  readonly name: string
  readonly parent_id: string | undefined
  readonly attribute_schema: AttributeSchema | undefined
}

const createIn = (entry: CategoryEntry, attributeSchema: AttributeSchema | undefined, nowMs: number) =>
  askCategory(
    entry.category_id,
    {
      _tag: "Create",
      name: entry.name,
      ...(entry.parent_id === null ? {} : { parent_id: entry.parent_id }),
      ...(attributeSchema === undefined ? {} : { attribute_schema: attributeSchema }),
      created_at: new Date(nowMs).toISOString()
    },
    nowMs
  )

const exists = (categoryId: string, nowMs: number) =>
  askCategory(categoryId, { _tag: "Get" }, nowMs).pipe(
    Effect.as(true),
    Effect.catchIf(
      (e) => e.status === 404,
      () => Effect.succeed(false)
    )
  )

/**
 * Create a category. A sibling name held in the tree by a category that was never created (its
 * creator died between the two steps) is taken over by this request, like a half-made signup.
 */
export const createCategory = (input: NewCategory, nowMs: number): Effect.Effect<Category, ApiError, Actors> =>
  Effect.gen(function* () {
    const add: CategoryTreeCommand = {
      _tag: "Add",
      category_id: input.category_id,
      name: input.name,
      ...(input.parent_id === undefined ? {} : { parent_id: input.parent_id })
    }
    const entry = yield* askTree(add, nowMs).pipe(
      Effect.map((reply) => reply as CategoryEntry),
      Effect.catchIf(
        (e) => e.status === 409 && e.details["reason"] === "category_name_taken",
        (taken) =>
          Effect.gen(function* () {
            const holder = taken.details["category"] as CategoryEntry
            if (yield* exists(holder.category_id, nowMs)) return yield* Effect.fail(taken)
            return holder
          })
      )
    )
    return yield* createIn(entry, input.attribute_schema, nowMs)
  })

/** The category a listing names (its attribute schema included); an unknown one is 404 naming `field`. */
export const listingCategory = (categoryId: string, nowMs: number, field = "category_id") => askCategory(categoryId, { _tag: "Get" }, nowMs, field)

export const getCategory = (categoryId: string, nowMs: number) => askCategory(categoryId, { _tag: "Get" }, nowMs)

export const getCategoryTree = (nowMs: number): Effect.Effect<ReadonlyArray<CategoryNode>, ApiError, Actors> =>
  askTree({ _tag: "Get" }, nowMs).pipe(Effect.map((reply) => (reply as { readonly categories: ReadonlyArray<CategoryNode> }).categories))
