import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPinned, type Installed } from '../lib/cache.js';
import { tempHome, type TempHome } from '../lib/home.js';
import { sendEvents, startModelServer, type ModelServer } from '../lib/model-server.js';
import { recordingCli, runInit } from './recording-cli.js';

const run = promisify(execFile);
const CODEX_VERSION = '0.169.0';

/**
 * `handoffs init --agent codex` against the real Codex CLI: the hooks init writes, trusted the
 * way init records trust (Codex's app-server), are run by a plain `codex exec` (no bypass flag),
 * and their output reaches the model. The hook command is a recording stand-in for the CLI, so
 * this proves init's part (file, marker, trust) whatever the hook commands do.
 */
describe('init --agent codex with the real Codex CLI', () => {
  let codex: Installed;
  let model: ModelServer;
  const homes: TempHome[] = [];

  beforeAll(async () => {
    codex = await installPinned('@openai/codex', CODEX_VERSION);
    model = await startModelServer((request, response) => {
      if (!request.url.includes('/responses')) {
        response.writeHead(404).end();
        return;
      }
      const usage = { input_tokens: 1, input_tokens_details: null, output_tokens: 1, output_tokens_details: null, total_tokens: 2 };
      sendEvents(response, [
        { event: 'response.created', data: { type: 'response.created', response: { id: 'resp_1' } } },
        {
          event: 'response.output_item.done',
          data: { type: 'response.output_item.done', item: { type: 'message', role: 'assistant', id: 'msg_1', content: [{ type: 'output_text', text: 'ok' }] } },
        },
        { event: 'response.completed', data: { type: 'response.completed', response: { id: 'resp_1', usage } } },
      ]);
    });
  });
  afterAll(async () => {
    await model?.close();
    for (const home of homes) await home.dispose();
  });

  /** A fresh HOME with Codex pointed at the scripted model, and a stand-in CLI that records its runs. */
  async function setup(token: string) {
    const home = await tempHome({ OPENAI_API_KEY: 'dummy' });
    homes.push(home);
    if (!codex.ok) throw new Error(codex.reason);
    home.env.PATH = `${join(codex.root, 'node_modules', '.bin')}:${home.env.PATH}`;
    await mkdir(join(home.home, '.codex'), { recursive: true });
    const config = [
      'model_provider = "local"',
      'model = "gpt-5"',
      '',
      '[model_providers.local]',
      'name = "local"',
      `base_url = "${model.url}/v1"`,
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
    ].join('\n');
    await writeFile(join(home.home, '.codex', 'config.toml'), config);
    const cli = await recordingCli(home.home, token);
    return { home, config, cli };
  }

  const init = (home: TempHome, args: string[]) => runInit(['--agent', 'codex', ...args], home.env, home.home);

  async function session(home: TempHome): Promise<string> {
    const before = model.requests.length;
    const child = run('codex', ['exec', '--skip-git-repo-check', 'hello'], { cwd: home.home, env: home.env, timeout: 120_000 });
    // codex exec reads more prompt from a stdin that is not a terminal: give it an empty one.
    child.child.stdin?.end();
    const { stdout } = await child;
    expect(stdout.trim()).toContain('ok');
    return model.requests
      .slice(before)
      .filter((request) => request.url.includes('/responses'))
      .map((request) => request.body)
      .join('\n');
  }

  it('trusts the hooks it wrote, so a plain codex exec runs them and the model receives their context', async (context) => {
    if (!codex.ok) return context.skip(codex.reason);
    const { home, config, cli } = await setup('TOKEN-trusted-7c1');
    const result = await init(home, ['--command', cli.path]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^trusted .*hooks\.json:session_start:0:0 \(codex config\.toml\)$/m);
    expect(result.stdout).toMatch(/^trusted .*hooks\.json:session_end:0:0 \(codex config\.toml\)$/m);
    expect(result.stdout).toMatch(/^backup .*config\.toml\.bak-/m);
    expect(result.stdout).not.toContain('trust (codex)');

    const requests = await session(home);
    expect(requests).toContain('TOKEN-trusted-7c1');
    const starts = (await cli.runs()).filter((entry) => entry.args[0] === 'start');
    expect(starts).toHaveLength(1);
    expect(starts[0]!.args).toEqual(['start', '--hook', '--agent', 'codex']);
    expect(starts[0]!.marker).toBe('1');
    expect(JSON.parse(starts[0]!.stdin)).toMatchObject({ hook_event_name: 'SessionStart', cwd: home.home });

    // A second init changes nothing: same files, trust already recorded.
    const again = await init(home, ['--command', cli.path]);
    expect(again.stdout).not.toMatch(/^(create|update|trusted) /m);
    expect(again.stdout).toMatch(/^unchanged trust .*session_start:0:0$/m);

    // Uninstall takes back the hooks and Codex's trust records: config.toml is as it was.
    const removed = await init(home, ['--command', cli.path, '--uninstall']);
    expect(removed.code).toBe(0);
    expect(await readFile(join(home.home, '.codex', 'config.toml'), 'utf8')).toBe(config);
    const after = await session(home);
    expect(after).not.toContain('TOKEN-trusted-7c1');
    expect((await cli.runs()).filter((entry) => entry.args[0] === 'start')).toHaveLength(1);
  });

  it('without the trust step (--no-trust) Codex skips the same hooks: the trust record is what makes them run', async (context) => {
    if (!codex.ok) return context.skip(codex.reason);
    const { home, cli } = await setup('TOKEN-untrusted-3f9');
    const result = await init(home, ['--command', cli.path, '--no-trust']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/^trusted /m);
    expect(result.stdout).toContain("trust (codex): Codex skips a new or changed hook until it is trusted");
    expect(await session(home)).not.toContain('TOKEN-untrusted-3f9');
    expect(await cli.runs()).toEqual([]);
  });
});
