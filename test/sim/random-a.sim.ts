import { it } from 'vitest';
import { randomHalf } from './random-half.js';

// npm run stress: half of the random schedules (the other half is random-b.sim.ts).
it('seeded random schedules keep every invariant', () => randomHalf('a'), 0);
