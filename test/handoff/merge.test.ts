import { describe, expect, it } from 'vitest';
import { mergeHandoffs } from '../../src/index.js';

const lines = (count: number, label: string) => Array.from({ length: count }, (_, index) => `${label} line ${index + 1}`).join('\n');
const countLines = (text: string) => text.replace(/\n$/, '').split('\n').length;

describe('mergeHandoffs', () => {
  it('returns an empty string for no handoffs', () => {
    expect(mergeHandoffs([])).toBe('');
  });

  it('joins handoffs oldest first, each under a header with its time and slug', () => {
    const merged = mergeHandoffs([
      { name: '2026-02-27_143055_wiki-batch.md', body: 'Second.\n' },
      { name: '2026-02-27_143022_blog-fix_done.md', body: 'First.\n' },
    ]);
    expect(merged).toBe('## 2026-02-27 14:30:22 · blog-fix\n\nFirst.\n\n## 2026-02-27 14:30:55 · wiki-batch\n\nSecond.\n');
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
