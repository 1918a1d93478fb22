import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["{runtime,actors,gateway,storage,loadtest,test,src}/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ["default", "json"],
    outputFile: { json: "node_modules/.vitest-results.json" }
  }
})
