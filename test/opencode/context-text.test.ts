import { describe, expect, it } from 'vitest';
import { describeSource, describeSources, failureNote, handoffContext } from '../../src/opencode/context-text.js';

describe('describeSource', () => {
  it('names the agent and the whole session id the front matter records', () => {
    expect(describeSource({ agent: 'claude', sessionId: '4f1c2d3e-0000-4000-8000-000000000000' })).toBe('Claude Code session 4f1c2d3e-0000-4000-8000-000000000000');
    expect(describeSource({ agent: 'gemini', sessionId: 'g1' })).toBe('Gemini CLI session g1');
  });

  it('says what it can when the front matter records only one of them, and nothing when neither', () => {
    expect(describeSource({ agent: 'codex' })).toBe('a Codex session');
    expect(describeSource({ agent: 'opencode' })).toBe('an OpenCode session');
    expect(describeSource({ agent: 'mcp' })).toBe('an MCP client session');
    expect(describeSource({ agent: 'aider' })).toBe('an aider session');
    expect(describeSource({ sessionId: 'abc' })).toBe('session abc');
    expect(describeSource({})).toBeUndefined();
    expect(describeSource({ agent: '', sessionId: '' })).toBeUndefined();
  });
});

describe('describeSources', () => {
  it('names each session once, oldest first, with its count when it wrote more than one', () => {
    expect(describeSources([{ agent: 'claude', sessionId: 'a' }, { agent: 'codex', sessionId: 'b' }, { agent: 'claude', sessionId: 'a' }])).toBe(
      'Claude Code session a (2 handoffs), Codex session b',
    );
  });

  it('counts handoffs naming no session last, and counts sessions past the fifth', () => {
    const metas = [{}, ...Array.from({ length: 7 }, (_, index) => ({ agent: 'codex', sessionId: `s${index}` })), {}];
    expect(describeSources(metas)).toBe('Codex session s0, Codex session s1, Codex session s2, Codex session s3, Codex session s4, 2 more sessions, 2 handoffs naming no session');
    expect(describeSources([{}])).toBe('one handoff naming no session');
  });
});

describe('handoffContext', () => {
  const store = { location: '/h', retentionDays: 7 };

  it('is the intro, a blank line, then the merged text', () => {
    const text = handoffContext({ handoffs: [{ meta: { agent: 'claude', sessionId: 'a' }, redelivered: false }], merged: '## 2026-11-25 · x\n\nbody\n', skipped: [] }, store);
    expect(text).toBe(
      'Handoffs from earlier sessions of this project (1, oldest first), from Claude Code session a. They are marked consumed; full texts stay in /h for 7 days.\n\n## 2026-11-25 · x\n\nbody',
    );
  });

  it('says how many were handed before to a session that ended without using them', () => {
    const text = handoffContext(
      { handoffs: [{ meta: {}, redelivered: true }, { meta: {}, redelivered: false }], merged: 'm', skipped: [] },
      store,
    );
    expect(text!.split('\n')[0]).toBe(
      'Handoffs from earlier sessions of this project (2, oldest first), from 2 handoffs naming no session; 1 of them had been handed to a session that ended before using it. They are marked consumed; full texts stay in /h for 7 days.',
    );
  });

  it('adds a note for pending handoffs that could not be read, and is that note alone when nothing was claimed', () => {
    const skipped = [
      { name: 'a.md', reason: 'unreadable' as const, code: 'EACCES' },
      { name: 'b.md', reason: 'other-project' as const },
    ];
    expect(handoffContext({ handoffs: [], merged: '', skipped }, store)).toBe('handoffs: 1 pending handoff(s) could not be read and were left for later: a.md (EACCES).');
    expect(handoffContext({ handoffs: [], merged: '', skipped: [skipped[1]!] }, store)).toBeUndefined();
  });
});

describe('failureNote', () => {
  it('is one line naming the error', () => {
    expect(failureNote(new Error('list failed (ENOTDIR) at /h'))).toBe('handoffs: could not load handoffs from earlier sessions (list failed (ENOTDIR) at /h). Run `handoffs start` to retry.');
    expect(failureNote('odd')).toContain('(odd)');
  });
});
