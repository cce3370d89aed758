import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { HandoffStore, postgresStore } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { freshSchema, usePostgres, withSchema } from '../support/postgres.js';

const run = promisify(execFile);
const cli = join(process.cwd(), 'dist', 'cli.js');
const server = usePostgres({ tls: false });

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function migrate(from: string, to: string): Promise<{ code: number; result: Record<string, string[]>; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, 'migrate', '--from', from, '--to', to, '--json']);
    return { code: 0, result: JSON.parse(stdout), stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, result: failed.stdout ? JSON.parse(failed.stdout) : {}, stderr: failed.stderr };
  }
}

describe('handoffs migrate --from DIR --to postgres://…', () => {
  it('copies pending and consumed handoffs once, with names, instants and consumption times; claimed ones wait', async () => {
    const box = await tempDir();
    cleanups.push(() => box.dispose());
    const dir = join(box.root, 'handoffs');
    let clock = Date.parse('2026-11-20T09:00:00.000Z');
    const files = new HandoffStore({ dir, now: () => new Date(clock), timeZone: 'utc', onWarning: () => {} });
    for (const slug of ['consumed', 'claimed', 'first', 'second']) {
      await files.write({ slug, body: `body of ${slug}`, meta: { project: '/work/p' } });
      clock += 60_000;
    }
    const consumed = (await files.consume({ limit: 1 })).handoffs[0]!;
    const claim = await files.claim({ limit: 1, leaseMs: 3_600_000 });
    const url = withSchema(server().url, freshSchema('migrate'));
    const target = postgresStore({ url });
    cleanups.push(() => target.close());

    const first = await migrate(dir, url);
    expect(first.code).toBe(0);
    expect(first.result).toEqual({
      pending: ['2026-11-20_090200_first.md', '2026-11-20_090300_second.md'],
      consumed: [consumed.doneName],
      present: [],
      claimed: [expect.stringMatching(/^\.claim_.*_claimed\.md$/)],
      conflicts: [],
    });
    const copied = await target.list({ consumed: true });
    expect(copied.map((handoff) => [handoff.name, handoff.state]).sort()).toEqual([
      ['2026-11-20_090000_consumed~' + consumed.doneName.split('~')[1], 'consumed'],
      ['2026-11-20_090200_first.md', 'pending'],
      ['2026-11-20_090300_second.md', 'pending'],
    ]);
    const doneCopy = await target.read(consumed.doneName);
    expect(doneCopy?.consumedAt?.getTime()).toBe(Math.floor((await stat(join(dir, consumed.doneName))).mtimeMs));
    const store = new HandoffStore({ store: url, onWarning: () => {} });
    cleanups.push(() => store.close());
    expect((await store.list()).map((ref) => [ref.name, ref.createdAt.toISOString()])).toEqual([
      ['2026-11-20_090200_first.md', '2026-11-20T09:02:00.000Z'],
      ['2026-11-20_090300_second.md', '2026-11-20T09:03:00.000Z'],
    ]);

    // Consumed in the store since: a second run copies nothing, and delivers nothing again.
    expect((await store.consume()).handoffs.map((handoff) => handoff.body)).toEqual(['body of first', 'body of second']);
    const second = await migrate(dir, url);
    expect([second.code, second.result.pending, second.result.consumed, second.result.present?.length]).toEqual([0, [], [], 3]);
    expect(await store.list()).toEqual([]);

    // The claimed one, given back in the directory, is copied by the next run.
    await claim.release();
    const third = await migrate(dir, url);
    expect(third.result.pending).toEqual([expect.stringMatching(/^2026-11-20_090100_claimed~[a-z0-9]+\.md$/)]);
    expect((await store.consume()).handoffs.map((handoff) => handoff.body)).toEqual(['body of claimed']);
  });

  it('refuses a URL that is not postgres:// and says how to call it', async () => {
    const { code, stderr } = await migrate('/nowhere', 'mysql://x').catch((error) => error);
    expect([code, stderr]).toEqual([2, expect.stringContaining('--to takes a postgres:// URL')]);
  });
});
