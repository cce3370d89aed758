import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Installed, installPinned } from './cache.js';
import { type TempHome, tempHome } from './home.js';
import { type ClientRun, runClient } from './run-client.js';

const run = promisify(execFile);

/** The GitHub Copilot CLI release the suite proves. */
export const COPILOT = { name: '@github/copilot', version: '1.0.102' } as const;

/**
 * Where the install keeps Copilot's unpacked JavaScript bundle. The native binary
 * (`@github/copilot-<platform>`) carries its app as an embedded archive that it unpacks on first run
 * into `$XDG_CACHE_HOME/copilot/pkg` (~235 MB); `COPILOT_PKG_CACHE_HOME` moves that folder, so the
 * suite unpacks once into the e2e cache instead of once per temp HOME.
 */
export function copilotPackageCache(installed: Extract<Installed, { ok: true }>): string {
  return join(installed.root, 'copilot-cache');
}

/**
 * Installs the pinned Copilot CLI into the e2e cache and runs its own unpack step
 * (`COPILOT_SEA_EXTRACT_ONLY=1`, the mode its loader uses for exactly this) into the cache.
 */
export function installCopilot(): Promise<Installed> {
  return installPinned(COPILOT.name, COPILOT.version, async (packageDir) => {
    const root = join(packageDir, '..', '..', '..');
    const scratch = await tempHome();
    try {
      await run(process.execPath, [join(packageDir, 'npm-loader.js')], {
        env: { ...scratch.env, COPILOT_SEA_EXTRACT_ONLY: '1', COPILOT_PKG_CACHE_HOME: join(root, 'copilot-cache') },
        timeout: 5 * 60_000,
      });
    } finally {
      await scratch.dispose();
    }
  });
}

/** The `copilot` command of an install. */
export function copilotBinary(installed: Extract<Installed, { ok: true }>): string {
  return join(installed.root, 'node_modules', '.bin', 'copilot');
}

/**
 * Trusts `dir` persistently the way Copilot records "trust this folder for future sessions": the
 * `trusted_folders` list of `~/.copilot/config.json` (its app-state file, not settings.json).
 * Repository hooks (`.github/hooks/*.json`) run only in a trusted folder; `--trust-folder` trusts
 * one session only and records nothing.
 */
export async function trustCopilotFolder(home: string, dir: string): Promise<void> {
  const file = join(home, '.copilot', 'config.json');
  let config: { trusted_folders?: string[] } & Record<string, unknown> = {};
  try {
    // Copilot writes two `//` comment lines above the JSON.
    config = JSON.parse((await readFile(file, 'utf8')).replace(/^\s*\/\/.*$/gm, '')) as typeof config;
  } catch {
    // No state file yet.
  }
  await mkdir(join(home, '.copilot'), { recursive: true });
  await writeFile(file, JSON.stringify({ ...config, trusted_folders: [...(config.trusted_folders ?? []), dir] }, null, 2));
}

/** A finished `copilot -p` run. */
export interface CopilotRun extends ClientRun {
  /** From the `copilot --resume=<id>` line it prints at the end. */
  readonly sessionId: string | undefined;
  /** `~/.copilot/session-state/<id>/events.jsonl`. */
  readonly transcriptPath: string | undefined;
}

/** Options of {@link runCopilot}. */
export interface RunCopilotOptions {
  readonly installed: Extract<Installed, { ok: true }>;
  readonly home: TempHome;
  readonly cwd: string;
  /** The scripted chat completions endpoint, `http://127.0.0.1:PORT` (without `/v1`). */
  readonly modelUrl: string;
  readonly prompt: string;
  /** Extra arguments, e.g. `["--trust-folder"]` or `["--allow-all-tools"]`. */
  readonly args?: readonly string[];
  readonly timeoutMs?: number;
}

/**
 * Runs one offline `copilot -p` session: `COPILOT_OFFLINE=true` with a bring-your-own-model
 * provider of type `openai` pointed at the scripted endpoint, model `gpt-4o`, auto-update off.
 */
export async function runCopilot(options: RunCopilotOptions): Promise<CopilotRun> {
  const result = await runClient(copilotBinary(options.installed), [...(options.args ?? []), '-p', options.prompt], {
    cwd: options.cwd,
    env: {
      ...options.home.env,
      COPILOT_OFFLINE: 'true',
      COPILOT_PROVIDER_BASE_URL: `${options.modelUrl}/v1`,
      COPILOT_PROVIDER_TYPE: 'openai',
      COPILOT_MODEL: 'gpt-4o',
      COPILOT_AUTO_UPDATE: 'false',
      COPILOT_PKG_CACHE_HOME: copilotPackageCache(options.installed),
    },
    timeoutMs: options.timeoutMs,
  });
  const sessionId = /--resume=([0-9a-f-]{36})/.exec(result.stdout + result.stderr)?.[1];
  const transcriptPath = sessionId ? join(options.home.home, '.copilot', 'session-state', sessionId, 'events.jsonl') : undefined;
  return { ...result, sessionId, transcriptPath };
}
