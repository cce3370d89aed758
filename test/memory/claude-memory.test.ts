import { mkdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryIndex, claudeProjectName, parseTopic, type MemoryIndexOptions } from '../../src/index.js';
import { adapters, bytes, tempDir, text, type Sandbox } from '../helpers.js';

describe.each(adapters)('topics with Claude Code front matter on $name', ({ sandbox }) => {
  let box: Sandbox;
  let dir: string;
  const open = (options: Partial<MemoryIndexOptions> = {}) => MemoryIndex.open({ dir, fs: box.fs, ...options });
  const read = async (name: string) => text(await box.fs.readFile(join(dir, name)));
  const write = (name: string, value: string) => box.fs.createFile(join(dir, name), bytes(value), { mode: 0o600, sync: false });

  beforeEach(async () => {
    box = await sandbox();
    dir = join(box.root, 'memory');
    await box.fs.mkdir(dir, { recursive: true, mode: 0o700 });
  });
  afterEach(() => box.dispose());

  it('add with a description and a type: front matter, and a line carrying the description under the type section', async () => {
    const memory = await open();
    const entry = await memory.upsert({ topic: 'user_role', description: 'Senior SRE; prefers terse answers', type: 'user' });
    expect(entry).toMatchObject({ section: 'User', title: 'user_role', file: 'user_role.md', summary: 'Senior SRE; prefers terse answers' });
    expect(await read('user_role.md')).toBe(
      '---\nname: user_role\ndescription: Senior SRE; prefers terse answers\ntype: user\n---\n\n# user_role\n\nSenior SRE; prefers terse answers\n',
    );
    expect(parseTopic(await read('user_role.md')).frontMatter).toEqual({
      name: 'user_role',
      description: 'Senior SRE; prefers terse answers',
      type: 'user',
    });
    expect(memory.render()).toBe('## User\n\n- [user_role](user_role.md) — Senior SRE; prefers terse answers\n');
  });

  it('updating keeps the entry where it is, its name and type, and changes only the description line', async () => {
    await write('MEMORY.md', '# Memory\n\n- [Deploy](deploy.md) — old\n');
    const original = '---\nname: deploy-steps\ndescription: old\nmetadata:\n  type: reference\n  note: hand-written\n---\n\nSteps.\n';
    await write('deploy.md', original);
    const memory = await open();
    await memory.upsert({ topic: 'deploy', description: 'how releases go out' });
    expect(memory.render()).toBe('# Memory\n\n- [Deploy](deploy.md) — how releases go out\n');
    expect(await read('deploy.md')).toBe(original.replace('description: old', 'description: how releases go out'));
  });

  it('summary and description default to each other; a type outside the four, or neither text, is INVALID_ENTRY', async () => {
    const memory = await open();
    await memory.upsert({ topic: 'a', summary: 'line text', description: 'front matter text', section: 'S' });
    expect(memory.entries[0]!.summary).toBe('line text');
    expect(parseTopic(await read('a.md')).frontMatter?.description).toBe('front matter text');
    await expect(memory.upsert({ topic: 'b', description: 'x', type: 'notes' as never })).rejects.toMatchObject({ code: 'INVALID_ENTRY' });
    await expect(memory.upsert({ topic: 'b' } as never)).rejects.toMatchObject({ code: 'INVALID_ENTRY' });
    await expect(memory.upsert({ topic: 'b', description: 'two\nlines' })).rejects.toMatchObject({ code: 'INVALID_ENTRY' });
    expect((await box.fs.readdir(dir)).map((entry) => entry.name).sort()).toEqual(['MEMORY.md', 'a.md']);
  });

  it('search weighs the front-matter description, not only the index line', async () => {
    await write('MEMORY.md', '- [Ops notes](ops.md) — misc\n- [Other](other.md) — misc\n');
    await write('ops.md', '---\nname: ops\ndescription: kubernetes cluster upgrades\ntype: project\n---\nx\n');
    await write('other.md', '---\nname: other\ndescription: lunch places\ntype: reference\n---\nkubernetes mentioned in the body only\n');
    const hits = await (await open()).search('kubernetes');
    expect(hits.map((hit) => [hit.file, hit.description])).toEqual([['ops.md', 'kubernetes cluster upgrades']]);
  });

  it('topics() lists every topic with its front matter and whether the index links it', async () => {
    await write('MEMORY.md', '- [A](a.md) — a\n');
    await write('a.md', '---\nname: a\ndescription: alpha\ntype: user\n---\n# Alpha\n');
    await write('b.md', 'plain\n');
    expect(await (await open()).topics()).toEqual([
      { file: 'a.md', linked: true, frontMatter: { name: 'a', description: 'alpha', type: 'user' }, heading: 'Alpha' },
      { file: 'b.md', linked: false, frontMatter: undefined, heading: undefined },
    ]);
  });

  it('createDir: a missing folder is an empty index, created 0700 with its parents on the first write', async () => {
    const missing = join(box.root, 'projects', '-work-app', 'memory');
    const memory = await MemoryIndex.open({ dir: missing, fs: box.fs, createDir: true });
    expect(await memory.lint()).toEqual([]);
    expect(await memory.search('x')).toEqual([]);
    expect(await memory.remove('x')).toBe(false);
    await expect(box.fs.stat(missing)).rejects.toMatchObject({ code: 'ENOENT' });
    await memory.upsert({ topic: 'first', description: 'the first memory' });
    expect((await box.fs.stat(missing)).mode & 0o777).toBe(0o700);
    expect((await box.fs.stat(join(box.root, 'projects'))).mode & 0o777).toBe(0o700);
    await expect(MemoryIndex.open({ dir: join(box.root, 'absent'), fs: box.fs })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('MemoryIndex.openClaude', () => {
  let sandbox: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    sandbox = await tempDir();
  });
  afterEach(() => sandbox.dispose());

  it("opens the auto memory Claude Code loads for the cwd's git root, and creates it on the first write", async () => {
    const root = await realpath(sandbox.root);
    const repo = join(root, 'my.repo');
    await mkdir(join(repo, '.git'), { recursive: true });
    await mkdir(join(repo, 'src'), { recursive: true });
    const memory = await MemoryIndex.openClaude({ cwd: join(repo, 'src'), home: join(root, 'home'), env: {}, durable: false });
    const expected = join(root, 'home', '.claude', 'projects', claudeProjectName(repo), 'memory');
    expect(memory.dir).toBe(expected);
    expect(memory.indexPath).toBe(join(expected, 'MEMORY.md'));
    await memory.upsert({ topic: 'deploy', description: 'how we deploy' });
    expect((await stat(expected)).mode & 0o777).toBe(0o700);
  });
});
