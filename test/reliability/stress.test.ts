import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM module shared with the `npm run stress` script
import { crashConsumers, crashUpserts, crashWriters, mixed, raceConsumers, raceWriters } from '../stress/scenarios.mjs';

// Small versions of `npm run stress` (docs/RELIABILITY.md): seconds, so CI catches regressions.
const clean = { lost: 0, duplicated: 0, overwritten: 0, partial: 0 };

describe('stress, small (real processes, real disk)', () => {
  it('writers in the same second with the same slug', async () => {
    expect(await raceWriters({ writers: 6, perWriter: 10 })).toMatchObject({ ...clean, written: 60 });
  });

  it('consumers racing', async () => {
    expect(await raceConsumers({ consumers: 4, handoffs: 400 })).toMatchObject({ ...clean, consumed: 400 });
  });

  it('writers, consumers and cleanup together', async () => {
    const result = await mixed({ writers: 3, perWriter: 20, consumers: 3, cleaners: 1 });
    expect(result).toMatchObject({ ...clean, written: 60, consumed: 60, oldLeft: 0 });
  });

  it('writers killed with SIGKILL never leave a torn handoff', async () => {
    const result = await crashWriters({ kills: 6 });
    expect(result).toMatchObject({ ...clean, kills: 6, killsSurvived: 6 });
  });

  it('consumers killed with SIGKILL never lose a handoff; what a killed holder held is delivered again', async () => {
    const result = await crashConsumers({ kills: 8, handoffs: 25 });
    expect(result).toMatchObject({ ...clean, kills: 8, killsSurvived: 8, written: 200, consumed: 200 });
    // What the last killed holder held is delivered again by the next claim, all of it.
    expect(result.redelivered).toBe(result.heldAtEnd);
  });

  it('index writers killed with SIGKILL never leave a broken index or a lock that blocks', async () => {
    const result = await crashUpserts({ kills: 5 });
    expect(result).toMatchObject({ ...clean, kills: 5, killsSurvived: 5 });
  });
});
