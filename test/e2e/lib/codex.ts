import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Installed, installPinned } from './cache.js';
import { type TempHome, tempHome } from './home.js';
import { type ClientRun, runClient } from './run-client.js';

const run = promisify(execFile);

/** The Codex CLI release the suite proves. */
export const CODEX = { name: '@openai/codex', version: '0.169.0' } as const;

/**
 * Installs the pinned Codex CLI into the e2e cache. Its native binary ships in a platform package
 * (`@openai/codex-<platform>`, an optional dependency), so npm's install is the whole install; the
 * `--version` call proves the binary for this platform arrived.
 */
export function installCodex(): Promise<Installed> {
  return installPinned(CODEX.name, CODEX.version, async (packageDir) => {
    // Even --version creates files under its HOME: give it a throw-away one.
    const scratch = await tempHome();
    try {
      await run(process.execPath, [join(packageDir, 'bin', 'codex.js'), '--version'], { timeout: 60_000, env: scratch.env });
    } finally {
      await scratch.dispose();
    }
  });
}

/** The `codex` command of an install. */
export function codexBinary(installed: Extract<Installed, { ok: true }>): string {
  return join(installed.root, 'node_modules', '.bin', 'codex');
}

/** Options of {@link writeCodexConfig}. */
export interface CodexConfigOptions {
  /** The scripted Responses endpoint, `http://127.0.0.1:PORT` (without `/v1`). */
  readonly modelUrl: string;
  /**
   * The model name sent. Default: `gpt-5.5`, a model Codex knows, so it offers its full tool set
   * (`exec_command`, freeform `apply_patch`) without a "metadata not found" warning.
   */
  readonly model?: string;
}

/**
 * Writes `~/.codex/config.toml` pointing Codex at the scripted model: a `local` provider with the
 * Responses wire API and no retries, so a broken script fails at once instead of backing off.
 */
export async function writeCodexConfig(home: string, options: CodexConfigOptions): Promise<string> {
  const file = join(home, '.codex', 'config.toml');
  await mkdir(join(home, '.codex'), { recursive: true });
  await writeFile(
    file,
    [
      `model = ${JSON.stringify(options.model ?? 'gpt-5.5')}`,
      'model_provider = "local"',
      '',
      '[model_providers.local]',
      'name = "local"',
      `base_url = ${JSON.stringify(`${options.modelUrl}/v1`)}`,
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
    ].join('\n'),
  );
  return file;
}

/** A finished `codex exec` run. */
export interface CodexRun extends ClientRun {
  /** From the `session id:` line Codex prints on stderr. */
  readonly sessionId: string | undefined;
  /** The rollout JSONL of that session under `~/.codex/sessions/YYYY/MM/DD/`. */
  readonly transcriptPath: string | undefined;
}

/** Options of {@link runCodex}. */
export interface RunCodexOptions {
  readonly installed: Extract<Installed, { ok: true }>;
  readonly home: TempHome;
  readonly cwd: string;
  readonly prompt: string;
  /** Extra `codex exec` arguments, e.g. `["-s", "workspace-write"]`. */
  readonly args?: readonly string[];
  readonly timeoutMs?: number;
}

/** Runs one offline `codex exec` session in `cwd` with the temp HOME. */
export async function runCodex(options: RunCodexOptions): Promise<CodexRun> {
  const result = await runClient(codexBinary(options.installed), ['exec', '--skip-git-repo-check', ...(options.args ?? []), options.prompt], {
    cwd: options.cwd,
    env: { ...options.home.env, OPENAI_API_KEY: 'dummy' },
    timeoutMs: options.timeoutMs,
  });
  const sessionId = /session id: ([0-9a-f-]{36})/.exec(result.stderr)?.[1];
  const transcriptPath = sessionId ? await findFile(join(options.home.home, '.codex', 'sessions'), (name) => name.endsWith(`${sessionId}.jsonl`)) : undefined;
  return { ...result, sessionId, transcriptPath };
}

async function findFile(dir: string, matches: (name: string) => boolean): Promise<string | undefined> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = await findFile(path, matches);
      if (found) return found;
    } else if (matches(entry.name)) return path;
  }
  return undefined;
}
