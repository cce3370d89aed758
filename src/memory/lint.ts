import type { ParsedIndex } from './parse.js';
import { topicKey } from './parse.js';
import { resolveLink } from './topic.js';

/** Stable codes of {@link LintProblem}. */
export type LintCode =
  /** The index has more lines than the budget. */
  | 'OVER_BUDGET'
  /** A link to a topic file that does not exist. */
  | 'BROKEN_LINK'
  /** A link whose path leaves the memory directory. */
  | 'ESCAPING_LINK'
  /** A topic file that no entry links. */
  | 'ORPHAN_TOPIC'
  /** A summary that wraps onto more lines. */
  | 'MULTILINE_SUMMARY'
  /** A summary longer than the bound. */
  | 'LONG_SUMMARY'
  /** Two entries link the same topic file. */
  | 'DUPLICATE_ENTRY';

/** One problem found by `lint`. */
export interface LintProblem {
  readonly code: LintCode;
  readonly message: string;
  /** 1-based line in the index, when the problem has one. */
  readonly line?: number;
  /** The topic file concerned, when there is one. */
  readonly file?: string;
}

/** Options of {@link lintIndex}. */
export interface LintOptions {
  /** Line budget of the index. */
  readonly maxLines: number;
  /** Longest summary, in characters. */
  readonly maxSummaryLength: number;
  /** Topic files that exist, relative to the memory directory. */
  readonly topicFiles: readonly string[];
}

/** Checks an index against its topic files. Pure; problems come in line order, orphans last. */
export function lintIndex(parsed: ParsedIndex, options: LintOptions): LintProblem[] {
  const problems: LintProblem[] = [];
  if (parsed.lineCount > options.maxLines) {
    problems.push({
      code: 'OVER_BUDGET',
      message: `index has ${parsed.lineCount} lines; the budget is ${options.maxLines}`,
    });
  }
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
    if (entry.summary.length > options.maxSummaryLength) {
      problems.push({
        code: 'LONG_SUMMARY',
        message: `summary of ${target.file} has ${entry.summary.length} characters; the bound is ${options.maxSummaryLength}`,
        line,
        file: target.file,
      });
    }
  }
  for (const [key, file] of existing) {
    if (!linked.has(key)) problems.push({ code: 'ORPHAN_TOPIC', message: `${file} is not linked from the index`, file });
  }
  return problems;
}
