import { Effect, Schema } from "effect"
import { AttributeSchema } from "../../actors/catalog/attributes.ts"
import { CategoryName } from "../../actors/catalog/category.ts"
import { categoryTreeLimits } from "../../actors/catalog/category-tree.ts"
import { CategoryId } from "../../actors/catalog/fields.ts"
import type { Actors } from "../../runtime/service.ts"
import { type AnyRoute, commonErrors, route } from "../route.ts"
import { createCategory, getCategory, getCategoryTree } from "../sellers/categories.ts"
import { categoryIdFor } from "../sellers/ids.ts"
import { CategoryTree, categoryTreeOf, CategoryView, categoryOf } from "../sellers/views.ts"

/**
 * Categories over HTTP (API.md, "Catalog and search", "Sellers and operations"): operators create
 * them, with an optional attribute schema that every product listed in the category must satisfy;
 * anyone reads the tree and a category's schema.
 */

const CreateCategoryBody = Schema.Struct({
  category_id: Schema.optional(CategoryId).annotations({
    description: "chosen by the operator (`cat_…`, stable ids for seeding); minted when omitted. The same id with the same data again is 201 with the category."
  }),
  name: CategoryName,
  parent_id: Schema.optional(CategoryId).annotations({ description: "absent: a top-level category. An unknown parent is 404 not_found." }),
  attribute_schema: Schema.optional(AttributeSchema).annotations({
    description:
      '{"<name>": {"type": "string" | "number" | "boolean" | "enum", "values"?: [...] (enum only), "required"?: true}}; names match [a-z][a-z0-9_]{0,39}. Absent: attributes are free-form.'
  })
})

const CategoryParams = Schema.Struct({ category_id: CategoryId })

export const categoryRoutes = (): ReadonlyArray<AnyRoute<Actors>> => [
  route({
    operationId: "createCategory",
    method: "post",
    path: "/v1/admin/categories",
    summary: `Create a category (at most ${categoryTreeLimits.maxCategories}, nested at most ${categoryTreeLimits.maxDepth} deep). A sibling with the same name (case-insensitive) is 409 conflict.`,
    tags: ["catalog"],
    access: ["admin"],
    rateClass: "write",
    idempotency: "optional",
    body: CreateCategoryBody,
    success: { status: 201, schema: CategoryView, description: "the category" },
    errors: [
      ...commonErrors,
      [401, "unauthenticated"],
      [403, "forbidden"],
      [404, "not_found"],
      [409, "conflict"],
      [422, "category_limit"],
      [422, "category_too_deep"],
      [422, "idempotency_key_reused"]
    ],
    handler: (r) =>
      createCategory(
        {
          category_id: r.body.category_id ?? categoryIdFor(r.caller!.userId, r.idempotencyKey),
          name: r.body.name,
          parent_id: r.body.parent_id,
          attribute_schema: r.body.attribute_schema
        },
        r.nowMs
      ).pipe(Effect.map((c) => ({ body: categoryOf(c) })))
  }),
  route({
    operationId: "listCategories",
    method: "get",
    path: "/v1/categories",
    summary: "Every category as a tree: top-level categories, each with its children, in creation order",
    tags: ["catalog"],
    access: "public",
    rateClass: "read",
    idempotency: "none",
    success: { status: 200, schema: CategoryTree, description: "the category tree" },
    errors: commonErrors,
    handler: (r) => getCategoryTree(r.nowMs).pipe(Effect.map((roots) => ({ body: categoryTreeOf(roots) })))
  }),
  route({
    operationId: "getCategory",
    method: "get",
    path: "/v1/categories/{category_id}",
    summary: "One category with its attribute schema (what a product listed in it must satisfy)",
    tags: ["catalog"],
    access: "public",
    rateClass: "read",
    idempotency: "none",
    params: CategoryParams,
    success: { status: 200, schema: CategoryView, description: "the category" },
    errors: [...commonErrors, [404, "not_found"]],
    handler: (r) => getCategory(r.params.category_id, r.nowMs).pipe(Effect.map((c) => ({ body: categoryOf(c) })))
  })
]
