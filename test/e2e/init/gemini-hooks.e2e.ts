import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPinned, type Installed } from '../lib/cache.js';
import { tempHome, type TempHome } from '../lib/home.js';
import { startModelServer, type ModelServer } from '../lib/model-server.js';
import { recordingCli, runInit } from './recording-cli.js';

const GEMINI_VERSION = '0.61.0';

/**
 * `handoffs init --agent gemini` against the real Gemini CLI: the named, marked hooks init merges
 * into a settings.json that already holds the user's auth choice are run by Gemini, their output
 * reaches the model, and uninstall gives settings.json back byte for byte.
 */
describe('init --agent gemini with the real Gemini CLI', () => {
  let gemini: Installed;
  let model: ModelServer;
  let home: TempHome;

  beforeAll(async () => {
    gemini = await installPinned('@google/gemini-cli', GEMINI_VERSION);
    model = await startModelServer((request, response) => {
      if (!/generateContent/i.test(request.url)) {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const chunk = {
        candidates: [{ content: { parts: [{ text: 'ok' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
      };
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(`data: ${JSON.stringify(chunk)}\n\n`);
    });
    home = await tempHome({ GEMINI_API_KEY: 'dummy', GOOGLE_GEMINI_BASE_URL: model.url });
  });
  afterAll(async () => {
    await model?.close();
    await home?.dispose();
  });

  /** One `gemini -p hello` session; returns the request bodies it sent to the model. */
  async function session(): Promise<string> {
    if (!gemini.ok) throw new Error(gemini.reason);
    const before = model.requests.length;
    const bin = join(gemini.root, 'node_modules', '.bin', 'gemini');
    const child = spawn(bin, ['--skip-trust', '-m', 'gemini-2.5-flash', '-p', 'hello'], { cwd: home.home, env: home.env, stdio: ['ignore', 'pipe', 'pipe'] });
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

  it('runs the hooks init wrote and sends their context to the model; uninstall gives settings.json back', async (context) => {
    if (!gemini.ok) return context.skip(gemini.reason);
    const settingsFile = join(home.home, '.gemini', 'settings.json');
    const original = '{\n  "security": {\n    "auth": {\n      "selectedType": "gemini-api-key"\n    }\n  }\n}\n';
    await mkdir(join(home.home, '.gemini'), { recursive: true });
    await writeFile(settingsFile, original);
    const cli = await recordingCli(home.home, 'TOKEN-gemini-5d2');

    const result = await runInit(['--agent', 'gemini', '--command', cli.path], home.env, home.home);
    expect(result.code, result.stderr).toBe(0);
    expect(await session()).toContain('TOKEN-gemini-5d2');
    const starts = (await cli.runs()).filter((run) => run.args[0] === 'start');
    expect(starts).toHaveLength(1);
    expect(starts[0]!.args).toEqual(['start', '--hook', '--agent', 'gemini']);
    expect(starts[0]!.marker).toBe('1');
    expect(JSON.parse(starts[0]!.stdin)).toMatchObject({ hook_event_name: 'SessionStart' });

    const removed = await runInit(['--agent', 'gemini', '--command', cli.path, '--uninstall'], home.env, home.home);
    expect(removed.code).toBe(0);
    expect(await readFile(settingsFile, 'utf8')).toBe(original);
    expect(await session()).not.toContain('TOKEN-gemini-5d2');
    expect((await cli.runs()).filter((run) => run.args[0] === 'start')).toHaveLength(1);
  });
});
