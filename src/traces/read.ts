import { open, stat } from 'node:fs/promises';
import { AGENT_NAMES, type AgentName } from '../agents/types.js';
import { errorCode } from '../errors.js';
import { TraceError } from './errors.js';
import { detectTranscriptFormat, transcriptFormat } from './formats.js';
import { decodeLine, LineSplitter, planWindows } from './lines.js';
import { formatBytes, TraceScanner, unreadTrace } from './scan.js';
import type { SessionTrace, TraceIssue, TranscriptFormat, TranscriptLayout } from './types.js';

/** Options of {@link readTranscript} and {@link parseTranscript}. */
export interface ReadTranscriptOptions {
  /**
   * Whose transcript it is: `'claude'`, `'codex'`, `'gemini'`, `'copilot'` (an agent with no reader,
   * `'opencode'`, gives a minimal trace, `UNSUPPORTED_AGENT`). Default: told from the file's first
   * line by {@link detectTranscriptFormat}, and `'claude'` when it tells nothing.
   */
  readonly agent?: AgentName;
  /**
   * Most bytes read. Default {@link DEFAULT_MAX_BYTES} (16 MiB). A larger file is read as its first
   * `headBytes` and its last `maxBytes - headBytes`; the middle is skipped (`CAPPED`). A transcript
   * that is one JSON document (Gemini CLI's logs before JSON lines) is read whole or, past the cap,
   * not at all. `Infinity` reads everything (memory stays bounded by the longest line; time grows
   * with the file).
   */
  readonly maxBytes?: number;
  /** Of `maxBytes`, how many come from the head of a file past the cap. Default: a quarter of `maxBytes`, at most 1 MiB. */
  readonly headBytes?: number;
}

/**
 * The default byte cap, 16 MiB: about 0.1 s of reading and parsing on a shared 2-core machine
 * (test/traces/large.test.ts), well inside the tightest hook timeout (Codex: 3 s).
 */
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/** Bytes read at a time: one partial line at most is held between reads. */
const CHUNK_BYTES = 128 * 1024;

/**
 * How much of a file's start is read to tell its agent and layout: its first line, or this much of
 * it (Codex's first line holds its whole system prompt, about 25 KB).
 */
const FIRST_LINE_BYTES = 64 * 1024;

/**
 * Reads a session transcript into a {@link SessionTrace}, streaming, within a byte cap. Never
 * rejects for anything about the file: a missing file, a directory, a file that cannot be read, a
 * malformed, truncated, non-UTF-8 or huge transcript each give the trace of what could be read,
 * with `issues` saying what degraded. Only invalid options reject (`TraceError`, `INVALID_OPTION`).
 * The file is read as it is when opened: lines appended meanwhile are not read.
 */
export async function readTranscript(path: string, options: ReadTranscriptOptions = {}): Promise<SessionTrace> {
  const { agent: requested, maxBytes, headBytes } = resolveOptions(options);
  const fallback = requested ?? 'claude';
  if (requested !== undefined && transcriptFormat(requested) === undefined) return unreadTrace(requested, path, unsupported(requested));

  try {
    // Checked before opening: opening a FIFO for reading would wait for a writer.
    const info = await stat(path);
    if (!info.isFile()) return unreadTrace(fallback, path, { code: 'NOT_A_FILE', detail: 'the path is not a regular file' });
  } catch (error) {
    return unreadTrace(fallback, path, openIssue(error));
  }
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return unreadTrace(fallback, path, openIssue(error));
  }

  let agent = fallback;
  let scanner: TraceScanner | undefined;
  let size = 0;
  let read = 0;
  try {
    size = (await handle.stat()).size;
    const start = Math.min(size, FIRST_LINE_BYTES);
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(start), 0, start, 0);
    const plan = planFormat(requested, buffer.subarray(0, bytesRead));
    agent = plan.agent;
    scanner = new TraceScanner(plan.format.createParser(), plan.layout);
    if (plan.layout === 'document') {
      if (size > maxBytes) scanner.issue(documentCapped(size));
      else {
        const whole = Buffer.alloc(size);
        for (let position = 0; position < size; ) {
          const chunk = await handle.read(whole, position, Math.min(CHUNK_BYTES, size - position), position);
          if (chunk.bytesRead === 0) break; // The file shrank since it was opened.
          position += chunk.bytesRead;
          read += chunk.bytesRead;
        }
        scanner.document(whole.subarray(0, read));
      }
    } else {
      const { windows, skipped } = planWindows(size, maxBytes, headBytes);
      for (const [index, window] of windows.entries()) {
        // The skipped bytes lie before the tail: between the head and it, or, with no head, at the start.
        if (window.start > 0 && skipped > 0) scanner.gap(skipped, index === 0 ? 'start' : 'middle');
        const active = scanner;
        const splitter = new LineSplitter((bytes, terminated) => active.line(bytes, terminated), window.dropFirst);
        for (let position = window.start; position < window.end; ) {
          const length = Math.min(CHUNK_BYTES, window.end - position);
          const chunk = await handle.read(Buffer.allocUnsafe(length), 0, length, position);
          if (chunk.bytesRead === 0) break; // The file shrank since it was opened.
          splitter.push(chunk.buffer.subarray(0, chunk.bytesRead));
          position += chunk.bytesRead;
          read += chunk.bytesRead;
        }
        splitter.end(window.cutAtEnd);
      }
    }
  } catch (error) {
    scanner ??= new TraceScanner(transcriptFormat(agent)!.createParser());
    scanner.issue({ code: 'UNREADABLE', detail: `reading stopped after ${read} bytes (${errorCode(error) ?? 'error'})` });
  } finally {
    await handle.close().catch(() => undefined);
  }
  return scanner.finish(agent, path, { size, read });
}

