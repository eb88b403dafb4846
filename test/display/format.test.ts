import { describe, expect, it } from "vitest";
import { escapeMarkup, formatNumber } from "../../src/display/format";

describe("formatNumber", () => {
  it("keeps 6 significant digits by default and drops trailing zeros", () => {
    expect(formatNumber(Math.LN10)).toBe("2.30259"); // log(10) = 2.302585...
    expect(formatNumber(1 / 3)).toBe("0.333333");
    expect(formatNumber(0.1 + 0.2)).toBe("0.3"); // 0.30000000000000004 rounds back
    expect(formatNumber(-2.5)).toBe("-2.5");
    expect(formatNumber(16.11809565095832)).toBe("16.1181"); // -log(1e-7), the epsilon cap
    expect(formatNumber(123456.7)).toBe("123457");
  });

  it("prints integers as integers, in full up to 1e15", () => {
    expect(formatNumber(1000)).toBe("1000");
    expect(formatNumber(40)).toBe("40");
    expect(formatNumber(123456789)).toBe("123456789");
    expect(formatNumber(1e15)).toBe("1e+15");
  });

  it("switches to exponent notation below 1e-4 and at 10^digits, in JavaScript's spelling", () => {
    expect(formatNumber(0.0001)).toBe("0.0001");
    expect(formatNumber(0.00001234)).toBe("1.234e-5");
    expect(formatNumber(2.0611536e-9)).toBe("2.06115e-9"); // exp(-20)
    expect(formatNumber(1e30)).toBe("1e+30");
    expect(formatNumber(1234567.8)).toBe("1.23457e+6");
    expect(formatNumber(999999.7)).toBe("1e+6"); // rounding up carries into the exponent
    expect(formatNumber(-1e-300)).toBe("-1e-300");
  });

  it("prints -0 as 0 and spells out the non-finite values", () => {
    expect(formatNumber(-0)).toBe("0");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(Infinity)).toBe("Infinity");
    expect(formatNumber(-Infinity)).toBe("-Infinity");
    expect(formatNumber(NaN)).toBe("NaN");
  });

  it("honours digits", () => {
    expect(formatNumber(1 / 3, 3)).toBe("0.333");
    expect(formatNumber(2.0611536e-9, 2)).toBe("2.1e-9");
    expect(formatNumber(123.456, 1)).toBe("1e+2");
    expect(formatNumber(Math.PI, 10)).toBe("3.141592654");
  });

  it("rejects a digits value toPrecision cannot take, naming it", () => {
    expect(() => formatNumber(1, 0)).toThrow("digits = 0 is out of range");
    expect(() => formatNumber(1, 2.5)).toThrow(RangeError);
  });
});

describe("escapeMarkup", () => {
  it("escapes the five markup characters", () => {
    expect(escapeMarkup(`<b>"A" & 'B'</b>`)).toBe("&lt;b&gt;&quot;A&quot; &amp; &#39;B&#39;&lt;/b&gt;");
  });

  it("escapes & first, so an entity in the input shows literally", () => {
    expect(escapeMarkup("&lt;")).toBe("&amp;lt;");
  });

  it("replaces control characters XML cannot carry", () => {
    expect(escapeMarkup("a\u0001b\tc")).toBe("a\uFFFDb\tc");
  });
});
