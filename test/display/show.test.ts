import { DataFrame } from "danfojs-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PNG_SCALE } from "../../src/display/png";
import { chartBundle, codeHtml, show, showHtml, showSvg, tslabDisplay } from "../../src/display/show";
import { barChart } from "../../src/display/barChart";

const frame = () => new DataFrame({ logit: [1000, 1001], exp: [Infinity, Infinity] });
const global = globalThis as { __tslab__?: unknown };

afterEach(() => {
  vi.restoreAllMocks();
  delete global.__tslab__;
});

describe("show outside a tslab kernel (plain node, vitest)", () => {
  it("is not in a kernel", () => {
    expect(tslabDisplay()).toBeUndefined();
  });

  it("prints with danfo's own df.print()", () => {
    const df = frame();
    const print = vi.spyOn(df, "print");
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    show(df);
    expect(print).toHaveBeenCalledTimes(1);
    // danfo's print is one console.log of its box-drawn table, values included.
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0][0])).toMatch(/logit[\s\S]*1000[\s\S]*Infinity/);
  });

  it("prints the caption above the table", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    show(frame(), { caption: "Naive softmax" });
    expect(log.mock.calls[0][0]).toBe("Naive softmax");
    expect(log).toHaveBeenCalledTimes(2);
  });

  it("validates options even where it only prints", () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    expect(() => show(frame(), { highlight: [{ row: 9, column: 0 }] })).toThrow(RangeError);
  });

  it("prints one line naming a chart instead of its SVG", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    showSvg(barChart({ labels: ["a"], values: [1], title: "p & q <1>" }));
    expect(log.mock.calls).toEqual([["[chart: p & q <1> (SVG; renders in a notebook)]"]]);
  });

  it("prints HTML as its text", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    showHtml("<p><b>loss</b> = 2.303 &lt; 3</p>");
    expect(log.mock.calls).toEqual([["loss = 2.303 < 3"]]);
  });
});

describe("show inside a tslab kernel", () => {
  // The tslab executor sets globalThis.__tslab__.require, which maps "tslab" to the
  // kernel's own module; this stands in for it.
  function fakeKernel() {
    const display = { html: vi.fn(), svg: vi.fn() };
    global.__tslab__ = { exports: {}, require: (id: string) => (id === "tslab" ? { display } : undefined) };
    return display;
  }

  it("sends the HTML table to tslab's display and prints nothing", () => {
    const display = fakeKernel();
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    show(frame(), { caption: "overflow" });
    expect(display.html).toHaveBeenCalledTimes(1);
    expect(display.html.mock.calls[0][0]).toMatch(/^<div class="ce-table">[\s\S]*<caption[^>]*>overflow<\/caption>[\s\S]*>Infinity<\/td>/);
    expect(log).not.toHaveBeenCalled();
  });

  it("sends SVG and HTML through display.svg and display.html", () => {
    const display = fakeKernel();
    showSvg("<svg/>");
    showHtml("<b>x</b>");
    expect(display.svg.mock.calls).toEqual([["<svg/>"]]);
    expect(display.html.mock.calls).toEqual([["<b>x</b>"]]);
  });

  it("counts as no kernel when the hook cannot load tslab", () => {
    global.__tslab__ = {
      require: () => {
        throw new Error("Cannot find module 'tslab'");
      },
    };
    expect(tslabDisplay()).toBeUndefined();
  });
});

describe("a chart's display bundle (what a handed-out, untrusted notebook can still show)", () => {
  const svg = barChart({ labels: ["a", "b"], values: [0.7, 0.3], title: "p & q" });
  const bundle = chartBundle(svg);

  it("holds a PNG at twice the natural size (no SVG: Lab would draw it uncapped) and a line saying how to get the chart", () => {
    expect(Object.keys(bundle.data).sort()).toEqual(["image/png", "text/plain"]);
    const png = Buffer.from(bundle.data["image/png"], "base64");
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    // IHDR: width and height as big-endian 32-bit integers at bytes 16 and 20.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([560 * PNG_SCALE, 360 * PNG_SCALE]);
    expect(bundle.metadata["image/png"]).toEqual({ width: 560, height: 360 });
    expect(bundle.data["text/plain"]).toMatch(/^\[chart: p & q\. Not drawn here: this viewer shows no images; open the notebook in JupyterLab/);
  });
});

describe("showCode's block", () => {
  it("escapes the text and takes its colours from the theme, text and background together", () => {
    const html = codeHtml('if a < b && c > "d":');
    expect(html).toContain("if a &lt; b &amp;&amp; c &gt; &quot;d&quot;:");
    expect(html).toMatch(/color:var\(--jp-content-font-color0, #1f2328\);background:var\(--jp-cell-editor-background, #f6f8fa\)/);
  });
});
