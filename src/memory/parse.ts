import MarkdownIt, { type Token } from 'markdown-it';

/**
 * The MEMORY.md index format, parsed with a real Markdown parser (markdown-it) so that hand edits
 * (odd spacing, `*` or `1.` bullets, reference links, prose between entries) still parse. The model
 * keeps the source text and points into it by line; edits splice only the lines they change, so
 * everything the model does not understand is preserved byte for byte. Pure: no filesystem here.
 */

/** One index line: a list item that starts with a link to a topic file. */
export interface MemoryEntry {
  /** The `## Section` the entry sits under; `''` before the first section. */
  readonly section: string;
  /** The link text. */
  readonly title: string;
  /** The link target as written (reference links resolved), e.g. `identity.md`. */
  readonly file: string;
  /** The text after the link, without its leading separator (`—`, `-`, `:`). */
  readonly summary: string;
  /** 1-based first line of the list item. */
  readonly line: number;
  /** How many lines the item spans (more than 1 means a summary that wraps). */
  readonly lineCount: number;
}

/** One `## Section` of the index. */
export interface MemorySection {
  readonly title: string;
  /** 1-based line of its heading; 0 for the implicit section before the first heading. */
  readonly line: number;
  readonly entries: readonly MemoryEntry[];
}

/** A parsed index: the source text and the model over it. */
export interface ParsedIndex {
  readonly text: string;
  readonly sections: readonly MemorySection[];
  readonly entries: readonly MemoryEntry[];
  /** Number of lines, as an editor counts them. */
  readonly lineCount: number;
}

/** Heading depth of index sections. */
const SECTION_DEPTH = 2;
const parser = new MarkdownIt('commonmark');


/** Parses index text. Never throws: text that is not an entry is simply not modelled. */
export function parseIndex(text: string): ParsedIndex {
  const tokens = parser.parse(text, {});
  const lines = splitLines(text);
  const sections: Array<{ title: string; line: number; entries: MemoryEntry[] }> = [{ title: '', line: 0, entries: [] }];
  let current = sections[0]!;

  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.type === 'heading_open' && token.tag === `h${SECTION_DEPTH}` && token.map) {
      current = { title: plainText(tokens[index + 1]!), line: token.map[0] + 1, entries: [] };
      sections.push(current);
      continue;
    }
    if (token.type === 'heading_open' && token.map && Number(token.tag.slice(1)) < SECTION_DEPTH) {
      // A higher heading (the title) starts a region that belongs to no section: its entries are
      // kept under '' (Claude Code's own indexes are often a title and a flat list).
      current = { title: '', line: 0, entries: [] };
      sections.push(current);
      continue;
    }
    if (token.type === 'list_item_open' && token.map && token.level === 1) {
      const entry = readEntry(tokens, index, current.title, lines);
      if (entry) current.entries.push(entry);
    }
  }

  const modelled = sections.filter((section) => section.line > 0 || section.entries.length > 0);
  const merged = new Map<string, { title: string; line: number; entries: MemoryEntry[] }>();
  for (const section of modelled) {
    const existing = merged.get(section.title);
    if (existing) existing.entries.push(...section.entries);
    else merged.set(section.title, { ...section, entries: [...section.entries] });
  }
  const result = [...merged.values()];
  return {
    text,
    sections: result,
    entries: result.flatMap((section) => section.entries),
    lineCount: lines.length,
  };
}

function readEntry(tokens: Token[], itemIndex: number, section: string, lines: string[]): MemoryEntry | undefined {
  const paragraph = tokens[itemIndex + 1];
  const inline = tokens[itemIndex + 2];
  if (paragraph?.type !== 'paragraph_open' || inline?.type !== 'inline' || !inline.children) return undefined;
  const children = inline.children;
  if (children[0]?.type !== 'link_open') return undefined;
  const close = children.findIndex((child) => child.type === 'link_close');
  if (close < 0) return undefined;
  const title = children.slice(1, close).map(inlineText).join('').trim();
  const file = String(children[0].attrGet('href') ?? '');
  const summary = children
    .slice(close + 1)
    .map(inlineText)
    .join('')
    .replace(/^\s*(?:—|–|-|:|\|)\s*/, '')
    .trim();
  // The entry is its first paragraph; nested content below it is left alone by edits.
  const [start, end] = paragraph.map!;
  return {
    section,
    title,
    file: safeDecode(file),
    summary,
    line: start + 1,
    lineCount: lastContentLine(lines, start, end) - start + 1,
  };
}

