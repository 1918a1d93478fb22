import type { AttributeIssue } from "../../actors/catalog/attributes.ts"
import type { CategoryRejection } from "../../actors/catalog/category.ts"
import type { CategoryTreeRejection } from "../../actors/catalog/category-tree.ts"
import type { ProductRejection } from "../../actors/catalog/product.ts"
import type { SellerRejection } from "../../actors/catalog/seller.ts"
import { ApiError, conflict, notFound, unprocessable } from "../api-error.ts"

/** What the catalog actors' rejections mean to a client (API.md error shapes). */

export const noSeller = (sellerId: string) => notFound(`no such seller: ${sellerId}`)
export const noProduct = () => notFound("no such product")

export const sellerRejection =
  (sellerId: string) =>
  (r: SellerRejection): ApiError => {
    switch (r.reason) {
      case "not_found":
        return noSeller(sellerId)
      case "already_registered":
        return conflict("conflict", "this account is registered as a seller already, with other details", { seller: r.seller })
    }
  }

/**
 * An id named in a body that does not exist: 404 `not_found`, as for another user's id in a body
 * (API.md), with the field in `details.field`.
 */
export const unknownIdIn = (field: string, id: string, what: string) =>
  new ApiError({ status: 404, code: "not_found", message: `no such ${what}: ${id}`, details: { field, [field]: id } })

export const categoryTreeRejection = (r: CategoryTreeRejection): ApiError => {
  switch (r.reason) {
    case "category_exists":
      return conflict("conflict", `category ${r.category.category_id} already exists with another name or parent`, { reason: r.reason, category: r.category })
    case "category_name_taken":
      return conflict("conflict", `a category named "${r.category.name}" already exists under this parent`, { reason: r.reason, category: r.category })
    case "parent_not_found":
      return unknownIdIn("parent_id", r.parent_id, "parent category")
    case "category_limit":
      return unprocessable("category_limit", `a store may have at most ${r.limit} categories`, { limit: r.limit })
    case "category_too_deep":
      return unprocessable("category_too_deep", `categories nest at most ${r.limit} levels deep`, { limit: r.limit })
  }
}

export const categoryRejection =
  (categoryId: string, field?: string) =>
  (r: CategoryRejection): ApiError => {
    switch (r.reason) {
      case "not_found":
        return field === undefined ? notFound(`no such category: ${categoryId}`) : unknownIdIn(field, categoryId, "category")
      case "category_exists":
        return conflict("conflict", `category ${categoryId} already exists with other details`, { category: r.category })
    }
  }

/** Attribute problems as `invalid_request` issues, with paths into the body like the decoder's (`body.skus.0.attributes.ram_gb`). */
export const invalidAttributes = (issues: ReadonlyArray<AttributeIssue>): ApiError =>
  new ApiError({
    status: 400,
    code: "invalid_request",
    message: "the attributes do not match the category's attribute schema",
    details: { issues: issues.map((i) => ({ path: ["body", ...i.path.map(String)].join("."), message: i.message, code: i.code })) }
  })

export const productRejection = (r: ProductRejection): ApiError => {
  switch (r.reason) {
    case "not_found":
    case "not_owner":
      return noProduct()
    case "product_exists":
      // Product ids are derived from the Idempotency-Key: another listing under the same id is a reused key.
      return unprocessable("idempotency_key_reused", "this Idempotency-Key was used for a different product", {})
    case "invalid_attributes":
      return invalidAttributes(r.issues)
  }
}
