import { execFile } from 'node:child_process';
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Installed, installPinned } from './cache.js';
import { type TempHome, tempHome } from './home.js';
import { type ClientRun, runClient } from './run-client.js';

const run = promisify(execFile);

/** The OpenCode release the suite proves, and the plugin API package it installs beside configs. */
export const OPENCODE = { name: 'opencode-ai', version: '1.18.33', pluginApi: '@opencode-ai/plugin' } as const;

/**
 * Installs the pinned OpenCode into the e2e cache: npm's install, then the package's own
 * `postinstall.mjs` (it picks the platform binary, e.g. `opencode-linux-x64`, and places it as
 * `bin/opencode.exe`), then `@opencode-ai/plugin` at the same version into `<root>/config-deps`,
 * the dependency OpenCode otherwise installs from the registry into every config folder it reads.
 */
export function installOpencode(): Promise<Installed> {
  return installPinned(OPENCODE.name, OPENCODE.version, async (packageDir) => {
    // The install step runs `opencode --version`, and even that creates folders under HOME and the
    // XDG folders: give both runs throw-away ones.
    const scratch = await tempHome();
    try {
      await run(process.execPath, [join(packageDir, 'postinstall.mjs')], { cwd: packageDir, timeout: 5 * 60_000, env: scratch.env });
      await run(join(packageDir, 'bin', 'opencode.exe'), ['--version'], { timeout: 60_000, env: scratch.env });
    } finally {
      await scratch.dispose();
    }
    const deps = join(packageDir, '..', '..', 'config-deps');
    await mkdir(deps, { recursive: true });
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--save-exact', '--prefix', deps, `${OPENCODE.pluginApi}@${OPENCODE.version}`], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 10 * 60_000,
    });
  });
}

/** The `opencode` command of an install. */
export function opencodeBinary(installed: Extract<Installed, { ok: true }>): string {
  return join(installed.root, 'node_modules', '.bin', 'opencode');
}

/**
 * Makes OpenCode find its plugin API already installed in `configDir` (`~/.config/opencode` or a
 * repository's `.opencode`). At start OpenCode runs an npm install of `@opencode-ai/plugin` into
 * every config folder unless the folder has `node_modules` and a `package-lock.json` whose root
 * lists every dependency of its `package.json` — so this copies both files from the cached install
 * and links its `node_modules`. Without it OpenCode asks the registry for the package on every run.
 */
export async function preinstallOpencodeDeps(installed: Extract<Installed, { ok: true }>, configDir: string): Promise<void> {
  const deps = join(installed.root, 'config-deps');
  await mkdir(configDir, { recursive: true });
  await copyFile(join(deps, 'package.json'), join(configDir, 'package.json'));
  await copyFile(join(deps, 'package-lock.json'), join(configDir, 'package-lock.json'));
  await symlink(join(deps, 'node_modules'), join(configDir, 'node_modules'), 'dir');
}

/** Options of {@link writeOpencodeConfig}. */
export interface OpencodeConfigOptions {
  /** The scripted chat completions endpoint, `http://127.0.0.1:PORT` (without `/v1`). */
  readonly modelUrl: string;
  /** The `plugin` list (file paths or package specs). Default: none. */
  readonly plugin?: readonly string[];
}

/**
 * Writes `~/.config/opencode/opencode.json`: one provider `scripted` through the bundled
 * `@ai-sdk/openai-compatible` adapter (chat completions; OpenCode's own `openai` provider speaks
 * the Responses API instead), its model `model-a` as both the main and the small (title) model,
 * sharing and auto-update off.
 */
export async function writeOpencodeConfig(home: string, options: OpencodeConfigOptions): Promise<string> {
  const dir = join(home, '.config', 'opencode');
  await mkdir(dir, { recursive: true });
  const config = {
    $schema: 'https://opencode.ai/config.json',
    model: 'scripted/model-a',
    small_model: 'scripted/model-a',
    autoupdate: false,
    share: 'disabled',
    provider: {
      scripted: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Scripted',
        options: { baseURL: `${options.modelUrl}/v1`, apiKey: 'dummy' },
        models: { 'model-a': { name: 'Model A', tool_call: true } },
      },
    },
    ...(options.plugin ? { plugin: options.plugin } : {}),
  };
  const file = join(dir, 'opencode.json');
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/** A finished `opencode run --format json` run. */
export interface OpencodeRun extends ClientRun {
  /** From the JSON events it prints. */
  readonly sessionId: string | undefined;
}

/** Options of {@link runOpencode}. */
export interface RunOpencodeOptions {
  readonly installed: Extract<Installed, { ok: true }>;
  readonly home: TempHome;
  readonly cwd: string;
  readonly prompt: string;
  /**
   * The npm registry OpenCode's embedded npm would use (`npm_config_registry`). Tests point it at
   * the scripted server so that any registry request is recorded instead of leaving the machine.
   */
  readonly registryUrl: string;
  readonly timeoutMs?: number;
}

/** The environment of an offline OpenCode run: no model catalog download, no update check, no LSP downloads. */
export function opencodeEnv(home: TempHome, registryUrl: string): Record<string, string> {
  return {
    ...home.env,
    npm_config_registry: registryUrl,
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
  };
}

/** Runs one offline `opencode run` session in `cwd` with the temp HOME. */
export async function runOpencode(options: RunOpencodeOptions): Promise<OpencodeRun> {
  const result = await runClient(opencodeBinary(options.installed), ['run', '--format', 'json', options.prompt], {
    cwd: options.cwd,
    env: opencodeEnv(options.home, options.registryUrl),
    timeoutMs: options.timeoutMs,
  });
  const sessionId = /"sessionID":"(ses_[A-Za-z0-9]+)"/.exec(result.stdout)?.[1];
  return { ...result, sessionId };
}

/**
 * A session as `opencode export <id>` prints it: OpenCode keeps sessions in SQLite
 * (`~/.local/share/opencode/opencode.db`), and export is its supported way to read one as JSON.
 */
export async function exportOpencodeSession(options: Omit<RunOpencodeOptions, 'prompt'> & { sessionId: string }): Promise<string> {
  const result = await runClient(opencodeBinary(options.installed), ['export', options.sessionId], {
    cwd: options.cwd,
    env: opencodeEnv(options.home, options.registryUrl),
    timeoutMs: options.timeoutMs,
  });
  if (result.exitCode !== 0) throw new Error(`opencode export failed (${result.exitCode}): ${result.stderr}`);
  return result.stdout;
}
