import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geminiFormat, parseTranscript, readTranscript, type SessionTrace } from '../../src/index.js';

const recorded = (name: string) => join('test', 'fixtures', 'transcripts', 'gemini', `${name}.jsonl`);
const legacy = join('test', 'fixtures', 'transcripts', 'synthetic', 'gemini-legacy.json');
const whole = (size: number) => ({ size, read: size });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'handoffs-traces-gemini-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readTranscript on real Gemini CLI 0.61.0 chat logs', () => {
  it('chat: the prompt without the hook context, the todo list, the command, the file written, the last message', async () => {
    const project = '/tmp/handoffs-e2e-home-ApPL2l/work/project';
    const expected: SessionTrace = {
      agent: 'gemini',
      path: recorded('chat'),
      sessionId: '23edd2e9-4180-4a33-b04f-7ead42f2acef',
      // The first workspace folder of the <session_context> message: the log itself records no cwd.
      cwd: project,
      request: 'Start a notes folder with a todo list and a plan.',
      filesChanged: [{ path: `${project}/notes/plan.md`, kind: 'created' }],
      commands: [{ command: 'mkdir -p notes && printf "first line\\n" > notes/todo.txt && ls notes', status: 'ok', exitCode: 0 }],
      todos: [
        { content: 'Create the notes folder', status: 'completed' },
        { content: 'Write the plan', status: 'in_progress' },
      ],
      lastMessage: 'Created notes/todo.txt and notes/plan.md.',
      modelReplied: true,
      compacted: false,
      // Each model message is written twice (started, then with its tool calls): four replies, not seven lines.
      counts: { prompts: 1, turns: 4, toolCalls: 3, commands: 1, filesChanged: 1 },
      work: 'done',
      bytes: whole(7181),
      issues: [],
    };
    expect(await readTranscript(recorded('chat'), { agent: 'gemini' })).toEqual(expected);
  });

  it('failures: a failed command, an edit, an overwrite, a refused edit, a cancelled todo, a resumed second prompt', async () => {
    const project = '/tmp/handoffs-e2e-home-kzQbea/work/project';
    const expected: SessionTrace = {
      agent: 'gemini',
      path: recorded('failures'),
      sessionId: '2655ab88-9860-493f-b294-b3bf04628ffc',
      cwd: project,
      request: 'Finalize the notes and the config.',
      lastRequest: 'Now write the docs.',
      filesChanged: [
        { path: `${project}/notes.txt`, kind: 'edited' }, // replace; the refused replace adds nothing
        { path: `${project}/config.json`, kind: 'edited' }, // write_file over an existing file: isNewFile false
      ],
      // A call with status "success" whose output says `Exit Code: 1`.
      commands: [{ command: 'cat missing.txt', status: 'failed', exitCode: 1 }],
      // The last write_todos; "Drop the legacy config" was cancelled: not work for the next session.
      todos: [
        { content: 'Finalize notes', status: 'completed' },
        { content: 'Write the docs', status: 'pending' },
      ],
      lastMessage: 'Notes are final and config.json rewritten; missing.txt does not exist. Next: write the docs.',
      modelReplied: true,
      // The resume rewrote the message list twice; nothing was compressed.
      compacted: false,
      counts: { prompts: 2, turns: 8, toolCalls: 6, commands: 1, filesChanged: 2 },
      work: 'done',
      bytes: whole(25273),
      issues: [],
    };
    expect(await readTranscript(recorded('failures'), { agent: 'gemini' })).toEqual(expected);
  });

  it('compressed: a message list that drops what was read and brings a summary is a compaction; the summary is no prompt', async () => {
    const expected: SessionTrace = {
      agent: 'gemini',
      path: recorded('compressed'),
      sessionId: 'b5aa0718-1782-437e-8667-28b13ca689ac',
      cwd: '/tmp/handoffs-e2e-home-38OLSw/work/project',
      request: 'Run step 1.',
      lastRequest: 'Run step 2.',
      filesChanged: [],
      commands: [
        { command: 'echo step 1', status: 'ok', exitCode: 0 },
        { command: 'echo step 2', status: 'ok', exitCode: 0 },
      ],
      lastMessage: 'Step 2 done.',
      modelReplied: true,
      compacted: true,
      // The summary's "Got it." answer exists only in the $set list: no turn.
      counts: { prompts: 2, turns: 4, toolCalls: 2, commands: 2, filesChanged: 0 },
      work: 'done',
      bytes: whole(9415),
      issues: [],
    };
    expect(await readTranscript(recorded('compressed'), { agent: 'gemini' })).toEqual(expected);
  });

  it('no-reply: the request failed and was rolled back; no model reply, so no work, and no compaction', async () => {
    const expected: SessionTrace = {
      agent: 'gemini',
      path: recorded('no-reply'),
      sessionId: 'a27f5d58-2acd-4040-b9aa-fa34da9f3cd9',
      cwd: '/tmp/handoffs-e2e-home-AH8JLw/work/project',
      request: 'hello',
      filesChanged: [],
      commands: [],
      modelReplied: false,
      compacted: false,
      counts: { prompts: 1, turns: 0, toolCalls: 0, commands: 0, filesChanged: 0 },
      work: 'none',
      bytes: whole(2110),
      issues: [],
    };
    expect(await readTranscript(recorded('no-reply'), { agent: 'gemini' })).toEqual(expected);
  });
});

