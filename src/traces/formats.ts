import type { AgentName } from '../agents/types.js';
import { claudeFormat } from './claude.js';
import type { TranscriptFormat } from './types.js';

/**
 * The transcript readers, one per agent. Codex (rollout JSONL under `~/.codex/sessions/`) and
 * Gemini CLI (chat logs under `~/.gemini/tmp/`) plug in here as `codex.ts` and `gemini.ts` once
 * real transcripts of the pinned versions are in test/fixtures/transcripts/; until then their
 * traces are minimal (`UNSUPPORTED_AGENT`). Copilot CLI and OpenCode give their hooks no
 * transcript path.
 */
const FORMATS: Partial<Record<AgentName, TranscriptFormat>> = {
  claude: claudeFormat,
};

/** The agents whose transcripts can be read into a trace. */
export const TRACE_AGENTS: readonly AgentName[] = Object.keys(FORMATS) as AgentName[];

/** The reader of an agent's transcripts, or `undefined` when there is none yet. */
export function transcriptFormat(agent: AgentName): TranscriptFormat | undefined {
  return Object.hasOwn(FORMATS, agent) ? FORMATS[agent] : undefined;
}
