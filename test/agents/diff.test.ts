import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/agents/diff.js';

describe('unifiedDiff', () => {
  it('shows a new file as all additions from /dev/null', () => {
    expect(unifiedDiff(undefined, 'a\nb\n', '/x')).toBe('--- /dev/null\n+++ /x\n@@ -0,0 +1,2 @@\n+a\n+b\n');
  });

  it('shows a removed file as all deletions to /dev/null', () => {
    expect(unifiedDiff('a\n', undefined, '/x')).toBe('--- /x\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n');
  });

  it('gives one hunk with three lines of context around a change', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n') + '\n';
    const after = before.replace('5\n', 'five\n');
    expect(unifiedDiff(before, after, '/x')).toBe('--- /x\n+++ /x\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n');
  });

  it('gives separate hunks for changes far apart, and nothing for equal texts', () => {
    const before = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const after = before.replace('line 2\n', 'two\n').replace('line 27\n', 'twenty-seven\n');
    expect(unifiedDiff(before, after, '/x').match(/^@@/gm)).toHaveLength(2);
    expect(unifiedDiff(before, before, '/x')).toBe('--- /x\n+++ /x\n');
  });
});
