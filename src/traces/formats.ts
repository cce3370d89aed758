import type { AgentName } from '../agents/types.js';
import { claudeFormat } from './claude.js';
import { codexFormat } from './codex.js';
import { copilotFormat } from './copilot.js';
import { geminiFormat } from './gemini.js';
import type { TranscriptFormat } from './types.js';

/**
 * The transcript readers, one per agent. OpenCode has none: it keeps its sessions in its own
 * storage and gives its plugins no transcript path, so its traces are minimal (`UNSUPPORTED_AGENT`).
 */
const FORMATS: Partial<Record<AgentName, TranscriptFormat>> = {
  claude: claudeFormat,
  codex: codexFormat,
  gemini: geminiFormat,
  copilot: copilotFormat,
};

/** The order formats are asked to recognize a first line: the most particular first lines first. */
const DETECTION_ORDER: readonly TranscriptFormat[] = [codexFormat, copilotFormat, geminiFormat, claudeFormat];

/** The agents whose transcripts can be read into a trace. */
export const TRACE_AGENTS: readonly AgentName[] = Object.keys(FORMATS) as AgentName[];

/** The reader of an agent's transcripts, or `undefined` when there is none yet. */
export function transcriptFormat(agent: AgentName): TranscriptFormat | undefined {
  return Object.hasOwn(FORMATS, agent) ? FORMATS[agent] : undefined;
}

/**
 * Which agent wrote a transcript, from its first line (without the newline; its start is enough
 * when the line is very long): Codex's `session_meta`, Copilot CLI's `session.start`, Gemini CLI's
 * `{ sessionId, projectHash, … }` header (or the `{` opening its older one-document logs), or a
 * Claude Code line. `undefined` when it is none of these. Pure: reads nothing.
 */
export function detectTranscriptFormat(firstLine: string): AgentName | undefined {
  const line = firstLine.replace(/^\uFEFF/, '');
  return DETECTION_ORDER.find((format) => format.recognizes(line))?.agent;
}
