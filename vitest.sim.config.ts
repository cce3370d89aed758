import { defineConfig } from 'vitest/config';

// The deterministic simulation at full size (npm run stress:sim): every exhaustive scenario, and
// a million random schedules over two processes. Not part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/sim/**/*.sim.ts'],
    testTimeout: 0,
    hookTimeout: 0,
  },
});
