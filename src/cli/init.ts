import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ParseArgsConfig } from 'node:util';
import type { InitOptions } from '../agents/init.js';
import type { AgentName, InitPlan } from '../agents/types.js';
import { UsageError, resolveHome, type Io, type Parsed } from './args.js';

/**
 * `handoffs init`: argument handling and output only. Its options and help are here; the work
 * (src/agents/) is loaded only when the command runs, so session hooks never pay for it.
 */

const HELP = `Usage: handoffs init [--agent NAME]... [--project] [--uninstall] [--dry-run] [options]

Sets up an agent so sessions hand off to each other; safe to run again (a second run changes nothing):
  - adds the "write a handoff before you finish" block to the agent's instructions file,
  - registers session start/end hooks (OpenCode: a plugin loader), keeping every other hook.
Only entries init wrote are ever changed or removed: hook commands start with HANDOFFS_INIT=1,
the instructions sit between <!-- handoffs:begin --> and <!-- handoffs:end -->. A symbolic link
(a dotfiles setup) stays a link: its real file gets the change. Each changed file is first copied
to <file>.bak-<timestamp>.

  --agent NAME      claude (default), codex, gemini, copilot, opencode, or all (every agent whose
                    command is on PATH or whose config folder exists); repeatable
  --project         write the repository's own config (git root of the current folder) instead
                    of the user's: .claude/settings.json, .codex/hooks.json, .gemini/settings.json,
                    .github/hooks/handoffs.json, .opencode/plugins/handoffs.js
  --uninstall       remove exactly what init added (backing up first)
  --dry-run         print what would change, as a diff; change nothing
  --config-dir DIR  the agent's user config folder (one agent only; default: $CLAUDE_CONFIG_DIR or
                    ~/.claude, $CODEX_HOME or ~/.codex, ~/.gemini, $COPILOT_HOME or ~/.copilot,
                    $XDG_CONFIG_HOME/opencode or ~/.config/opencode)
  --claude-dir DIR  the same as --config-dir for claude
  --command CMD     how hooks run this CLI (default 'handoffs' if on PATH, else node and this file)
  --store URL       passed to every hook and write command as --store URL
  --repair-memory   claude: also run 'memory repair --quiet' at session start
  --no-trust        codex: do not record trust for the new hooks (then trust them in codex: /hooks)

Files (user level; --project puts them in the repository):
  claude    ~/.claude/settings.json (SessionStart, SessionEnd, PreCompact), ~/.claude/CLAUDE.md
  codex     ~/.codex/hooks.json (SessionStart, SessionEnd), ~/.codex/AGENTS.md; trust recorded in
            ~/.codex/config.toml through 'codex app-server' when codex is on PATH
  gemini    ~/.gemini/settings.json (SessionStart, SessionEnd), ~/.gemini/GEMINI.md
  copilot   ~/.copilot/hooks/handoffs.json, ~/.copilot/copilot-instructions.md
            (--project: .github/hooks/handoffs.json, .github/copilot-instructions.md)
  opencode  ~/.config/opencode/plugins/handoffs.js, ~/.config/opencode/AGENTS.md`;

/** The `init` command, in the shape `main` runs its commands. */
export const initCommand = {
  help: HELP,
  options: {
    agent: { type: 'string', multiple: true },
    project: { type: 'boolean' },
    uninstall: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'config-dir': { type: 'string' },
    'claude-dir': { type: 'string' },
    command: { type: 'string' },
    store: { type: 'string' },
    'repair-memory': { type: 'boolean' },
    'no-trust': { type: 'boolean' },
  } satisfies ParseArgsConfig['options'],
  run: runInit,
};

async function runInit({ values }: Parsed, io: Io): Promise<number> {
  const { planInit, applyInit } = await import('../agents/init.js');
  const { InitError } = await import('../agents/errors.js');
  const { detectProject } = await import('../project.js');
  const { AGENT_NAMES } = await import('../agents/types.js');
  const requested = (values.agent as string[] | undefined) ?? ['claude'];
  for (const name of requested) {
    if (name !== 'all' && !(AGENT_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`unknown agent '${name}' (known: ${AGENT_NAMES.join(', ')}, all)`);
    }
  }
  const agents: InitOptions['agents'] = requested.includes('all') ? 'all' : (requested as AgentName[]);
  const configDir = values['config-dir'] ?? values['claude-dir'];
  if (values['claude-dir'] !== undefined && (agents === 'all' || agents.some((name) => name !== 'claude'))) {
    throw new UsageError('--claude-dir is for --agent claude; use --config-dir');
  }
  let project: string | undefined;
  if (values.project) {
    const found = await detectProject(io.cwd);
    if (!found.git) throw new UsageError(`--project needs a git repository; ${io.cwd} is not in one`);
    project = found.root;
  }
  const command = typeof values.command === 'string' ? values.command : await defaultCommand(io);
  const dir = values.dir ?? io.env.HANDOFFS_DIR;
  const options: InitOptions = {
    agents,
    command,
    handoffsDir: dir === undefined ? undefined : resolveHome(String(dir)),
    store: typeof values.store === 'string' ? values.store : undefined,
    configDir: configDir === undefined ? undefined : resolveHome(String(configDir)),
    project,
    repairMemory: values['repair-memory'] === true,
    uninstall: values.uninstall === true,
    env: io.env,
    home: io.env.HOME || undefined,
  };
  const dryRun = values['dry-run'] === true;
  try {
    let plan = await planInit(options);
    const loader = plan.changes.find((change) => change.path.endsWith(join('plugins', 'handoffs.js')));
    if (loader) {
      options.pluginImport = opencodeImport(dirname(loader.path));
      plan = await planInit(options);
    }
    if (plan.agents.length === 0) {
      io.stdout.write('no agent found on this machine (none of claude, codex, gemini, copilot, opencode on PATH or configured)\n');
      return 0;
    }
    const { unifiedDiff } = await import('../agents/diff.js');
    for (const change of plan.changes) {
      const through = change.realPath === change.path ? '' : ` (through link to ${change.realPath})`;
      io.stdout.write(`${dryRun && change.action !== 'unchanged' ? 'would ' : ''}${change.action} ${change.path}${through}\n`);
      if (dryRun && change.action !== 'unchanged') io.stdout.write(indent(unifiedDiff(change.before, change.after, change.path)));
    }
    if (!dryRun) {
      const { backups } = await applyInit(plan);
      for (const backup of backups) io.stdout.write(`backup ${backup}\n`);
    }
    let codexTrusted = false;
    if (!options.uninstall) {
      const codexHome = project === undefined && options.configDir !== undefined ? options.configDir : undefined;
      codexTrusted = await trustCodex(plan, io, { dryRun, skip: values['no-trust'] === true, project, codexHome });
    }
    if (!options.uninstall) {
      for (const agent of plan.agents) {
        // Codex listing and trusting every hook of ours means the project (if any) is trusted too.
        const done = agent.agent === 'codex' && codexTrusted;
        for (const step of done ? [] : agent.trust) io.stdout.write(`trust (${agent.agent}): ${step}\n`);
        for (const note of agent.notes) io.stdout.write(`note (${agent.agent}): ${note}\n`);
      }
    }
    return 0;
  } catch (error) {
    if (!(error instanceof InitError)) throw error;
    io.stderr.write(`handoffs: ${error.message} [${error.code}]\n`);
    return 1;
  }
}

