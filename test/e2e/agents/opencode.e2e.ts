import { randomUUID } from 'node:crypto';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Installed } from '../lib/cache.js';
import { watchClaimHolders } from '../lib/claim-holders.js';
import { installCliTripwire } from '../lib/cli-tripwire.js';
import { saveFixtureText } from '../lib/fixtures.js';
import { handoffs } from '../lib/handoffs-cli.js';
import { tempHome } from '../lib/home.js';
import { sectionsHolding } from '../lib/merged-context.js';
import type { ModelScript } from '../lib/model-script.js';
import { type RecordedRequest, startModelServer } from '../lib/model-server.js';
import { startChatModel } from '../lib/openai-chat.js';
import { OPENCODE, exportOpencodeSession, installOpencode, opencodeBinary, preinstallOpencodeDeps, runOpencode, writeOpencodeConfig } from '../lib/opencode.js';
import { makeRepo } from '../lib/repo.js';
import { locateText, topLevelIndex } from '../lib/request-search.js';
import { originWords, storedHandoffs } from '../lib/stored-handoffs.js';

const CHAT_MARKER = 'HANDOFFS-E2E-OPENCODE-CHAT-MESSAGE-6e0d';
const SYSTEM_MARKER = 'HANDOFFS-E2E-OPENCODE-SYSTEM-6e0d';
const REGISTRY_PATH = '/npm-registry/';

let installed: Installed;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  installed = await installOpencode();
  if (!installed.ok) console.warn(`OpenCode e2e skipped: ${installed.reason}`);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A hand-written OpenCode plugin (the legacy named-export form: an async function of the plugin
 * context returning hooks). It records what it sees to `recordFile` and injects one marker through
 * each documented way: a text part pushed in `chat.message`, a string pushed onto `output.system` in
 * `experimental.chat.system.transform`.
 */
function probePlugin(recordFile: string, label: string): string {
  return `// OpenCode plugin probe written by the handoffs e2e tests.
import { appendFileSync } from 'node:fs';
const record = (name, data) => appendFileSync(${JSON.stringify(recordFile)}, JSON.stringify({ label: ${JSON.stringify(label)}, name, at: Date.now(), data }) + '\\n');
export const HandoffsProbe = async (context) => {
  record('init', { keys: Object.keys(context).sort(), directory: context.directory, worktree: context.worktree, url: import.meta.url });
  return {
    event: async ({ event }) => {
      if (event.type.startsWith('session.')) record('event', { type: event.type, properties: event.properties });
    },
    'chat.message': async (input, output) => {
      record('chat.message', { input, role: output.message.role, parts: output.parts.map((part) => part.type) });
      output.parts.push({ id: 'prt_handoffs' + Date.now(), sessionID: output.message.sessionID, messageID: output.message.id, type: 'text', text: ${JSON.stringify(CHAT_MARKER)}, synthetic: true });
    },
    'experimental.chat.system.transform': async (input, output) => {
      record('system.transform', { sessionID: input.sessionID, model: input.model?.id });
      output.system.push(${JSON.stringify(SYSTEM_MARKER)});
    },
  };
};
`;
}

interface PluginRecord {
  readonly label: string;
  readonly name: string;
  readonly at: number;
  readonly data: Record<string, unknown>;
}

async function readRecords(file: string): Promise<PluginRecord[]> {
  try {
    return (await readFile(file, 'utf8')).trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as PluginRecord);
  } catch {
    return [];
  }
}

async function setup(ctx: TestContext, script: (repo: string) => ModelScript = () => ({ turns: [{ text: 'scripted reply' }], toollessText: 'Scripted title' })) {
  if (!installed.ok) ctx.skip(installed.reason);
  const ok = installed as Extract<Installed, { ok: true }>;
  const home = await tempHome();
  cleanups.push(() => home.dispose());
  const repo = await makeRepo(home.home);
  const model = await startChatModel(script(repo), { models: ['model-a'] });
  cleanups.push(() => model.close());
  const configDir = join(home.home, '.config', 'opencode');
  const records = join(home.home, 'plugin-records.jsonl');
  const registryUrl = `${model.url}${REGISTRY_PATH}`;
  const run = (prompt: string) => runOpencode({ installed: ok, home, cwd: repo, prompt, registryUrl });
  const registryRequests = () => model.requests.filter((request) => request.url.startsWith(REGISTRY_PATH)).map((request) => request.url);
  return { ok, home, model, repo, configDir, records, registryUrl, run, registryRequests };
}

