import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crossEntropySteps, loadBlogExample } from "../src";
import { formatNumber } from "../src/display/format";

// `npm start` runs dist/commands/start.js (built by test/globalSetup.ts) with plain node: no Jupyter, no Python.
describe("npm start", () => {
  const output = execFileSync(process.execPath, [join(__dirname, "..", "dist", "commands", "start.js")], {
    encoding: "utf8",
    env: { ...process.env, PATH: "/nonexistent" },
  });
  const blog = loadBlogExample();
  const steps = crossEntropySteps(blog.logits, blog.targets);

  it("prints every step of the walkthrough as a table", () => {
    for (const title of ["Logits", "maximum", "Exponentiate", "softmax", "-log", "mean"]) expect(output).toContain(title);
    expect(output).toContain("╔");
    expect(output).toContain(formatNumber(steps.rowMaxima[0]));
  });

  it("prints our loss beside PyTorch's float32 and float64 losses and the blog's", () => {
    for (const loss of [steps.loss, blog.torchFloat64Loss, blog.torchFloat32Loss, blog.blogLoss]) {
      expect(output).toContain(String(loss));
    }
    expect(steps.loss).toBe(blog.torchFloat64Loss);
  });

  it("explains the blog's gap with computed parts", () => {
    const gap = formatNumber(Math.abs(blog.blogLoss - blog.torchFloat32Loss), 3);
    expect(output).toContain(`The blog's printed difference, ${gap}, is its epsilon`);
    expect(output).toContain("to the last bit");
  });
});
