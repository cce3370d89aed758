import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeFormat, parseTranscript, readTranscript, renderTrace, type SessionTrace } from '../../src/index.js';
import { LineSplitter } from '../../src/traces/lines.js';

const FIXTURES = ['tool-session', 'tasks-and-errors', 'one-turn', 'not-logged-in', 'compacted'];
let fixtures: Buffer[];
let dir: string;
beforeAll(async () => {
  fixtures = await Promise.all(FIXTURES.map((name) => readFile(join('test', 'fixtures', 'transcripts', 'claude', `${name}.jsonl`))));
  dir = await mkdtemp(join(tmpdir(), 'handoffs-traces-fuzz-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** What every trace must be, whatever it was read from. */
function expectCoherent(trace: SessionTrace): void {
  expect(['done', 'none', 'unknown']).toContain(trace.work);
  expect(trace.work === 'done').toBe(trace.modelReplied);
  expect(new Set(trace.filesChanged.map((file) => file.path)).size).toBe(trace.filesChanged.length);
  expect(trace.counts.filesChanged).toBe(trace.filesChanged.length);
  expect(trace.counts.commands).toBeGreaterThanOrEqual(trace.commands.length);
  expect(trace.bytes.read).toBeLessThanOrEqual(trace.bytes.size);
  const text = renderTrace(trace);
  expect(text.length).toBeLessThanOrEqual(4000);
  expect(text.replace(/\n$/, '').split('\n').length).toBeLessThanOrEqual(40);
}

describe('any input is a trace, never an exception', () => {
  it('any byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.integer({ min: 1, max: 5000 }), (bytes, maxBytes) => {
        expectCoherent(parseTranscript(bytes, { maxBytes, headBytes: Math.floor(maxBytes / 4) }));
      }),
      { numRuns: 500 },
    );
  });

  it('real transcripts with bytes flipped, cut, inserted and lines repeated or dropped', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.nat({ max: 2000 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 40 }) }),
      fc.record({ kind: fc.constant('repeat-line' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.nat({ max: FIXTURES.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 8 }), (which, mutations) => {
        let bytes = Buffer.from(fixtures[which]!);
        for (const change of mutations) {
          const at = bytes.length === 0 ? 0 : change.at % bytes.length;
          if (change.kind === 'flip' && bytes.length > 0) bytes[at] = change.byte;
          else if (change.kind === 'cut') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + change.length)]);
          else if (change.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), change.bytes, bytes.subarray(at)]);
          else if (change.kind === 'truncate') bytes = bytes.subarray(0, at);
          else if (change.kind === 'repeat-line') {
            const lines = bytes.toString('latin1').split('\n');
            const index = at % lines.length;
            lines.splice(index, 0, lines[index]!);
            bytes = Buffer.from(lines.join('\n'), 'latin1');
          }
        }
        expectCoherent(parseTranscript(bytes));
        expectCoherent(parseTranscript(bytes, { maxBytes: 4000, headBytes: 1000 }));
      }),
      { numRuns: 300 },
    );
  });

  it('lines of known types with fields of any shape, tool calls paired with results', () => {
    const small = fc.anything({ maxDepth: 2, maxKeys: 4 });
    const value = fc.oneof(
      small,
      fc.string({ maxLength: 40 }),
      fc.array(fc.oneof(small, fc.record({ content: small, status: small, subject: small }, { requiredKeys: [] })), { maxLength: 4 }),
    );
    const fields = fc.record(
      {
        file_path: value, notebook_path: value, command: value, todos: value, newTodos: value, taskId: value, status: value, subject: value,
        task: fc.oneof(value, fc.record({ id: value, subject: value }, { requiredKeys: [] })), statusChange: value, filePath: value, type: value,
        originalFile: value, interrupted: value, oldString: value, structuredPatch: value,
      },
      { requiredKeys: [] },
    );
    const tool = fc.constantFrom('Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'Bash', 'TodoWrite', 'TaskCreate', 'TaskUpdate', 'Read');
    const id = fc.constantFrom('t1', 't2', 't3');
    const exchange = fc.record({ id, tool, input: fc.oneof(fields, value), isError: fc.oneof(fc.boolean(), value), result: fc.oneof(fields, value), content: value });
    const loose = fc.record(
      {
        type: fc.constantFrom('user', 'assistant', 'system', 'summary', 'last-prompt', 'queue-operation', 'attachment'),
        message: fc.oneof(value, fc.record({ id: value, model: fc.constantFrom('m', '<synthetic>'), content: fc.oneof(value, fc.array(fields, { maxLength: 3 })) }, { requiredKeys: [] })),
        toolUseResult: value, isSidechain: value, isMeta: value, sessionId: value, cwd: value, lastPrompt: value, content: value, operation: value,
        subtype: fc.constantFrom('compact_boundary', 'other'),
      },
      { requiredKeys: ['type'] },
    );
    const toLines = (step: { id: string; tool: string; input: unknown; isError: unknown; result: unknown; content: unknown }): unknown[] => [
      { type: 'assistant', message: { id: `m-${step.id}`, model: 'm', content: [{ type: 'tool_use', id: step.id, name: step.tool, input: step.input }] } },
      { type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: step.id, is_error: step.isError, content: step.content }] }, toolUseResult: step.result },
    ];
    fc.assert(
      fc.property(fc.array(fc.oneof(exchange.map(toLines), loose.map((line) => [line])), { maxLength: 25 }), (groups) => {
        const texts = groups.flat().map((line) => JSON.stringify(line) ?? 'null');
        // The reader itself must not throw (the scanner would hide it by counting the line malformed).
        const parser = claudeFormat.createParser();
        for (const text of texts) expect(['known', 'unknown', 'malformed']).toContain(parser.line(text));
        parser.gap();
        expect(() => parser.finish()).not.toThrow();
        expectCoherent(parseTranscript(texts.join('\n')));
      }),
      { numRuns: 400 },
    );
  });

  it('from a file too: random bytes on disk', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 20000 }), async (bytes) => {
        const path = join(dir, 'random.jsonl');
        await writeFile(path, bytes);
        const trace = await readTranscript(path, { maxBytes: 8192 });
        expectCoherent(trace);
        expect(trace).toEqual(parseTranscript(bytes, { maxBytes: 8192, path }));
      }),
      { numRuns: 40 },
    );
  });
});

describe('LineSplitter', () => {
  it('gives the same lines however the bytes are split into chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat({ max: 400 }), { maxLength: 10 }), fc.boolean(), (bytes, cuts, dropFirst) => {
        const collect = (chunks: Buffer[]) => {
          const lines: string[] = [];
          const splitter = new LineSplitter((line, terminated) => lines.push(`${line.toString('hex')}:${terminated}`), dropFirst);
          for (const chunk of chunks) splitter.push(chunk);
          splitter.end(false);
          return lines;
        };
        const whole = Buffer.from(bytes);
        const points = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((start, index) => whole.subarray(start, [...points, whole.length][index]));
        expect(collect(chunks)).toEqual(collect([whole]));
      }),
      { numRuns: 500 },
    );
  });
});
