import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conversation,
  startAnthropicServer,
  textTurn,
  toolTurn,
  type AnthropicServer,
  type MessagesRequest,
  type Script,
  type ScriptedTurn,
} from '../lib/anthropic.js';
import { installClaude, type TranscriptLine } from '../lib/claude.js';
import { claudeSession, type ClaudeSession } from '../lib/claude-session.js';
import { HANDOFFS_COMMAND, handoffs, initClaude } from '../lib/handoffs-cli.js';
import { tempHome, type TempHome } from '../lib/home.js';
import { scrubPaths, transcriptShape } from '../lib/transcript-shape.js';

// The transcripts in test/fixtures/transcripts/claude/ are what the real client writes. This
// suite runs the scripts that produced them again and checks every line has the same shape; with
// HANDOFFS_UPDATE_FIXTURES=1 it writes them anew instead (see the README beside them).

const claude = await installClaude();
if (!claude.ok) console.warn(`skipping Claude Code e2e: ${claude.reason}`);

const FIXTURES = resolve(import.meta.dirname, '..', '..', 'fixtures', 'transcripts', 'claude');
const UPDATE = process.env.HANDOFFS_UPDATE_FIXTURES === '1';

describe.skipIf(!claude.ok)('Claude Code 2.1.197 transcripts keep the shapes of the fixtures', () => {
  let home: TempHome;
  const servers: AnthropicServer[] = [];

  beforeAll(async () => {
    home = await tempHome();
    expect((await initClaude(home.env)).code).toBe(0);
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await home?.dispose();
  });

  /** A project folder of its own for each fixture, so each session's transcript stands alone. */
  async function projectDir(name: string): Promise<string> {
    const dir = join(home.home, name);
    await mkdir(dir, { recursive: true });
    return realpath(dir);
  }

  async function serve(script: Script): Promise<AnthropicServer> {
    const server = await startAnthropicServer(script);
    servers.push(server);
    return server;
  }

  /** Writes the fixture (update mode) or checks the fresh transcript line by line against it. */
  async function matchFixture(file: string, session: ClaudeSession): Promise<void> {
    expect(session.transcriptPath).toBeDefined();
    const text = scrubPaths(await readFile(session.transcriptPath!, 'utf8'), { home: home.home, command: HANDOFFS_COMMAND });
    const path = join(FIXTURES, file);
    if (UPDATE || !existsSync(path)) {
      expect(UPDATE, `${path} is missing: run with HANDOFFS_UPDATE_FIXTURES=1 to write it`).toBe(true);
      await mkdir(FIXTURES, { recursive: true });
      await writeFile(path, text);
    }
    const fixture = parse(await readFile(path, 'utf8'));
    expect(transcriptShape(parse(text))).toEqual(transcriptShape(fixture));
  }

  const run = (options: { server: AnthropicServer; cwd: string; prompt: string; args?: string[]; apiKey?: string | null; extraEnv?: Record<string, string> }) =>
    claudeSession({ bin: claude.ok ? claude.bin : '', env: home.env, ...options });

  it('(a) Write, Read, Edit, Bash and TodoWrite, then a final message, with no handoff written', async () => {
    const cwd = await projectDir('tool-session');
    await writeFile(join(cwd, 'notes.txt'), 'status: draft\nowner: nobody\n');
    const server = await serve(
      conversation([
        toolTurn('Write', { file_path: join(cwd, 'hello.txt'), content: 'hello world\n' }, 'I will create hello.txt first.'),
        toolTurn('Read', { file_path: join(cwd, 'notes.txt') }),
        toolTurn('Edit', { file_path: join(cwd, 'notes.txt'), old_string: 'status: draft', new_string: 'status: final' }),
        toolTurn('Bash', { command: 'ls && wc -l hello.txt', description: 'List files and count lines' }),
        toolTurn('TodoWrite', {
          todos: [
            { content: 'Create hello.txt', status: 'completed', activeForm: 'Creating hello.txt' },
            { content: 'Finalize notes.txt', status: 'completed', activeForm: 'Finalizing notes.txt' },
            { content: 'Release the change', status: 'pending', activeForm: 'Releasing the change' },
          ],
        }),
        textTurn('Created hello.txt and set notes.txt to final. Next: release the change.'),
      ]),
    );
    const session = await run({
      server,
      cwd,
      prompt: 'Create hello.txt, finalize notes.txt, check the files, and plan the release.',
      args: ['--allowedTools', 'Write,Read,Edit,Bash,TodoWrite'],
      // TodoWrite replaces the Task* tools only when tasks are off; 2.1.197 has them on by default.
      extraEnv: { CLAUDE_CODE_ENABLE_TASKS: '0' },
    });
    expect(session.run.code).toBe(0);
    expect(await readFile(join(cwd, 'hello.txt'), 'utf8')).toBe('hello world\n');
    expect(await readFile(join(cwd, 'notes.txt'), 'utf8')).toBe('status: final\nowner: nobody\n');
    await matchFixture('tool-session.jsonl', session);
  });

  it('(b) not logged in: the hooks ran, no model turn, one <synthetic> assistant message', async () => {
    const cwd = await projectDir('not-logged-in');
    expect((await handoffs(['write', '--slug', 'earlier-work'], { env: home.env, cwd, input: 'Pending handoff from an earlier session.' })).code).toBe(0);
    const server = await serve(conversation([]));
    const session = await run({ server, cwd, prompt: 'hello', apiKey: null });
    expect(session.run.code).toBe(1);
    await matchFixture('not-logged-in.jsonl', session);
  });

  it('(c) one plain turn', async () => {
    const cwd = await projectDir('one-turn');
    const server = await serve(conversation([textTurn('Hello! What would you like to work on?')]));
    const session = await run({ server, cwd, prompt: 'hello' });
    expect(session.run.code).toBe(0);
    await matchFixture('one-turn.jsonl', session);
  });

  it('(d) the default Task tools, and tool calls that fail (MultiEdit does not exist, a failing command, Edit before Read)', async () => {
    const cwd = await projectDir('tasks-and-errors');
    await writeFile(join(cwd, 'notes.txt'), 'status: draft\n');
    const server = await serve(
      conversation([
        toolTurn('TaskCreate', { subject: 'Finalize notes', description: 'Set the status to final', activeForm: 'Finalizing notes' }),
        toolTurn('TaskUpdate', { taskId: '1', status: 'in_progress' }),
        toolTurn('MultiEdit', { file_path: join(cwd, 'notes.txt'), edits: [{ old_string: 'draft', new_string: 'final' }] }),
        toolTurn('Bash', { command: 'cat missing.txt', description: 'Show a missing file' }),
        toolTurn('Edit', { file_path: join(cwd, 'notes.txt'), old_string: 'draft', new_string: 'final' }),
        toolTurn('TaskUpdate', { taskId: '1', status: 'completed' }),
        textTurn('Could not finalize notes.txt.'),
      ]),
    );
    const session = await run({ server, cwd, prompt: 'Finalize notes.txt.', args: ['--allowedTools', 'Bash,Edit,Read,TaskCreate,TaskUpdate'] });
    expect(session.run.code).toBe(0);
    expect(await readFile(join(cwd, 'notes.txt'), 'utf8')).toBe('status: draft\n');
    await matchFixture('tasks-and-errors.jsonl', session);
  });

  it('(e) /compact in -p mode on a resumed session: compact boundary and summary lines', async () => {
    const cwd = await projectDir('compacted');
    const server = await serve(compactingScript());
    const args = ['--allowedTools', 'Bash'];
    expect((await run({ server, cwd, prompt: 'Run the first steps.', args })).run.code).toBe(0);
    expect((await run({ server, cwd, prompt: 'Run more steps.', args: ['--continue', ...args] })).run.code).toBe(0);
    const compacted = await run({ server, cwd, prompt: '/compact', args: ['--continue', ...args] });
    expect(compacted.run.code).toBe(0);
    expect(compacted.transcript.some((line) => line.subtype === 'compact_boundary')).toBe(true);
    await matchFixture('compacted.jsonl', compacted);
  });
});

/** Runs `echo` twice per prompt, then answers; answers a compaction request with a summary. */
function compactingScript(): Script {
  return (request: MessagesRequest): ScriptedTurn => {
    const last = JSON.stringify(request.messages.at(-1)?.content ?? '');
    if (last.includes('Your task is to create a detailed summary')) {
      return textTurn('<analysis>Two prompts, each ran echo twice.</analysis>\n<summary>The user asked for steps; each was an echo. Nothing is pending.</summary>');
    }
    let sincePrompt = 0;
    for (let index = request.messages.length - 1; index >= 0; index--) {
      const message = request.messages[index]!;
      const isToolResult = Array.isArray(message.content) && message.content.some((block: { type?: unknown }) => block.type === 'tool_result');
      if (message.role === 'user' && !isToolResult) break;
      if (message.role === 'assistant') sincePrompt += 1;
    }
    return sincePrompt < 2 ? toolTurn('Bash', { command: `echo step ${sincePrompt + 1}`, description: 'Echo a step' }) : textTurn('Steps done.');
  };
}

function parse(text: string): TranscriptLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TranscriptLine);
}
