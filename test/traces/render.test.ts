import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTranscript, readTranscript, renderTrace, TRACE_BUDGET, TraceError, type SessionTrace } from '../../src/index.js';

const recorded = (name: string) => join('test', 'fixtures', 'transcripts', 'claude', `${name}.jsonl`);
const countLines = (text: string) => (text === '' ? 0 : text.replace(/\n$/, '').split('\n').length);

describe('renderTrace, pinned for each fixture (default budget: 40 lines, 4000 characters)', () => {
  it('tool-session', async () => {
    expect(renderTrace(await readTranscript(recorded('tool-session')))).toBe(
      [
        'Trace of Claude Code session bbf762cc-0477-48a1-a12a-4fd5b1ba38bf, read from its transcript: 6 model turns, 5 tool calls.',
        '',
        '### Request',
        '',
        '> Create hello.txt, finalize notes.txt, check the files, and plan the release.',
        '',
        '### Files changed (2)',
        '',
        '- hello.txt (created)',
        '- notes.txt (edited)',
        '',
        '### Commands (1)',
        '',
        '- `ls && wc -l hello.txt`',
        '',
        '### Todos (2 of 3 done)',
        '',
        '- [x] Create hello.txt',
        '- [x] Finalize notes.txt',
        '- [ ] Release the change',
        '',
        '### Last message',
        '',
        '> Created hello.txt and set notes.txt to final. Next: release the change.',
        '',
        'Transcript: test/fixtures/transcripts/claude/tool-session.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('tasks-and-errors', async () => {
    expect(renderTrace(await readTranscript(recorded('tasks-and-errors')))).toBe(
      [
        'Trace of Claude Code session 31478584-57e0-4852-b9c2-f08949c6b569, read from its transcript: 7 model turns, 6 tool calls.',
        '',
        '### Request',
        '',
        '> Finalize notes.txt.',
        '',
        '### Commands (1)',
        '',
        '- `cat missing.txt` — failed (exit 1)',
        '',
        '### Todos (1 of 1 done)',
        '',
        '- [x] Finalize notes',
        '',
        '### Last message',
        '',
        '> Could not finalize notes.txt.',
        '',
        'Transcript: test/fixtures/transcripts/claude/tasks-and-errors.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('one-turn', async () => {
    expect(renderTrace(await readTranscript(recorded('one-turn')))).toBe(
      [
        'Trace of Claude Code session 2d02c148-7757-46c4-a2b8-233569bd6ca3, read from its transcript: 1 model turn, 0 tool calls.',
        '',
        '### Request',
        '',
        '> hello',
        '',
        '### Last message',
        '',
        '> Hello! What would you like to work on?',
        '',
        'Transcript: test/fixtures/transcripts/claude/one-turn.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('not-logged-in', async () => {
    expect(renderTrace(await readTranscript(recorded('not-logged-in')))).toBe(
      [
        'Trace of Claude Code session 3aee37ef-9de1-45b0-850f-0fe24db52260, read from its transcript: no model reply, the session did no work.',
        'Last error: Not logged in · Please run /login',
        '',
        '### Request',
        '',
        '> hello',
        '',
        'Transcript: test/fixtures/transcripts/claude/not-logged-in.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('compacted', async () => {
    expect(renderTrace(await readTranscript(recorded('compacted')))).toBe(
      [
        'Trace of Claude Code session e202889c-dbbe-4f95-87a6-cd956c7756b9, read from its transcript: 6 model turns, 4 tool calls, compacted.',
        '',
        '### Request',
        '',
        '> Run the first steps.',
        '',
        '### Latest request',
        '',
        '> Run more steps.',
        '',
        '### Commands (4)',
        '',
        '- `echo step 1`',
        '- `echo step 2`',
        '- `echo step 1`',
        '- `echo step 2`',
        '',
        '### Last message',
        '',
        '> Steps done.',
        '',
        'Transcript: test/fixtures/transcripts/claude/compacted.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('claude-older-shapes (synthetic): issues, last error, relative paths, a task in progress', async () => {
    expect(renderTrace(await readTranscript(join('test', 'fixtures', 'transcripts', 'synthetic', 'claude-older-shapes.jsonl')))).toBe(
      [
        'Trace of Claude Code session synthetic-older-shapes, read from its transcript: 10 model turns, 11 tool calls, compacted.',
        'Transcript issues: 1 line of unknown types, skipped.',
        'Last error: API Error: 529 overloaded',
        '',
        '### Request',
        '',
        '> Fix the parser and update the notebook.',
        '',
        '### Files changed (5)',
        '',
        '- src/parser.ts (edited)',
        '- src/new.ts (created)',
        '- README.md (edited)',
        '- analysis.ipynb (edited)',
        '- src/lib.ts (edited)',
        '',
        '### Commands (1)',
        '',
        '- `npm test -- --watch` — failed',
        '',
        '### Todos (0 of 1 done)',
        '',
        '- [ ] Fix the parser (in progress)',
        '',
        '### Last message',
        '',
        '> Parser fixed; notebook updated.',
        '>',
        '> Tests still to run.',
        '',
        'Transcript: test/fixtures/transcripts/synthetic/claude-older-shapes.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('a transcript that could not be read: the title says so, the issue and the path follow', async () => {
    expect(renderTrace(await readTranscript('/nonexistent/session.jsonl'))).toBe(
      [
        'Trace of Claude Code session, read from its transcript: nothing could be read.',
        'Transcript issues: no file at the path.',
        '',
        'Transcript: /nonexistent/session.jsonl',
        '',
      ].join('\n'),
    );
  });
});

describe('renderTrace within a budget', () => {
  it('cuts commands first, then todos keeping unfinished items, and says what it cut', async () => {
    const text = renderTrace(await readTranscript(recorded('tool-session')), { maxLines: 22 });
    expect(countLines(text)).toBeLessThanOrEqual(22);
    expect(text).toBe(
      [
        'Trace of Claude Code session bbf762cc-0477-48a1-a12a-4fd5b1ba38bf, read from its transcript: 6 model turns, 5 tool calls.',
        '',
        '### Request',
        '',
        '> Create hello.txt, finalize notes.txt, check the files, and plan the release.',
        '',
        '### Files changed (2)',
        '',
        '- hello.txt (created)',
        '- notes.txt (edited)',
        '',
        '### Todos (2 of 3 done)',
        '',
        '- [ ] Release the change',
        '- … and 2 more',
        '',
        '### Last message',
        '',
        '> Created hello.txt and set notes.txt to final. Next: release the change.',
        '',
        '_Shortened to fit 22 lines and 4000 characters: commands left out; todos (1 of 3 shown)._',
        'Transcript: test/fixtures/transcripts/claude/tool-session.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('keeps the latest commands and counts the earlier ones', () => {
    const trace = syntheticTrace({
      commands: Array.from({ length: 30 }, (_, index) => ({ command: `step ${index + 1}`, status: 'ok' as const, exitCode: 0 })),
      filesChanged: [{ path: '/p/a.ts', kind: 'edited' }],
    });
    const text = renderTrace(trace, { maxLines: 20 });
    expect(countLines(text)).toBeLessThanOrEqual(20);
    expect(text).toContain('- `step 30`');
    expect(text).not.toContain('- `step 1`\n');
    expect(text).toMatch(/- … \d+ earlier\n/);
    expect(text).toContain('- a.ts (edited)'); // files are cut only once commands are gone
    expect(text).toMatch(/_Shortened to fit 20 lines and 4000 characters: commands \(last \d+ of 30 shown\)\._/);
  });

  it('clips a long request rather than leaving it out, and never splits the transcript line', () => {
    const trace = syntheticTrace({ request: 'word '.repeat(2000).trim() });
    const text = renderTrace(trace, { maxChars: 1000 });
    expect(text.length).toBeLessThanOrEqual(1000);
    expect(text).toMatch(/> word word .* …\n/);
    expect(text).toMatch(/request clipped to \d+ of 9999 characters/);
    expect(text.endsWith('Transcript: /t/session.jsonl\n')).toBe(true);
  });

  it('quotes requests and messages, so their headings cannot nest into the handoff', () => {
    const text = renderTrace(syntheticTrace({ lastMessage: '## Summary\n\nDone.' }));
    expect(text).toContain('### Last message\n\n> ## Summary\n>\n> Done.\n');
  });

  it('shows a command holding backticks as one code span, and only its first line', () => {
    const text = renderTrace(syntheticTrace({ commands: [{ command: 'echo `date`\necho done', status: 'failed', exitCode: 2 }] }));
    expect(text).toContain('- `` echo `date` `` … — failed (exit 2)\n');
  });

  it('with no limit, cuts nothing', () => {
    const trace = syntheticTrace({
      commands: Array.from({ length: 150 }, (_, index) => ({ command: `c${index}`, status: 'ok' as const, exitCode: 0 })),
    });
    const text = renderTrace(trace, { maxLines: Infinity, maxChars: Infinity });
    expect(text).not.toContain('Shortened');
    expect(text).toContain('- `c0`\n');
  });

  it('a trace of 10,000 files and 200 commands renders within the budget quickly', () => {
    const trace = syntheticTrace({
      filesChanged: Array.from({ length: 10_000 }, (_, index) => ({ path: `/p/src/module-${index}.ts`, kind: 'edited' as const })),
      commands: Array.from({ length: 200 }, (_, index) => ({ command: `npm test -- ${index}`, status: 'ok' as const, exitCode: 0 })),
      request: 'r'.repeat(50_000),
    });
    const start = performance.now();
    const text = renderTrace(trace, { maxLines: Infinity });
    expect(performance.now() - start).toBeLessThan(1000);
    expect(text.length).toBeLessThanOrEqual(4000);
    expect(text).toContain('- src/module-0.ts (edited)');
    expect(text).toMatch(/- … and \d+ more\n/);
  });

  it('rejects a budget that is not a number of at least 1', () => {
    const trace = syntheticTrace({});
    for (const bad of [0, -1, Number.NaN, '40' as unknown as number]) {
      expect(() => renderTrace(trace, { maxLines: bad })).toThrow(TraceError);
      expect(() => renderTrace(trace, { maxChars: bad })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    }
  });

  it('any trace, any budget: within the budget, deterministic, and the transcript line last whenever it fits', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 300 });
    const traceArbitrary = fc.record({
      request: fc.option(text, { nil: undefined }),
      lastRequest: fc.option(text, { nil: undefined }),
      lastMessage: fc.option(text, { nil: undefined }),
      lastError: fc.option(text, { nil: undefined }),
      filesChanged: fc.array(fc.record({ path: text, kind: fc.constantFrom('created' as const, 'edited' as const) }), { maxLength: 60 }),
      commands: fc.array(
        fc.record({ command: text, status: fc.constantFrom('ok' as const, 'failed' as const, 'unknown' as const) }),
        { maxLength: 60 },
      ),
      todos: fc.option(fc.array(fc.record({ content: text, status: fc.constantFrom('pending' as const, 'in_progress' as const, 'completed' as const) }), { maxLength: 20 }), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(traceArbitrary, fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 6000 }), (parts, maxLines, maxChars) => {
        const trace = syntheticTrace(parts);
        const first = renderTrace(trace, { maxLines, maxChars });
        expect(countLines(first)).toBeLessThanOrEqual(maxLines);
        expect(first.length).toBeLessThanOrEqual(maxChars);
        expect(renderTrace(trace, { maxLines, maxChars })).toBe(first);
        const footer = 'Transcript: /t/session.jsonl\n';
        if (maxChars >= footer.length) expect(first.endsWith(footer)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('the default budget is 40 lines and 4000 characters', () => {
    expect(TRACE_BUDGET).toEqual({ maxLines: 40, maxChars: 4000 });
    const trace = syntheticTrace({ commands: Array.from({ length: 100 }, (_, index) => ({ command: `c${index}`, status: 'ok' as const })) });
    expect(countLines(renderTrace(trace))).toBe(40);
  });
});

/** A trace built by hand, for render cases the fixtures do not have. */
function syntheticTrace(parts: Partial<SessionTrace>): SessionTrace {
  const base = parseTranscript('', { path: '/t/session.jsonl' });
  const commands = parts.commands ?? [];
  const filesChanged = parts.filesChanged ?? [];
  return {
    ...base,
    sessionId: 's-1',
    cwd: '/p',
    work: 'done',
    modelReplied: true,
    issues: [],
    ...parts,
    counts: { prompts: 1, turns: 1, toolCalls: commands.length + filesChanged.length, commands: commands.length, filesChanged: filesChanged.length },
  };
}
