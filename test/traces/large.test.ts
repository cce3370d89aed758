import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BYTES, type SessionTrace } from '../../src/index.js';
import { writeLargeTranscript, type LargeTranscript } from './large-transcript.js';

// A 50 MB transcript, read by the built package in a child process whose V8 heap is capped at
// 32 MiB (less than the file): reading must stream, and its time and memory are measured there,
// away from the test runner's own allocations.
const HEAP_CAP_MIB = 32;

interface Measured {
  trace: SessionTrace;
  ms: number;
  /** Growth of the process's peak resident memory while reading, in MiB. */
  rssGrowthMiB: number;
}

let dir: string;
let path: string;
let big: LargeTranscript;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'handoffs-traces-large-'));
  path = join(dir, 'big.jsonl');
  big = await writeLargeTranscript(path, 50 * 1024 * 1024);
  await writeFile(
    join(dir, 'measure.mjs'),
    [
      `const { readTranscript } = await import(${JSON.stringify(pathToFileURL(resolve('dist', 'index.js')).href)});`,
      'const options = JSON.parse(process.argv[3], (key, value) => (value === "Infinity" ? Infinity : value));',
      'const before = process.resourceUsage().maxRSS;',
      'const start = performance.now();',
      'const trace = await readTranscript(process.argv[2], options);',
      'const ms = performance.now() - start;',
      'const rssGrowthMiB = (process.resourceUsage().maxRSS - before) / 1024;',
      'process.stdout.write(JSON.stringify({ trace, ms, rssGrowthMiB }));',
    ].join('\n'),
  );
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

function measure(options: { maxBytes?: number | 'Infinity' }): Measured {
  const out = execFileSync(process.execPath, [`--max-old-space-size=${HEAP_CAP_MIB}`, join(dir, 'measure.mjs'), path, JSON.stringify(options)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as Measured;
}

describe('a 50 MB transcript', () => {
  it('with the default cap: the first request, last message, last todos and latest files, in bounded time and memory', () => {
    expect(big.size).toBeGreaterThan(50 * 1024 * 1024);
    const { trace, ms, rssGrowthMiB } = measure({});
    console.log(`50 MB transcript, default cap (${DEFAULT_MAX_BYTES} bytes): ${ms.toFixed(0)} ms, peak RSS +${rssGrowthMiB.toFixed(1)} MiB, heap capped at ${HEAP_CAP_MIB} MiB`);
    expect(trace.request).toBe(big.request);
    expect(trace.lastMessage).toBe(big.lastMessage);
    expect(trace.todos).toEqual(big.lastTodos);
    expect(trace.filesChanged.slice(-2).map((file) => file.path)).toEqual(big.lastFiles);
    expect(trace.bytes).toEqual({ size: big.size, read: DEFAULT_MAX_BYTES });
    expect(trace.issues.map((issue) => [issue.code, issue.count])).toEqual([['CAPPED', big.size - DEFAULT_MAX_BYTES]]);
    expect(trace.work).toBe('done');
    expect(ms).toBeLessThan(1500);
    expect(rssGrowthMiB).toBeLessThan(40);
  });

  it('with no cap: every file and command, streamed with memory far below the file size', () => {
    const { trace, ms, rssGrowthMiB } = measure({ maxBytes: 'Infinity' });
    console.log(`50 MB transcript, no cap: ${ms.toFixed(0)} ms, peak RSS +${rssGrowthMiB.toFixed(1)} MiB, heap capped at ${HEAP_CAP_MIB} MiB`);
    expect(trace.filesChanged).toHaveLength(big.rounds);
    expect(trace.counts.commands).toBe(big.rounds);
    expect(trace.request).toBe(big.request);
    expect(trace.lastMessage).toBe(big.lastMessage);
    expect(trace.issues).toEqual([]);
    expect(ms).toBeLessThan(6000);
    expect(rssGrowthMiB).toBeLessThan(40);
  });
});
