import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Installed } from '../lib/cache.js';
import { COPILOT, installCopilot, runCopilot, trustCopilotFolder } from '../lib/copilot.js';
import { removedText, saveFixtureJsonl, saveFixtureText } from '../lib/fixtures.js';
import { HANDOFFS_COMMAND, handoffs, shellQuote } from '../lib/handoffs-cli.js';
import { type HookProbeOptions, readHookCalls, wasKilled, writeHookProbe } from '../lib/hook-probe.js';
import { tempHome } from '../lib/home.js';
import { initAgent } from '../lib/init-agent.js';
import type { ModelScript } from '../lib/model-script.js';
import type { ModelServer } from '../lib/model-server.js';
import { startChatModel } from '../lib/openai-chat.js';
import { makeRepo } from '../lib/repo.js';
import { locateText, topLevelIndex } from '../lib/request-search.js';
import { originWords, storedHandoffs, tagsOf } from '../lib/stored-handoffs.js';

const MARKER = 'HANDOFFS-E2E-COPILOT-START-2b7e';

let installed: Installed;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  installed = await installCopilot();
  if (!installed.ok) console.warn(`Copilot CLI e2e skipped: ${installed.reason}`);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(ctx: TestContext, script: ModelScript = { turns: [{ text: 'scripted reply' }] }) {
  if (!installed.ok) ctx.skip(installed.reason);
  const ok = installed as Extract<Installed, { ok: true }>;
  const home = await tempHome();
  cleanups.push(() => home.dispose());
  const model = await startChatModel(script);
  cleanups.push(() => model.close());
  const repo = await makeRepo(home.home);
  const records = join(home.home, 'hook-records');
  const probe = (name: string, options: Omit<HookProbeOptions, 'scriptPath' | 'recordDir'>) =>
    writeHookProbe({ scriptPath: join(home.home, 'probes', `${name}.mjs`), recordDir: records, ...options });
  const run = (prompt: string, args: readonly string[] = []) => runCopilot({ installed: ok, home, cwd: repo, modelUrl: model.url, prompt, args });
  return { home, model, repo, records, probe, run };
}

/** A hand-written Copilot hooks file: version 1, camelCase events, `bash` commands, `timeoutSec`. */
async function writeHooksFile(file: string, commands: { sessionStart?: string; sessionEnd?: string }, endTimeoutSec = 30): Promise<void> {
  const hooks: Record<string, unknown> = {};
  if (commands.sessionStart) hooks.sessionStart = [{ type: 'command', bash: commands.sessionStart, timeoutSec: 30 }];
  if (commands.sessionEnd) hooks.sessionEnd = [{ type: 'command', bash: commands.sessionEnd, timeoutSec: endTimeoutSec }];
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, JSON.stringify({ version: 1, hooks }, null, 2));
}

