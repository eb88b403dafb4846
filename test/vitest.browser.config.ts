import { defineConfig } from "vitest/config";

// `npm run test:browser`: every notebook in a real page (JupyterLab 4 Light and Dark,
// Notebook 6; a Jupyter server + headless Chromium), about 20-45 s per notebook and front
// end here. Kept out of `npm test`, which runs notebooks with nbclient.
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
