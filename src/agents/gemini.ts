import { join } from 'node:path';
import { hookCommand, isOurCommand } from './hook-command.js';
import { withOurGroups, withoutOurGroups, type HookGroupSpec } from './hook-groups.js';
import { isObject } from './json-file.js';
import { objectAt, stageInstructions, stageJson, withInner } from './staging.js';
import type { Agent, AgentContext } from './types.js';

/**
 * Gemini CLI: hooks in `settings.json` (`~/.gemini/`, or `<repo>/.gemini/`), timeouts in
 * milliseconds, each hook named (the name is what `/hooks disable NAME` takes); instructions in
 * `GEMINI.md` (`~/.gemini/GEMINI.md`, or `<repo>/GEMINI.md`).
 * User folder: `$GEMINI_CLI_HOME/.gemini`, else `~/.gemini`.
 *
 * `hooksConfig.enabled` defaults to true (Gemini CLI 0.61 settings reference), so init does not
 * write it; when a user has set it to false, init says so instead of turning every hook back on.
 */
export const gemini: Agent = {
  name: 'gemini',
  title: 'Gemini CLI',
  binary: 'gemini',
  defaultConfigDir: (env, home) => join(env.GEMINI_CLI_HOME || home, '.gemini'),
  async plan(context) {
    const { base } = context;
    const settings = context.scope === 'user' ? join(base, 'settings.json') : join(base, '.gemini', 'settings.json');
    await stageInstructions(context, join(base, 'GEMINI.md'));
    let hooksOff = false;
    await stageJson(context, settings, (value) => {
      const hooks = objectAt(value, 'hooks', settings);
      const isOurs = (handler: unknown) => isObject(handler) && isOurCommand(handler.command);
      const next = context.options.uninstall ? withoutOurGroups(hooks, isOurs, settings) : withOurGroups(hooks, geminiGroups(context), isOurs, settings);
      hooksOff = isObject(value.hooksConfig) && value.hooksConfig.enabled === false;
      return withInner(value, 'hooks', next, hooks, context.options.uninstall === true);
    });
    if (context.options.uninstall) return;
    if (hooksOff) context.note(`Gemini CLI: ${settings} sets hooksConfig.enabled to false, so no hook runs; set it to true to use handoffs.`);
    context.trustStep('Gemini CLI runs hooks only in a trusted folder: trust each project when it asks (`gemini --skip-trust` trusts one run).');
    context.note('Gemini CLI does not wait for SessionEnd hooks, so an end trace can be cut short.');
  },
};

/** The groups init registers in Gemini CLI's settings (lifecycle matchers are exact strings there, so none). */
export function geminiGroups(context: Pick<AgentContext, 'options'>): HookGroupSpec[] {
  const { options } = context;
  const handler = (name: string, command: string) => ({ name, type: 'command', command, timeout: 30_000 });
  return [
    { event: 'SessionStart', handlers: [handler('handoffs-start', hookCommand('start', 'gemini', options))] },
    { event: 'SessionEnd', handlers: [handler('handoffs-end', hookCommand('end', 'gemini', options))] },
  ];
}