/** Records Codex's trust in the hooks init wrote (see `trustCodexHooks`), or says what to do by hand. */
async function trustCodex(
  plan: InitPlan,
  io: Io,
  options: { dryRun: boolean; skip: boolean; project: string | undefined; codexHome: string | undefined },
): Promise<boolean> {
  const codexPlan = plan.agents.find((agent) => agent.agent === 'codex');
  if (!codexPlan || options.skip) return false;
  const hooksFile = codexPlan.paths.find((path) => path.endsWith('hooks.json'));
  const change = plan.changes.find((item) => item.path === hooksFile);
  if (!hooksFile || change?.after === undefined) return false;
  const { findOnPath } = await import('../agents/detect.js');
  const { isOurCommand } = await import('../agents/hook-command.js');
  const codexBin = await findOnPath('codex', io.env);
  if (!codexBin) return false;
  if (options.dryRun) {
    io.stdout.write(`would trust init's Codex hooks through ${codexBin} app-server\n`);
    return true;
  }
  const hooks = (JSON.parse(change.after) as { hooks?: Record<string, Array<{ hooks?: Array<{ command?: unknown }> }>> }).hooks ?? {};
  const commands = Object.values(hooks)
    .flat()
    .flatMap((group) => group.hooks ?? [])
    .map((handler) => handler.command)
    .filter((command): command is string => isOurCommand(command));
  const { trustCodexHooks } = await import('../agents/codex-trust.js');
  const { backupFile } = await import('../agents/files.js');
  const env = options.codexHome === undefined ? io.env : { ...io.env, CODEX_HOME: options.codexHome };
  const configToml = join(env.CODEX_HOME || join(env.HOME || '~', '.codex'), 'config.toml');
  try {
    const result = await trustCodexHooks({
      codexBin,
      env,
      cwd: options.project ?? io.cwd,
      commands,
      beforeWrite: async () => {
        const backup = await backupFile(configToml);
        if (backup) io.stdout.write(`backup ${backup}\n`);
      },
    });
    for (const key of result.trusted) io.stdout.write(`trusted ${key} (codex config.toml)\n`);
    for (const key of result.alreadyTrusted) io.stdout.write(`unchanged trust ${key}\n`);
    if (result.notListed.length > 0) io.stdout.write(`codex did not list ${result.notListed.length} of init's hooks (an untrusted project?)\n`);
    return result.notListed.length === 0;
  } catch (error) {
    io.stdout.write(`could not record trust through codex: ${error instanceof Error ? error.message : String(error)}\n`);
    return false;
  }
}

function indent(text: string): string {
  return text.replace(/^(?!$)/gm, '    ');
}

/** The root of this package (the folder whose package.json is named handoffs), from src/ or dist/. */
function packageRoot(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'handoffs') return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * What the OpenCode loader in `pluginDir` imports: `handoffs/opencode` when a `handoffs` package
 * is installed where OpenCode resolves from that folder (node_modules upward), else this
 * package's built entry by absolute file URL (a global install).
 */
function opencodeImport(pluginDir: string): string | undefined {
  for (let dir = pluginDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', 'handoffs', 'package.json'))) return undefined;
    if (dirname(dir) === dir) break;
  }
  const root = packageRoot();
  return root === undefined ? undefined : pathToFileURL(join(root, 'dist', 'opencode.js')).href;
}

/** `handoffs` when an executable of that name is on PATH, else this node and this package's CLI. */
async function defaultCommand(io: Io): Promise<string> {
  const { findOnPath } = await import('../agents/detect.js');
  const { shellQuote } = await import('../agents/hook-command.js');
  if (await findOnPath('handoffs', io.env)) return 'handoffs';
  const root = packageRoot();
  const script = root === undefined ? process.argv[1] ?? 'handoffs' : join(root, 'dist', 'cli.js');
  return `${shellQuote(process.execPath)} ${shellQuote(script)}`;
}
