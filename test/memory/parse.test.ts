import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintIndex, parseIndex } from '../../src/index.js';
import { removeEntry, upsertEntry } from '../../src/memory/parse.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'memory');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

describe('parseIndex', () => {
  it('reads the flat list under a # title that Claude Code writes, as entries of no section', () => {
    const parsed = parseIndex('# Memory\n\n- [User role](user_role.md) — senior SRE\n- [Deploy](deploy.md) — how\n\n## Ops\n\n- [Hosts](hosts.md) — list\n');
    expect(parsed.entries.map((entry) => [entry.section, entry.file, entry.line])).toEqual([
      ['', 'user_role.md', 3],
      ['', 'deploy.md', 4],
      ['Ops', 'hosts.md', 8],
    ]);
    expect(parsed.sections.map((section) => section.title)).toEqual(['', 'Ops']);
  });

  it('reads entries from a hand-edited index: odd spacing, * and 1. bullets, reference links, prose', () => {
    const parsed = parseIndex(fixture('hand-edited.md'));
    expect(parsed.sections.map((section) => section.title)).toEqual(['Identity', 'Infrastructure']);
    expect(parsed.entries.map(({ section, title, file, summary }) => ({ section, title, file, summary }))).toEqual([
      { section: 'Identity', title: 'Who I am', file: 'identity.md', summary: 'name, role, timezone' },
      { section: 'Identity', title: 'Voice', file: 'voice-rules.md', summary: 'how I write' },
      { section: 'Identity', title: 'Tools', file: 'tools.md', summary: 'editors and shells' },
      { section: 'Infrastructure', title: 'Servers', file: 'infra/servers.md', summary: 'hosts and ports' },
      { section: 'Infrastructure', title: 'Deploy', file: 'deploy steps.md', summary: 'how releases go out' },
    ]);
    expect(parsed.entries.map((entry) => entry.line)).toEqual([7, 8, 12, 15, 16]);
  });

  it('puts entries before the first section under the empty section, with CRLF line ends', () => {
    const parsed = parseIndex(fixture('crlf-lint.md'));
    expect(parsed.entries[0]).toMatchObject({ section: '', file: 'loose.md', line: 1 });
    expect(parsed.entries.find((entry) => entry.file === 'multi.md')).toMatchObject({ lineCount: 2 });
  });

  it('does not take links inside code blocks or paragraphs as entries', () => {
    const parsed = parseIndex('## S\n\n```\n- [Not](code.md) — in a fence\n```\n\nSee [this](prose.md) — in prose.\n');
    expect(parsed.entries).toEqual([]);
  });

  it.each(readdirSync(fixtures))('renders %s byte for byte after parsing', (name) => {
    const text = fixture(name);
    expect(parseIndex(text).text).toBe(text);
  });
});

describe('index edits', () => {
  const text = fixture('hand-edited.md');

  it('replaces one entry line and leaves every other byte alone', () => {
    const edited = upsertEntry(parseIndex(text), { section: 'Identity', title: 'Tools', file: 'tools.md', summary: 'new summary' });
    const before = text.split('\n');
    const after = edited.split('\n');
    expect(after).toHaveLength(before.length);
    expect(after.filter((line, index) => line !== before[index])).toEqual(['- [Tools](tools.md) — new summary']);
  });

  it('adds an entry after the last entry of its section', () => {
    const edited = upsertEntry(parseIndex(text), { section: 'Infrastructure', title: 'DNS', file: 'dns.md', summary: 'zones' });
    const entries = parseIndex(edited).entries;
    expect(entries.at(-1)).toMatchObject({ section: 'Infrastructure', file: 'dns.md', line: 17 });
    expect(edited.replace('- [DNS](dns.md) — zones\n', '')).toBe(text);
  });

  it('adds a missing section at the end, keeping the file valid', () => {
    const edited = upsertEntry(parseIndex(fixture('no-final-newline.md')), { section: 'New', title: 'N', file: 'n.md', summary: 's' });
    expect(edited.endsWith('No entries here, only words.\n\n## New\n\n- [N](n.md) — s\n')).toBe(true);
    expect(parseIndex(edited).entries).toMatchObject([{ section: 'New', file: 'n.md' }]);
  });

  it('moves an entry to another section', () => {
    const edited = upsertEntry(parseIndex(text), { section: 'Infrastructure', title: 'Tools', file: 'tools.md', summary: 'moved' });
    expect(parseIndex(edited).entries.filter((entry) => entry.file === 'tools.md')).toMatchObject([{ section: 'Infrastructure' }]);
  });

  it('escapes a title with brackets and wraps a file name with spaces', () => {
    const edited = upsertEntry(parseIndex(''), { section: 'S', title: 'a [b] c', file: 'with space.md', summary: 'x' });
    expect(parseIndex(edited).entries).toMatchObject([{ title: 'a [b] c', file: 'with space.md', summary: 'x' }]);
  });

  it('leaves an underscore inside a word as written (user_role) and escapes one that could start emphasis', () => {
    const edited = upsertEntry(parseIndex(''), { section: 'S', title: 'user_role', file: 'user_role.md', summary: '_not_ emphasis, snake_case' });
    expect(edited).toBe('## S\n\n- [user_role](user_role.md) — \\_not\\_ emphasis, snake_case\n');
    expect(parseIndex(edited).entries).toMatchObject([{ title: 'user_role', summary: '_not_ emphasis, snake_case' }]);
  });

  it('keeps CRLF line ends when editing a CRLF file', () => {
    const crlf = fixture('crlf-lint.md');
    const edited = upsertEntry(parseIndex(crlf), { section: 'Work', title: 'New', file: 'new.md', summary: 's' });
    expect(edited.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('removes an entry and nothing else', () => {
    const edited = removeEntry(parseIndex(text), 'voice-rules.md');
    expect(edited).toBe(text.replace('- [Voice][voice] - how I write  \n', ''));
    expect(removeEntry(parseIndex(text), 'absent.md')).toBe(text);
  });
});

describe('lintIndex', () => {
  it('finds every kind of problem', () => {
    const problems = lintIndex(parseIndex(fixture('crlf-lint.md')), {
      maxLines: 5,
      maxEntryLength: 50,
      topicFiles: ['loose.md', 'completed-work.md', 'orphan.md'],
    });
    expect(problems.map((problem) => [problem.code, problem.file ?? null, problem.line ?? null])).toEqual([
      ['OVER_BUDGET', null, null],
      ['BROKEN_LINK', 'multi.md', 6],
      ['MULTILINE_SUMMARY', 'multi.md', 6],
      ['LONG_ENTRY', 'multi.md', 6],
      ['ESCAPING_LINK', '../secrets.md', 9],
      ['DUPLICATE_ENTRY', 'completed-work.md', 10],
      ['ORPHAN_TOPIC', 'orphan.md', null],
    ]);
  });

  it('is clean for a good index', () => {
    const parsed = parseIndex('# Memory\n\n## A\n\n- [One](one.md) — short\n');
    expect(lintIndex(parsed, { topicFiles: ['one.md'] })).toEqual([]);
  });
});
