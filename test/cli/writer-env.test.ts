import { describe, expect, it } from 'vitest';
import { writerFromEnv } from '../../src/cli/main.js';

describe('writerFromEnv: which agent and session a `handoffs write` comes from', () => {
  it('reads each agent\'s own variables from the shell its tools run', () => {
    expect(writerFromEnv({ CLAUDECODE: '1', HANDOFFS_SESSION_ID: 'c-1', CLAUDE_CODE_SESSION_ID: 'c-2' })).toEqual({ agent: 'claude', sessionId: 'c-1' });
    expect(writerFromEnv({ CLAUDECODE: '1', CLAUDE_CODE_SESSION_ID: 'c-2' })).toEqual({ agent: 'claude', sessionId: 'c-2' });
    expect(writerFromEnv({ CODEX_THREAD_ID: 'x-1' })).toEqual({ agent: 'codex', sessionId: 'x-1' });
    expect(writerFromEnv({ CODEX_SESSION_ID: 'x-2' })).toEqual({ agent: 'codex', sessionId: 'x-2' });
    expect(writerFromEnv({ GEMINI_SESSION_ID: 'g-1' })).toEqual({ agent: 'gemini', sessionId: 'g-1' });
    expect(writerFromEnv({ COPILOT_CLI: '1', COPILOT_AGENT_SESSION_ID: 'p-1' })).toEqual({ agent: 'copilot', sessionId: 'p-1' });
    expect(writerFromEnv({})).toEqual({});
  });

  it('an agent started from a Claude Code shell names its own session, not the inherited one', () => {
    expect(writerFromEnv({ HANDOFFS_SESSION_ID: 'claude-s', CODEX_THREAD_ID: 'codex-s' })).toEqual({ agent: 'codex', sessionId: 'codex-s' });
  });

  it('flags win over the environment; empty variables count as unset', () => {
    expect(writerFromEnv({ CODEX_THREAD_ID: 'x-1' }, { agent: 'opencode', session: 'o-1' })).toEqual({ agent: 'opencode', sessionId: 'o-1' });
    expect(writerFromEnv({ CODEX_THREAD_ID: '', GEMINI_SESSION_ID: 'g-1' })).toEqual({ agent: 'gemini', sessionId: 'g-1' });
  });
});
