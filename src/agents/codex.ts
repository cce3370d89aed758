import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { codexEventLabel, withoutTrustRecords } from './codex-trust-records.js';
import { hookCommand, isOurCommand } from './hook-command.js';
import { ourHandlers, withOurGroups, withoutOurGroups, type HookGroupSpec } from './hook-groups.js';
import { isObject, parseJsonFile } from './json-file.js';
import { objectAt, stageInstructions, stageJson, withInner } from './staging.js';
import type { Agent, AgentContext } from './types.js';

/** What the user does when init could not record Codex's trust itself (see `trustCodexHooks`). */
const CODEX_HOOK_TRUST_STEP =
  "Codex skips a new or changed hook until it is trusted: start `codex` and choose 'Trust all and continue' at 'Hooks need review' (or type /hooks, then t).";

/** Codex clamps a SessionEnd hook's timeout to this many seconds (and warns at every start when asked for more). */
export const CODEX_SESSION_END_TIMEOUT = 3;

/**
 * Codex CLI: hooks in `hooks.json` (`~/.codex/hooks.json`, or `<repo>/.codex/hooks.json`), the
 * same shape as Claude Code's; instructions in `AGENTS.md` (`~/.codex/AGENTS.md`, or
 * `<repo>/AGENTS.md`). User folder: `$CODEX_HOME`, else `~/.codex`.
 *
 * Codex runs a non-managed hook only once its exact definition is trusted; the trust record lives
 * in the user's `config.toml` (see `trustCodexHooks`).
 */
export const codex: Agent = {
  name: 'codex',
  title: 'Codex CLI',
  binary: 'codex',
  defaultConfigDir: (env, home) => env.CODEX_HOME || join(home, '.codex'),
  async plan(context) {
    const { base } = context;
    const hooksFile = codexHooksFile(context);
    const isOurs = (handler: unknown) => isObject(handler) && isOurCommand(handler.command);
    await stageInstructions(context, join(base, 'AGENTS.md'));
    if (context.options.uninstall) await stageTrustRemoval(context, hooksFile, isOurs);
    await stageJson(context, hooksFile, (value) => {
      const hooks = objectAt(value, 'hooks', hooksFile);
      const next = context.options.uninstall ? withoutOurGroups(hooks, isOurs, hooksFile) : withOurGroups(hooks, codexGroups(context), isOurs, hooksFile);
      return withInner(value, 'hooks', next, hooks, context.options.uninstall === true);
    });
    if (context.options.uninstall) return;
    if (context.scope === 'project') {
      context.trustStep(`Codex loads ${hooksFile} only in a trusted project: start \`codex\` in ${base} and trust the project when it asks.`);
    }
    context.trustStep(CODEX_HOOK_TRUST_STEP);
  },
};

/**
 * Stages the removal of Codex's trust records for init's hooks from the user's config.toml
 * (positions read from hooks.json before our hooks leave it).
 */
async function stageTrustRemoval(context: AgentContext, hooksFile: string, isOurs: (handler: unknown) => boolean): Promise<void> {
  const env = context.options.env ?? process.env;
  const userDir = context.scope === 'user' ? context.base : resolve(context.options.configDir ?? codex.defaultConfigDir(env, context.options.home ?? homedir()));
  const configToml = join(userDir, 'config.toml');
  const toml = await context.files.read(configToml);
  const hooksText = await context.files.read(hooksFile);
  if (toml === undefined || hooksText === undefined) return;
  const hooks = parseJsonFile(hooksText, hooksFile).value.hooks;
  if (!isObject(hooks)) return;
  const suffixes = new Set(ourHandlers(hooks, isOurs).map(({ event, group, index }) => `:${codexEventLabel(event)}:${group}:${index}`));
  const realHooksFile = await realpath(hooksFile).catch(() => resolve(hooksFile));
  const ourPaths = new Set([resolve(hooksFile), realHooksFile]);
  const isOurKey = (key: string) => {
    const match = /^(.*)(:[a-z_]+:\d+:\d+)$/.exec(key);
    return match !== null && suffixes.has(match[2]!) && ourPaths.has(resolve(match[1]!));
  };
  const after = withoutTrustRecords(toml, isOurKey);
  if (after !== toml) await context.files.write(configToml, after);
}

/** Where this setup's Codex hooks live. */
export function codexHooksFile(context: Pick<AgentContext, 'base' | 'scope'>): string {
  return context.scope === 'user' ? join(context.base, 'hooks.json') : join(context.base, '.codex', 'hooks.json');
}

/** The groups init registers in Codex's hooks.json. */
export function codexGroups(context: Pick<AgentContext, 'options'>): HookGroupSpec[] {
  const { options } = context;
  return [
    { event: 'SessionStart', matcher: 'startup|resume|clear', handlers: [{ type: 'command', command: hookCommand('start', 'codex', options), timeout: 30 }] },
    {
      event: 'SessionEnd',
      handlers: [{ type: 'command', command: hookCommand('end', 'codex', options), timeout: CODEX_SESSION_END_TIMEOUT }],
    },
  ];
}
