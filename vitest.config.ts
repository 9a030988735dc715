import { defineConfig } from "vitest/config";

// The JSON reporter feeds .ci/run's "N passed, N failed" line: the CI reader
// does not parse vitest's own summary.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["node_modules/**", "dist/**", "bench/**"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" },
  },
});
