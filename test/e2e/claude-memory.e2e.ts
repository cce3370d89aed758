import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import { claudeMemoryDir } from '../../src/index.js';
import { installPinned, type Installed } from './lib/cache.js';
import { tempHome, type TempHome } from './lib/home.js';
import { sendEvents, startModelServer, type ModelServer, type RecordedRequest } from './lib/model-server.js';

// The real Claude Code CLI, offline: a temp HOME, a scripted model on 127.0.0.1, and the built
// `handoffs` CLI run as a user runs it. What counts is what the client put in its request.

const CLAUDE_CODE = '@anthropic-ai/claude-code';
const CLAUDE_CODE_VERSION = '2.1.197';
const handoffsCli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const run = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(file: string, args: string[], options: { cwd: string; env: Record<string, string> }): Promise<Result> {
  try {
    const { stdout, stderr } = await run(file, args, { ...options, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The text the model is asked to end its turn with. */
function answer(request: RecordedRequest, response: Parameters<typeof sendEvents>[0]): void {
  if (request.method !== 'POST') {
    response.writeHead(200);
    response.end();
    return;
  }
  sendEvents(response, [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } },
      },
    },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'ok' } } },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ]);
}

let installed: Installed;
let claudeBin: string;

beforeAll(async () => {
  installed = await installPinned(CLAUDE_CODE, CLAUDE_CODE_VERSION, async (packageDir) => {
    // npm here runs no install scripts: place the native binary the way the package's postinstall does.
    await run(process.execPath, ['install.cjs'], { cwd: packageDir, timeout: 10 * 60_000 });
  });
  if (installed.ok) claudeBin = join(installed.packageDir, 'bin', 'claude.exe');
  else console.warn(`claude-memory e2e skipped: ${installed.reason}`);
});

function requireClient(context: TestContext): void {
  if (!installed.ok) context.skip(installed.reason);
}

