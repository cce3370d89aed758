import { execFile } from 'node:child_process';

/**
 * Runs the user's own `git`: the only place in the library that starts a process. Always an
 * argument array through `execFile`, never a shell, so no argument is ever interpreted; the user's
 * credential helpers, SSH configuration and proxies apply because the user's environment and global
 * configuration do.
 */

/** One git invocation. */
export interface GitInvocation {
  /** The git executable. */
  readonly git: string;
  readonly args: readonly string[];
  /** Variables added to the cleaned environment (see {@link gitEnvironment}). */
  readonly env?: Readonly<Record<string, string>>;
  /** Configuration given to this invocation only, as `key=value` pairs, through the environment. */
  readonly config?: ReadonlyArray<readonly [string, string]>;
  readonly cwd?: string;
  /** Killed after this long. */
  readonly timeoutMs: number;
  /** Written to its stdin. */
  readonly input?: Uint8Array;
}

/** How it ended. `code` is `null` when it was killed. */
export interface GitOutcome {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** A git that could not be started at all (not installed, not executable). */
export class GitNotFoundError extends Error {
  override readonly name = 'GitNotFoundError';
  readonly code: string;

  constructor(git: string, cause: unknown) {
    super(`could not run ${git}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.code = String((cause as { code?: unknown })?.code ?? 'ENOENT');
  }
}

/**
 * Variables of the caller's environment that would point git at another repository or change what
 * it writes. A hook run from inside git (or a test harness) can set them; the store's git must see
 * only the directories it names itself.
 */
const REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_QUARANTINE_PATH',
  'GIT_REPLACE_REF_BASE',
  'GIT_SHALLOW_FILE',
  'GIT_GRAFT_FILE',
  'GIT_CONFIG',
  'GIT_TRACE_PACKET',
  'LANGUAGE',
];

/**
 * The environment of a git child: the caller's (credentials, SSH agent, proxies, HOME), without
 * repository-selecting variables, in the C locale (messages are classified in `git-remote.ts`),
 * never prompting on a terminal (a session hook must fail, not hang), plus `config` appended to any
 * `GIT_CONFIG_COUNT` entries the caller already had. Configuration travels in the environment, not
 * in arguments, so a forwarded credential header never shows in a process listing.
 */
export function gitEnvironment(
  extra: Readonly<Record<string, string>> = {},
  config: ReadonlyArray<readonly [string, string]> = [],
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined && !REPOSITORY_VARIABLES.includes(key)) env[key] = value;
  env.LC_ALL = 'C';
  env.GIT_TERMINAL_PROMPT = '0';
  env.GCM_INTERACTIVE = 'never';
  const inherited = Number(env.GIT_CONFIG_COUNT ?? 0);
  let count = Number.isInteger(inherited) && inherited > 0 ? inherited : 0;
  for (const [key, value] of config) {
    env[`GIT_CONFIG_KEY_${count}`] = key;
    env[`GIT_CONFIG_VALUE_${count}`] = value;
    count++;
  }
  if (count > 0) env.GIT_CONFIG_COUNT = String(count);
  return { ...env, ...extra };
}

/** Runs git and resolves with how it ended; rejects only when git could not be started. */
export function runGit(invocation: GitInvocation): Promise<GitOutcome> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      invocation.git,
      [...invocation.args],
      {
        cwd: invocation.cwd,
        env: gitEnvironment(invocation.env, invocation.config),
        encoding: 'buffer',
        maxBuffer: 256 * 1024 * 1024,
        timeout: invocation.timeoutMs,
        killSignal: 'SIGKILL',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        if (typeof code === 'string' && code !== 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return reject(new GitNotFoundError(invocation.git, error));
        const killed = (error as { killed?: boolean } | null)?.killed === true;
        resolve({
          code: error ? (typeof code === 'number' ? code : null) : 0,
          stdout,
          stderr: stderr.toString('utf8'),
          timedOut: killed,
        });
      },
    );
    child.stdin?.on('error', () => {
      // git may exit before reading all of its input; its exit status says what happened.
    });
    child.stdin?.end(invocation.input === undefined ? undefined : Buffer.from(invocation.input));
  });
}
