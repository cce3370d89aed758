import { describe, expect, it } from 'vitest';
import { formatInstant, mergeHandoffs } from '../../src/index.js';

const lines = (count: number, label: string) => Array.from({ length: count }, (_, index) => `${label} line ${index + 1}`).join('\n');
const countLines = (text: string) => text.replace(/\n$/, '').split('\n').length;

describe('mergeHandoffs', () => {
  it('returns an empty string for no handoffs', () => {
    expect(mergeHandoffs([])).toBe('');
  });

  it('joins handoffs oldest first, each under a header with its time, offset and slug', () => {
    const merged = mergeHandoffs(
      [
        { name: '2026-02-27_143055_wiki-batch.md', body: 'Second.\n', createdAt: new Date('2026-02-27T14:30:55Z') },
        { name: '2026-02-27_143022_blog-fix_done.md', body: 'First.\n', createdAt: new Date('2026-02-27T14:30:22Z') },
      ],
      { timeZone: 'utc' },
    );
    expect(merged).toBe('## 2026-02-27 14:30:22 +00:00 · blog-fix\n\nFirst.\n\n## 2026-02-27 14:30:55 +00:00 · wiki-batch\n\nSecond.\n');
  });

  it('orders by the instant written, not by the name: a later name can be the older handoff', () => {
    // 01:45 EDT is 05:45Z; 01:15 EST (after the fall-back hour) is 06:15Z, later though its name sorts first.
    const merged = mergeHandoffs(
      [
        { name: '2026-11-01_011500_after.md', body: 'b', createdAt: new Date('2026-11-01T01:15:00-05:00') },
        { name: '2026-11-01_014500_before.md', body: 'a', createdAt: new Date('2026-11-01T01:45:00-04:00') },
      ],
      { timeZone: 'utc' },
    );
    expect(merged.indexOf('before')).toBeLessThan(merged.indexOf('after'));
    expect(merged).toContain('## 2026-11-01 05:45:00 +00:00 · before');
  });

  it('reads a name without an instant in local time', () => {
    const local = new Date(2026, 1, 27, 14, 30, 22);
    const offset = formatInstant(local, 'local').slice(-6);
    expect(mergeHandoffs([{ name: '2026-02-27_143022_hand.md', body: 'x' }])).toBe(`## 2026-02-27 14:30:22 ${offset} · hand\n\nx\n`);
  });

  it('keeps everything when it fits the budget', () => {
    const items = [{ name: '2026-02-27_143022_a.md', body: 'x' }];
    expect(mergeHandoffs(items, { maxLines: 100, maxChars: 1000 })).toBe(mergeHandoffs(items));
  });

  it('shortens older handoffs first and keeps the newest whole', () => {
    const merged = mergeHandoffs(
      [
        { name: '2026-02-27_100000_old.md', body: lines(50, 'old'), path: '/h/2026-02-27_100000_old_done.md' },
        { name: '2026-02-27_110000_mid.md', body: lines(50, 'mid'), path: '/h/mid_done.md' },
        { name: '2026-02-27_120000_new.md', body: lines(50, 'new'), path: '/h/new_done.md' },
      ],
      { maxLines: 80 },
    );
    expect(countLines(merged)).toBeLessThanOrEqual(80);
    expect(merged).toContain(lines(50, 'new'));
    expect(merged).toContain('old line 1');
    expect(merged).not.toContain('old line 4');
    expect(merged).toContain('/h/2026-02-27_100000_old_done.md');
    expect(merged).toMatch(/Context budget: of 3 handoffs, 2 shortened/);
  });

  it('leaves out the oldest, naming them, when headers alone do not fit', () => {
    const items = Array.from({ length: 40 }, (_, index) => ({
      name: `2026-02-27_10${String(index).padStart(2, '0')}00_h${index}.md`,
      body: lines(5, `h${index}`),
      path: `/h/h${index}_done.md`,
    }));
    const merged = mergeHandoffs(items, { maxLines: 30 });
    expect(countLines(merged)).toBeLessThanOrEqual(30);
    expect(merged).toContain('h39');
    expect(merged).toMatch(/oldest left out \(\/h\/h0_done\.md/);
  });

  it('meets a character budget too', () => {
    const items = Array.from({ length: 10 }, (_, index) => ({ name: `2026-02-27_1000${index}0_x${index}.md`, body: 'y'.repeat(500) }));
    expect(mergeHandoffs(items, { maxChars: 2000 }).length).toBeLessThanOrEqual(2000);
  });
});
