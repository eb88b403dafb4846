// What the browser test reads from a notebook page, as page-side code. Passed as strings:
// test transforms may add helpers to functions that would not exist in the page.
import { FONT_SIZE_KEYWORD } from "../../src/display/png";

/** One text run whose contrast was measured. */
export interface ContrastSample {
  ratio: number;
  text: string;
  color: string;
  background: string;
}

export interface OutputReport {
  /** Text runs measured in the outputs, and the five lowest. */
  textRuns: number;
  worst: ContrastSample[];
  /** Every chart output: how it rendered and how wide it is against its output area. */
  charts: Array<{
    kind: "svg" | "png" | "text";
    loaded: boolean;
    /** Displayed width and height in CSS px, and the chart's natural (designed) size. */
    width: number;
    height: number;
    naturalWidth: number;
    naturalHeight: number;
    area: number;
    title: string;
    /**
     * Smallest text on the chart as rendered: its smallest font size x displayed width /
     * natural width. The font size comes from the SVG's source, or from the PNG's tEXt chunk
     * FONT_SIZE_KEYWORD (src/display/png.ts); 0 when the chart carries neither.
     */
    minFontPx: number;
  }>;
  /** Tables wider than their output area: [table width, area width]. */
  wideTables: Array<[number, number]>;
  tables: number;
}

/**
 * Page-side: measures every output of the notebook.
 * - contrast: every visible text node inside an output, its computed colour against the
 *   backgrounds composited beneath it (alpha blended up from the page), WCAG 2 ratio.
 *   Decorative marks (aria-hidden) and SVG text drawn inline (Notebook 6; its colours are
 *   checked by test/display/theme.test.ts) are left out.
 * - charts: Lab 4 draws an SVG output as <img> in .jp-RenderedSVG, a PNG in
 *   .jp-RenderedImage; Notebook 6 draws SVG inline in .output_svg and PNG in .output_png.
 *   A chart that fell back to its text line ("[chart: ...") counts as kind "text".
 */
export const MEASURE_OUTPUTS = `((outputSelector) => {
  // A PNG's tEXt chunk ${JSON.stringify(FONT_SIZE_KEYWORD)}, read from the <img>'s data URL: chunks after the
  // 8-byte signature are length (4 bytes, big-endian), type (4), data, CRC (4).
  const pngFontSize = (src) => {
    const b64 = src.slice(src.indexOf(",") + 1, src.indexOf(",") + 1 + 400);
    const bytes = atob(b64.slice(0, b64.length - (b64.length % 4)));
    const u32 = (at) => ((bytes.charCodeAt(at) << 24) | (bytes.charCodeAt(at + 1) << 16) | (bytes.charCodeAt(at + 2) << 8) | bytes.charCodeAt(at + 3)) >>> 0;
    for (let at = 8; at + 8 <= bytes.length; ) {
      const length = u32(at), type = bytes.slice(at + 4, at + 8);
      if (type === "tEXt") {
        const data = bytes.slice(at + 8, at + 8 + length), nul = data.indexOf("\\0");
        if (data.slice(0, nul) === ${JSON.stringify(FONT_SIZE_KEYWORD)}) return Number(data.slice(nul + 1)) || 0;
      }
      if (type === "IDAT" || type === "IEND") break;
      at += 12 + length;
    }
    return 0;
  };
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c || "");
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const blend = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const hex = (c) => "#" + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
  const backgroundOf = (el) => {
    const chain = [];
    for (let e = el; e; e = e.parentElement) chain.push(e);
    let bg = [255, 255, 255, 1];
    for (const e of chain.reverse()) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c[3] > 0) bg = blend(c, bg); }
    return bg;
  };
  const outputs = [...document.querySelectorAll(outputSelector)];
  const samples = [];
  for (const output of outputs) {
    const walker = document.createTreeWalker(output, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      const el = node.parentElement;
      if (!text || !el || el.closest('[aria-hidden="true"], svg, style, script')) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || style.display === "none" || el.getClientRects().length === 0) continue;
      const bg = backgroundOf(el);
      const fg = blend(parse(style.color) || [0, 0, 0, 1], bg);
      samples.push({ ratio: Math.round(ratio(fg, bg) * 100) / 100, text: text.slice(0, 40), color: hex(fg), background: hex(bg) });
    }
  }
  samples.sort((a, b) => a.ratio - b.ratio);
  const areaWidth = (el) => { const area = el.closest(".jp-OutputArea-output, .output_subarea") || el.parentElement;
    const cs = getComputedStyle(area); return area.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight); };
  const charts = [];
  document.querySelectorAll(".jp-RenderedSVG img, .output_svg svg").forEach((el) => {
    const loaded = el.tagName === "IMG" ? el.complete && el.naturalWidth > 0 : el.getBoundingClientRect().width > 0;
    const title = el.tagName === "IMG" ? decodeURIComponent(el.src).replace(/^[\\s\\S]*?<title>([^<]*)<\\/title>[\\s\\S]*$/, "$1") : (el.querySelector("title") || {}).textContent || "";
      // The natural size and the font sizes come from the SVG's own source (data-width/-height,
    // each <text>'s font-size or its nearest ancestor's), not from how the page drew it.
    const svg = el.tagName === "IMG"
      ? new DOMParser().parseFromString(decodeURIComponent(el.src.replace(/^data:image\\/svg\\+xml[^,]*,/, "")), "image/svg+xml").documentElement
      : el;
    const naturalWidth = Number(svg.getAttribute("data-width")) || 0;
    const naturalHeight = Number(svg.getAttribute("data-height")) || 0;
    const box = el.getBoundingClientRect();
    const sizes = [...svg.querySelectorAll("text")].map((t) => Number((t.closest("[font-size]") || svg).getAttribute("font-size")) || 16);
    const scale = naturalWidth > 0 ? box.width / naturalWidth : 1;
    const minFontPx = sizes.length ? Math.round(Math.min(...sizes) * scale * 100) / 100 : 0;
    charts.push({ kind: "svg", loaded, width: box.width, height: box.height, naturalWidth, naturalHeight, area: areaWidth(el), title: title.slice(0, 60), minFontPx });
  });
  document.querySelectorAll(".jp-RenderedImage img, .output_png img").forEach((el) => {
    // A chart's PNG carries its natural size as width/height metadata (the <img>'s attributes).
    const box = el.getBoundingClientRect();
    const naturalWidth = Number(el.getAttribute("width")) || el.naturalWidth;
    const minFontPx = naturalWidth > 0 ? Math.round((pngFontSize(el.src) * box.width * 100) / naturalWidth) / 100 : 0;
    charts.push({ kind: "png", loaded: el.complete && el.naturalWidth > 0, width: box.width, height: box.height,
      naturalWidth, naturalHeight: Number(el.getAttribute("height")) || el.naturalHeight,
      area: areaWidth(el), title: "", minFontPx });
  });
  for (const output of outputs) {
    if (/^\\[chart: /.test(output.textContent.trim())) charts.push({ kind: "text", loaded: false, width: 0, height: 0, naturalWidth: 0, naturalHeight: 0, area: areaWidth(output), title: output.textContent.trim().slice(0, 60), minFontPx: 0 });
  }
  const tables = [...document.querySelectorAll(outputSelector.split(",").map((s) => s.trim() + " table").join(","))];
  const wideTables = tables.map((t) => [t.getBoundingClientRect().width, areaWidth(t)]).filter(([w, a]) => w > a + 0.5);
  return { textRuns: samples.length, worst: samples.slice(0, 5), charts, wideTables, tables: tables.length };
})`;