function inlineText(token: Token): string {
  if (token.type === 'softbreak' || token.type === 'hardbreak') return '\n';
  if (token.children) return token.children.map(inlineText).join('');
  return token.content;
}

function plainText(inline: Token): string {
  return (inline.children ?? []).map(inlineText).join('').trim();
}

function safeDecode(href: string): string {
  try {
    return decodeURI(href);
  } catch {
    return href;
  }
}

/** Splits text into lines, each keeping its line ending; `''` has no lines. */
export function splitLines(text: string): string[] {
  return text === '' ? [] : text.match(/[^\n]*\n|[^\n]+$/g)!;
}

/** The last non-blank line in [start, end), or `start` when all are blank. */
function lastContentLine(lines: string[], start: number, end: number): number {
  for (let line = Math.min(end, lines.length) - 1; line > start; line--) if (lines[line]!.trim() !== '') return line;
  return start;
}

/**
 * Renders one entry line. Characters with inline meaning in CommonMark (backslash, code, emphasis,
 * brackets, HTML, entities) are backslash-escaped, so the title and summary read back as written.
 */
export function renderEntry(entry: { title: string; file: string; summary: string }): string {
  // An underscore between two letters or digits can neither open nor close emphasis, so
  // `user_role` stays as Claude Code itself writes it.
  const escape = (text: string) => text.replace(/[\\`*[\]<&]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\$&');
  const file = /[\s()<>]/.test(entry.file) ? `<${entry.file}>` : entry.file;
  const link = `- [${escape(entry.title)}](${file})`;
  return entry.summary === '' ? link : `${link} — ${escape(entry.summary)}`;
}

/** The line ending the text mostly uses. */
function lineEnding(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Replaces lines [start, start + count) (0-based) with `replacement` lines. */
export function spliceLines(text: string, start: number, count: number, replacement: readonly string[]): string {
  const lines = splitLines(text);
  const eol = lineEnding(text);
  if (lines.length > 0 && !lines.at(-1)!.endsWith('\n') && start + count >= lines.length && replacement.length > 0) {
    lines[lines.length - 1] += eol;
  }
  if (start > 0 && start <= lines.length && !lines[start - 1]!.endsWith('\n')) lines[start - 1] += eol;
  lines.splice(start, count, ...replacement.map((line) => line + eol));
  return lines.join('');
}

/** Appends a new `## Section` with one entry at the end of the text. */
export function appendSection(text: string, section: string, entryLine: string): string {
  const eol = lineEnding(text);
  let base = text;
  if (base !== '' && !base.endsWith('\n')) base += eol;
  const gap = base === '' ? '' : base.endsWith(`${eol}${eol}`) || base === eol ? '' : eol;
  return `${base}${gap}## ${section}${eol}${eol}${entryLine}${eol}`;
}

/** A topic file reference reduced to compare equal however it was written (`./a.md`, `a.md#x`). */
export function topicKey(file: string): string {
  return file.replace(/[#?].*$/, '').replace(/^(\.\/)+/, '').toLowerCase();
}

/** Sets the entry for `entry.file`: replaced in place, moved to another section, or added. */
export function upsertEntry(
  parsed: ParsedIndex,
  entry: { section: string; title: string; file: string; summary: string },
): string {
  const line = renderEntry(entry);
  const existing = parsed.entries.find((candidate) => topicKey(candidate.file) === topicKey(entry.file));
  if (existing && existing.section === entry.section) {
    return spliceLines(parsed.text, existing.line - 1, existing.lineCount, [line]);
  }
  const base = existing ? parseIndex(spliceLines(parsed.text, existing.line - 1, existing.lineCount, [])) : parsed;
  const section = base.sections.find((candidate) => candidate.title === entry.section && candidate.line > 0);
  if (!section) return appendSection(base.text, entry.section, line);
  const last = section.entries.at(-1);
  const at = last ? last.line - 1 + last.lineCount : section.line;
  return spliceLines(base.text, at, 0, [line]);
}

/** Removes the entry for `file`; the text is unchanged when there is none. */
export function removeEntry(parsed: ParsedIndex, file: string): string {
  const existing = parsed.entries.find((candidate) => topicKey(candidate.file) === topicKey(file));
  return existing ? spliceLines(parsed.text, existing.line - 1, existing.lineCount, []) : parsed.text;
}
