import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const example = (name: string) => join(import.meta.dirname, '..', 'examples', name);

describe('examples stay runnable', () => {
  it('demo: five concurrent sessions lose four contexts with one file and none with handoffs', async () => {
    const { stdout } = await run(process.execPath, [example('demo.mjs')]);
    expect(stdout).toContain('1 context survives, 4 are lost');
    expect(stdout).toContain('5 files, none overwritten');
    expect(stdout).toMatch(/total 5 of 5/);
    for (let session = 1; session <= 5; session++) expect(stdout).toContain(`context of session ${session}`);
  });
});

describe('memory-index example', () => {
  it('splits a flat file, adds a topic, finds it by search, and lints clean', async () => {
    const { stdout } = await run(process.execPath, [example('memory-index.mjs')]);
    expect(stdout).toContain('split plans 4 topic files: overview.md, identity.md, infrastructure.md, voice-rules.md');
    expect(stdout).toContain('search "what shipped" → completed-work.md');
    expect(stdout).toContain('lint: clean');
  });
});

describe('harness example', () => {
  it('runs parallel worker processes and claims all their handoffs for its project only', async () => {
    const { stdout } = await run(process.execPath, [example('harness.mjs')]);
    expect(stdout).toContain('6 workers finished; the planner claimed 6 handoffs, left 1 for another project.');
    for (const task of ['parse-invoices', 'fix-rounding', 'docs']) expect(stdout).toContain(`Finished ${task}.`);
    expect(stdout).not.toContain('not ours');
  });
});

describe("a user's own tests against memoryFs()", () => {
  it('pass under node --test', async () => {
    const { stdout } = await run(process.execPath, ['--test', join(import.meta.dirname, '..', 'examples', 'testing-with-memoryfs')]);
    expect(stdout).toMatch(/# pass 2\n/);
    expect(stdout).toMatch(/# fail 0\n/);
  });
});
