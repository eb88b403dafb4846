/**
 * The checker's report: one table row per case (input, expected, got, pass or fail), then the
 * verdict and the hint. HTML with inline styles in a notebook; `showHtml` turns it into
 * readable lines of text in a terminal, so rows and lines are separated by newlines.
 */
import { escapeMarkup } from "../display/format";
import { showHtml } from "../display/show";
import { formatNumber } from "../display/table";
import { CHIPS, FONT_SIZES, HTML_COLORS as C } from "../display/theme";
import { asArray, describeValue } from "./compare";
import { RECORD_MIME, displayBundle, exerciseRecord } from "./record";
import type { Exercise, ExerciseResult } from "./types";

/** Past this many entries an array is cut short with "…": a learner may return a huge one. */
const MAX_ENTRIES = 12;

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
// Colours follow the rule in ../display/theme.ts: JupyterLab's theme variables (light
// fallbacks) on the table and every cell, fixed light "chips" for pass and fail. Sizes in em
// (FONT_SIZES): they grow with Lab's Presentation Mode like the prose around them.
const TABLE_STYLE =
  `border-collapse:collapse;font-family:${FONT};font-size:${FONT_SIZES.text};line-height:1.4;color:${C.text};` +
  `background:${C.background};margin:4px 0;font-variant-numeric:tabular-nums`;
// Baseline: the code columns' smaller monospace text sits on the same line as the rest.
const CELL = `padding:4px 10px;border-bottom:1px solid ${C.rule};text-align:left;vertical-align:baseline;color:${C.text}`;
const HEAD = `${CELL};border-bottom:2px solid ${C.ruleStrong};font-weight:600;background:${C.background}`;
const CODE = `font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:${FONT_SIZES.small}`;
const PASS_COLORS = `color:${CHIPS.pass.text};background:${CHIPS.pass.background}`;
const FAIL_COLORS = `color:${CHIPS.fail.text};background:${CHIPS.fail.background}`;
// A chip never wraps ("✓ pass" on one line); only the colours go on a table cell, whose own
// padding stays (the chip's 0 padding on the "got" cell lifted its value 4 px above the row).
const PASS_CHIP = `${PASS_COLORS};padding:0 4px;border-radius:3px;white-space:nowrap`;
const FAIL_CHIP = `${FAIL_COLORS};padding:0 4px;border-radius:3px;white-space:nowrap`;
// The verdict is a sentence in chip colours: an inline box at most as wide as the output area,
// its text wrapping inside it, where nowrap ran it 1189 px wide past a 572 px output area. (An
// inline span with cloned padding wrapped too, but Chromium left its last padding 3-4 px past
// the box.)
const VERDICT_BOX = "padding:0 4px;border-radius:3px;display:inline-block;max-width:100%;box-sizing:border-box";
const PASS_VERDICT = `${PASS_COLORS};${VERDICT_BOX}`;
const FAIL_VERDICT = `${FAIL_COLORS};${VERDICT_BOX}`;
const LINE = `font-family:${FONT};font-size:${FONT_SIZES.text};margin:4px 0;color:${C.text};background:${C.background}`;

/**
 * A value as the table shows it: numbers by `formatNumber`, arrays in brackets, anything
 * else described in words ("undefined", "a string "0.42"").
 *
 * @example formatValue([[1000, 1001, -Infinity]]) // "[[1000, 1001, -Infinity]]"
 * @example formatValue(["ab", "b"]) // '["ab", "b"]'
 */
export function formatValue(value: unknown, digits = 6, depth = 0): string {
  if (typeof value === "number") return formatNumber(value, digits);
  // Inside an array a string is an input such as a word: shown as code, not described.
  if (typeof value === "string" && depth > 0) return JSON.stringify(value);
  if (typeof value === "boolean") return String(value); // the ECE exercise's verdicts
  if (depth > 3) return "[…]"; // deeper than any answer, or an array that contains itself
  const items = asArray(value);
  if (items === undefined) return describeValue(value);
  const shown = items.slice(0, MAX_ENTRIES).map((v) => formatValue(v, digits, depth + 1));
  if (items.length > MAX_ENTRIES) shown.push(`… ${items.length - MAX_ENTRIES} more`);
  return `[${shown.join(", ")}]`;
}

