/**
 * The perplexity exercise: fn(losses: number[]) => number, the perplexity of a text from the
 * loss (nats) of each of its tokens: e to the MEAN loss. Taught in notebooks/04-why-cross-entropy.ipynb.
 */
import { perplexity } from "../loss/units";
import type { Exercise } from "./types";

type Args = [losses: number[]];

const mean = (losses: number[]): number => losses.reduce((sum, l) => sum + l, 0) / losses.length;

export const perplexityExercise: Exercise<Args> = {
  name: "perplexity",
  signature: "fn(losses: number[]) => number",
  argNames: ["losses"],
  cases: [
    { name: "one token at chance, 27 characters", args: [[Math.log(27)]] },
    { name: "one token, loss 2.1", args: [[2.1]] },
    { name: "four tokens", args: [[1.2, 0.3, 2.5, 0.9]] },
    { name: "perfect predictions", args: [[0, 0, 0]] },
    { name: "one bad token among good ones", args: [[0.1, 0.1, 0.1, 6]] },
    { name: "a 50-token text", args: [Array.from({ length: 50 }, (_, i) => 1.5 + Math.sin(i))] },
  ],
  expected: (losses) => perplexity(mean(losses)),
  mistakes: [
    {
      name: "2 to the loss",
      output: ([losses]) => 2 ** mean(losses),
      hint:
        "You raised 2 to the loss, but the losses are in nats (natural log): perplexity = e^loss = Math.exp(mean). " +
        "2^loss is right only for a loss in bits.",
    },
    {
      name: "mean of the per-token perplexities",
      output: ([losses]) => mean(losses.map(Math.exp)),
      hint:
        "You averaged e^loss over the tokens. Perplexity is e to the MEAN loss: average the losses first, " +
        "then take Math.exp once. (One bad token would otherwise outweigh all the good ones.)",
    },
    {
      name: "e to the sum",
      output: ([losses]) => Math.exp(losses.reduce((sum, l) => sum + l, 0)),
      hint: "You took e to the SUM of the losses: perplexity is per token, e to the mean loss.",
    },
    {
      name: "the mean loss itself",
      output: ([losses]) => mean(losses),
      hint: "You returned the mean loss, in nats. Perplexity turns it into a number of choices: Math.exp(mean loss).",
    },
    {
      name: "e to minus the loss",
      output: ([losses]) => Math.exp(-mean(losses)),
      hint:
        "e^(−loss) is the geometric mean of the probabilities, a number below 1. Perplexity is its inverse, " +
        "e^(+mean loss): at least 1, and C for a uniform guess over C classes.",
    },
    {
      name: "10 to the loss",
      output: ([losses]) => 10 ** mean(losses),
      hint: "You raised 10 to the loss, but the losses are in nats: perplexity = Math.exp(mean loss).",
    },
  ],
};
