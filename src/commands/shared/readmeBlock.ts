/**
 * The README's generated blocks: text between `<!-- NAME:start -->` and `<!-- NAME:end -->`
 * that a script writes (`npm run bench -- --readme`, `npm run size -- --readme`), so the
 * figures there are computed, never typed.
 */

export const blockMarkers = (name: string): [string, string] => [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];

/**
 * `readme` with the text between NAME's markers replaced by `block`.
 * @throws Error when the markers are missing, repeated or out of order.
 */
export function replaceReadmeBlock(readme: string, name: string, block: string): string {
  const [startMarker, endMarker] = blockMarkers(name);
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  const once = (marker: string, at: number): boolean => at >= 0 && readme.indexOf(marker, at + 1) < 0;
  if (!once(startMarker, start) || !once(endMarker, end) || end < start) {
    throw new Error(`the README needs exactly one "${startMarker}" followed by one "${endMarker}" line`);
  }
  return `${readme.slice(0, start)}${startMarker}\n\n${block.trim()}\n\n${readme.slice(end)}`;
}

/** The text between NAME's markers, trimmed; null when the markers are not there. */
export function readReadmeBlock(readme: string, name: string): string | null {
  const [startMarker, endMarker] = blockMarkers(name);
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  return start >= 0 && end > start ? readme.slice(start + startMarker.length, end).trim() : null;
}
