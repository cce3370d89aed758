import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTranscript, readTranscript, TraceError } from '../../src/index.js';

const recorded = (name: string) => join('test', 'fixtures', 'transcripts', 'claude', `${name}.jsonl`);
const fixture = async (name: string) => (await readFile(recorded(name), 'utf8')).split('\n').slice(0, -1);
const codes = (trace: { issues: readonly { code: string }[] }) => trace.issues.map((issue) => issue.code);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'handoffs-traces-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readTranscript degrades, never fails', () => {
  it('a missing file: a minimal trace, work unknown', async () => {
    const trace = await readTranscript(join(dir, 'missing.jsonl'));
    expect(trace).toMatchObject({ work: 'unknown', bytes: { size: 0, read: 0 }, filesChanged: [], commands: [] });
    expect(trace.issues).toEqual([{ code: 'MISSING', detail: 'no file at the path' }]);
    expect(trace.request).toBeUndefined();
  });

  it('a path under a regular file (ENOTDIR) is missing too', async () => {
    await writeFile(join(dir, 'plain'), 'x');
    expect(codes(await readTranscript(join(dir, 'plain', 'child.jsonl')))).toEqual(['MISSING']);
  });

  it('a directory', async () => {
    await mkdir(join(dir, 'folder.jsonl'));
    const trace = await readTranscript(join(dir, 'folder.jsonl'));
    expect(codes(trace)).toEqual(['NOT_A_FILE']);
    expect(trace.work).toBe('unknown');
  });

  it('a FIFO is not opened (opening it would wait for a writer)', async () => {
    const fifo = join(dir, 'fifo.jsonl');
    execFileSync('mkfifo', [fifo]);
    expect(codes(await readTranscript(fifo))).toEqual(['NOT_A_FILE']);
  });

  it('an empty file: nothing happened, so no work', async () => {
    await writeFile(join(dir, 'empty.jsonl'), '');
    const trace = await readTranscript(join(dir, 'empty.jsonl'));
    expect(codes(trace)).toEqual(['EMPTY']);
    expect(trace.work).toBe('none');
  });

  it('a malformed line is skipped and counted; the rest is read', async () => {
    const lines = await fixture('tool-session');
    lines[8] = '{"type":"user","message":'; // line 9, the Write's result
    const trace = parseTranscript(`${lines.join('\n')}\n`);
    expect(trace.issues).toEqual([{ code: 'MALFORMED_LINES', count: 1, detail: '1 line not JSON objects, skipped' }]);
    expect(trace.request).toBe('Create hello.txt, finalize notes.txt, check the files, and plan the release.');
    // The Write's result is lost, so its file is not claimed as changed.
    expect(trace.filesChanged).toEqual([{ path: '/home/user/tool-session/notes.txt', kind: 'edited' }]);
    expect(trace.work).toBe('done');
  });

  it('with no model reply, a malformed line leaves work unknown: it could have been the reply', async () => {
    const lines = await fixture('not-logged-in');
    lines.splice(4, 0, 'garbage');
    expect(parseTranscript(`${lines.join('\n')}\n`).work).toBe('unknown');
    expect(parseTranscript(`${(await fixture('not-logged-in')).join('\n')}\n`).work).toBe('none');
  });

  it('JSON that is not an object with a type, or a known type with the wrong shape, is malformed', () => {
    const trace = parseTranscript(['[1,2]', 'null', '"text"', '{"no":"type"}', '{"type":"user","message":"x"}', '{"type":"assistant"}'].join('\n') + '\n');
    expect(trace.issues).toEqual([{ code: 'MALFORMED_LINES', count: 6, detail: '6 lines not JSON objects, skipped' }]);
  });

  it('a last line cut short (a transcript still being written) is a truncation, not a malformed line', async () => {
    const lines = await fixture('tool-session');
    const cut = `${lines.slice(0, 17).join('\n')}\n${lines[17]!.slice(0, 300)}`; // half of the final reply, no newline
    const path = join(dir, 'being-written.jsonl');
    await writeFile(path, cut);
    const trace = await readTranscript(path);
    expect(trace.issues).toEqual([{ code: 'TRUNCATED_LAST_LINE', count: 1, detail: 'the last line is cut short (still being written), skipped' }]);
    expect(trace.lastMessage).toBe('I will create hello.txt first.');
    expect(trace.todos).toHaveLength(3);
    expect(trace.work).toBe('done');
  });

  it('a last line with no newline that is whole is read', async () => {
    const text = (await fixture('one-turn')).join('\n');
    const trace = parseTranscript(text);
    expect(trace.issues).toEqual([]);
    expect(trace.lastMessage).toBe('Hello! What would you like to work on?');
  });

  it('lines of unknown types are skipped and counted', async () => {
    const lines = await fixture('one-turn');
    lines.splice(3, 0, '{"type":"worktree-state","x":1}', '{"type":"future-thing"}');
    const trace = parseTranscript(`${lines.join('\n')}\n`);
    expect(trace.issues).toEqual([{ code: 'UNKNOWN_LINES', count: 2, detail: '2 lines of unknown types, skipped' }]);
    expect(trace.request).toBe('hello');
  });

  it('bytes that are not UTF-8 are replaced, and the line is still read', async () => {
    const lines = await fixture('one-turn');
    const bytes = Buffer.concat([
      Buffer.from(`${lines.slice(0, 3).join('\n')}\n`),
      Buffer.from(lines[3]!.replace('"content":"hello"', '"content":"hel\u0000lo"').replace('\\u0000', '\u0000')),
      Buffer.from('\n'),
      Buffer.from(`${lines.slice(4).join('\n')}\n`),
    ]);
    // Put two invalid bytes (a lone 0xFF and a cut 3-byte sequence) where the prompt's NUL placeholder is.
    const at = bytes.indexOf(0);
    const broken = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff, 0xe2, 0x82]), bytes.subarray(at + 1)]);
    const path = join(dir, 'latin.jsonl');
    await writeFile(path, broken);
    const trace = await readTranscript(path);
    expect(trace.issues).toEqual([{ code: 'NOT_UTF8', count: 1, detail: '1 line not valid UTF-8, read with replacement characters' }]);
    expect(trace.request).toBe('hel\uFFFD\uFFFDlo');
    expect(trace.work).toBe('done');
  });

  it('a binary file gives a trace saying what it found', async () => {
    const path = join(dir, 'binary.jsonl');
    await writeFile(path, Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256)));
    const trace = await readTranscript(path);
    expect(trace.work).toBe('unknown');
    expect(codes(trace)).toContain('MALFORMED_LINES');
  });

  it('an agent with no reader (OpenCode gives no transcript path): a minimal trace, nothing read', async () => {
    const trace = await readTranscript(recorded('one-turn'), { agent: 'opencode' });
    expect(trace).toMatchObject({ agent: 'opencode', work: 'unknown', bytes: { size: 0, read: 0 } });
    expect(trace.issues).toEqual([{ code: 'UNSUPPORTED_AGENT', detail: 'no reader for opencode transcripts yet' }]);
    expect(parseTranscript('{"type":"user"}', { agent: 'opencode' }).issues.map((issue) => issue.code)).toEqual(['UNSUPPORTED_AGENT']);
  });

  it('invalid options are the only errors', async () => {
    await expect(readTranscript(recorded('one-turn'), { maxBytes: 0 })).rejects.toThrow(TraceError);
    await expect(readTranscript(recorded('one-turn'), { maxBytes: 100, headBytes: 100 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    await expect(readTranscript(recorded('one-turn'), { agent: 'cursor' as never })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    expect(() => parseTranscript('', { maxBytes: Number.NaN })).toThrow(TraceError);
  });
});

describe('past the byte cap: the head gives the first request, the tail the last things', () => {
  // tool-session.jsonl: lines 1-4 (the prompt) end at byte 1486; line 9, the Write's result, starts at 10470.
  it('reads the first request from the head and the last message, todos and latest changes from the tail', async () => {
    const trace = await readTranscript(recorded('tool-session'), { maxBytes: 9000, headBytes: 1600 });
    expect(trace.request).toBe('Create hello.txt, finalize notes.txt, check the files, and plan the release.');
    expect(trace.lastMessage).toBe('Created hello.txt and set notes.txt to final. Next: release the change.');
    expect(trace.todos?.map((todo) => todo.status)).toEqual(['completed', 'completed', 'pending']);
    // The Write and its result lay in the skipped middle; the Edit was in the tail.
    expect(trace.filesChanged).toEqual([{ path: '/home/user/tool-session/notes.txt', kind: 'edited' }]);
    expect(trace.commands).toEqual([{ command: 'ls && wc -l hello.txt', status: 'ok', exitCode: 0 }]);
    expect(trace.bytes).toEqual({ size: 20390, read: 9000 });
    expect(trace.issues).toEqual([{ code: 'CAPPED', count: 20390 - 7400 - 1600, detail: '11.1 KiB in the middle not read (byte cap)' }]);
    expect(trace.work).toBe('done');
  });

  it('a result whose call was skipped still names the file it wrote, from its structured result', async () => {
    // The tail starts at the newline ending line 8 (the Write call), so line 9 (its result) is its first line.
    const trace = await readTranscript(recorded('tool-session'), { maxBytes: 1600 + (20390 - 10469), headBytes: 1600 });
    expect(trace.filesChanged).toEqual([
      { path: '/home/user/tool-session/hello.txt', kind: 'created' },
      { path: '/home/user/tool-session/notes.txt', kind: 'edited' },
    ]);
  });

  it('with a head too small for the prompt line, the queued prompt (first line) stands in for it', async () => {
    const trace = await readTranscript(recorded('tool-session'), { maxBytes: 3000, headBytes: 300 });
    expect(trace.request).toBe('Create hello.txt, finalize notes.txt, check the files, and plan the release.');
    expect(trace.counts.prompts).toBe(0);
  });

  it('with no head at all, the client’s last-prompt line stands in for it', async () => {
    const trace = await readTranscript(recorded('tool-session'), { maxBytes: 3000, headBytes: 0 });
    expect(trace.request).toBe('Create hello.txt, finalize notes.txt, check the files, and plan the release.');
    expect(trace.counts.prompts).toBe(0);
  });

  it('with no head, the skipped start is reported, so a tail with no reply is unknown, not "no work"', async () => {
    const trace = await readTranscript(recorded('not-logged-in'), { maxBytes: 3000, headBytes: 0 });
    expect(trace.issues).toEqual([{ code: 'CAPPED', count: 10566 - 3000, detail: '7.4 KiB at the start not read (byte cap)' }]);
    expect(trace.work).toBe('unknown');
  });

  it('a session with no model reply past the cap is unknown, not "no work": the reply may be in the middle', async () => {
    const trace = await readTranscript(recorded('not-logged-in'), { maxBytes: 2000, headBytes: 1000 });
    expect(trace.work).toBe('unknown');
  });

  it('reading a file and parsing its bytes give the same trace, whatever the cap', async () => {
    for (const name of ['tool-session', 'tasks-and-errors', 'one-turn', 'not-logged-in', 'compacted']) {
      const bytes = await readFile(recorded(name));
      for (const maxBytes of [1, 500, 4096, 9999, 15000, Infinity]) {
        for (const headBytes of [0, Math.floor(Math.min(maxBytes, 1e6) / 3)]) {
          if (headBytes >= maxBytes) continue;
          const options = { maxBytes, headBytes };
          expect(await readTranscript(recorded(name), options)).toEqual(parseTranscript(bytes, { ...options, path: recorded(name) }));
        }
      }
    }
  });
});
