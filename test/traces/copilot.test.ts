import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copilotEventsPath, parseTranscript, readTranscript, TraceError, type SessionTrace } from '../../src/index.js';

const recorded = (name: string) => join('test', 'fixtures', 'transcripts', 'copilot', `${name}.jsonl`);
const synthetic = join('test', 'fixtures', 'transcripts', 'synthetic', 'copilot-older-shapes.jsonl');
const whole = (size: number) => ({ size, read: size });

describe('readTranscript on real Copilot CLI 1.0.102 event logs', () => {
  it('events: the prompt, the sql todo list, the command, the patch’s file, the last message', async () => {
    const project = '/tmp/handoffs-e2e-home-WniBf7/work/project';
    const expected: SessionTrace = {
      agent: 'copilot',
      path: recorded('events'),
      sessionId: 'af5d68db-a41b-4795-9070-411ac626b63d',
      cwd: project,
      // data.content, not transformedContent (which has the date prepended); the hook's context is in hook.end, not here.
      request: 'Start a notes folder with a todo list and a plan.',
      filesChanged: [{ path: `${project}/notes/plan.md`, kind: 'created' }], // fileEdits of apply_patch
      commands: [{ command: 'mkdir -p notes && printf "first line\\n" > notes/todo.txt && ls notes', status: 'ok', exitCode: 0 }],
      // INSERT INTO todos … ('notes-folder', …, 'done'), ('plan', …, 'in_progress').
      todos: [
        { content: 'Creating the notes folder', status: 'completed' },
        { content: 'Writing the plan', status: 'in_progress' },
      ],
      lastMessage: 'Created notes/todo.txt and notes/plan.md.',
      modelReplied: true,
      compacted: false,
      counts: { prompts: 1, turns: 4, toolCalls: 3, commands: 1, filesChanged: 1 },
      work: 'done',
      bytes: whole(19071),
      issues: [],
    };
    expect(await readTranscript(recorded('events'), { agent: 'copilot' })).toEqual(expected);
  });

  it('edits: create and edit tools, a failed command, a refused edit, todos updated, deleted and added by SQL', async () => {
    const project = '/tmp/handoffs-e2e-home-wNcYuA/work/project';
    const expected: SessionTrace = {
      agent: 'copilot',
      path: recorded('edits'),
      sessionId: 'abe6cf6f-d257-4afe-8515-f66cdff86ea2',
      cwd: project,
      request: 'Create the app and finalize the README.',
      filesChanged: [
        { path: `${project}/src/app.ts`, kind: 'created' },
        { path: `${project}/README.md`, kind: 'edited' },
      ],
      // success: true, shellExecution.exitCode: 1.
      commands: [{ command: 'cat missing.txt', status: 'failed', exitCode: 1 }],
      // Three inserted; app and readme set to done; legacy deleted; tests inserted.
      todos: [
        { content: 'Create the app', status: 'completed' },
        { content: 'Update the README', status: 'completed' },
        { content: 'Write the tests', status: 'pending' },
      ],
      lastMessage: 'Created src/app.ts and finalized the README; missing.txt does not exist. Next: write the tests.',
      modelReplied: true,
      compacted: false,
      counts: { prompts: 1, turns: 9, toolCalls: 8, commands: 1, filesChanged: 2 },
      work: 'done',
      bytes: whole(38214),
      issues: [],
    };
    expect(await readTranscript(recorded('edits'), { agent: 'copilot' })).toEqual(expected);
  });

  it('patch: an edit, a deletion and a creation in one patch, in its order; a command that exits 3', async () => {
    const project = '/tmp/handoffs-e2e-home-rMSSwq/work/project';
    const expected: SessionTrace = {
      agent: 'copilot',
      path: recorded('patch'),
      sessionId: '4c9554a3-e473-41a1-a980-d5a7aa66f3aa',
      cwd: project,
      request: 'Tidy the notes folder.',
      filesChanged: [
        { path: `${project}/notes/todo.txt`, kind: 'edited' },
        { path: `${project}/notes/old.txt`, kind: 'deleted' },
        { path: `${project}/notes/new.md`, kind: 'created' },
      ],
      commands: [{ command: 'ls notes && exit 3', status: 'failed', exitCode: 3 }],
      lastMessage: 'Updated notes/todo.txt, removed notes/old.txt, added notes/new.md.',
      modelReplied: true,
      compacted: false,
      counts: { prompts: 1, turns: 3, toolCalls: 2, commands: 1, filesChanged: 3 },
      work: 'done',
      bytes: whole(15584),
      issues: [],
    };
    expect(await readTranscript(recorded('patch'), { agent: 'copilot' })).toEqual(expected);
  });

  it('compacted: /compact on a resumed session; the compaction’s own model call (model.* events) is no turn', async () => {
    const expected: SessionTrace = {
      agent: 'copilot',
      path: recorded('compacted'),
      sessionId: '64048ff8-a72b-41d5-bc54-9218669833a7',
      cwd: '/tmp/handoffs-e2e-home-UMftUp/work/project',
      request: 'Run step 1.', // `/compact` was given as a prompt but is recorded as no user.message
      filesChanged: [],
      commands: [{ command: 'echo step 1', status: 'ok', exitCode: 0 }],
      lastMessage: 'Step 1 done.',
      modelReplied: true,
      compacted: true,
      counts: { prompts: 1, turns: 2, toolCalls: 1, commands: 1, filesChanged: 0 },
      work: 'done',
      bytes: whole(20370),
      issues: [],
    };
    expect(await readTranscript(recorded('compacted'), { agent: 'copilot' })).toEqual(expected);
  });

  it('no-reply: five failed requests, then session.error; no model reply, so no work', async () => {
    const expected: SessionTrace = {
      agent: 'copilot',
      path: recorded('no-reply'),
      sessionId: '878e9aee-d407-4b25-80ce-c71d3aca29b2',
      cwd: '/tmp/handoffs-e2e-home-eH4ftX/work/project',
      request: 'hello',
      filesChanged: [],
      commands: [],
      lastError: 'Failed to get response from the AI model; retried 5 times (total retry wait time: 15.16 seconds) Last error: 500 scripted failure: the model is unavailable',
      modelReplied: false,
      compacted: false,
      counts: { prompts: 1, turns: 0, toolCalls: 0, commands: 0, filesChanged: 0 },
      work: 'none',
      bytes: whole(2860),
      issues: [],
    };
    expect(await readTranscript(recorded('no-reply'), { agent: 'copilot' })).toEqual(expected);
  });
});

