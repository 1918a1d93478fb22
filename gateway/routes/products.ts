import { Effect, Schema } from "effect"
import type { StorageUnavailable } from "../../runtime/errors.ts"
import type { Actors } from "../../runtime/service.ts"
import { type ApiError, notFound, unavailable } from "../api-error.ts"
import { recordProductView } from "../cart/recently-viewed.ts"
import type { ProductCache } from "../catalog/product-cache.ts"
import { ProductView } from "../catalog/product-view.ts"
import { type AnyRoute, commonErrors, route } from "../route.ts"

/**
 * `GET /v1/products/{product_id}` (API.md, "Catalog and search"): served from the product cache
 * as pre-serialized JSON; a miss reads the Postgres read model once. Reads may lag writes by up
 * to ~1 s (the catalog projection). An id that is not a product id is 404 like an unknown one.
 * A signed-in shopper's view of an existing product is added to their recently viewed list in
 * the background (the answer does not wait for it).
 */

const productIdPattern = /^p_[A-Za-z0-9_-]{1,64}$/
const ProductParams = Schema.Struct({ product_id: Schema.String.pipe(Schema.maxLength(200)) })

/** A reply of pre-serialized JSON (the route's schema documents it; nothing is encoded again). */
export const rawJson = (text: string) => ({ body: undefined as never, raw: { contentType: "application/json; charset=utf-8", text } })
const noProduct = () => notFound("no such product")

export const storageDown = (e: StorageUnavailable): ApiError => unavailable(`the catalog is unavailable: ${e.message}`, 1)

export const productRoutes = (deps: { readonly products: ProductCache }): ReadonlyArray<AnyRoute<Actors>> => [
  route({
    operationId: "getProduct",
    method: "get",
    path: "/v1/products/{product_id}",
    summary: "A product page: listing, SKUs with stock, lowest price, total stock and delivery estimate (may lag writes by up to 1 s)",
    tags: ["catalog"],
    access: "optional",
    rateClass: "read",
    idempotency: "none",
    params: ProductParams,
    success: { status: 200, schema: ProductView, description: "the product" },
    errors: [...commonErrors, [404, "not_found"]],
    handler: (r) => {
      const id = r.params.product_id
      if (!productIdPattern.test(id)) return Effect.fail(noProduct())
      const found = (json: string) =>
        r.caller === undefined ? Effect.succeed(rawJson(json)) : Effect.as(Effect.forkDaemon(recordProductView(r.caller, id, r.nowMs)), rawJson(json))
      const hit = deps.products.peek(id)
      if (hit !== undefined) return found(hit.json)
      return deps.products.get(id).pipe(
        Effect.mapError(storageDown),
        Effect.flatMap((p) => (p === null ? Effect.fail(noProduct()) : found(p.json)))
      )
    }
  })
]
