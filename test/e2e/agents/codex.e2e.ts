import { randomUUID } from 'node:crypto';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Installed } from '../lib/cache.js';
import { CODEX, codexBinary, installCodex, runCodex, writeCodexConfig } from '../lib/codex.js';
import { withCodexAppServer } from '../lib/codex-app-server.js';
import { removedText, saveFixtureJsonl, saveFixtureText } from '../lib/fixtures.js';
import { HANDOFFS_COMMAND, handoffs } from '../lib/handoffs-cli.js';
import { readHookCalls, wasKilled, writeHookProbe } from '../lib/hook-probe.js';
import { type TempHome, tempHome } from '../lib/home.js';
import { initAgent, putOnPath } from '../lib/init-agent.js';
import type { ModelScript } from '../lib/model-script.js';
import type { ModelServer } from '../lib/model-server.js';
import { startResponsesModel } from '../lib/openai-responses.js';
import { makeRepo } from '../lib/repo.js';
import { locateText, topLevelIndex } from '../lib/request-search.js';
import { originWords, storedHandoffs, tagsOf } from '../lib/stored-handoffs.js';

const MARKER = 'HANDOFFS-E2E-CODEX-START-4d1f';
const END_MARKER = 'HANDOFFS-E2E-CODEX-END-4d1f';

let installed: Installed;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  installed = await installCodex();
  if (!installed.ok) console.warn(`Codex e2e skipped: ${installed.reason}`);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A temp HOME with a repository and a scripted model, Codex configured to use it. */
async function setup(ctx: TestContext, script: ModelScript = { turns: [{ text: 'scripted reply' }] }) {
  if (!installed.ok) ctx.skip(installed.reason);
  const ok = installed as Extract<Installed, { ok: true }>;
  const home: TempHome = await tempHome();
  cleanups.push(() => home.dispose());
  const model: ModelServer = await startResponsesModel(script);
  cleanups.push(() => model.close());
  await writeCodexConfig(home.home, { modelUrl: model.url });
  const repo = await makeRepo(home.home);
  const records = join(home.home, 'hook-records');
  const trust = (cwd: string, project = false) =>
    withCodexAppServer({ binary: codexBinary(ok), env: home.env, cwd }, async (server) => {
      if (project) await server.trustProject(cwd);
      await server.trustHooks(cwd);
      return server.listHooks(cwd);
    });
  return { ok, home, model, repo, records, trust };
}

/** A hand-written `hooks.json` (Claude Code's shape) with one command per event. */
async function writeHooksJson(file: string, commands: { SessionStart?: string; SessionEnd?: string }, endTimeoutSec = 30): Promise<void> {
  const hooks: Record<string, unknown> = {};
  if (commands.SessionStart) hooks.SessionStart = [{ hooks: [{ type: 'command', command: commands.SessionStart, timeout: 30 }] }];
  if (commands.SessionEnd) hooks.SessionEnd = [{ hooks: [{ type: 'command', command: commands.SessionEnd, timeout: endTimeoutSec }] }];
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, JSON.stringify({ hooks }, null, 2));
}

function sessionStartOutput(text: string): string {
  return JSON.stringify({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: text } });
}

