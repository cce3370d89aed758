import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPinned, type Installed } from '../lib/cache.js';
import { tempHome, type TempHome } from '../lib/home.js';
import { startModelServer, type ModelServer } from '../lib/model-server.js';
import { recordingCli, runInit } from './recording-cli.js';

const COPILOT_VERSION = '1.0.102';

/**
 * `handoffs init --agent copilot` against the real Copilot CLI: the user-level hooks file init
 * owns (`~/.copilot/hooks/handoffs.json`, command in `bash`) is run, and the hook's top-level
 * `additionalContext` reaches the model; uninstall removes the file it created.
 */
describe('init --agent copilot with the real Copilot CLI', () => {
  let copilot: Installed;
  let model: ModelServer;
  let home: TempHome;

  beforeAll(async () => {
    copilot = await installPinned('@github/copilot', COPILOT_VERSION);
    model = await startModelServer((request, response) => {
      if (!request.url.includes('/chat/completions')) {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
      const chunk = (delta: object, finish: string | null, extra: object = {}) =>
        `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(`${chunk({ role: 'assistant', content: 'ok' }, null)}${chunk({}, 'stop', { usage })}data: [DONE]\n\n`);
    });
    home = await tempHome({
      COPILOT_OFFLINE: 'true',
      COPILOT_AUTO_UPDATE: 'false',
      COPILOT_PROVIDER_BASE_URL: `${model.url}/v1`,
      COPILOT_PROVIDER_TYPE: 'openai',
      COPILOT_MODEL: 'gpt-4o',
    });
  });
  afterAll(async () => {
    await model?.close();
    await home?.dispose();
  });

  async function session(): Promise<string> {
    if (!copilot.ok) throw new Error(copilot.reason);
    const before = model.requests.length;
    const child = spawn(join(copilot.root, 'node_modules', '.bin', 'copilot'), ['-p', 'hello'], { cwd: home.home, env: home.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, output).toBe(0);
    return model.requests
      .slice(before)
      .map((request) => request.body)
      .join('\n');
  }

  it("runs the hooks file init owns and sends the hook's context to the model; uninstall removes the file", async (context) => {
    if (!copilot.ok) return context.skip(copilot.reason);
    const cli = await recordingCli(home.home, 'TOKEN-copilot-9e4', 'topLevel');
    const result = await runInit(['--agent', 'copilot', '--command', cli.path], home.env, home.home);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(home.home, '.copilot', 'hooks', 'handoffs.json'), 'utf8')).toContain('"bash": ');

    expect(await session()).toContain('TOKEN-copilot-9e4');
    const starts = (await cli.runs()).filter((run) => run.args[0] === 'start');
    expect(starts).toHaveLength(1);
    expect(starts[0]!.args).toEqual(['start', '--hook', '--agent', 'copilot']);
    expect(starts[0]!.marker).toBe('1');
    expect(JSON.parse(starts[0]!.stdin)).toMatchObject({ cwd: home.home });

    const removed = await runInit(['--agent', 'copilot', '--command', cli.path, '--uninstall'], home.env, home.home);
    expect(removed.code).toBe(0);
    expect((await readdir(join(home.home, '.copilot', 'hooks'))).filter((name) => !name.includes('.bak-'))).toEqual([]);
    expect(await session()).not.toContain('TOKEN-copilot-9e4');
    expect((await cli.runs()).filter((run) => run.args[0] === 'start')).toHaveLength(1);
  });
});
