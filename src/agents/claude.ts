import { join } from 'node:path';
import { hookCommand, isOurCommand, legacyHookCommands } from './hook-command.js';
import { withOurGroups, withoutOurGroups, type HookGroupSpec } from './hook-groups.js';
import { isObject } from './json-file.js';
import { objectAt, stageInstructions, stageJson, withInner } from './staging.js';
import type { Agent, AgentContext } from './types.js';

/**
 * Claude Code: hooks in `settings.json` (`~/.claude/`, or `<repo>/.claude/` with `--project`),
 * instructions in `CLAUDE.md` (`~/.claude/CLAUDE.md`, or `<repo>/CLAUDE.md`).
 * User folder: `$CLAUDE_CONFIG_DIR`, else `~/.claude`.
 */
export const claude: Agent = {
  name: 'claude',
  title: 'Claude Code',
  binary: 'claude',
  defaultConfigDir: (env, home) => env.CLAUDE_CONFIG_DIR || join(home, '.claude'),
  async plan(context) {
    const { base } = context;
    const settings = context.scope === 'user' ? join(base, 'settings.json') : join(base, '.claude', 'settings.json');
    await stageInstructions(context, join(base, 'CLAUDE.md'));
    await stageJson(context, settings, (value) => {
      const hooks = objectAt(value, 'hooks', settings);
      const isOurs = (handler: unknown) => isObject(handler) && isOurCommand(handler.command, legacyHookCommands(context.options));
      const next = context.options.uninstall ? withoutOurGroups(hooks, isOurs, settings) : withOurGroups(hooks, claudeGroups(context), isOurs, settings);
      return withInner(value, 'hooks', next, hooks, context.options.uninstall === true);
    });
  },
};

/** The groups init registers in Claude Code's settings. */
export function claudeGroups(context: Pick<AgentContext, 'options'>): HookGroupSpec[] {
  const { options } = context;
  const handler = (command: string) => ({ type: 'command', command, timeout: 30 });
  const start = [handler(hookCommand('start', 'claude', options))];
  if (options.repairMemory) start.unshift(handler(hookCommand('memory-repair', 'claude', options)));
  return [
    // Not on `compact`: a compacted session is the same session and has already been handed off to.
    { event: 'SessionStart', matcher: 'startup|resume|clear', handlers: start },
    { event: 'SessionEnd', handlers: [handler(hookCommand('end', 'claude', options))] },
    // Before /compact or auto-compaction: a trace of the session so far, so compaction loses nothing.
    { event: 'PreCompact', handlers: [handler(hookCommand('precompact', 'claude', options))] },
  ];
}
