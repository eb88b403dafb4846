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
 * The PNG carries the chart's smallest font size (`minFontSize`) as a tEXt chunk, keyword
 * FONT_SIZE_KEYWORD, right after its header: the browser suite reads it from the `<img>` and
 * multiplies it by the displayed / natural width to get the smallest text as rendered.
 * Renders with resvg (npm @resvg/resvg-js: a prebuilt binary inside the registry package,
 * no download at install time) and the machine's fonts. Returns undefined when resvg
 * cannot load, so a chart still shows from its SVG.
 *
 * @example chartPng(barChart({ labels: ["a"], values: [1], title: "p" }))?.width // 560
 */

import { crc32 } from "node:zlib";
import { minFontSize } from "./svg";

/** Pixels per CSS pixel: sharp on a projector and on a high-density screen. */
export const PNG_SCALE = 2;

/** The tEXt keyword under which a chart's PNG records its smallest font size in px. */
export const FONT_SIZE_KEYWORD = "min-font-size";

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
    const png = withText(renderer.render().asPng(), FONT_SIZE_KEYWORD, String(minFontSize(svg)));
    return { png, ...size };
  } catch {
    return undefined;
  }
}

/**
 * The PNG with a tEXt chunk (keyword, NUL, Latin-1 text) inserted after its IHDR chunk.
 * Chunk layout: length (4 bytes, big-endian), type, data, CRC-32 of type and data.
 */
export function withText(png: Buffer, keyword: string, value: string): Buffer {
  const ihdrEnd = 8 + 8 + png.readUInt32BE(8) + 4; // signature, then IHDR: length, type, data, CRC
  const body = Buffer.from(`tEXt${keyword}\0${value}`, "latin1");
  const chunk = Buffer.alloc(body.length + 8);
  chunk.writeUInt32BE(body.length - 4, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(body), body.length + 4);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}

/** The text of a PNG's tEXt chunk with this keyword, or undefined. */
export function pngText(png: Buffer, keyword: string): string | undefined {
  for (let at = 8; at + 8 <= png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString("latin1", at + 4, at + 8);
    if (type === "tEXt") {
      const data = png.toString("latin1", at + 8, at + 8 + length);
      const nul = data.indexOf("\0");
      if (data.slice(0, nul) === keyword) return data.slice(nul + 1);
    }
    if (type === "IEND") return undefined;
    at += 12 + length;
  }
  return undefined;
}
