import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTranscript, readTranscript, type SessionTrace } from '../../src/index.js';

// Paths relative to the repository root (vitest's working directory), so traces name them the same on every machine.
const recorded = (name: string) => join('test', 'fixtures', 'transcripts', 'codex', `${name}.jsonl`);
const synthetic = (name: string) => join('test', 'fixtures', 'transcripts', 'synthetic', `${name}.jsonl`);
const whole = (size: number) => ({ size, read: size });
const lines = async (name: string) => (await readFile(recorded(name), 'utf8')).split('\n').slice(0, -1);

describe('readTranscript on real Codex CLI 0.169.0 rollouts', () => {
  it('rollout: the prompt (not the environment or hook context), the command, the patch’s files, the last message', async () => {
    const project = '/tmp/handoffs-e2e-home-eAuCt0/work/project';
    const expected: SessionTrace = {
      agent: 'codex',
      path: recorded('rollout'),
      sessionId: '01a21463-08e8-7fa0-b081-58221ec08060',
      cwd: project,
      request: 'Start a notes folder with a todo list and a plan.',
      // The patch's order (Add, then Update), its relative paths made absolute against the cwd.
      filesChanged: [
        { path: `${project}/notes/plan.md`, kind: 'created' },
        { path: `${project}/notes/todo.txt`, kind: 'edited' },
      ],
      // Written with a redirection, todo.txt is not claimed as changed: only edit tools' files are.
      commands: [{ command: 'mkdir -p notes && printf "first line\\n" > notes/todo.txt && ls notes', status: 'ok', exitCode: 0 }],
      lastMessage: 'Created notes/todo.txt and notes/plan.md.',
      modelReplied: true,
      compacted: false,
      // Three responses: exec_command, apply_patch, the text.
      counts: { prompts: 1, turns: 3, toolCalls: 2, commands: 1, filesChanged: 2 },
      work: 'done',
      bytes: whole(31232),
      issues: [],
    };
    expect(await readTranscript(recorded('rollout'), { agent: 'codex' })).toEqual(expected);
  });

  it('failures: a failed command, a move and a deletion, a refused patch, a patch run through the shell, a resumed second prompt', async () => {
    const project = '/tmp/handoffs-e2e-home-yulVbp/work/project';
    const expected: SessionTrace = {
      agent: 'codex',
      path: recorded('failures'),
      sessionId: '01a21491-c3b9-7440-99ef-6e4d962d1e4c',
      cwd: project,
      request: 'Tidy the repository.',
      lastRequest: 'Check the docs folder.',
      filesChanged: [
        { path: `${project}/src/app.ts`, kind: 'created' },
        // `*** Update File: README.md` + `*** Move to: docs/README.md`.
        { path: `${project}/README.md`, kind: 'deleted' },
        { path: `${project}/docs/README.md`, kind: 'created' },
        { path: `${project}/notes/old.txt`, kind: 'deleted' },
        // The patch the refused call named (missing.ts) is not here; the heredoc's file is.
        { path: `${project}/src/extra.ts`, kind: 'created' },
      ],
      commands: [
        { command: 'cat missing.txt', status: 'failed', exitCode: 1 },
        { command: "apply_patch <<'PATCH'\n*** Begin Patch\n*** Add File: src/extra.ts\n+export const extra = 2;\n*** End Patch\nPATCH", status: 'ok', exitCode: 0 },
      ],
      lastMessage: 'Moved README.md to docs/, added src/app.ts, removed notes/old.txt. missing.txt does not exist.',
      modelReplied: true,
      compacted: false,
      // Five responses in the first run (4 calls, a text), one in the resumed run.
      counts: { prompts: 2, turns: 6, toolCalls: 4, commands: 2, filesChanged: 5 },
      work: 'done',
      bytes: whole(45686),
      issues: [],
    };
    expect(await readTranscript(recorded('failures'), { agent: 'codex' })).toEqual(expected);
  });

  it('compacted: the compaction is recorded, and its summary (written as an assistant message) is neither a turn nor the last message', async () => {
    const expected: SessionTrace = {
      agent: 'codex',
      path: recorded('compacted'),
      sessionId: '01a21494-2152-70d2-8e14-4c0bcab7b15d',
      cwd: '/tmp/handoffs-e2e-home-uPlNSg/work/project',
      request: 'Run the steps.',
      filesChanged: [],
      commands: [
        { command: 'echo step 1', status: 'ok', exitCode: 0 },
        { command: 'echo step 2', status: 'ok', exitCode: 0 },
      ],
      lastMessage: 'Steps done.',
      modelReplied: true,
      compacted: true,
      // Two exec_command responses and the final text; the two summaries are not counted.
      counts: { prompts: 1, turns: 3, toolCalls: 2, commands: 2, filesChanged: 0 },
      work: 'done',
      bytes: whole(81853),
      issues: [],
    };
    expect(await readTranscript(recorded('compacted'), { agent: 'codex' })).toEqual(expected);
  });

  it('no-reply: the model never answered, so no work; Codex’s error is the last error', async () => {
    const expected: SessionTrace = {
      agent: 'codex',
      path: recorded('no-reply'),
      sessionId: '01a21494-2482-7772-bd37-d64b252df910',
      cwd: '/tmp/handoffs-e2e-home-sQviYT/work/project',
      request: 'hello',
      filesChanged: [],
      commands: [],
      lastError: 'We’re currently experiencing high demand, which may cause temporary errors.',
      modelReplied: false,
      compacted: false,
      counts: { prompts: 1, turns: 0, toolCalls: 0, commands: 0, filesChanged: 0 },
      work: 'none',
      bytes: whole(17475),
      issues: [],
    };
    expect(await readTranscript(recorded('no-reply'), { agent: 'codex' })).toEqual(expected);
  });
});

