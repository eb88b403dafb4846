/**
 * Colour scales for the heatmap: a sequential blue ramp for values of one sign
 * (probabilities), and a diverging blue-white-red ramp centred on 0 (gradients), both
 * from ColorBrewer, which were chosen to stay readable for colour-blind readers and in print.
 */

/** ColorBrewer "Blues", light to dark. */
const SEQUENTIAL = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"];
/** ColorBrewer "RdBu" reversed: negative is blue, zero is near-white, positive is red. */
const DIVERGING = ["#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b"];

/**
 * Fill of a cell whose value is NaN or ±Infinity: neutral grey, never a colour from the ramp,
 * light enough that its red label (NON_FINITE, #b3261e) keeps 4.9 to 1.
 */
export const NON_FINITE_FILL = "#dfe3e8";

/**
 * A colour for t in [0, 1] along the chosen ramp (t is clamped), as "#rrggbb".
 *
 * @example rampColor(0, true) // "#2166ac"   rampColor(0.5, true) // "#f7f7f7"
 */
export function rampColor(t: number, diverging: boolean): string {
  const stops = diverging ? DIVERGING : SEQUENTIAL;
  const position = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(position), stops.length - 2);
  const a = rgb(stops[i]);
  const b = rgb(stops[i + 1]);
  const f = position - i;
  return hex(a.map((channel, c) => channel + (b[c] - channel) * f));
}

/**
 * Black or white text, whichever reads better on this background (WCAG relative luminance).
 *
 * @example textColorOn("#08306b") // "#ffffff"
 */
export function textColorOn(background: string): string {
  const [r, g, b] = rgb(background).map((channel) => {
    const s = channel / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // 0.179 is where black and white text have equal contrast against the background.
  return luminance < 0.179 ? "#ffffff" : "#1f2328";
}

function rgb(colour: string): number[] {
  return [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
}

function hex(channels: number[]): string {
  return "#" + channels.map((c) => Math.round(c).toString(16).padStart(2, "0")).join("");
}
