import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codexFormat, copilotFormat, geminiFormat, parseTranscript, readTranscript, type TranscriptFormat } from '../../src/index.js';
import { expectCoherent } from './coherent.js';

type Agent = 'codex' | 'gemini' | 'copilot';
const AGENTS: readonly Agent[] = ['codex', 'gemini', 'copilot'];
const ROOT = join('test', 'fixtures', 'transcripts');

let fixtures: Array<{ agent: Agent; path: string; bytes: Buffer }>;
let dir: string;
beforeAll(async () => {
  fixtures = [];
  for (const agent of AGENTS) {
    for (const name of await readdir(join(ROOT, agent))) {
      if (name.endsWith('.jsonl')) fixtures.push({ agent, path: join(ROOT, agent, name), bytes: await readFile(join(ROOT, agent, name)) });
    }
  }
  for (const [agent, name] of [['codex', 'codex-older-shapes.jsonl'], ['gemini', 'gemini-legacy.json'], ['copilot', 'copilot-older-shapes.jsonl']] as const) {
    fixtures.push({ agent, path: join(ROOT, 'synthetic', name), bytes: await readFile(join(ROOT, 'synthetic', name)) });
  }
  dir = await mkdtemp(join(tmpdir(), 'handoffs-traces-fuzz-agents-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('reading a file and parsing its bytes give the same trace, whatever the cap (every Codex, Gemini and Copilot fixture)', () => {
  it('agent given or told from the first line, whole or as a head and a tail', async () => {
    expect(fixtures.length).toBe(16);
    for (const { agent, path, bytes } of fixtures) {
      for (const maxBytes of [1, 700, 4096, 9999, 20000, Infinity]) {
        for (const headBytes of [0, Math.floor(Math.min(maxBytes, 1e6) / 3)]) {
          if (headBytes >= maxBytes) continue;
          for (const options of [{ maxBytes, headBytes }, { agent, maxBytes, headBytes }]) {
            const read = await readTranscript(path, options);
            expect(read, `${path} ${JSON.stringify(options)}`).toEqual(parseTranscript(bytes, { ...options, path }));
            expectCoherent(read);
          }
        }
      }
    }
  });

  it('past the cap the head gives the first request and the tail the last message; no reply read is unknown, never none', async () => {
    for (const { path, bytes } of fixtures.filter((fixture) => fixture.path.endsWith('.jsonl'))) {
      const full = parseTranscript(bytes, { path });
      const capped = parseTranscript(bytes, { path, maxBytes: Math.floor(bytes.length * 0.6), headBytes: Math.floor(bytes.length * 0.3) });
      expect(capped.issues.map((issue) => issue.code), path).toContain('CAPPED');
      expect(capped.work, path).toBe(full.work === 'done' && capped.modelReplied ? 'done' : 'unknown');
      if (full.lastMessage !== undefined && capped.lastMessage !== undefined) expect(capped.lastMessage, path).toBe(full.lastMessage);
    }
  });
});

describe('any input is a trace, never an exception (Codex, Gemini and Copilot readers)', () => {
  it('any byte string, for each agent', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.constantFrom(...AGENTS), fc.integer({ min: 1, max: 5000 }), (bytes, agent, maxBytes) => {
        expectCoherent(parseTranscript(bytes, { agent, maxBytes, headBytes: Math.floor(maxBytes / 4) }));
      }),
      { numRuns: 400 },
    );
  });

  it('real transcripts with bytes flipped, cut, inserted and lines repeated or dropped', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.nat({ max: 3000 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 40 }) }),
      fc.record({ kind: fc.constant('repeat-line' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('drop-line' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 8 }), fc.boolean(), (which, mutations, withAgent) => {
        const fixture = fixtures[which % fixtures.length]!;
        let bytes = Buffer.from(fixture.bytes);
        for (const change of mutations) {
          const at = bytes.length === 0 ? 0 : change.at % bytes.length;
          if (change.kind === 'flip' && bytes.length > 0) bytes[at] = change.byte;
          else if (change.kind === 'cut') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + change.length)]);
          else if (change.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), change.bytes, bytes.subarray(at)]);
          else if (change.kind === 'truncate') bytes = bytes.subarray(0, at);
          else {
            const lines = bytes.toString('latin1').split('\n');
            const index = at % lines.length;
            if (change.kind === 'repeat-line') lines.splice(index, 0, lines[index]!);
            else lines.splice(index, 1);
            bytes = Buffer.from(lines.join('\n'), 'latin1');
          }
        }
        const options = withAgent ? { agent: fixture.agent } : {};
        expectCoherent(parseTranscript(bytes, options));
        expectCoherent(parseTranscript(bytes, { ...options, maxBytes: 4000, headBytes: 1000 }));
      }),
      { numRuns: 300 },
    );
  });

  it('from a file too: random bytes on disk, for each agent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 20000 }), fc.constantFrom(...AGENTS), async (bytes, agent) => {
        const path = join(dir, 'random.jsonl');
        await writeFile(path, bytes);
        const trace = await readTranscript(path, { agent, maxBytes: 8192 });
        expectCoherent(trace);
        expect(trace).toEqual(parseTranscript(bytes, { agent, maxBytes: 8192, path }));
      }),
      { numRuns: 30 },
    );
  });
});

