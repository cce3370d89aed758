import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Installed } from '../lib/cache.js';
import { saveFixtureFile, saveFixtureText } from '../lib/fixtures.js';
import { startGeminiModel } from '../lib/gemini.js';
import { GEMINI_CLI, installGeminiCli, runGemini, trustGeminiFolder, writeGeminiSettings } from '../lib/gemini-cli.js';
import { handoffs } from '../lib/handoffs-cli.js';
import { type HookProbeOptions, readHookCalls, wasKilled, writeHookProbe } from '../lib/hook-probe.js';
import { tempHome } from '../lib/home.js';
import { initAgent } from '../lib/init-agent.js';
import type { ModelScript } from '../lib/model-script.js';
import { makeRepo } from '../lib/repo.js';
import { locateText } from '../lib/request-search.js';
import { originWords, storedHandoffs, tagsOf } from '../lib/stored-handoffs.js';

const MARKER = 'HANDOFFS-E2E-GEMINI-START-8c2a';

let installed: Installed;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  installed = await installGeminiCli();
  if (!installed.ok) console.warn(`Gemini CLI e2e skipped: ${installed.reason}`);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A temp HOME with a repository and a scripted model; `script` may depend on the repository's path. */
async function setup(ctx: TestContext, script: (repo: string) => ModelScript = () => ({ turns: [{ text: 'scripted reply' }] })) {
  if (!installed.ok) ctx.skip(installed.reason);
  const ok = installed as Extract<Installed, { ok: true }>;
  const home = await tempHome();
  cleanups.push(() => home.dispose());
  const repo = await makeRepo(home.home);
  const model = await startGeminiModel(script(repo));
  cleanups.push(() => model.close());
  const records = join(home.home, 'hook-records');
  const probe = (name: string, options: Omit<HookProbeOptions, 'scriptPath' | 'recordDir'>) =>
    writeHookProbe({ scriptPath: join(home.home, 'probes', `${name}.mjs`), recordDir: records, ...options });
  const run = (prompt: string, args: readonly string[] = []) => runGemini({ installed: ok, home, cwd: repo, modelUrl: model.url, prompt, args });
  return { home, model, repo, records, probe, run };
}

/** Gemini's hook settings: timeouts in milliseconds, a `name` per hook. */
function hookSettings(commands: { SessionStart?: string; SessionEnd?: string }, endTimeoutMs = 30_000): Record<string, unknown> {
  const hooks: Record<string, unknown> = {};
  if (commands.SessionStart) hooks.SessionStart = [{ hooks: [{ name: 'probe-start', type: 'command', command: commands.SessionStart, timeout: 30_000 }] }];
  if (commands.SessionEnd) hooks.SessionEnd = [{ hooks: [{ name: 'probe-end', type: 'command', command: commands.SessionEnd, timeout: endTimeoutMs }] }];
  return { hooks };
}

function sessionStartOutput(text: string): string {
  return JSON.stringify({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: text } });
}

