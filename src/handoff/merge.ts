import { formatInstant } from './codec.js';
import { compareHandoffNames, parseHandoffName, parseStamp, type HandoffName, type TimeZone } from './name.js';

/** One handoff as `mergeHandoffs` needs it. */
export interface MergeItem {
  /** The handoff's file name (pending or consumed form); gives its slug, and its time when `createdAt` is absent. */
  readonly name: string;
  /** When it was written (the `created` instant of its front matter). Default: its name's stamp in local time. */
  readonly createdAt?: Date;
  /** Its text without front matter. */
  readonly body: string;
  /** Where its full text stays on disk; named in place of text the budget cut. */
  readonly path?: string;
  /** Who wrote it, shown in its header (`from Codex, session 0199a2…`). */
  readonly from?: string;
}

/**
 * A size limit for merged text. Past roughly 200 lines a model reads the bottom of a context
 * block poorly, so a session start should not hand it everything at full length.
 */
export interface MergeBudget {
  /** Most lines of merged text. */
  readonly maxLines?: number;
  /** Most characters of merged text. */
  readonly maxChars?: number;
  /** The clock headers are written in, with its offset. Default `'local'`. */
  readonly timeZone?: TimeZone;
}

/** How many lines of a shortened handoff are kept. */
const EXCERPT_LINES = 3;

interface Block {
  readonly parsed: HandoffName | undefined;
  readonly item: MergeItem;
  /** The instant it was written, when known. */
  readonly at: number | undefined;
  /** 0 full, 1 excerpt, 2 header only. */
  level: 0 | 1 | 2;
  text: string;
}

/**
 * Joins handoffs into one text, oldest first by the instant each was written, each under a
 * `## YYYY-MM-DD HH:MM:SS ±HH:MM · slug[ · from <agent>, session <id>]` header.
 *
 * With a budget, the newest handoffs stay whole and older ones are cut, oldest first: to their
 * first lines, then to their header, then left out, until the text fits; a closing note says what
 * was cut and where the full texts are. The newest handoff is kept at least as a header, so a
 * budget smaller than one header is exceeded by that much.
 */
export function mergeHandoffs(items: readonly MergeItem[], budget: MergeBudget = {}): string {
  const timeZone = budget.timeZone ?? 'local';
  const blocks: Block[] = items
    .map((item) => {
      const parsed = parseHandoffName(item.name);
      const at = item.createdAt?.getTime() ?? (parsed ? parseStamp(parsed.stamp, 'local').getTime() : undefined);
      return { parsed, item, at, level: 0 as const, text: '' };
    })
    .sort(compareBlocks);
  for (const block of blocks) block.text = renderBlock(block, timeZone);

  const maxLines = budget.maxLines ?? Infinity;
  const maxChars = budget.maxChars ?? Infinity;
  let omitted = 0;
  let lines = 0;
  let chars = 0;
  for (const block of blocks) {
    lines += countLines(block.text);
    chars += block.text.length;
  }
  const total = (): { lines: number; chars: number; text: string } => {
    const kept = blocks.length - omitted;
    const note = noteFor(blocks, omitted);
    const separators = Math.max(0, kept - 1) + (note ? 1 : 0);
    return { lines: lines + separators + countLines(note), chars: chars + separators + note.length, text: note };
  };
  const fits = (): boolean => {
    const { lines: usedLines, chars: usedChars } = total();
    return usedLines <= maxLines && usedChars <= maxChars;
  };
  const setLevel = (block: Block, level: 1 | 2): void => {
    const text = renderBlock({ ...block, level }, timeZone);
    // An excerpt of a short handoff can be longer than the handoff: a cut must make it smaller.
    if (countLines(text) >= countLines(block.text) && text.length >= block.text.length) return;
    lines += countLines(text) - countLines(block.text);
    chars += text.length - block.text.length;
    block.level = level;
    block.text = text;
  };

  // Cut older handoffs first, one step at a time; the newest is cut last.
  const newest = blocks.length - 1;
  for (const level of [1, 2] as const) {
    for (let index = 0; index < newest && !fits(); index++) setLevel(blocks[index]!, level);
  }
  for (const level of [1, 2] as const) if (newest >= 0 && !fits()) setLevel(blocks[newest]!, level);
  while (omitted < newest && !fits()) {
    const block = blocks[omitted]!;
    lines -= countLines(block.text);
    chars -= block.text.length;
    omitted++;
  }

  const parts = blocks.slice(omitted).map((block) => block.text);
  const { text: note } = total();
  if (note) parts.push(note);
  return parts.join('\n');
}

/** Oldest first; handoffs of no known time last; ties in name order. */
function compareBlocks(a: Block, b: Block): number {
  if (a.at !== b.at) return a.at === undefined ? 1 : b.at === undefined ? -1 : a.at - b.at;
  return a.parsed && b.parsed ? compareHandoffNames(a.parsed, b.parsed) : a.parsed ? -1 : b.parsed ? 1 : 0;
}

function renderBlock({ parsed, item, at, level }: Block, timeZone: TimeZone): string {
  const from = item.from === undefined ? '' : ` · ${item.from}`;
  const header = parsed && at !== undefined ? `## ${headerTime(new Date(at), timeZone)} · ${parsed.slug}${from}` : `## ${item.name}${from}`;
  const body = item.body.replace(/\s+$/, '');
  if (level === 0) return body === '' ? `${header}\n` : `${header}\n\n${body}\n`;
  const where = item.path ?? item.name;
  if (level === 2) return `${header}\n(shortened; full text: ${where})\n`;
  const bodyLines = body.split('\n');
  const excerpt = bodyLines.filter((line) => line.trim() !== '').slice(0, EXCERPT_LINES);
  const rest = bodyLines.length - excerpt.length;
  return `${header}\n\n${excerpt.join('\n')}\n(… shortened, ${rest} more lines; full text: ${where})\n`;
}

/** `2026-11-01 01:15:00 -05:00`: the instant in the given clock, with its offset, to the second. */
function headerTime(date: Date, timeZone: TimeZone): string {
  const iso = formatInstant(date, timeZone);
  const offset = iso.endsWith('Z') ? '+00:00' : iso.slice(-6);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} ${offset}`;
}

function noteFor(blocks: readonly Block[], omitted: number): string {
  const shortened = blocks.slice(omitted).filter((block) => block.level > 0).length;
  if (shortened === 0 && omitted === 0) return '';
  const parts: string[] = [];
  if (shortened > 0) parts.push(`${shortened} shortened`);
  if (omitted > 0) {
    const names = blocks.slice(0, omitted).map((block) => block.item.path ?? block.item.name);
    const shown = names.length <= 3 ? names.join(', ') : `${names.slice(0, 2).join(', ')} … ${names.at(-1)}`;
    parts.push(`${omitted} oldest left out (${shown})`);
  }
  return `> Context budget: of ${blocks.length} handoffs, ${parts.join(' and ')}. Nothing was deleted: every handoff stays on disk as a _done.md file.\n`;
}

function countLines(text: string): number {
  if (text === '') return 0;
  let count = 1;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
  return text.endsWith('\n') ? count - 1 : count;
}
