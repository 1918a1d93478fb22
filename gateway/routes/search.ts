import { Effect, Schema } from "effect"
import { filterLimits } from "../catalog/search-filters.ts"
import { searchLimits } from "../catalog/search-plan.ts"
import type { SearchService } from "../catalog/search-service.ts"
import { type AnyRoute, commonErrors, route } from "../route.ts"
import { rawJson, storageDown } from "./products.ts"

/**
 * `GET /v1/search` and `GET /v1/search/autocomplete` (API.md, "Catalog and search", "Search").
 * Both answer pre-serialized JSON; the schemas here document it.
 */

const Status = Schema.Literal("in_stock", "low_stock", "out_of_stock")
const ValueCount = Schema.Struct({ value: Schema.String, count: Schema.Number })

const ProductSummary = Schema.Struct({
  product_id: Schema.String,
  title: Schema.String,
  price: Schema.Number.annotations({ description: "the lowest SKU price, minor units" }),
  currency: Schema.String,
  stock_status: Status.annotations({ description: "the best status among the SKUs (units: GET /v1/products/{product_id})" }),
  seller_id: Schema.String,
  rating: Schema.Number,
  review_count: Schema.Number,
  brand: Schema.String,
  category_id: Schema.String,
  image: Schema.NullOr(Schema.String).annotations({ description: "the first image, if any" })
}).annotations({ identifier: "ProductSummary" })

const SearchResults = Schema.Struct({
  results: Schema.Array(ProductSummary),
  total: Schema.Number.annotations({ description: "products matching the query and filters" }),
  facets: Schema.Struct({
    brand: Schema.Array(ValueCount).annotations({ description: "most frequent first (at most SEARCH_FACET_VALUES)" }),
    category: Schema.Array(ValueCount).annotations({ description: "category ids, most frequent first (at most SEARCH_FACET_VALUES)" }),
    price: Schema.Array(Schema.Struct({ min: Schema.Number, max: Schema.Number, count: Schema.Number })).annotations({
      description: "half-open buckets [min, max) in minor units, ascending; empty buckets are left out"
    }),
    stock_status: Schema.Array(ValueCount)
  }),
  page: Schema.Number,
  page_size: Schema.Number
}).annotations({ identifier: "SearchResults" })

const Suggestions = Schema.Struct({
  suggestions: Schema.Array(
    Schema.Struct({
      text: Schema.String.annotations({ description: "the suggested completion: a category name, a brand or a product title" }),
      product_id: Schema.optional(Schema.String).annotations({ description: "set when the suggestion is a product title" })
    })
  )
}).annotations({ identifier: "Suggestions" })

const positiveInt = (max: number) => Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, max))

const SearchQuery = Schema.Struct({
  q: Schema.optional(Schema.String.pipe(Schema.maxLength(searchLimits.maxQueryLength))).annotations({
    description: `words to find (at most ${searchLimits.maxQueryLength} characters, ${searchLimits.maxQueryWords} words); typo tolerant (one edit in words of 5+ letters); empty: list by the filters`
  }),
  filters: Schema.optional(Schema.String.pipe(Schema.maxLength(filterLimits.maxLength))).annotations({
    description:
      "conditions separated by `,`, all of which must hold: `name:value` (equals; `a|b` for either), `name:<v`, `name:>v` (strict), `name:<=v`, `name:>=v` (inclusive); " +
      "names and values case-insensitive. Fields: brand, category (an id or a name; includes subcategories), seller, price (minor units), rating (0..5), " +
      "in_stock (true/false), stock_status, or an attribute name of a listed product. Example: `brand:sony|bose,price:<15000`"
  }),
  sort: Schema.optional(Schema.Literal("relevance", "price_asc", "price_desc", "rating", "newest")).annotations({
    description: "default relevance (without q: newest first)"
  }),
  page: Schema.optional(positiveInt(searchLimits.maxResultWindow)).annotations({ description: "from 1" }),
  page_size: Schema.optional(positiveInt(searchLimits.maxPageSize)).annotations({
    description: `default ${searchLimits.defaultPageSize}, at most ${searchLimits.maxPageSize}; page × page_size ≤ ${searchLimits.maxResultWindow}`
  })
})

const AutocompleteQuery = Schema.Struct({
  q: Schema.String.pipe(Schema.maxLength(searchLimits.maxQueryLength)).annotations({ description: "what the shopper has typed so far" })
})

export const searchRoutes = (deps: { readonly search: SearchService }): ReadonlyArray<AnyRoute> => [
  route({
    operationId: "search",
    method: "get",
    path: "/v1/search",
    summary: "Search products: relevance-ranked full text with typo tolerance, filters, facets, sorting and pages (may lag the catalog by up to 1 s)",
    tags: ["catalog"],
    access: "optional",
    rateClass: "read",
    idempotency: "none",
    query: SearchQuery,
    success: { status: 200, schema: SearchResults, description: "a page of results with the total and facets" },
    errors: [...commonErrors],
    handler: (r) =>
      deps.search
        .search(
          {
            q: r.query.q ?? "",
            filters: r.query.filters,
            sort: r.query.sort ?? "relevance",
            page: r.query.page ?? 1,
            pageSize: r.query.page_size ?? searchLimits.defaultPageSize
          })
        .pipe(
          Effect.catchTag("StorageUnavailable", (e) => Effect.fail(storageDown(e))),
          Effect.map(rawJson)
        )
  }),
  route({
    operationId: "autocomplete",
    method: "get",
    path: "/v1/search/autocomplete",
    summary: "Suggestions for what is being typed: category names, brands and product titles with a word starting with each word typed",
    tags: ["catalog"],
    access: "optional",
    rateClass: "read",
    idempotency: "none",
    query: AutocompleteQuery,
    success: { status: 200, schema: Suggestions, description: "at most 10 suggestions" },
    errors: [...commonErrors],
    handler: (r) => Effect.sync(() => rawJson(deps.search.autocomplete(r.query.q)))
  })
]
