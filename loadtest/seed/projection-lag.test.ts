import { describe, expect, it } from "vitest"
import { projectionLags } from "./projection-lag.ts"

describe("reading projection lag from /metrics", () => {
  it("finds every projection_lag_positions series and ignores the rest", () => {
    const text = [
      "# HELP projection_lag_positions Journal batches a projection is behind, over all shards",
      "# TYPE projection_lag_positions gauge",
      'projection_lag_positions{projection="catalog"} 12',
      'projection_lag_positions{projection="search"} 0',
      'projection_lag_ms{projection="catalog"} 40',
      "actors_resident 10"
    ].join("\n")
    expect([...projectionLags(text)]).toEqual([
      ["catalog", 12],
      ["search", 0]
    ])
    expect(projectionLags("actors_resident 1\n").size).toBe(0)
  })
})
