import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { installPinned, type Installed } from './cache.js';

const run = promisify(execFile);

/** The Claude Code release this suite proves its facts against. */
export const CLAUDE_VERSION = '2.1.197';

/** Claude Code installed into the e2e cache, with the path of its native binary. */
export type InstalledClaude = (Installed & { ok: true; bin: string }) | { ok: false; reason: string };

/**
 * Installs `@anthropic-ai/claude-code@2.1.197` into the e2e cache (once) and runs its own install
 * step, `node install.cjs`, which npm here skips: it puts the platform's native binary at
 * `bin/claude.exe` in place of a stub. Never throws; `ok: false` carries why.
 */
export async function installClaude(): Promise<InstalledClaude> {
  const installed = await installPinned('@anthropic-ai/claude-code', CLAUDE_VERSION, async (packageDir) => {
    await run(process.execPath, ['install.cjs'], { cwd: packageDir, timeout: 5 * 60_000 });
  });
  if (!installed.ok) return installed;
  const bin = join(installed.packageDir, 'bin', 'claude.exe');
  if (!existsSync(bin)) return { ok: false, reason: `${bin} is missing after install.cjs ran` };
  return { ...installed, bin };
}

/** Options of {@link runClaude}. */
export interface RunClaudeOptions {
  /** The native binary, from {@link installClaude}. */
  bin: string;
  /** The environment of a temp HOME (`tempHome().env`); nothing else of the caller's leaks in. */
  env: Record<string, string>;
  /** The session's working directory. */
  cwd: string;
  /** The prompt given to `claude -p`. */
  prompt: string;
  /** The scripted endpoint, `http://127.0.0.1:PORT`. */
  modelUrl: string;
  /** Extra arguments after `-p PROMPT` (e.g. `--dangerously-skip-permissions`). Default none. */
  args?: string[];
  /** The API key; `null` runs with none, the not-logged-in case. Default `dummy`. */
  apiKey?: string | null;
  /** Added to the environment last. */
  extraEnv?: Record<string, string>;
  /** Kill the client after this long. Default 120 000 ms. */
  timeoutMs?: number;
}

