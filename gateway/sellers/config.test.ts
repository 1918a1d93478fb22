import { describe, expect, it } from "vitest"
import { catalogWriteConfigFromEnv } from "./config.ts"
import { categoryIdFor, productIdFor, skuIdFor } from "./ids.ts"

describe("catalog write config", () => {
  it("STORE_CURRENCY defaults to INR and must be an upper-case ISO 4217 code", () => {
    expect(catalogWriteConfigFromEnv({})).toEqual({ storeCurrency: "INR" })
    expect(catalogWriteConfigFromEnv({ STORE_CURRENCY: "" })).toEqual({ storeCurrency: "INR" })
    expect(catalogWriteConfigFromEnv({ STORE_CURRENCY: "EUR" })).toEqual({ storeCurrency: "EUR" })
    for (const bad of ["eur", "EURO", "E1R", " EUR"]) expect(() => catalogWriteConfigFromEnv({ STORE_CURRENCY: bad })).toThrow(/STORE_CURRENCY/)
  })
})

describe("minted catalog ids", () => {
  it("are random (22 base64url characters) without an Idempotency-Key", () => {
    const a = productIdFor("u_a", undefined)
    expect(a).toMatch(/^p_[A-Za-z0-9_-]{22}$/)
    expect(productIdFor("u_a", undefined)).not.toBe(a)
    expect(categoryIdFor("u_a", undefined)).toMatch(/^cat_[A-Za-z0-9_-]{22}$/)
    expect(skuIdFor("u_a", undefined, a, 0)).toMatch(/^sku_[A-Za-z0-9_-]{22}$/)
  })

  it("are derived from (user, key, what) with one, so a retry names the same objects", () => {
    expect(productIdFor("u_a", "k1")).toBe(productIdFor("u_a", "k1"))
    expect(productIdFor("u_a", "k1")).not.toBe(productIdFor("u_b", "k1"))
    expect(productIdFor("u_a", "k1")).not.toBe(productIdFor("u_a", "k2"))
    expect(categoryIdFor("u_a", "k1").slice(4)).not.toBe(productIdFor("u_a", "k1").slice(2))
    const skus = [0, 1, 2].map((i) => skuIdFor("u_a", "k1", "p_1", i))
    expect(new Set(skus).size).toBe(3)
    expect(skuIdFor("u_a", "k1", "p_1", 1)).toBe(skus[1])
    expect(skuIdFor("u_a", "k1", "p_2", 1)).not.toBe(skus[1])
  })
})
