import { describe, expect, it } from 'vitest';
import {
  HandoffError,
  compareHandoffNames,
  formatHandoffName,
  formatStamp,
  normalizeSlug,
  parseHandoffName,
  parseStamp,
} from '../../src/index.js';

describe('normalizeSlug', () => {
  it.each([
    ['Blog pipeline fix', 'blog-pipeline-fix'],
    ['  --Déjà vu!!  ', 'deja-vu'],
    ['a/../../etc/passwd', 'a-etc-passwd'],
    ['x_done', 'x-done'],
    ['CON', 'con'],
    ['fix-2', 'fix-2'],
    ['tab\tand\nnewline\0nul', 'tab-and-newline-nul'],
  ])('normalises %j to %j', (input, expected) => {
    expect(normalizeSlug(input)).toBe(expected);
  });

  it('bounds the length to 64 characters without a trailing dash', () => {
    const slug = normalizeSlug('ab-'.repeat(10_000));
    expect(slug.length).toBeLessThanOrEqual(64);
    expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it.each([[''], ['!!!'], ['日本語'], ['   ']])('rejects %j, which has nothing left, with INVALID_SLUG', (input) => {
    expect(() => normalizeSlug(input)).toThrowError(expect.objectContaining({ code: 'INVALID_SLUG' }));
  });

  it.each([[undefined], [null], [42], [{}], [['a']]])('rejects the non-string %j with INVALID_SLUG', (input) => {
    expect(() => normalizeSlug(input)).toThrow(HandoffError);
    expect(() => normalizeSlug(input)).toThrowError(expect.objectContaining({ code: 'INVALID_SLUG' }));
  });
});

describe('timestamps', () => {
  const instant = new Date(Date.UTC(2026, 1, 27, 14, 30, 22, 999));

  it('formats UTC to the second', () => {
    expect(formatStamp(instant, 'utc')).toBe('2026-02-27_143022');
  });

  it('formats local time as a shell date +%Y-%m-%d_%H%M%S would', () => {
    const pad = (value: number) => String(value).padStart(2, '0');
    const expected = `${instant.getFullYear()}-${pad(instant.getMonth() + 1)}-${pad(instant.getDate())}_${pad(instant.getHours())}${pad(instant.getMinutes())}${pad(instant.getSeconds())}`;
    expect(formatStamp(instant, 'local')).toBe(expected);
  });

  it('parses back to the same second in either clock', () => {
    for (const zone of ['utc', 'local'] as const) {
      expect(parseStamp(formatStamp(instant, zone), zone).getTime()).toBe(Math.floor(instant.getTime() / 1000) * 1000);
    }
  });

  it('pads years before 1000', () => {
    expect(formatStamp(new Date(Date.UTC(999, 0, 1)), 'utc')).toBe('0999-01-01_000000');
  });
});

describe('handoff names', () => {
  it('formats pending, consumed and collision forms', () => {
    expect(formatHandoffName('2026-02-27_143022', 'fix')).toBe('2026-02-27_143022_fix.md');
    expect(formatHandoffName('2026-02-27_143022', 'fix', { collision: 3, done: true })).toBe('2026-02-27_143022_fix-3_done.md');
  });

  it('parses both forms to the same pending and done names', () => {
    const pending = parseHandoffName('2026-02-27_143022_blog-fix.md')!;
    const done = parseHandoffName('2026-02-27_143022_blog-fix_done.md')!;
    expect(pending).toMatchObject({ stamp: '2026-02-27_143022', slug: 'blog-fix', done: false });
    expect(done).toMatchObject({ slug: 'blog-fix', done: true, pendingName: pending.name, doneName: done.name });
  });

  it('accepts hand-written slugs with capitals, dots and underscores', () => {
    expect(parseHandoffName('2026-02-27_143022_Blog_Fix.v2.md')?.slug).toBe('Blog_Fix.v2');
  });

  it.each([
    'context-handoff.md',
    '2026-02-27_143022_.md',
    '2026-02-27_143022_fix.txt',
    '2026-13-27_143022_fix.md',
    '2026-02-27_253022_fix.md',
    '2026-02-27_143022_fix.md.tmp',
    '.2026-02-27_143022_fix.md',
    '2026-02-27_143022_-fix.md',
    '2026-02-27_143022__done.md',
    '2026-02-27_143022_../x.md',
    '2026-02-27_143022_a/b.md',
    '.handoff-1-2-abcd.tmp',
  ])('rejects %j', (name) => {
    expect(parseHandoffName(name)).toBeUndefined();
  });

  it('orders by time, then slug, then collision number (fix, fix-2, fix-10)', () => {
    const names = [
      '2026-02-27_143023_a.md',
      '2026-02-27_143022_fix-10.md',
      '2026-02-27_143022_fix-2.md',
      '2026-02-27_143022_fix.md',
      '2026-02-26_235959_z.md',
    ];
    const sorted = names.map((name) => parseHandoffName(name)!).sort(compareHandoffNames).map((parsed) => parsed.name);
    expect(sorted).toEqual([
      '2026-02-26_235959_z.md',
      '2026-02-27_143022_fix.md',
      '2026-02-27_143022_fix-2.md',
      '2026-02-27_143022_fix-10.md',
      '2026-02-27_143023_a.md',
    ]);
  });
});
