import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conversation,
  occurrences,
  requestText,
  startAnthropicServer,
  textTurn,
  toolTurn,
  type AnthropicServer,
  type Script,
} from '../lib/anthropic.js';
import { attachments, hookRunsInDebugLog, installClaude } from '../lib/claude.js';
import { claudeSession, debugFileFor, type ClaudeSession } from '../lib/claude-session.js';
import { initClaude } from '../lib/handoffs-cli.js';
import { tempHome, type TempHome } from '../lib/home.js';
import { originWords, storedHandoffs, tagsOf, type StoredHandoff } from '../lib/stored-handoffs.js';

// What the SessionEnd hook (`handoffs end --hook`, registered by `handoffs init`) leaves behind for
// a real Claude Code session that wrote no handoff of its own. The scripts are those of
// transcript-fixtures.e2e.ts (see test/fixtures/transcripts/claude/README.md); each test runs in a
// project folder of its own, so the handoffs of one never reach another.

const claude = await installClaude();
if (!claude.ok) console.warn(`skipping Claude Code e2e: ${claude.reason}`);

describe.skipIf(!claude.ok)('the SessionEnd trace of a real Claude Code session that wrote no handoff', () => {
  let home: TempHome;
  const servers: AnthropicServer[] = [];

  beforeAll(async () => {
    home = await tempHome();
    const init = await initClaude(home.env);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await home?.dispose();
  });

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

  let runs = 0;
  const run = (options: { server: AnthropicServer; cwd: string; prompt: string; args?: string[]; apiKey?: string | null; extraEnv?: Record<string, string> }) =>
    claudeSession({ bin: claude.ok ? claude.bin : '', env: home.env, debugFile: debugFileFor(home.home, `run-${++runs}`), ...options });

  /** The handoffs of one project folder, pending and claimed, oldest first. */
  const pendingOf = async (cwd: string): Promise<StoredHandoff[]> => (await storedHandoffs({ env: home.env })).filter((handoff) => handoff.meta.project === cwd);

  /** The SessionEnd hook ran in the client and exited 0 (2.1.197 records it only in the debug log). */
  const endHookRan = (session: ClaudeSession) =>
    expect(hookRunsInDebugLog(session.debugLog ?? '').filter((hook) => hook.event === 'SessionEnd' && hook.command.includes(' end --hook --agent claude'))).toEqual([
      expect.objectContaining({ status: 0 }),
    ]);

  it('a session whose model called Write, Edit and Bash leaves a trace naming the files it changed and the commands it ran, and the next session receives it', async () => {
    const cwd = await projectDir('files');
    await writeFile(join(cwd, 'notes.txt'), 'status: draft\n');
    const command = 'printf "built\\n" > build.log && wc -l hello.txt';
    const server = await serve(
      conversation([
        toolTurn('Write', { file_path: join(cwd, 'hello.txt'), content: 'hello world\n' }, 'I will create hello.txt first.'),
        toolTurn('Read', { file_path: join(cwd, 'notes.txt') }),
        toolTurn('Edit', { file_path: join(cwd, 'notes.txt'), old_string: 'draft', new_string: 'final' }),
        toolTurn('Bash', { command, description: 'Build and count' }),
        textTurn('Created hello.txt and set notes.txt to final.'),
      ]),
    );
    const worked = await run({ server, cwd, prompt: 'Create hello.txt and finalize notes.txt.', args: ['--allowedTools', 'Write,Read,Edit,Bash'] });
    expect(worked.run.code, worked.run.stderr).toBe(0);
    // The tools really ran.
    expect(await readFile(join(cwd, 'hello.txt'), 'utf8')).toBe('hello world\n');
    expect(await readFile(join(cwd, 'notes.txt'), 'utf8')).toBe('status: final\n');
    expect(await readFile(join(cwd, 'build.log'), 'utf8')).toBe('built\n');
    endHookRan(worked);

    const [trace, ...others] = await pendingOf(cwd);
    expect(others).toEqual([]);
    expect(trace).toBeDefined();
    expect(trace!.meta).toMatchObject({ agent: 'claude', sessionId: worked.sessionId, project: cwd });
    expect(tagsOf(trace!)).toEqual(['auto', 'session-end']);
    expect(trace!.body).toContain(`Ended: Claude Code session ${worked.sessionId} wrote no handoff`);
    expect(trace!.body).toContain('### Files changed (2)\n\n- hello.txt (created)\n- notes.txt (edited)\n');
    expect(trace!.body).toContain(`### Commands (1)\n\n- \`${command}\`\n`);
    expect(trace!.body).toContain(`Transcript: ${worked.transcriptPath}`);

    const next = await run({ server: await serve(conversation([textTurn('Noted.')])), cwd, prompt: 'What happened before?' });
    expect(next.run.code, next.run.stderr).toBe(0);
    const text = requestText(next.requests[0]!);
    expect(occurrences(text, `Ended: Claude Code session ${worked.sessionId} wrote no handoff`)).toBe(1);
    expect(occurrences(text, '- hello.txt (created)\n- notes.txt (edited)')).toBe(1);
    expect(occurrences(text, originWords('Claude Code', worked.sessionId!))).toBe(1);
    // Handed once: it is no longer pending (what is pending now is the next session's own trace,
    // which may have taken the same name: a name is free again once its handoff was claimed).
    expect((await pendingOf(cwd)).filter((handoff) => handoff.meta.sessionId === worked.sessionId)).toEqual([]);
  });

  it('the trace carries the first user request, the last todo list (TodoWrite, or TaskCreate/TaskUpdate when tasks are on) and the last assistant message', async () => {
    const todos = [
      { content: 'Draft the plan', status: 'completed', activeForm: 'Drafting the plan' },
      { content: 'Review the plan', status: 'in_progress', activeForm: 'Reviewing the plan' },
      { content: 'Ship the plan', status: 'pending', activeForm: 'Shipping the plan' },
    ];
    const withTodoWrite = await projectDir('todo-write');
    const first = await run({
      server: await serve(
        conversation([
          toolTurn('TodoWrite', { todos: todos.map((todo) => ({ ...todo, status: 'pending' })) }),
          toolTurn('TodoWrite', { todos }),
          textTurn('The plan is drafted; review is under way. Next: ship it.'),
        ]),
      ),
      cwd: withTodoWrite,
      prompt: 'Plan the release, step by step.',
      args: ['--allowedTools', 'TodoWrite'],
      // 2.1.197 offers TodoWrite only with tasks off.
      extraEnv: { CLAUDE_CODE_ENABLE_TASKS: '0' },
    });
    expect(first.run.code, first.run.stderr).toBe(0);
    const [fromTodos] = await pendingOf(withTodoWrite);
    expect(fromTodos?.body).toContain('### Request\n\n> Plan the release, step by step.\n');
    // The last list, not the first.
    expect(fromTodos?.body).toContain('### Todos (1 of 3 done)\n\n- [x] Draft the plan\n- [ ] Review the plan (in progress)\n- [ ] Ship the plan\n');
    expect(fromTodos?.body).toContain('### Last message\n\n> The plan is drafted; review is under way. Next: ship it.\n');

    const withTasks = await projectDir('tasks');
    const second = await run({
      server: await serve(
        conversation([
          toolTurn('TaskCreate', { subject: 'Write the changelog', description: 'List the changes', activeForm: 'Writing the changelog' }),
          toolTurn('TaskCreate', { subject: 'Tag the release', description: 'git tag', activeForm: 'Tagging the release' }),
          toolTurn('TaskUpdate', { taskId: '1', status: 'completed' }),
          toolTurn('TaskUpdate', { taskId: '2', status: 'in_progress' }),
          textTurn('Changelog written; tagging next.'),
        ]),
      ),
      cwd: withTasks,
      prompt: 'Prepare the release.',
      args: ['--allowedTools', 'TaskCreate,TaskUpdate'],
    });
    expect(second.run.code, second.run.stderr).toBe(0);
    const [fromTasks] = await pendingOf(withTasks);
    expect(fromTasks?.body).toContain('### Request\n\n> Prepare the release.\n');
    expect(fromTasks?.body).toContain('### Todos (1 of 2 done)\n\n- [x] Write the changelog\n- [ ] Tag the release (in progress)\n');
    expect(fromTasks?.body).toContain('### Last message\n\n> Changelog written; tagging next.\n');
  });

  it('failed tool calls (is_error: true, e.g. an Edit refused before Read) do not count as changed files', async () => {
    const cwd = await projectDir('failures');
    await writeFile(join(cwd, 'notes.txt'), 'status: draft\n');
    const server = await serve(
      conversation([
        // Not a tool in 2.1.197: "No such tool available".
        toolTurn('MultiEdit', { file_path: join(cwd, 'notes.txt'), edits: [{ old_string: 'draft', new_string: 'final' }] }),
        // Refused: "File has not been read yet".
        toolTurn('Edit', { file_path: join(cwd, 'notes.txt'), old_string: 'draft', new_string: 'final' }),
        toolTurn('Bash', { command: 'cat missing.txt', description: 'Show a missing file' }),
        toolTurn('Write', { file_path: join(cwd, 'report.txt'), content: 'could not finalize\n' }),
        textTurn('Could not finalize notes.txt; wrote report.txt.'),
      ]),
    );
    const session = await run({ server, cwd, prompt: 'Finalize notes.txt.', args: ['--allowedTools', 'Bash,Edit,Read,Write'] });
    expect(session.run.code, session.run.stderr).toBe(0);
    expect(await readFile(join(cwd, 'notes.txt'), 'utf8')).toBe('status: draft\n');
    // The transcript holds the three failures the trace must skip.
    const errors = session.transcript
      .filter((line) => line.type === 'user')
      .map((line) => (line.message as { content?: unknown }).content)
      .flatMap((content) => (Array.isArray(content) ? (content as Array<{ is_error?: unknown }>) : []))
      .filter((block) => block.is_error === true);
    expect(errors).toHaveLength(3);

    const [trace, ...others] = await pendingOf(cwd);
    expect(others).toEqual([]);
    expect(trace?.body).toContain('### Files changed (1)\n\n- report.txt (created)\n');
    expect(trace?.body).not.toContain('notes.txt (edited)');
    expect(trace?.body).toContain('### Commands (1)\n\n- `cat missing.txt` — failed (exit 1)\n');
  });

  it('a session that did no work (not logged in: no model reply) leaves no trace', async () => {
    const cwd = await projectDir('no-work');
    const failed = await run({ server: await serve(conversation([textTurn('unused')])), cwd, prompt: 'Refactor everything.', apiKey: null });
    expect(failed.run.code).toBe(1);
    expect(failed.run.stdout.trim()).toBe('Not logged in · Please run /login');
    expect(failed.requests).toHaveLength(0);
    // The hook ran, and decided to write nothing.
    endHookRan(failed);
    expect(await pendingOf(cwd)).toEqual([]);
    expect((await storedHandoffs({ env: home.env, all: true })).filter((handoff) => handoff.meta.sessionId === failed.sessionId)).toEqual([]);
  });

  it('one plain model turn is work by the protocol\'s rule (a model reply): its trace holds the request and the reply, and no files or commands', async () => {
    const cwd = await projectDir('one-turn');
    const session = await run({ server: await serve(conversation([textTurn('Hello! What would you like to work on?')])), cwd, prompt: 'hello' });
    expect(session.run.code, session.run.stderr).toBe(0);
    endHookRan(session);
    const [trace, ...others] = await pendingOf(cwd);
    expect(others).toEqual([]);
    expect(trace?.meta.sessionId).toBe(session.sessionId);
    expect(trace?.body).toContain('### Request\n\n> hello\n');
    expect(trace?.body).toContain('### Last message\n\n> Hello! What would you like to work on?\n');
    expect(trace?.body).not.toContain('### Files changed');
    expect(trace?.body).not.toContain('### Commands');
  });

  it('a resumed session (--continue) is not handed its own earlier SessionEnd trace; the next other session is', async () => {
    const cwd = await projectDir('resumed');
    const server = await serve(
      conversation([toolTurn('Bash', { command: 'echo step one', description: 'Step one' }), textTurn('Step one done.'), textTurn('Resumed: nothing new.')]),
    );
    const first = await run({ server, cwd, prompt: 'Do step one.', args: ['--allowedTools', 'Bash'] });
    expect(first.run.code, first.run.stderr).toBe(0);
    const [trace, ...others] = await pendingOf(cwd);
    expect(others).toEqual([]);
    const title = `Ended: Claude Code session ${first.sessionId} wrote no handoff`;
    expect(trace?.body).toContain(title);

    const resumed = await run({ server, cwd, prompt: 'Anything left?', args: ['--continue', '--allowedTools', 'Bash'] });
    expect(resumed.run.code, resumed.run.stderr).toBe(0);
    expect(resumed.sessionId).toBe(first.sessionId);
    // Its SessionStart hook ran (source "resume") and handed it nothing: no context in its
    // transcript, none of its trace in its requests, and the trace still waits for another session.
    const starts = attachments(resumed.transcript, 'hook_success').filter((hook) => hook.hookEvent === 'SessionStart');
    expect(starts.map((hook) => [hook.hookName, hook.exitCode])).toEqual([
      ['SessionStart:startup', 0],
      ['SessionStart:resume', 0],
    ]);
    expect(attachments(resumed.transcript, 'hook_additional_context')).toEqual([]);
    expect(resumed.requests.length).toBeGreaterThan(0);
    for (const request of resumed.requests) expect(requestText(request)).not.toContain(title);
    expect((await pendingOf(cwd)).map((handoff) => handoff.name)).toContain(trace!.name);

    const other = await run({ server: await serve(conversation([textTurn('Noted.')])), cwd, prompt: 'What happened before?' });
    expect(other.run.code, other.run.stderr).toBe(0);
    expect(requestText(other.requests[0]!)).toContain(title);
    // Handed: no longer pending (the other session's own trace may have taken the same name).
    expect((await pendingOf(cwd)).filter((handoff) => handoff.body.includes(title))).toEqual([]);
  });
});