describe('lines of known shapes with fields of any shape: the parsers themselves never throw', () => {
  const small = fc.anything({ maxDepth: 2, maxKeys: 4 });
  const text = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('', 'Exit code: 0', 'Exit code: 2', 'Process exited with code 1', 'Success. Updated the following files:\nA a.txt'));
  const value = fc.oneof(small, text, fc.integer(), fc.constant(null));
  const id = fc.constantFrom('c1', 'c2', 'c3', 'm1', 'm2');
  const patch = fc.constantFrom('*** Begin Patch\n*** Add File: a.txt\n+a\n*** End Patch', '*** Begin Patch\n*** Update File: b.txt\n*** Move to: c.txt\n*** Delete File: d.txt\n*** End Patch', 'not a patch');
  const sql = fc.constantFrom(
    "INSERT INTO todos (id, title, status) VALUES ('a', 'A', 'done'), ('b', 'B', 'pending')",
    "UPDATE todos SET status = 'in_progress' WHERE id = 'b'",
    "DELETE FROM todos WHERE id IN ('a')",
    'SELECT * FROM todos',
    "UPDATE todos SET status = 'done' WHERE (id = 'x' OR status IS NULL",
  );

  /** Feeds lines to one parser directly (the scanner would hide a throw by counting the line malformed). */
  function exercise(format: TranscriptFormat, lines: readonly unknown[], agent: 'codex' | 'gemini' | 'copilot'): void {
    const texts = lines.map((line) => JSON.stringify(line) ?? 'null');
    const parser = format.createParser();
    for (const [index, line] of texts.entries()) {
      expect(['known', 'unknown', 'malformed']).toContain(parser.line(line));
      if (index === Math.floor(texts.length / 2)) parser.gap();
    }
    expect(() => parser.finish()).not.toThrow();
    expectCoherent(parseTranscript(texts.join('\n'), { agent }));
  }

  it('Codex rollout lines', () => {
    const payload = fc.record(
      {
        type: fc.oneof(
          value,
          fc.constantFrom('message', 'reasoning', 'function_call', 'function_call_output', 'custom_tool_call', 'custom_tool_call_output', 'local_shell_call', 'item_completed', 'exec_command_end', 'patch_apply_begin', 'patch_apply_end', 'plan_update', 'error', 'task_complete', 'context_compacted', 'token_count'),
        ),
        role: fc.oneof(value, fc.constantFrom('user', 'assistant', 'developer')),
        content: fc.oneof(value, fc.array(fc.record({ type: fc.constantFrom('input_text', 'output_text'), text: value }, { requiredKeys: [] }), { maxLength: 3 })),
        internal_chat_message_metadata_passthrough: fc.oneof(value, fc.record({ content_item_kinds: fc.oneof(value, fc.array(fc.constantFrom('user.text', 'x'), { maxLength: 3 })) })),
        name: fc.oneof(value, fc.constantFrom('exec_command', 'shell', 'shell_command', 'apply_patch', 'update_plan')),
        arguments: fc.oneof(value, fc.record({ cmd: fc.oneof(value, patch), command: fc.oneof(value, fc.array(fc.string(), { maxLength: 3 })), input: fc.oneof(value, patch), plan: value }, { requiredKeys: [] }).map((args) => JSON.stringify(args))),
        input: fc.oneof(value, patch),
        call_id: fc.oneof(id, value),
        output: fc.oneof(value, text),
        item: fc.oneof(value, fc.record({ type: fc.constantFrom('CommandExecution', 'FileChange', 'ContextCompaction'), id, exit_code: value, status: fc.oneof(value, fc.constantFrom('completed', 'failed')), changes: fc.oneof(value, fc.dictionary(fc.string({ maxLength: 5 }), fc.record({ type: fc.constantFrom('add', 'update', 'delete'), move_path: value }))) }, { requiredKeys: [] })),
        changes: value,
        success: value,
        exit_code: value,
        plan: fc.oneof(value, fc.array(fc.record({ step: value, status: value }, { requiredKeys: [] }), { maxLength: 3 })),
        message: value,
        replacement_history: value,
        error: value,
        action: fc.oneof(value, fc.record({ command: fc.oneof(value, fc.array(fc.string(), { maxLength: 3 })) })),
        id: value,
        cwd: value,
      },
      { requiredKeys: [] },
    );
    const line = fc.record({ timestamp: value, type: fc.oneof(value, fc.constantFrom('session_meta', 'response_item', 'event_msg', 'turn_context', 'compacted', 'token_usage_record', 'future')), payload: fc.oneof(value, payload) }, { requiredKeys: [] });
    fc.assert(fc.property(fc.array(line, { maxLength: 30 }), (lines) => exercise(codexFormat, lines, 'codex')), { numRuns: 300 });
  });

  it('Gemini CLI chat log records', () => {
    const toolCall = fc.record(
      {
        id,
        name: fc.oneof(value, fc.constantFrom('run_shell_command', 'write_file', 'replace', 'write_todos')),
        args: fc.oneof(value, fc.record({ command: value, file_path: value, todos: fc.oneof(value, fc.array(fc.record({ description: value, status: value }, { requiredKeys: [] }), { maxLength: 3 })) }, { requiredKeys: [] })),
        status: fc.oneof(value, fc.constantFrom('success', 'error', 'cancelled', 'executing')),
        result: fc.oneof(value, fc.array(fc.record({ functionResponse: fc.record({ response: fc.record({ output: fc.oneof(value, text), error: value }, { requiredKeys: [] }) }) }), { maxLength: 2 })),
        resultDisplay: fc.oneof(value, fc.record({ isNewFile: value, filePath: value }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    );
    const message = fc.record(
      {
        id,
        type: fc.oneof(value, fc.constantFrom('user', 'gemini', 'error', 'info')),
        content: fc.oneof(value, fc.array(fc.oneof(value, fc.record({ text: value, functionResponse: value }, { requiredKeys: [] })), { maxLength: 3 })),
        displayContent: value,
        toolCalls: fc.oneof(value, fc.array(toolCall, { maxLength: 3 })),
        tokens: value,
      },
      { requiredKeys: ['id'] },
    );
    const record = fc.oneof(
      message,
      fc.record({ $set: fc.oneof(value, fc.record({ messages: fc.oneof(value, fc.array(message, { maxLength: 4 })), lastUpdated: value }, { requiredKeys: [] })) }),
      fc.record({ sessionId: fc.string(), projectHash: fc.string(), messages: fc.oneof(value, fc.array(message, { maxLength: 3 })), directories: value }, { requiredKeys: ['sessionId', 'projectHash'] }),
      fc.record({ $rewindTo: fc.oneof(id, value) }),
      small,
    );
    fc.assert(fc.property(fc.array(record, { maxLength: 30 }), (records) => exercise(geminiFormat, records, 'gemini')), { numRuns: 300 });
  });

  it('Copilot CLI events', () => {
    const request = fc.record({ toolCallId: fc.oneof(id, value), name: fc.oneof(value, fc.constantFrom('bash', 'sql', 'create', 'edit', 'apply_patch', 'str_replace_editor')), arguments: fc.oneof(value, patch, fc.record({ command: value, query: fc.oneof(value, sql), path: value }, { requiredKeys: [] })) }, { requiredKeys: [] });
    const data = fc.record(
      {
        sessionId: value,
        context: fc.oneof(value, fc.record({ cwd: value })),
        content: value,
        source: value,
        messageId: value,
        apiCallId: value,
        toolRequests: fc.oneof(value, fc.array(request, { maxLength: 3 })),
        toolCallId: fc.oneof(id, value),
        toolName: value,
        arguments: fc.oneof(value, patch, fc.record({ query: fc.oneof(value, sql), command: value }, { requiredKeys: [] })),
        success: value,
        shellExecution: fc.oneof(value, fc.record({ exitCode: value })),
        fileEdits: fc.oneof(value, fc.array(fc.record({ path: value, kind: fc.oneof(value, fc.constantFrom('create', 'edit', 'delete')) }, { requiredKeys: [] }), { maxLength: 3 })),
        result: fc.oneof(value, fc.record({ content: value })),
        message: value,
      },
      { requiredKeys: [] },
    );
    const event = fc.record(
      {
        type: fc.oneof(value, fc.constantFrom('session.start', 'user.message', 'assistant.message', 'tool.execution_start', 'tool.execution_complete', 'session.error', 'session.compaction_complete', 'abort', 'other.thing')),
        data: fc.oneof(value, data),
        agentId: fc.option(fc.constant('sub'), { nil: undefined }),
      },
      { requiredKeys: ['type'] },
    );
    fc.assert(fc.property(fc.array(event, { maxLength: 30 }), (events) => exercise(copilotFormat, events, 'copilot')), { numRuns: 300 });
  });
});
