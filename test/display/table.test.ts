import { DataFrame } from "danfojs-node";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { formatNumber, tableHtml } from "../../src/display/table";

/** The naive-softmax failure table from the course: logits [1000, 1001] overflow exp. */
function overflowFrame(): DataFrame {
  return new DataFrame(
    {
      logit: [1000, 1001, 2.0611536e-9],
      exp: [Infinity, Infinity, 1],
      naive: [NaN, NaN, 0.5],
      stable: [0.2689414213699951, 0.7310585786300049, 1e30],
    },
    { index: ["a", "b", "c"] },
  );
}

function cells(html: string): string[] {
  return html.match(/<td\b[^>]*>.*?<\/td>/g) ?? [];
}

function bodyRows(html: string): string[] {
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(html)?.[1] ?? "";
  return body.match(/<tr\b[\s\S]*?<\/tr>/g) ?? [];
}

describe("tableHtml structure", () => {
  const html = tableHtml(overflowFrame());

  it("is one well-formed table with a header row and one row per DataFrame row", () => {
    expect(XMLValidator.validate(html)).toBe(true);
    expect(html.match(/<table\b/g)).toHaveLength(1);
    expect(html.match(/<thead>/g)).toHaveLength(1);
    const header = /<thead>(.*)<\/thead>/.exec(html)?.[1] ?? "";
    expect(header.match(/<tr>/g)).toHaveLength(1);
    const names = [...header.matchAll(/<th scope="col"[^>]*>(.*?)<\/th>/g)].map((m) => m[1]);
    expect(names).toEqual(["logit", "exp", "naive", "stable"]);
    expect(bodyRows(html)).toHaveLength(3);
  });

  it("leads each row with its index label and has one cell per column", () => {
    const rows = bodyRows(html);
    expect(rows.map((row) => /<th scope="row"[^>]*>(.*?)<\/th>/.exec(row)?.[1])).toEqual(["a", "b", "c"]);
    for (const row of rows) expect(row.match(/<td\b/g)).toHaveLength(4);
  });

  it("right-aligns numbers and prints them with formatNumber, full float64 precision in", () => {
    const first = cells(bodyRows(html)[0]).concat(cells(bodyRows(html)[2]));
    for (const cell of first) expect(cell).toMatch(/class="ce-num[^"]*" style="[^"]*text-align:right/);
    const texts = bodyRows(html).map((row) => cells(row).map((cell) => cell.replace(/<[^>]*>/g, "")));
    // danfo labels these columns float32 but keeps float64 values: 0.2689414213699951 -> 0.268941
    expect(texts).toEqual([
      ["1000", "Infinity", "NaN", "0.268941"],
      ["1001", "Infinity", "NaN", "0.731059"],
      ["2.06115e-9", "1", "0.5", "1e+30"],
    ]);
  });

  it("marks Infinity and NaN with a class and red text, never blank", () => {
    const marked = cells(html).filter((cell) => cell.includes("ce-nonfinite"));
    expect(marked.map((cell) => cell.replace(/<[^>]*>/g, ""))).toEqual(["Infinity", "NaN", "Infinity", "NaN"]);
    // A fixed chip, the same in every theme: dark red on pale red, 6.1 to 1 (test/display/theme.test.ts).
    for (const cell of marked) expect(cell).toMatch(/color:#b3261e;background:#ffebe9/);
    expect(cells(html).filter((cell) => />\s*<\/td>$/.test(cell))).toEqual([]);
  });

  it("shows -Infinity too", () => {
    const out = tableHtml(new DataFrame({ x: [-Infinity, 1] }));
    expect(out).toMatch(/<td class="ce-num ce-nonfinite"[^>]*>-Infinity<\/td>/);
  });

  it("has no highlight, legend or caption unless asked", () => {
    expect(html).not.toContain("ce-highlight");
    expect(html).not.toContain("ce-legend");
    expect(html).not.toContain("<caption");
  });
});

describe("tableHtml escaping", () => {
  const nasty = `<b>&"'`;
  const df = new DataFrame({ [nasty]: [nasty, "plain"], n: [1, 2] }, { index: [nasty, "r1"] });
  const html = tableHtml(df, { caption: nasty, highlight: [{ row: 0, column: nasty }], highlightLabel: nasty });
  const escaped = "&lt;b&gt;&amp;&quot;&#39;";

  it("escapes headers, index labels, string cells, caption and legend", () => {
    expect(XMLValidator.validate(html)).toBe(true);
    expect(html).not.toContain("<b>");
    expect(html).toMatch(new RegExp(`<th scope="col"[^>]*>${escaped}</th>`));
    expect(html).toMatch(new RegExp(`<th scope="row"[^>]*>${escaped}</th>`));
    expect(html).toMatch(new RegExp(`<td class="ce-text ce-highlight"[^>]*><strong>${escaped}</strong></td>`));
    expect(html).toMatch(new RegExp(`<caption[^>]*>${escaped}</caption>`));
    expect(html).toMatch(new RegExp(`aria-hidden="true"[^>]*></span>${escaped}</div>`));
    expect(html.split(escaped)).toHaveLength(6); // header, index, cell, caption, legend
  });

  it("left-aligns text cells and their header", () => {
    expect(html).toMatch(/<td class="ce-text"[^>]*text-align:left[^>]*>plain<\/td>/);
    expect(html).toMatch(new RegExp(`<th scope="col" style="[^"]*text-align:left">${escaped}</th>`));
  });
});

describe("tableHtml options", () => {
  it("highlights exactly the named cells, by column name or position, with a legend", () => {
    const html = tableHtml(overflowFrame(), {
      highlight: [
        { row: 0, column: "naive" },
        { row: 2, column: 0 },
      ],
      highlightLabel: "target class",
    });
    const grid = bodyRows(html).map((row) => cells(row).map((cell) => cell.includes("ce-highlight")));
    expect(grid).toEqual([
      [false, false, true, false],
      [false, false, false, false],
      [true, false, false, false],
    ]);
    const marked = cells(html).filter((cell) => cell.includes("ce-highlight"));
    for (const cell of marked) expect(cell).toMatch(/font-weight:700.*background:|background:.*font-weight:700/);
    expect(html).toMatch(/<div class="ce-legend"[^>]*><span class="ce-swatch" aria-hidden="true" style="background:#ffe08a;[^"]*"><\/span>target class<\/div>/);
  });

  it("rejects a highlight outside the frame, naming it", () => {
    const df = overflowFrame();
    expect(() => tableHtml(df, { highlight: [{ row: 3, column: 0 }] })).toThrow("highlight[0].row = 3 is out of range: expected a row position in [0, 3)");
    expect(() => tableHtml(df, { highlight: [{ row: 0, column: "nope" }] })).toThrow('highlight[0].column = "nope" is not a column');
    expect(() => tableHtml(df, { highlight: [{ row: 0, column: 4 }] })).toThrow("highlight[0].column = 4 is out of range");
  });

  it("uses digits for every number", () => {
    const html = tableHtml(overflowFrame(), { digits: 3 });
    expect(html).toContain(">0.269</td>");
    expect(html).toContain(">2.06e-9</td>");
    expect(html).not.toContain("0.268941");
    expect(() => tableHtml(overflowFrame(), { digits: 0 })).toThrow(RangeError);
  });

  it("puts the caption first inside the table", () => {
    expect(tableHtml(overflowFrame(), { caption: "Naive softmax overflows" })).toMatch(/<table[^>]*><caption[^>]*>Naive softmax overflows<\/caption>/);
  });

  it("shows null string entries as a visible word", () => {
    const html = tableHtml(new DataFrame({ s: ["a", null] }));
    expect(html).toMatch(/<td class="ce-missing"[^>]*>null<\/td>/);
  });

  it("re-exports the formatNumber that the cells use", () => {
    expect(formatNumber(0.7310585786300049)).toBe("0.731059");
  });
});