describe(`Claude Code ${CLAUDE_CODE_VERSION} auto memory, managed by handoffs`, () => {
  let home: TempHome;
  let server: ModelServer;
  let root: string;

  beforeEach(async () => {
    home = await tempHome();
    root = await realpath(await mkdtemp(join(tmpdir(), 'handoffs-e2e-memory-')));
    server = await startModelServer(answer);
  });
  afterEach(async () => {
    await server.close();
    await home.dispose();
    await rm(root, { recursive: true, force: true });
  });

  /** One real `claude -p hello` session in `cwd`; `offline` runs it without a key (it stops before the model). */
  const claude = (cwd: string, options: { offline?: boolean; env?: Record<string, string> } = {}) =>
    exec(claudeBin, ['-p', 'hello'], {
      cwd,
      env: {
        ...home.env,
        DISABLE_TELEMETRY: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        ...(options.offline ? {} : { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'dummy' }),
        ...options.env,
      },
    });
  const handoffs = (cwd: string, args: string[]) => exec(process.execPath, [handoffsCli, 'memory', ...args], { cwd, env: home.env });

  /** The auto-memory context of the last model request: everything after Claude Code's wrapper line. */
  async function loadedMemory(cwd: string): Promise<string | undefined> {
    const before = server.requests.length;
    const session = await claude(cwd);
    expect(session, 'the real session ends normally against the scripted model').toMatchObject({ code: 0, stdout: 'ok\n' });
    const request = server.requests.slice(before).find((candidate) => candidate.method === 'POST' && candidate.url.startsWith('/v1/messages'));
    expect(request, 'Claude Code sent a request to the scripted model').toBeDefined();
    const { dir } = await claudeMemoryDir(cwd, { home: home.home, env: home.env });
    const wrapper = `Contents of ${dir}/MEMORY.md (user's auto-memory, persists across conversations):\n\n`;
    const text = (request!.json as { messages: Array<{ content: Array<{ text?: string }> | string }> }).messages
      .flatMap((message) => (typeof message.content === 'string' ? [message.content] : message.content.map((part) => part.text ?? '')))
      .find((part) => part.includes(wrapper));
    return text === undefined ? undefined : text.slice(text.indexOf(wrapper) + wrapper.length);
  }

  it('creates its memory folder exactly where handoffs looks, for every kind of path', async (context) => {
    requireClient(context);
    const cases: Record<string, string> = {
      'dots and spaces': join(root, 'my app.v1.2'),
      underscores: join(root, 'snake_case_dir'),
      'é (NFC)': join(root, 'caf\u00e9'),
      'é (NFD)': join(root, 'cafe\u0301'),
      '日本': join(root, '日本語'),
      emoji: join(root, 'emoji-😀'),
      punctuation: join(root, 'q"u#o%t+e@~!$'),
      'over 200 characters': join(root, ...Array.from({ length: 24 }, (_, index) => `segment-${index}`)),
      'a subfolder of a git repository': join(root, 'repo', 'packages', 'web'),
      'a linked git worktree': join(root, 'repo-feature', 'src'),
      'a path through a symbolic link': join(root, 'link', 'project'),
    };
    await mkdir(join(root, 'repo', 'packages', 'web'), { recursive: true });
    const git = (args: string[]) => run('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', ...args], { cwd: join(root, 'repo'), env: home.env });
    await git(['init', '-q']);
    await git(['commit', '-q', '--allow-empty', '-m', 'init']);
    await git(['worktree', 'add', '-q', join(root, 'repo-feature'), '-b', 'feature']);
    await mkdir(join(root, 'real', 'project'), { recursive: true });
    await symlink(join(root, 'real'), join(root, 'link'));
    expect(cases['over 200 characters']!.length).toBeGreaterThan(200);

    // Each case gets its own CLAUDE_CONFIG_DIR (which the client honours), so two run at once.
    const observe = async ([name, cwd]: [string, string], index: number) => {
      await mkdir(cwd, { recursive: true });
      const env = { ...home.env, CLAUDE_CONFIG_DIR: join(home.home, `config-${index}`) };
      // Without a key the session stops at "Not logged in", after the client set up its project folders.
      await claude(cwd, { offline: true, env });
      const projects = join(env.CLAUDE_CONFIG_DIR, 'projects');
      const created = (await readdir(projects)).filter((folder) => existsSync(join(projects, folder, 'memory')));
      const expected = await claudeMemoryDir(cwd, { home: home.home, env });
      expect({ name, memory: created.map((folder) => join(projects, folder, 'memory')) }).toEqual({ name, memory: [expected.dir] });
    };
    const entries = Object.entries(cases);
    for (let index = 0; index < entries.length; index += 2) {
      await Promise.all(entries.slice(index, index + 2).map((entry, offset) => observe(entry, index + offset)));
    }
  });

  it('an entry added with `handoffs memory add` is in the next request Claude Code sends', async (context) => {
    requireClient(context);
    const repo = join(root, 'proj é.v2');
    const cwd = join(repo, 'src');
    await mkdir(join(repo, '.git'), { recursive: true });
    await mkdir(cwd, { recursive: true });

    const added = await handoffs(cwd, ['add', '--topic', 'deploy-steps', '--description', 'MARK-ADD deploys go through CI', '--type', 'project']);
    expect(added.code, added.stderr).toBe(0);
    const memory = await loadedMemory(cwd);
    expect(memory).toBeDefined();
    expect(memory!.startsWith('## Project\n\n- [deploy-steps](deploy-steps.md) — MARK-ADD deploys go through CI\n')).toBe(true);
  });

  it('a MEMORY.md clobbered by parallel sessions is repaired by `handoffs memory repair`, and its lines reach the model again', async (context) => {
    requireClient(context);
    const cwd = join(root, 'service');
    await mkdir(cwd, { recursive: true });
    const markers = ['MARK-ONE', 'MARK-TWO', 'MARK-THREE'];
    for (const [index, marker] of markers.entries()) {
      const result = await handoffs(cwd, ['add', '--topic', `topic-${index}`, '--description', `${marker} fact ${index}`]);
      expect(result.code, result.stderr).toBe(0);
    }
    const { dir } = await claudeMemoryDir(cwd, { home: home.home, env: home.env });
    const index = join(dir, 'MEMORY.md');
    const rewrite = async (text: string) => {
      await writeFile(`${index}.tmp`, text);
      await rename(`${index}.tmp`, index);
    };
    // Two sessions read the index, then each saves a memory and rewrites the whole index from its read:
    // the second write drops the first one's line. A third session had read it before any memory
    // was added, and saves last.
    const stale = await readFile(index, 'utf8');
    const save = async (from: string, name: string, marker: string) => {
      await writeFile(join(dir, `${name}.md`), `---\nname: ${name}\ndescription: ${marker} saved by a session\ntype: feedback\n---\n\n${marker}\n`);
      await rewrite(`${from}- [${name}](${name}.md) — ${marker} saved by a session\n`);
    };
    await save(stale, 'session-a', 'MARK-A');
    await save(stale, 'session-b', 'MARK-B');
    await save('', 'session-c', 'MARK-C');

    const clobbered = await loadedMemory(cwd);
    expect(clobbered).toContain('MARK-C');
    for (const lost of [...markers, 'MARK-A', 'MARK-B']) expect(clobbered).not.toContain(lost);

    const repair = await handoffs(cwd, ['repair']);
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.stdout).toContain('repaired ');
    expect(repair.stdout).toContain('5 lines restored, 0 duplicates removed');
    const repaired = await loadedMemory(cwd);
    for (const marker of [...markers, 'MARK-A', 'MARK-B', 'MARK-C']) expect(repaired).toContain(marker);
    expect((await handoffs(cwd, ['lint'])).code).toBe(0);
    expect((await handoffs(cwd, ['repair'])).stdout).toBe(`nothing to repair in ${index}\n`);
  });

  it('as a SessionStart hook, `memory repair --hook` hands the lost lines to that very session; the next one reads them from MEMORY.md', async (context) => {
    requireClient(context);
    const cwd = join(root, 'hooked');
    await mkdir(cwd, { recursive: true });
    for (const [topic, marker] of [['kept', 'MARK-KEPT'], ['lost', 'MARK-LOST']]) {
      expect((await handoffs(cwd, ['add', '--topic', topic!, '--description', `${marker} fact`])).code).toBe(0);
    }
    const { dir } = await claudeMemoryDir(cwd, { home: home.home, env: home.env });
    await writeFile(join(dir, 'MEMORY.md.tmp'), '## Project\n\n- [kept](kept.md) — MARK-KEPT fact\n');
    await rename(join(dir, 'MEMORY.md.tmp'), join(dir, 'MEMORY.md'));
    await mkdir(join(home.home, '.claude'), { recursive: true });
    const hook = `${JSON.stringify(process.execPath)} ${JSON.stringify(handoffsCli)} memory repair --hook`;
    await writeFile(
      join(home.home, '.claude', 'settings.json'),
      JSON.stringify({ hooks: { SessionStart: [{ matcher: 'startup|resume|clear', hooks: [{ type: 'command', command: hook, timeout: 30 }] }] } }),
    );

    const before = server.requests.length;
    const first = await loadedMemory(cwd);
    // Claude Code read MEMORY.md before its SessionStart hook repaired it ...
    expect(first).toContain('MARK-KEPT');
    expect(first!.slice(0, first!.indexOf('\n# '))).not.toContain('MARK-LOST');
    // ... and the hook's context carries the line back into the same request.
    const request = server.requests.slice(before).find((candidate) => candidate.method === 'POST')!;
    expect(request.body).toContain('SessionStart hook additional context: Parallel sessions had dropped 1 line from your auto-memory index');
    expect(request.body).toContain('- [lost](lost.md) — MARK-LOST fact');
    expect(await readFile(join(dir, 'MEMORY.md'), 'utf8')).toContain('- [lost](lost.md) — MARK-LOST fact');

    const second = await loadedMemory(cwd);
    expect(second!.slice(0, second!.indexOf('\n# '))).toContain('- [lost](lost.md) — MARK-LOST fact');
  });

  it("`handoffs memory lint` flags an index exactly when Claude Code cuts it, and Claude Code's warning says why", async (context) => {
    requireClient(context);
    const cwd = join(root, 'limits');
    await mkdir(cwd, { recursive: true });
    const { dir } = await claudeMemoryDir(cwd, { home: home.home, env: home.env });
    await mkdir(dir, { recursive: true });
    const lint = async () => ((JSON.parse((await handoffs(cwd, ['lint', '--json'])).stdout) as Array<{ code: string }>).map((problem) => problem.code));
    const lines = (count: number) => Array.from({ length: count }, (_, index) => `note ${index + 1}`).join('\n');
    // Characters, counted as Claude Code counts them: the trimmed text's JavaScript length (in
    // lines of 1 000, well under the line limit; nothing to trim at either end).
    const chars = (count: number) => {
      const full = Math.floor((count - 1) / 1000);
      return `${'x'.repeat(999)}\n`.repeat(full) + 'y'.repeat(count - full * 1000);
    };

    const cases: Array<[string, string, string[], string | undefined]> = [
      ['200 lines', lines(200), [], undefined],
      ['201 lines', lines(201), ['OVER_BUDGET'], '> WARNING: MEMORY.md is 201 lines (limit: 200). Only part of it was loaded.'],
      ['25 000 characters', chars(25_000), [], undefined],
      ['25 001 characters', chars(25_001), ['OVER_SIZE'], '> WARNING: MEMORY.md is 24.4KB (limit: 24.4KB) — index entries are too long. Only part of it was loaded.'],
    ];
    for (const [name, text, codes, warning] of cases) {
      await writeFile(join(dir, 'MEMORY.md'), text);
      expect({ name, codes: await lint() }).toEqual({ name, codes });
      const memory = await loadedMemory(cwd);
      if (warning === undefined) expect({ name, warned: memory!.includes('> WARNING') }).toEqual({ name, warned: false });
      else expect({ name, memory: memory! }).toEqual({ name, memory: expect.stringContaining(`\n\n${warning} Keep index entries to one line under ~200 chars; move detail into topic files.`) });
    }
  });
});

afterAll(() => {
  if (installed && !installed.ok) console.warn(`claude-memory e2e: skipped because ${installed.reason}`);
});
