import { join } from 'node:path';
import { InitError } from './errors.js';
import { hookCommand, isOurCommand } from './hook-command.js';
import { isObject } from './json-file.js';
import { objectAt, stageInstructions, stageJson } from './staging.js';
import type { Agent, AgentContext } from './types.js';

/**
 * GitHub Copilot CLI: a hooks file of init's own, `handoffs.json`, in `~/.copilot/hooks/` (or
 * `<repo>/.github/hooks/`), Copilot's shape `{"version": 1, "hooks": {"sessionStart": [...]}}`
 * with the command in `bash`; instructions in `~/.copilot/copilot-instructions.md` (or
 * `<repo>/.github/copilot-instructions.md`). User folder: `$COPILOT_HOME`, else `~/.copilot`.
 * The file is init's by name, but a user may add to it: only handlers with our mark are touched.
 */
export const copilot: Agent = {
  name: 'copilot',
  title: 'GitHub Copilot CLI',
  binary: 'copilot',
  defaultConfigDir: (env, home) => env.COPILOT_HOME || join(home, '.copilot'),
  async plan(context) {
    const { base } = context;
    const project = context.scope === 'project';
    const hooksFile = project ? join(base, '.github', 'hooks', 'handoffs.json') : join(base, 'hooks', 'handoffs.json');
    await stageInstructions(context, project ? join(base, '.github', 'copilot-instructions.md') : join(base, 'copilot-instructions.md'));
    await stageJson(context, hooksFile, (value) => {
      const hooks = objectAt(value, 'hooks', hooksFile);
      const isOurs = (handler: unknown) => isObject(handler) && isOurCommand(handler.bash);
      const next: Record<string, unknown> = { ...hooks };
      const wanted = copilotHandlers(context);
      const events = context.options.uninstall ? Object.keys(hooks) : Object.keys(wanted);
      for (const event of events) {
        const list = hooks[event] ?? [];
        if (!Array.isArray(list)) throw new InitError('INVALID_CONFIG', `${hooksFile}: hooks.${event} is not a list`, { path: hooksFile });
        if (context.options.uninstall && !list.some(isOurs)) continue;
        const kept = withOurHandler(list, context.options.uninstall ? undefined : wanted[event], isOurs);
        if (kept.length > 0) next[event] = kept;
        else delete next[event];
      }
      if (context.options.uninstall) {
        if (JSON.stringify(next) === JSON.stringify(hooks)) return value;
        // The file is init's own: when nothing but its skeleton is left, it goes.
        if (Object.keys(next).length === 0 && Object.keys(value).every((key) => key === 'version' || key === 'hooks')) return {};
        return { ...value, hooks: next };
      }
      const result = { version: 1, ...value, hooks: next };
      return JSON.stringify(result) === JSON.stringify(value) ? value : result;
    });
    if (project && !context.options.uninstall) {
      context.trustStep(
        `Copilot CLI reads ${join(base, '.github', 'hooks')} only in a trusted folder: trust ${base} when copilot asks, ` +
          'or pass --trust-folder to a `copilot -p` run (it trusts that one session only).',
      );
    }
  },
};

/** The handler init wants under each Copilot event. */
export function copilotHandlers(context: Pick<AgentContext, 'options'>): Record<string, Record<string, unknown>> {
  const handler = (command: string) => ({ type: 'command', bash: command, timeoutSec: 30 });
  return {
    sessionStart: handler(hookCommand('start', 'copilot', context.options)),
    sessionEnd: handler(hookCommand('end', 'copilot', context.options)),
  };
}

/** `list` with our handler replaced in place (or appended), or with ours removed when `mine` is undefined. */
function withOurHandler(list: unknown[], mine: Record<string, unknown> | undefined, isOurs: (handler: unknown) => boolean): unknown[] {
  const ours = list.filter(isOurs);
  if (mine !== undefined && ours.length === 1 && JSON.stringify(ours[0]) === JSON.stringify(mine)) return list;
  const kept: unknown[] = [];
  let placed = false;
  for (const handler of list) {
    if (!isOurs(handler)) kept.push(handler);
    else if (!placed && mine !== undefined) kept.push(mine);
    if (isOurs(handler)) placed = true;
  }
  if (!placed && mine !== undefined) kept.push(mine);
  return kept;
}