/** How a `claude -p` run ended. */
export interface ClaudeRun {
  /** The exit code, or `null` when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * Runs `claude -p PROMPT` against the scripted endpoint, with telemetry and every non-essential
 * connection off, so the only address it reaches is 127.0.0.1. Resolves however the client ends;
 * a test asserts on the exit code.
 */
export function runClaude(options: RunClaudeOptions): Promise<ClaudeRun> {
  const env: Record<string, string> = {
    ...options.env,
    ANTHROPIC_BASE_URL: options.modelUrl,
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    ...(options.apiKey === null ? {} : { ANTHROPIC_API_KEY: options.apiKey ?? 'dummy' }),
    ...options.extraEnv,
  };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(options.bin, ['-p', options.prompt, ...(options.args ?? [])], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

/**
 * The folder name Claude Code 2.1.197 gives a path under `~/.claude/projects/`: every UTF-16 code
 * unit outside `[A-Za-z0-9]` becomes `-` (so `é` is one dash, `日本` two, an emoji two, and a
 * decomposed `é` keeps its `e`); a result longer than 200 characters is cut to 200 and followed by
 * `-` and the absolute value of the path's 32-bit Java-style string hash in base 36. Transcripts go
 * under the name of the session's working directory (symlinks resolved); auto-memory under the name
 * of its git repository's root (the main checkout's root for a worktree), else of the directory.
 * Observed against the real client in test/e2e/claude/auto-memory.e2e.ts.
 */
export function projectFolderName(path: string): string {
  const name = path.replace(/[^A-Za-z0-9]/g, '-');
  if (name.length <= 200) return name;
  let hash = 0;
  for (let index = 0; index < path.length; index++) hash = (hash * 31 + path.charCodeAt(index)) | 0;
  return `${name.slice(0, 200)}-${Math.abs(hash).toString(36)}`;
}

/** One line of a session transcript. */
export type TranscriptLine = Record<string, unknown> & { type?: string };

/** The transcript files of every session under `<home>/.claude/projects/`, oldest first by mtime. */
export async function transcriptPaths(home: string): Promise<string[]> {
  const projects = join(home, '.claude', 'projects');
  if (!existsSync(projects)) return [];
  const found: Array<{ path: string; mtime: number }> = [];
  for (const folder of await readdir(projects, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    for (const file of await readdir(join(projects, folder.name), { withFileTypes: true })) {
      if (!file.isFile() || !file.name.endsWith('.jsonl')) continue;
      const path = join(projects, folder.name, file.name);
      found.push({ path, mtime: (await stat(path)).mtimeMs });
    }
  }
  return found.sort((a, b) => a.mtime - b.mtime).map((item) => item.path);
}

/** The transcript of session `sessionId`, wherever its project folder is; an error when there is none. */
export async function findTranscript(home: string, sessionId: string): Promise<string> {
  const path = (await transcriptPaths(home)).find((candidate) => candidate.endsWith(`/${sessionId}.jsonl`));
  if (path === undefined) throw new Error(`no transcript for session ${sessionId} under ${home}/.claude/projects`);
  return path;
}

/**
 * The session id a Messages request belongs to. Claude Code 2.1.197 sends it inside
 * `metadata.user_id`, itself a JSON string: `{"device_id":…,"account_uuid":…,"session_id":…}`.
 */
export function sessionIdOf(request: { raw: Record<string, unknown> }): string | undefined {
  const metadata = request.raw.metadata as { user_id?: unknown } | undefined;
  if (typeof metadata?.user_id !== 'string') return undefined;
  try {
    const parsed = JSON.parse(metadata.user_id) as { session_id?: unknown };
    return typeof parsed.session_id === 'string' ? parsed.session_id : undefined;
  } catch {
    return undefined;
  }
}

/** One hook run as `claude --debug-file` logs it when the hook finishes. */
export interface LoggedHookRun {
  /** When the log line was written (the hook had finished): the line's ISO timestamp. */
  at: string;
  /** `SessionEnd`, … */
  event: string;
  /** What the hook matched: the SessionEnd reason, e.g. `other`. */
  matcher: string;
  command: string;
  status: number;
}

/**
 * The hook runs a `--debug-file` log records as `<ISO time> [DEBUG] <Event>:<matcher> [<command>]
 * completed with status <n>`. Claude Code 2.1.197 writes no transcript attachment for SessionEnd
 * hooks (the transcript is closed by then), so this log is the only record that one ran and how it
 * exited; for any hook it is the record of when it finished.
 */
export function hookRunsInDebugLog(log: string): LoggedHookRun[] {
  const runs: LoggedHookRun[] = [];
  for (const match of log.matchAll(/^(\S+) \[DEBUG\] (\w+):(\S*) \[(.*)\] completed with status (-?\d+)$/gm)) {
    runs.push({ at: match[1] ?? '', event: match[2] ?? '', matcher: match[3] ?? '', command: match[4] ?? '', status: Number(match[5]) });
  }
  return runs;
}

/** Reads a transcript JSONL; a line that is not JSON is an error (a real transcript has none). */
export async function readTranscript(path: string): Promise<TranscriptLine[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as TranscriptLine;
      } catch (error) {
        throw new Error(`${path}:${index + 1} is not JSON`, { cause: error });
      }
    });
}

/** A hook result Claude Code recorded in a transcript as an `attachment` line. */
export interface HookAttachment {
  type: string;
  hookName?: string;
  hookEvent?: string;
  exitCode?: number;
  durationMs?: number;
  content?: unknown;
  stdout?: string;
  stderr?: string;
  command?: string;
  [field: string]: unknown;
}

/** The attachments of a transcript whose type is `type` (e.g. `hook_success`, `hook_additional_context`). */
export function attachments(lines: readonly TranscriptLine[], type: string): HookAttachment[] {
  return lines
    .filter((line) => line.type === 'attachment')
    .map((line) => line.attachment as HookAttachment | undefined)
    .filter((attachment): attachment is HookAttachment => attachment !== undefined && attachment.type === type);
}
