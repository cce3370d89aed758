import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTranscript, readTranscript, type SessionTrace } from '../../src/index.js';

// Paths relative to the repository root (vitest's working directory), so traces name them the same on every machine.
const recorded = (name: string) => join('test', 'fixtures', 'transcripts', 'claude', `${name}.jsonl`);
const synthetic = (name: string) => join('test', 'fixtures', 'transcripts', 'synthetic', `${name}.jsonl`);

const whole = (size: number) => ({ size, read: size });

describe('readTranscript on real Claude Code 2.1.197 transcripts', () => {
  it('tool-session: the prompt, created and edited files, the command, the TodoWrite list and the final text', async () => {
    const expected: SessionTrace = {
      agent: 'claude',
      path: recorded('tool-session'),
      sessionId: 'bbf762cc-0477-48a1-a12a-4fd5b1ba38bf',
      cwd: '/home/user/tool-session',
      request: 'Create hello.txt, finalize notes.txt, check the files, and plan the release.',
      filesChanged: [
        { path: '/home/user/tool-session/hello.txt', kind: 'created' },
        { path: '/home/user/tool-session/notes.txt', kind: 'edited' },
      ],
      commands: [{ command: 'ls && wc -l hello.txt', status: 'ok', exitCode: 0 }],
      todos: [
        { content: 'Create hello.txt', status: 'completed' },
        { content: 'Finalize notes.txt', status: 'completed' },
        { content: 'Release the change', status: 'pending' },
      ],
      lastMessage: 'Created hello.txt and set notes.txt to final. Next: release the change.',
      modelReplied: true,
      compacted: false,
      // Six replies (the first is two lines, text and Write, with one id); Write, Read, Edit, Bash, TodoWrite.
      counts: { prompts: 1, turns: 6, toolCalls: 5, commands: 1, filesChanged: 2 },
      work: 'done',
      bytes: whole(20390),
      issues: [],
    };
    expect(await readTranscript(recorded('tool-session'))).toEqual(expected);
  });

  it('tasks-and-errors: failed calls change no file, the failed command has its exit code, tasks are rebuilt', async () => {
    const expected: SessionTrace = {
      agent: 'claude',
      path: recorded('tasks-and-errors'),
      sessionId: '31478584-57e0-4852-b9c2-f08949c6b569',
      cwd: '/home/user/tasks-and-errors',
      request: 'Finalize notes.txt.',
      // The MultiEdit (no such tool) and the Edit refused before a Read both failed: nothing changed.
      filesChanged: [],
      commands: [{ command: 'cat missing.txt', status: 'failed', exitCode: 1 }],
      // TaskCreate, TaskUpdate in_progress, TaskUpdate completed.
      todos: [{ content: 'Finalize notes', status: 'completed' }],
      lastMessage: 'Could not finalize notes.txt.',
      modelReplied: true,
      compacted: false,
      counts: { prompts: 1, turns: 7, toolCalls: 6, commands: 1, filesChanged: 0 },
      work: 'done',
      bytes: whole(19960),
      issues: [],
    };
    expect(await readTranscript(recorded('tasks-and-errors'))).toEqual(expected);
  });

  it('one-turn: one real reply is work done, with no files, commands or todos', async () => {
    const expected: SessionTrace = {
      agent: 'claude',
      path: recorded('one-turn'),
      sessionId: '2d02c148-7757-46c4-a2b8-233569bd6ca3',
      cwd: '/home/user/one-turn',
      request: 'hello',
      filesChanged: [],
      commands: [],
      lastMessage: 'Hello! What would you like to work on?',
      modelReplied: true,
      compacted: false,
      counts: { prompts: 1, turns: 1, toolCalls: 0, commands: 0, filesChanged: 0 },
      work: 'done',
      bytes: whole(9455),
      issues: [],
    };
    expect(await readTranscript(recorded('one-turn'))).toEqual(expected);
  });

  it('not-logged-in: only a <synthetic> message, so no work; its text is the last error, never the last message', async () => {
    const expected: SessionTrace = {
      agent: 'claude',
      path: recorded('not-logged-in'),
      sessionId: '3aee37ef-9de1-45b0-850f-0fe24db52260',
      cwd: '/home/user/not-logged-in',
      // The claimed handoff in the hook_additional_context attachment is not the request.
      request: 'hello',
      filesChanged: [],
      commands: [],
      lastError: 'Not logged in · Please run /login',
      modelReplied: false,
      compacted: false,
      counts: { prompts: 1, turns: 0, toolCalls: 0, commands: 0, filesChanged: 0 },
      work: 'none',
      bytes: whole(10566),
      issues: [],
    };
    expect(await readTranscript(recorded('not-logged-in'))).toEqual(expected);
  });

  it('compacted: three runs of one session; /compact and its summary are not requests; the compaction is recorded', async () => {
    const expected: SessionTrace = {
      agent: 'claude',
      path: recorded('compacted'),
      sessionId: 'e202889c-dbbe-4f95-87a6-cd956c7756b9',
      cwd: '/home/user/compacted',
      request: 'Run the first steps.',
      lastRequest: 'Run more steps.',
      filesChanged: [],
      commands: [
        { command: 'echo step 1', status: 'ok', exitCode: 0 },
        { command: 'echo step 2', status: 'ok', exitCode: 0 },
        { command: 'echo step 1', status: 'ok', exitCode: 0 },
        { command: 'echo step 2', status: 'ok', exitCode: 0 },
      ],
      lastMessage: 'Steps done.',
      modelReplied: true,
      compacted: true,
      counts: { prompts: 2, turns: 6, toolCalls: 4, commands: 4, filesChanged: 0 },
      work: 'done',
      bytes: whole(26142),
      issues: [],
    };
    expect(await readTranscript(recorded('compacted'))).toEqual(expected);
  });
});

