import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryError, MemoryIndex, parseTopic, planSplit, type MemoryIndexOptions } from '../../src/index.js';
import { adapters, bytes, codeOf, text, type Sandbox } from '../helpers.js';

const handEdited = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'memory', 'hand-edited.md'), 'utf8');

/** A flat MEMORY.md of `sections` sections, about 15 lines each, with a preamble. */
function flatMemory(sections: number): string {
  const parts = ['# Memory', '', 'Notes kept across sessions.', ''];
  for (let index = 0; index < sections; index++) {
    parts.push(`## Topic ${index} notes`, '', `Topic ${index} is about subject-${index}. More follows here.`, '');
    for (let line = 0; line < 10; line++) parts.push(`- fact ${line} of topic ${index}`);
    parts.push('', '```sh', `## not a heading ${index}`, '```', '');
  }
  return parts.join('\n');
}

const nonBlank = (value: string) => value.split('\n').filter((line) => line.trim() !== '');

describe.each(adapters)('MemoryIndex on $name', ({ sandbox }) => {
  let box: Sandbox;
  let dir: string;
  const open = (options: Partial<MemoryIndexOptions> = {}) => MemoryIndex.open({ dir, fs: box.fs, ...options });
  const write = (name: string, value: string | Uint8Array) =>
    box.fs.createFile(join(dir, name), typeof value === 'string' ? bytes(value) : value, { mode: 0o600, sync: false });

  beforeEach(async () => {
    box = await sandbox();
    dir = join(box.root, 'memory');
    await box.fs.mkdir(dir, { recursive: true, mode: 0o700 });
  });
  afterEach(() => box.dispose());

  it('opens a directory without an index as an empty index', async () => {
    const memory = await open();
    expect(memory.entries).toEqual([]);
    expect(memory.render()).toBe('');
  });

  it('renders a hand-edited index byte for byte and exposes its sections', async () => {
    await write('MEMORY.md', handEdited);
    const memory = await open();
    expect(memory.render()).toBe(handEdited);
    expect(memory.sections.map((section) => [section.title, section.entries.length])).toEqual([
      ['Identity', 3],
      ['Infrastructure', 2],
    ]);
  });

  it('upserts: creates the topic file with front matter and one index line, then updates both in place', async () => {
    await write('MEMORY.md', handEdited);
    const memory = await open();
    const entry = await memory.upsert({ topic: 'dns', section: 'Infrastructure', summary: 'zones and records', body: '# DNS\n\nzones\n' });
    expect(entry).toMatchObject({ section: 'Infrastructure', title: 'dns', file: 'dns.md', summary: 'zones and records' });
    expect(await memory.read('dns')).toBe('---\nname: dns\ndescription: zones and records\ntype: project\n---\n\n# DNS\n\nzones\n');
    await memory.upsert({ topic: 'dns.md', section: 'Infrastructure', summary: 'zones, records, TTLs' });
    const onDisk = text(await box.fs.readFile(join(dir, 'MEMORY.md')));
    expect(onDisk.replace('- [dns](dns.md) — zones, records, TTLs\n', '')).toBe(handEdited);
    expect(await memory.read('dns')).toBe('---\nname: dns\ndescription: zones, records, TTLs\ntype: project\n---\n\n# DNS\n\nzones\n');
  });

  it('creates a missing topic file with front matter and a heading when no body is given', async () => {
    const memory = await open();
    await memory.upsert({ topic: 'voice-rules', title: 'Voice rules', section: 'Style', summary: 'how to write' });
    expect(await memory.read('voice-rules')).toBe(
      '---\nname: voice-rules\ndescription: how to write\ntype: project\n---\n\n# Voice rules\n\nhow to write\n',
    );
    expect(memory.render()).toBe('## Style\n\n- [Voice rules](voice-rules.md) — how to write\n');
  });

  it('supports topics in subdirectories', async () => {
    const memory = await open();
    await memory.upsert({ topic: 'infra/servers', section: 'Ops', summary: 'hosts', body: 'h' });
    expect(parseTopic(await memory.read('infra/servers.md'))).toEqual({
      frontMatter: { name: 'infra-servers', description: 'hosts', type: 'project' },
      body: 'h',
      heading: undefined,
    });
    expect(await memory.lint()).toEqual([]);
  });

  it('reads what other instances wrote: every update is a read-modify-write of the current file', async () => {
    const [a, b] = [await open(), await open()];
    await a.upsert({ topic: 'one', section: 'S', summary: 'first' });
    await b.upsert({ topic: 'two', section: 'S', summary: 'second' });
    await a.reload();
    expect(a.entries.map((entry) => entry.file)).toEqual(['one.md', 'two.md']);
  });

  it('keeps every update of many concurrent upserts', async () => {
    const instances = await Promise.all(Array.from({ length: 5 }, () => open()));
    await Promise.all(
      instances.flatMap((memory, writer) =>
        Array.from({ length: 6 }, (_, index) => memory.upsert({ topic: `w${writer}-t${index}`, section: `S${index % 2}`, summary: 's' })),
      ),
    );
    const memory = await open();
    expect(memory.entries).toHaveLength(30);
    expect(await memory.lint()).toEqual([]);
  });

  it('removes a topic line and its file, or keeps the file when asked', async () => {
    const memory = await open();
    await memory.upsert({ topic: 'a', section: 'S', summary: 'x' });
    await memory.upsert({ topic: 'b', section: 'S', summary: 'y' });
    expect(await memory.remove('a')).toBe(true);
    expect(await codeOf(box.fs.lstat(join(dir, 'a.md')))).toBe('ENOENT');
    expect(await memory.remove('b', { keepFile: true })).toBe(true);
    expect(text(await box.fs.readFile(join(dir, 'b.md')))).toContain('y');
    expect(await memory.remove('absent')).toBe(false);
    expect(memory.entries).toEqual([]);
  });

  it('lints broken links, orphans and the budget against the files on disk', async () => {
    await write('MEMORY.md', '# M\n\n## S\n\n- [Gone](gone.md) — missing\n- [Here](here.md) — present\n');
    await write('here.md', 'x');
    await write('orphan.md', 'x');
    await write('.hidden.md', 'x');
    await write('notes.txt', 'x');
    const problems = await (await open({ maxLines: 3 })).lint();
    expect(problems.map((problem) => [problem.code, problem.file])).toEqual([
      ['OVER_BUDGET', undefined],
      ['BROKEN_LINK', 'gone.md'],
      ['ORPHAN_TOPIC', 'orphan.md'],
      ['MISSING_FRONT_MATTER', 'here.md'],
      ['MISSING_FRONT_MATTER', 'orphan.md'],
    ]);
    expect(problems.find((problem) => problem.code === 'ORPHAN_TOPIC')?.file).toBe('orphan.md');
  });

  it('ranks topics by relevance to a query', async () => {
    const memory = await open();
    await memory.upsert({ topic: 'infrastructure', title: 'Infrastructure', section: 'Ops', summary: 'servers, deploy pipeline, DNS' });
    await memory.upsert({ topic: 'voice', title: 'Voice rules', section: 'Writing', summary: 'tone and words to avoid' });
    await memory.upsert({ topic: 'completed', title: 'Completed work', section: 'History', summary: 'what shipped, including the deploy of v2' });
    const hits = await memory.search('deploy');
    expect(hits.map((hit) => hit.file)).toEqual(['infrastructure.md', 'completed.md']);
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect((await memory.search('voice')).map((hit) => hit.file)[0]).toBe('voice.md');
    expect(await memory.search('deploy', { limit: 1 })).toHaveLength(1);
    expect(await memory.search('nothing-matches-this')).toEqual([]);
  });

  it('searches topic bodies when asked', async () => {
    const memory = await open();
    await memory.upsert({ topic: 'misc', section: 'S', summary: 'odds and ends', body: 'the kubernetes cluster lives here' });
    expect(await memory.search('kubernetes')).toEqual([]);
    expect((await memory.search('kubernetes', { bodies: true })).map((hit) => hit.file)).toEqual(['misc.md']);
  });

  describe('bad input is a typed error and writes nothing', () => {
    it.each(['../escape', '/etc/passwd', 'a/../../b', '.hidden', 'a\\b', 'nul\0', '', 'sub/./x'])(
      'topic %j is INVALID_TOPIC',
      async (topic) => {
        const memory = await open();
        await expect(memory.upsert({ topic, section: 'S', summary: 'x' })).rejects.toMatchObject({ code: 'INVALID_TOPIC' });
        await expect(memory.read(topic)).rejects.toMatchObject({ code: 'INVALID_TOPIC' });
        expect((await box.fs.readdir(dir)).map((entry) => entry.name)).toEqual([]);
      },
    );

    it.each([
      [{ topic: 't', section: 'S', summary: 'two\nlines' }, 'INVALID_ENTRY'],
      [{ topic: 't', section: '', summary: 'x' }, 'INVALID_ENTRY'],
      [{ topic: 't', section: 'S\nT', summary: 'x' }, 'INVALID_ENTRY'],
      [{ topic: 't', section: 'S', summary: 42 }, 'INVALID_ENTRY'],
    ])('upsert(%j) is %s', async (input, code) => {
      const memory = await open();
      await expect(memory.upsert(input as never)).rejects.toMatchObject({ name: 'MemoryError', code });
      expect((await box.fs.readdir(dir)).map((entry) => entry.name)).toEqual([]);
    });

    it('an index that is not UTF-8 is INVALID_ENCODING, and upsert leaves it untouched', async () => {
      const invalid = new Uint8Array([0x23, 0x20, 0xff, 0xfe, 0x0a]);
      await write('MEMORY.md', invalid);
      await expect(open()).rejects.toMatchObject({ code: 'INVALID_ENCODING' });
      expect(Buffer.from(await box.fs.readFile(join(dir, 'MEMORY.md'))).equals(Buffer.from(invalid))).toBe(true);
    });

    it('a missing directory is NOT_FOUND', async () => {
      const error = await MemoryIndex.open({ dir: join(box.root, 'absent'), fs: box.fs }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(MemoryError);
      expect(error).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('reading a missing topic is NOT_FOUND', async () => {
      await expect((await open()).read('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('split', () => {
    it('migrates a 600+ line, 40+ section flat file with no content lost and the index in budget', async () => {
      const flat = flatMemory(45);
      expect(flat.split('\n').length).toBeGreaterThan(600);
      await write('MEMORY.md', flat);
      const plan = MemoryIndex.split(flat);
      expect(plan.topics).toHaveLength(46);
      expect(plan.grouped).toBe(0);
      const result = await MemoryIndex.applySplit(plan, { dir, fs: box.fs });
      expect(result.backup).toBe('MEMORY.md.before-split');
      expect(text(await box.fs.readFile(join(dir, 'MEMORY.md.before-split')))).toBe(flat);

      // Every non-blank line of the input lands in exactly one topic file.
      const topicLines = (
        await Promise.all(plan.topics.map(async (topic) => nonBlank(parseTopic(text(await box.fs.readFile(join(dir, topic.file)))).body)))
      ).flat();
      expect(topicLines.sort()).toEqual(nonBlank(flat).sort());

      const memory = await open();
      expect(memory.entries).toHaveLength(46);
      expect(memory.entries[1]).toMatchObject({ title: 'Topic 0 notes', file: 'topic-0-notes.md', summary: 'Topic 0 is about subject-0.' });
      expect(await memory.lint()).toEqual([]);
    });

    it('groups sections rather than exceed a small budget, still losing nothing', () => {
      const flat = flatMemory(45);
      const plan = planSplit(flat, { maxLines: 20 });
      expect(plan.index.replace(/\n$/, '').split('\n').length).toBeLessThanOrEqual(20);
      expect(plan.grouped).toBe(46);
      expect(plan.topics.flatMap((topic) => nonBlank(parseTopic(topic.content).body)).sort()).toEqual(nonBlank(flat).sort());
    });

    it('writes nothing until applied, and refuses to overwrite a topic file unless asked', async () => {
      await write('identity.md', 'precious');
      const plan = MemoryIndex.split('## Identity\n\nWho I am.\n\n## Voice\n\nHow I write.\n');
      expect((await box.fs.readdir(dir)).map((entry) => entry.name)).toEqual(['identity.md']);
      await expect(MemoryIndex.applySplit(plan, { dir, fs: box.fs })).rejects.toMatchObject({ code: 'EXISTS' });
      expect((await box.fs.readdir(dir)).map((entry) => entry.name)).toEqual(['identity.md']);
      expect(text(await box.fs.readFile(join(dir, 'identity.md')))).toBe('precious');
      await MemoryIndex.applySplit(plan, { dir, fs: box.fs, overwrite: true });
      expect(text(await box.fs.readFile(join(dir, 'identity.md')))).toBe(
        '---\nname: identity\ndescription: Who I am.\ntype: project\n---\n\n## Identity\n\nWho I am.\n',
      );
    });

    it('splits on a configurable heading level and never names a topic after the index file', () => {
      const plan = planSplit('# Memory\n\nintro\n\n# Other\n\ntext\n', { headingLevel: 1 });
      expect(plan.topics.map((topic) => topic.file)).toEqual(['memory-2.md', 'other.md']);
    });

    it('rejects a budget too small for any entry', () => {
      expect(() => planSplit('## A\n', { maxLines: 6 })).toThrowError(expect.objectContaining({ code: 'INVALID_OPTION' }));
    });
  });
});