describe('readTranscript on Codex shapes of older releases (synthetic)', () => {
  it('codex-older-shapes: instructions without kinds, update_plan and plan_update, shell arrays, JSON outputs, patch events, a local shell call', async () => {
    const expected: SessionTrace = {
      agent: 'codex',
      path: synthetic('codex-older-shapes'),
      sessionId: 'synthetic-codex-older',
      cwd: '/work/app',
      // After <user_instructions> and <environment_context> messages, which carry no content_item_kinds.
      request: 'Fix the parser and run the tests.',
      // The patch of a function-tool apply_patch, answered by patch_apply_end; the refused deletion is not here.
      filesChanged: [{ path: '/work/app/src/parser.ts', kind: 'edited' }],
      commands: [
        { command: 'npm test', status: 'failed', exitCode: 1 }, // `shell` ["bash","-lc",…], metadata.exit_code 1
        { command: 'npm test -- --grep parser', status: 'ok', exitCode: 0 }, // local_shell_call, exit code from exec_command_end
      ],
      // update_plan set the plan; a later plan_update event replaced it.
      todos: [
        { content: 'Fix the parser', status: 'completed' },
        { content: 'Run the tests', status: 'in_progress' },
      ],
      lastMessage: 'The parser is fixed.\n\nOne test still fails.',
      lastError: 'stream disconnected before completion',
      modelReplied: true,
      compacted: true, // context_compacted
      counts: { prompts: 1, turns: 6, toolCalls: 5, commands: 2, filesChanged: 1 },
      work: 'done',
      bytes: whole(5413),
      issues: [{ code: 'UNKNOWN_LINES', count: 1, detail: '1 line of unknown types, skipped' }],
    };
    expect(await readTranscript(synthetic('codex-older-shapes'), { agent: 'codex' })).toEqual(expected);
  });
});