/** The request of the main conversation (the one that offers tools), not the title request. */
function mainRequests(requests: readonly RecordedRequest[]): RecordedRequest[] {
  return requests.filter((request) => request.url === '/v1/chat/completions' && Array.isArray((request.json as { tools?: unknown[] }).tools) && (request.json as { tools: unknown[] }).tools.length > 0);
}

describe(`OpenCode ${OPENCODE.version} (real client, scripted chat completions endpoint)`, () => {
  it('loads ~/.config/opencode/plugins/*.js fully offline, and both documented injections reach the request', async (ctx) => {
    const { ok, home, model, repo, configDir, records, registryUrl, run, registryRequests } = await setup(ctx);
    await writeOpencodeConfig(home.home, { modelUrl: model.url });
    await preinstallOpencodeDeps(ok, configDir);
    await mkdir(join(configDir, 'plugins'), { recursive: true });
    await writeFile(join(configDir, 'plugins', 'handoffs-probe.js'), probePlugin(records, 'user'));
    const result = await run('hello');
    ctx.annotate(`opencode run wall time ${result.wallMs} ms`);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(registryRequests()).toEqual([]);

    const [main, ...moreMain] = mainRequests(model.requests);
    expect(moreMain).toEqual([]);
    const chat = locateText(main!.json, CHAT_MARKER);
    expect(chat).toHaveLength(1);
    // chat.message: an extra text part of the user's own message, after the prompt.
    expect(chat[0]).toMatchObject({ role: 'user', text: CHAT_MARKER });
    expect(chat[0]!.path).toMatch(/^messages\[\d+\]\.content\[1\]\.text$/);
    const messages = (main!.json as { messages: Array<{ role: string; content: unknown }> }).messages;
    expect(messages[topLevelIndex(chat[0]!)!]!.content).toEqual([
      { type: 'text', text: 'hello' },
      { type: 'text', text: CHAT_MARKER },
    ]);
    // experimental.chat.system.transform: a system message of its own, after OpenCode's prompt.
    const system = locateText(main!.json, SYSTEM_MARKER);
    expect(system).toEqual([{ path: 'messages[1].content', role: 'system', text: SYSTEM_MARKER }]);
    expect(messages[0]!.role).toBe('system');

    const seen = await readRecords(records);
    const init = seen.find((record) => record.name === 'init')!;
    expect(init.data).toMatchObject({ keys: ['$', 'client', 'directory', 'experimental_workspace', 'project', 'serverUrl', 'worktree'], directory: repo, worktree: repo });
    const created = seen.find((record) => record.name === 'event' && record.data.type === 'session.created')!;
    expect(created.data.properties).toMatchObject({ sessionID: result.sessionId, info: { id: result.sessionId, directory: repo } });
    const message = seen.find((record) => record.name === 'chat.message')!;
    expect(message.data).toMatchObject({ input: { sessionID: result.sessionId }, role: 'user', parts: ['text'] });
    expect(created.at).toBeLessThanOrEqual(message.at);
    // `opencode run` ends with session.idle; no event marks the session's end.
    const sessionEvents = seen.filter((record) => record.name === 'event').map((record) => record.data.type);
    expect(sessionEvents.at(0)).toBe('session.created');
    expect(sessionEvents).toContain('session.idle');
    expect(sessionEvents.filter((type) => /deleted|end|closed/.test(String(type)))).toEqual([]);
    await saveFixtureText('hook-input/opencode/session-created.json', `${JSON.stringify(created.data, null, 2)}\n`);
    void registryUrl;
  });

  it('asks the npm registry for @opencode-ai/plugin for each config folder that lacks it, and runs anyway when that fails', async (ctx) => {
    const { home, model, repo, records, run, registryRequests } = await setup(ctx);
    await writeOpencodeConfig(home.home, { modelUrl: model.url });
    await mkdir(join(repo, '.opencode', 'plugins'), { recursive: true });
    await writeFile(join(repo, '.opencode', 'plugins', 'handoffs-probe.js'), probePlugin(records, 'project'));
    const result = await run('hello');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(registryRequests()).toContain(`${REGISTRY_PATH}@opencode-ai%2fplugin`);
    expect((await readRecords(records)).some((record) => record.name === 'chat.message')).toBe(true);
  });

  it('loads <repo>/.opencode/plugins/*.js offline once that folder has the plugin API too', async (ctx) => {
    const { ok, home, model, repo, configDir, records, run, registryRequests } = await setup(ctx);
    await writeOpencodeConfig(home.home, { modelUrl: model.url });
    await preinstallOpencodeDeps(ok, configDir);
    await preinstallOpencodeDeps(ok, join(repo, '.opencode'));
    await mkdir(join(repo, '.opencode', 'plugins'), { recursive: true });
    await writeFile(join(repo, '.opencode', 'plugins', 'handoffs-probe.js'), probePlugin(records, 'project'));
    const result = await run('hello');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(registryRequests()).toEqual([]);
    expect((await readRecords(records)).find((record) => record.name === 'init')?.data.url).toBe(`file://${join(repo, '.opencode', 'plugins', 'handoffs-probe.js')}`);
    expect(locateText(mainRequests(model.requests)[0]!.json, CHAT_MARKER)).toHaveLength(1);
  });

  it('loads a plugin named by absolute path in the plugin list of opencode.json', async (ctx) => {
    const { ok, home, model, configDir, records, run, registryRequests } = await setup(ctx);
    const plugin = join(home.home, 'elsewhere', 'handoffs-probe.js');
    await mkdir(join(plugin, '..'), { recursive: true });
    await writeFile(plugin, probePlugin(records, 'listed'));
    await writeOpencodeConfig(home.home, { modelUrl: model.url, plugin: [plugin] });
    await preinstallOpencodeDeps(ok, configDir);
    const result = await run('hello');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(registryRequests()).toEqual([]);
    expect((await readRecords(records)).find((record) => record.name === 'init')?.data.url).toBe(`file://${plugin}`);
    expect(locateText(mainRequests(model.requests)[0]!.json, SYSTEM_MARKER)).toHaveLength(1);
  });

  it('loads a plugin named by package only from its own cache, never from the project node_modules', async (ctx) => {
    const { ok, home, model, repo, configDir, records, run, registryRequests } = await setup(ctx);
    await preinstallOpencodeDeps(ok, configDir);
    const writePackage = async (dir: string) => {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'handoffs-probe-plugin', version: '1.0.0', type: 'module', main: 'index.js' }));
      await writeFile(join(dir, 'index.js'), probePlugin(records, 'package'));
    };
    await writePackage(join(repo, 'node_modules', 'handoffs-probe-plugin'));
    await writeOpencodeConfig(home.home, { modelUrl: model.url, plugin: ['handoffs-probe-plugin@1.0.0'] });
    const fromProject = await run('hello');
    expect(fromProject.exitCode, fromProject.stderr).toBe(0);
    expect(registryRequests()).toContain(`${REGISTRY_PATH}handoffs-probe-plugin`);
    expect(await readRecords(records)).toEqual([]);

    await writePackage(join(home.home, '.cache', 'opencode', 'packages', 'handoffs-probe-plugin@1.0.0', 'node_modules', 'handoffs-probe-plugin'));
    const before = registryRequests().length;
    const fromCache = await run('hello');
    expect(fromCache.exitCode, fromCache.stderr).toBe(0);
    expect(registryRequests().length).toBe(before);
    expect((await readRecords(records)).find((record) => record.name === 'init')?.data.url).toBe(
      `file://${join(home.home, '.cache', 'opencode', 'packages', 'handoffs-probe-plugin@1.0.0', 'node_modules', 'handoffs-probe-plugin', 'index.js')}`,
    );
  });

  it('sends AGENTS.md at the repository root inside its first system message', async (ctx) => {
    const { ok, home, model, repo, configDir, run } = await setup(ctx);
    await writeOpencodeConfig(home.home, { modelUrl: model.url });
    await preinstallOpencodeDeps(ok, configDir);
    const marker = 'HANDOFFS-E2E-OPENCODE-AGENTS-MD-6e0d';
    await writeFile(join(repo, 'AGENTS.md'), `${marker}: write a handoff before you finish.\n`);
    const result = await run('hello');
    expect(result.exitCode, result.stderr).toBe(0);
    const [location, ...others] = locateText(mainRequests(model.requests)[0]!.json, marker);
    expect(others).toEqual([]);
    expect(location).toMatchObject({ path: 'messages[0].content', role: 'system' });
    expect(location!.text).toContain(`Instructions from: ${join(repo, 'AGENTS.md')}\n${marker}: write a handoff before you finish.`);
  });

  it('keeps the prompt, a todo list, a shell command, a file write and the last message in its session export', async (ctx) => {
    const todos = [
      { content: 'Create the notes folder', status: 'completed', priority: 'high' },
      { content: 'Write the plan', status: 'in_progress', priority: 'medium' },
    ];
    const shell = 'mkdir -p notes && printf "first line\\n" > notes/todo.txt && ls notes';
    const { ok, home, model, repo, configDir, records, registryUrl, run } = await setup(ctx, (repo) => ({
      turns: [
        { tool: 'todowrite', input: { todos } },
        { tool: 'bash', input: { command: shell, description: 'Create the notes folder' } },
        { tool: 'write', input: { filePath: join(repo, 'notes', 'plan.md'), content: '# Plan\n- write the handoff\n' } },
        { text: 'Created notes/todo.txt and notes/plan.md.' },
      ],
      toollessText: 'Notes folder',
    }));
    await writeOpencodeConfig(home.home, { modelUrl: model.url });
    await preinstallOpencodeDeps(ok, configDir);
    await mkdir(join(configDir, 'plugins'), { recursive: true });
    await writeFile(join(configDir, 'plugins', 'handoffs-probe.js'), probePlugin(records, 'user'));
    const prompt = 'Start a notes folder with a todo list and a plan.';
    const result = await run(prompt);
    ctx.annotate(`opencode run (4 model turns, 3 tools) wall time ${result.wallMs} ms`);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(mainRequests(model.requests)).toHaveLength(4);
    expect(await readFile(join(repo, 'notes', 'todo.txt'), 'utf8')).toBe('first line\n');
    expect(await readFile(join(repo, 'notes', 'plan.md'), 'utf8')).toBe('# Plan\n- write the handoff\n');

    const exported = await exportOpencodeSession({ installed: ok, home, cwd: repo, registryUrl, sessionId: result.sessionId! });
    const session = JSON.parse(exported) as OpencodeExport;
    expect(session.info).toMatchObject({ id: result.sessionId, directory: repo, title: 'Notes folder' });
    const [first] = session.messages;
    expect(first!.info.role).toBe('user');
    // `opencode run` rebuilds its message from argv and wraps an argument that has spaces in quotes.
    expect(first!.parts.filter((part) => part.type === 'text').map((part) => [part.text, part.synthetic ?? false])).toEqual([
      [`"${prompt}"`, false],
      [CHAT_MARKER, true],
    ]);
    const tools = session.messages.flatMap((message) => message.parts).filter((part) => part.type === 'tool');
    expect(tools.map((part) => [part.tool, part.state?.status, part.state?.input])).toEqual([
      ['todowrite', 'completed', { todos }],
      ['bash', 'completed', { command: shell, description: 'Create the notes folder' }],
      ['write', 'completed', { filePath: join(repo, 'notes', 'plan.md'), content: '# Plan\n- write the handoff\n' }],
    ]);
    const last = session.messages.at(-1)!;
    expect(last.info.role).toBe('assistant');
    expect(last.parts.filter((part) => part.type === 'text').map((part) => part.text)).toEqual(['Created notes/todo.txt and notes/plan.md.']);
    await saveFixtureText('transcripts/opencode/session-export.json', exported);
  });

  it("after `handoffs init --agent opencode` the package's plugin entry claims at session.created and a handoff written by another agent reaches the first request once; a second session does not see it", async (ctx) => {
    const { ok, home, model, repo, configDir, run, registryRequests, registryUrl } = await setup(ctx);
    await writeOpencodeConfig(home.home, { modelUrl: model.url });
    await preinstallOpencodeDeps(ok, configDir);
    const init = await handoffs(['init', '--agent', 'opencode'], { env: home.env, cwd: repo });
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(join(configDir, 'plugins', 'handoffs.js'));

    const writer = randomUUID();
    const marker = `marker-${randomUUID()}`;
    const body = `The API client is half migrated; finish src/api.ts. ${marker}`;
    const written = await handoffs(['write', '--slug', 'api-client', '--agent', 'codex', '--session', writer], { env: home.env, cwd: repo, input: body });
    expect(written.code, written.stderr).toBe(0);

    // From here on a `handoffs` command only leaves a line in a log, and every claim's holder is
    // looked up the moment it appears.
    const tripwire = await installCliTripwire(home.home, home.env);
    const claims = watchClaimHolders(join(home.home, '.claude', 'handoffs'));
    cleanups.push(async () => claims.stop());

    const first = await run('hello');
    ctx.annotate(`first opencode run: ${first.wallMs} ms`);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(registryRequests()).toEqual([]);
    const [request, ...moreMain] = mainRequests(model.requests);
    expect(moreMain).toEqual([]);
    const [location, ...others] = locateText(request!.json, body);
    expect(others).toEqual([]);
    // A text part of the user's first message, after the prompt, marked synthetic by OpenCode.
    expect(location).toMatchObject({ role: 'user' });
    expect(location!.path).toMatch(/^messages\[\d+\]\.content\[1\]\.text$/);
    const messages = (request!.json as { messages: Array<{ role: string; content: unknown }> }).messages;
    expect((messages[topLevelIndex(location!)!]!.content as unknown[])[0]).toEqual({ type: 'text', text: 'hello' });
    expect(location!.text).toMatch(/^Handoffs from earlier sessions of this project \(1, oldest first\), from Codex session /);
    const sections = sectionsHolding(location!.text, body);
    expect(sections).toHaveLength(1);
    expect(sections[0]!.header).toContain(originWords('Codex', writer));
    expect(request!.body.split(marker).length - 1).toBe(1);
    // The title request is built from the same saved message: once there too, never twice.
    for (const other of model.requests.filter((entry) => entry.url === '/v1/chat/completions')) expect(locateText(other.json, body)).toHaveLength(1);

    // Consumed on disk, by OpenCode's own process: the claim's holder was the OpenCode binary, and
    // no `handoffs` command ran.
    const stored = (await storedHandoffs({ env: home.env, all: true })).filter((handoff) => handoff.body.includes(body));
    expect(stored.map((handoff) => handoff.state)).toEqual(['consumed']);
    expect(await tripwire.calls()).toEqual([]);
    const opencodeExe = await realpath(opencodeBinary(ok));
    const firstClaims = [...claims.seen];
    expect(firstClaims.length).toBeGreaterThan(0);
    for (const claim of firstClaims) expect(claim.exe, `${claim.name} held by ${claim.commandLine}`).toBe(opencodeExe);
    ctx.annotate(`claims seen in the first run: ${firstClaims.map((claim) => `${claim.name} (pid ${claim.pid}, ${claim.exe})`).join('; ')}`);

    // OpenCode saved the handoffs with the session's first message: a synthetic part after the prompt.
    const exported = JSON.parse(await exportOpencodeSession({ installed: ok, home, cwd: repo, registryUrl, sessionId: first.sessionId! })) as OpencodeExport;
    const created = (exported.info.time as { created: number }).created;
    const firstMessage = exported.messages[0]!;
    expect(firstMessage.parts.filter((part) => part.type === 'text').map((part) => [part.text?.includes(body) ?? false, part.synthetic ?? false])).toEqual([
      [false, false],
      [true, true],
    ]);
    ctx.annotate(`session created ${created}; first claim seen ${firstClaims[0]!.at}; first message created ${(firstMessage.info.time as { created: number }).created}`);

    const seen = model.requests.length;
    const second = await run('again');
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.sessionId).not.toBe(first.sessionId);
    const later = model.requests.slice(seen).filter((entry) => entry.url === '/v1/chat/completions');
    expect(mainRequests(later)).toHaveLength(1);
    for (const entry of later) expect(entry.body).not.toContain(marker);
    expect(await tripwire.calls()).toEqual([]);
  });

  it('gives a handoff back when the session never gets a model reply, and the next session receives it once', async (ctx) => {
    const { ok, home, repo, configDir } = await setup(ctx);
    // The first session's model refuses every request; the second one's answers.
    let refusing = true;
    const answering = await startChatModel({ turns: [{ text: 'Noted.' }], toollessText: 'Title' }, { models: ['model-a'] });
    cleanups.push(() => answering.close());
    const model = await startModelServer(async (request, response) => {
      if (refusing && request.url.startsWith('/v1/chat/completions')) {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'scripted refusal', type: 'invalid_request_error' } }));
        return;
      }
      const forwarded = await fetch(`${answering.url}${request.url}`, { method: request.method, headers: { 'content-type': 'application/json' }, body: request.method === 'POST' ? request.body : undefined });
      response.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'application/json' });
      response.end(Buffer.from(await forwarded.arrayBuffer()));
    });
    cleanups.push(() => model.close());
    await writeOpencodeConfig(home.home, { modelUrl: model.url });
    await preinstallOpencodeDeps(ok, configDir);
    const init = await handoffs(['init', '--agent', 'opencode'], { env: home.env, cwd: repo });
    expect(init.code, init.stderr).toBe(0);
    const marker = `marker-${randomUUID()}`;
    const written = await handoffs(['write', '--slug', 'schema', '--agent', 'claude', '--session', randomUUID()], { env: home.env, cwd: repo, input: `The schema change needs a migration. ${marker}` });
    expect(written.code, written.stderr).toBe(0);
    const run = (prompt: string) => runOpencode({ installed: ok, home, cwd: repo, prompt, registryUrl: `${model.url}${REGISTRY_PATH}` });

    const failed = await run('hello');
    ctx.annotate(`refused session: exit ${failed.exitCode}, ${failed.wallMs} ms`);
    const refused = mainRequests(model.requests);
    // OpenCode did send the text (the model saw it and refused), and got no reply.
    expect(refused.length).toBeGreaterThan(0);
    expect(locateText(refused[0]!.json, marker)).toHaveLength(1);
    const afterFailure = (await storedHandoffs({ env: home.env, all: true })).filter((handoff) => handoff.body.includes(marker));
    expect(afterFailure.map((handoff) => handoff.state)).toEqual(['pending']);

    refusing = false;
    const seen = model.requests.length;
    const next = await run('again');
    expect(next.exitCode, next.stderr).toBe(0);
    const [request, ...more] = mainRequests(model.requests.slice(seen));
    expect(more).toEqual([]);
    const [location, ...others] = locateText(request!.json, marker);
    expect(others).toEqual([]);
    // Given back as pending, not as a lost claim; the refused session left no trace of its own.
    expect(location!.text.split('\n')[0]).toMatch(/^Handoffs from earlier sessions of this project \(1, oldest first\), from Claude Code session /);
    const afterReply = (await storedHandoffs({ env: home.env, all: true })).filter((handoff) => handoff.body.includes(marker));
    expect(afterReply.map((handoff) => handoff.state)).toEqual(['consumed']);
  });
});

interface OpencodeExport {
  readonly info: Record<string, unknown>;
  readonly messages: Array<{
    readonly info: { readonly role: string } & Record<string, unknown>;
    readonly parts: Array<{ type: string; text?: string; synthetic?: boolean; tool?: string; state?: { status: string; input: unknown } }>;
  }>;
}
