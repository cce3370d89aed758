import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Installed, installPinned } from './cache.js';
import { type TempHome, tempHome } from './home.js';
import { type ClientRun, runClient } from './run-client.js';

const run = promisify(execFile);

/** The Gemini CLI release the suite proves. */
export const GEMINI_CLI = { name: '@google/gemini-cli', version: '0.61.0' } as const;

/**
 * Installs the pinned Gemini CLI into the e2e cache. It is plain JavaScript; the install scripts npm
 * skips here belong to optional native helpers (`node-pty` for an interactive shell, `@github/keytar`
 * for the OS keychain) that a headless `-p` run with an API key does not use. `--version` proves the
 * bundle runs.
 */
export function installGeminiCli(): Promise<Installed> {
  return installPinned(GEMINI_CLI.name, GEMINI_CLI.version, async (packageDir) => {
    const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    // Even --version creates files under its HOME: give it a throw-away one.
    const scratch = await tempHome();
    try {
      await run(process.execPath, [join(packageDir, manifest.bin.gemini!), '--version'], { timeout: 60_000, env: scratch.env });
    } finally {
      await scratch.dispose();
    }
  });
}

/** The `gemini` command of an install. */
export function geminiBinary(installed: Extract<Installed, { ok: true }>): string {
  return join(installed.root, 'node_modules', '.bin', 'gemini');
}

/**
 * Writes `~/.gemini/settings.json`: API-key auth (so no login is attempted) merged with `extra`
 * (hooks, `hooksConfig`…).
 */
export async function writeGeminiSettings(file: string, extra: Record<string, unknown> = {}): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } }, ...extra }, null, 2));
}

/**
 * Trusts `dir` the way Gemini CLI records a user's "trust this folder" answer: an entry
 * `"<dir>": "TRUST_FOLDER"` in `~/.gemini/trustedFolders.json`. Without it (or `--skip-trust`, or
 * `GEMINI_CLI_TRUST_WORKSPACE=true`) a headless run exits 55 before any hook runs.
 */
export async function trustGeminiFolder(home: string, dir: string): Promise<void> {
  const file = join(home, '.gemini', 'trustedFolders.json');
  let folders: Record<string, string> = {};
  try {
    folders = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch {
    // No trusted folders yet.
  }
  await mkdir(join(home, '.gemini'), { recursive: true });
  await writeFile(file, JSON.stringify({ ...folders, [dir]: 'TRUST_FOLDER' }, null, 2));
}

/** A finished `gemini -p` run. */
export interface GeminiRun extends ClientRun {
  /** The id given with `--session-id`. */
  readonly sessionId: string;
  /** The chat log `~/.gemini/tmp/<project>/chats/session-<time>-<id prefix>.jsonl`, when one was written. */
  readonly transcriptPath: string | undefined;
}

/** Options of {@link runGemini}. */
export interface RunGeminiOptions {
  readonly installed: Extract<Installed, { ok: true }>;
  readonly home: TempHome;
  readonly cwd: string;
  /** The scripted Gemini endpoint, `http://127.0.0.1:PORT`. */
  readonly modelUrl: string;
  readonly prompt: string;
  /** Extra arguments, e.g. `["--skip-trust"]` or `["--approval-mode", "yolo"]`. */
  readonly args?: readonly string[];
  /** Default: `gemini-2.5-flash`. */
  readonly model?: string;
  readonly timeoutMs?: number;
}

/** Runs one offline headless Gemini CLI session in `cwd` with the temp HOME. */
export async function runGemini(options: RunGeminiOptions): Promise<GeminiRun> {
  const sessionId = randomUUID();
  const result = await runClient(
    geminiBinary(options.installed),
    ['--session-id', sessionId, '-m', options.model ?? 'gemini-2.5-flash', ...(options.args ?? []), '-p', options.prompt],
    {
      cwd: options.cwd,
      env: { ...options.home.env, GEMINI_API_KEY: 'dummy', GOOGLE_GEMINI_BASE_URL: options.modelUrl },
      timeoutMs: options.timeoutMs,
    },
  );
  return { ...result, sessionId, transcriptPath: await findChatLog(options.home.home, sessionId) };
}

async function findChatLog(home: string, sessionId: string): Promise<string | undefined> {
  const root = join(home, '.gemini', 'tmp');
  let projects: string[];
  try {
    projects = await readdir(root);
  } catch {
    return undefined;
  }
  for (const project of projects) {
    let chats: string[];
    try {
      chats = await readdir(join(root, project, 'chats'));
    } catch {
      continue;
    }
    const match = chats.find((name) => name.endsWith(`-${sessionId.slice(0, 8)}.jsonl`));
    if (match) return join(root, project, 'chats', match);
  }
  return undefined;
}
