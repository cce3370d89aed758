import { claude } from './claude.js';
import { codex } from './codex.js';
import { copilot } from './copilot.js';
import { gemini } from './gemini.js';
import { opencode } from './opencode.js';
import type { Agent } from './types.js';

/** Every agent init knows, in the order it sets them up. */
export const agents: readonly Agent[] = [claude, codex, gemini, copilot, opencode];

/** The agent called `name`, or undefined. */
export function agentNamed(name: string): Agent | undefined {
  return agents.find((agent) => agent.name === name);
}