describe('Gemini CLI logs that are one JSON document (releases before JSON lines; synthetic)', () => {
  const expected = (path: string, size: number): SessionTrace => ({
    agent: 'gemini',
    path,
    sessionId: 'synthetic-gemini-legacy',
    request: 'Add a README and list the files.', // `/stats` is a command, not a request
    filesChanged: [{ path: '/home/user/site/README.md', kind: 'created' }], // from write_file's output wording
    commands: [{ command: 'ls -la', status: 'ok', exitCode: 0 }], // `Exit Code: 0` then `Signal: (none)`
    lastMessage: 'Added README.md; the folder holds only it.',
    modelReplied: true,
    compacted: false,
    counts: { prompts: 1, turns: 2, toolCalls: 2, commands: 1, filesChanged: 1 },
    work: 'done',
    bytes: whole(size),
    issues: [],
  });

  it('a pretty-printed document is read whole and parsed at once', async () => {
    const size = (await readFile(legacy)).length;
    expect(geminiFormat.layout?.('{')).toBe('document');
    expect(await readTranscript(legacy, { agent: 'gemini' })).toEqual(expected(legacy, size));
    expect(await readTranscript(legacy)).toEqual(expected(legacy, size)); // told from its `{` line
  });

  it('even under a cap far below its size a document is never read as a head and a tail: past the cap it is not read at all', async () => {
    const size = (await readFile(legacy)).length;
    const capped = await readTranscript(legacy, { agent: 'gemini', maxBytes: size - 1 });
    expect(capped.bytes).toEqual({ size, read: 0 });
    expect(capped.issues).toEqual([{ code: 'CAPPED', count: size, detail: `the transcript is one JSON document of ${(size / 1024).toFixed(1)} KiB, larger than the byte cap: not read` }]);
    expect(capped.work).toBe('unknown');
    expect(capped.request).toBeUndefined();
    // At exactly the cap it is read.
    expect((await readTranscript(legacy, { agent: 'gemini', maxBytes: size })).request).toBe('Add a README and list the files.');
  });

  it('the same document on one line is a header with its messages', async () => {
    const document = JSON.parse(await readFile(legacy, 'utf8')) as unknown;
    const path = join(dir, 'one-line.json');
    const text = `${JSON.stringify(document)}\n`;
    await writeFile(path, text);
    expect(await readTranscript(path, { agent: 'gemini' })).toEqual(expected(path, Buffer.byteLength(text)));
  });

  it('a document cut short (a release that rewrote it in place, caught mid-write) is malformed, not partly read', async () => {
    const text = (await readFile(legacy, 'utf8')).slice(0, 900);
    const trace = parseTranscript(text, { agent: 'gemini' });
    expect(trace.issues).toEqual([{ code: 'MALFORMED_LINES', count: 1, detail: 'the transcript is not a JSON document of a known shape, not read' }]);
    expect(trace.work).toBe('unknown');
  });
});

