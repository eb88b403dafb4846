import { defineConfig } from "vitest/config";

// `npm run test:browser`: the real-browser check of one notebook (Jupyter server +
// headless Chromium). Kept out of `npm test`, which runs notebooks with nbclient.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.browser.test.ts"],
    globalSetup: ["test/globalSetup.ts"],
    env: { NOTEBOOK_BROWSER_TEST: "1" },
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
