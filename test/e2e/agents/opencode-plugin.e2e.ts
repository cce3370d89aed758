import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { Installed } from '../lib/cache.js';
import { HANDOFFS_COMMAND, handoffs } from '../lib/handoffs-cli.js';
import { tempHome } from '../lib/home.js';
import type { ModelScript } from '../lib/model-script.js';
import type { RecordedRequest } from '../lib/model-server.js';
import { startChatModel } from '../lib/openai-chat.js';
import { OPENCODE, installOpencode, preinstallOpencodeDeps, runOpencode, writeOpencodeConfig } from '../lib/opencode.js';
import { makeRepo } from '../lib/repo.js';
import { locateText } from '../lib/request-search.js';

/**
 * The package's OpenCode plugin in the real OpenCode, set up the way a user does it: `handoffs init
 * --agent opencode` writes the loader into `~/.config/opencode/plugins/`; OpenCode loads it (this
 * checkout's `dist/opencode.js` through a file:// URL) and runs it in its own process. Proven by the
 * request bodies OpenCode sent to a scripted chat completions endpoint, and by the store afterwards.
 */

const REGISTRY_PATH = '/npm-registry/';
const PLUGIN_MODULE = pathToFileURL(resolve(import.meta.dirname, '..', '..', '..', 'dist', 'opencode.js')).href;

let installed: Installed;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  installed = await installOpencode();
  if (!installed.ok) console.warn(`OpenCode plugin e2e skipped: ${installed.reason}`);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A temp HOME with OpenCode configured for the scripted model and `handoffs init --agent opencode` run in it. */
async function setup(ctx: TestContext, script: (repo: string) => ModelScript) {
  if (!installed.ok) ctx.skip(installed.reason);
  const ok = installed as Extract<Installed, { ok: true }>;
  const home = await tempHome();
  cleanups.push(() => home.dispose());
  const repo = await makeRepo(home.home);
  const model = await startChatModel(script(repo), { models: ['model-a'] });
  cleanups.push(() => model.close());
  const configDir = join(home.home, '.config', 'opencode');
  await writeOpencodeConfig(home.home, { modelUrl: model.url });
  await preinstallOpencodeDeps(ok, configDir);

  const init = await handoffs(['init', '--agent', 'opencode', '--command', HANDOFFS_COMMAND], { env: home.env, cwd: repo });
  expect(init.code, init.stderr).toBe(0);
  const loader = await readFile(join(configDir, 'plugins', 'handoffs.js'), 'utf8');
  expect(loader).toContain(`export { HandoffsPlugin } from ${JSON.stringify(PLUGIN_MODULE)};`);

  const registryUrl = `${model.url}${REGISTRY_PATH}`;
  const run = (prompt: string) => runOpencode({ installed: ok, home, cwd: repo, prompt, registryUrl });
  const registryRequests = () => model.requests.filter((request) => request.url.startsWith(REGISTRY_PATH)).map((request) => request.url);
  const cli = (args: string[], input?: string, env: Record<string, string> = {}) => handoffs(args, { env: { ...home.env, ...env }, cwd: repo, input });
  return { home, repo, model, run, registryRequests, cli };
}

/** The requests of the main conversation (they offer tools), not the title request. */
function mainRequests(requests: readonly RecordedRequest[]): RecordedRequest[] {
  return requests.filter((request) => request.url === '/v1/chat/completions' && ((request.json as { tools?: unknown[] }).tools?.length ?? 0) > 0);
}

/** Front matter and body of `handoffs show NAME --json`. */
interface Shown {
  slug: string;
  state: string;
  body: string;
  meta: Record<string, unknown>;
}

