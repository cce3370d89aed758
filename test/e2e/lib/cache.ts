import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Where the real agent CLIs are installed: outside the repository and outside any HOME, so a test
 * run never writes into the user's files. `HANDOFFS_E2E_CACHE` overrides it (CI keeps it between
 * steps of one run).
 */
export const E2E_CACHE = process.env.HANDOFFS_E2E_CACHE ?? join(tmpdir(), 'handoffs-e2e-cache');

/** A package installed into the cache, or why it could not be. */
export type Installed = { ok: true; root: string; packageDir: string } | { ok: false; reason: string };

/**
 * Installs `name@version` (an exact version: the suite pins what it proves) into its own folder of
 * the cache, once; later calls reuse it. Install scripts are not run (npm here does not run them
 * unless approved): a client whose binary needs its own install step runs it in `after`.
 * Never throws: a registry that cannot be reached gives `{ ok: false, reason }`, and the caller
 * skips with that reason printed.
 */
export async function installPinned(
  name: string,
  version: string,
  after?: (packageDir: string) => Promise<void>,
): Promise<Installed> {
  const root = join(E2E_CACHE, `${name.replace('/', '+')}@${version}`);
  const packageDir = join(root, 'node_modules', ...name.split('/'));
  const marker = join(root, '.installed');
  try {
    if (existsSync(marker) && (await readFile(marker, 'utf8')) === version) return { ok: true, root, packageDir };
    await mkdir(root, { recursive: true });
    // npm here does run some approved install scripts (opencode-ai's runs `opencode --version`), and
    // those write under HOME and the XDG folders: the install gets a throw-away HOME, while npm keeps
    // its own user config and cache.
    const home = await mkdtemp(join(tmpdir(), 'handoffs-e2e-install-home-'));
    try {
      await run('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', root, `${name}@${version}`], {
        maxBuffer: 64 * 1024 * 1024,
        timeout: 15 * 60_000,
        env: {
          ...process.env,
          HOME: home,
          XDG_CONFIG_HOME: join(home, '.config'),
          XDG_DATA_HOME: join(home, '.local', 'share'),
          XDG_STATE_HOME: join(home, '.local', 'state'),
          XDG_CACHE_HOME: join(home, '.cache'),
          npm_config_userconfig: process.env.npm_config_userconfig ?? join(homedir(), '.npmrc'),
          npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
        },
      });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
    if (after) await after(packageDir);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(marker, version);
    return { ok: true, root, packageDir };
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : String(error);
    return { ok: false, reason: `could not install ${name}@${version} from the npm registry: ${detail}` };
  }
}
