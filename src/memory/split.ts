import MarkdownIt, { type Token } from 'markdown-it';
import { MemoryError } from '../errors.js';
import { normalizeSlug } from '../handoff/name.js';
import { isMemoryType, setTopicFrontMatter, topicName, type MemoryType } from './front-matter.js';
import { renderEntry, splitLines } from './parse.js';

/** Options of {@link planSplit}. */
export interface SplitOptions {
  /** Heading depth that starts a topic. Default 2 (`##`). */
  headingLevel?: number;
  /** Line budget of the resulting index. Default 200. */
  maxLines?: number;
  /** Longest summary, in characters. Default 120. */
  maxSummaryLength?: number;
  /** The index's `#` title. Default: the flat file's own `#` title before its first section, else `'Memory'`. */
  title?: string;
  /** The index section the entries go under. Default `'Topics'`. */
  section?: string;
  /** The index file name, which no topic may take. Default `'MEMORY.md'`. */
  indexFile?: string;
  /** The front-matter `type` of every topic. Default `'project'`. */
  type?: MemoryType;
}

/** One topic file a split will write. */
export interface SplitTopic {
  /** Relative file name, e.g. `voice-rules.md`. */
  readonly file: string;
  readonly title: string;
  readonly summary: string;
  /** The topic's text: front matter (`name`, `description` = summary, `type`), then its lines of the flat file, verbatim. */
  readonly content: string;
}

/** What a split would write; nothing is written until it is applied. */
export interface SplitPlan {
  /** The new index text. */
  readonly index: string;
  readonly topics: readonly SplitTopic[];
  /** Sections that had to share a topic file to keep the index within budget (0 when none). */
  readonly grouped: number;
}

/** Lines of the index besides its entries: title, blank, intro, blank, section, blank. */
const INDEX_OVERHEAD = 6;
const parser = new MarkdownIt('commonmark');

/**
 * Plans the migration of a flat MEMORY.md into an index and topic files: one topic per heading of
 * `headingLevel`, named by slug, summarised by its first sentence. The lines of the flat file are
 * partitioned among the topics, so every line lands in exactly one topic file (text before the
 * first heading goes to `overview.md`). When there are more sections than the budget has lines,
 * neighbouring sections share a topic file rather than exceed it. Each topic file opens with the
 * front matter Claude Code reads (`name`, `description`, `type`).
 *
 * @throws MemoryError `INVALID_OPTION` for a budget too small for any entry or an unknown type.
 */
export function planSplit(flat: string, options: SplitOptions = {}): SplitPlan {
  const {
    headingLevel = 2,
    maxLines = 200,
    maxSummaryLength = 120,
    section = 'Topics',
    indexFile = 'MEMORY.md',
    type = 'project',
  } = options;
  if (!isMemoryType(type)) throw new MemoryError('INVALID_OPTION', `type must be user, feedback, project or reference, got ${String(type)}`);
  if (!Number.isInteger(headingLevel) || headingLevel < 1 || headingLevel > 6) {
    throw new MemoryError('INVALID_OPTION', `headingLevel must be 1 to 6, got ${headingLevel}`);
  }
  if (!Number.isInteger(maxLines) || maxLines <= INDEX_OVERHEAD) {
    throw new MemoryError('INVALID_OPTION', `maxLines must be an integer above ${INDEX_OVERHEAD}, got ${maxLines}`);
  }
  const lines = splitLines(flat);
  const tokens = parser.parse(flat, {});
  const starts: Array<{ line: number; title: string }> = [];
  let ownTitle: string | undefined;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.type === 'heading_open' && token.tag === 'h1' && headingLevel > 1 && starts.length === 0) {
      ownTitle ??= inlinePlain(tokens[index + 1]!);
    }
    if (token.type === 'heading_open' && token.tag === `h${headingLevel}` && token.map) {
      starts.push({ line: token.map[0], title: inlinePlain(tokens[index + 1]!) });
    }
  }

  const title = options.title ?? (ownTitle || 'Memory');
  const chunks: Array<{ title: string; text: string }> = [];
  const preamble = lines.slice(0, starts[0]?.line ?? lines.length).join('');
  if (preamble.trim() !== '') chunks.push({ title: 'Overview', text: preamble });
  for (const [index, start] of starts.entries()) {
    const text = lines.slice(start.line, starts[index + 1]?.line ?? lines.length).join('');
    chunks.push({ title: start.title || `Section ${index + 1}`, text });
  }

  const capacity = maxLines - INDEX_OVERHEAD;
  const groupSize = Math.max(1, Math.ceil(chunks.length / capacity));
  const taken = new Set([indexFile.toLowerCase()]);
  const topics: SplitTopic[] = [];
  for (let index = 0; index < chunks.length; index += groupSize) {
    const group = chunks.slice(index, index + groupSize);
    const first = group[0]!;
    const last = group.at(-1)!;
    const topicTitle = group.length === 1 ? first.title : `${first.title} … ${last.title}`;
    const summary =
      group.length === 1
        ? firstSentence(first.text, maxSummaryLength) || first.title
        : truncate(group.map((chunk) => chunk.title).join(', '), maxSummaryLength);
    const file = uniqueFile(topicTitle, taken);
    const lines = group.map((chunk) => chunk.text.replace(/\n\s*$/, '') + '\n').join('\n');
    topics.push({
      file,
      title: topicTitle,
      summary,
      content: setTopicFrontMatter(lines, { name: topicName(file), description: summary, type }),
    });
  }

  const entries = topics.map((topic) => renderEntry(topic));
  const index = [
    `# ${title}`,
    '',
    'Index of topic files: read a topic only when the task at hand needs it.',
    '',
    `## ${section}`,
    '',
    ...entries,
  ].join('\n');
  return { index: `${index}\n`, topics, grouped: groupSize > 1 ? chunks.length : 0 };
}

function uniqueFile(title: string, taken: Set<string>): string {
  let base: string;
  try {
    base = normalizeSlug(title);
  } catch {
    base = 'topic';
  }
  for (let suffix = 1; ; suffix++) {
    const file = suffix === 1 ? `${base}.md` : `${base}-${suffix}.md`;
    if (!taken.has(file)) {
      taken.add(file);
      return file;
    }
  }
}

/** The first sentence of a section's first paragraph, as plain text on one line. */
function firstSentence(text: string, maxLength: number): string {
  const tokens = parser.parse(text, {});
  for (let index = 1; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.type !== 'inline' || tokens[index - 1]!.type !== 'paragraph_open') continue;
    const plain = inlinePlain(token).replace(/\s+/g, ' ').trim();
    if (plain === '') continue;
    const sentence = /^(.+?[.!?])(?:\s|$)/.exec(plain)?.[1] ?? plain;
    return truncate(sentence, maxLength);
  }
  return '';
}

function inlinePlain(inline: Token): string {
  const walk = (tokens: Token[]): string =>
    tokens
      .map((token) =>
        token.type === 'softbreak' || token.type === 'hardbreak' ? ' ' : token.children ? walk(token.children) : token.content,
      )
      .join('');
  return walk(inline.children ?? []).trim();
}

function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1).trimEnd()}…`;
}
