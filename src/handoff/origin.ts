import type { HandoffMeta } from './front-matter.js';

/** How the agents that write handoffs are named to people. */
export const AGENT_LABELS: Readonly<Record<string, string>> = {
  claude: 'Claude Code',
  codex: 'Codex',
  gemini: 'Gemini CLI',
  copilot: 'Copilot CLI',
  opencode: 'OpenCode',
  mcp: 'an MCP client',
};

/**
 * Who wrote a handoff, from its front matter (`agent`, `sessionId`): `from Codex, session
 * 0199a2…`, or `undefined` when it does not say. Pure.
 */
export function describeOrigin(meta: HandoffMeta): string | undefined {
  const agent = typeof meta.agent === 'string' ? (AGENT_LABELS[meta.agent] ?? meta.agent) : undefined;
  const session = typeof meta.sessionId === 'string' ? `session ${meta.sessionId.length > 12 ? `${meta.sessionId.slice(0, 8)}…` : meta.sessionId}` : undefined;
  if (agent === undefined && session === undefined) return undefined;
  return `from ${[agent, session].filter(Boolean).join(', ')}`;
}