describe('the Gemini reader', () => {
  const header = JSON.stringify({ sessionId: 's', projectHash: 'h', startTime: 't', lastUpdated: 't', kind: 'main' });
  const message = (id: string, type: string, content: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ id, timestamp: 't', type, content, ...extra });
  const shell = (status: string, output: string) =>
    message('g1', 'gemini', '', {
      tokens: { input: 1 },
      toolCalls: [{ id: 'c1', name: 'run_shell_command', args: { command: 'make' }, status, result: [{ functionResponse: { id: 'c1', name: 'run_shell_command', response: { output } } }] }],
    });

  it('reads a shell call’s outcome from its output: exit code, signal, cancellation, background', () => {
    const outcome = (status: string, output: string) => parseTranscript([header, shell(status, output)].join('\n'), { agent: 'gemini' }).commands[0];
    expect(outcome('success', 'Output: x\nProcess Group PGID: 1')).toEqual({ command: 'make', status: 'ok', exitCode: 0 });
    expect(outcome('success', 'Output: Exit Code: 0 is printed by make\nExit Code: 2\nProcess Group PGID: 1')).toEqual({ command: 'make', status: 'failed', exitCode: 2 });
    expect(outcome('success', 'Output: (empty)\nSignal: 9')).toEqual({ command: 'make', status: 'failed' });
    expect(outcome('success', 'Command was cancelled by user before it could complete. There was no output before it was cancelled.')).toEqual({ command: 'make', status: 'failed' });
    expect(outcome('success', 'Command moved to background (PID: 7). Output hidden. Press Ctrl+B to view.')).toEqual({ command: 'make', status: 'unknown' });
    expect(outcome('cancelled', '')).toEqual({ command: 'make', status: 'failed' });
    expect(outcome('error', 'boom')).toEqual({ command: 'make', status: 'failed' });
    // Not over yet: the call is listed, its outcome unknown.
    expect(outcome('executing', '')).toEqual({ command: 'make', status: 'unknown' });
  });

  it('a message written again as it grows is one reply, one tool call, and its last text', () => {
    const trace = parseTranscript(
      [header, message('u1', 'user', [{ text: 'Go' }]), message('g1', 'gemini', '', { tokens: {} }), shell('success', 'Output: ok'), shell('success', 'Output: ok'), message('g1', 'gemini', 'Done.', { tokens: {} })].join('\n'),
      { agent: 'gemini' },
    );
    expect(trace.counts).toEqual({ prompts: 1, turns: 1, toolCalls: 1, commands: 1, filesChanged: 0 });
    expect(trace.lastMessage).toBe('Done.');
  });

  it('prefers what the user typed (displayContent) to what the model got, and skips hook context, commands and tool results', () => {
    const trace = parseTranscript(
      [
        header,
        message('u0', 'user', [{ text: '<hook_context>A</hook_context>\n\n<hook_context>B</hook_context>\n\n/memory show' }]),
        message('u1', 'user', [{ text: 'Explain @src/a.ts\n--- src/a.ts ---\nexport {}' }], { displayContent: [{ text: 'Explain @src/a.ts' }] }),
        message('u2', 'user', [{ functionResponse: { id: 'c', name: 'x', response: { output: 'y' } } }]),
      ].join('\n'),
      { agent: 'gemini' },
    );
    expect(trace.request).toBe('Explain @src/a.ts');
    expect(trace.counts.prompts).toBe(1);
  });

  it('an error message after the last reply is the last error; info and warning messages are known and ignored', () => {
    const trace = parseTranscript([header, message('e1', 'error', '[API Error: quota exceeded]'), message('i1', 'info', 'x'), message('w1', 'warning', 'y')].join('\n'), { agent: 'gemini' });
    expect(trace.lastError).toBe('[API Error: quota exceeded]');
    expect(trace.work).toBe('none');
  });

  it('a rewind mark is known; a record of no known shape is unknown; a message of an unknown type too', () => {
    expect(parseTranscript([header, '{"$rewindTo":"u1"}'].join('\n'), { agent: 'gemini' }).issues).toEqual([]);
    expect(parseTranscript([header, '{"what":1}', message('x', 'future', 'z')].join('\n'), { agent: 'gemini' }).issues).toEqual([
      { code: 'UNKNOWN_LINES', count: 2, detail: '2 lines of unknown types, skipped' },
    ]);
  });
});