describe('the Codex reader', () => {
  const at = (index: number, type: string, payload: Record<string, unknown>) => JSON.stringify({ timestamp: `2026-11-25T00:00:${String(index).padStart(2, '0')}Z`, type, payload });
  const meta = at(0, 'session_meta', { id: 's', cwd: '/p' });
  const user = (text: string, kinds?: string[]) =>
    at(1, 'response_item', { type: 'message', role: 'user', content: [{ type: 'input_text', text }], ...(kinds ? { internal_chat_message_metadata_passthrough: { content_item_kinds: kinds } } : {}) });
  const assistant = (text: string) => at(2, 'response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
  const call = (id: string, name: string, args: unknown) => at(3, 'response_item', { type: 'function_call', name, arguments: JSON.stringify(args), call_id: id });
  const output = (id: string, text: string) => at(4, 'response_item', { type: 'function_call_output', call_id: id, output: text });

  it('takes as the request only text Codex marks as the user’s, when it marks kinds', () => {
    const trace = parseTranscript(
      [meta, user('# AGENTS.md instructions for /p\n\n<INSTRUCTIONS>x</INSTRUCTIONS>', ['agents_md']), user('Do it', ['user.text']), assistant('ok')].join('\n'),
      { agent: 'codex' },
    );
    expect(trace.request).toBe('Do it');
    expect(trace.counts.prompts).toBe(1);
  });

  it('an assistant message just before a compaction whose summary is another text is a real reply', () => {
    const trace = parseTranscript([meta, user('Go', ['user.text']), assistant('Done.'), at(5, 'compacted', { message: 'Summary: something else' })].join('\n'), { agent: 'codex' });
    expect(trace.lastMessage).toBe('Done.');
    expect(trace.counts.turns).toBe(1);
    expect(trace.compacted).toBe(true);
  });

  it('a command still running (no exit in its output) has no result yet', () => {
    const trace = parseTranscript([meta, call('c1', 'exec_command', { cmd: 'npm run dev' }), output('c1', 'Chunk ID: 1\nWall time: 10.0 seconds\nProcess running with session ID 3\nOutput:\nready\n')].join('\n'), {
      agent: 'codex',
    });
    expect(trace.commands).toEqual([{ command: 'npm run dev', status: 'unknown' }]);
  });

  it('past the byte cap, a FileChange event whose call was skipped still names the files, absolute', async () => {
    // rollout.jsonl: the apply_patch call is line 16, Codex's FileChange event line 18.
    const text = await lines('rollout');
    const cut = [...text.slice(0, 10), ...text.slice(17)].join('\n');
    const trace = parseTranscript(`${cut}\n`, { agent: 'codex' });
    expect(trace.filesChanged.map((file) => [file.path.replace('/tmp/handoffs-e2e-home-eAuCt0/work/project/', ''), file.kind]).sort()).toEqual([
      ['notes/plan.md', 'created'],
      ['notes/todo.txt', 'edited'],
    ]);
  });

  it('a patch a shell call applies in another folder (`workdir`) is relative to that folder', () => {
    const command = ['bash', '-lc', "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: a.txt\n+a\n*** End Patch\nEOF"];
    const trace = parseTranscript([meta, call('c1', 'shell', { command, workdir: 'packages/core' }), output('c1', JSON.stringify({ output: 'Success.', metadata: { exit_code: 0 } }))].join('\n'), {
      agent: 'codex',
    });
    expect(trace.filesChanged).toEqual([{ path: '/p/packages/core/a.txt', kind: 'created' }]);
    expect(trace.commands).toEqual([{ command: command[2], status: 'ok', exitCode: 0 }]);
  });

  it('a patch is not claimed when Codex reports it failed', () => {
    const patch = '*** Begin Patch\n*** Add File: a.txt\n+a\n*** End Patch\n';
    const trace = parseTranscript(
      [
        meta,
        at(1, 'response_item', { type: 'custom_tool_call', name: 'apply_patch', input: patch, call_id: 'p1' }),
        at(2, 'response_item', { type: 'custom_tool_call_output', call_id: 'p1', output: 'Exit code: 1\nOutput:\nerror: patch did not apply\n' }),
      ].join('\n'),
      { agent: 'codex' },
    );
    expect(trace.filesChanged).toEqual([]);
    expect(trace.counts.toolCalls).toBe(1);
  });

  it('with no model reply, a line of an unknown type leaves work unknown; a known one does not', () => {
    expect(parseTranscript([meta, user('hi', ['user.text'])].join('\n'), { agent: 'codex' }).work).toBe('none');
    expect(parseTranscript([meta, user('hi', ['user.text']), at(9, 'future_record', {})].join('\n'), { agent: 'codex' }).work).toBe('unknown');
    expect(parseTranscript([meta, user('hi', ['user.text']), at(9, 'response_item', { type: 'future_item' })].join('\n'), { agent: 'codex' }).work).toBe('unknown');
  });

  it('lines without a payload object, or not objects at all, are malformed', () => {
    const trace = parseTranscript(['{"type":"response_item","payload":3}', '[1]', '{"payload":{}}', meta].join('\n'), { agent: 'codex' });
    expect(trace.issues).toEqual([{ code: 'MALFORMED_LINES', count: 3, detail: '3 lines not JSON objects, skipped' }]);
  });
});
