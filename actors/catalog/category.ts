import { Schema } from "effect"
import { accept, type ActorDefinition, type Decision, reject } from "../../runtime/actor.ts"
import { commandValidator, Rfc3339Utc, sameJson, Text } from "../accounts/fields.ts"
import { AttributeSchema, canonicalAttributeSchema } from "./attributes.ts"
import { CategoryId } from "./fields.ts"

/**
 * Actor "category", id = the category id (`cat_…`): its name, parent and attribute schema. The
 * product routes read it (`Get`) to check a product's attributes against the schema.
 *
 * Creating a category is two actors: first `Add` it to the category tree (actor
 * "category-tree", see category-tree.ts), which checks the parent and sibling names and is the
 * one that can refuse, then `Create` it here. Both are idempotent, so a retry after a crash
 * between the two completes the pair.
 */

export const CategoryName = Text(100)

export const Category = Schema.Struct({
  status: Schema.Literal("active"),
  category_id: Schema.String,
  name: CategoryName,
  parent_id: Schema.NullOr(CategoryId),
  attribute_schema: Schema.optional(AttributeSchema),
  created_at: Rfc3339Utc
})
export type Category = typeof Category.Type

export const NewCategory = Schema.Struct({ status: Schema.Literal("new"), category_id: Schema.String })
export const CategoryState = Schema.Union(NewCategory, Category)
export type CategoryState = typeof CategoryState.Type

const creation = {
  name: CategoryName,
  parent_id: Schema.optional(CategoryId),
  attribute_schema: Schema.optional(AttributeSchema),
  created_at: Rfc3339Utc
}

export const CategoryCommand = Schema.Union(
  /** The same Create again (created_at aside) replies the category; other data is `category_exists`. */
  Schema.TaggedStruct("Create", creation),
  Schema.TaggedStruct("Get", {})
)
export type CategoryCommand = typeof CategoryCommand.Type

export const CategoryEvent = Schema.TaggedStruct("CategoryCreated", {
  name: CategoryName,
  parent_id: Schema.NullOr(CategoryId),
  attribute_schema: Schema.optional(AttributeSchema),
  created_at: Rfc3339Utc
})
export type CategoryEvent = typeof CategoryEvent.Type

/** The id exists with other data. 409 `conflict`; carries the existing category. */
export class CategoryExists extends Schema.TaggedError<CategoryExists>()("CategoryExists", {
  reason: Schema.Literal("category_exists"),
  category: Category
}) {}
/** `Get` of an id never created. 404 `not_found` (400 when a product names it as its category). */
export class CategoryNotFound extends Schema.TaggedError<CategoryNotFound>()("CategoryNotFound", {
  reason: Schema.Literal("not_found")
}) {}

export const CategoryRejection = Schema.Union(CategoryExists, CategoryNotFound)
export type CategoryRejection = typeof CategoryRejection.Type

const validateCommand = commandValidator("category", CategoryCommand)
const isCategoryId = Schema.is(CategoryId)

export const decideCategory = (state: CategoryState, command: CategoryCommand): Decision<CategoryEvent, Category, CategoryRejection> => {
  validateCommand(command)
  switch (command._tag) {
    case "Get":
      return state.status === "new" ? reject(new CategoryNotFound({ reason: "not_found" })) : accept([], state)
    case "Create": {
      if (!isCategoryId(state.category_id)) throw new Error(`category actor id "${state.category_id}" is not a category id (cat_…)`)
      const parent_id = command.parent_id ?? null
      const attribute_schema = command.attribute_schema === undefined ? undefined : canonicalAttributeSchema(command.attribute_schema)
      if (state.status === "active") {
        const same = sameJson(
          { name: state.name, parent_id: state.parent_id, attribute_schema: state.attribute_schema },
          { name: command.name, parent_id, attribute_schema }
        )
        return same ? accept([], state) : reject(new CategoryExists({ reason: "category_exists", category: state }))
      }
      if (parent_id === state.category_id) throw new Error(`category ${state.category_id}: its own parent`)
      const event: CategoryEvent = {
        _tag: "CategoryCreated",
        name: command.name,
        parent_id,
        ...(attribute_schema !== undefined ? { attribute_schema } : {}),
        created_at: command.created_at
      }
      return accept([event], evolveCategory(state, event) as Category)
    }
  }
}

export const evolveCategory = (state: CategoryState, event: CategoryEvent): CategoryState => {
  if (state.status !== "new") throw new Error(`category ${state.category_id}: created twice`)
  const { _tag, ...data } = event
  return { status: "active", category_id: state.category_id, ...data }
}

export const category: ActorDefinition<CategoryState, CategoryCommand, CategoryEvent, Category, CategoryRejection> = {
  name: "category",
  state: CategoryState,
  command: CategoryCommand,
  event: CategoryEvent,
  reply: Category,
  rejection: CategoryRejection,
  initialState: (id) => ({ status: "new", category_id: id }),
  decide: (state, command) => decideCategory(state, command),
  evolve: evolveCategory,
  limits: { mailboxCapacity: 256, snapshotEveryEvents: 10 }
}
