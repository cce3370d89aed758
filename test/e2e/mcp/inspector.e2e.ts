import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandoffStore } from '../../../src/index.js';
import { installPinned, type Installed } from '../lib/cache.js';
import { tempHome, type TempHome } from '../lib/home.js';

const INSPECTOR_VERSION = '2.12.0';
const CLI = join(import.meta.dirname, '..', '..', '..', 'dist', 'cli.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `handoffs mcp` driven by the official MCP Inspector in CLI mode, as a person checking a server
 * would run it (`npx @modelcontextprotocol/inspector --cli node dist/cli.js mcp --method …`): each
 * call starts the server, makes one request, and closes it.
 */
describe('handoffs mcp with the MCP Inspector (CLI mode)', () => {
  let inspector: Installed;
  let home: TempHome;
  let handoffsDir: string;
  let memoryDir: string;
  let project: string;

  beforeAll(async () => {
    inspector = await installPinned('@modelcontextprotocol/inspector', INSPECTOR_VERSION);
    if (!inspector.ok) console.warn(`skipping the MCP Inspector tests: ${inspector.reason}`);
    home = await tempHome();
    handoffsDir = join(home.home, 'handoffs');
    memoryDir = join(home.home, 'memory');
    project = join(home.home, 'project');
    await mkdir(join(project, '.git'), { recursive: true });
    await writeFile(join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  });
  afterAll(() => home?.dispose());

  /** `inspector --cli node dist/cli.js mcp … <inspector options>`, quiet, JSON out. */
  function inspect(options: string[]): Promise<Run> {
    if (!inspector.ok) throw new Error(inspector.reason);
    const bin = join(inspector.root, 'node_modules', '.bin', 'inspector');
    const server = [process.execPath, CLI, 'mcp', '--dir', handoffsDir, '--memory-dir', memoryDir, '--project', project];
    return new Promise((resolve) => {
      execFile(bin, ['--cli', ...server, ...options, '--format', 'json', '-q'], { env: home.env, cwd: home.home, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  /** A tools/call through the inspector: its exit code and the tool result it printed. */
  async function call(tool: string, args: Record<string, unknown>): Promise<{ code: number; isError: boolean; text: string; data: Record<string, unknown> }> {
    const run = await inspect(['--method', 'tools/call', '--tool-name', tool, '--tool-args-json', JSON.stringify(args)]);
    const { result } = JSON.parse(run.stdout) as { result: { content: Array<{ text: string }>; isError?: boolean; structuredContent?: Record<string, unknown> } };
    return { code: run.code, isError: result.isError === true, text: result.content.map((part) => part.text).join(''), data: result.structuredContent ?? {} };
  }

  it('lists the nine tools, with schemas the inspector finds portable (--strict)', async (context) => {
    if (!inspector.ok) return context.skip(inspector.reason);
    const listed = await inspect(['--method', 'tools/list']);
    expect(listed.code, listed.stderr).toBe(0);
    const { tools } = (JSON.parse(listed.stdout) as { result: { tools: Array<{ name: string }> } }).result;
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'acknowledge_handoffs',
      'add_memory',
      'claim_handoffs',
      'list_handoffs',
      'read_handoff',
      'read_memory',
      'release_handoffs',
      'search_memory',
      'write_handoff',
    ]);
    // --strict: exit 6 and the problems on stderr when a schema would not carry to other clients.
    const strict = await inspect(['--method', 'tools/list', '--strict']);
    expect(strict.code, strict.stderr).toBe(0);
  });

  it('writes a handoff; a claim the inspector never acknowledges is given back when it closes the server', async (context) => {
    if (!inspector.ok) return context.skip(inspector.reason);
    const written = await call('write_handoff', { slug: 'from inspector', body: 'INSPECTOR BODY', tags: ['e2e'] });
    expect(written).toMatchObject({ code: 0, isError: false, data: { project } });
    const store = new HandoffStore({ dir: handoffsDir, onWarning: () => {} });
    const [ref] = await store.list();
    expect((await store.read(ref!.name)).meta).toMatchObject({ agent: 'mcp', client: expect.any(String), project, tags: ['e2e'] });

    const claimed = await call('claim_handoffs', {});
    expect(claimed.code).toBe(0);
    expect(claimed.text).toContain('INSPECTOR BODY');
    expect(claimed.data.claim_id).toMatch(/^claim-/);
    expect((await store.list()).map((handoff) => handoff.state)).toEqual(['pending']);
  });

  it('adds a memory topic and finds it again', async (context) => {
    if (!inspector.ok) return context.skip(inspector.reason);
    const added = await call('add_memory', { topic: 'deploy', section: 'Ops', summary: 'How to ship a release', body: '# Deploy\n\nmake ship\n' });
    expect(added).toMatchObject({ code: 0, isError: false, data: { topic: 'deploy.md' } });
    const found = await call('search_memory', { query: 'ship' });
    expect(found.data.hits).toEqual([expect.objectContaining({ topic: 'deploy.md', summary: 'How to ship a release' })]);
    // The topic file in full: the front matter Claude Code reads (name, description, type), then the body.
    expect((await call('read_memory', { topic: 'deploy' })).text).toBe('---\nname: deploy\ndescription: How to ship a release\ntype: project\n---\n\n# Deploy\n\nmake ship\n');
  });

  it('answers bad input and path traversal with a readable tool error (the inspector exits 5)', async (context) => {
    if (!inspector.ok) return context.skip(inspector.reason);
    const missing = await call('write_handoff', { slug: 'x' });
    expect(missing).toMatchObject({ code: 5, isError: true });
    expect(missing.text).toContain('body is required');
    const traversal = await call('read_handoff', { name: '../../../etc/passwd' });
    expect(traversal).toMatchObject({ code: 5, isError: true, text: 'not a handoff name: "../../../etc/passwd" [INVALID_NAME]' });
    const topic = await call('read_memory', { topic: '/etc/passwd' });
    expect(topic).toMatchObject({ code: 5, isError: true });
    expect(topic.text).toContain('[INVALID_TOPIC]');
  });
});
