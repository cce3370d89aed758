/**
 * Reads the merged context a session-start hook hands an agent, as it arrived in a request: an
 * intro line, then one section per handoff under a header
 * `## YYYY-MM-DD HH:MM:SS ±HH:MM · slug[ · from <agent>, session <id>…]` (src/handoff/merge.ts).
 */

/** One handoff's section of the merged context. */
export interface MergedSection {
  /** The `## …` header line. */
  readonly header: string;
  /** Everything after the header up to the next section. */
  readonly text: string;
}

/** A section header: a second-level heading that starts with the handoff's date and time. */
const HEADER = /^## \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\b.*$/gm;

/** The sections of a merged context (or of any text that holds one), in order. */
export function mergedSections(text: string): MergedSection[] {
  const headers = [...text.matchAll(HEADER)];
  return headers.map((match, index) => {
    const start = match.index + match[0].length;
    const end = index + 1 < headers.length ? headers[index + 1]!.index : text.length;
    return { header: match[0], text: text.slice(start, end) };
  });
}

/** The sections whose text contains `needle`. */
export function sectionsHolding(text: string, needle: string): MergedSection[] {
  return mergedSections(text).filter((section) => section.text.includes(needle));
}
