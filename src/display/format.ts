/**
 * Turning values into text for the screen: numbers in a fixed number of significant
 * digits, and markup-safe strings. Shared by the HTML tables and the SVG charts so a
 * number reads the same in a table cell, on a bar and on an axis tick.
 */

/** Integers below this magnitude print in full; past it they switch to exponent notation. */
const FULL_INTEGER_LIMIT = 1e15;

/** Below this magnitude a non-zero number switches to exponent notation (C's `%g` rule). */
const SMALL_LIMIT = 1e-4;

/**
 * A number in `digits` significant digits, like C's `%g` but spelt the JavaScript way.
 *
 * number -> string; integers print in full (up to 1e15), trailing zeros are dropped,
 * |x| < 1e-4 or |x| >= 10^digits switch to exponent notation.
 *
 * - `-0` prints as `0`: a table of stable softmax inputs is full of `x - max(x)` zeros,
 *   and a stray minus sign there would look like a bug the lesson has to explain.
 * - `Infinity`, `-Infinity` and `NaN` print as JavaScript prints them, because those are
 *   exactly what the learner will see from `console.log` when the maths breaks.
 * - Exponents keep JavaScript's own form (`1e+30`, `2.06e-9`) so the notebook table and
 *   `console.log` agree.
 *
 * @example formatNumber(Math.LN10) // "2.30259"
 * @example formatNumber(2.0611536e-9) // "2.06115e-9"
 * @example formatNumber(1e30) // "1e+30"
 * @example formatNumber(1000) // "1000"
 * @example formatNumber(1 / 3, 3) // "0.333"
 */
export function formatNumber(x: number, digits = 6): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > 21) {
    throw new RangeError(`formatNumber: digits = ${digits} is out of range: expected an integer in [1, 21]`);
  }
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return "0"; // also -0, see above
  const magnitude = Math.abs(x);
  if (Number.isInteger(x) && magnitude < FULL_INTEGER_LIMIT) return String(x);
  if (magnitude < SMALL_LIMIT) return exponential(x, digits);
  const fixed = x.toPrecision(digits);
  // toPrecision itself switches to exponent notation once the integer part has more
  // than `digits` digits; normalise that to the same spelling as the small numbers.
  if (fixed.includes("e")) return exponential(x, digits);
  return trimZeros(fixed);
}

function exponential(x: number, digits: number): string {
  const [mantissa, exponent] = x.toExponential(digits - 1).split("e");
  return `${trimZeros(mantissa)}e${exponent}`;
}

/** "0.500000" -> "0.5", "2.00" -> "2"; leaves integers such as "100" alone. */
function trimZeros(text: string): string {
  if (!text.includes(".")) return text;
  return text.replace(/0+$/, "").replace(/\.$/, "");
}

/**
 * Escapes text for HTML and for XML (SVG), in element content and in quoted attributes.
 * Control characters that XML cannot carry at all become U+FFFD.
 *
 * @example escapeMarkup(`<b>"A" & 'B'</b>`) // "&lt;b&gt;&quot;A&quot; &amp; &#39;B&#39;&lt;/b&gt;"
 */
export function escapeMarkup(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")
    // XML 1.0 forbids these control characters even when escaped; show a visible stand-in.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "\uFFFD");
}
