import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The built command of this checkout (`npm run build`; the e2e global setup builds it first). */
export const HANDOFFS_CLI = resolve(import.meta.dirname, '..', '..', '..', 'dist', 'cli.js');

/**
 * The command line hooks and scripted models use to run this checkout's CLI: this Node and the
 * built `dist/cli.js`, both quoted for the shell Claude Code runs hook commands through.
 */
export const HANDOFFS_COMMAND = `${shellQuote(process.execPath)} ${shellQuote(HANDOFFS_CLI)}`;

/** How one `handoffs` run ended. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link handoffs}. */
export interface HandoffsOptions {
  /** The environment (a temp HOME's), so `~/.claude/handoffs` is the temp one. */
  env: Record<string, string>;
  /** Working directory; decides the project a handoff is scoped to. Default: the temp HOME. */
  cwd?: string;
  /** Text written to stdin (a handoff body, a hook's JSON). Default: none. */
  input?: string;
}

/** Runs `node dist/cli.js ...args` and resolves with its exit code and output, whatever the code. */
export function handoffs(args: readonly string[], options: HandoffsOptions): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      process.execPath,
      [HANDOFFS_CLI, ...args],
      { env: options.env, cwd: options.cwd ?? options.env.HOME, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : undefined;
        if (code === undefined) reject(error ?? new Error('handoffs did not exit'));
        else resolvePromise({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** `init` for a temp HOME: hooks and CLAUDE.md in `<home>/.claude`, running this checkout's CLI. */
export function initClaude(env: Record<string, string>, command: string = HANDOFFS_COMMAND): Promise<CliRun> {
  return handoffs(['init', '--claude-dir', join(env.HOME ?? '', '.claude'), '--command', command], { env });
}

/** Single-quotes a word for a POSIX shell unless it needs no quoting. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