describe(`Gemini CLI ${GEMINI_CLI.version} (real client, scripted streamGenerateContent endpoint)`, () => {
  it('exits 55 in an untrusted folder before any hook or request, and runs hooks once trustedFolders.json trusts it', async (ctx) => {
    const { home, model, repo, records, probe, run } = await setup(ctx);
    await writeGeminiSettings(
      join(home.home, '.gemini', 'settings.json'),
      hookSettings({ SessionStart: await probe('start', { label: 'SessionStart', stdout: sessionStartOutput(MARKER) }) }),
    );
    const untrusted = await run('hello');
    expect(untrusted.exitCode).toBe(55);
    expect(untrusted.stderr).toContain('not running in a trusted directory');
    expect(await readHookCalls(records)).toEqual([]);
    expect(model.requests).toEqual([]);

    await trustGeminiFolder(home.home, repo);
    const trusted = await run('hello');
    ctx.annotate(`gemini -p wall time ${trusted.wallMs} ms`);
    expect(trusted.exitCode, trusted.stderr).toBe(0);
    expect((await readHookCalls(records)).map((call) => call.label)).toEqual(['SessionStart']);
    const request = model.requests[0]!;
    expect(request.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    const [location, ...others] = locateText(request.json, MARKER);
    expect(others).toEqual([]);
    // The context is prepended to the user's own prompt, in the same text part.
    expect(location).toMatchObject({ role: 'user', text: `<hook_context>${MARKER}</hook_context>\n\nhello` });
    expect(location!.path).toMatch(/^contents\[0\]\.parts\[\d+\]\.text$/);
  });

  it('gives SessionStart and SessionEnd the session id, chat log path, cwd and reason, and Gemini variables in the environment', async (ctx) => {
    const { home, repo, records, probe, run } = await setup(ctx);
    await writeGeminiSettings(
      join(home.home, '.gemini', 'settings.json'),
      hookSettings({
        SessionStart: await probe('start', { label: 'SessionStart', stdout: sessionStartOutput(MARKER) }),
        SessionEnd: await probe('end', { label: 'SessionEnd' }),
      }),
    );
    const result = await run('hello', ['--skip-trust']);
    expect(result.exitCode, result.stderr).toBe(0);
    const [start, end] = await readHookCalls(records);
    const common = { session_id: result.sessionId, transcript_path: result.transcriptPath, cwd: repo, timestamp: expect.any(String) };
    expect(start!.input).toEqual({ ...common, hook_event_name: 'SessionStart', source: 'startup' });
    expect(end!.input).toEqual({ ...common, hook_event_name: 'SessionEnd', reason: 'exit' });
    expect(start!.env).toMatchObject({
      GEMINI_SESSION_ID: result.sessionId,
      GEMINI_PROJECT_DIR: repo,
      GEMINI_CWD: repo,
      CLAUDE_PROJECT_DIR: repo,
      // Set by --skip-trust for the whole process tree.
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
    });
    ctx.annotate(`SessionStart stdin: ${start!.stdin}`);
    ctx.annotate(`SessionEnd stdin: ${end!.stdin}`);
    await saveFixtureText('hook-input/gemini/session-start.json', `${JSON.stringify(start!.input, null, 2)}\n`);
    await saveFixtureText('hook-input/gemini/session-end.json', `${JSON.stringify(end!.input, null, 2)}\n`);
  });

  it('waits for SessionEnd until its own timeout (milliseconds), then kills it', async (ctx) => {
    const { home, records, probe, run } = await setup(ctx);
    const settings = join(home.home, '.gemini', 'settings.json');
    await writeGeminiSettings(settings, hookSettings({ SessionEnd: await probe('end-slow', { label: 'finishes', delayMs: 3_000 }) }, 30_000));
    const waited = await run('hello', ['--skip-trust']);
    expect(waited.exitCode, waited.stderr).toBe(0);
    const [finished] = await readHookCalls(records);
    expect(waited.endedAt).toBeGreaterThanOrEqual(finished!.finishedAt!);

    await writeGeminiSettings(settings, hookSettings({ SessionEnd: await probe('end-killed', { label: 'killed', delayMs: 8_000 }) }, 3_000));
    const cut = await run('hello', ['--skip-trust']);
    expect(cut.exitCode, cut.stderr).toBe(0);
    const killed = (await readHookCalls(records)).find((call) => call.label === 'killed')!;
    // Waited (the probe's own start-up is the slack below 3 s), then killed it: it never finished.
    expect(cut.endedAt - killed.startedAt).toBeGreaterThanOrEqual(2_000);
    expect(await wasKilled(records, 'killed', 8_000)).toBe(true);
  });

  // Gemini parses stdout (or, when stdout is empty, stderr) as JSON whatever the exit code, so a hook
  // that fails after printing its output still injects it; text that is not JSON is shown to the
  // user as a "Hook system message" and never reaches the model.
  it.for([
    { case: 'exits 1 after printing its JSON', probe: { exitCode: 1, stdout: sessionStartOutput(MARKER) }, injected: true },
    { case: 'exits 2 after printing its JSON', probe: { exitCode: 2, stdout: sessionStartOutput(MARKER) }, injected: true },
    { case: 'exits 1 printing nothing', probe: { exitCode: 1 }, injected: false },
    { case: 'prints invalid JSON', probe: { stdout: `{"hookSpecificOutput": ${MARKER}` }, injected: false },
    { case: 'prints plain text', probe: { stdout: `${MARKER}\n` }, injected: false },
  ])('still starts the session when SessionStart $case (context sent: $injected)', async ({ probe: output, injected }, ctx) => {
    const { home, model, records, probe, run } = await setup(ctx);
    await writeGeminiSettings(join(home.home, '.gemini', 'settings.json'), hookSettings({ SessionStart: await probe('start', { label: 'SessionStart', ...output }) }));
    const result = await run('hello', ['--skip-trust']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await readHookCalls(records)).toHaveLength(1);
    expect(model.requests).toHaveLength(1);
    expect(locateText(model.requests[0]!.json, MARKER).map((location) => location.role)).toEqual(injected ? ['user'] : []);
  });

  it('runs project .gemini/settings.json hooks in a trusted folder without hooksConfig, warning once and remembering them', async (ctx) => {
    const { home, model, repo, records, probe, run } = await setup(ctx);
    await writeGeminiSettings(join(home.home, '.gemini', 'settings.json'));
    const command = await probe('project-start', { label: 'project', stdout: sessionStartOutput(MARKER) });
    await writeGeminiSettings(join(repo, '.gemini', 'settings.json'), hookSettings({ SessionStart: command }));
    await trustGeminiFolder(home.home, repo);
    const first = await run('hello');
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toContain('project-level hooks have been detected');
    expect(locateText(model.requests[0]!.json, MARKER).map((location) => location.role)).toEqual(['user']);
    expect(JSON.parse(await readFile(join(home.home, '.gemini', 'trusted_hooks.json'), 'utf8'))).toEqual({ [repo]: [`probe-start:${command}`] });
    const second = await run('hello');
    expect(second.stderr).not.toContain('project-level hooks have been detected');
    expect(await readHookCalls(records)).toHaveLength(2);
  });

  it('sends GEMINI.md at the repository root inside the first user content', async (ctx) => {
    const { home, model, repo, run } = await setup(ctx);
    await writeGeminiSettings(join(home.home, '.gemini', 'settings.json'));
    const marker = 'HANDOFFS-E2E-GEMINI-MD-8c2a';
    await writeFile(join(repo, 'GEMINI.md'), `${marker}: write a handoff before you finish.\n`);
    const result = await run('hello', ['--skip-trust']);
    expect(result.exitCode, result.stderr).toBe(0);
    const [location, ...others] = locateText(model.requests[0]!.json, marker);
    expect(others).toEqual([]);
    expect(location!.path).toBe('contents[0].parts[0].text');
    expect(location!.role).toBe('user');
    expect(location!.text).toContain(`--- Context from: ${join(repo, 'GEMINI.md')} ---\n${marker}: write a handoff before you finish.`);
  });

  it('records the prompt, a todo list, a shell command, a file write and the last message in its chat log', async (ctx) => {
    const todos = [
      { description: 'Create the notes folder', status: 'completed' },
      { description: 'Write the plan', status: 'in_progress' },
    ];
    const shell = 'mkdir -p notes && printf "first line\\n" > notes/todo.txt && ls notes';
    const { home, model, repo, probe, run } = await setup(ctx, (repo) => ({
      turns: [
        { tool: 'write_todos', input: { todos } },
        { tool: 'run_shell_command', input: { command: shell, description: 'Create the notes folder' } },
        { tool: 'write_file', input: { file_path: join(repo, 'notes', 'plan.md'), content: '# Plan\n- write the handoff\n' } },
        { text: 'Created notes/todo.txt and notes/plan.md.' },
      ],
    }));
    await writeGeminiSettings(join(home.home, '.gemini', 'settings.json'), hookSettings({ SessionStart: await probe('start', { label: 'SessionStart', stdout: sessionStartOutput(MARKER) }) }));
    const prompt = 'Start a notes folder with a todo list and a plan.';
    const result = await run(prompt, ['--skip-trust', '--approval-mode', 'yolo']);
    ctx.annotate(`gemini -p (4 model turns, 3 tools) wall time ${result.wallMs} ms`);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(model.requests).toHaveLength(4);
    expect(await readFile(join(repo, 'notes', 'todo.txt'), 'utf8')).toBe('first line\n');
    expect(await readFile(join(repo, 'notes', 'plan.md'), 'utf8')).toBe('# Plan\n- write the handoff\n');

    const log = (await readFile(result.transcriptPath!, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as ChatLogLine);
    expect(log[0]).toMatchObject({ sessionId: result.sessionId, kind: 'main' });
    // A message is written when it starts and written again, same id, as it grows; the last copy wins.
    const messages = new Map<string, ChatLogLine>();
    for (const line of log) if (typeof line.id === 'string' && typeof line.type === 'string') messages.set(line.id, line);
    const final = [...messages.values()];
    expect(final.find((message) => message.type === 'user' && JSON.stringify(message.content).includes(prompt))?.content).toEqual([
      { text: `<hook_context>${MARKER}</hook_context>\n\n${prompt}` },
    ]);
    const calls = final.flatMap((message) => message.toolCalls ?? []);
    expect(calls.map((call) => [call.name, call.args])).toEqual([
      ['write_todos', { todos }],
      ['run_shell_command', { command: shell, description: 'Create the notes folder' }],
      ['write_file', { file_path: join(repo, 'notes', 'plan.md'), content: '# Plan\n- write the handoff\n' }],
    ]);
    expect(calls.every((call) => call.status === 'success')).toBe(true);
    expect(final.filter((message) => message.type === 'gemini').at(-1)?.content).toBe('Created notes/todo.txt and notes/plan.md.');
    await saveFixtureFile(result.transcriptPath!, 'transcripts/gemini/chat.jsonl');
  });

  describe('after `handoffs init --agent gemini` (the real CLI in the hooks)', () => {
    /** A scripted Gemini CLI with API-key auth, init's hooks merged in by the real CLI, the repository trusted. */
    async function initialised(ctx: TestContext, script?: (repo: string) => ModelScript) {
      const context = await setup(ctx, script);
      await writeGeminiSettings(join(context.home.home, '.gemini', 'settings.json'));
      const init = await initAgent('gemini', context.home.env, context.repo);
      expect(init.stderr).toBe('');
      expect(init.code).toBe(0);
      // What a user does when Gemini asks (init says so): trust the folder.
      await trustGeminiFolder(context.home.home, context.repo);
      return context;
    }

    it('a handoff written by another agent reaches the first request once, inside <hook_context> before the prompt; a second session does not see it', async (ctx) => {
      const { home, model, repo, run } = await initialised(ctx);
      const writer = randomUUID();
      const body = `The cache layer needs its eviction test. marker-${randomUUID()}`;
      const written = await handoffs(['write', '--slug', 'cache', '--agent', 'codex', '--session', writer], { env: home.env, cwd: repo, input: body });
      expect(written.code, written.stderr).toBe(0);

      const first = await run('hello');
      expect(first.exitCode, first.stderr).toBe(0);
      expect(model.requests).toHaveLength(1);
      const [location, ...others] = locateText(model.requests[0]!.json, body);
      expect(others).toEqual([]);
      expect(location!.role).toBe('user');
      expect(location!.path).toMatch(/^contents\[0\]\.parts\[\d+\]\.text$/);
      // The context is the prompt's own text part: wrapped, then the prompt after a blank line.
      expect(location!.text).toMatch(/^<hook_context>Handoffs from 1 earlier session of this project, oldest first\./);
      expect(location!.text.endsWith('</hook_context>\n\nhello')).toBe(true);
      expect(location!.text).toContain(originWords('Codex', writer));

      const second = await run('hello again');
      expect(second.exitCode, second.stderr).toBe(0);
      expect(model.requests).toHaveLength(2);
      expect(model.requests[1]!.body).not.toContain(body);
    });

    it('`handoffs end --hook` at SessionEnd writes a trace naming the session and its chat log (transcript_path) before Gemini exits', async (ctx) => {
      const shell = 'printf "first line\\n" > todo.txt';
      const { home, repo, run } = await initialised(ctx, () => ({
        turns: [{ tool: 'run_shell_command', input: { command: shell, description: 'Start the todo list' } }, { text: 'Wrote todo.txt.' }],
      }));
      const session = await run('Start a todo list.', ['--approval-mode', 'yolo']);
      expect(session.exitCode, session.stderr).toBe(0);
      expect(await readFile(join(repo, 'todo.txt'), 'utf8')).toBe('first line\n');
      expect(session.transcriptPath).toBeDefined();

      const traces = (await storedHandoffs({ env: home.env })).filter((handoff) => handoff.meta.sessionId === session.sessionId);
      expect(traces).toHaveLength(1);
      const trace = traces[0]!;
      expect(trace.meta).toMatchObject({ agent: 'gemini', project: repo });
      expect(tagsOf(trace)).toEqual(['auto', 'session-end']);
      expect(trace.body).toContain(`Gemini CLI session ${session.sessionId}`);
      expect(trace.body).toContain(session.transcriptPath!);
      // Built from the chat log: the request, the command the session ran, its last message.
      expect(trace.body).toContain('this is what its transcript shows');
      expect(trace.body).toContain('Start a todo list.');
      expect(trace.body).toContain(shell);
      expect(trace.body).toContain('Wrote todo.txt.');
      // Gemini waited for it: written before the process ended.
      expect(Date.parse(trace.createdAt)).toBeLessThanOrEqual(session.endedAt);
      ctx.annotate(`SessionEnd trace written ${session.endedAt - Date.parse(trace.createdAt)} ms before gemini exited`);
    });
  });
});

interface ChatLogLine {
  readonly id?: string;
  readonly type?: string;
  readonly content?: unknown;
  readonly toolCalls?: Array<{ name: string; args: unknown; status: string }>;
  readonly [key: string]: unknown;
}