describe(`the handoffs OpenCode plugin in OpenCode ${OPENCODE.version} (real client, scripted chat completions endpoint)`, () => {
  it("hands a Claude Code session's handoff to the next OpenCode session's first request once; the next session gets only the first one's trace", async (ctx) => {
    const { repo, model, run, registryRequests, cli } = await setup(ctx, () => ({ turns: [{ text: 'Noted.' }], toollessText: 'Title' }));
    const claudeSession = randomUUID();
    const marker = `HANDOFFS-E2E-FROM-CLAUDE-${claudeSession.slice(0, 8)}`;
    const written = await cli(['write', '--slug', 'auth refactor'], `${marker}: login is done, tokens are next.\n`, { HANDOFFS_SESSION_ID: claudeSession, CLAUDECODE: '1' });
    expect(written.code, written.stderr).toBe(0);

    const first = await run('hello');
    ctx.annotate(`first opencode run: ${first.wallMs} ms`);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(registryRequests()).toEqual([]);
    const [request, ...moreFirst] = mainRequests(model.requests);
    expect(moreFirst).toEqual([]);
    // Once, as the second text part of the user's message, after the prompt.
    const found = locateText(request!.json, marker);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path: 'messages[1].content[1].text', role: 'user' });
    const messages = (request!.json as { messages: Array<{ role: string; content: Array<{ type: string; text: string }> }> }).messages;
    expect(messages[0]!.role).toBe('system');
    expect(messages[1]!.content[0]).toEqual({ type: 'text', text: 'hello' });
    const text = found[0]!.text;
    const intro = text.split('\n')[0]!;
    expect(intro).toMatch(new RegExp(`^Handoffs from earlier sessions of this project \\(1, oldest first\\), from (Claude Code )?session ${claudeSession}\\. `));
    expect(text).toContain(`${marker}: login is done, tokens are next.`);
    // The title request is built from the same saved message, so it carries the text once too.
    for (const other of model.requests.filter((entry) => entry.url === '/v1/chat/completions')) expect(locateText(other.json, marker)).toHaveLength(1);

    const afterFirst = JSON.parse((await cli(['list', '--all', '--json'])).stdout) as Array<{ name: string; slug: string; state: string }>;
    expect(afterFirst.map((ref) => [ref.slug, ref.state])).toEqual([
      ['auth-refactor', 'consumed'],
      ['session-end', 'pending'],
    ]);
    const trace = JSON.parse((await cli(['show', afterFirst[1]!.name, '--json'])).stdout) as Shown;
    expect(trace.meta).toMatchObject({ agent: 'opencode', sessionId: first.sessionId, project: repo, cwd: repo, tags: ['auto', 'session-end'] });
    expect(trace.body).toContain(`OpenCode session ${first.sessionId} ended without writing a handoff`);
    expect(trace.body).toContain('Request:\n\n> hello');
    expect(trace.body).toContain('Last reply:\n\n> Noted.');

    const seen = model.requests.length;
    const second = await run('again');
    ctx.annotate(`second opencode run: ${second.wallMs} ms`);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.sessionId).not.toBe(first.sessionId);
    const secondRequests = mainRequests(model.requests.slice(seen));
    expect(secondRequests).toHaveLength(1);
    expect(locateText(secondRequests[0]!.json, marker)).toEqual([]);
    const [handed] = locateText(secondRequests[0]!.json, `OpenCode session ${first.sessionId} ended without writing a handoff`);
    expect(handed).toMatchObject({ path: 'messages[1].content[1].text', role: 'user' });
    expect(handed!.text.split('\n')[0]).toContain(`from OpenCode session ${first.sessionId}.`);
    expect(registryRequests()).toEqual([]);

    const afterSecond = JSON.parse((await cli(['list', '--all', '--json'])).stdout) as Array<{ slug: string; state: string }>;
    expect(afterSecond.map((ref) => [ref.slug, ref.state])).toEqual([
      ['auth-refactor', 'consumed'],
      ['session-end', 'consumed'],
      ['session-end', 'pending'],
    ]);
  });

  it("gives the agent's shell the session id, so a handoff it writes names the session and no trace is added", async (ctx) => {
    const body = 'HANDOFFS-E2E-OPENCODE-OWN: the parser is split into lexer and grammar.';
    const { model, run, registryRequests, cli } = await setup(ctx, () => ({
      turns: [
        { tool: 'bash', input: { command: `printf '%s\\n' '${body}' | ${HANDOFFS_COMMAND} write --slug parser-split`, description: 'Write the handoff' } },
        { text: 'Handoff written.' },
      ],
      toollessText: 'Title',
    }));
    const result = await run('wrap up');
    ctx.annotate(`opencode run (2 model turns, 1 shell command): ${result.wallMs} ms`);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(registryRequests()).toEqual([]);
    expect(mainRequests(model.requests)).toHaveLength(2);

    const refs = JSON.parse((await cli(['list', '--all', '--json'])).stdout) as Array<{ name: string; slug: string; state: string }>;
    expect(refs.map((ref) => [ref.slug, ref.state])).toEqual([['parser-split', 'pending']]);
    const own = JSON.parse((await cli(['show', refs[0]!.name, '--json'])).stdout) as Shown;
    expect(own.body).toBe(`${body}\n`);
    expect(own.meta.sessionId).toBe(result.sessionId);
  });
});
