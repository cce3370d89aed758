import type { AgentName, SetupOptions } from './types.js';

/**
 * The mark on every hook command init writes: an environment assignment in front of the command.
 * Each agent runs hook commands through a shell (`sh -c`, `bash -c`, Copilot's `bash` field), where
 * it only sets a variable; to init it says "this entry is mine". A hook is init's when its command
 * starts with this, and only then: `~/bin/sync-handoffs-to-slack start --hook` is never taken for ours.
 */
export const HOOK_MARKER = 'HANDOFFS_INIT=1';

/** The subcommands a hook runs. */
export type HookAction = 'start' | 'end' | 'precompact' | 'memory-repair';

/** Quotes a word for the hook command line, which agents run through a POSIX shell. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./~:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The `--dir` and `--store` options every command of this setup carries. */
export function storeArguments(options: Pick<SetupOptions, 'handoffsDir' | 'store'>): string {
  let text = '';
  if (options.handoffsDir !== undefined) text += ` --dir ${shellQuote(options.handoffsDir)}`;
  if (options.store !== undefined) text += ` --store ${shellQuote(options.store)}`;
  return text;
}

/**
 * The command line of one hook, e.g. `HANDOFFS_INIT=1 handoffs start --hook --agent codex`.
 * Options follow the subcommand (the CLI reads the command name first).
 */
export function hookCommand(action: HookAction, agent: AgentName, options: SetupOptions): string {
  if (action === 'memory-repair') return `${HOOK_MARKER} ${options.command} memory repair --quiet`;
  return `${HOOK_MARKER} ${options.command} ${action} --hook --agent ${agent}${storeArguments(options)}`;
}

/**
 * The commands init wrote before it marked its hooks (`<cmd> start --hook`, with `--dir` before the
 * subcommand), for the same command and folder. Only this exact text counts as ours, so an upgrade
 * replaces the old hooks instead of adding a second pair.
 */
export function legacyHookCommands(options: SetupOptions): string[] {
  const dir = options.handoffsDir === undefined ? '' : ` --dir ${shellQuote(options.handoffsDir)}`;
  return [`${options.command}${dir} start --hook`, `${options.command}${dir} end --hook`];
}

/** Whether a hook command is one init manages: it carries the marker (or is exactly a legacy one). */
export function isOurCommand(command: unknown, legacy: readonly string[] = []): boolean {
  return typeof command === 'string' && (command.startsWith(`${HOOK_MARKER} `) || legacy.includes(command));
}
