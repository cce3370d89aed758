import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandoffStore } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { connect, dataOf, textOf, type ConnectOptions, type Connected } from './stdio-client.js';

interface Claimed {
  claim_id: string | null;
  project: string | null;
  merged: string;
  handoffs: Array<{ name: string; agent: string | null; redelivered: boolean; project: string | null }>;
}

const TOOLS = [
  'acknowledge_handoffs',
  'add_memory',
  'claim_handoffs',
  'list_handoffs',
  'read_handoff',
  'read_memory',
  'release_handoffs',
  'search_memory',
  'write_handoff',
];

describe('handoffs mcp, driven by the SDK client over stdio', () => {
  let sandbox: Awaited<ReturnType<typeof tempDir>>;
  let handoffsDir: string;
  let memoryDir: string;
  let projectA: string;
  let projectB: string;
  let servers: Connected[];
  const store = () => new HandoffStore({ dir: handoffsDir, onWarning: () => {} });

  /** A git work tree (a `.git` folder with HEAD) with a subfolder, as the project rule sees one. */
  async function gitProject(name: string): Promise<string> {
    const root = join(sandbox.root, name);
    await mkdir(join(root, '.git'), { recursive: true });
    await mkdir(join(root, 'src'), { recursive: true });
    await writeFile(join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    return root;
  }

  /** Starts a server for project A (unless the options say otherwise) and connects a client. */
  async function server(options: Partial<ConnectOptions> & { extraArgs?: string[] } = {}): Promise<Connected> {
    const args = options.args ?? ['--dir', handoffsDir, '--memory-dir', memoryDir, '--project', projectA];
    const connected = await connect({
      args: [...args, ...(options.extraArgs ?? [])],
      cwd: options.cwd ?? sandbox.root,
      env: options.env ?? { HOME: join(sandbox.root, 'home'), PATH: process.env.PATH ?? '' },
      roots: options.roots,
    });
    servers.push(connected);
    return connected;
  }

  beforeEach(async () => {
    sandbox = await tempDir();
    handoffsDir = join(sandbox.root, 'handoffs');
    memoryDir = join(sandbox.root, 'memory');
    await mkdir(join(sandbox.root, 'home'));
    projectA = await gitProject('project-a');
    projectB = await gitProject('project-b');
    servers = [];
  });
  afterEach(async () => {
    await Promise.all(servers.map((connected) => connected.client.close().catch(() => {})));
    await sandbox.dispose();
  });

  it('lists its nine tools, each described, with an input schema that names its required fields and refuses unknown ones', async () => {
    const { client } = await server();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description!.length, tool.name).toBeGreaterThan(60);
      expect(tool.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
    }
    const schema = (name: string) => tools.find((tool) => tool.name === name)!.inputSchema;
    expect(schema('write_handoff').required).toEqual(['slug', 'body']);
    expect(schema('acknowledge_handoffs').required).toEqual(['claim_id']);
    expect(schema('add_memory').required).toEqual(['topic', 'section', 'summary']);
    expect(schema('claim_handoffs').required ?? []).toEqual([]);
    expect(tools.filter((tool) => tool.annotations?.readOnlyHint).map((tool) => tool.name).sort()).toEqual([
      'list_handoffs',
      'read_handoff',
      'read_memory',
      'search_memory',
    ]);
  });

  it('writes a handoff scoped to the project, recording agent mcp, the client, the branch, tags and the session id', async () => {
    const { call } = await server();
    const written = dataOf<{ name: string; project: string }>(
      await call('write_handoff', { slug: 'Auth refactor', body: 'Done: login.\nNext: tokens.', tags: ['auth'], session_id: 'chat-42' }),
    );
    expect(written.name).toMatch(/^\d{4}-\d\d-\d\d_\d{6}_auth-refactor\.md$/);
    expect(written.project).toBe(projectA);
    const content = await store().read(written.name);
    expect(content.body).toBe('Done: login.\nNext: tokens.');
    expect(content.meta).toMatchObject({ project: projectA, agent: 'mcp', client: 'handoffs-test', branch: 'main', tags: ['auth'], sessionId: 'chat-42' });

    const global = dataOf<{ name: string; project: string | null }>(await call('write_handoff', { slug: 'for anyone', body: 'x', global: true }));
    expect(global.project).toBeNull();
    expect((await store().read(global.name)).meta.project).toBeUndefined();
  });

  it("claims this project's pending handoffs once: acknowledged, they are consumed and a second claim gets nothing", async () => {
    await store().write({ slug: 'other project', body: 'for B only', meta: { project: projectB } });
    const { call } = await server();
    await call('write_handoff', { slug: 'first', body: 'FIRST BODY' });
    await call('write_handoff', { slug: 'second', body: 'SECOND BODY' });

    const claimed = dataOf<Claimed>(await call('claim_handoffs'));
    expect(claimed.handoffs.map((handoff) => handoff.name)).toEqual([expect.stringMatching(/_first\.md$/), expect.stringMatching(/_second\.md$/)]);
    expect(claimed.merged).toMatch(/FIRST BODY[\s\S]*SECOND BODY/);
    expect(claimed.merged).not.toContain('for B only');
    expect(claimed.handoffs.every((handoff) => handoff.agent === 'mcp' && !handoff.redelivered)).toBe(true);
    expect(claimed.claim_id).toMatch(/^claim-[0-9a-f]{12}$/);

    // Held for this client: another session of the same project does not get them meanwhile.
    const other = await server();
    expect(dataOf<Claimed>(await other.call('claim_handoffs')).handoffs).toEqual([]);

    const acknowledged = dataOf<{ consumed: string[]; lost: string[] }>(await call('acknowledge_handoffs', { claim_id: claimed.claim_id }));
    expect(acknowledged.consumed).toEqual(claimed.handoffs.map((handoff) => handoff.name));
    expect(acknowledged.lost).toEqual([]);
    const states = (await store().list({ consumed: true })).map((ref) => `${ref.slug}:${ref.state}`).sort();
    expect(states).toEqual(['first:consumed', 'other-project:pending', 'second:consumed']);

    const again = await call('claim_handoffs');
    expect(dataOf<Claimed>(again)).toMatchObject({ claim_id: null, handoffs: [] });
    expect(textOf(again)).toBe(`No pending handoffs for ${projectA}.`);
    // The claim id is spent.
    const twice = await call('acknowledge_handoffs', { claim_id: claimed.claim_id });
    expect(twice.isError).toBe(true);
    expect(textOf(twice)).toContain('[UNKNOWN_CLAIM]');
  });

  it('release puts claimed handoffs back (all, or those named) for the next claim', async () => {
    const { call } = await server();
    await call('write_handoff', { slug: 'keep', body: 'k' });
    await call('write_handoff', { slug: 'give back', body: 'g' });
    const claimed = dataOf<Claimed>(await call('claim_handoffs'));
    const giveBack = claimed.handoffs.find((handoff) => handoff.name.endsWith('_give-back.md'))!.name;

    const released = dataOf<{ released: string[]; not_held: string[] }>(
      await call('release_handoffs', { claim_id: claimed.claim_id, names: [giveBack, 'no-such.md'] }),
    );
    expect(released.released).toHaveLength(1);
    expect(released.not_held).toEqual(['no-such.md']);

    const other = await server();
    const next = dataOf<Claimed>(await other.call('claim_handoffs'));
    expect(next.handoffs.map((handoff) => handoff.name)).toEqual([expect.stringMatching(/_give-back(~[a-z0-9]+)?\.md$/)]);
    expect(next.merged).toContain('g');

    // The rest of the first claim is still held, and acknowledging it reports nothing lost.
    const acknowledged = dataOf<{ consumed: string[]; lost: string[] }>(await call('acknowledge_handoffs', { claim_id: claimed.claim_id }));
    expect(acknowledged.consumed).toEqual([expect.stringMatching(/_keep\.md$/)]);
    expect(acknowledged.lost).toEqual([]);

    const all = dataOf<{ released: string[] }>(await other.call('release_handoffs', { claim_id: next.claim_id }));
    expect(all.released).toHaveLength(1);
    expect((await store().list()).map((ref) => `${ref.slug}:${ref.state}`)).toEqual(['give-back:pending']);
  });

  it('gives back every unacknowledged claim when the client disconnects, and exits', async () => {
    const connected = await server();
    await connected.call('write_handoff', { slug: 'unread', body: 'u' });
    expect(dataOf<Claimed>(await connected.call('claim_handoffs')).handoffs).toHaveLength(1);
    expect((await store().list()).map((ref) => ref.state)).toEqual(['claimed']);

    const started = Date.now();
    await connected.client.close();
    await connected.exited;
    // The SDK client waits 2 s for the process to leave on its own before it sends SIGTERM.
    expect(Date.now() - started).toBeLessThan(1_900);
    expect(connected.stderr()).toContain('gave back 1 unacknowledged handoff');
    expect((await store().list()).map((ref) => `${ref.slug}:${ref.state}`)).toEqual(['unread:pending']);
    const next = dataOf<Claimed>(await (await server()).call('claim_handoffs'));
    expect(next.handoffs.map((handoff) => [handoff.name.replace(/^.*_/, '').replace(/~[a-z0-9]+\.md$/, '.md'), handoff.redelivered])).toEqual([['unread.md', false]]);
  });

  it('gives back unacknowledged claims on SIGTERM', async () => {
    const connected = await server();
    await connected.call('write_handoff', { slug: 'unread', body: 'u' });
    await connected.call('claim_handoffs');
    process.kill(connected.transport.pid!, 'SIGTERM');
    await connected.exited;
    expect((await store().list()).map((ref) => `${ref.slug}:${ref.state}`)).toEqual(['unread:pending']);
  });

  it('a server killed while holding a claim: the next claim receives those handoffs again, marked redelivered', async () => {
    const dying = await server();
    await dying.call('write_handoff', { slug: 'survives', body: 'S' });
    expect(dataOf<Claimed>(await dying.call('claim_handoffs')).handoffs).toHaveLength(1);
    process.kill(dying.transport.pid!, 'SIGKILL');
    await dying.exited;
    // Its claim is still on disk, held by a process that is gone.
    expect((await store().list()).map((ref) => ref.state)).toEqual(['claimed']);

    const next = await server();
    const claimed = dataOf<Claimed>(await next.call('claim_handoffs'));
    expect(claimed.handoffs.map((handoff) => handoff.redelivered)).toEqual([true]);
    expect(claimed.merged).toContain('S');
  });

  it("acts for the client's workspace root when started without --project", async () => {
    await store().write({ slug: 'for a', body: 'A', meta: { project: projectA } });
    await store().write({ slug: 'for b', body: 'B', meta: { project: projectB } });
    const { call } = await server({
      args: ['--dir', handoffsDir, '--memory-dir', memoryDir],
      cwd: projectA,
      roots: [pathToFileURL(join(projectB, 'src')).href],
    });
    const claimed = dataOf<Claimed>(await call('claim_handoffs'));
    expect(claimed.project).toBe(projectB);
    expect(claimed.handoffs.map((handoff) => handoff.name)).toEqual([expect.stringMatching(/_for-b\.md$/)]);
    const written = dataOf<{ project: string }>(await call('write_handoff', { slug: 'x', body: 'y' }));
    expect(written.project).toBe(projectB);
  });

  it('falls back to the git root of its working directory when the client reports no root', async () => {
    const { call } = await server({ args: ['--dir', handoffsDir, '--memory-dir', memoryDir], cwd: join(projectB, 'src') });
    expect(dataOf<{ project: string }>(await call('write_handoff', { slug: 'x', body: 'y' })).project).toBe(projectB);
  });

  it('lists and reads handoffs without claiming them', async () => {
    await store().write({ slug: 'other project', body: 'for B only', meta: { project: projectB } });
    const { call } = await server();
    await call('write_handoff', { slug: 'one', body: 'ONE BODY', session_id: 's-1' });
    const listed = dataOf<{ handoffs: Array<{ name: string; state: string; session_id: string | null }> }>(await call('list_handoffs'));
    expect(listed.handoffs).toEqual([expect.objectContaining({ state: 'pending', session_id: 's-1', name: expect.stringMatching(/_one\.md$/) })]);
    expect(dataOf<{ handoffs: unknown[] }>(await call('list_handoffs', { all_projects: true })).handoffs).toHaveLength(2);

    const read = await call('read_handoff', { name: listed.handoffs[0]!.name });
    expect(textOf(read)).toMatch(/_one\.md \(pending, written .*, from mcp, session s-1, project .*project-a\)\n\nONE BODY$/);
    expect((await store().list()).map((ref) => ref.state)).toEqual(['pending', 'pending']);

    const claimed = dataOf<Claimed>(await call('claim_handoffs'));
    await call('acknowledge_handoffs', { claim_id: claimed.claim_id });
    expect(dataOf<{ handoffs: unknown[] }>(await call('list_handoffs')).handoffs).toEqual([]);
    const withConsumed = dataOf<{ handoffs: Array<{ state: string }> }>(await call('list_handoffs', { include_consumed: true }));
    expect(withConsumed.handoffs.map((handoff) => handoff.state)).toEqual(['consumed']);
  });

  it('adds, searches and reads memory topics, in the folder given', async () => {
    const { call } = await server();
    const empty = await call('search_memory', { query: 'deploy' });
    expect(textOf(empty)).toContain('Memory is empty');
    // A search does not create the folder; only a write does.
    await expect(readdir(memoryDir)).rejects.toMatchObject({ code: 'ENOENT' });

    const added = dataOf<{ topic: string; section: string }>(
      await call('add_memory', { topic: 'infra/deploy', section: 'Ops', summary: 'How to deploy: hosts, steps', body: '# Deploy\n\nrun make ship\n' }),
    );
    expect(added).toMatchObject({ topic: 'infra/deploy.md', section: 'Ops' });
    await call('add_memory', { topic: 'style', section: 'Conventions', summary: 'Commit message rules' });
    expect(await readFile(join(memoryDir, 'MEMORY.md'), 'utf8')).toMatch(/## Ops\n\n- \[deploy\]\(infra\/deploy\.md\) — How to deploy/);

    const hits = dataOf<{ hits: Array<{ topic: string }> }>(await call('search_memory', { query: 'deploy' })).hits;
    expect(hits.map((hit) => hit.topic)).toEqual(['infra/deploy.md']);
    // The topic file carries Claude Code's front matter above the body given.
    expect(textOf(await call('read_memory', { topic: 'infra/deploy' }))).toMatch(/^---\n[\s\S]*\n---\n\n?# Deploy\n\nrun make ship\n$/);
    const missing = await call('read_memory', { topic: 'nope' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain('[NOT_FOUND]');
  });

  it('answers bad input with a tool error naming the field, and keeps serving', async () => {
    const { call } = await server();
    const errors: Array<[string, Record<string, unknown>, RegExp]> = [
      ['write_handoff', { body: 'x' }, /slug is required/],
      ['write_handoff', { slug: 'x', body: 42 }, /body must be a string, got number/],
      ['write_handoff', { slug: 'x', body: 'y', colour: 'red' }, /Unrecognized key: "colour"/],
      ['write_handoff', { slug: 'x', body: '   \n' }, /body is blank.*\[INVALID_BODY\]/],
      ['write_handoff', { slug: '!!!', body: 'y' }, /\[INVALID_SLUG\]/],
      ['write_handoff', { slug: 'x', body: 'y', tags: 'one' }, /tags must be a list of strings, got string/],
      ['claim_handoffs', { max_lines: 0 }, /max_lines must be at least 1/],
      ['claim_handoffs', { max_lines: 2.5 }, /max_lines must be a whole number/],
      ['acknowledge_handoffs', {}, /claim_id is required/],
      ['acknowledge_handoffs', { claim_id: 'claim-000000000000' }, /no open claim "claim-000000000000".*\[UNKNOWN_CLAIM\]/],
      ['release_handoffs', { claim_id: 'nope' }, /\[UNKNOWN_CLAIM\]/],
      ['add_memory', { topic: 'x', section: 'Ops', summary: 'two\nlines' }, /summary must be one line \[INVALID_ENTRY\]/],
      ['search_memory', { query: '' }, /query must not be empty/],
    ];
    for (const [tool, args, message] of errors) {
      const result = await call(tool, args);
      expect(result.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(textOf(result), `${tool} ${JSON.stringify(args)}`).toMatch(message);
    }
    expect(dataOf<{ name: string }>(await call('write_handoff', { slug: 'still here', body: 'y' })).name).toMatch(/_still-here\.md$/);
  });

  describe('reads and writes nothing outside the handoffs and memory folders', () => {
    const SECRET = 'TOP SECRET';
    let outside: string;

    beforeEach(async () => {
      outside = join(sandbox.root, 'outside');
      await mkdir(outside);
      await writeFile(join(outside, 'secret.md'), `${SECRET}\n`);
      await mkdir(handoffsDir);
      await mkdir(memoryDir);
    });

    /** Every result text, so no test can miss the secret in one of them. */
    async function refused(connected: Connected, tool: string, args: Record<string, unknown>, code: RegExp): Promise<void> {
      const result = await connected.call(tool, args);
      expect(result.isError, `${tool} ${JSON.stringify(args)}: ${textOf(result)}`).toBe(true);
      expect(textOf(result)).toMatch(code);
      expect(textOf(result)).not.toContain(SECRET);
    }

    it('refuses handoff names that are paths: traversal, absolute, nested', async () => {
      const connected = await server();
      for (const name of ['../outside/secret.md', '../../etc/passwd', '/etc/passwd', join(outside, 'secret.md'), '..', 'sub/2026-01-01_000000_x.md', '2026-01-01_000000_x.md/../../outside/secret.md', '.\u0000x']) {
        await refused(connected, 'read_handoff', { name }, /\[INVALID_NAME\]/);
      }
    });

    it('never reads a handoff that is a symbolic link, nor lists it', async () => {
      await symlink(join(outside, 'secret.md'), join(handoffsDir, '2026-01-01_000000_leak.md'));
      const connected = await server();
      await refused(connected, 'read_handoff', { name: '2026-01-01_000000_leak.md' }, /symbolic link.*\[IO\]/);
      const listed = await connected.call('list_handoffs', { all_projects: true, include_consumed: true });
      expect(dataOf<{ handoffs: unknown[] }>(listed).handoffs).toEqual([]);
      const claimed = await connected.call('claim_handoffs', { all_projects: true });
      expect(textOf(claimed)).not.toContain(SECRET);
      expect(dataOf<Claimed>(claimed).handoffs).toEqual([]);
    });

    it('refuses topics that are paths out of the memory folder: traversal, absolute, hidden, backslashes', async () => {
      const connected = await server();
      for (const topic of ['../outside/secret', '../outside/secret.md', 'a/../../outside/secret', '/etc/passwd', join(outside, 'secret.md'), '.hidden', 'a/./b', 'a\\..\\b', 'C:\\Windows\\x']) {
        await refused(connected, 'read_memory', { topic }, /\[INVALID_TOPIC\]/);
        await refused(connected, 'add_memory', { topic, section: 'S', summary: 'x', body: 'overwritten' }, /\[INVALID_TOPIC\]/);
      }
      expect(await readFile(join(outside, 'secret.md'), 'utf8')).toBe(`${SECRET}\n`);
    });

    it('refuses topics through a symbolic link, file or folder, for reading and for writing', async () => {
      await symlink(join(outside, 'secret.md'), join(memoryDir, 'leak.md'));
      await symlink(outside, join(memoryDir, 'notes'));
      await writeFile(join(memoryDir, 'MEMORY.md'), '# Memory\n\n## Notes\n\n- [Secret](notes/secret.md) — linked out\n- [Leak](leak.md) — linked out\n');
      const connected = await server();
      await refused(connected, 'read_memory', { topic: 'leak' }, /symbolic link leak\.md.*\[INVALID_TOPIC\]/);
      await refused(connected, 'read_memory', { topic: 'notes/secret' }, /symbolic link notes.*\[INVALID_TOPIC\]/);
      await refused(connected, 'add_memory', { topic: 'notes/secret', section: 'S', summary: 'x', body: 'overwritten' }, /symbolic link notes/);
      await refused(connected, 'add_memory', { topic: 'notes/new', section: 'S', summary: 'x', body: 'planted' }, /symbolic link notes/);
      await refused(connected, 'add_memory', { topic: 'leak', section: 'S', summary: 'x', body: 'overwritten' }, /symbolic link leak\.md/);
      expect(await readdir(outside)).toEqual(['secret.md']);
      expect(await readFile(join(outside, 'secret.md'), 'utf8')).toBe(`${SECRET}\n`);
      // The index may name them; search shows only what the index says, never a file's text.
      const search = await connected.call('search_memory', { query: 'secret' });
      expect(textOf(search)).not.toContain(SECRET);
    });
  });
});
