import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/globalSetup.ts"],
    // The notebook suite starts real Jupyter kernels; it sets its own per-test timeouts.
    testTimeout: 20_000,
    hookTimeout: 120_000,
  },
});
