import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { detectAgents } from './detect.js';
import { InitError } from './errors.js';
import { applyChanges, type ApplyOptions, type ApplyResult } from './files.js';
import { agentNamed } from './registry.js';
import type { AgentContext, AgentName, AgentPlan, InitPlan, SetupOptions, StagedFiles } from './types.js';
import { Workspace } from './workspace.js';

/** Options of {@link planInit}. */
export interface InitOptions extends SetupOptions {
  /**
   * The agents to set up, or `'all'` for every agent found on this machine (its executable on
   * PATH, or its user config folder present: see `detectAgents`). Default `['claude']`.
   */
  agents?: readonly AgentName[] | 'all';
}

/**
 * Works out what `init` (or, with `uninstall`, `init --uninstall`) would write for each agent:
 * reads only. Files several agents share (a repository's AGENTS.md) get one change.
 *
 * @throws InitError `INVALID_OPTION` for an unknown agent, or `configDir` with several agents;
 * `INVALID_CONFIG` for a config file that cannot be read as what it should be.
 */
export async function planInit(options: InitOptions): Promise<InitPlan> {
  const env = options.env ?? process.env;
  const home = options.home ?? homedir();
  const names = options.agents === 'all' ? (await detectAgents(env, home)).map((found) => found.agent) : (options.agents ?? ['claude']);
  if (names.length > 1 && options.configDir !== undefined && options.project === undefined) {
    throw new InitError('INVALID_OPTION', 'a config folder belongs to one agent: pass --config-dir with a single --agent');
  }
  const workspace = new Workspace();
  const plans: AgentPlan[] = [];
  for (const name of names) {
    const agent = agentNamed(name);
    if (!agent) throw new InitError('INVALID_OPTION', `unknown agent '${String(name)}' (known: claude, codex, gemini, copilot, opencode, all)`);
    const paths: string[] = [];
    const notes: string[] = [];
    const trust: string[] = [];
    const scope = options.project === undefined ? 'user' : 'project';
    const base = resolve(options.project ?? options.configDir ?? agent.defaultConfigDir(env, home));
    const context: AgentContext = { options, scope, base, files: recording(workspace, paths),
      note: (text) => notes.push(text),
      trustStep: (text) => trust.push(text),
    };
    await agent.plan(context);
    plans.push({ agent: agent.name, scope, paths, trust, notes });
  }
  return { agents: plans, changes: workspace.changes() };
}

/**
 * Writes a plan's changes safely (see `applyChanges`): through symbolic links, backups first,
 * atomic, permission bits kept, unchanged files untouched.
 */
export function applyInit(plan: InitPlan, options: ApplyOptions = {}): Promise<ApplyResult> {
  return applyChanges(plan.changes, options);
}

/** The workspace as one agent sees it, noting each path it touches. */
function recording(workspace: Workspace, paths: string[]): StagedFiles {
  const note = (path: string) => {
    const key = resolve(path);
    if (!paths.includes(key)) paths.push(key);
  };
  return {
    read: (path) => (note(path), workspace.read(path)),
    write: (path, text, options) => (note(path), workspace.write(path, text, options)),
    remove: (path, emptyText) => (note(path), workspace.remove(path, emptyText)),
  };
}