describe('readTranscript on Copilot shapes the recorded logs lack (synthetic)', () => {
  it('copilot-older-shapes: a skill’s message, reply chunks, str_replace_editor, a sub-agent, an async command, harder SQL', async () => {
    const expected: SessionTrace = {
      agent: 'copilot',
      path: synthetic,
      sessionId: 'synthetic-copilot-older',
      cwd: '/work/app',
      // Not the skill's message (source "skill-pdf"), nor the sub-agent's prompt (agentId).
      request: 'Rename the helper and track the work.',
      filesChanged: [
        { path: '/work/app/src/helper.ts', kind: 'created' }, // str_replace_editor create, no fileEdits
        { path: '/work/app/src/main.ts', kind: 'edited' }, // the sub-agent's edit: the file changed all the same
      ],
      commands: [
        { command: 'npm run dev', status: 'unknown' }, // async: still running
        { command: 'Get-ChildItem', status: 'failed' }, // powershell, rejected
      ],
      // rename: in_progress → done; old: deleted; docs: blocked, read as pending. The DELETE with a subquery was not read.
      todos: [
        { content: 'Rename the helper', status: 'completed' },
        { content: 'Document it', status: 'pending' },
      ],
      lastMessage: 'Renamed the helper; the docs are next.',
      modelReplied: true,
      // A failed compaction and a truncation are no compaction.
      compacted: false,
      // Replies: call-1 (two chunks), call-2, call-3; the sub-agent's is not the session's. Its tool call counts.
      counts: { prompts: 1, turns: 3, toolCalls: 6, commands: 2, filesChanged: 2 },
      work: 'done',
      bytes: whole(6080),
      issues: [{ code: 'UNKNOWN_LINES', count: 1, detail: '1 line of unknown types, skipped' }],
    };
    expect(await readTranscript(synthetic, { agent: 'copilot' })).toEqual(expected);
  });
});

