import { join } from 'node:path';
import { InitError } from './errors.js';
import { HOOK_MARKER } from './hook-command.js';
import { stageInstructions } from './staging.js';
import type { Agent, AgentContext } from './types.js';

/** The module the loader imports by default: the package's OpenCode entry. */
export const OPENCODE_PLUGIN_MODULE = 'handoffs/opencode';

/** The export of that module the loader re-exports: OpenCode calls every function a plugin file exports. */
export const OPENCODE_PLUGIN_EXPORT = 'HandoffsPlugin';

/** The first line of the loader; a file that starts with it is init's. */
const LOADER_MARK = `// Managed by \`handoffs init\` (${HOOK_MARKER}): a later run replaces this file, \`handoffs init --uninstall\` removes it.`;

/**
 * OpenCode: no command hooks, plugins instead. Init writes a small loader, `handoffs.js`, into
 * `~/.config/opencode/plugins/` (or `<repo>/.opencode/plugins/`) that re-exports the package's
 * plugin; instructions go to `AGENTS.md` (`~/.config/opencode/AGENTS.md`, or `<repo>/AGENTS.md`).
 * User folder: `$XDG_CONFIG_HOME/opencode`, else `~/.config/opencode`.
 */
export const opencode: Agent = {
  name: 'opencode',
  title: 'OpenCode',
  binary: 'opencode',
  defaultConfigDir: (env, home) => join(env.XDG_CONFIG_HOME || join(home, '.config'), 'opencode'),
  async plan(context) {
    const { base } = context;
    const loader = context.scope === 'user' ? join(base, 'plugins', 'handoffs.js') : join(base, '.opencode', 'plugins', 'handoffs.js');
    await stageInstructions(context, join(base, 'AGENTS.md'));
    const text = await context.files.read(loader);
    if (text !== undefined && !text.startsWith(LOADER_MARK)) {
      if (context.options.uninstall) return;
      throw new InitError('NOT_OURS', `${loader} exists and was not written by handoffs init; move it aside or remove it, then run init again`, {
        path: loader,
      });
    }
    if (context.options.uninstall) {
      if (text !== undefined) await context.files.remove(loader, '');
      return;
    }
    await context.files.write(loader, opencodeLoader(context), { dirMode: context.scope === 'user' ? 0o700 : 0o755 });
    if (context.options.handoffsDir !== undefined || context.options.store !== undefined) {
      context.note('OpenCode: the plugin runs in OpenCode\'s process and does not see --dir or --store; set HANDOFFS_DIR for it.');
    }
  },
};

/** The loader file's text. */
export function opencodeLoader(context: Pick<AgentContext, 'options'>): string {
  const module = context.options.pluginImport ?? OPENCODE_PLUGIN_MODULE;
  return [
    LOADER_MARK,
    '// Loads the handoffs plugin: at session start it claims this project\'s pending handoffs and adds them to the context.',
    `export { ${OPENCODE_PLUGIN_EXPORT} } from ${JSON.stringify(module)};`,
    '',
  ].join('\n');
}
