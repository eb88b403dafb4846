/**
 * Colours that read in JupyterLab Light and Dark, in Notebook 6, in an nbconvert handout and
 * on GitHub, and the WCAG contrast arithmetic that checks them.
 *
 * THE RULE (every table, note and chart in src/display follows it; new ones must too):
 * - HTML output (tables, captions, legends, notes) takes its text and background colours
 *   from JupyterLab's CSS variables, each with the course's light colour as the fallback,
 *   e.g. `color:var(--jp-content-font-color0, #1f2328)`. Lab Light and Lab Dark then paint
 *   their own palette; every other viewer has no such variable and shows the fallback, so
 *   handouts look as before. A text colour from a variable always comes with a background
 *   from a variable on the same element (or on every cell of a table), never with a fixed
 *   one: a sanitiser that drops `var()` then drops both, never only one of them.
 * - Marks that must look the same in every theme (the target highlight, NaN/Infinity) are
 *   "chips": a FIXED light background and a FIXED dark text colour, chosen together.
 * - SVG charts reach JupyterLab 4 as an `<img>`, where no page CSS or variable can reach, so
 *   a chart is a light card (`CARD`, with its own border) with fixed colours; every text
 *   colour on it passes 4.5 against the card (test/display/theme.test.ts measures each chart).
 */

/** Relative luminance of "#rrggbb" (WCAG 2.x). */
export function luminance(colour: string): number {
  if (!/^#[0-9a-f]{6}$/i.test(colour)) throw new RangeError(`luminance: colour = ${JSON.stringify(colour)} is not "#rrggbb"`);
  const channels = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((s) => (s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4)));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * WCAG contrast ratio of two "#rrggbb" colours, from 1 (same) to 21 (black on white).
 *
 * @example contrastRatio("#000000", "#ffffff") // 21
 */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** `var(--name, fallback)`: JupyterLab's colour where there is one, the course's elsewhere. */
function jp(name: string, fallback: string): string {
  return `var(--jp-${name}, ${fallback})`;
}

/** Theme-following colours for HTML output (see the rule above). */
export const HTML_COLORS = {
  /** Main text: black in Lab Light, white in Lab Dark, GitHub's near-black elsewhere. */
  text: jp("content-font-color0", "#1f2328"),
  /** Secondary text (index labels, legends, missing values): 0.87 alpha in Lab. */
  muted: jp("ui-font-color1", "#57606a"),
  /** Background of plain rows. */
  background: jp("layout-color0", "#ffffff"),
  /** Background of every other row. */
  zebra: jp("rendermime-table-row-background", "#f6f8fa"),
  /** Background of a code block: Lab's code-cell grey, GitHub's elsewhere. */
  code: jp("cell-editor-background", "#f6f8fa"),
  /** Row rules and the header rule. */
  rule: jp("border-color2", "#d0d7de"),
  ruleStrong: jp("border-color1", "#57606a"),
} as const;

/** Fixed chips: same colours in every theme, each pair at least 4.5 apart. */
export const CHIPS = {
  highlight: { background: "#ffe08a", text: "#1f2328", outline: "#a67c00" },
  nonFinite: { background: "#ffebe9", text: "#b3261e" },
  /** A checker's pass and fail marks (src/exercises/report.ts). */
  pass: { background: "#dafbe1", text: "#116329" },
  fail: { background: "#ffebe9", text: "#b3261e" },
} as const;

/**
 * Font sizes of HTML output, relative to the output's own text (Lab's
 * `--jp-content-font-size1`, 14 px; 17 px in Presentation Mode; 14 px in Notebook 6), so
 * tables grow with Lab's font settings exactly as prose does. `em`, not `var()`: it needs
 * nothing from the page, and a sanitiser keeps it.
 */
export const FONT_SIZES = {
  /** Tables, captions, notes, the checker's verdict: 13 px beside 14 px prose. */
  text: "0.93em",
  /** Code inside such a block: 12 px beside its 13 px. */
  small: "0.92em",
  /** A legend under a table, beside the prose: 12 px beside 14 px. */
  note: "0.86em",
} as const;

/** The light card every SVG chart is drawn on. */
export const CARD = { background: "#ffffff", border: "#d0d7de" } as const;
