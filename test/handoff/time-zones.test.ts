import { afterEach, describe, expect, it } from 'vitest';
import { HandoffStore, memoryFs, type HandoffStoreOptions } from '../../src/index.js';

// Names carry a local timestamp, which repeats an hour when clocks fall back and differs between
// zones; the order and time of handoffs must come from the instant each was written.
const originalTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalTz;
});

function storeAt(fs: ReturnType<typeof memoryFs>, clock: { now: number }, extra: Partial<HandoffStoreOptions> = {}) {
  return new HandoffStore({ dir: '/h', fs, now: () => new Date(clock.now), ...extra });
}

describe('order by the true instant', () => {
  it('New York, across the 2026-11-01 fall-back hour: 01:45 EDT, 01:15 EST, 01:45 EST stay in the order written', async () => {
    process.env.TZ = 'America/New_York';
    const fs = memoryFs();
    const clock = { now: 0 };
    const instants = ['2026-11-01T05:45:00.000Z', '2026-11-01T06:15:00.000Z', '2026-11-01T06:45:00.000Z'];
    const names: string[] = [];
    for (const [index, instant] of instants.entries()) {
      clock.now = Date.parse(instant);
      names.push((await storeAt(fs, clock).write({ slug: `w${index}`, body: `written at ${instant}\nline 2\nline 3\nline 4\nline 5\n` })).name);
    }
    // The names alone say 01:45, 01:15, 01:45: the local hour repeats.
    expect(names).toEqual(['2026-11-01_014500_w0.md', '2026-11-01_011500_w1.md', '2026-11-01_014500_w2.md']);

    const listed = await storeAt(fs, clock).list();
    expect(listed.map((ref) => [ref.slug, ref.createdAt.toISOString()])).toEqual(instants.map((instant, index) => [`w${index}`, instant]));

    // A budget that keeps one handoff whole keeps the newest, the one written last.
    const { handoffs, merged } = await storeAt(fs, clock).consume({ maxLines: 14 });
    expect(handoffs.map((handoff) => handoff.slug)).toEqual(['w0', 'w1', 'w2']);
    expect(merged).toContain('written at 2026-11-01T06:45:00.000Z');
    expect(merged).toContain('## 2026-11-01 01:45:00 -05:00 · w2');
    expect(merged).not.toContain('written at 2026-11-01T05:45:00.000Z');
  });

  it('Tokyo, a local-time writer and a UTC writer in one directory order by instant, hand-written files by local time', async () => {
    process.env.TZ = 'Asia/Tokyo';
    const fs = memoryFs();
    const clock = { now: Date.parse('2026-11-25T00:00:10.000Z') };
    const local = await storeAt(fs, clock, { timeZone: 'local' }).write({ slug: 'local', body: 'first' });
    clock.now = Date.parse('2026-11-25T00:00:20.000Z');
    const utc = await storeAt(fs, clock, { timeZone: 'utc' }).write({ slug: 'utc', body: 'third' });
    // By name the UTC writer's file looks nine hours older.
    expect([local.name, utc.name]).toEqual(['2026-11-25_090010_local.md', '2026-11-25_000020_utc.md']);
    // Written by hand, as the seed pattern does it: a local timestamp, no front matter.
    await fs.createFile('/h/2026-11-25_090015_by-hand.md', Buffer.from('second'), { mode: 0o600, sync: false });

    const { handoffs } = await storeAt(fs, clock).consume();
    expect(handoffs.map((handoff) => [handoff.body, handoff.createdAt.toISOString()])).toEqual([
      ['first', '2026-11-25T00:00:10.000Z'],
      ['second', '2026-11-25T00:00:15.000Z'],
      ['third', '2026-11-25T00:00:20.000Z'],
    ]);
  });
});
