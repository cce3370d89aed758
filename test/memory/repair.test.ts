import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryIndex, parseIndex, planRepair, type MemoryIndexOptions } from '../../src/index.js';
import { adapters, bytes, text, type Sandbox } from '../helpers.js';

const topic = (name: string, description: string, type = 'project', heading = '') =>
  `---\nname: ${name}\ndescription: ${description}\ntype: ${type}\n---\n\n${heading === '' ? '' : `# ${heading}\n\n`}${description}\n`;

describe('planRepair (pure)', () => {
  it('keeps the first of two lines linking one topic and removes the later ones, however they link it', () => {
    const index = '# Memory\n\n- [A](a.md) — first\n- [B](b.md) — b\n- [A again](./a.md#top) — second\n* [a](A.md) — third\n';
    const plan = planRepair(parseIndex(index), [
      { file: 'a.md', title: 'A', description: 'a', type: 'project' },
      { file: 'b.md', title: 'B', description: 'b', type: 'project' },
    ]);
    expect(plan.text).toBe('# Memory\n\n- [A](a.md) — first\n- [B](b.md) — b\n');
    expect(plan.removed).toEqual([
      { file: 'a.md', line: 5, text: '- [A again](./a.md#top) — second', keptLine: 3 },
      { file: 'A.md', line: 6, text: '* [a](A.md) — third', keptLine: 3 },
    ]);
    expect(plan.restored).toEqual([]);
  });

  it('puts a line back under the section of its type, else under Recovered, in file order', () => {
    const index = '# Memory\n\n## Project\n\n- [Kept](kept.md) — kept\n\n## Notes\n\nprose stays\n';
    const plan = planRepair(parseIndex(index), [
      { file: 'kept.md', title: 'Kept', description: 'kept', type: 'project' },
      { file: 'zeta.md', title: 'Zeta', description: 'last by name', type: 'project' },
      { file: 'alpha.md', title: 'Alpha [v2]', description: 'first by name', type: 'project' },
      { file: 'who.md', title: 'Who', description: 'the user', type: 'user' },
      { file: 'loose.md', title: 'loose', description: undefined, type: undefined },
    ]);
    expect(plan.text).toBe(
      [
        '# Memory',
        '',
        '## Project',
        '',
        '- [Kept](kept.md) — kept',
        '- [Alpha \\[v2\\]](alpha.md) — first by name',
        '- [Zeta](zeta.md) — last by name',
        '',
        '## Notes',
        '',
        'prose stays',
        '',
        '## Recovered',
        '',
        '- [loose](loose.md)',
        '',
        '## User',
        '',
        '- [Who](who.md) — the user',
        '',
      ].join('\n'),
    );
    expect(plan.restored.map((line) => [line.file, line.section, line.line])).toEqual([
      ['alpha.md', 'Project', 6],
      ['loose.md', 'Recovered', 15],
      ['who.md', 'User', 19],
      ['zeta.md', 'Project', 7],
    ]);
    expect(planRepair(parseIndex(plan.text), [])).toEqual({ text: plan.text, restored: [], removed: [] });
  });

  it('changes nothing in a healthy index, byte for byte', () => {
    const index = '# M\r\n\r\n## S\r\n\r\n*   [A](a.md)   —   odd   spacing  \r\n';
    expect(planRepair(parseIndex(index), [{ file: 'a.md', title: 'A', description: 'x', type: 'user' }])).toEqual({
      text: index,
      restored: [],
      removed: [],
    });
  });
});

