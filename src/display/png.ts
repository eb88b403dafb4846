/**
 * A PNG rendering of a chart, sent beside its SVG so that a notebook handed out with its
 * outputs still shows every chart.
 *
 * Why: a received notebook is untrusted, and JupyterLab 4 (rendermime: the SVG renderer is
 * not "safe", the PNG renderer is) and Notebook 6 both drop untrusted SVG outputs without a
 * word, but show an untrusted PNG. A display bundle holding both is drawn from the SVG when
 * trusted (SVG outranks PNG) and from the PNG when not.
 *
 * svg (as built by svgDocument) -> { png: 2x pixels, width, height: the natural size in CSS px }
 * Renders with resvg (npm @resvg/resvg-js: a prebuilt binary inside the registry package,
 * no download at install time) and the machine's fonts. Returns undefined when resvg
 * cannot load, so a chart still shows from its SVG.
 *
 * @example chartPng(barChart({ labels: ["a"], values: [1], title: "p" }))?.width // 640
 */

/** Pixels per CSS pixel: sharp on a projector and on a high-density screen. */
export const PNG_SCALE = 2;

interface ResvgModule {
  Resvg: new (svg: string, options: object) => { render(): { asPng(): Buffer } };
}

let resvg: ResvgModule | null | undefined;

function loadResvg(): ResvgModule | null {
  if (resvg === undefined) {
    try {
      resvg = require("@resvg/resvg-js") as ResvgModule;
    } catch {
      resvg = null;
    }
  }
  return resvg;
}

/** The natural size svgDocument records in data-width / data-height (else the viewBox). */
export function naturalSize(svg: string): { width: number; height: number } | undefined {
  const root = /^<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  const width = Number(/\sdata-width="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\sdata-height="([\d.]+)"/.exec(root)?.[1]);
  if (width > 0 && height > 0) return { width, height };
  const box = /\sviewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"/.exec(root);
  return box ? { width: Number(box[1]), height: Number(box[2]) } : undefined;
}

/** The chart as PNG bytes at PNG_SCALE, with its natural size; undefined without resvg or a size. */
export function chartPng(svg: string): { png: Buffer; width: number; height: number } | undefined {
  const module = loadResvg();
  const size = naturalSize(svg);
  if (!module || !size) return undefined;
  try {
    const renderer = new module.Resvg(svg, {
      fitTo: { mode: "width", value: Math.round(size.width * PNG_SCALE) },
      font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
    });
    return { png: renderer.render().asPng(), ...size };
  } catch {
    return undefined;
  }
}