describe(`Codex CLI ${CODEX.version} (real client, scripted Responses endpoint)`, () => {
  it('skips untrusted hooks silently, and runs them once trust is recorded through its app server (no bypass flag)', async (ctx) => {
    const { home, model, repo, records, trust } = await setup(ctx);
    await writeHooksJson(join(home.home, '.codex', 'hooks.json'), {
      SessionStart: await writeHookProbe({ scriptPath: join(home.home, 'probes', 'start.mjs'), recordDir: records, label: 'SessionStart', stdout: sessionStartOutput(MARKER) }),
      SessionEnd: await writeHookProbe({ scriptPath: join(home.home, 'probes', 'end.mjs'), recordDir: records, label: 'SessionEnd' }),
    });

    const untrusted = await runCodex({ installed: installed as Extract<Installed, { ok: true }>, home, cwd: repo, prompt: 'first prompt' });
    expect(untrusted.exitCode, untrusted.stderr).toBe(0);
    expect(await readHookCalls(records)).toEqual([]);
    expect(model.requests.some((request) => request.body.includes(MARKER))).toBe(false);

    const listed = await trust(repo);
    expect(listed.hooks.map((hook) => [hook.eventName, hook.source, hook.trustStatus])).toEqual([
      ['sessionStart', 'user', 'trusted'],
      ['sessionEnd', 'user', 'trusted'],
    ]);
    const config = await readFile(join(home.home, '.codex', 'config.toml'), 'utf8');
    expect(config).toContain(`[hooks.state."${join(home.home, '.codex', 'hooks.json')}:session_start:0:0"]`);
    expect(config).toMatch(/trusted_hash = "sha256:[0-9a-f]{64}"/);

    const before = model.requests.length;
    const trusted = await runCodex({ installed: installed as Extract<Installed, { ok: true }>, home, cwd: repo, prompt: 'second prompt' });
    ctx.annotate(`codex exec wall time ${trusted.wallMs} ms`);
    expect(trusted.exitCode, trusted.stderr).toBe(0);
    expect((await readHookCalls(records)).map((call) => call.label)).toEqual(['SessionStart', 'SessionEnd']);

    const first = model.requests[before]!;
    const [location, ...others] = locateText(first.json, MARKER);
    expect(others).toEqual([]);
    expect(location).toMatchObject({ role: 'developer', text: MARKER });
    expect(location!.path).toMatch(/^input\[\d+\]\.content\[0\]\.text$/);
    const input = (first.json as { input: Array<{ role?: string; content?: Array<{ text?: string }> }> }).input;
    const next = input[topLevelIndex(location!)! + 1];
    expect(next).toMatchObject({ role: 'user', content: [{ type: 'input_text', text: 'second prompt' }] });
  });

  it('gives SessionStart and SessionEnd the session id, rollout path, cwd and reason, and records the context in the rollout', async (ctx) => {
    const { ok, home, repo, records, trust } = await setup(ctx);
    await writeHooksJson(join(home.home, '.codex', 'hooks.json'), {
      SessionStart: await writeHookProbe({ scriptPath: join(home.home, 'probes', 'start.mjs'), recordDir: records, label: 'SessionStart', stdout: sessionStartOutput(MARKER) }),
      SessionEnd: await writeHookProbe({ scriptPath: join(home.home, 'probes', 'end.mjs'), recordDir: records, label: 'SessionEnd', stdout: END_MARKER }),
    });
    await trust(repo);
    const run = await runCodex({ installed: ok, home, cwd: repo, prompt: 'hello' });
    expect(run.exitCode, run.stderr).toBe(0);
    const [start, end] = await readHookCalls(records);
    expect(start!.input).toEqual({
      session_id: run.sessionId,
      transcript_path: run.transcriptPath,
      cwd: repo,
      hook_event_name: 'SessionStart',
      model: 'gpt-5.5',
      permission_mode: expect.any(String),
      source: 'startup',
    });
    expect(end!.input).toEqual({ session_id: run.sessionId, transcript_path: run.transcriptPath, cwd: repo, hook_event_name: 'SessionEnd', reason: 'other' });
    // Hooks inherit Codex's environment plus two variables of its npm wrapper; no session variables.
    expect(Object.keys(start!.env).filter((key) => key.startsWith('CODEX_')).sort()).toEqual(['CODEX_MANAGED_BY_NPM', 'CODEX_MANAGED_PACKAGE_ROOT']);
    expect(start!.env.HOME).toBe(home.home);
    ctx.annotate(`SessionStart stdin: ${start!.stdin}`);
    ctx.annotate(`SessionEnd stdin: ${end!.stdin}`);
    await saveFixtureText('hook-input/codex/session-start.json', `${JSON.stringify(start!.input, null, 2)}\n`);
    await saveFixtureText('hook-input/codex/session-end.json', `${JSON.stringify(end!.input, null, 2)}\n`);

    const rollout = (await readFile(run.transcriptPath!, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as RolloutLine);
    const injected = rollout.find((line) => line.type === 'response_item' && JSON.stringify(line.payload).includes(MARKER));
    expect(injected?.payload).toMatchObject({
      type: 'message',
      role: 'developer',
      content: [{ type: 'input_text', text: MARKER }],
      internal_chat_message_metadata_passthrough: { content_item_kinds: ['hooks.additional_context'] },
    });
    // SessionEnd output goes nowhere the model or the rollout sees.
    expect(JSON.stringify(rollout)).not.toContain(END_MARKER);
  });

  it('waits for SessionEnd at most 3 s whatever its timeout says, then kills it', async (ctx) => {
    const { ok, home, repo, records, trust } = await setup(ctx);
    await writeHooksJson(
      join(home.home, '.codex', 'hooks.json'),
      { SessionEnd: await writeHookProbe({ scriptPath: join(home.home, 'probes', 'end.mjs'), recordDir: records, label: 'SessionEnd', delayMs: 8_000 }) },
      30,
    );
    await trust(repo);
    const run = await runCodex({ installed: ok, home, cwd: repo, prompt: 'hello' });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('clamping SessionEnd hook timeout to 3s');
    const [end] = await readHookCalls(records);
    // Codex waited (the probe's own start-up is the slack below 3 s), then killed the hook before
    // its 8 s of work were done: it never finished, not even after Codex had exited.
    expect(run.endedAt - end!.startedAt).toBeGreaterThanOrEqual(2_000);
    expect(await wasKilled(records, 'SessionEnd', 8_000)).toBe(true);
  });

  it.for([
    { case: 'exits 1', probe: { exitCode: 1, stdout: sessionStartOutput(MARKER) }, injected: false },
    { case: 'exits 2', probe: { exitCode: 2, stdout: sessionStartOutput(MARKER) }, injected: false },
    { case: 'prints invalid JSON', probe: { stdout: `{"hookSpecificOutput": ${MARKER}` }, injected: false },
    { case: 'prints plain text', probe: { stdout: `${MARKER}\n` }, injected: true },
  ])('still starts the session when SessionStart $case (context sent: $injected)', async ({ probe, injected }, ctx) => {
    const { ok, home, model, repo, records, trust } = await setup(ctx);
    await writeHooksJson(join(home.home, '.codex', 'hooks.json'), {
      SessionStart: await writeHookProbe({ scriptPath: join(home.home, 'probes', 'start.mjs'), recordDir: records, label: 'SessionStart', ...probe }),
    });
    await trust(repo);
    const run = await runCodex({ installed: ok, home, cwd: repo, prompt: 'hello' });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await readHookCalls(records)).toHaveLength(1);
    expect(model.requests.length).toBeGreaterThan(0);
    expect(run.stderr).toContain(injected ? 'SessionStart Completed' : 'SessionStart Failed');
    expect(locateText(model.requests[0]!.json, MARKER).map((location) => location.role)).toEqual(injected ? ['developer'] : []);
  });

  it('reads the project .codex/hooks.json beside the user one only once the project and its hooks are trusted', async (ctx) => {
    const { ok, home, model, repo, records, trust } = await setup(ctx);
    const projectMarker = `${MARKER}-project`;
    await writeHooksJson(join(home.home, '.codex', 'hooks.json'), {
      SessionStart: await writeHookProbe({ scriptPath: join(home.home, 'probes', 'user.mjs'), recordDir: records, label: 'user', stdout: sessionStartOutput(MARKER) }),
    });
    await writeHooksJson(join(repo, '.codex', 'hooks.json'), {
      SessionStart: await writeHookProbe({ scriptPath: join(home.home, 'probes', 'project.mjs'), recordDir: records, label: 'project', stdout: sessionStartOutput(projectMarker) }),
    });

    const userOnly = await trust(repo);
    expect(userOnly.hooks.map((hook) => hook.source)).toEqual(['user']);
    await runCodex({ installed: ok, home, cwd: repo, prompt: 'hello' });
    expect((await readHookCalls(records)).map((call) => call.label)).toEqual(['user']);

    const both = await trust(repo, true);
    expect(both.hooks.map((hook) => [hook.source, hook.trustStatus])).toEqual([
      ['user', 'trusted'],
      ['project', 'trusted'],
    ]);
    expect(await readFile(join(home.home, '.codex', 'config.toml'), 'utf8')).toContain(`[projects."${repo}"]\ntrust_level = "trusted"`);
    const before = model.requests.length;
    const run = await runCodex({ installed: ok, home, cwd: repo, prompt: 'hello again' });
    expect(run.exitCode, run.stderr).toBe(0);
    const request = model.requests[before]!.json;
    const user = locateText(request, MARKER).filter((location) => location.text === MARKER);
    const project = locateText(request, projectMarker);
    expect(user.map((location) => location.role)).toEqual(['developer']);
    expect(project.map((location) => location.role)).toEqual(['developer']);
    // Each hook's context is its own developer message, user layer first, both before the prompt.
    expect(topLevelIndex(project[0]!)).toBe(topLevelIndex(user[0]!)! + 1);
  });

  it('sends AGENTS.md at the repository root as a user message of the first request', async (ctx) => {
    const { ok, home, model, repo } = await setup(ctx);
    const marker = 'HANDOFFS-E2E-CODEX-AGENTS-MD-4d1f';
    await writeFile(join(repo, 'AGENTS.md'), `${marker}: write a handoff before you finish.\n`);
    const run = await runCodex({ installed: ok, home, cwd: repo, prompt: 'hello' });
    expect(run.exitCode, run.stderr).toBe(0);
    const [location, ...others] = locateText(model.requests[0]!.json, marker);
    expect(others).toEqual([]);
    expect(location!.role).toBe('user');
    expect(location!.path).toMatch(/^input\[\d+\]\.content\[0\]\.text$/);
    expect(location!.text).toBe(`# AGENTS.md instructions for ${repo}\n\n<INSTRUCTIONS>\n${marker}: write a handoff before you finish.\n\n</INSTRUCTIONS>`);
  });

  it('records the prompt, a shell command, a file edit and the last message in its rollout', async (ctx) => {
    const shell = 'mkdir -p notes && printf "first line\\n" > notes/todo.txt && ls notes';
    const patch = ['*** Begin Patch', '*** Add File: notes/plan.md', '+# Plan', '+- write the handoff', '*** Update File: notes/todo.txt', '@@', ' first line', '+second line', '*** End Patch', ''].join('\n');
    const { ok, home, model, repo, records, trust } = await setup(ctx, {
      turns: [{ tool: 'exec_command', input: { cmd: shell } }, { tool: 'apply_patch', input: patch }, { text: 'Created notes/todo.txt and notes/plan.md.' }],
    });
    await writeHooksJson(join(home.home, '.codex', 'hooks.json'), {
      SessionStart: await writeHookProbe({ scriptPath: join(home.home, 'probes', 'start.mjs'), recordDir: records, label: 'SessionStart', stdout: sessionStartOutput(MARKER) }),
    });
    await trust(repo);
    const run = await runCodex({ installed: ok, home, cwd: repo, prompt: 'Start a notes folder with a todo list and a plan.', args: ['-s', 'workspace-write'] });
    ctx.annotate(`codex exec (3 model turns, 2 tools) wall time ${run.wallMs} ms`);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(model.requests).toHaveLength(3);
    expect(await readFile(join(repo, 'notes', 'todo.txt'), 'utf8')).toBe('first line\nsecond line\n');
    expect(await readFile(join(repo, 'notes', 'plan.md'), 'utf8')).toBe('# Plan\n- write the handoff\n');

    const rollout = (await readFile(run.transcriptPath!, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as RolloutLine);
    const items = rollout.filter((line) => line.type === 'response_item').map((line) => line.payload);
    expect(rollout[0]).toMatchObject({ type: 'session_meta', payload: { id: run.sessionId, cwd: repo } });
    expect(items).toContainEqual(expect.objectContaining({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Start a notes folder with a todo list and a plan.' }] }));
    expect(items).toContainEqual(expect.objectContaining({ type: 'function_call', name: 'exec_command', arguments: JSON.stringify({ cmd: shell }) }));
    expect(items).toContainEqual(expect.objectContaining({ type: 'custom_tool_call', name: 'apply_patch', input: patch }));
    expect(items.filter((item) => item.type === 'function_call_output' || item.type === 'custom_tool_call_output')).toHaveLength(2);
    expect(items.at(-1)).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Created notes/todo.txt and notes/plan.md.' }] });
    expect(rollout.filter((line) => line.type === 'event_msg').map((line) => line.payload.type)).toContain('task_complete');
    expect(rollout.findLast((line) => line.type === 'event_msg' && line.payload.type === 'task_complete')?.payload).toMatchObject({ last_agent_message: 'Created notes/todo.txt and notes/plan.md.' });
    await saveFixtureJsonl(run.transcriptPath!, 'transcripts/codex/rollout.jsonl', (record) => {
      const payload = record.payload as { base_instructions?: { text?: string } } | undefined;
      if (record.type !== 'session_meta' || !payload?.base_instructions) return record;
      return { ...record, payload: { ...payload, base_instructions: { text: removedText("Codex's base instructions", payload.base_instructions.text) } } };
    });
  });

  describe('after `handoffs init --agent codex` (the real CLI in the hooks)', () => {
    /** A scripted Codex with init's hooks installed by the real CLI, trust included. */
    async function initialised(ctx: TestContext, script?: ModelScript) {
      const context = await setup(ctx, script);
      putOnPath(context.home.env, context.ok);
      const init = await initAgent('codex', context.home.env, context.repo);
      expect(init.stderr).toBe('');
      expect(init.code).toBe(0);
      const run = (prompt: string, args: readonly string[] = []) => runCodex({ installed: context.ok, home: context.home, cwd: context.repo, prompt, args });
      return { ...context, init, run };
    }

    it('a handoff written by another agent reaches the first request once, as a developer message before the prompt; a second session does not see it', async (ctx) => {
      const { home, model, repo, run } = await initialised(ctx);
      const writer = randomUUID();
      const body = `The API client is half migrated; finish src/api.ts. marker-${randomUUID()}`;
      const written = await handoffs(['write', '--slug', 'api-client', '--agent', 'claude', '--session', writer], { env: home.env, cwd: repo, input: body });
      expect(written.code, written.stderr).toBe(0);

      const first = await run('first prompt');
      expect(first.exitCode, first.stderr).toBe(0);
      const requests = responsesRequests(model);
      expect(requests).toHaveLength(1);
      const [location, ...others] = locateText(requests[0]!.json, body);
      expect(others).toEqual([]);
      expect(location).toMatchObject({ role: 'developer' });
      expect(location!.path).toMatch(/^input\[\d+\]\.content\[0\]\.text$/);
      expect(location!.text).toMatch(/^Handoffs from 1 earlier session of this project, oldest first\./);
      expect(location!.text).toContain(originWords('Claude Code', writer));
      const input = (requests[0]!.json as { input: unknown[] }).input;
      expect(input[topLevelIndex(location!)! + 1]).toMatchObject({ role: 'user', content: [{ type: 'input_text', text: 'first prompt' }] });

      const second = await run('second prompt');
      expect(second.exitCode, second.stderr).toBe(0);
      const later = responsesRequests(model).slice(1);
      expect(later).toHaveLength(1);
      expect(later[0]!.body).not.toContain(body);
    });

    it('records trust for the hooks it installs (app server hooks/list + config/batchWrite), so `codex exec` runs them without --dangerously-bypass-hook-trust', async (ctx) => {
      const { ok, home, repo, init, run } = await initialised(ctx);
      const hooksFile = join(home.home, '.codex', 'hooks.json');
      expect(init.stdout).toContain(`trusted ${hooksFile}:session_start:0:0 (codex config.toml)\n`);
      expect(init.stdout).toContain(`trusted ${hooksFile}:session_end:0:0 (codex config.toml)\n`);
      expect(init.stdout).not.toContain('trust (codex)');
      // Codex itself reports both hooks trusted, as init's (marked) commands.
      const listed = await withCodexAppServer({ binary: codexBinary(ok), env: home.env, cwd: repo }, (server) => server.listHooks(repo));
      expect(listed.hooks.map((hook) => [hook.eventName, hook.trustStatus, hook.command])).toEqual([
        ['sessionStart', 'trusted', `HANDOFFS_INIT=1 ${HANDOFFS_COMMAND} start --hook --agent codex`],
        ['sessionEnd', 'trusted', `HANDOFFS_INIT=1 ${HANDOFFS_COMMAND} end --hook --agent codex`],
      ]);
      // A plain `codex exec` (runCodex passes no bypass flag) ran both.
      const session = await run('hello');
      expect(session.exitCode, session.stderr).toBe(0);
      expect(session.stderr).toContain('hook: SessionStart Completed');
      const ended = (await storedHandoffs({ env: home.env })).filter((handoff) => handoff.meta.sessionId === session.sessionId);
      expect(ended.map((handoff) => [handoff.meta.agent, tagsOf(handoff)])).toEqual([['codex', ['auto', 'session-end']]]);
    });

    it("`handoffs end --hook` at SessionEnd writes a trace naming the session and its rollout within Codex's 3 s limit, before Codex exits", async (ctx) => {
      const shell = 'printf "first line\\n" > todo.txt';
      const { home, repo, run } = await initialised(ctx, { turns: [{ tool: 'exec_command', input: { cmd: shell } }, { text: 'Wrote todo.txt.' }] });
      const session = await run('Start a todo list.', ['-s', 'workspace-write']);
      expect(session.exitCode, session.stderr).toBe(0);
      expect(await readFile(join(repo, 'todo.txt'), 'utf8')).toBe('first line\n');
      expect(session.stderr).not.toContain('clamping SessionEnd hook timeout');

      const traces = (await storedHandoffs({ env: home.env })).filter((handoff) => handoff.meta.sessionId === session.sessionId);
      expect(traces).toHaveLength(1);
      const trace = traces[0]!;
      expect(trace.meta).toMatchObject({ agent: 'codex', project: repo });
      expect(tagsOf(trace)).toEqual(['auto', 'session-end']);
      expect(trace.body).toContain(`Codex session ${session.sessionId}`);
      expect(trace.body).toContain(session.transcriptPath!);
      // Built from the rollout: the request, the command the session ran, its last message.
      expect(trace.body).toContain('this is what its transcript shows');
      expect(trace.body).toContain('Start a todo list.');
      expect(trace.body).toContain(shell);
      expect(trace.body).toContain('Wrote todo.txt.');
      // Written after the session's last rollout line and before Codex exited: Codex waited for the
      // hook, which finished inside its 3 s cap.
      const rollout = (await readFile(session.transcriptPath!, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { timestamp: string });
      const lastEvent = Date.parse(rollout.at(-1)!.timestamp);
      const written = Date.parse(trace.createdAt);
      expect(written).toBeGreaterThan(lastEvent);
      expect(written).toBeLessThanOrEqual(session.endedAt);
      expect(written - lastEvent).toBeLessThan(3_000);
      ctx.annotate(`SessionEnd trace written ${written - lastEvent} ms after the rollout's last line; Codex exited ${session.endedAt - written} ms later`);
      console.log(`Codex: SessionEnd trace written ${written - lastEvent} ms after the rollout's last line; codex exited ${session.endedAt - written} ms after that`);
    });
  });
});

/** The Responses requests a model endpoint received, in order. */
function responsesRequests(model: ModelServer) {
  return model.requests.filter((request) => request.method === 'POST' && request.url.split('?')[0]!.endsWith('/responses'));
}

interface RolloutLine {
  readonly type: string;
  readonly payload: Record<string, unknown>;
}
