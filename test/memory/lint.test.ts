import { describe, expect, it } from 'vitest';
import { lintIndex, parseIndex, type LintOptions } from '../../src/index.js';

const codes = (text: string, options: Partial<LintOptions> = {}) =>
  lintIndex(parseIndex(text), { topicFiles: ['a.md'], ...options }).map((problem) => problem.code);

/** An index of `count` lines in all: a title, a blank line, an entry linking a.md, a blank line, then prose. */
const lines = (count: number) =>
  ['# Memory', '', '- [A](a.md) — a', '', ...Array.from({ length: count - 4 }, (_, index) => `note ${index}`)].join('\n');

// The bounds are Claude Code's (2.1.197): it trims MEMORY.md, keeps its first 200 lines, then cuts it
// at the last line break before 25 000 characters (JavaScript string length), and warns
// "Keep index entries to one line under ~200 chars".
describe('lint to the limits Claude Code loads', () => {
  it('200 lines pass; 201 are OVER_BUDGET; blank lines at the end do not count, as Claude Code trims them', () => {
    expect(codes(lines(200))).toEqual([]);
    expect(codes(`${lines(200)}\n\n\n\n`)).toEqual([]);
    expect(codes(`\n\n${lines(200)}`)).toEqual([]);
    expect(codes(lines(201))).toEqual(['OVER_BUDGET']);
    expect(lintIndex(parseIndex(lines(201)), { topicFiles: ['a.md'] })[0]!.message).toBe('index has 201 lines; Claude Code loads the first 200');
  });

  it('25 000 characters pass; 25 001 are OVER_SIZE, counted in UTF-16 code units as Claude Code counts them', () => {
    const head = '- [A](a.md) — a\n\n';
    const filler = (length: number, unit: string) => unit.repeat(Math.floor(length / unit.length));
    expect(codes(head + filler(25_000 - head.length, 'x'))).toEqual([]);
    expect(codes(head + filler(25_001 - head.length, 'x'))).toEqual(['OVER_SIZE']);
    // 日 is one unit (three bytes in UTF-8): 25 000 of them pass although the file has 75 KB.
    expect(codes(head + filler(25_000 - head.length - 1, '日') + 'x')).toEqual([]);
    // 😀 is two units.
    expect(codes(head + filler(25_002 - head.length - 1, '😀') + 'x')).toEqual(['OVER_SIZE']);
  });

  it('an entry of 200 characters passes; 201 is LONG_ENTRY, whatever part of it is the summary', () => {
    const entry = (length: number) => {
      const link = '- [A](a.md) — ';
      return `${link}${'s'.repeat(length - link.length)}\n`;
    };
    expect(entry(200).trimEnd()).toHaveLength(200);
    expect(codes(entry(200))).toEqual([]);
    expect(codes(entry(201))).toEqual(['LONG_ENTRY']);
    const long = `- [${'t'.repeat(190)}](a.md) — short\n`;
    expect(codes(long)).toEqual(['LONG_ENTRY']);
    expect(codes(entry(201), { maxEntryLength: 300 })).toEqual([]);
  });

  it('a topic without front matter, or without name, description or a known type, is MISSING_FRONT_MATTER', () => {
    const problems = lintIndex(parseIndex('- [A](a.md) — a\n- [B](b.md) — b\n- [C](c.md) — c\n- [D](d.md) — d\n'), {
      topicFiles: ['a.md', 'b.md', 'c.md', 'd.md'],
      topics: [
        { file: 'a.md', frontMatter: { name: 'a', description: 'a', type: 'user' } },
        { file: 'b.md', frontMatter: undefined },
        { file: 'c.md', frontMatter: { name: 'c', type: 'project' } },
        { file: 'd.md', frontMatter: { name: 'd', description: 'd', type: 'notes' } },
      ],
    });
    expect(problems).toEqual([
      { code: 'MISSING_FRONT_MATTER', message: 'b.md has no front matter: name, description, type', file: 'b.md' },
      { code: 'MISSING_FRONT_MATTER', message: 'c.md front matter lacks: description', file: 'c.md' },
      {
        code: 'MISSING_FRONT_MATTER',
        message: 'd.md front matter lacks: type ("notes" is not user | feedback | project | reference)',
        file: 'd.md',
      },
    ]);
  });
});
