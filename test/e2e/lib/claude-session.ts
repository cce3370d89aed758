import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
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
  /** The session id: the one given with `--session-id`, or for a resumed session the one it kept. */
  sessionId: string | undefined;
  /** The main-loop Messages requests this session sent, in order. */
  requests: MessagesRequest[];
  transcriptPath: string | undefined;
  transcript: TranscriptLine[];
  /** The `--debug-file` log, when one was asked for. */
  debugLog: string | undefined;
}

/**
 * Runs one real session and gathers its requests and its transcript. The session gets its id from
 * us (`--session-id`), so its requests are told apart by the id they carry even when sessions
 * share a server and run at once. A resumed session (`--continue`, `--resume`) keeps the id it
 * had; it is then found by the requests and transcript that appeared while it ran, so run those
 * one at a time.
 */
export async function claudeSession(options: ClaudeSessionOptions): Promise<ClaudeSession> {
  const home = options.env.HOME;
  if (home === undefined) throw new Error('claudeSession: env has no HOME');
  const resumes = (options.args ?? []).some((arg) => ['-c', '--continue', '-r', '--resume'].includes(arg));
  const chosenId: string | undefined = resumes ? undefined : randomUUID();
  const before = new Map<string, number>();
  for (const path of await transcriptPaths(home)) before.set(path, (await stat(path)).size);
  const seen = options.server.messageRequests().length;
  const args = [
    ...(chosenId === undefined ? [] : ['--session-id', chosenId]),
    ...(options.args ?? []),
    ...(options.debugFile === undefined ? [] : ['--debug-file', options.debugFile]),
  ];
  const run = await runClaude({ ...options, args, modelUrl: options.server.url });
  let sessionId: string | undefined = chosenId;
  if (sessionId === undefined) {
    // A resumed session: the one transcript that grew (or appeared) while it ran.
    const changed: string[] = [];
    for (const path of await transcriptPaths(home)) if ((await stat(path)).size !== before.get(path)) changed.push(path);
    if (changed.length === 1) sessionId = basename(changed[0]!, '.jsonl');
  }
  const requests = options.server
    .messageRequests()
    .slice(chosenId === undefined ? seen : 0)
    .filter((request) => sessionId !== undefined && sessionIdOf(request) === sessionId);
  let transcriptPath: string | undefined;
  let transcript: TranscriptLine[] = [];
  if (sessionId !== undefined && (await transcriptPaths(home)).some((path) => path.endsWith(`/${sessionId}.jsonl`))) {
    transcriptPath = await findTranscript(home, sessionId);
    transcript = await readTranscript(transcriptPath);
  }
  const debugLog = options.debugFile !== undefined && existsSync(options.debugFile) ? await readFile(options.debugFile, 'utf8') : undefined;
  return { run, sessionId, requests, transcriptPath, transcript, debugLog };
}

/** A debug-log path inside `home`, named after `label`. */
export function debugFileFor(home: string, label: string): string {
  return join(home, `claude-debug-${label}.log`);
}