/** What a Lab page shows of its code cells and text sizes (MEASURE_LAB_CODE). */
export interface LabCodeReport {
  codeCells: number;
  /** Code cells whose editor hides part of a line (scrolls sideways): [cell index, scroll width, visible width]. */
  overflowing: Array<[number, number, number]>;
  /** Code cells whose editor does not wrap lines (CodeMirror's cm-lineWrapping class missing). */
  unwrapped: number[];
  /** Computed font sizes in px: prose (first markdown paragraph), code, a table cell, a checker table cell, the progress line. */
  fonts: { prose: number; code: number; table: number; checker: number; progress: number };
  /** Whether Lab's file browser is shown. */
  fileBrowser: boolean;
}

/**
 * Page-side (JupyterLab 4): code cells whose editor scrolls sideways, code cells without line
 * wrapping, and the rendered font sizes of prose, code, tables, checker tables and the
 * training progress line (`.ce-progress`), for Presentation Mode to compare (0: none shown).
 */
export const MEASURE_LAB_CODE = `(() => {
  const cells = [...document.querySelectorAll(".jp-Notebook .jp-CodeCell")];
  const overflowing = [], unwrapped = [];
  const all = [...document.querySelectorAll(".jp-Notebook .jp-Cell")];
  for (const cell of cells) {
    const scroller = cell.querySelector(".jp-InputArea-editor .cm-scroller");
    const content = cell.querySelector(".jp-InputArea-editor .cm-content");
    if (!scroller || !content) continue;
    if (scroller.scrollWidth > scroller.clientWidth + 1) overflowing.push([all.indexOf(cell), scroller.scrollWidth, scroller.clientWidth]);
    if (!content.classList.contains("cm-lineWrapping")) unwrapped.push(all.indexOf(cell));
  }
  const px = (sel) => { const el = document.querySelector(sel); return el ? parseFloat(getComputedStyle(el).fontSize) : 0; };
  return {
    codeCells: cells.length,
    overflowing,
    unwrapped,
    fonts: {
      prose: px(".jp-Notebook .jp-RenderedMarkdown p"),
      code: px(".jp-Notebook .jp-InputArea-editor .cm-line"),
      table: px(".jp-Notebook .jp-OutputArea-output .ce-table td"),
      checker: px(".jp-Notebook .jp-OutputArea-output .ce-exercise td"),
      progress: px(".jp-Notebook .jp-OutputArea-output .ce-progress"),
    },
    fileBrowser: !!document.querySelector(".jp-FileBrowser") && document.querySelector(".jp-FileBrowser").getBoundingClientRect().width > 0,
  };
})()`;