describe(`GitHub Copilot CLI ${COPILOT.version} (real client, scripted chat completions endpoint)`, () => {
  it('sends a user-level hook’s top-level additionalContext as its own user message before the prompt, and ignores hookSpecificOutput', async (ctx) => {
    const { home, model, records, probe, run } = await setup(ctx);
    const ignored = `${MARKER}-hook-specific`;
    await writeHooksFile(join(home.home, '.copilot', 'hooks', 'probe.json'), {
      sessionStart: await probe('start', {
        label: 'sessionStart',
        stdout: JSON.stringify({ additionalContext: MARKER, hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: ignored } }),
      }),
    });
    const result = await run('hello');
    ctx.annotate(`copilot -p wall time ${result.wallMs} ms`);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await readHookCalls(records)).toHaveLength(1);
    const request = model.requests.find((recorded) => recorded.url === '/v1/chat/completions')!;
    expect(locateText(request.json, ignored)).toEqual([]);
    const [location, ...others] = locateText(request.json, MARKER);
    expect(others).toEqual([]);
    expect(location).toMatchObject({ path: `messages[${topLevelIndex(location!)}].content`, role: 'user', text: MARKER });
    const messages = (request.json as { messages: Array<{ role: string; content: unknown }> }).messages;
    expect(messages[0]!.role).toBe('system');
    expect(messages[topLevelIndex(location!)! + 1]).toMatchObject({ role: 'user', content: expect.stringMatching(/<\/current_datetime>\n\nhello$/) });
  });

  it('gives sessionStart and sessionEnd camelCase input without a transcript path, and Copilot variables in the environment', async (ctx) => {
    const { home, repo, records, probe, run } = await setup(ctx);
    await writeHooksFile(join(home.home, '.copilot', 'hooks', 'probe.json'), {
      sessionStart: await probe('start', { label: 'sessionStart', stdout: JSON.stringify({ additionalContext: MARKER }) }),
      sessionEnd: await probe('end', { label: 'sessionEnd' }),
    });
    const result = await run('hello');
    expect(result.exitCode, result.stderr).toBe(0);
    const [start, end] = await readHookCalls(records);
    expect(start!.input).toEqual({ sessionId: result.sessionId, timestamp: expect.any(Number), cwd: repo, source: 'new', initialPrompt: 'hello' });
    expect(end!.input).toEqual({ sessionId: result.sessionId, timestamp: expect.any(Number), cwd: repo, reason: 'complete' });
    expect(start!.env).toMatchObject({
      COPILOT_CLI: '1',
      COPILOT_PROJECT_DIR: repo,
      COPILOT_HOOK_DIR: join(home.home, '.copilot', 'hooks'),
      CLAUDE_PROJECT_DIR: repo,
    });
    ctx.annotate(`sessionStart stdin: ${start!.stdin}`);
    ctx.annotate(`sessionEnd stdin: ${end!.stdin}`);
    await saveFixtureText('hook-input/copilot/session-start.json', `${JSON.stringify(start!.input, null, 2)}\n`);
    await saveFixtureText('hook-input/copilot/session-end.json', `${JSON.stringify(end!.input, null, 2)}\n`);
  });

  it('runs repository .github/hooks only in a trusted folder: --trust-folder for one session, config.json trusted_folders for good', async (ctx) => {
    const { home, model, repo, records, probe, run } = await setup(ctx);
    await writeHooksFile(join(repo, '.github', 'hooks', 'probe.json'), {
      sessionStart: await probe('repo-start', { label: 'repo', stdout: JSON.stringify({ additionalContext: MARKER }) }),
    });
    const untrusted = await run('hello');
    expect(untrusted.exitCode, untrusted.stderr).toBe(0);
    expect(await readHookCalls(records)).toEqual([]);

    const once = await run('hello', ['--trust-folder']);
    expect(once.exitCode, once.stderr).toBe(0);
    expect(await readHookCalls(records)).toHaveLength(1);
    const again = await run('hello');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await readHookCalls(records)).toHaveLength(1);

    await trustCopilotFolder(home.home, repo);
    const before = model.requests.length;
    const trusted = await run('hello');
    expect(trusted.exitCode, trusted.stderr).toBe(0);
    expect(await readHookCalls(records)).toHaveLength(2);
    expect(locateText(model.requests[before]!.json, MARKER).map((location) => location.role)).toEqual(['user']);
  });

  it('waits for sessionEnd until its timeoutSec, then kills it', async (ctx) => {
    const { home, records, probe, run } = await setup(ctx);
    const file = join(home.home, '.copilot', 'hooks', 'probe.json');
    await writeHooksFile(file, { sessionEnd: await probe('end-slow', { label: 'finishes', delayMs: 3_000 }) }, 30);
    const waited = await run('hello');
    expect(waited.exitCode, waited.stderr).toBe(0);
    expect(waited.endedAt).toBeGreaterThanOrEqual((await readHookCalls(records))[0]!.finishedAt!);

    await writeHooksFile(file, { sessionEnd: await probe('end-killed', { label: 'killed', delayMs: 8_000 }) }, 3);
    const cut = await run('hello');
    expect(cut.exitCode, cut.stderr).toBe(0);
    const killed = (await readHookCalls(records)).find((call) => call.label === 'killed')!;
    // Waited (the probe's own start-up is the slack below 3 s), then killed it: it never finished.
    expect(cut.endedAt - killed.startedAt).toBeGreaterThanOrEqual(2_000);
    expect(await wasKilled(records, 'killed', 8_000)).toBe(true);
  });

  // Copilot reads a hook's stdout only when it exits 0 or 2 (2 is the "blocking" code of the hook
  // protocol it shares with Claude Code); any other code, invalid JSON or plain text is dropped
  // without a word on stdout or stderr.
  it.for([
    { case: 'exits 1 after printing its JSON', probe: { exitCode: 1, stdout: JSON.stringify({ additionalContext: MARKER }) }, injected: false },
    { case: 'exits 2 after printing its JSON', probe: { exitCode: 2, stdout: JSON.stringify({ additionalContext: MARKER }) }, injected: true },
    { case: 'exits 3 after printing its JSON', probe: { exitCode: 3, stdout: JSON.stringify({ additionalContext: MARKER }) }, injected: false },
    { case: 'prints invalid JSON', probe: { stdout: `{"additionalContext": ${MARKER}` }, injected: false },
    { case: 'prints plain text', probe: { stdout: `${MARKER}\n` }, injected: false },
  ])('still starts the session when sessionStart $case (context sent: $injected)', async ({ probe: output, injected }, ctx) => {
    const { home, model, records, probe, run } = await setup(ctx);
    await writeHooksFile(join(home.home, '.copilot', 'hooks', 'probe.json'), { sessionStart: await probe('start', { label: 'sessionStart', ...output }) });
    const result = await run('hello');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await readHookCalls(records)).toHaveLength(1);
    expect(model.requests.length).toBeGreaterThan(0);
    expect(locateText(model.requests[0]!.json, MARKER).map((location) => location.role)).toEqual(injected ? ['user'] : []);
  });

  it('sends .github/copilot-instructions.md inside the system message', async (ctx) => {
    const { model, repo, run } = await setup(ctx);
    const marker = 'HANDOFFS-E2E-COPILOT-INSTRUCTIONS-2b7e';
    await mkdir(join(repo, '.github'), { recursive: true });
    await writeFile(join(repo, '.github', 'copilot-instructions.md'), `${marker}: write a handoff before you finish.\n`);
    const result = await run('hello');
    expect(result.exitCode, result.stderr).toBe(0);
    const [location, ...others] = locateText(model.requests[0]!.json, marker);
    expect(others).toEqual([]);
    expect(location).toMatchObject({ path: 'messages[0].content', role: 'system' });
    expect(location!.text).toContain(`<custom_instruction>\n${marker}: write a handoff before you finish.\n\n</custom_instruction>`);
  });

  it('records the prompt, the hook, a todo list, a shell command, a file edit and the last message in events.jsonl', async (ctx) => {
    const todos = "INSERT INTO todos (id, title, description, status) VALUES ('notes-folder', 'Creating the notes folder', 'mkdir notes', 'done'), ('plan', 'Writing the plan', 'notes/plan.md', 'in_progress');";
    const shell = 'mkdir -p notes && printf "first line\\n" > notes/todo.txt && ls notes';
    const patch = ['*** Begin Patch', '*** Add File: notes/plan.md', '+# Plan', '+- write the handoff', '*** End Patch', ''].join('\n');
    const { home, model, repo, probe, run } = await setup(ctx, {
      turns: [
        { tool: 'sql', input: { description: 'Insert notes todos', query: todos } },
        { tool: 'bash', input: { command: shell, description: 'Create the notes folder' } },
        { tool: 'apply_patch', input: patch },
        { text: 'Created notes/todo.txt and notes/plan.md.' },
      ],
    });
    await writeHooksFile(join(home.home, '.copilot', 'hooks', 'probe.json'), {
      sessionStart: await probe('start', { label: 'sessionStart', stdout: JSON.stringify({ additionalContext: MARKER }) }),
    });
    const prompt = 'Start a notes folder with a todo list and a plan.';
    const result = await run(prompt, ['--allow-all-tools']);
    ctx.annotate(`copilot -p (4 model turns, 3 tools) wall time ${result.wallMs} ms`);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(model.requests).toHaveLength(4);
    expect(await readFile(join(repo, 'notes', 'todo.txt'), 'utf8')).toBe('first line\n');
    expect(await readFile(join(repo, 'notes', 'plan.md'), 'utf8')).toBe('# Plan\n- write the handoff\n');

    const events = (await readFile(result.transcriptPath!, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as CopilotEvent);
    expect(events[0]).toMatchObject({ type: 'session.start', data: { sessionId: result.sessionId, context: { cwd: repo } } });
    expect(events.find((event) => event.type === 'user.message')?.data).toMatchObject({ content: prompt });
    expect(events.find((event) => event.type === 'hook.end')?.data).toMatchObject({ hookType: 'sessionStart', success: true, output: { additionalContext: MARKER } });
    const started = events.filter((event) => event.type === 'tool.execution_start').map((event) => [event.data.toolName, event.data.arguments]);
    expect(started).toEqual([
      ['sql', { description: 'Insert notes todos', query: todos }],
      ['bash', { command: shell, description: 'Create the notes folder' }],
      ['apply_patch', patch],
    ]);
    expect(events.filter((event) => event.type === 'tool.execution_complete').map((event) => event.data.success)).toEqual([true, true, true]);
    expect(events.filter((event) => event.type === 'assistant.message').at(-1)?.data).toMatchObject({ content: 'Created notes/todo.txt and notes/plan.md.', toolRequests: [] });
    expect(events.at(-1)?.type).toBe('session.shutdown');
    await saveFixtureJsonl(result.transcriptPath!, 'transcripts/copilot/events.jsonl', (record) => {
      const data = record.data as { content?: string } | undefined;
      if (record.type !== 'system.message' || data === undefined) return record;
      return { ...record, data: { ...data, content: removedText("Copilot CLI's system prompt", data.content) } };
    });
  });

  describe('after `handoffs init --agent copilot` (the real CLI in the hooks)', () => {
    /** A scripted Copilot CLI with init's user-level hooks file written by the real CLI. */
    async function initialised(ctx: TestContext, script?: ModelScript) {
      const context = await setup(ctx, script);
      const init = await initAgent('copilot', context.home.env, context.repo);
      expect(init.stderr).toBe('');
      expect(init.code).toBe(0);
      return context;
    }

    it('a handoff written by another agent reaches the first request once, as its own user message (top-level additionalContext); a second session does not see it', async (ctx) => {
      const { home, model, repo, run } = await initialised(ctx);
      const writer = randomUUID();
      const body = `Login flow: the token refresh is untested. marker-${randomUUID()}`;
      const written = await handoffs(['write', '--slug', 'login', '--agent', 'gemini', '--session', writer], { env: home.env, cwd: repo, input: body });
      expect(written.code, written.stderr).toBe(0);

      const first = await run('hello');
      expect(first.exitCode, first.stderr).toBe(0);
      const requests = chatRequests(model);
      expect(requests).toHaveLength(1);
      const [location, ...others] = locateText(requests[0]!.json, body);
      expect(others).toEqual([]);
      expect(location).toMatchObject({ path: `messages[${topLevelIndex(location!)}].content`, role: 'user' });
      expect(location!.text).toMatch(/^Handoffs from 1 earlier session of this project, oldest first\./);
      expect(location!.text).toContain(originWords('Gemini CLI', writer));
      const messages = (requests[0]!.json as { messages: Array<{ role: string; content: unknown }> }).messages;
      expect(messages[topLevelIndex(location!)! + 1]).toMatchObject({ role: 'user', content: expect.stringMatching(/\n\nhello$/) });

      const second = await run('hello again');
      expect(second.exitCode, second.stderr).toBe(0);
      const later = chatRequests(model).slice(1);
      expect(later).toHaveLength(1);
      expect(later[0]!.body).not.toContain(body);
    });

    it("a handoff the agent writes through Copilot's shell records Copilot and the session (COPILOT_AGENT_SESSION_ID), so its sessionEnd hook adds no trace", async (ctx) => {
      const body = `Token refresh: covered by test/auth.test.ts now. marker-${randomUUID()}`;
      const command = `printf '%s\\n' ${shellQuote(body)} | ${HANDOFFS_COMMAND} write --slug token-refresh`;
      const { home, model, run } = await initialised(ctx, { turns: [{ tool: 'bash', input: { command, description: 'Write the handoff' } }, { text: 'Handoff written.' }] });
      // Copilot -p refuses a shell command that names a path outside the session's folder ("Permission
      // denied because no interactive user response was available"; --add-dir of this checkout is
      // not enough, the command also names this Node): the command here names both, a user's
      // `handoffs` on PATH names none.
      const session = await run('Finish the token refresh and hand off.', ['--allow-all-tools', '--allow-all-paths']);
      expect(session.exitCode, session.stderr).toBe(0);
      // The shell really ran it: `write` printed the new file's path into the tool result.
      expect(chatRequests(model).some((request) => /_token-refresh\.md/.test(request.body))).toBe(true);
      const stored = await storedHandoffs({ env: home.env });
      expect(stored.map((handoff) => [handoff.slug, handoff.meta.agent, handoff.meta.sessionId])).toEqual([['token-refresh', 'copilot', session.sessionId]]);
    });

    it('`handoffs end --hook` at sessionEnd writes a trace naming the session (Copilot gives no transcript path) before Copilot exits', async (ctx) => {
      const shell = 'printf "first line\\n" > todo.txt';
      const { home, repo, run } = await initialised(ctx, { turns: [{ tool: 'bash', input: { command: shell, description: 'Start the todo list' } }, { text: 'Wrote todo.txt.' }] });
      const session = await run('Start a todo list.', ['--allow-all-tools']);
      expect(session.exitCode, session.stderr).toBe(0);
      expect(await readFile(join(repo, 'todo.txt'), 'utf8')).toBe('first line\n');
      expect(session.sessionId).toBeDefined();

      const traces = (await storedHandoffs({ env: home.env })).filter((handoff) => handoff.meta.sessionId === session.sessionId);
      expect(traces).toHaveLength(1);
      const trace = traces[0]!;
      expect(trace.meta).toMatchObject({ agent: 'copilot', project: repo });
      expect(tagsOf(trace)).toEqual(['auto', 'session-end']);
      expect(trace.body).toContain(`Copilot CLI session ${session.sessionId}`);
      // Copilot 1.0.102 writes the session's event log only after its sessionEnd hook returned (a
      // hook listing ~/.copilot/session-state/<id>/ then finds no events.jsonl): the trace names
      // where the log will be, and says why it is not read.
      expect(trace.body).toContain('Copilot CLI writes its event log only after its sessionEnd hook');
      expect(trace.body).toContain(`- Transcript: ${join(home.home, '.copilot', 'session-state', session.sessionId!, 'events.jsonl')}`);
      expect(Date.parse(trace.createdAt)).toBeLessThanOrEqual(session.endedAt);
      ctx.annotate(`sessionEnd trace written ${session.endedAt - Date.parse(trace.createdAt)} ms before copilot exited`);
    });
  });
});

/** The chat completions requests a model endpoint received, in order. */
function chatRequests(model: ModelServer) {
  return model.requests.filter((request) => request.method === 'POST' && request.url === '/v1/chat/completions');
}

interface CopilotEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}
