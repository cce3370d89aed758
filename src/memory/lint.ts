import { isMemoryType, MEMORY_TYPES, type TopicFrontMatter } from './front-matter.js';
import type { ParsedIndex } from './parse.js';
import { splitLines, topicKey } from './parse.js';
import { resolveLink } from './topic.js';

/** Stable codes of {@link LintProblem}. */
export type LintCode =
  /** The index has more lines than Claude Code loads (200): the lines past it never reach the model. */
  | 'OVER_BUDGET'
  /** The index is longer than Claude Code loads (25 000 characters, its "25 KB"): the rest is cut. */
  | 'OVER_SIZE'
  /** A link to a topic file that does not exist. */
  | 'BROKEN_LINK'
  /** A link whose path leaves the memory directory. */
  | 'ESCAPING_LINK'
  /** A topic file that no entry links. */
  | 'ORPHAN_TOPIC'
  /** A summary that wraps onto more lines. */
  | 'MULTILINE_SUMMARY'
  /** An entry longer than Claude Code's guidance ("one line under ~200 chars"). */
  | 'LONG_ENTRY'
  /** Two entries link the same topic file. */
  | 'DUPLICATE_ENTRY'
  /** A topic file without `name`, `description` or a known `type` in its front matter. */
  | 'MISSING_FRONT_MATTER';

/** One problem found by `lint`. */
export interface LintProblem {
  readonly code: LintCode;
  readonly message: string;
  /** 1-based line in the index, when the problem has one. */
  readonly line?: number;
  /** The topic file concerned, when there is one. */
  readonly file?: string;
}

/** A topic file's front matter, for the front-matter check; `undefined` when it has none. */
export interface TopicFrontMatterInfo {
  readonly file: string;
  readonly frontMatter: TopicFrontMatter | undefined;
}

/** Options of {@link lintIndex}. */
export interface LintOptions {
  /** Most lines Claude Code loads; counted as it counts them (after trimming). Default 200. */
  readonly maxLines?: number;
  /**
   * Longest index Claude Code loads, in UTF-16 code units of the trimmed text (what it measures
   * and reports as bytes). Default 25 000.
   */
  readonly maxIndexChars?: number;
  /** Longest entry, in characters of its source line. Default 200. */
  readonly maxEntryLength?: number;
  /** Topic files that exist, relative to the memory directory. */
  readonly topicFiles: readonly string[];
  /** Front matter of topic files to check; topics not listed are not checked. */
  readonly topics?: readonly TopicFrontMatterInfo[];
}

/** Claude Code's load limits for MEMORY.md (observed in 2.1.197). */
export const CLAUDE_INDEX_LIMITS = { maxLines: 200, maxIndexChars: 25_000, maxEntryLength: 200 } as const;

/**
 * Checks an index against its topic files. Pure; problems come in line order, then orphan topics,
 * then topics with missing front matter.
 */
export function lintIndex(parsed: ParsedIndex, options: LintOptions): LintProblem[] {
  const { maxLines, maxIndexChars, maxEntryLength } = { ...CLAUDE_INDEX_LIMITS, ...definedOnly(options) };
  const problems: LintProblem[] = [];
  // Claude Code trims the index before it counts lines and characters.
  const loaded = parsed.text.trim();
  const loadedLines = loaded === '' ? 0 : loaded.split('\n').length;
  if (loadedLines > maxLines) {
    problems.push({
      code: 'OVER_BUDGET',
      message: `index has ${loadedLines} lines; Claude Code loads the first ${maxLines}`,
    });
  }
  if (loaded.length > maxIndexChars) {
    problems.push({
      code: 'OVER_SIZE',
      message: `index has ${loaded.length} characters; Claude Code loads ${maxIndexChars} at most`,
    });
  }
  const sourceLines = splitLines(parsed.text);
  const existing = new Map(options.topicFiles.map((file) => [topicKey(file), file]));
  const linked = new Set<string>();
  const firstLine = new Map<string, number>();
  for (const entry of parsed.entries) {
    const { line } = entry;
    const target = resolveLink(entry.file);
    if (target.kind === 'external') continue;
    if (target.kind === 'escapes') {
      problems.push({ code: 'ESCAPING_LINK', message: `link ${entry.file} leaves the memory directory`, line, file: entry.file });
      continue;
    }
    const key = topicKey(target.file);
    if (firstLine.has(key)) {
      problems.push({
        code: 'DUPLICATE_ENTRY',
        message: `${target.file} is already linked on line ${firstLine.get(key)}`,
        line,
        file: target.file,
      });
    } else {
      firstLine.set(key, line);
    }
    linked.add(key);
    if (!existing.has(key)) {
      problems.push({ code: 'BROKEN_LINK', message: `${target.file} does not exist`, line, file: target.file });
    }
    if (entry.lineCount > 1 || entry.summary.includes('\n')) {
      problems.push({ code: 'MULTILINE_SUMMARY', message: `summary of ${target.file} spans ${entry.lineCount} lines`, line, file: target.file });
    }
    const length = sourceLines
      .slice(line - 1, line - 1 + entry.lineCount)
      .map((source) => source.trim())
      .join(' ').length;
    if (length > maxEntryLength) {
      problems.push({
        code: 'LONG_ENTRY',
        message: `entry for ${target.file} has ${length} characters; keep it under ${maxEntryLength}`,
        line,
        file: target.file,
      });
    }
  }
  for (const [key, file] of existing) {
    if (!linked.has(key)) problems.push({ code: 'ORPHAN_TOPIC', message: `${file} is not linked from the index`, file });
  }
  for (const topic of options.topics ?? []) {
    const missing = missingFields(topic.frontMatter);
    if (missing.length > 0) {
      problems.push({
        code: 'MISSING_FRONT_MATTER',
        message: `${topic.file} ${topic.frontMatter === undefined ? 'has no front matter' : 'front matter lacks'}: ${missing.join(', ')}`,
        file: topic.file,
      });
    }
  }
  return problems;
}

/** Which of `name`, `description`, `type` a topic lacks (a type outside the four counts as missing). */
export function missingFields(frontMatter: TopicFrontMatter | undefined): string[] {
  const missing: string[] = [];
  if (!frontMatter?.name) missing.push('name');
  if (!frontMatter?.description) missing.push('description');
  if (!isMemoryType(frontMatter?.type)) {
    missing.push(frontMatter?.type ? `type (${JSON.stringify(frontMatter.type)} is not ${MEMORY_TYPES.join(' | ')})` : 'type');
  }
  return missing;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
