import type { AgentName } from '../agents/types.js';
import { TraceBuilder } from './builder.js';
import { decodeLine } from './lines.js';
import type { SessionTrace, TraceFacts, TraceIssue, TranscriptLayout, TranscriptParser, WorkDone } from './types.js';

/** Issues after which "no model reply was read" no longer means "the session did no work". */
const HIDING_ISSUES = new Set<TraceIssue['code']>([
  'MISSING',
  'NOT_A_FILE',
  'UNREADABLE',
  'MALFORMED_LINES',
  'TRUNCATED_LAST_LINE',
  'UNKNOWN_LINES',
  'CAPPED',
  'UNSUPPORTED_AGENT',
]);

/**
 * Feeds lines to one agent's parser and keeps count of what degraded, so the trace can say it.
 * A parser that throws (it should not) costs the line, never the trace.
 */
export class TraceScanner {
  private malformed = 0;
  private unknown = 0;
  private notUtf8 = 0;
  private truncatedLast = false;
  private readonly issues: TraceIssue[] = [];

  constructor(
    private readonly parser: TranscriptParser,
    private readonly layout: TranscriptLayout = 'lines',
  ) {}

  /** One line's bytes; `terminated` is false only for a file's last line with no newline. */
  line(bytes: Uint8Array, terminated: boolean): void {
    const { text, valid } = decodeLine(bytes);
    if (!valid) this.notUtf8++;
    if (text.trim() === '') return;
    let result;
    try {
      result = this.parser.line(text);
    } catch {
      result = 'malformed' as const;
    }
    if (result === 'unknown') this.unknown++;
    else if (result === 'malformed') {
      // A last line cut short is a transcript still being written, not a broken one.
      if (terminated) this.malformed++;
      else this.truncatedLast = true;
    }
  }

  /** A transcript that is one JSON document: its whole text, given to the parser at once. */
  document(bytes: Uint8Array): void {
    // A document is one unit: its end is never "still being written", it is whole or malformed.
    this.line(bytes, true);
  }

  /** The byte cap skipped `bytes` between the head and the tail, or at the start when there is no head. */
  gap(bytes: number, where: 'middle' | 'start' = 'middle'): void {
    this.issues.push({ code: 'CAPPED', count: bytes, detail: `${formatBytes(bytes)} ${where === 'start' ? 'at the start' : 'in the middle'} not read (byte cap)` });
    try {
      this.parser.gap();
    } catch {
      // The gap is only a hint to the parser.
    }
  }

  /** A problem found outside the lines (reading the file failed part-way). */
  issue(issue: TraceIssue): void {
    this.issues.push(issue);
  }

  /** The trace of what was read. */
  finish(agent: AgentName, path: string, bytes: SessionTrace['bytes']): SessionTrace {
    let facts: TraceFacts;
    try {
      facts = this.parser.finish();
    } catch {
      facts = new TraceBuilder().facts();
    }
    const issues: TraceIssue[] = [];
    if (bytes.size === 0 && this.issues.length === 0) issues.push({ code: 'EMPTY', detail: 'the transcript is empty' });
    if (this.notUtf8 > 0) issues.push({ code: 'NOT_UTF8', count: this.notUtf8, detail: `${lines(this.notUtf8)} not valid UTF-8, read with replacement characters` });
    if (this.malformed > 0) {
      const detail = this.layout === 'document' ? 'the transcript is not a JSON document of a known shape, not read' : `${lines(this.malformed)} not JSON objects, skipped`;
      issues.push({ code: 'MALFORMED_LINES', count: this.malformed, detail });
    }
    if (this.truncatedLast) issues.push({ code: 'TRUNCATED_LAST_LINE', count: 1, detail: 'the last line is cut short (still being written), skipped' });
    if (this.unknown > 0) issues.push({ code: 'UNKNOWN_LINES', count: this.unknown, detail: `${lines(this.unknown)} of unknown types, skipped` });
    issues.push(...this.issues);
    return { agent, path, ...facts, work: workDone(facts.modelReplied, issues), bytes, issues };
  }
}

/** The trace of a transcript that could not be read at all. */
export function unreadTrace(agent: AgentName, path: string, issue: TraceIssue, size = 0): SessionTrace {
  const facts = new TraceBuilder().facts();
  return { agent, path, ...facts, work: 'unknown', bytes: { size, read: 0 }, issues: [issue] };
}

function workDone(modelReplied: boolean, issues: readonly TraceIssue[]): WorkDone {
  if (modelReplied) return 'done';
  return issues.some((issue) => HIDING_ISSUES.has(issue.code)) ? 'unknown' : 'none';
}

function lines(count: number): string {
  return count === 1 ? '1 line' : `${count} lines`;
}

/** `512 bytes`, `12.3 KiB`, `41.9 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
