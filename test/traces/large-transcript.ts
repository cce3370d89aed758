import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What {@link writeLargeTranscript} put at the two ends of the file, to check a trace against. */
export interface LargeTranscript {
  readonly size: number;
  readonly rounds: number;
  readonly request: string;
  readonly lastMessage: string;
  readonly lastTodos: readonly { content: string; status: string }[];
  /** The files the last rounds wrote: in the tail whatever the cap. */
  readonly lastFiles: readonly string[];
}

/**
 * Writes a Claude Code transcript of at least `minBytes`: the head of the recorded tool-session
 * (queue lines, hook, prompt, listings), then rounds of Read (8 KiB of file text), Write (a new
 * file, 2 KiB), Bash and, every 50 rounds, TodoWrite, in the line shapes of 2.1.197, then a final
 * TodoWrite and text reply and the client's last-prompt line.
 */
export async function writeLargeTranscript(path: string, minBytes: number): Promise<LargeTranscript> {
  const recorded = (await readFile(join('test', 'fixtures', 'transcripts', 'claude', 'tool-session.jsonl'), 'utf8')).split('\n');
  const envelope = { isSidechain: false, userType: 'external', entrypoint: 'sdk-cli', cwd: '/home/user/big', sessionId: 'big-session', version: '2.1.197', gitBranch: 'main' };
  const request = 'Create hello.txt, finalize notes.txt, check the files, and plan the release.';
  const out = createWriteStream(path);
  let size = 0;
  const write = async (line: unknown) => {
    const text = `${typeof line === 'string' ? line : JSON.stringify(line)}\n`;
    size += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  let reply = 0;
  const call = async (name: string, input: unknown, result: unknown, content: string, isError = false) => {
    reply++;
    const id = `toolu_${reply}`;
    await write({ ...envelope, type: 'assistant', uuid: `a${reply}`, message: { id: `msg_${reply}`, type: 'message', role: 'assistant', model: 'claude-opus-4-8', content: [{ type: 'tool_use', id, name, input }], stop_reason: 'tool_use' } });
    await write({ ...envelope, type: 'user', uuid: `u${reply}`, message: { role: 'user', content: [{ tool_use_id: id, type: 'tool_result', content, ...(isError ? { is_error: true } : {}) }] }, toolUseResult: result });
  };
  for (const line of recorded.slice(0, 6)) await write(line);
  // Source-like text (quotes, backslashes, tabs, newlines, non-ASCII), so JSON escapes cost what they cost in real transcripts.
  const source = 'export function greet(name: string): string {\n\treturn `Hello, ${name} — "welcome" \\ café`;\n}\n';
  const fileText = source.repeat(Math.ceil((8 * 1024) / source.length));
  const written = source.repeat(Math.ceil((2 * 1024) / source.length));
  let rounds = 0;
  while (size < minBytes) {
    rounds++;
    const file = `/home/user/big/src/file-${rounds}.ts`;
    await call('Read', { file_path: file }, { type: 'text', file: { filePath: file, content: fileText, numLines: 1, startLine: 1, totalLines: 1 } }, fileText);
    await call('Write', { file_path: file.replace('.ts', '.out.ts'), content: written }, { type: 'create', filePath: file.replace('.ts', '.out.ts'), content: written, structuredPatch: [], originalFile: null }, 'File created');
    await call('Bash', { command: `wc -c ${file}`, description: 'count' }, { stdout: '8192', stderr: '', interrupted: false, isImage: false }, '8192');
    if (rounds % 50 === 0) {
      const todos = [{ content: `Round ${rounds}`, status: 'in_progress', activeForm: 'Working' }];
      await call('TodoWrite', { todos }, { oldTodos: [], newTodos: todos }, 'Todos have been modified successfully.');
    }
  }
  const lastTodos = [
    { content: 'Write every file', status: 'completed' },
    { content: 'Check the output', status: 'pending' },
  ];
  await call('TodoWrite', { todos: lastTodos.map((todo) => ({ ...todo, activeForm: 'Working' })) }, { oldTodos: [], newTodos: lastTodos.map((todo) => ({ ...todo, activeForm: 'Working' })) }, 'Todos have been modified successfully.');
  const lastMessage = `Wrote ${rounds} files. Next: check the output.`;
  reply++;
  await write({ ...envelope, type: 'assistant', uuid: `a${reply}`, message: { id: `msg_${reply}`, type: 'message', role: 'assistant', model: 'claude-opus-4-8', content: [{ type: 'text', text: lastMessage }], stop_reason: 'end_turn' } });
  await write({ type: 'last-prompt', lastPrompt: request, leafUuid: `a${reply}`, sessionId: 'big-session' });
  out.end();
  await once(out, 'close');
  const lastFiles = [rounds - 1, rounds].map((round) => `/home/user/big/src/file-${round}.out.ts`);
  return { size, rounds, request, lastMessage, lastTodos, lastFiles };
}
