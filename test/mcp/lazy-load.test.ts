import { spawn } from 'node:child_process';
import { cp, mkdir, readFile, readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { CLI } from './stdio-client.js';

const REPO = join(import.meta.dirname, '..', '..');
const RECORDER = join(import.meta.dirname, 'fixtures', 'record-loads.mjs');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cli: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, cli, ...args], { env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // The MCP server stops when its client goes away: an empty stdin is a client that left at once.
    child.stdin.end();
  });
}

/**
 * The MCP SDK is an optional peer dependency loaded only by `handoffs mcp`: a session hook never
 * pays for it, and an install without it works for everything else.
 */
describe('the MCP SDK is loaded by `handoffs mcp` alone', () => {
  let sandbox: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;

  beforeEach(async () => {
    sandbox = await tempDir();
    await mkdir(join(sandbox.root, 'home'));
    env = { HOME: join(sandbox.root, 'home'), PATH: process.env.PATH ?? '', HANDOFFS_DIR: join(sandbox.root, 'handoffs') };
  });
  afterEach(() => sandbox.dispose());

  /** Module URLs a command resolved. */
  async function loads(args: string[]): Promise<string[]> {
    const record = join(sandbox.root, `loads-${args[0]}.txt`);
    const result = await run(CLI, args, { ...env, HANDOFFS_RECORD_LOADS: record }, ['--import', RECORDER]);
    expect(result.code, result.stderr).toBe(0);
    return (await readFile(record, 'utf8')).split('\n').filter(Boolean);
  }

  it('handoffs start (the session hook) resolves neither the SDK nor zod; handoffs mcp resolves both', async () => {
    const start = await loads(['start', '--hook']);
    expect(start.some((url) => url.endsWith('/dist/cli.js'))).toBe(true);
    expect(start.filter((url) => /@modelcontextprotocol|\/zod\//.test(url))).toEqual([]);

    const mcp = await loads(['mcp']);
    expect(mcp.some((url) => url.includes('/node_modules/@modelcontextprotocol/sdk/dist/esm/server/mcp.js'))).toBe(true);
    expect(mcp.some((url) => /\/node_modules\/zod\/v4\/index\.js$/.test(url))).toBe(true);
  });

  it('without the SDK installed, every other command works and mcp says how to install it', async () => {
    // The package as installed without its optional peer: dist/ and every dependency but the SDK.
    const install = join(sandbox.root, 'install');
    await cp(join(REPO, 'dist'), join(install, 'dist'), { recursive: true });
    await mkdir(join(install, 'node_modules'));
    for (const name of await readdir(join(REPO, 'node_modules'))) {
      if (name !== '@modelcontextprotocol' && !name.startsWith('.')) await symlink(join(REPO, 'node_modules', name), join(install, 'node_modules', name));
    }
    const cli = join(install, 'dist', 'cli.js');

    const write = await run(cli, ['write', '--slug', 'x', '--file', join(REPO, 'package.json')], env);
    expect(write.code, write.stderr).toBe(0);
    const mcp = await run(cli, ['mcp'], env);
    expect(mcp.code).toBe(1);
    expect(mcp.stdout).toBe('');
    expect(mcp.stderr).toMatch(/^handoffs: handoffs mcp needs @modelcontextprotocol\/sdk ~1\.32\.2.*npm install -g @modelcontextprotocol\/sdk@~1\.32\.2/);
    expect(mcp.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