describe('the Copilot reader', () => {
  const event = (type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => JSON.stringify({ type, data, id: 'x', timestamp: 't', parentId: null, ...extra });
  const start = event('session.start', { sessionId: 's', context: { cwd: '/p' } });

  it('chunks of one model call are one reply whose text they share', () => {
    const trace = parseTranscript(
      [start, event('assistant.message', { messageId: 'a', apiCallId: 'c', content: 'First part.' }), event('assistant.message', { messageId: 'b', apiCallId: 'c', content: 'Second part.' })].join('\n'),
      { agent: 'copilot' },
    );
    expect(trace.counts.turns).toBe(1);
    expect(trace.lastMessage).toBe('First part.\n\nSecond part.');
  });

  it('an autopilot continuation is not the user’s prompt', () => {
    const trace = parseTranscript([start, event('user.message', { content: 'Continue.', isAutopilotContinuation: true }), event('user.message', { content: 'Real.', source: 'user' })].join('\n'), {
      agent: 'copilot',
    });
    expect(trace.request).toBe('Real.');
    expect(trace.counts.prompts).toBe(1);
  });

  it('a completed call whose start was skipped by the byte cap still names its files from fileEdits', async () => {
    // patch.jsonl: the apply_patch reply is line 6, its start line 7, its completion line 8.
    const lines = (await readFile(recorded('patch'), 'utf8')).split('\n');
    const trace = parseTranscript([...lines.slice(0, 5), ...lines.slice(7)].join('\n'), { agent: 'copilot' });
    expect(trace.filesChanged.map((file) => file.kind)).toEqual(['edited', 'deleted', 'created']);
  });

  it('events of an unknown namespace are unknown; an event without data is malformed', () => {
    const trace = parseTranscript(`${[start, event('telemetry.sent', {}), '{"type":"session.idle"}'].join('\n')}\n`, { agent: 'copilot' });
    expect(trace.issues).toEqual([
      { code: 'MALFORMED_LINES', count: 1, detail: '1 line not JSON objects, skipped' },
      { code: 'UNKNOWN_LINES', count: 1, detail: '1 line of unknown types, skipped' },
    ]);
  });
});

describe('copilotEventsPath', () => {
  it('is <COPILOT_HOME or ~/.copilot>/session-state/<id>/events.jsonl, a config dir first', () => {
    const sessionId = 'ea1c3ab6-f0f9-4114-98a1-77d695216b80';
    expect(copilotEventsPath({ sessionId, env: {}, home: '/home/u' })).toBe(`/home/u/.copilot/session-state/${sessionId}/events.jsonl`);
    expect(copilotEventsPath({ sessionId, env: { COPILOT_HOME: '/data/copilot' }, home: '/home/u' })).toBe(`/data/copilot/session-state/${sessionId}/events.jsonl`);
    expect(copilotEventsPath({ sessionId, configDir: '/etc/copilot', env: { COPILOT_HOME: '/data/copilot' }, home: '/home/u' })).toBe(`/etc/copilot/session-state/${sessionId}/events.jsonl`);
    // An empty COPILOT_HOME is no setting.
    expect(copilotEventsPath({ sessionId, env: { COPILOT_HOME: '' }, home: '/home/u' })).toBe(`/home/u/.copilot/session-state/${sessionId}/events.jsonl`);
  });

  it('refuses a session id that could leave the folder', () => {
    for (const sessionId of ['', '..', '../x', 'a/b', 'a\\b', '.hidden', 'a..b', 42 as unknown as string]) {
      expect(() => copilotEventsPath({ sessionId, env: {}, home: '/h' })).toThrow(TraceError);
    }
  });

  it('built from a hook’s session id and home, it is the transcript of that session', async () => {
    const home = await mkdtemp(join(tmpdir(), 'handoffs-copilot-home-'));
    try {
      const input = JSON.parse(await readFile(join('test', 'fixtures', 'hook-input', 'copilot', 'session-end.json'), 'utf8')) as { sessionId: string };
      const path = copilotEventsPath({ sessionId: input.sessionId, env: {}, home });
      expect(path).toBe(join(home, '.copilot', 'session-state', input.sessionId, 'events.jsonl'));
      expect((await readTranscript(path)).issues.map((issue) => issue.code)).toEqual(['MISSING']);
      await mkdir(dirname(path), { recursive: true });
      await copyFile(recorded('events'), path);
      const trace = await readTranscript(path);
      expect(trace.agent).toBe('copilot');
      expect(trace.request).toBe('Start a notes folder with a todo list and a plan.');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
