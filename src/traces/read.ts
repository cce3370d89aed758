import { open, stat } from 'node:fs/promises';
import { AGENT_NAMES, type AgentName } from '../agents/types.js';
import { errorCode } from '../errors.js';
import { TraceError } from './errors.js';
import { transcriptFormat } from './formats.js';
import { LineSplitter, planWindows } from './lines.js';
import { TraceScanner, unreadTrace } from './scan.js';
import type { SessionTrace } from './types.js';

/** Options of {@link readTranscript} and {@link parseTranscript}. */
export interface ReadTranscriptOptions {
  /** Whose transcript it is. Default `'claude'`. An agent with no reader gives a minimal trace (`UNSUPPORTED_AGENT`). */
  readonly agent?: AgentName;
  /**
   * Most bytes read. Default {@link DEFAULT_MAX_BYTES} (16 MiB). A larger file is read as its first
   * `headBytes` and its last `maxBytes - headBytes`; the middle is skipped (`CAPPED`). `Infinity`
   * reads everything (memory stays bounded by the longest line; time grows with the file).
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
 * Reads a session transcript into a {@link SessionTrace}, streaming, within a byte cap. Never
 * rejects for anything about the file: a missing file, a directory, a file that cannot be read, a
 * malformed, truncated, non-UTF-8 or huge transcript each give the trace of what could be read,
 * with `issues` saying what degraded. Only invalid options reject (`TraceError`, `INVALID_OPTION`).
 * The file is read as it is when opened: lines appended meanwhile are not read.
 */
export async function readTranscript(path: string, options: ReadTranscriptOptions = {}): Promise<SessionTrace> {
  const { agent, maxBytes, headBytes } = resolveOptions(options);
  const format = transcriptFormat(agent);
  if (format === undefined) return unreadTrace(agent, path, unsupported(agent));

  try {
    // Checked before opening: opening a FIFO for reading would wait for a writer.
    const info = await stat(path);
    if (!info.isFile()) return unreadTrace(agent, path, { code: 'NOT_A_FILE', detail: 'the path is not a regular file' });
  } catch (error) {
    return unreadTrace(agent, path, openIssue(error));
  }
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    return unreadTrace(agent, path, openIssue(error));
  }

  const scanner = new TraceScanner(format.createParser());
  let size = 0;
  let read = 0;
  try {
    size = (await handle.stat()).size;
    const { windows, skipped } = planWindows(size, maxBytes, headBytes);
    for (const [index, window] of windows.entries()) {
      if (index > 0) scanner.gap(skipped);
      const splitter = new LineSplitter((bytes, terminated) => scanner.line(bytes, terminated), window.dropFirst);
      for (let position = window.start; position < window.end; ) {
        const length = Math.min(CHUNK_BYTES, window.end - position);
        const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(length), 0, length, position);
        if (bytesRead === 0) break; // The file shrank since it was opened.
        splitter.push(buffer.subarray(0, bytesRead));
        position += bytesRead;
        read += bytesRead;
      }
      splitter.end(window.cutAtEnd);
    }
  } catch (error) {
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
  const { agent, maxBytes, headBytes } = resolveOptions(options);
  const path = options.path ?? '';
  const format = transcriptFormat(agent);
  if (format === undefined) return unreadTrace(agent, path, unsupported(agent));
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const scanner = new TraceScanner(format.createParser());
  const { windows, skipped } = planWindows(bytes.length, maxBytes, headBytes);
  let read = 0;
  for (const [index, window] of windows.entries()) {
    if (index > 0) scanner.gap(skipped);
    const splitter = new LineSplitter((line, terminated) => scanner.line(line, terminated), window.dropFirst);
    splitter.push(bytes.subarray(window.start, window.end));
    splitter.end(window.cutAtEnd);
    read += window.end - window.start;
  }
  return scanner.finish(agent, path, { size: bytes.length, read });
}

function resolveOptions(options: ReadTranscriptOptions): { agent: AgentName; maxBytes: number; headBytes: number } {
  const agent = options.agent ?? 'claude';
  if (!AGENT_NAMES.includes(agent)) throw new TraceError('INVALID_OPTION', `agent must be one of ${AGENT_NAMES.join(', ')}`);
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