/**
 * The same as {@link readTranscript} over a transcript already in memory (a string is taken as
 * UTF-8), with no I/O: for tests, and for callers that hold the text. `path` is only recorded.
 */
export function parseTranscript(input: string | Uint8Array, options: ReadTranscriptOptions & { readonly path?: string } = {}): SessionTrace {
  const { agent: requested, maxBytes, headBytes } = resolveOptions(options);
  const path = options.path ?? '';
  if (requested !== undefined && transcriptFormat(requested) === undefined) return unreadTrace(requested, path, unsupported(requested));
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const { agent, format, layout } = planFormat(requested, bytes.subarray(0, FIRST_LINE_BYTES));
  const scanner = new TraceScanner(format.createParser(), layout);
  if (layout === 'document') {
    if (bytes.length > maxBytes) {
      scanner.issue(documentCapped(bytes.length));
      return scanner.finish(agent, path, { size: bytes.length, read: 0 });
    }
    scanner.document(bytes);
    return scanner.finish(agent, path, { size: bytes.length, read: bytes.length });
  }
  const { windows, skipped } = planWindows(bytes.length, maxBytes, headBytes);
  let read = 0;
  for (const [index, window] of windows.entries()) {
    if (window.start > 0 && skipped > 0) scanner.gap(skipped, index === 0 ? 'start' : 'middle');
    const splitter = new LineSplitter((line, terminated) => scanner.line(line, terminated), window.dropFirst);
    splitter.push(bytes.subarray(window.start, window.end));
    splitter.end(window.cutAtEnd);
    read += window.end - window.start;
  }
  return scanner.finish(agent, path, { size: bytes.length, read });
}

/** The agent (the one asked for, else the one the first line tells, else Claude), its reader and the file's layout. */
function planFormat(requested: AgentName | undefined, start: Uint8Array): { agent: AgentName; format: TranscriptFormat; layout: TranscriptLayout } {
  const newline = start.indexOf(10);
  const firstLine = decodeLine(newline === -1 ? start : start.subarray(0, newline)).text.replace(/\r$/, '');
  const agent = requested ?? detectTranscriptFormat(firstLine) ?? 'claude';
  const format = transcriptFormat(agent)!;
  return { agent, format, layout: format.layout?.(firstLine) ?? 'lines' };
}

function documentCapped(size: number): TraceIssue {
  return { code: 'CAPPED', count: size, detail: `the transcript is one JSON document of ${formatBytes(size)}, larger than the byte cap: not read` };
}

function resolveOptions(options: ReadTranscriptOptions): { agent: AgentName | undefined; maxBytes: number; headBytes: number } {
  const agent = options.agent;
  if (agent !== undefined && !AGENT_NAMES.includes(agent)) throw new TraceError('INVALID_OPTION', `agent must be one of ${AGENT_NAMES.join(', ')}`);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (typeof maxBytes !== 'number' || Number.isNaN(maxBytes) || maxBytes < 1) {
    throw new TraceError('INVALID_OPTION', 'maxBytes must be a number of bytes, at least 1');
  }
  const headBytes = options.headBytes ?? Math.min(Math.floor(maxBytes / 4), 1024 * 1024);
  if (typeof headBytes !== 'number' || !Number.isInteger(headBytes) || headBytes < 0 || headBytes >= maxBytes) {
    throw new TraceError('INVALID_OPTION', 'headBytes must be a whole number of bytes, at least 0 and less than maxBytes');
  }
  return { agent, maxBytes: Number.isFinite(maxBytes) ? Math.floor(maxBytes) : maxBytes, headBytes };
}

function openIssue(error: unknown): { code: 'MISSING' | 'UNREADABLE'; detail: string } {
  const code = errorCode(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') return { code: 'MISSING', detail: 'no file at the path' };
  return { code: 'UNREADABLE', detail: `the file could not be opened (${code ?? 'error'})` };
}

function unsupported(agent: AgentName): { code: 'UNSUPPORTED_AGENT'; detail: string } {
  return { code: 'UNSUPPORTED_AGENT', detail: `no reader for ${agent} transcripts yet` };
}
