import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The real-browser test has its own command, npm run test:browser.
    exclude: ["test/browser/**", "**/node_modules/**"],
    globalSetup: ["test/globalSetup.ts"],
    // The notebook suite starts real Jupyter kernels; it sets its own per-test timeouts.
    testTimeout: 20_000,
    hookTimeout: 120_000,
  },
});
