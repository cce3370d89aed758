import { readFile, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';

/**
 * Where Claude Code keeps a project's auto memory, worked out the way Claude Code 2.1.197 does it
 * (observed by running the real client; see test/memory/memory-location.test.ts for every case):
 *
 * - the project is the canonical git root of the real working directory (a subfolder of a
 *   repository, or a linked worktree of it, shares the main checkout's memory), else the real
 *   working directory itself (symbolic links resolved);
 * - its folder under `<config dir>/projects/` is that path with every UTF-16 code unit outside
 *   `[A-Za-z0-9]` replaced by `-`; a name longer than 200 is cut to 200 and suffixed with `-` and a
 *   base-36 hash of the whole path, so long paths stay unique;
 * - the memory is the `memory/` folder inside it, unless `autoMemoryDirectory` in the settings or
 *   `CLAUDE_COWORK_MEMORY_PATH_OVERRIDE` in the environment says otherwise.
 *
 * Transcripts are not named by the same rule: they go to the folder of the working directory
 * itself, even inside a repository. Nothing here writes.
 */

/** Names longer than this are cut and suffixed with a hash (Claude Code's own bound). */
export const CLAUDE_PROJECT_NAME_MAX = 200;

/** The environment variables read here; any object of strings will do (`process.env` by default). */
export type ClaudeEnv = Readonly<Record<string, string | undefined>>;

/**
 * Claude Code's folder name for a project path, e.g. `/home/me/my.app` → `-home-me-my-app`.
 * Pure: the path is used as given (resolve symbolic links and the git root first, as
 * {@link claudeMemoryDir} does).
 */
export function claudeProjectName(projectPath: string): string {
  const name = projectPath.replace(/[^a-zA-Z0-9]/g, '-');
  if (name.length <= CLAUDE_PROJECT_NAME_MAX) return name;
  return `${name.slice(0, CLAUDE_PROJECT_NAME_MAX)}-${Math.abs(stringHash(projectPath)).toString(36)}`;
}

/** The 32-bit string hash Claude Code suffixes long names with (`h = 31·h + c` over UTF-16 units). */
function stringHash(text: string): number {
  let hash = 0;
  for (let index = 0; index < text.length; index++) hash = ((hash << 5) - hash + text.charCodeAt(index)) | 0;
  return hash;
}

/** Options naming Claude Code's user folder. */
export interface ClaudeDirOptions {
  /** The home folder. Default: `env.HOME`, else `os.homedir()`. */
  home?: string;
  /** Claude Code's user folder. Default: `env.CLAUDE_CONFIG_DIR`, else `<home>/.claude`. */
  configDir?: string;
  /** Environment to read. Default `process.env`. */
  env?: ClaudeEnv;
}

/** Claude Code's user folder (`~/.claude`, or `$CLAUDE_CONFIG_DIR` when set, as the client does). */
export function claudeConfigDir(options: ClaudeDirOptions = {}): string {
  const env = options.env ?? process.env;
  if (options.configDir !== undefined) return resolve(options.configDir);
  if (env.CLAUDE_CONFIG_DIR) return resolve(env.CLAUDE_CONFIG_DIR);
  return join(homeOf(options), '.claude');
}

/**
 * The default auto-memory folder of a project root: `<config dir>/projects/<name>/memory`.
 * Pure. `CLAUDE_CODE_REMOTE_MEMORY_DIR` in `env`, when set, takes the config dir's place, as in
 * Claude Code.
 */
export function defaultClaudeMemoryDir(projectRoot: string, options: ClaudeDirOptions = {}): string {
  const env = options.env ?? process.env;
  const root = env.CLAUDE_CODE_REMOTE_MEMORY_DIR || claudeConfigDir(options);
  // Claude Code normalises the whole path to NFC after naming the folder.
  return join(root, 'projects', claudeProjectName(projectRoot), 'memory').normalize('NFC');
}

/** Where a project's auto memory is, and why there. */
export interface ClaudeMemoryLocation {
  /** The auto-memory folder (absolute, no trailing separator). It may not exist yet. */
  readonly dir: string;
  /** The directory the folder is named after: the canonical git root, else the real cwd. */
  readonly projectRoot: string;
  /**
   * `default` (`<config dir>/projects/<name>/memory`), `settings` (`autoMemoryDirectory`),
   * or `env` (`CLAUDE_COWORK_MEMORY_PATH_OVERRIDE`).
   */
  readonly source: 'default' | 'settings' | 'env';
  /** The settings file that set `autoMemoryDirectory`, when `source` is `settings`. */
  readonly settingsFile?: string;
}

/**
 * Finds the auto-memory folder Claude Code loads for a session started in `cwd`. Reads the file
 * system (to resolve symbolic links, find the git root and read settings); never writes.
 *
 * Order, as in Claude Code: `CLAUDE_COWORK_MEMORY_PATH_OVERRIDE`; then the first
 * `autoMemoryDirectory` set in `<cwd>/.claude/settings.local.json`, `<cwd>/.claude/settings.json`
 * or `<config dir>/settings.json` (`~/` expanded; a value that is not an absolute path is ignored,
 * as Claude Code ignores it); then the default folder. Managed (policy) settings and `--settings`
 * are not read.
 */
export async function claudeMemoryDir(cwd: string, options: ClaudeDirOptions = {}): Promise<ClaudeMemoryLocation> {
  const env = options.env ?? process.env;
  const realCwd = await realpath(resolve(cwd)).catch(() => resolve(cwd));
  const projectRoot = await claudeProjectRoot(realCwd);

  const override = checkedDir(env.CLAUDE_COWORK_MEMORY_PATH_OVERRIDE, undefined);
  if (override !== undefined) return { dir: override, projectRoot, source: 'env' };

  const settingsFiles = [
    join(realCwd, '.claude', 'settings.local.json'),
    join(realCwd, '.claude', 'settings.json'),
    join(claudeConfigDir(options), 'settings.json'),
  ];
  for (const settingsFile of settingsFiles) {
    const value = await readSetting(settingsFile, 'autoMemoryDirectory');
    if (value === undefined) continue;
    // The first file that sets it decides; an unusable value means the default, not the next file.
    const dir = checkedDir(value, homeOf(options));
    if (dir !== undefined) return { dir, projectRoot, source: 'settings', settingsFile };
    break;
  }
  return { dir: defaultClaudeMemoryDir(projectRoot, options), projectRoot, source: 'default' };
}

/**
 * The directory Claude Code names a session's memory after: the nearest ancestor of `dir` (itself
 * included) holding a `.git` folder or file, mapped from a linked worktree to its main checkout
 * (or to a bare repository's folder); `dir` itself when there is no repository. Pass a real path.
 */
export async function claudeProjectRoot(dir: string): Promise<string> {
  const root = await gitRoot(resolve(dir));
  return root === undefined ? resolve(dir) : canonicalGitRoot(root);
}

async function gitRoot(start: string): Promise<string | undefined> {
  for (let dir = start; ; dir = dirname(dir)) {
    const info = await stat(join(dir, '.git')).catch(() => undefined);
    if (info && (info.isDirectory() || info.isFile())) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * A linked worktree's `.git` is a file `gitdir: <main>/.git/worktrees/<name>`. It counts as a
 * worktree of `<main>` only when that folder's `commondir` leads back to `<main>/.git` and its
 * `gitdir` file points back at this worktree; anything else (a submodule, a hand-made pointer)
 * keeps the worktree's own root, as in Claude Code.
 */
async function canonicalGitRoot(root: string): Promise<string> {
  try {
    const pointer = (await readFile(join(root, '.git'), 'utf8')).trim();
    if (!pointer.startsWith('gitdir:')) return root;
    const gitDir = resolve(root, pointer.slice('gitdir:'.length).trim());
    const commonDir = resolve(gitDir, (await readFile(join(gitDir, 'commondir'), 'utf8')).trim());
    if (resolve(dirname(gitDir)) !== join(commonDir, 'worktrees')) return root;
    const backPointer = await realpath((await readFile(join(gitDir, 'gitdir'), 'utf8')).trim());
    if (backPointer !== join(await realpath(root), '.git')) return root;
    return basename(commonDir) === '.git' ? dirname(commonDir) : commonDir;
  } catch {
    // `.git` is a folder (EISDIR), or a pointer that does not check out: the root is its own.
    return root;
  }
}

/** Claude Code's check of a configured memory folder; `undefined` when it would ignore the value. */
function checkedDir(value: string | undefined, home: string | undefined): string | undefined {
  if (!value) return undefined;
  let path = value;
  if (home !== undefined && (path.startsWith('~/') || path.startsWith('~\\'))) {
    const rest = normalize(path.slice(2) || '.');
    if (rest === '.' || rest === '..' || rest.startsWith(`..${sep}`) || rest.startsWith('../') || rest.startsWith('..\\')) return undefined;
    path = join(home, path.slice(2));
  }
  const clean = normalize(path).replace(/[/\\]+$/, '');
  if (!isAbsolute(clean) || clean.length < 3 || clean.startsWith('//') || clean.startsWith('\\\\') || clean.includes('\0')) return undefined;
  return clean.normalize('NFC');
}

/** One string field of a JSON settings file; `undefined` when the file, the JSON or the field is missing. */
async function readSetting(file: string, key: string): Promise<string | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    const value = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[key] : undefined;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function homeOf(options: ClaudeDirOptions): string {
  return options.home ?? (options.env ?? process.env).HOME ?? homedir();
}