/**
 * A formatted value (or a case's message) as HTML: escaped, and each negative number and each
 * number with a negative exponent kept whole, so a narrow column breaks `[1, -Infinity]` after
 * its comma, never between "-" and "Infinity", nor `4.2e-18` after its "e-".
 *
 * @example valueHtml("[1, -Infinity]") // '[1, <span style="white-space:nowrap">-Infinity</span>]'
 * @example valueHtml("expected 4.2e-18") // 'expected <span style="white-space:nowrap">4.2e-18</span>'
 */
export function valueHtml(text: string): string {
  return escapeMarkup(text).replace(/-?[\d.]*\de-\d+|-[\w.+]+/g, (token) => `<span style="white-space:nowrap">${token}</span>`);
}

/** The report as HTML: a table of every case, then the verdict and, on failure, the hint. */
export function reportHtml<A extends unknown[]>(exercise: Exercise<A>, result: ExerciseResult): string {
  const caption = `exercises.${exercise.name}: your ${exercise.signature}`;
  const header = ["case", "input", "expected", "got", "result"]
    .map((name) => `<th scope="col" style="${HEAD}">${name}</th>`)
    .join(" ");
  const rows = result.cases.map((c, r) => {
    const input = exercise.argNames.map((name) => `${name} ${formatValue(c.input[name])}`).join(", ");
    const got = c.message?.startsWith("threw") ? "—" : formatValue(c.got);
    const mark = c.passed
      ? `<span style="${PASS_CHIP};font-weight:600">✓ pass</span>`
      : `<span style="${FAIL_CHIP};font-weight:600">✗ fail</span>: ${valueHtml(c.message ?? "")}`;
    const cell = `${CELL};background:${r % 2 === 1 ? C.zebra : C.background}`;
    return (
      `<tr class="${c.passed ? "ce-pass" : "ce-fail"}">` +
      `<td style="${cell};font-weight:600;white-space:nowrap">${escapeMarkup(c.name)}</td> ` +
      `<td style="${cell};${CODE}">${valueHtml(input)}</td> ` +
      `<td style="${cell};${CODE}">${valueHtml(formatValue(c.expected))}</td> ` +
      `<td style="${cell};${CODE}${c.passed ? "" : `;${FAIL_COLORS}`}">${valueHtml(got)}</td> ` +
      `<td style="${cell}">${mark}</td></tr>`
    );
  });
  const chip = result.passed ? PASS_VERDICT : FAIL_VERDICT;
  const hint =
    result.hint === undefined ? "" : `\n<div class="ce-hint" style="${LINE}"><b>Hint:</b> ${escapeMarkup(result.hint)}</div>`;
  return (
    `<div class="ce-exercise">\n<table style="${TABLE_STYLE}">` +
    `<caption style="caption-side:top;text-align:left;font-weight:600;padding:0 0 6px 0;color:${C.text};background:${C.background}">${escapeMarkup(caption)}</caption>\n` +
    `<thead><tr>${header}</tr></thead>\n<tbody>\n${rows.join("\n")}\n</tbody>\n</table>\n` +
    `<div class="ce-verdict" style="${LINE};font-weight:600"><span style="${chip}">${valueHtml(result.verdict)}</span></div>${hint}\n</div>`
  );
}

/**
 * Shows the report: HTML in a tslab notebook, its text in a terminal. In a notebook the same
 * message also carries the machine-readable record (./record.ts) that the grader reads.
 */
export function showReport<A extends unknown[]>(exercise: Exercise<A>, result: ExerciseResult): void {
  const html = reportHtml(exercise, result);
  if (!displayBundle({ "text/html": html, [RECORD_MIME]: exerciseRecord(result) })) showHtml(html);
}
