import { describe, it } from 'vitest';

// Cross-agent handoffs need `handoffs init --agent NAME` and per-agent hook output (issue 11 items
// 1, 2 and 4). The clients, their scripted endpoints and the places their requests carry hook text
// are proven in the per-agent files beside this one; these say what the round trips will check.
describe('handoffs between agents (real clients, scripted endpoints)', () => {
  it.todo('a round: a Claude Code session ends → the next Codex session of the project gets that handoff once and writes its own at its end → the next Gemini session gets exactly the Codex one; each request carries exactly the handoffs it should');
  it.todo('a handoff written at the end of a Codex session is received by the next Copilot session of the same project exactly once, and the merged context names its source ("from Codex, session …")');
  it.todo('a handoff written at the end of a Gemini session is received by the next OpenCode session exactly once through the package plugin, without a subprocess');
  it.todo('two sessions of different agents starting at once on one pending handoff: exactly one request carries it');
});
