/**
 * `npm start`: the TypeScript counterpart of the blog's script, in a terminal.
 *
 * Walks the blog's np.random.seed(42) example from logits to the mean loss, one step at a
 * time as danfo tables, then sets our loss beside PyTorch's recorded float32 and float64
 * losses and the blog's own, and says where the blog's gap comes from. Needs no Jupyter
 * and no Python: the PyTorch numbers were recorded in data/reference/blog-example.json.
 */
import { DataFrame } from "danfojs-node";
import { crossEntropySteps } from "../loss/steps";
import { loadBlogExample } from "../course/reference";
import { logitsFrame, matrixFrame, perSampleFrame } from "../display/frames";
import { formatNumber } from "../display/format";

function heading(text: string): void {
  console.log(`\n${text}\n${"─".repeat(text.length)}`);
}

function main(): void {
  const blog = loadBlogExample();
  const steps = crossEntropySteps(blog.logits, blog.targets);

  console.log("Cross-entropy, step by step, on the blog's example");
  console.log(`np.random.seed(${blog.seed}); logits = np.random.randn(3, 4); targets = np.random.randint(0, 4, size=3)`);

  heading("0. Logits (any real numbers) and each row's target class");
  logitsFrame(steps.logits, steps.targets).print();

  heading("1. Subtract each row's maximum, so that exp cannot overflow");
  matrixFrame(steps.shiftedLogits).print();
  console.log(`row maxima: ${steps.rowMaxima.map((m) => formatNumber(m)).join(", ")}`);

  heading("2. Exponentiate: every value lands in (0, 1]");
  matrixFrame(steps.exponentials).print();

  heading("3. Divide by each row's sum: softmax, the probabilities");
  matrixFrame(steps.probabilities).print();

  heading("4. Pick the target's probability and take -log of it: the per-sample loss");
  perSampleFrame(steps).print();

  heading("5. The mean over the batch is the cross-entropy loss");
  console.log(`(${steps.losses.map((l) => formatNumber(l)).join(" + ")}) / ${steps.losses.length} = ${steps.loss}`);

  heading("Ours beside PyTorch and the blog");
  const rows: Array<[string, number]> = [
    ["ours (TypeScript, float64)", steps.loss],
    ["PyTorch float64", blog.torchFloat64Loss],
    ["PyTorch float32", blog.torchFloat32Loss],
    ["blog (numpy, -log(p + 1e-7))", blog.blogLoss],
  ];
  new DataFrame(
    rows.map(([, loss]) => [String(loss), formatNumber(loss - steps.loss, 3)]),
    {
      columns: ["loss", "minus ours"],
      index: rows.map(([name]) => name),
      // Wide enough for all 17 significant digits, which danfo would otherwise cut at 16 characters.
      config: { tableDisplayConfig: { columns: { 0: { width: 28 }, 1: { width: 19 }, 2: { width: 10 } } } },
    },
  ).print();

  const printedGap = blog.blogLoss - blog.torchFloat32Loss;
  const epsilonPart = blog.blogLoss - blog.blogLossWithoutEpsilon;
  const float32Part = blog.torchFloat32Loss - blog.torchFloat64Loss;
  console.log(
    `The blog's printed difference, ${formatNumber(Math.abs(printedGap), 3)}, is its epsilon ` +
      `(-log(p + 1e-7) lowers the loss by ${formatNumber(-epsilonPart, 3)}) less PyTorch's float32 rounding ` +
      `(${formatNumber(-float32Part, 3)} below float64): without the epsilon, numpy's float64 result ` +
      (blog.blogLossWithoutEpsilon === blog.torchFloat64Loss ? "equals" : "is within rounding of") +
      ` PyTorch's float64 loss${steps.loss === blog.torchFloat64Loss ? ", and so does ours, to the last bit" : ""}.`,
  );
}

main();
