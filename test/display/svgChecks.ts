/**
 * Checks every chart must pass, shared by the chart tests: well-formed XML, a
 * self-contained accessible frame, and no NaN/Infinity anywhere in an attribute.
 */
import { XMLValidator } from "fast-xml-parser";
import { expect } from "vitest";

/** All attribute values of the document, as written (still escaped). */
export function attributeValues(svg: string): string[] {
  return [...svg.matchAll(/\s[\w:-]+="([^"]*)"/g)].map((m) => m[1]);
}

/** Every `<tag ...>` opening (or self-closing) element with the given class. */
export function elementsWithClass(svg: string, tag: string, className: string): string[] {
  const pattern = new RegExp(`<${tag}\\b[^>]*\\bclass="(?:[^"]*\\s)?${className}(?:\\s[^"]*)?"[^>]*>`, "g");
  return svg.match(pattern) ?? [];
}

/** A numeric attribute of one element's opening tag. */
export function numberAttribute(element: string, name: string): number {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(element);
  if (!match) throw new Error(`no ${name}= in ${element}`);
  return Number(match[1]);
}

export function expectWellFormedChart(svg: string, title: string): void {
  expect(XMLValidator.validate(svg)).toBe(true);
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  // Its natural size as width and height (an <img> in Lab never grows past it), the same as the
  // viewBox and data-width/-height, and shrinks to a narrower output area.
  const root = /^<svg[^>]*>/.exec(svg)?.[0] ?? "";
  const box = /^<svg[^>]* width="([\d.]+)" height="([\d.]+)" viewBox="0 0 ([\d.]+) ([\d.]+)" style="max-width:100%;height:auto" data-width="([\d.]+)" data-height="([\d.]+)" role="img"/.exec(root);
  expect(box, root).not.toBeNull();
  expect([box?.[3], box?.[4]]).toEqual([box?.[1], box?.[2]]);
  expect([box?.[5], box?.[6]]).toEqual([box?.[1], box?.[2]]);
  expect(svg).toMatch(/^<svg[^>]* font-family="[^"]+"/);
  expect(svg).toContain(`<title>${title}</title>`);
  // The light card every chart is drawn on (see src/display/svg.ts): white, grey border.
  expect(svg).toMatch(/<rect class="card" x="0.5" y="0.5" width="[\d.]+" height="[\d.]+" rx="6" fill="#ffffff" stroke="#d0d7de"\/>/);
  const bad = attributeValues(svg).filter((value) => /NaN|Infinity|undefined/.test(value));
  expect(bad).toEqual([]);
}
