/**
 * The README's benchmark blocks, one per machine: `npm run bench -- --readme` writes the block
 * of the machine it runs on, between `<!-- bench SLUG:start -->` and `<!-- bench SLUG:end -->`
 * (SLUG from the CPU model), and leaves the other machines' blocks as they are.
 */
import { blockMarkers, replaceReadmeBlock } from "../shared/readmeBlock";

/**
 * The name of a machine's block: "bench " and its CPU model in lower case, letters and digits
 * only ("Intel(R) Xeon(R) Processor" → "bench intel-xeon-processor"). Two machines that report
 * the same model share a block: the later run replaces the earlier's figures.
 */
export function benchBlockName(cpu: string): string {
  const slug = cpu.toLowerCase().replace(/\((r|tm)\)/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  return `bench ${slug || "unknown-cpu"}`;
}

/** The end marker of every machine's block (not `bench-linear`'s: a space after "bench"). */
const MACHINE_BLOCK_END = /<!-- bench [a-z0-9-]+:end -->\n?/g;
/** The single block of the README before it held one per machine. */
const [OLD_START, OLD_END] = blockMarkers("bench");

/**
 * `readme` with the block of the machine named `cpu` replaced by `block`; a machine without one
 * gets a new block right after the last machine's, so the machines' figures stand side by side.
 * @throws Error when the README still holds the single block of before (naming the markers to
 * rename it to), has no machine's block at all, or holds this machine's markers twice or out of order.
 */
export function replaceBenchBlock(readme: string, block: string, cpu: string): string {
  const name = benchBlockName(cpu);
  const [start, end] = blockMarkers(name);
  if (readme.includes(OLD_START) || readme.includes(OLD_END)) {
    throw new Error(`the README holds the old "${OLD_START}" … "${OLD_END}" block: rename its markers after the machine it was measured on (this machine's: "${start}" … "${end}")`);
  }
  if (readme.includes(start) || readme.includes(end)) return replaceReadmeBlock(readme, name, block);
  const ends = [...readme.matchAll(MACHINE_BLOCK_END)];
  const last = ends[ends.length - 1];
  if (!last || last.index === undefined) {
    throw new Error(`the README has no machine's benchmark block ("<!-- bench MACHINE:start -->" … "<!-- bench MACHINE:end -->") after which to add "${start}"`);
  }
  const at = last.index + last[0].length;
  return `${readme.slice(0, at)}\n${start}\n\n${block.trim()}\n\n${end}\n${readme.slice(at)}`;
}
