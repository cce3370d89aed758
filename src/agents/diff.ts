/** Lines of context around each change in {@link unifiedDiff}. */
const CONTEXT = 3;

/** Largest table the line diff builds (lines before × lines after); past it only a summary is given. */
const MAX_CELLS = 4_000_000;

/**
 * A unified diff of two texts (`---`/`+++` headers, `@@` hunks, three lines of context), for
 * `init --dry-run`. Undefined text is a missing file. Very large files get a one-line summary.
 */
export function unifiedDiff(before: string | undefined, after: string | undefined, path: string): string {
  const a = lines(before);
  const b = lines(after);
  const header = `--- ${before === undefined ? '/dev/null' : path}\n+++ ${after === undefined ? '/dev/null' : path}\n`;
  if (a.length * b.length > MAX_CELLS) return `${header}(${a.length} lines before, ${b.length} after: too large to show)\n`;
  const ops = diffLines(a, b);
  let out = header;
  for (let i = 0; i < ops.length; ) {
    if (ops[i]!.kind === ' ') {
      i++;
      continue;
    }
    // A hunk: from CONTEXT lines before this change to CONTEXT lines after the last change within reach.
    let start = Math.max(0, i - CONTEXT);
    while (start < i && ops[start]!.kind !== ' ') start++;
    let end = i;
    for (let j = i; j < ops.length; j++) {
      if (ops[j]!.kind !== ' ') end = j;
      else if (j - end > 2 * CONTEXT) break;
    }
    const stop = Math.min(ops.length, end + CONTEXT + 1);
    const slice = ops.slice(start, stop);
    const oldStart = slice[0]!.a;
    const newStart = slice[0]!.b;
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    out += `@@ -${oldCount === 0 ? oldStart : oldStart + 1},${oldCount} +${newCount === 0 ? newStart : newStart + 1},${newCount} @@\n`;
    for (const op of slice) out += `${op.kind}${op.text}\n`;
    i = stop;
  }
  return out;
}

interface Op {
  kind: ' ' | '-' | '+';
  text: string;
  /** Index in the old lines where this op stands. */
  a: number;
  /** Index in the new lines where this op stands. */
  b: number;
}

function lines(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  const split = text.split('\n');
  if (split[split.length - 1] === '') split.pop();
  return split;
}

/** A shortest edit script by longest common subsequence (the files init edits are small). */
function diffLines(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: ' ', text: a[i]!, a: i++, b: j++ });
    // Deletions before additions, as diff(1) shows them.
    else if (i < n && (j === m || table[i + 1]![j]! >= table[i]![j + 1]!)) ops.push({ kind: '-', text: a[i]!, a: i++, b: j });
    else ops.push({ kind: '+', text: b[j]!, a: i, b: j++ });
  }
  return ops;
}
