import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { agents } from './registry.js';
import type { AgentName } from './types.js';

/** How an agent was found on this machine. */
export interface DetectedAgent {
  agent: AgentName;
  /** The executable on PATH, when there is one. */
  binary: string | undefined;
  /** The agent's user config folder, when it exists. */
  configDir: string | undefined;
}

/**
 * The agents `--agent all` sets up: those whose executable is on PATH, or whose user config folder
 * exists (an agent installed some other way, or used before and still configured).
 */
export async function detectAgents(env: NodeJS.ProcessEnv, home: string): Promise<DetectedAgent[]> {
  const found: DetectedAgent[] = [];
  for (const agent of agents) {
    const binary = await findOnPath(agent.binary, env);
    const dir = agent.defaultConfigDir(env, home);
    const configDir = (await stat(dir).then((info) => info.isDirectory(), () => false)) ? dir : undefined;
    if (binary !== undefined || configDir !== undefined) found.push({ agent: agent.name, binary, configDir });
  }
  return found;
}

/** The first executable called `name` on `env.PATH`, or undefined. */
export async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    const ok = await access(candidate, constants.X_OK).then(
      () => stat(candidate).then((info) => info.isFile()),
      () => false,
    );
    if (ok) return candidate;
  }
  return undefined;
}