describe.each(adapters)('MemoryIndex.repair on $name', ({ sandbox }) => {
  let box: Sandbox;
  let dir: string;
  const open = (options: Partial<MemoryIndexOptions> = {}) => MemoryIndex.open({ dir, fs: box.fs, ...options });
  const read = async (name: string) => text(await box.fs.readFile(join(dir, name)));
  const write = (name: string, value: string) => box.fs.createFile(join(dir, name), bytes(value), { mode: 0o600, sync: false });
  /** What a Claude Code session does: write its topic file, then rewrite the whole index from what it read earlier. */
  const sessionWrites = async (staleIndex: string, file: string, line: string, body: string) => {
    await write(file, body);
    await box.fs.unlink(join(dir, 'MEMORY.md')).catch(() => {});
    await write('MEMORY.md', `${staleIndex}${line}\n`);
  };
  const snapshot = async () => {
    const files = new Map<string, string>();
    for (const entry of await box.fs.readdir(dir)) if (entry.name !== 'MEMORY.md') files.set(entry.name, await read(entry.name));
    return files;
  };

  beforeEach(async () => {
    box = await sandbox();
    dir = join(box.root, 'memory');
    await box.fs.mkdir(dir, { recursive: true, mode: 0o700 });
  });
  afterEach(() => box.dispose());

  it('restores every line lost when parallel sessions rewrote MEMORY.md from stale reads (claude-code #58736, #85597)', async () => {
    // Three topics, written the way Claude Code writes them: a title and a flat list.
    await write('MEMORY.md', '# Memory\n\n');
    for (const [name, description] of [
      ['user_role', 'senior SRE, prefers terse answers'],
      ['deploy', 'deploys go through CI, never by hand'],
    ]) {
      await write(`${name}.md`, topic(name!, description!));
      await write('MEMORY.md.next', `${await read('MEMORY.md')}- [${name}](${name}.md) — ${description}\n`);
      await box.fs.rename(join(dir, 'MEMORY.md.next'), join(dir, 'MEMORY.md'));
    }
    const before = await read('MEMORY.md');
    // Sessions A and B both read the index, then each saves a memory.
    const staleA = before;
    const staleB = before;
    await sessionWrites(staleA, 'db_host.md', '- [DB host](db_host.md) — postgres 16 on db-1', topic('db_host', 'postgres 16 on db-1', 'reference'));
    await sessionWrites(staleB, 'feedback_tests.md', '- [Tests](feedback_tests.md) — run the e2e suite', topic('feedback_tests', 'run the e2e suite', 'feedback', 'Tests'));
    // Session C read the index before any of that, and saves last.
    await sessionWrites('# Memory\n\n', 'tz.md', '- [Timezone](tz.md) — UTC', topic('tz', 'UTC', 'user'));
    const clobbered = await read('MEMORY.md');
    expect(clobbered).toBe('# Memory\n\n- [Timezone](tz.md) — UTC\n');
    const topicsBefore = await snapshot();

    const memory = await open();
    const result = await memory.repair();
    expect(result.written).toBe(true);
    expect(result.removed).toEqual([]);
    expect(result.restored.map((line) => [line.file, line.section, line.title, line.summary])).toEqual([
      ['db_host.md', 'Reference', 'db_host', 'postgres 16 on db-1'],
      ['deploy.md', 'Project', 'deploy', 'deploys go through CI, never by hand'],
      ['feedback_tests.md', 'Feedback', 'Tests', 'run the e2e suite'],
      ['user_role.md', 'Project', 'user_role', 'senior SRE, prefers terse answers'],
    ]);
    const repaired = await read('MEMORY.md');
    // What survived is untouched at the top; every topic file is linked exactly once.
    expect(repaired.startsWith(clobbered)).toBe(true);
    expect(new Set(memory.entries.map((entry) => entry.file))).toEqual(new Set(topicsBefore.keys()));
    expect(memory.entries).toHaveLength(topicsBefore.size);
    for (const line of result.restored) expect(repaired.split('\n')[line.line - 1]).toBe(line.text);
    expect(await snapshot()).toEqual(topicsBefore);
    expect(await memory.lint()).toEqual([]);
  });

  it('removes the duplicate lines a clobber leaves, keeping the first', async () => {
    await write('a.md', topic('a', 'alpha'));
    await write('b.md', topic('b', 'beta'));
    await write('MEMORY.md', '# Memory\n\n- [a](a.md) — alpha\n- [b](b.md) — beta\n- [a](a.md) — alpha, saved twice\n');
    const result = await (await open()).repair();
    expect(result.removed).toEqual([{ file: 'a.md', line: 5, text: '- [a](a.md) — alpha, saved twice', keptLine: 3 }]);
    expect(await read('MEMORY.md')).toBe('# Memory\n\n- [a](a.md) — alpha\n- [b](b.md) — beta\n');
  });

  it('a dry run reports exactly what a real run then does, and writes nothing', async () => {
    await write('a.md', topic('a', 'alpha'));
    await write('b.md', '# Just a heading\n');
    await write('MEMORY.md', '- [a](a.md) — alpha\n- [a](a.md) — again\n');
    const memory = await open();
    const dry = await memory.repair({ dryRun: true });
    expect(await read('MEMORY.md')).toBe('- [a](a.md) — alpha\n- [a](a.md) — again\n');
    expect(dry).toMatchObject({ dryRun: true, written: false });
    const real = await memory.repair();
    expect(real).toEqual({ ...dry, dryRun: false, written: true });
    expect(await read('MEMORY.md')).toBe('- [a](a.md) — alpha\n\n## Recovered\n\n- [Just a heading](b.md)\n');
  });

  it('is idempotent: a second run changes nothing and writes nothing', async () => {
    await write('a.md', topic('a', 'alpha'));
    await write('sub-x.md', topic('x', 'in a sub'));
    const memory = await open();
    await memory.repair();
    const once = await read('MEMORY.md');
    const info = await box.fs.stat(join(dir, 'MEMORY.md'));
    const again = await memory.repair();
    expect(again).toEqual({ restored: [], removed: [], written: false, dryRun: false });
    expect(await read('MEMORY.md')).toBe(once);
    expect((await box.fs.stat(join(dir, 'MEMORY.md'))).ino).toBe(info.ino);
  });

  it('names a restored line after the heading, else the front-matter name, else the file; topics in folders too', async () => {
    await box.fs.mkdir(join(dir, 'infra'), { recursive: true, mode: 0o700 });
    await write('infra/servers.md', '---\nname: servers\ndescription: hosts\nmetadata:\n  type: reference\n---\nbody\n');
    await write('notes.md', 'no front matter at all\n');
    await write('.hidden.md', topic('hidden', 'never indexed'));
    const result = await (await open()).repair();
    expect(result.restored.map((line) => line.text)).toEqual(['- [servers](infra/servers.md) — hosts', '- [notes](notes.md)']);
    expect(result.restored.map((line) => line.section)).toEqual(['Reference', 'Recovered']);
  });

  it('has nothing to do when the memory folder does not exist yet, and does not create it', async () => {
    const missing = join(box.root, 'not-yet');
    const memory = await MemoryIndex.open({ dir: missing, fs: box.fs, createDir: true });
    expect(await memory.repair()).toEqual({ restored: [], removed: [], written: false, dryRun: false });
    expect((await box.fs.readdir(box.root)).map((entry) => entry.name)).not.toContain('not-yet');
  });
});
