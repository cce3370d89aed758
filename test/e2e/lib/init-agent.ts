import { join } from 'node:path';
import type { Installed } from './cache.js';
import { HANDOFFS_COMMAND, handoffs, type CliRun } from './handoffs-cli.js';

/** The agents `handoffs init --agent` sets up whose hooks these tests drive. */
export type InitAgent = 'claude' | 'codex' | 'gemini' | 'copilot';

/** Options of {@link initAgent}. */
export interface InitAgentOptions {
  /** The command the hooks run. Default: {@link HANDOFFS_COMMAND}, this checkout's built CLI. */
  readonly command?: string;
  /** More arguments, appended (e.g. `--no-trust`). Default: none. */
  readonly extra?: readonly string[];
}

/**
 * `handoffs init --agent NAME --command '<node> <dist/cli.js>'` in `cwd`, for the temp HOME of
 * `env`: the agent's user-level hooks and instructions, running this checkout's built CLI, exactly
 * as a user runs init.
 */
export function initAgent(agent: InitAgent, env: Record<string, string>, cwd: string, options: InitAgentOptions = {}): Promise<CliRun> {
  return handoffs(['init', '--agent', agent, '--command', options.command ?? HANDOFFS_COMMAND, ...(options.extra ?? [])], { env, cwd });
}

/**
 * Puts an installed client's `node_modules/.bin` first on the PATH of `env` (in place), as a global
 * install would: `init --agent codex` records Codex's hook trust through the `codex` it finds there.
 */
export function putOnPath(env: Record<string, string>, installed: Extract<Installed, { ok: true }>): void {
  env.PATH = `${join(installed.root, 'node_modules', '.bin')}:${env.PATH ?? ''}`;
}
