import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnthropicServer, MessagesRequest } from './anthropic.js';
import {
  findTranscript,
  readTranscript,
  runClaude,
  sessionIdOf,
  transcriptPaths,
  type ClaudeRun,
  type RunClaudeOptions,
  type TranscriptLine,
} from './claude.js';

/** Options of {@link claudeSession}: {@link runClaude}'s, with the server in place of its URL. */
export interface ClaudeSessionOptions extends Omit<RunClaudeOptions, 'modelUrl'> {
  server: AnthropicServer;
  /** Write Claude Code's debug log to this file (`--debug-file`), to read hook runs from. */
  debugFile?: string;
}

/** What one real `claude -p` session did, as the client itself recorded it. */
export interface ClaudeSession {
  run: ClaudeRun;
  /** The session id, from its requests or, for a session that sent none, its new transcript. */
  sessionId: string | undefined;
  /** The main-loop Messages requests this session sent, in order. */
  requests: MessagesRequest[];
  transcriptPath: string | undefined;
  transcript: TranscriptLine[];
  /** The `--debug-file` log, when one was asked for. */
  debugLog: string | undefined;
}

/**
 * Runs one real session and gathers its requests (picked by the session id they carry, so
 * sessions may share a server and run at once) and its transcript. A session that sent no request
 * (not logged in) is identified by the one transcript file that appeared while it ran; run such
 * sessions one at a time.
 */
export async function claudeSession(options: ClaudeSessionOptions): Promise<ClaudeSession> {
  const home = options.env.HOME;
  if (home === undefined) throw new Error('claudeSession: env has no HOME');
  const before = new Set(await transcriptPaths(home));
  const seen = options.server.messageRequests().length;
  const args = [...(options.args ?? []), ...(options.debugFile === undefined ? [] : ['--debug-file', options.debugFile])];
  const run = await runClaude({ ...options, args, modelUrl: options.server.url });
  const fresh = options.server.messageRequests().slice(seen);
  let sessionId = fresh.map(sessionIdOf).find((id) => id !== undefined);
  let requests = sessionId === undefined ? [] : fresh.filter((request) => sessionIdOf(request) === sessionId);
  if (sessionId === undefined) {
    const created = (await transcriptPaths(home)).filter((path) => !before.has(path));
    if (created.length === 1) sessionId = created[0]?.split('/').pop()?.replace(/\.jsonl$/, '');
    requests = [];
  }
  let transcriptPath: string | undefined;
  let transcript: TranscriptLine[] = [];
  if (sessionId !== undefined) {
    transcriptPath = await findTranscript(home, sessionId);
    transcript = await readTranscript(transcriptPath);
  }
  const debugLog = options.debugFile !== undefined && existsSync(options.debugFile) ? await readFile(options.debugFile, 'utf8') : undefined;
  return { run, sessionId, requests, transcriptPath, transcript, debugLog };
}

/** A fresh debug-log path inside `home` for session number `index`. */
export function debugFileFor(home: string, label: string): string {
  return join(home, `claude-debug-${label}.log`);
}
