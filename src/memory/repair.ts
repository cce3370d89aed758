import type { MemoryType } from './front-matter.js';
import { parseIndex, renderEntry, spliceLines, splitLines, topicKey, upsertEntry, type ParsedIndex } from './parse.js';
import { resolveLink } from './topic.js';

/**
 * Healing an index that parallel sessions clobbered. Claude Code's sessions each rewrite the whole
 * MEMORY.md from what they read earlier, so the last writer drops the lines the others added while
 * their topic files survive (anthropics/claude-code #58736, #85597). The topic files are the truth
 * that is left: every one of them gets its line back, and lines linking one topic twice are cut to
 * the first. Pure: no filesystem here; `MemoryIndex.repair` runs it under the index lock.
 */

/** The section a line goes under when nothing else says: the type's (`Project`), else `Recovered`. */
export function defaultSection(type: MemoryType | undefined): string {
  return type === undefined ? RECOVERED_SECTION : `${type[0]!.toUpperCase()}${type.slice(1)}`;
}

/** Where lines of topics without a known `type` are put back. */
export const RECOVERED_SECTION = 'Recovered';

/** What repair knows of one topic file. */
export interface RepairTopic {
  /** Relative path of the topic file, e.g. `deploy.md`. */
  readonly file: string;
  /** Link text for its line: its first `# Heading`, else its front-matter `name`, else the file's name. */
  readonly title: string;
  /** Its front-matter `description`, the text after the link; `undefined` for none. */
  readonly description: string | undefined;
  /** Its front-matter `type`, when it is one of the four. */
  readonly type: MemoryType | undefined;
}

/** An index line put back for a topic file no line linked. */
export interface RestoredLine {
  readonly file: string;
  readonly title: string;
  readonly summary: string;
  readonly section: string;
  /** 1-based line in the repaired index. */
  readonly line: number;
  /** The line as written. */
  readonly text: string;
}

/** A line removed because an earlier line links the same topic file. */
export interface RemovedLine {
  readonly file: string;
  /** 1-based line in the index before the repair. */
  readonly line: number;
  /** The line (or lines, for a wrapped entry) as they were, without the final line ending. */
  readonly text: string;
  /** 1-based line of the entry that was kept, in the index before the repair. */
  readonly keptLine: number;
}

/** What a repair changes; `text === parsed.text` when nothing. */
export interface RepairPlan {
  readonly text: string;
  readonly restored: readonly RestoredLine[];
  readonly removed: readonly RemovedLine[];
}

/**
 * Plans a repair: removes later lines that link a topic an earlier line links, then adds a line for
 * every topic not linked, under {@link defaultSection} of its type (the section is created at the
 * end of the index when missing), in file-name order. Lines it does not remove stay byte for byte.
 * Running it on its own result changes nothing.
 */
export function planRepair(parsed: ParsedIndex, topics: readonly RepairTopic[]): RepairPlan {
  const sourceLines = splitLines(parsed.text);
  const firstLine = new Map<string, number>();
  const removed: RemovedLine[] = [];
  for (const entry of parsed.entries) {
    const target = resolveLink(entry.file);
    if (target.kind !== 'topic') continue;
    const key = topicKey(target.file);
    const kept = firstLine.get(key);
    if (kept === undefined) {
      firstLine.set(key, entry.line);
      continue;
    }
    const text = sourceLines
      .slice(entry.line - 1, entry.line - 1 + entry.lineCount)
      .join('')
      .replace(/\r?\n$/, '');
    removed.push({ file: target.file, line: entry.line, text, keptLine: kept });
  }
  let text = parsed.text;
  for (const line of [...removed].reverse()) text = spliceLines(text, line.line - 1, line.text.split('\n').length, []);

  let current = text === parsed.text ? parsed : parseIndex(text);
  const missing = [...topics]
    .filter((topic) => !firstLine.has(topicKey(topic.file)))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const planned: Array<Omit<RestoredLine, 'line'>> = [];
  const seen = new Set<string>();
  for (const topic of missing) {
    if (seen.has(topicKey(topic.file))) continue;
    seen.add(topicKey(topic.file));
    const entry = {
      section: defaultSection(topic.type),
      title: oneLine(topic.title) || topic.file,
      file: topic.file,
      summary: oneLine(topic.description ?? ''),
    };
    current = parseIndex(upsertEntry(current, entry));
    planned.push({ ...entry, text: renderEntry(entry) });
  }
  const restored = planned.map((line) => ({
    ...line,
    line: current.entries.find((entry) => topicKey(entry.file) === topicKey(line.file))!.line,
  }));
  return { text: current.text, restored, removed };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
