import { beauty } from "./beauty.ts"
import { books } from "./books.ts"
import { electronics } from "./electronics.ts"
import { fashion } from "./fashion.ts"
import { grocery } from "./grocery.ts"
import { home } from "./home.ts"
import type { LeafCategory, TopCategory } from "./kit.ts"
import { sports } from "./sports.ts"

export type { LeafCategory, ProductDraft, TopCategory, VariantDraft } from "./kit.ts"

/** The demo catalog's category tree, top-level categories in display order. */
export const taxonomy: ReadonlyArray<TopCategory> = [electronics, fashion, grocery, home, books, sports, beauty]

/** Every leaf with its parent's id, in tree order. Products are listed in leaves only. */
export const leafCategories: ReadonlyArray<LeafCategory & { readonly parent_id: string }> = taxonomy.flatMap((top) =>
  top.leaves.map((leaf) => ({ ...leaf, parent_id: top.category_id }))
)