/** Checker tables (issue 18, item 5) as a page shows them: what was measured, and what is untidy. */
export interface CheckerTableReport {
  tables: number;
  rows: number;
  chips: number;
  numbers: number;
  /** One line per fault, naming the table (its caption), the row (its case), and the value. */
  faults: string[];
}

/**
 * Page-side: every checker table (`.ce-exercise`, src/exercises/report.ts) inside the outputs.
 * - chips: every row's status chip (a span with rounded corners in the body: "✓ pass" /
 *   "✗ fail"; the verdict below the table is a sentence, free to wrap, that must not run past
 *   its box) draws as one line box: getClientRects().length === 1 and its height at
 *   most 1.5 x its line height.
 * - numbers: every number in a cell's text (-Infinity, NaN, negatives, exponents), as a Range
 *   over its characters, lies on one line: getClientRects().length === 1.
 * - baselines: in each body row, a zero-size inline-block marker put before each cell's
 *   content sits on that cell's first baseline (an empty inline-block's baseline is its
 *   bottom edge); the markers' tops agree within BASELINE_PX. The markers are removed again.
 */
export const MEASURE_CHECKER_TABLES = `((outputSelector, baselinePx) => {
  const faults = [];
  let rows = 0, chips = 0, numbers = 0;
  const tables = [...document.querySelectorAll(outputSelector.split(",").map((s) => s.trim() + " .ce-exercise table").join(","))];
  const short = (s) => JSON.stringify(s.replace(/\\s+/g, " ").trim().slice(0, 70));
  tables.forEach((table, t) => {
    const caption = (table.querySelector("caption") || {}).textContent || "";
    const where = (row) => "table " + t + " " + short(caption) + (row ? " row " + short(row) : "");
    for (const chip of table.querySelectorAll('tbody span[style*="border-radius"]')) {
      chips++;
      const style = getComputedStyle(chip);
      const lineHeight = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
      const lines = chip.getClientRects().length;
      const height = chip.getBoundingClientRect().height;
      if (lines !== 1 || height > 1.5 * lineHeight) {
        faults.push(where(chip.closest("tr").cells[0].textContent) + ": chip " + short(chip.textContent) + " spans " + lines + " line box(es), " + height.toFixed(1) + " px tall, line height " + lineHeight.toFixed(1) + " px");
      }
    }
    // The verdict below the table is a sentence: it may wrap, but never runs past its box.
    const verdict = table.closest(".ce-exercise").querySelector(".ce-verdict");
    if (verdict && verdict.scrollWidth > verdict.clientWidth + 1) {
      faults.push(where("") + ": verdict " + short(verdict.textContent) + " runs past its box (" + verdict.scrollWidth + " px in " + verdict.clientWidth + " px)");
    }
    for (const tr of table.querySelectorAll("tbody tr")) {
      rows++;
      const row = tr.cells[0] ? tr.cells[0].textContent : "";
      const marks = [];
      for (const [c, td] of [...tr.cells].entries()) {
        const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const re = /[-\\u2212]?(?:\\d+(?:\\.\\d+)?(?:e[-+]?\\d+)?|Infinity|NaN)/gi;
          for (let m = re.exec(node.data); m; m = re.exec(node.data)) {
            numbers++;
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const lines = range.getClientRects().length;
            if (lines !== 1) faults.push(where(row) + ", column " + c + ": " + short(m[0]) + " in " + short(td.textContent) + " spans " + lines + " lines");
          }
        }
        if (!td.textContent.trim()) continue;
        const mark = document.createElement("span");
        mark.style.cssText = "display:inline-block;width:0;height:0;margin:0;padding:0;border:0;vertical-align:baseline";
        td.insertBefore(mark, td.firstChild);
        marks.push([c, td, mark]);
      }
      const tops = marks.map(([c, td, mark]) => [c, td, mark.getBoundingClientRect().top]);
      for (const [, , mark] of marks) mark.remove();
      if (tops.length < 2) continue;
      const ys = tops.map(([, , y]) => y);
      const median = [...ys].sort((a, b) => a - b)[Math.floor(ys.length / 2)];
      for (const [c, td, y] of tops) {
        if (Math.abs(y - median) > baselinePx) faults.push(where(row) + ", column " + c + ": " + short(td.textContent) + " sits " + Math.abs(median - y).toFixed(1) + " px " + (y < median ? "above" : "below") + " the row's baseline");
      }
    }
  });
  return { tables: tables.length, rows, chips, numbers, faults };
})`;