describe('readTranscript on shapes of older releases (synthetic)', () => {
  it('claude-older-shapes: MultiEdit, NotebookEdit, Write kinds, sub-agent lines, deleted tasks, a late API error', async () => {
    const expected: SessionTrace = {
      agent: 'claude',
      path: synthetic('claude-older-shapes'),
      sessionId: 'synthetic-older-shapes',
      cwd: '/work/app',
      // After a caveat (meta) and a /clear command line; content given as text blocks.
      request: 'Fix the parser and update the notebook.',
      filesChanged: [
        { path: '/work/app/src/parser.ts', kind: 'edited' }, // MultiEdit, answered in a line with two results
        { path: '/work/app/src/new.ts', kind: 'created' }, // Write with no structured result, never read before
        { path: '/work/app/README.md', kind: 'edited' }, // Write with type: update
        { path: '/work/app/analysis.ipynb', kind: 'edited' }, // NotebookEdit
        { path: '/work/app/src/lib.ts', kind: 'edited' }, // a sub-agent's Edit: the file changed all the same
      ],
      commands: [{ command: 'npm test -- --watch', status: 'failed' }], // interrupted: no exit code
      // Task #2 (its id read from the result text) was deleted.
      todos: [{ content: 'Fix the parser', status: 'in_progress' }],
      // Two text lines with one id are one reply; the sub-agent's text is not the session's last message.
      lastMessage: 'Parser fixed; notebook updated.\n\nTests still to run.',
      lastError: 'API Error: 529 overloaded',
      modelReplied: true,
      compacted: true, // the legacy summary line
      counts: { prompts: 1, turns: 10, toolCalls: 11, commands: 1, filesChanged: 5 },
      work: 'done',
      bytes: whole(7639),
      issues: [{ code: 'UNKNOWN_LINES', count: 1, detail: '1 line of unknown types, skipped' }],
    };
    expect(await readTranscript(synthetic('claude-older-shapes'))).toEqual(expected);
  });
});

describe('what the Claude reader takes as the request', () => {
  const user = (content: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'user', message: { role: 'user', content }, ...extra });
  const reply = JSON.stringify({ type: 'assistant', message: { id: 'm1', model: 'claude', content: [{ type: 'text', text: 'ok' }] } });

  it('skips local commands, their output, meta lines and interruptions; keeps text typed next to a reminder', () => {
    const trace = parseTranscript(
      [
        user('<bash-input>ls</bash-input>'),
        user('<bash-stdout>a.txt</bash-stdout><bash-stderr></bash-stderr>'),
        user('<command-name>/model</command-name>\n<command-message>model</command-message>'),
        user('Some hook context', { isMeta: true }),
        user('[Request interrupted by user]'),
        user([{ type: 'text', text: '<system-reminder>The date changed.</system-reminder>' }, { type: 'image', source: {} }, { type: 'text', text: 'Do the thing' }]),
        reply,
        user('And then this'),
      ].join('\n'),
    );
    expect(trace.request).toBe('Do the thing');
    expect(trace.lastRequest).toBe('And then this');
    expect(trace.counts.prompts).toBe(2);
  });

  it('a sub-agent’s prompt is not the session’s', () => {
    const trace = parseTranscript([user('Search the repo', { isSidechain: true }), user('Fix the bug'), reply].join('\n'));
    expect(trace.request).toBe('Fix the bug');
  });
});
